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
                        Ok(data) => ready(data).into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
