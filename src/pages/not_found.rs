use crate::components::layout::Layout;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <Layout>
            <section class="empty">
                <h1>"Not found"</h1>
                <p>"There is nothing at this address, or it is not yours to see."</p>
                <a href="/artifacts">"Back to your artifacts"</a>
            </section>
        </Layout>
    }
}
