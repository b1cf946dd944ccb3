//! The preview page's forms, drawn by the server (delete, restore, delete a
//! version, share), posted by script with the page staying: the answer of
//! a share shows its link under the form, an error shows there too, and
//! the server's redirect (to the gallery, or the latest version) is a
//! navigation in the app. Without the wasm they are plain posts.

use crate::api::{ChangeVersion, CreateShare, DeleteArtifact};
use crate::components::post_form::fields;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::{codec::PostUrl, Http, ServerFn};
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlFormElement};
use serde::de::DeserializeOwned;

/// Posts the drawn page's forms in place while the calling page lives.
pub fn post_in_place() {
    let handle = window_event_listener(leptos::ev::submit, move |ev| {
        let form = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok());
        let Some(form) = form.filter(|f| f.closest(".drawn-page").ok().flatten().is_some()) else { return };
        let Ok(fields) = fields(&ev) else { return };
        let action = form.get_attribute("action").unwrap_or_default();
        match action {
            a if a == DeleteArtifact::url() => post::<DeleteArtifact, _>(&ev, form, fields, |_| None),
            a if a == ChangeVersion::url() => post::<ChangeVersion, _>(&ev, form, fields, |_| None),
            a if a == CreateShare::url() => post::<CreateShare, _>(&ev, form, fields, |c| Some(c.url)),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// A post of `S`'s form with its `fields`, whose answer shows under the
/// form: its error, or the link it made (`link`). A redirect the server
/// answers is followed in the app (the router's hook).
fn post<S, P>(
    ev: &leptos::ev::SubmitEvent,
    form: HtmlFormElement,
    fields: String,
    link: fn(S::Output) -> Option<String>,
) where
    S: ServerFn<Protocol = Http<PostUrl, P>, Error = AppError> + DeserializeOwned + 'static,
{
    ev.prevent_default();
    match serde_urlencoded::from_str::<S>(&fields) {
        Ok(input) => leptos::task::spawn_local(async move {
            show(&form, input.run_on_client().await.map(link).map_err(|e| e.to_string()))
        }),
        // Only a form whose fields do not match `S`.
        Err(e) => show(&form, Err(e.to_string())),
    }
}

/// Puts `shown` under `form`, in place of what showed there before.
fn show(form: &HtmlFormElement, shown: Result<Option<String>, String>) {
    if let Some(before) = form.next_element_sibling().filter(|e| e.class_list().contains("answer")) {
        before.remove();
    }
    let Ok(p) = document().create_element("p") else { return };
    match shown {
        Ok(None) => return,
        Ok(Some(url)) => {
            p.set_class_name("note answer");
            let _ = p.set_attribute("role", "status");
            p.set_text_content(Some(
                "Anyone with this link can see what it shares until it expires; it is not shown again. ",
            ));
            if let Ok(a) = document().create_element("a") {
                a.set_class_name("share-url");
                let _ = a.set_attribute("href", &url);
                a.set_text_content(Some(&url));
                let _ = p.append_child(&a);
            }
        }
        Err(error) => {
            p.set_class_name("error answer");
            let _ = p.set_attribute("role", "alert");
            p.set_text_content(Some(&error));
        }
    }
    let _ = Element::after_with_node_1(form, &p);
}
