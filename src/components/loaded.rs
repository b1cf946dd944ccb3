use super::error_view::ErrorView;
use crate::error::AppError;
use leptos::prelude::*;

/// A page's data: `loading` while its resource loads, then `ready`'s view of
/// the data, or the error (which also sets the page's status). A resource
/// loading again (live updates, navigations) keeps the view until the new
/// data is there, with a thin bar at the top of the window meanwhile.
#[component]
pub fn Loaded<T, Ser, V, F>(
    resource: Resource<Result<T, AppError>, Ser>,
    loading: &'static str,
    ready: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    Ser: Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    let pending = RwSignal::new(false);
    view! {
        <div class="busy" hidden=move || !pending.get() aria-hidden="true"></div>
        <Transition fallback=move || view! { <p class="muted" role="status">{loading}</p> } set_pending=pending>
            {move || {
                let ready = ready.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => {
                            focus_after_navigation();
                            ready(data).into_any()
                        }
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Once a navigation's page is shown (its data in), focus goes to its main
/// heading, which a screen reader then reads: otherwise focus falls to
/// `<body>` and nothing is said. Not on the first load (the browser's own
/// focus), not when the same URL's data loads again (a live update), and
/// not when something already holds focus (the gallery's card, say).
fn focus_after_navigation() {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            /// The URL whose page was last shown, once any was.
            static SHOWN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
        }
        let location = window().location();
        let url = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
        let before = SHOWN.with_borrow_mut(|shown| shown.replace(url.clone()));
        if before.is_none_or(|before| before == url) {
            return;
        }
        // A frame later: the page's view is attached by then.
        request_animation_frame(|| {
            let idle = document().active_element().is_none_or(|e| e.tag_name() == "BODY");
            let heading = document().query_selector("main h1").ok().flatten();
            if let Some(heading) = heading.filter(|_| idle) {
                let _ = heading.set_attribute("tabindex", "-1");
                if let Ok(heading) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(heading) {
                    // Where the page is scrolled is the router's (or the gallery's place's) to say.
                    let options = web_sys::FocusOptions::new();
                    options.set_prevent_scroll(true);
                    let _ = heading.focus_with_options(&options);
                }
            }
        });
    }
}
