use crate::format::{relative_time, short_time};
use leptos::prelude::*;

/// A time in words relative to `now` ("3 hours ago"), with the exact UTC
/// timestamp on hover and in `datetime`.
#[component]
pub fn Timestamp(at: String, now: String) -> impl IntoView {
    let words = relative_time(&at, &now);
    view! { <time datetime=at.clone() title=short_time(&at)>{words}</time> }
}
