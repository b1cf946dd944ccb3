//! Markdown to HTML: GitHub-style extensions, code blocks highlighted, and
//! everything sanitised by ammonia so raw HTML in the Markdown cannot run
//! script.

use super::highlight;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use url::Url;

/// `url` is the file's own (a capability URL): relative links and images
/// lead to its siblings there.
pub fn to_html(text: &str, url: &Url) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(text, options) {
        match (&mut code, event) {
            (None, Event::Start(Tag::CodeBlock(kind))) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            (Some((_, body)), Event::Text(t)) => body.push_str(&t),
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let (lang, body) = code.take().unwrap_or_default();
                let html = highlight::to_html(highlight::syntax_by_token(&lang), &body);
                events.push(Event::Html(format!("<pre class=\"code-block\"><code>{html}</code></pre>\n").into()));
            }
            (_, event) => events.push(event),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html, url)
}

/// Ammonia's defaults (no script, no event handlers, no `javascript:`
/// links), plus what rendered Markdown needs: highlight classes and the
/// disabled checkboxes of task lists.
fn sanitize(html: &str, url: &Url) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("span", ["class"])
        .add_tag_attributes("pre", ["class"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("sup", ["class", "id"])
        .add_tag_attributes("div", ["class", "id"])
        .add_tag_attributes("li", ["id"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(siblings(url))
        // Prefixed ids cannot clobber the page's own; in-document links
        // (footnotes) follow them.
        .id_prefix(Some("md-"))
        .attribute_filter(|element, attribute, value| match (element, attribute, value.strip_prefix('#')) {
            ("a", "href", Some(fragment)) => Some(format!("#md-{fragment}").into()),
            _ => Some(value.into()),
        });
    builder.set_tag_attribute_value("input", "disabled", "");
    builder.clean(html).to_string()
}

/// Relative URLs resolved against the file's own URL, so `chart.png` and
/// `../data/table.csv` reach its sibling files on the content origin;
/// in-document links (`#...`) stay as they are.
fn siblings(url: &Url) -> ammonia::UrlRelative<'static> {
    struct Siblings(Url);
    impl ammonia::UrlRelativeEvaluate<'static> for Siblings {
        fn evaluate<'u>(&self, relative: &'u str) -> Option<Cow<'u, str>> {
            if relative.starts_with('#') {
                return Some(relative.into());
            }
            self.0.join(relative).ok().map(|u| String::from(u).into())
        }
    }
    ammonia::UrlRelative::Custom(Box::new(Siblings(url.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_github_markdown_safely() {
        let md = "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ new[^1]\n\n[^1]: note\n\n```python\nprint('hi')\n```\n\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n";
        let html = to_html(md, &file_url());
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<table>") && html.contains("<td>1</td>"), "{html}");
        assert!(html.contains("type=\"checkbox\"") && html.contains("checked"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("class=\"hl-"), "code is highlighted: {html}");
        assert!(html.contains("href=\"#md-1\"") && html.contains("id=\"md-1\""), "footnotes link: {html}");
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }

    fn file_url() -> Url {
        Url::parse("http://usercontent.localhost:3000/TOKEN/mnt/user-data/outputs/out/notes.md").unwrap()
    }

    #[test]
    fn relative_links_and_images_lead_to_sibling_files() {
        let md = "![chart](chart.png) [data](../data/table%20one.csv) <img src=\"assets/a b.svg\" alt=x>\n\n\
                  ![far](https://tracker.example/pixel.png) [top](#intro)\n";
        let html = to_html(md, &file_url());
        let at = "http://usercontent.localhost:3000/TOKEN/mnt/user-data/outputs";
        assert!(html.contains(&format!("src=\"{at}/out/chart.png\" alt=\"chart\"")), "{html}");
        assert!(html.contains(&format!("href=\"{at}/data/table%20one.csv\"")), "{html}");
        assert!(html.contains(&format!("src=\"{at}/out/assets/a%20b.svg\"")), "{html}");
        assert!(
            html.contains("src=\"https://tracker.example/pixel.png\" alt=\"far\""),
            "left to the page's CSP: {html}"
        );
        assert!(html.contains("href=\"#md-intro\""), "{html}");
    }
}
