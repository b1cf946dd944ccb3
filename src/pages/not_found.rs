use crate::components::{error_view::set_status, layout::Layout};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
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
