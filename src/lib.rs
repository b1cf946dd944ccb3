//! Vitrine: a self-hosted artifacts service for AI-agent chat platforms.
//! See ARCHITECTURE.md for the map.

pub mod account;
pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod format;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod server;
pub mod share;

/// Room in the read-only data that no code reads. `cargo leptos build
/// --split` (wasm-split) moves each lazy page's constants into its chunks,
/// regrouped per chunk and aligned anew; when the regrouped data comes out
/// longer than the linker's segment, it gives up and leaves all of it in the
/// main module (some 9 KiB of gzip on every page). Padding no code uses
/// goes to no module, so it only lengthens the segment they are measured
/// against.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_ROOM: [u8; 1024] = [0xff; 1024];

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::{document, window};
    console_error_panic_hook::set_once();
    // Back or forward between two same-document entries before the wasm
    // arrives changes the URL but not the server's HTML. Hydrating that HTML
    // against the new URL would mismatch, so hydrate at the URL the HTML was
    // rendered for, then hand the router the real one as a back/forward.
    let rendered = document()
        .query_selector("meta[name=rendered-url]")
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"));
    let location = window().location();
    let path = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
    let history = window().history().expect("a browser window has a history");
    let here = rendered.filter(|rendered| !rendered.is_empty() && *rendered != path).map(|rendered| {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&rendered));
        path + &location.hash().unwrap_or_default()
    });
    // Asynchronous, unlike `hydrate_body`: a lazy route's page
    // (`pages::lazy`) hydrates once its wasm chunk is in.
    wasm_bindgen_futures::spawn_local(async move {
        let body = document().body().expect("a page has a body");
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        let Some(here) = here else { return };
        // After a task turn, so that suspended parts have hydrated too.
        leptos::prelude::set_timeout(
            move || {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&here));
                if let Ok(event) = web_sys::PopStateEvent::new("popstate") {
                    let _ = window().dispatch_event(&event);
                }
            },
            std::time::Duration::ZERO,
        );
    });
}
