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
    let login = matches!(error, AppError::Unauthorized);
    view! {
        <section class="empty" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p class="muted">{hint}</p>
            {if login {
                view! { <a href="/login">"Sign in"</a> }.into_any()
            } else {
                view! { <a href="/artifacts">"Back to your artifacts"</a> }.into_any()
            }}
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
