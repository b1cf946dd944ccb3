use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::error::{IntoAppError, ServerFnErrorErr};
use leptos::server_fn::{codec::PostUrl, Http, ServerFn};
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement, UrlSearchParams};
use serde::de::DeserializeOwned;

/// A form posted to the server function `S`, as leptos's `ActionForm`:
/// without the wasm a plain post (the server answers with a redirect), with
/// it `action`'s dispatch, the page staying. Its fields are flat names, so
/// serde_urlencoded reads them: `ActionForm`'s serde_qs (nested names, a
/// B-tree of every field) cost every page with a form 28 KiB of gzip wasm.
#[component]
pub fn PostForm<S, P>(action: ServerAction<S>, children: Children) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, P>> + DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    view! {
        <form action=S::url() method="post" on:submit=move |ev| submit(action, ev)>
            {children()}
        </form>
    }
}

/// A submitted form dispatched to `action`, the page staying: a
/// [`PostForm`]'s, or one of those drawn by the server inside the element
/// that listens (the settings' revoke buttons).
pub fn submit<S, P>(action: ServerAction<S>, ev: SubmitEvent)
where
    S: ServerFn<Protocol = Http<PostUrl, P>> + DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    if ev.default_prevented() {
        return;
    }
    ev.prevent_default();
    match fields(&ev).and_then(|fields| serde_urlencoded::from_str::<S>(&fields).map_err(|e| e.to_string())) {
        Ok(input) => {
            action.dispatch(input);
        }
        // Only a form whose fields do not match `S`: shown where its error shows.
        Err(e) => {
            action.value().set(Some(Err(ServerFnErrorErr::Serialization(e).into_app_error())));
            action.version().update(|n| *n += 1);
        }
    }
}

/// The submitted form's fields, URL-encoded.
pub fn fields(ev: &SubmitEvent) -> Result<String, String> {
    let form = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()).ok_or("no form")?;
    let data = FormData::new_with_form(&form).and_then(|d| UrlSearchParams::new_with_str_sequence_sequence(&d));
    data.map(|d| String::from(d.to_string())).map_err(|_| "unreadable form".to_string())
}
