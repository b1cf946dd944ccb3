//! A ZIP download's button (the gallery's, a conversation's): it says how
//! many files it holds, and there is nothing to press when there are none.

use leptos::prelude::*;

/// `total` files, called `noun`s ("image", "file"), as one ZIP at `href`;
/// `class` is the button's look.
#[component]
pub fn ZipLink(href: String, total: u64, noun: &'static str, class: &'static str) -> impl IntoView {
    let label = format!("Download {total} {noun}{} (.zip)", if total == 1 { "" } else { "s" });
    match total {
        0 => view! { <a class=format!("{class} disabled") role="link" aria-disabled="true">{label}</a> }.into_any(),
        _ => view! { <a class=class href=href download="">{label}</a> }.into_any(),
    }
}
