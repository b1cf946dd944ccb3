#[cfg(feature = "ssr")]
pub mod plain;

use super::preview::PreviewCodec;
use crate::account::{CreatedToken, Settings};
use crate::api::{get_settings, CreateToken, RevokeShare, RevokeToken, SignOutOthers};
use crate::components::post_form::{post, Answer, PostForm};
use crate::components::{layout::Layout, loaded::Loaded};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// The last answer of each form that shows one: a new token, or an error.
#[derive(Clone, Copy)]
struct Answers {
    created: RwSignal<Option<Result<CreatedToken, AppError>>>,
    revoke: RwSignal<Option<AppError>>,
    sign_out: RwSignal<Option<AppError>>,
    revoke_share: RwSignal<Option<AppError>>,
}

/// `/settings`: the user's API tokens (make, revoke), browser sessions
/// (sign out the others) and share links (revoke). Plain forms: without JavaScript each answers with
/// a redirect back here. The lists and their Revoke forms come drawn by the
/// server (`plain`), in through `inner_html` only (see `PreviewCodec`); their
/// submits reach the element around them, which posts them. Each success
/// loads the lists again.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let answers = Answers {
        created: RwSignal::new(None),
        revoke: RwSignal::new(None),
        sign_out: RwSignal::new(None),
        revoke_share: RwSignal::new(None),
    };
    let settings = Resource::<_, PreviewCodec>::new_with_options(|| (), |_| get_settings(), false);
    let reload = move || settings.refetch();
    view! {
        <Title text="Settings" />
        <Layout>
            <h1>"Settings"</h1>
            <Loaded resource=settings loading="Loading settings…" ready=move |s| settings_view(s, answers, reload) />
        </Layout>
    }
}

/// What a form's answer does: its error shows in `error`; a success loads
/// the lists again.
fn answered<T>(
    error: RwSignal<Option<AppError>>,
    reload: impl Fn() + Send + Sync + Copy + 'static,
) -> impl Fn(Result<T, AppError>) + Send + Sync + Copy + 'static {
    move |answer| {
        let failed = answer.err();
        if failed.is_none() {
            reload();
        }
        error.set(failed);
    }
}

fn settings_view(
    settings: Settings,
    answers: Answers,
    reload: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let Settings { tokens, sessions, new_token, shares } = settings;
    let created = answers.created;
    // Without JavaScript the new token comes with the page; with it, in the form's answer.
    let shown = move || created.get().and_then(Result::ok).or_else(|| new_token.clone());
    let create = Answer::<CreateToken>::new(move |answer| {
        if answer.is_ok() {
            reload();
        }
        created.set(Some(answer));
    });
    let create_error = Signal::derive(move || created.get().and_then(Result::err));
    view! {
        <section aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p class="muted">
                "Scripts send a token as " <code>"Authorization: Bearer TOKEN"</code>
                ". A read-only token may only read (GET and HEAD)."
            </p>
            {move || shown().map(|created| view! { <NewTokenNote created /> })}
            <div on:submit={move |ev| post::<RevokeToken, _>(&ev, answered(answers.revoke, reload))} inner_html=tokens></div>
            <ActionError error=answers.revoke />
            <h3>"New token"</h3>
            <PostForm answer=create>
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
            <ActionError error=create_error />
        </section>
        <section aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Sessions"</h2>
            <div inner_html=sessions></div>
            <PostForm answer={Answer::<SignOutOthers>::new(answered(answers.sign_out, reload))}>
                <button type="submit" class="button secondary">"Sign out all other sessions"</button>
            </PostForm>
            <ActionError error=answers.sign_out />
        </section>
        <section aria-labelledby="shares-title">
            <h2 id="shares-title">"Share links"</h2>
            <p class="muted">
                "Anyone with a link sees what it shares, read-only, until it expires or you revoke it. "
                "Make one from a file's preview or a conversation's page (Share…), or with " <code>"POST /api/shares"</code> "."
            </p>
            <div on:submit={move |ev| post::<RevokeShare, _>(&ev, answered(answers.revoke_share, reload))} inner_html=shares></div>
            <ActionError error=answers.revoke_share />
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
fn ActionError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
}
