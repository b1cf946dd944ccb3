//! Live updates in the browser: pages follow `/api/events` with an
//! `EventSource` and reload their own data when it says so, rather than
//! building anything from the events (no JSON in the wasm). On the server,
//! and without the wasm, none of it runs: pages are as they were rendered.

use super::artifact_card::preview_href;
use crate::pages::gallery::gallery_query;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Calls `on_event` with the name of each event of `/api/events{query}`
/// that is one of `kinds` (or `reload`) while the calling component lives;
/// reopened when `query` changes, none while it is `None`.
pub fn on_events(
    query: impl Fn() -> Option<String> + 'static,
    kinds: &'static [&'static str],
    on_event: impl Fn(&'static str) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::__reexports::send_wrapper::SendWrapper;
        use wasm_bindgen::{closure::Closure, JsCast};
        let on_event = std::rc::Rc::new(on_event);
        Effect::new(move |_| {
            let Some(Ok(source)) = query().map(|q| web_sys::EventSource::new(&format!("/api/events{q}"))) else {
                return;
            };
            let listeners: Vec<Closure<dyn Fn()>> = kinds
                .iter()
                .chain(&["reload"])
                .map(|&kind| {
                    let on_event = on_event.clone();
                    let listener = Closure::<dyn Fn()>::new(move || on_event(kind));
                    let _ = source.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
                    listener
                })
                .collect();
            let open = SendWrapper::new((source, listeners));
            on_cleanup(move || open.0.close());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (query, kinds, on_event);
}

/// `f` at most once per 250 ms: the first call of a burst schedules it, the
/// rest join that call. A tool result that writes ten files raises ten
/// events, and the page should load its data once, not ten times.
pub fn once_per_burst(f: impl Fn() + Clone + 'static) -> impl Fn() {
    let pending = std::rc::Rc::new(std::cell::Cell::new(false));
    move || {
        if !pending.replace(true) {
            let (pending, f) = (pending.clone(), f.clone());
            let run = move || {
                pending.set(false);
                f();
            };
            set_timeout(run, std::time::Duration::from_millis(250));
        }
    }
}

/// On a preview: says when the artifact gets a newer version, with a link
/// to it, and "Follow latest", which shows each new version as it comes.
/// `reload` reloads the preview at its URL.
#[component]
pub fn LiveVersion(reload: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let (params, query) = (use_params_map(), use_query_map());
    let (newer, follow, running) = (RwSignal::new(false), RwSignal::new(false), RwSignal::new(false));
    let latest = move || {
        let p = params.read();
        let id = |k| p.get(k).and_then(|v| v.parse().ok()).unwrap_or_default();
        preview_href(id("conversation_id"), id("artifact_id"), &gallery_query(&query.read()).unwrap_or_default())
    };
    let show = move || {
        newer.set(false);
        if query.read_untracked().get("version").is_some() {
            // A version's own page: the latest is at another URL.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&untrack(latest));
        } else {
            reload();
        }
    };
    // Not `new_local`: the server drops the page's values when its HTML has
    // streamed, maybe on another thread (a panic for a thread-bound value).
    let show = StoredValue::new(show);
    on_events(
        move || params.read().get("artifact_id").map(|a| format!("?artifact={a}")),
        &["artifact.version"],
        move |_| {
            if follow.get_untracked() {
                show.with_value(|show| show());
            } else {
                newer.set(true);
            }
        },
    );
    // Rendered once the wasm runs: without it nothing here would work.
    Effect::new(move |_| running.set(true));
    move || {
        running.get().then(|| {
            view! {
                <p class=move || if newer.get() { "note live" } else { "live quiet" } role="status">
                    {move || newer.get().then(|| view! {
                        "A newer version is available. "
                        <a href=latest on:click=move |e| {
                            e.prevent_default();
                            show.with_value(|show| show());
                        }>"Show it"</a>" "
                    })}
                    <label><input type="checkbox" bind:checked=follow />" Follow latest"</label>
                </p>
            }
        })
    }
}
