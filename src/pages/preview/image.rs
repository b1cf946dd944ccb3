//! The preview of an image: fitted, or at 100%.

use leptos::prelude::*;

/// An image, fitted to the space it has. A click, `+` or `=` shows it at
/// 100% (its box scrolls to pan), a click, `-` or `0` fits it again: a class
/// on its box, so that without wasm it stays fitted, with a link to it at
/// natural size.
#[component]
pub fn ImageView(url: String, name: String) -> impl IntoView {
    let natural = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    zoom_keys(natural);
    let toggle = move |_| natural.update(|n| *n = !*n);
    view! {
        <div class="image-frame" class:natural=move || natural.get() tabindex="0">
            <img src=url.clone() alt=name on:click=toggle />
        </div>
        <p class="image-zoom">
            <Show when=move || hydrated.get()>
                <button type="button" class="link" on:click=toggle>
                    {move || if natural.get() { "Fit to the space (−)" } else { "Show at 100% (+)" }}
                </button>
            </Show>
            <a href=url target="_blank" rel="noopener">"Open at natural size"</a>
        </p>
    }
}

/// `+` (or `=`, the same key unshifted) shows the image at 100%, `-` or `0`
/// fits it, unless a field that takes those keys has focus.
fn zoom_keys(natural: RwSignal<bool>) {
    use leptos::wasm_bindgen::JsCast;
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .is_some_and(|e| e.closest("input, textarea, select, [contenteditable]").ok().flatten().is_some());
        if typing || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        match ev.key().as_str() {
            "+" | "=" => natural.set(true),
            "-" | "0" => natural.set(false),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}
