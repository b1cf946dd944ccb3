use super::timestamp::Timestamp;
use crate::format::{human_size, middle_cut};
use crate::model::{Artifact, ArtifactQuery, CardFace, Glyph};
use leptos::prelude::*;
use uuid::Uuid;

/// The preview page of an artifact, carrying the gallery's query so that
/// previous/next follow its filter, search and order, and Back returns to
/// the same page.
pub fn preview_href(conversation_id: Uuid, id: Uuid, gallery: &ArtifactQuery) -> String {
    format!("/artifacts/{conversation_id}/{id}{}", gallery.to_query_string())
}

/// `href` with `key=value` added to its query.
pub fn with_param(href: &str, key: &str, value: &str) -> String {
    let sep = if href.contains('?') { '&' } else { '?' };
    let pair = form_urlencoded::Serializer::new(String::new()).append_pair(key, value).finish();
    format!("{href}{sep}{pair}")
}

/// Where the version an `Artifact` record stands for was made: its card in
/// the conversation's transcript.
pub fn source_href(artifact: &Artifact) -> String {
    format!("/conversations/{}#{}", artifact.conversation_id, card_id(artifact))
}

/// A transcript's card's element id: one per version, as a transcript shows
/// every version its messages made.
fn card_id(artifact: &Artifact) -> String {
    format!("artifact-{}-v{}", artifact.id, artifact.version)
}

/// A gallery's card's element id: the artifact's, whatever its version, so
/// that the preview's way back names the card it came from.
pub fn gallery_card_id(artifact_id: Uuid) -> String {
    format!("card-{artifact_id}")
}

/// A user's file name, cut in the middle to at most `max` characters when
/// longer: the cut is what shows, the whole name what screen readers read
/// (the element around it carries it in `title` for a pointer).
pub fn cut_name(name: String, max: usize) -> AnyView {
    let cut = middle_cut(&name, max);
    if cut == name {
        return whole_extension(name).into_any();
    }
    view! { <span aria-hidden="true">{whole_extension(cut)}</span><span class="visually-hidden">{name}</span> }
        .into_any()
}

/// A name whose extension never wraps: a narrow card breaks the name
/// anywhere, but "pipeline.y" over "aml" hides what kind of file it is.
fn whole_extension(name: String) -> impl IntoView {
    match name.rfind('.').filter(|&dot| dot > 0 && name.len() - dot <= 12) {
        Some(dot) => {
            let extension = name[dot..].to_string();
            let mut stem = name;
            stem.truncate(dot);
            view! { {stem}<span class="ext">{extension}</span> }.into_any()
        }
        None => name.into_any(),
    }
}

/// The drawn icons (24×24, stroked in the text colour): emoji would need an
/// emoji font, and show as empty boxes without one.
fn glyph_paths(glyph: Glyph) -> &'static str {
    match glyph {
        Glyph::File => "M6 2h8l5 5v15H6zM14 2v5h5M9 12h7M9 16h7",
        Glyph::Image => "M3 5h18v14H3zM3 16l5-5 4 4 3-3 6 6M15.5 8.5h.01",
        Glyph::Page => "M3 4h18v16H3zM3 8h18M6 6h.01M8 6h.01M7 12h10M7 16h6",
        Glyph::Code => "M9 7l-5 5 5 5M15 7l5 5-5 5M13 5l-2 14",
        Glyph::Pdf => "M6 2h8l5 5v15H6zM14 2v5h5M9.5 18v-7h2.5a2 2 0 0 1 0 4H9.5",
        Glyph::Table => "M3 5h18v14H3zM3 10h18M3 15h18M9 5v14M15 5v14",
        Glyph::Archive => "M6 2h8l5 5v15H6zM14 2v5h5M11 3h2M11 6h2M11 9h2M10.5 12h3v4h-3z",
        Glyph::Audio => "M9 18V5l11-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0M20 16a3 3 0 1 1-6 0 3 3 0 0 1 6 0",
        Glyph::Video => "M2 6h13v12H2zM15 10l7-4v12l-7-4",
        Glyph::Font => "M3 20L9 4l6 16M5.5 14h7M17 20v-8M15 12h4",
    }
}

#[component]
pub fn GlyphIcon(glyph: Glyph) -> impl IntoView {
    let name: &str = glyph.into();
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" data-glyph=name>
            <path d=glyph_paths(glyph) />
        </svg>
    }
}

/// "3:07", or "1:02:03" past an hour.
fn duration(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn caption(text: Option<String>) -> impl IntoView {
    text.filter(|t| !t.is_empty()).map(|t| view! { <span class="face-caption">{t}</span> })
}

/// What the card shows of the artifact, as the server made it (a picture
/// at `picture`); its pictures wait until they near the screen unless the
/// card is `eager`.
fn face_view(face: CardFace, picture: String, name: String, eager: bool) -> AnyView {
    let loading = if eager { "eager" } else { "lazy" };
    match face {
        CardFace::Picture { width, height, caption: text } => view! {
            <img class="thumb" src=picture width=width height=height alt=name loading=loading />
            {caption(text)}
        }
        .into_any(),
        CardFace::Lines { text, language } => {
            view! { <pre class="snippet">{text}</pre> {caption(language)} }.into_any()
        }
        CardFace::Table { rows, sheets } => {
            let sheets = (sheets.len() > 1).then(|| sheets.join(" · "));
            let rows = rows
                .into_iter()
                .map(|row| view! { <tr>{row.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> })
                .collect_view();
            view! { <table class="face-table"><tbody>{rows}</tbody></table> {caption(sheets)} }.into_any()
        }
        CardFace::Page { title, heading, text, image } => view! {
            <div class="face-text">
                {image.map(|src| view! { <img class="face-image" src=src alt="" loading=loading /> })}
                <strong dir="auto">{title}</strong>
                <span class="face-heading" dir="auto">{heading}</span>
                <span class="muted" dir="auto">{text}</span>
            </div>
        }
        .into_any(),
        CardFace::Archive { members, names, title, description } => view! {
            <div class="face-text face-archive">
                <strong dir="auto"><GlyphIcon glyph=Glyph::Archive /> {title}</strong>
                {description.map(|d| view! { <span class="muted" dir="auto">{d}</span> })}
                <ul class="face-names">{names.into_iter().map(|n| view! { <li dir="auto">{n}</li> }).collect_view()}</ul>
            </div>
            {caption(Some(format!("{members} file{}", if members == 1 { "" } else { "s" })))}
        }
        .into_any(),
        CardFace::Media { glyph, label, seconds } => view! {
            <GlyphIcon glyph />
            {caption(Some(seconds.map_or(label.clone(), |s| format!("{label} · {}", duration(s)))))}
        }
        .into_any(),
        CardFace::Icon(glyph) => view! { <GlyphIcon glyph /> }.into_any(),
    }
}

/// A card's name is cut to this many characters: about two lines of a
/// card at its narrowest (two cards side by side on a phone).
const CARD_NAME_CHARS: usize = 32;

/// One artifact in a grid: its face (a picture, the first lines or rows, a
/// summary, or a drawn icon); the name, size and time (and its version, when
/// it has others); and where it came from. A `pinned` card (in a
/// transcript) is the record's version rather than the artifact: its links
/// and picture are that version's, and so is its id (else the artifact's). Ids are unique in
/// a page: a card repeating a version already shown (a message that wrote
/// the same bytes again) is not `anchored`. The first cards of a page are
/// `eager`: their pictures are on screen at once, and a lazy picture is
/// fetched only after layout, late for the page's largest paint.
#[component]
pub fn ArtifactCard(
    artifact: Artifact,
    face: CardFace,
    now: String,
    #[prop(optional)] gallery: ArtifactQuery,
    #[prop(optional)] pinned: bool,
    #[prop(default = true)] anchored: bool,
    #[prop(optional)] eager: bool,
) -> impl IntoView {
    let mut href = preview_href(artifact.conversation_id, artifact.id, &gallery);
    let version = artifact.version.to_string();
    if pinned {
        href = with_param(&href, "version", &version);
    }
    // The picture of the record's own version.
    let latest = format!("{}/thumbnail", artifact.url);
    let picture = if pinned { with_param(&latest, "version", &version) } else { latest };
    let shown: &str = (&face).into();
    let id = anchored.then(|| if pinned { card_id(&artifact) } else { gallery_card_id(artifact.id) });
    let visual = face_view(face, picture, artifact.name.clone(), eager);
    view! {
        <li class="artifact-card" id=id data-type=artifact.kind.as_str()>
            <a class="visual" href=href.clone() tabindex="-1" aria-hidden="true" data-face=shown>{visual}</a>
            <a class="artifact-name" href=href title=artifact.name.clone() dir="auto">{cut_name(artifact.name.clone(), CARD_NAME_CHARS)}</a>
            <div class="artifact-meta">
                <span class="badge">{artifact.kind.label()}</span>
                {(artifact.version > 1 || artifact.versions > 1).then(|| {
                    let title = format!("Version {} ({} in all)", artifact.version, artifact.versions);
                    view! { <span class="badge version" title=title>{format!("v{}", artifact.version)}</span> }
                })}
                <span class="size">{human_size(artifact.size)}</span>
                <Timestamp at=artifact.created_at.clone() now />
            </div>
            <a class="artifact-source" href=source_href(&artifact) dir="auto">{artifact.conversation_title.clone()}</a>
        </li>
    }
}
