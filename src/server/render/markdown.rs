//! Markdown to HTML: GitHub-style extensions, code blocks highlighted, tables
//! in their own scroll box (it and code blocks focusable, named regions, so
//! the keyboard can scroll them), task-list checkboxes labelled by their item,
//! footnotes as numbered links to a list at the end (with links back), and
//! everything sanitised by ammonia so raw HTML in the Markdown cannot run
//! script. Mermaid blocks and `$…$`/`$$…$$` math are left as their source in
//! marked elements (`pre.mermaid`, `.math`), for the scripts of the frame
//! that draws them (`server/content/drawn.rs`).

use super::highlight::{self, html_escape};
use crate::server::{filetype, vpath};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use url::Url;

/// An open task-list item: where its checkbox goes, whether it is checked,
/// its list depth, and its text so far (the checkbox's label).
struct Task {
    at: usize,
    checked: bool,
    depth: usize,
    label: String,
}

/// Rendered Markdown, and what in it scripts must draw.
pub struct Markdown {
    pub html: String,
    pub diagrams: bool,
    pub math: bool,
}

/// `url` is the file's own (a capability URL): relative links and images
/// lead to its siblings there.
pub fn to_html(text: &str, url: &Url) -> String {
    render(text, url).html
}

/// Like [`to_html`], saying whether it holds diagrams or math.
pub fn render(text: &str, url: &Url) -> Markdown {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_MATH;
    let parsed: Vec<Event> = Parser::new_ext(text, options).collect();
    let mut events = Vec::new();
    // Footnote definitions, taken out of the text: (label, their events).
    let mut definitions: Vec<(CowStr, Vec<Event>)> = Vec::new();
    let mut in_definition = false;
    let mut references: Vec<CowStr> = Vec::new();
    let mut code: Option<(String, String)> = None;
    // Code blocks that are not drawn (diagrams, math), each a scroll box.
    let code_blocks = parsed
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::CodeBlock(kind)) if !matches!(language(kind), "mermaid" | "math")))
        .count();
    let mut code_block = 0;
    let mut tasks: Vec<Task> = Vec::new();
    let mut depth = 0;
    let (mut diagrams, mut math) = (false, false);
    // Marks the attributes of our own scroll boxes: the sanitiser keeps them
    // with it alone, and the Markdown's raw HTML cannot guess it.
    let mark = format!("{:016x}:", rand::random::<u64>());
    for event in parsed {
        let event = match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                definitions.push((label, Vec::new()));
                in_definition = true;
                continue;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                in_definition = false;
                continue;
            }
            event => event,
        };
        let out = match definitions.last_mut() {
            Some((_, body)) if in_definition => body,
            _ => &mut events,
        };
        match (&mut code, event) {
            (None, Event::Start(Tag::CodeBlock(kind))) => code = Some((language(&kind).to_string(), String::new())),
            (Some((_, body)), Event::Text(t)) => body.push_str(&t),
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let (lang, body) = code.take().unwrap_or_default();
                let html = match lang.as_str() {
                    "mermaid" => {
                        diagrams = true;
                        format!("<pre class=\"mermaid\">{}</pre>\n", html_escape(&body))
                    }
                    "math" => {
                        math = true;
                        format!("<div class=\"math math-display\">{}</div>\n", html_escape(&body))
                    }
                    _ => {
                        let html = highlight::to_html(highlight::syntax_by_token(&lang), &body).html;
                        code_block += 1;
                        let label = match (place("Code", code_block, code_blocks), lang.as_str()) {
                            (place, "") => place,
                            (place, lang) => format!("{place} ({lang})"),
                        };
                        format!("{}<code>{html}</code></pre>\n", scroll_box("pre", "code-block", &label, &mark))
                    }
                };
                out.push(Event::Html(html.into()));
            }
            (_, Event::InlineMath(tex)) => {
                math = true;
                out.push(Event::Html(format!("<span class=\"math math-inline\">{}</span>", html_escape(&tex)).into()));
            }
            (_, Event::DisplayMath(tex)) => {
                math = true;
                out.push(Event::Html(format!("<span class=\"math math-display\">{}</span>", html_escape(&tex)).into()));
            }
            (_, Event::FootnoteReference(label)) => {
                let first = !references.contains(&label);
                if first {
                    references.push(label.clone());
                }
                let n = references.iter().position(|r| *r == label).unwrap_or_default() + 1;
                let id = if first { format!(" id=\"fnref-{n}\"") } else { String::new() };
                out.push(Event::Html(
                    format!("<sup class=\"footnote-ref\"{id}><a href=\"#fn-{n}\">{n}</a></sup>").into(),
                ));
            }
            (_, Event::TaskListMarker(checked)) => {
                tasks.push(Task { at: out.len(), checked, depth, label: String::new() });
                out.push(Event::Html("".into()));
            }
            (_, event) => {
                match &event {
                    Event::Start(Tag::Item) => depth += 1,
                    Event::End(TagEnd::Item) => {
                        if let Some(task) = tasks.pop_if(|t| t.depth == depth) {
                            let checked = if task.checked { " checked" } else { "" };
                            let label = html_escape(task.label.trim());
                            out[task.at] = Event::Html(
                                format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
                            );
                        }
                        depth -= 1;
                    }
                    Event::Text(t) | Event::Code(t) => {
                        if let Some(task) = tasks.last_mut().filter(|t| t.depth == depth) {
                            task.label.push_str(t);
                        }
                    }
                    _ => {}
                }
                out.push(event);
            }
        }
    }
    push_footnotes(&mut events, &references, definitions);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, boxed_tables(events, &mark));
    Markdown { html: clean(&html, url, Some(mark)), diagrams, math }
}

/// A fenced code block's language, as its info string's first word.
fn language<'k>(kind: &'k CodeBlockKind) -> &'k str {
    match kind {
        CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
        CodeBlockKind::Indented => "",
    }
}

/// The name of the `n`th box of `count` of a kind (`what`): unique in the
/// page, as a region's must be.
fn place(what: &str, n: usize, count: usize) -> String {
    if count == 1 {
        what.into()
    } else {
        format!("{what} {n} of {count}")
    }
}

/// The opening tag of a scroll box of ours: focusable, a region named
/// `label`, its attributes marked with `mark` for the sanitiser.
fn scroll_box(tag: &str, class: &str, label: &str, mark: &str) -> String {
    let label = html_escape(label);
    format!("<{tag} class=\"{class}\" tabindex=\"{mark}0\" role=\"{mark}region\" aria-label=\"{mark}{label}\">")
}

/// Each table in a scroll box of its own, named by its place among them
/// (footnotes' tables last, as shown).
fn boxed_tables<'a>(events: Vec<Event<'a>>, mark: &'a str) -> impl Iterator<Item = Event<'a>> {
    let count = events.iter().filter(|e| matches!(e, Event::Start(Tag::Table(_)))).count();
    let mut n = 0;
    events.into_iter().flat_map(move |event| match event {
        Event::Start(Tag::Table(_)) => {
            n += 1;
            vec![Event::Html(scroll_box("div", "table-scroll", &place("Table", n, count), mark).into()), event]
        }
        Event::End(TagEnd::Table) => vec![event, Event::Html("</div>".into())],
        event => vec![event],
    })
}

/// The referenced footnotes, numbered in the order of their first
/// reference, each with a link back to it.
fn push_footnotes<'a>(
    events: &mut Vec<Event<'a>>,
    references: &[CowStr<'a>],
    definitions: Vec<(CowStr<'a>, Vec<Event<'a>>)>,
) {
    let mut notes: Vec<(usize, Vec<Event>)> = definitions
        .into_iter()
        .filter_map(|(label, body)| Some((references.iter().position(|r| *r == label)? + 1, body)))
        .collect();
    if notes.is_empty() {
        return;
    }
    notes.sort_by_key(|(n, _)| *n);
    events.push(Event::Html("<div class=\"footnotes\"><hr><ol>".into()));
    for (n, body) in notes {
        events.push(Event::Html(format!("<li id=\"fn-{n}\" value=\"{n}\">").into()));
        events.extend(body);
        let back =
            format!("<a href=\"#fnref-{n}\" class=\"footnote-back\" aria-label=\"Back to reference {n}\">↩</a></li>");
        events.push(Event::Html(back.into()));
    }
    events.push(Event::Html("</ol></div>".into()));
}

/// Ammonia's defaults (no script, no event handlers, no `javascript:`
/// links), plus what rendered Markdown needs: highlight classes, labelled
/// and disabled checkboxes and footnotes. An image keeps its address only
/// if it can show a picture (`is_picture`): else it would show the
/// browser's broken-image glyph, and without it shows its `alt` text.
pub fn sanitize(html: &str, url: &Url) -> String {
    clean(html, url, None)
}

/// [`sanitize`], keeping also the focus and region attributes of the
/// scroll boxes whose values begin with `mark` (ours), without it.
fn clean(html: &str, url: &Url, mark: Option<String>) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"])
        .add_tag_attributes("span", ["class"])
        .add_tag_attributes("pre", ["class", "tabindex", "role", "aria-label"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("sup", ["class", "id"])
        .add_tag_attributes("div", ["class", "id", "tabindex", "role", "aria-label"])
        .add_tag_attributes("li", ["id", "value"])
        .add_tag_attributes("a", ["class", "aria-label"])
        .add_url_schemes(["data"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(siblings(url))
        // Prefixed ids cannot clobber the page's own; in-document links
        // (footnotes) follow them.
        .id_prefix(Some("md-"))
        .attribute_filter(move |element, attribute, value| match (element, attribute, value.strip_prefix('#')) {
            ("img", "src", _) => is_picture(value).then(|| value.into()),
            // A `data:` URL is only ever a picture.
            (_, "href" | "xlink:href" | "src" | "ping", _) if data_url(value).is_some() => None,
            ("a", "href", Some(fragment)) => Some(format!("#md-{fragment}").into()),
            ("div" | "pre", "tabindex" | "role" | "aria-label", _) => {
                Some(value.strip_prefix(mark.as_deref()?)?.into())
            }
            _ => Some(value.into()),
        });
    builder.set_tag_attribute_value("input", "disabled", "");
    with_alts(builder.clean(html).to_string())
}

/// `alt=""` on the images that have no `alt` (an agent's `<img src=…>`, or
/// one whose address was dropped): without one, a screen reader reads out
/// the address and axe counts a violation. Parsed again only then.
fn with_alts(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut document = scraper::Html::parse_fragment(&html);
    let bare = scraper::Selector::parse("img:not([alt])").expect("a valid selector");
    let images: Vec<_> = document.select(&bare).map(|img| img.id()).collect();
    if images.is_empty() {
        return html;
    }
    for id in images {
        if let Some(scraper::Node::Element(img)) = document.tree.get_mut(id).as_mut().map(|node| node.value()) {
            img.attrs
                .insert(html5ever::QualName::new(None, html5ever::ns!(), html5ever::local_name!("alt")), "".into());
        }
    }
    document.root_element().inner_html()
}

/// Whether an image's address can show a picture: a `data:image/…` URL,
/// or a file (a sibling, a virtual path, elsewhere) named as a picture.
/// Which of those load is the page's CSP's to say.
fn is_picture(src: &str) -> bool {
    if let Some(data) = data_url(src) {
        return data.path().get(..6).is_some_and(|t| t.eq_ignore_ascii_case("image/"));
    }
    let path = src.split(['?', '#']).next().unwrap_or_default();
    filetype::mime_type(path.rsplit('/').next().unwrap_or_default()).starts_with("image/")
}

/// `url` as a `data:` URL, parsed as ammonia parses it.
fn data_url(url: &str) -> Option<Url> {
    Url::parse(url).ok().filter(|u| u.scheme() == "data")
}

/// Relative URLs resolved against the file's own URL, so `chart.png` and
/// `../data/table.csv` reach its sibling files on the content origin;
/// virtual paths (`/mnt/user-data/outputs/chart.png`, with or without the
/// first `/`), as agents write them, resolve against the conversation's
/// folder there; in-document links (`#...`) stay as they are. Against an
/// Office document's parts URL (`…/report.docx/`, see `office.rs`), its
/// parts keep the document's `?version=n`.
fn siblings(url: &Url) -> ammonia::UrlRelative<'static> {
    struct Siblings {
        file: Url,
        /// `/{token}/`, under which the conversation's virtual paths are.
        folder: Url,
    }
    impl ammonia::UrlRelativeEvaluate<'static> for Siblings {
        fn evaluate<'u>(&self, relative: &'u str) -> Option<Cow<'u, str>> {
            if relative.starts_with('#') {
                return Some(relative.into());
            }
            let virtual_path = relative.strip_prefix('/').unwrap_or(relative);
            let mut joined = if virtual_path.starts_with(&format!("{}/", vpath::ROOT)) {
                self.folder.join(virtual_path)
            } else {
                self.file.join(relative)
            }
            .ok()?;
            // Under a document's parts URL (`…/report.docx/`), a part is
            // of the document's version.
            if self.file.path().ends_with('/') && joined.path().starts_with(self.file.path()) {
                joined.set_query(self.file.query());
            }
            Some(String::from(joined).into())
        }
    }
    let token = url.path_segments().and_then(|mut s| s.next()).unwrap_or_default();
    let folder = url.join(&format!("/{token}/")).unwrap_or_else(|_| url.clone());
    ammonia::UrlRelative::Custom(Box::new(Siblings { file: url.clone(), folder }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_github_markdown_safely() {
        let md = "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new\n\n```python\nprint('hi')\n```\n\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n";
        let html = to_html(md, &file_url());
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(
            html.contains(r#"<div class="table-scroll" tabindex="0" role="region" aria-label="Table"><table>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<pre class="code-block" tabindex="0" role="region" aria-label="Code (python)"><code>"#),
            "{html}"
        );
        assert!(html.contains("<td>1</td>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("class=\"hl-"), "code is highlighted: {html}");
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }

    #[test]
    fn scroll_boxes_are_named_regions_of_ours_alone() {
        let md = "| a |\n|---|\n| 1 |\n\n| b |\n|---|\n| 2 |\n\n    plain\n\n```sh\nls\n```\n\n\
                  <div tabindex=0 role=region aria-label=x class=y>raw</div>\n\n\
                  <pre tabindex=\"0\" role=\"region\">raw</pre>\n";
        let html = to_html(md, &file_url());
        assert!(html.contains(r#"tabindex="0" role="region" aria-label="Table 1 of 2"><table>"#), "{html}");
        assert!(html.contains(r#"tabindex="0" role="region" aria-label="Table 2 of 2"><table>"#), "{html}");
        assert!(
            html.contains(r#"<pre class="code-block" tabindex="0" role="region" aria-label="Code 1 of 2"><code>"#),
            "{html}"
        );
        assert!(html.contains(r#"aria-label="Code 2 of 2 (sh)"><code>"#), "{html}");
        assert!(html.contains("<div class=\"y\">raw</div>"), "{html}");
        assert!(html.contains("<pre>raw</pre>"), "{html}");
        assert_eq!(html.matches("tabindex").count(), 4, "{html}");
        let raw = sanitize("<div tabindex=\"0\" role=\"region\" aria-label=\"x\">out</div>", &file_url());
        assert_eq!(raw, "<div>out</div>");
    }

    #[test]
    fn task_checkboxes_are_labelled_by_their_item() {
        let html = to_html("- [x] ship `v2`\n- [ ] write docs\n  - [ ] nested\n", &file_url());
        assert!(html.contains(r#"<input type="checkbox" disabled="" checked="" aria-label="ship v2">"#), "{html}");
        assert!(html.contains(r#"<input type="checkbox" disabled="" aria-label="write docs">"#), "{html}");
        assert!(html.contains(r#"aria-label="nested""#), "{html}");
    }

    #[test]
    fn footnotes_link_to_a_list_and_back() {
        let html = to_html(
            "Alpha[^b] and beta[^a], alpha again[^b].\n\n[^a]: Second.\n[^b]: First.\n[^unused]: Never.\n",
            &file_url(),
        );
        assert!(html.contains(r##"Alpha<sup class="footnote-ref" id="md-fnref-1"><a href="#md-fn-1""##), "{html}");
        assert!(html.contains(r##"again<sup class="footnote-ref"><a href="#md-fn-1""##), "{html}");
        assert!(html.contains(r##"beta<sup class="footnote-ref" id="md-fnref-2"><a href="#md-fn-2""##), "{html}");
        let list = &html[html.find("<div class=\"footnotes\">").expect("a footnote list")..];
        assert!(list.find("First.").unwrap() < list.find("Second.").unwrap(), "{list}");
        assert!(list.contains(r##"<li id="md-fn-1" value="1">"##), "{list}");
        assert!(list.contains(r##"href="#md-fnref-2""##), "{list}");
        assert!(!html.contains("Never."), "{html}");
    }

    #[test]
    fn diagrams_and_math_are_left_marked_for_the_frame() {
        let md = "Area $\\pi r^2$ and\n\n$$x^2 < 1$$\n\n```mermaid\ngraph TD\n  A-->B\n```\n\n```math\na & b\n```\n";
        let out = render(md, &file_url());
        assert!(out.diagrams && out.math);
        assert!(out.html.contains(r#"<span class="math math-inline">\pi r^2</span>"#), "{}", out.html);
        assert!(out.html.contains(r#"<span class="math math-display">x^2 &lt; 1</span>"#), "{}", out.html);
        assert!(out.html.contains("<pre class=\"mermaid\">graph TD\n  A--&gt;B\n</pre>"), "{}", out.html);
        assert!(out.html.contains(r#"<div class="math math-display">a &amp; b"#), "{}", out.html);
        let plain = render("# Costs\n\nFive dollars, $5, not $6 each.\n\n```python\nx = 1\n```\n", &file_url());
        assert!(!plain.diagrams && !plain.math, "{}", plain.html);
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

    #[test]
    fn images_keep_only_addresses_that_can_show_a_picture() {
        let md = "<img src=x alt=broken> <img src=\"\"> ![ok](chart.png?v=2) <img src=\"data:image/png;base64,iVBOR\" alt=dot>\n\n\
                  <img src=\"data:text/html,<b>\"> [page](data:text/html,hi) <a href=\" DA&#9;TA:text/html,hi\">page</a>\n";
        let html = to_html(md, &file_url());
        assert!(
            html.contains("<img alt=\"broken\"> <img alt=\"\">"),
            "an image without an alt gets an empty one: {html}"
        );
        assert!(html.contains("/out/chart.png?v=2\" alt=\"ok\""), "{html}");
        assert!(html.contains("<img src=\"data:image/png;base64,iVBOR\" alt=\"dot\">"), "{html}");
        assert!(!html.contains("text/html") && !html.contains("TA:"), "a data: URL is only a picture: {html}");
    }

    #[test]
    fn virtual_paths_lead_to_the_conversations_files() {
        let md = "![chart](/mnt/user-data/outputs/chart.png) [data](mnt/user-data/uploads/in%20put.csv)\n\n\
                  [not one](mnt/user-data-old/x.csv) [far](//tracker.example/mnt/user-data/x)\n";
        let html = to_html(md, &file_url());
        let at = "http://usercontent.localhost:3000/TOKEN/mnt/user-data";
        assert!(html.contains(&format!("src=\"{at}/outputs/chart.png\" alt=\"chart\"")), "{html}");
        assert!(html.contains(&format!("href=\"{at}/uploads/in%20put.csv\"")), "{html}");
        assert!(html.contains(&format!("href=\"{at}/outputs/out/mnt/user-data-old/x.csv\"")), "relative: {html}");
        assert!(html.contains("href=\"http://tracker.example/mnt/user-data/x\""), "another host: {html}");
    }
}
