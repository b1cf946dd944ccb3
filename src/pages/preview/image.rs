//! The preview of an image: fitted, or at 100%.

use leptos::prelude::*;

/// An image, fitted to the space it has. A click, `+` or `=` shows it at
/// 100% (its box scrolls to pan), a click, `-` or `0` fits it again
/// (`zoom`): a class on its box, so that without wasm it stays fitted,
/// with a link to it at natural size. The button that says so shows once
/// the wasm runs (`revive`).
#[cfg(feature = "ssr")]
pub fn view(url: String, name: String) -> impl IntoView {
    view! {
        <div class="image-frame" data-zoom="" tabindex="0">
            <img src=url.clone() alt=name />
        </div>
        <p class="image-zoom">
            <button type="button" class="link zoom" hidden>{LABELS[0]}</button>
            <a href=url target="_blank" rel="noopener">"Open at natural size"</a>
        </p>
    }
}

/// The zoom button's words, fitted and at 100%.
const LABELS: [&str; 2] = ["Show at 100% (+)", "Fit to the space (−)"];

/// The zoom of the page's image, while the calling page lives: a click on
/// the image or its button toggles it; `+` (or `=`, the same key unshifted)
/// shows it at 100%, `-` or `0` fits it, unless what has focus takes those
/// keys (a field).
pub fn zoom() {
    use leptos::wasm_bindgen::JsCast;
    let clicks = window_event_listener(leptos::ev::click, |ev| {
        let target = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok());
        if target.is_some_and(|t| t.closest(".image-frame[data-zoom] img, button.zoom").ok().flatten().is_some()) {
            let natural = frame().is_some_and(|f| f.class_list().contains("natural"));
            set(!natural);
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, |ev| {
        if super::keys::taken(&ev) || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        match ev.key().as_str() {
            "+" | "=" => set(true),
            "-" | "0" => set(false),
            _ => {}
        }
    });
    on_cleanup(move || {
        clicks.remove();
        keys.remove();
    });
}

/// Shows the zoom button in `page`, which works from now on.
pub fn revive(page: &leptos::web_sys::Element) {
    if let Some(button) = page.query_selector("button.zoom").ok().flatten() {
        let _ = button.remove_attribute("hidden");
    }
}

fn frame() -> Option<leptos::web_sys::Element> {
    document().query_selector("main .image-frame[data-zoom]").ok().flatten()
}

/// At 100% the image's box takes focus, so that ← and → pan the image
/// rather than change artifact (`keys::taken`).
fn set(natural: bool) {
    use leptos::wasm_bindgen::JsCast;
    let Some(frame) = frame() else { return };
    let _ = frame.class_list().toggle_with_force("natural", natural);
    if natural {
        if let Ok(frame) = frame.dyn_into::<leptos::web_sys::HtmlElement>() {
            let _ = frame.focus();
        }
    }
    if let Some(button) = document().query_selector("main button.zoom").ok().flatten() {
        button.set_text_content(Some(LABELS[usize::from(natural)]));
    }
}
