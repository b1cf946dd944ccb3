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
/// `reload` reloads the preview at its URL. Its line stays hidden until the
/// wasm runs (without it nothing here would work), and lies outside the
/// page's data, so that Follow latest stays ticked as the preview reloads;
/// events change it in place, with no view to rebuild.
#[component]
pub fn LiveVersion(reload: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let (params, query) = (use_params_map(), use_query_map());
    let latest = move || {
        let p = params.read_untracked();
        let id = |k| p.get(k).and_then(|v| v.parse().ok()).unwrap_or_default();
        preview_href(
            id("conversation_id"),
            id("artifact_id"),
            &gallery_query(&query.read_untracked()).unwrap_or_default(),
        )
    };
    let line = NodeRef::<leptos::html::P>::new();
    let show = move || {
        newer(line, None);
        if query.read_untracked().get("version").is_some() {
            // A version's own page: the latest is at another URL.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&latest());
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
        move |_| match following(line) {
            true => show.with_value(|show| show()),
            false => newer(line, Some(&latest())),
        },
    );
    // Shown once made by the wasm (after a navigation it may not be in the
    // document yet).
    Effect::new(move |_| {
        if let Some(line) = line.get() {
            let _ = line.remove_attribute("hidden");
        }
    });
    let show_it = move |e: leptos::ev::MouseEvent| {
        e.prevent_default();
        show.with_value(|show| show());
    };
    view! {
        <p class="live quiet" role="status" hidden node_ref=line>
            <span class="newer" hidden>"A newer version is available. "<a on:click=show_it>"Show it"</a>" "</span>
            <label><input type="checkbox" />" Follow latest"</label>
        </p>
    }
}

/// Whether Follow latest is ticked on the live `line`.
fn following(line: NodeRef<leptos::html::P>) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let input = line.get_untracked().and_then(|l| l.query_selector("input").ok().flatten());
    input.and_then(|i| i.dyn_into::<leptos::web_sys::HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

/// Says on the live `line` that a newer version is at `latest`, or
/// (`None`) says nothing.
fn newer(line: NodeRef<leptos::html::P>, latest: Option<&str>) {
    let Some(line) = line.get_untracked() else { return };
    line.set_class_name(if latest.is_some() { "note live" } else { "live quiet" });
    let Ok(Some(note)) = line.query_selector(".newer") else { return };
    match latest {
        Some(href) => {
            if let Ok(Some(link)) = note.query_selector("a") {
                let _ = link.set_attribute("href", href);
            }
            let _ = note.remove_attribute("hidden");
        }
        None => {
            let _ = note.set_attribute("hidden", "");
        }
    }
}
