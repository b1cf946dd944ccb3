//! The preview page's forms, drawn by the server (delete, restore, delete a
//! version, share), posted by script with the page staying: the answer of
//! a share shows its link under the form, an error shows there too, and
//! the server's redirect (to the gallery, or the latest version) is a
//! navigation in the app. Without the wasm they are plain posts.

use crate::api::{ChangeVersion, CreateShare, DeleteArtifact};
use crate::components::post_form::post;
use crate::components::share_form::SHOWN_ONCE;
use crate::error::AppError;
use crate::share::CreatedShare;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlFormElement};

/// Posts the drawn page's forms in place while the calling page lives.
pub fn post_in_place() {
    let handle = window_event_listener(leptos::ev::submit, move |ev| {
        let form = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok());
        let Some(form) = form.filter(|f| f.closest(".drawn-page").ok().flatten().is_some()) else { return };
        match form.get_attribute("action").unwrap_or_default() {
            a if a == DeleteArtifact::url() => post::<DeleteArtifact, _>(&ev, under(form, |_| None)),
            a if a == ChangeVersion::url() => post::<ChangeVersion, _>(&ev, under(form, |_| None)),
            a if a == CreateShare::url() => post::<CreateShare, _>(&ev, under(form, |c: CreatedShare| Some(c.url))),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// An answer shown under `form`: its error, or the link it made (`link`).
fn under<T>(form: HtmlFormElement, link: fn(T) -> Option<String>) -> impl FnOnce(Result<T, AppError>) {
    move |answer| show(&form, answer.map(link).map_err(|e| e.to_string()))
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
            p.set_text_content(Some(&format!("{SHOWN_ONCE} ")));
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
