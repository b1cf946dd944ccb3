use crate::error::AppError;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::error::{IntoAppError, ServerFnErrorErr};
use leptos::server_fn::{codec::PostUrl, Http, ServerFn};
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement, UrlSearchParams};
use serde::de::DeserializeOwned;

/// What is done with each answer of a form posted to the server function
/// `S` (shown, or the page's data loaded again).
pub struct Answer<S: ServerFn>(Callback<Result<S::Output, AppError>>)
where
    S::Output: 'static;

impl<S: ServerFn> Clone for Answer<S>
where
    S::Output: 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for Answer<S> where S::Output: 'static {}

impl<S: ServerFn> Answer<S>
where
    S::Output: 'static,
{
    pub fn new(f: impl Fn(Result<S::Output, AppError>) + Send + Sync + 'static) -> Self {
        Self(Callback::new(f))
    }
}

/// A form posted to the server function `S`: without the wasm a plain post
/// (the server answers with a redirect), with it posted by script through
/// `S`'s client, the page staying, and the answer given to `answer`; a
/// redirect the server answers is followed in the app (the router's hook).
/// Its fields are flat names, so serde_urlencoded reads them: leptos's
/// `ActionForm`'s serde_qs (nested names, a B-tree of every field) cost
/// every page with a form 28 KiB of gzip wasm, and its `ServerAction`s more.
#[component]
pub fn PostForm<S, P>(answer: Answer<S>, children: Children) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, P>, Error = AppError> + DeserializeOwned + 'static,
    S::Output: 'static,
{
    view! {
        <form action=S::url() method="post" on:submit={move |ev| post::<S, P>(&ev, move |a| answer.0.run(a))}>
            {children()}
        </form>
    }
}

/// A submitted form posted by script to `S`, the page staying, its answer
/// given to `answer`: a [`PostForm`]'s, or one of those drawn by the server
/// inside an element that listens (the settings' revoke buttons, a
/// preview's forms).
pub fn post<S, P>(ev: &SubmitEvent, answer: impl FnOnce(Result<S::Output, AppError>) + 'static)
where
    S: ServerFn<Protocol = Http<PostUrl, P>, Error = AppError> + DeserializeOwned + 'static,
{
    if ev.default_prevented() {
        return;
    }
    ev.prevent_default();
    match fields(ev).and_then(|fields| serde_urlencoded::from_str::<S>(&fields).map_err(|e| e.to_string())) {
        Ok(input) => leptos::task::spawn_local(async move { answer(input.run_on_client().await) }),
        // Only a form whose fields do not match `S`: shown where its answer shows.
        Err(e) => answer(Err(ServerFnErrorErr::Serialization(e).into_app_error())),
    }
}

/// The submitted form's fields, URL-encoded.
fn fields(ev: &SubmitEvent) -> Result<String, String> {
    let form = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()).ok_or("no form")?;
    let data = FormData::new_with_form(&form).and_then(|d| UrlSearchParams::new_with_str_sequence_sequence(&d));
    data.map(|d| String::from(d.to_string())).map_err(|_| "unreadable form".to_string())
}
