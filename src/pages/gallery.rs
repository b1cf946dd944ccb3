use crate::api::list_artifacts;
use crate::components::{artifact_card::ArtifactCard, error_view::ErrorView, layout::Layout};
use crate::error::AppError;
use crate::model::{ArtifactPage, ArtifactQuery, TypeFilter};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/artifacts`: every artifact of the signed-in user, newest first. The
/// filter and page live in the URL; tabs and pager are plain links.
#[component]
pub fn GalleryPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let params = params.read();
        let pairs: Vec<(&str, String)> =
            ["page", "size", "type"].into_iter().filter_map(|k| params.get(k).map(|v| (k, v))).collect();
        ArtifactQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    };
    let page = Resource::new(query, |q| async move {
        match q {
            Ok(q) => list_artifacts(q).await,
            Err(msg) => Err(AppError::BadRequest(msg)),
        }
    });
    view! {
        <Title text="Artifacts" />
        <Layout>
            <h1>"Artifacts"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading artifacts…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <Gallery page=p /> }.into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

fn gallery_href(kind: TypeFilter, page: u32) -> String {
    match (kind, page) {
        (TypeFilter::All, 1) => "/artifacts".into(),
        (TypeFilter::All, p) => format!("/artifacts?page={p}"),
        (k, 1) => format!("/artifacts?type={k}"),
        (k, p) => format!("/artifacts?type={k}&page={p}"),
    }
}

#[component]
fn Gallery(page: ArtifactPage) -> impl IntoView {
    let params = use_query_map();
    let current = move || params.read().get("type").and_then(|t| t.parse().ok()).unwrap_or_default();
    let counts = page.counts;
    let pages = page.total.div_ceil(u64::from(page.size)).max(1) as u32;
    let empty = page.items.is_empty();
    view! {
        <nav class="tabs" aria-label="Filter by type">
            {TypeFilter::ALL
                .into_iter()
                .map(|f| {
                    view! {
                        <a
                            href=gallery_href(f, 1)
                            class="tab"
                            aria-current=move || (current() == f).then_some("page")
                            data-filter=f.as_str()
                        >
                            {f.label()}
                            <span class="count">{counts.get(f)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        <Show when=move || empty>
            <p class="empty muted">"No artifacts here yet."</p>
        </Show>
        <ul class="grid">
            {page.items.into_iter().map(|a| view! { <ArtifactCard artifact=a /> }).collect_view()}
        </ul>
        <Show when=move || { pages > 1 }>
            <nav class="pager" aria-label="Pages">
                {move || {
                    let kind = current();
                    let p = page.page;
                    view! {
                        <Show when=move || { p > 1 }>
                            <a rel="prev" href=gallery_href(kind, p - 1)>"← Newer"</a>
                        </Show>
                        <span>{format!("Page {p} of {pages}")}</span>
                        <Show when=move || { p < pages }>
                            <a rel="next" href=gallery_href(kind, p + 1)>"Older →"</a>
                        </Show>
                    }
                }}
            </nav>
        </Show>
    }
}
