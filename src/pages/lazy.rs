//! The pages the gallery does not need, each a lazy route: with `cargo
//! leptos build --split` its code is a wasm chunk of its own, fetched the
//! first time the router shows it, so that the gallery's first load fetches
//! only the main module. On the server they render as any page, and the
//! page names its chunk for the browser to fetch beside the main module
//! (`prefetch_lazy_fn_on_server`), so hydration does not wait in turn.

use crate::pages::conversations::{ConversationPage, ConversationsPage};
use crate::pages::{login::LoginPage, preview::PreviewPage, settings::SettingsPage, shared::SharedPage};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `Route`, a lazy route that shows `Page`; the page loads its own data.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(Login, LoginPage);
lazy_page!(Preview, PreviewPage);
lazy_page!(Conversations, ConversationsPage);
lazy_page!(Conversation, ConversationPage);
lazy_page!(Settings, SettingsPage);
lazy_page!(Shared, SharedPage);
