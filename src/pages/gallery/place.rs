//! Keeping the gallery's place: where it was left by a card's link, and
//! back there when the gallery is shown again.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// Where the gallery was left by a card's link: its URL (path and query),
/// how far it was scrolled, and the card's id.
#[cfg(feature = "hydrate")]
#[derive(Clone)]
struct Place {
    url: String,
    scroll: f64,
    card: String,
}

#[cfg(feature = "hydrate")]
impl Place {
    /// A history entry's state: `[url, scroll, card]`.
    fn to_state(&self) -> wasm_bindgen::JsValue {
        let url = self.url.as_str().into();
        web_sys::js_sys::Array::of3(&url, &self.scroll.into(), &self.card.as_str().into()).into()
    }

    fn from_state(state: wasm_bindgen::JsValue) -> Option<Self> {
        let state: web_sys::js_sys::Array = wasm_bindgen::JsCast::dyn_into(state).ok()?;
        Some(Self { url: state.get(0).as_string()?, scroll: state.get(1).as_f64()?, card: state.get(2).as_string()? })
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The place last left, for the preview's Back link and Escape, which
    /// open a new history entry rather than go back to the gallery's.
    static LEFT: std::cell::RefCell<Option<Place>> = const { std::cell::RefCell::new(None) };
}

/// The page's path and query, as a place's `url`.
#[cfg(feature = "hydrate")]
fn here() -> String {
    let location = window().location();
    location.pathname().unwrap_or_default() + &location.search().unwrap_or_default()
}

/// Keeps the place as a card's link is followed, in the gallery's history
/// entry (for the browser's Back) and in `LEFT`. The router's own click
/// handler only starts the navigation (its effects run later), so the page
/// is still the gallery, scrolled as the user left it.
pub fn leave_place(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        let target = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
        let Some(card) = target.and_then(|t| t.closest(".artifact-card").ok().flatten()) else {
            return;
        };
        let place = Place { url: here(), scroll: window().scroll_y().unwrap_or_default(), card: card.id() };
        if let Ok(history) = window().history() {
            let _ = history.replace_state(&place.to_state(), "");
        }
        LEFT.with_borrow_mut(|left| *left = Some(place));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Once the first cards are in: back where the gallery was left (Back to
/// its history entry, or the preview's Back link or Escape just after), or
/// at the card the URL's fragment names; focus on that card's link. The
/// router scrolls to a fragment before the cards arrive, so to the top.
pub fn return_to_place(ready: impl Fn() -> bool + 'static) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |done: Option<bool>| {
        // Once: a reload of the cards (a filter, a live update) leaves the scroll alone.
        if done == Some(true) {
            return true;
        }
        if !ready() {
            return false;
        }
        // A frame later: the cards are attached.
        request_animation_frame(|| {
            let hash = window().location().hash().unwrap_or_default();
            let entry = window().history().and_then(|h| h.state()).ok().and_then(Place::from_state);
            let left = LEFT.with_borrow(|left| left.clone()).filter(|p| hash == format!("#{}", p.card));
            let card = match entry.or(left).filter(|p| p.url == here()) {
                Some(place) => {
                    window().scroll_to_with_x_and_y(0.0, place.scroll);
                    document().get_element_by_id(&place.card)
                }
                None => {
                    let card = hash.strip_prefix('#').and_then(|id| document().get_element_by_id(id));
                    card.inspect(|c| c.scroll_into_view())
                }
            };
            let link = card.and_then(|c| c.query_selector(".artifact-name").ok().flatten());
            if let Some(link) = link.and_then(|l| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(l).ok()) {
                let _ = link.focus();
            }
        });
        true
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = ready;
}
