//! A preview's shortcuts (leave, previous, next), and which keys pressed
//! on a preview are shortcuts (those, an image's zoom) and which belong to
//! what the user is in: decided here alone.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, KeyboardEvent};
use leptos_router::hooks::use_navigate;

/// While the calling page lives, Escape, ← and → follow the page's link
/// that names that key in `aria-keyshortcuts` (the server draws it on the
/// way out of a confirmation, else back to the gallery, and on the previous
/// and next artifact in the gallery's order), unless the key is `taken`.
pub fn shortcuts() {
    let navigate = use_navigate();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() || taken(&ev) {
            return;
        }
        let key = ev.key();
        if !matches!(key.as_str(), "Escape" | "ArrowLeft" | "ArrowRight") {
            return;
        }
        let link = document().query_selector(&format!("main a[aria-keyshortcuts=\"{key}\"]")).ok().flatten();
        if let Some(href) = link.and_then(|a| a.get_attribute("href")) {
            navigate(&href, Default::default());
        }
    });
    on_cleanup(move || handle.remove());
}

/// Whether `ev` belongs to what has focus rather than to a shortcut. A field
/// types every key. ← and → also move a player's position, scroll a box that
/// scrolls sideways (code, a table, a JSON tree, a diff, an image at 100%)
/// and extend a selection.
pub fn taken(ev: &KeyboardEvent) -> bool {
    let focused = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
    let within = |e: &Element, selector| e.closest(selector).ok().flatten().is_some();
    if focused.as_ref().is_some_and(|e| within(e, "input, textarea, select, [contenteditable]")) {
        return true;
    }
    if !matches!(ev.key().as_str(), "ArrowLeft" | "ArrowRight") {
        return false;
    }
    ev.default_prevented()
        || ev.shift_key()
        || focused.is_some_and(|e| within(&e, "audio, video") || scrolls_sideways(e))
        || selection_takes_arrows()
}

/// Whether `e`, or a box around it, can scroll sideways now.
fn scrolls_sideways(e: Element) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        let overflow =
            window().get_computed_style(&e).ok().flatten().and_then(|s| s.get_property_value("overflow-x").ok());
        if e.scroll_width() > e.client_width() && overflow.is_some_and(|o| o == "auto" || o == "scroll") {
            return true;
        }
        next = e.parent_element();
    }
    false
}

/// Selected text (the arrows move its ends), or the caret of a click in a
/// box that scrolls sideways without taking focus (a Markdown code block):
/// browsers scroll the box last clicked in.
fn selection_takes_arrows() -> bool {
    #[cfg(feature = "hydrate")]
    if let Some(selection) = document().get_selection().ok().flatten() {
        let caret = selection.anchor_node().and_then(|n| match n.dyn_into::<Element>() {
            Ok(e) => Some(e),
            Err(text) => text.parent_element(),
        });
        return !selection.is_collapsed() || caret.is_some_and(scrolls_sideways);
    }
    false
}
