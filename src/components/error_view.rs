use crate::error::AppError;
use leptos::prelude::*;

/// An error as a page section: what happened, and where to go from here.
/// On the server the page answers with the error's status.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_status(error.status());
    let (title, hint) = match &error {
        AppError::Unauthorized => ("Signed out", "Your session has ended."),
        AppError::NotFound(_) => ("Not found", "It does not exist, or it is not yours to see."),
        AppError::BadRequest(_) => ("That address is not right", "Check the link and try again."),
        AppError::Gone(_) => ("This link no longer works", "Ask whoever shared it for a new link."),
        _ => ("Something went wrong", "Try again in a moment."),
    };
    // A share link's visitor may have no account: no way into the app.
    let (href, link) = match error {
        AppError::Unauthorized => (Some("/login"), "Sign in"),
        AppError::Gone(_) => (None, ""),
        _ => (Some("/artifacts"), "Back to your artifacts"),
    };
    view! {
        <section class="empty" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p class="muted">{hint}</p>
            {href.map(|href| view! { <a href=href>{link}</a> })}
        </section>
    }
}

/// The HTTP status of the page being rendered on the server; nothing in the
/// browser, where the page is already loaded.
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
