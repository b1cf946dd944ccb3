mod place;

use super::Postcard;
use crate::api::list_artifacts;
use crate::components::live::{on_events, once_per_burst};
use crate::components::{artifact_card::ArtifactCard, layout::Layout, loaded::Loaded, zip_link::ZipLink};
use crate::model::{ArtifactQuery, Counts, GalleryPage, GalleryType, QueryError, Sort, TypeFilter};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// Cards whose pictures load at once: two rows on a phone, the first row on a wide screen.
const EAGER_CARDS: usize = 4;

/// The gallery's query from the URL's query string (the last value of each
/// parameter; `from_pairs` ignores the ones it does not know).
pub fn gallery_query(params: &ParamsMap) -> Result<ArtifactQuery, QueryError> {
    ArtifactQuery::from_pairs(params.latest_values().map(|(k, v)| (k.as_ref(), v)))
}

/// `/artifacts` with a query: the gallery in that state.
pub fn gallery_href(q: &ArtifactQuery) -> String {
    format!("/artifacts{}", q.to_query_string())
}

/// `/artifacts`: every artifact of the signed-in user, newest first. Filter,
/// search, order and page live in the URL; tabs, orders and pager are plain
/// links and the search box a plain GET form, so all of it works before the
/// wasm arrives. With the wasm, it follows the user's writes as they happen.
#[component]
pub fn GalleryPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || gallery_query(&params.read());
    let page = Resource::<_, Postcard>::new_with_options(
        query,
        |q| async move {
            match q {
                Ok(q) => list_artifacts(q.clone()).await.map(|p| (q, p)),
                Err(e) => Err(e.into()),
            }
        },
        false,
    );
    // Page 1 follows new and deleted artifacts (loaded again); other pages
    // count the new ones, with a link to page 1.
    let unseen = RwSignal::new(0u32);
    let on_page_1 = move || query().is_ok_and(|q| q.page == 1);
    let reload = once_per_burst(move || page.refetch());
    on_events(
        || Some(String::new()),
        &["artifact.created", "artifact.version", "artifact.deleted"],
        move |kind| {
            if untrack(on_page_1) {
                reload();
            } else if kind == "artifact.created" {
                unseen.update(|n| *n += 1);
            }
        },
    );
    Effect::new(move |_| on_page_1().then(|| unseen.set(0)));
    let first_page = move || gallery_href(&query().unwrap_or_default().with_page(1));
    place::return_to_place(move || page.with(|p| p.is_some()));
    search_follows_url(move || params.read().get("q").unwrap_or_default());
    view! {
        <Title text="Artifacts" />
        <Layout>
            <h1>"Artifacts"</h1>
            {move || {
                let n = unseen.get();
                let text = if n == 1 { "1 new artifact".to_string() } else { format!("{n} new artifacts") };
                (n > 0).then(|| view! { <p class="note"><a href=first_page>{text}</a></p> })
            }}
            <Loaded resource=page loading="Loading artifacts…" ready=|(q, p)| view! { <Gallery query=q page=p /> } />
        </Layout>
    }
}

#[component]
fn Gallery(query: ArtifactQuery, page: GalleryPage) -> impl IntoView {
    let GalleryPage { page, faces, now } = page;
    let pages = page.total.div_ceil(u64::from(page.size)).max(1) as u32;
    view! {
        <TypeTabs query=query.clone() counts=page.counts />
        <div class="toolbar">
            <SearchForm query=query.clone() />
            <SortLinks query=query.clone() />
            <DownloadAll query=query.clone() total=page.total />
        </div>
        {page.items.is_empty().then(|| view! { <p class="empty muted">{empty_message(&query)}</p> })}
        <ul class="grid" on:click=place::leave_place>
            {page
                .items
                .into_iter()
                .zip(faces)
                .enumerate()
                .map(|(i, (a, face))| {
                    let eager = i < EAGER_CARDS;
                    view! { <ArtifactCard artifact=a face now=now.clone() gallery=query.clone() eager /> }
                })
                .collect_view()}
        </ul>
        {(pages > 1).then(|| view! { <Pager query page=page.page pages /> })}
    }
}

/// One link per type, with its count; each starts again at page 1.
#[component]
fn TypeTabs(query: ArtifactQuery, counts: Counts) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Filter by type">
            {TypeFilter::ALL
                .into_iter()
                .map(|f| {
                    view! {
                        <a
                            href=gallery_href(&ArtifactQuery { kind: f, ..query.with_page(1) })
                            class="tab"
                            aria-current=(query.kind == f).then_some("page")
                            data-filter=f.as_str()
                        >
                            {f.label()}
                            <span class="count">{counts.get(f)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// One link per order; each starts again at page 1.
#[component]
fn SortLinks(query: ArtifactQuery) -> impl IntoView {
    view! {
        <nav class="sorts" aria-label="Order">
            {Sort::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <a
                            href=gallery_href(&ArtifactQuery { sort: s, ..query.with_page(1) })
                            aria-current=(query.sort == s).then_some("true")
                            data-sort=s.as_str()
                        >
                            {s.label()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn Pager(query: ArtifactQuery, page: u32, pages: u32) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a rel="prev" href=gallery_href(&query.with_page(page - 1))>"← Previous"</a> })}
            <span>{format!("Page {page} of {pages}")}</span>
            {(page < pages).then(|| view! { <a rel="next" href=gallery_href(&query.with_page(page + 1))>"Next →"</a> })}
        </nav>
    }
}

/// The gallery's one primary button: every artifact under the filter and
/// search as one ZIP.
#[component]
fn DownloadAll(query: ArtifactQuery, total: u64) -> impl IntoView {
    let noun = match query.kind {
        TypeFilter::Only(GalleryType::Images) => "image",
        TypeFilter::Only(GalleryType::Html) => "HTML file",
        TypeFilter::Only(GalleryType::Code) => "code file",
        _ => "file",
    };
    let href = format!("/api/artifacts.zip{}", query.with_page(1).to_query_string());
    view! { <ZipLink href total noun class="button" /> }
}

fn empty_message(q: &ArtifactQuery) -> String {
    let what = match q.kind {
        TypeFilter::All => "artifacts".to_string(),
        f => format!("{} artifacts", f.label()),
    };
    match (q.q.is_empty(), q.page) {
        (false, _) => format!("No {what} with “{}” in their name or their conversation's title.", q.q),
        (true, 1) if q.kind == TypeFilter::All => {
            "No artifacts yet. Files that your agents' tools make will appear here.".into()
        }
        (true, 1) => format!("No {what} yet."),
        (true, _) => format!("No {what} on this page: there are fewer pages."),
    }
}

/// Search by file name or conversation title: a GET form to `/artifacts` that keeps the filter
/// and order and starts again at page 1.
#[component]
fn SearchForm(query: ArtifactQuery) -> impl IntoView {
    let kind = (query.kind != TypeFilter::All).then(|| query.kind.as_str());
    let sort = (query.sort != Sort::Newest).then(|| query.sort.as_str());
    view! {
        <form class="search" method="get" action="/artifacts" role="search">
            <label for="search-input" class="visually-hidden">"Search names and conversations"</label>
            <input
                id="search-input"
                type="search"
                name="q"
                value=query.q.clone()
                // Else Back restores what was typed here before a search, over this page's results.
                autocomplete="off"
                placeholder="Search names and conversations"
                maxlength=ArtifactQuery::MAX_SEARCH_CHARS
            />
            {kind.map(|k| view! { <input type="hidden" name="type" value=k /> })}
            {sort.map(|s| view! { <input type="hidden" name="sort" value=s /> })}
            <button type="submit" class="button secondary">"Search"</button>
            {(!query.q.is_empty()).then(|| {
                view! { <a href=gallery_href(&ArtifactQuery { q: String::new(), ..query.with_page(1) })>"Clear"</a> }
            })}
        </form>
    }
}

/// The search box shows the URL's search whenever that changes. Its `value`
/// attribute alone would not: a box typed into shows what was typed, and
/// the old box stays until the new cards arrive. A page the browser keeps
/// whole for Back (its back-forward cache) comes back with the text typed
/// before the search left it: `pageshow` puts its URL's search back.
fn search_follows_url(search: impl Fn() -> String + Send + Sync + 'static) {
    #[cfg(feature = "hydrate")]
    {
        fn show(q: &str) {
            let input = document().get_element_by_id("search-input");
            if let Some(input) = input.and_then(|i| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(i).ok())
            {
                input.set_value(q);
            }
        }
        let search = Memo::new(move |_| search());
        Effect::watch(move || search.get(), |q: &String, _, _| show(q), false);
        let restored = window_event_listener(leptos::ev::pageshow, move |e| {
            if e.persisted() {
                show(&search.get_untracked());
            }
        });
        on_cleanup(move || restored.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = search;
}
