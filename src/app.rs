use crate::pages::lazy::{Conversation, Conversations, Login, Preview, Settings, Shared};
use crate::pages::{gallery::GalleryPage, not_found::NotFound};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::http::guard::set_page_csp();
    #[cfg(feature = "ssr")]
    let rendered = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.uri.path_and_query().map(|p| p.to_string()))
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let rendered = String::new();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // No icon: without this line the browser asks for
                // /favicon.ico, a 404 in its console on every first visit.
                <link rel="icon" href="data:," />
                // Which URL this HTML is for; crate::hydrate reads it.
                <meta name="rendered-url" content=rendered />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                // By its hashed name in release builds (`hash-files`).
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Vitrine".to_string() } else { format!("{page} · Vitrine") } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/artifacts" /> } />
                // Every page but the gallery is a lazy route (`pages::lazy`).
                <Route path=path!("/login") view={Lazy::<Login>::new()} />
                // Async: the server sends complete HTML, so pages work before
                // (and without) the wasm; streamed placeholders would need JS.
                <Route path=path!("/artifacts") view=GalleryPage ssr=SsrMode::Async />
                <Route path=path!("/artifacts/:conversation_id/:artifact_id") view={Lazy::<Preview>::new()} ssr=SsrMode::Async />
                <Route path=path!("/conversations") view={Lazy::<Conversations>::new()} ssr=SsrMode::Async />
                <Route path=path!("/conversations/:id") view={Lazy::<Conversation>::new()} ssr=SsrMode::Async />
                <Route path=path!("/settings") view={Lazy::<Settings>::new()} ssr=SsrMode::Async />
                // A share link's page: no account needed (`serve::require_login` lets it through).
                <Route path=path!("/s/:token") view={Lazy::<Shared>::new()} ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
