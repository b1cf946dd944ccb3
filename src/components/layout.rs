use leptos::prelude::*;

/// The frame of every signed-in page: brand, navigation (with settings), sign-out.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/artifacts">"Vitrine"</a>
            <nav>
                <a href="/artifacts">"Artifacts"</a>
                <a href="/conversations">"Conversations"</a>
                <a href="/settings">"Settings"</a>
            </nav>
            <form method="post" action="/logout">
                <button type="submit" class="link">"Sign out"</button>
            </form>
        </header>
        <main class="content">{children()}</main>
    }
}
