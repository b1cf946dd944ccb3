//! The preview of an image: fitted, or at 100%.

use leptos::html::Div;
use leptos::prelude::*;

/// An image, fitted to the space it has. A click, `+` or `=` shows it at
/// 100% (its box scrolls to pan), a click, `-` or `0` fits it again: a class
/// on its box, so that without wasm it stays fitted, with a link to it at
/// natural size. At 100% the box takes focus, so that ← and → pan the image
/// rather than change artifact (`keys::taken`).
#[component]
pub fn ImageView(url: String, name: String) -> impl IntoView {
    let natural = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let frame = NodeRef::<Div>::new();
    let zoom = move |on: bool| {
        natural.set(on);
        if let Some(frame) = frame.get_untracked().filter(|_| on) {
            let _ = frame.focus();
        }
    };
    zoom_keys(zoom);
    let toggle = move |_| zoom(!natural.get_untracked());
    view! {
        <div class="image-frame" class:natural=move || natural.get() tabindex="0" node_ref=frame>
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
/// fits it, unless what has focus takes those keys (a field).
fn zoom_keys(zoom: impl Fn(bool) + 'static) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if super::keys::taken(&ev) || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        match ev.key().as_str() {
            "+" | "=" => zoom(true),
            "-" | "0" => zoom(false),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}
