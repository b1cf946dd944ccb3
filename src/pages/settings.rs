#[cfg(feature = "ssr")]
pub mod plain;

use super::preview::PreviewCodec;
use crate::account::{CreatedToken, Settings};
use crate::api::{get_settings, CreateToken, RevokeShare, RevokeToken, SignOutOthers};
use crate::components::post_form::{submit, PostForm};
use crate::components::{layout::Layout, loaded::Loaded};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
    sign_out: ServerAction<SignOutOthers>,
    revoke_share: ServerAction<RevokeShare>,
}

/// `/settings`: the user's API tokens (make, revoke), browser sessions
/// (sign out the others) and share links (revoke). Plain forms: without JavaScript each answers with
/// a redirect back here. The lists and their Revoke forms come drawn by the
/// server (`plain`), in through `inner_html` only (see `PreviewCodec`); their
/// submits reach the element around them, which dispatches them.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let actions = Actions {
        create: ServerAction::new(),
        revoke: ServerAction::new(),
        sign_out: ServerAction::new(),
        revoke_share: ServerAction::new(),
    };
    let settings = Resource::<_, PreviewCodec>::new_with_options(
        move || {
            let a = actions;
            (
                a.create.version().get(),
                a.revoke.version().get(),
                a.sign_out.version().get(),
                a.revoke_share.version().get(),
            )
        },
        |_| get_settings(),
        false,
    );
    view! {
        <Title text="Settings" />
        <Layout>
            <h1>"Settings"</h1>
            <Loaded resource=settings loading="Loading settings…" ready=move |s| settings_view(s, actions) />
        </Layout>
    }
}

fn settings_view(settings: Settings, actions: Actions) -> impl IntoView {
    let Settings { tokens, sessions, new_token, shares } = settings;
    // Without JavaScript the new token comes with the page; with it, in the form's answer.
    let shown = move || actions.create.value().get().and_then(Result::ok).or_else(|| new_token.clone());
    view! {
        <section aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p class="muted">
                "Scripts send a token as " <code>"Authorization: Bearer TOKEN"</code>
                ". A read-only token may only read (GET and HEAD)."
            </p>
            {move || shown().map(|created| view! { <NewTokenNote created /> })}
            <div on:submit=move |ev| submit(actions.revoke, ev) inner_html=tokens></div>
            <ActionError value=actions.revoke.value() />
            <h3>"New token"</h3>
            <PostForm action=actions.create>
                <label>"Name" <input name="name" required maxlength="100" placeholder="CI uploads" /></label>
                <label>
                    "Access"
                    <select name="scope">
                        <option value="read-write">"Read and write"</option>
                        <option value="read">"Read only"</option>
                    </select>
                </label>
                <label>
                    "Expires"
                    <select name="expires_in_days">
                        <option value="0">"Never"</option>
                        <option value="7">"In 7 days"</option>
                        <option value="30">"In 30 days"</option>
                        <option value="90">"In 90 days"</option>
                        <option value="365">"In a year"</option>
                    </select>
                </label>
                <button type="submit">"Create token"</button>
            </PostForm>
            <ActionError value=actions.create.value() />
        </section>
        <section aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sessions"</h2>
            <div inner_html=sessions></div>
            <PostForm action=actions.sign_out>
                <button type="submit" class="button secondary">"Sign out all other sessions"</button>
            </PostForm>
            <ActionError value=actions.sign_out.value() />
        </section>
        <section aria-labelledby="shares-title">
            <h2 id="shares-title">"Share links"</h2>
            <p class="muted">
                "Anyone with a link sees what it shares, read-only, until it expires or you revoke it. "
                "Make one from a file's preview or a conversation's page (Share…), or with " <code>"POST /api/shares"</code> "."
            </p>
            <div on:submit=move |ev| submit(actions.revoke_share, ev) inner_html=shares></div>
            <ActionError value=actions.revoke_share.value() />
        </section>
    }
}

#[component]
fn NewTokenNote(created: CreatedToken) -> impl IntoView {
    view! {
        <div class="note" role="status">
            <p>
                "Token “" {created.info.name} "” (" {created.info.scope.to_string()}
                "): copy it now, it is not shown again."
            </p>
            <p><code>{created.token}</code></p>
        </div>
    }
}

/// A form's error, where it was made.
#[component]
fn ActionError<T: Clone + Send + Sync + 'static>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || value.get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
}
