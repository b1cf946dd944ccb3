use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The frame of every signed-in page: brand, navigation (with settings), sign-out.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/artifacts">"Vitrine"</a>
            <nav aria-label="Main">
                <TopLink href="/artifacts" label="Artifacts" />
                <TopLink href="/conversations" label="Conversations" />
                <TopLink href="/settings" label="Settings" />
            </nav>
            <form method="post" action="/logout">
                <button type="submit" class="link">"Sign out"</button>
            </form>
        </header>
        <main class="content">{children()}</main>
    }
}

/// A link of the top bar, marked as the current page on its own page and on
/// the pages under it (a preview, under `/artifacts`; a conversation).
#[component]
fn TopLink(href: &'static str, label: &'static str) -> impl IntoView {
    let path = use_location().pathname;
    let current = move || {
        let path = path.read();
        (path.as_str() == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))).then_some("page")
    };
    view! { <a href=href aria-current=current>{label}</a> }
}
