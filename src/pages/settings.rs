use super::Postcard;
use crate::account::{CreatedToken, SessionInfo, Settings, TokenInfo};
use crate::api::{get_settings, CreateToken, RevokeShare, RevokeToken, SignOutOthers};
use crate::components::{data_table::DataTable, layout::Layout, loaded::Loaded, post_form::PostForm};
use crate::error::AppError;
use crate::format::short_time;
use crate::share::{CreatedShare, ShareInfo, TargetKind};
use leptos::prelude::*;
use leptos::server_fn::{codec::PostUrl, Http, ServerFn};
use leptos_meta::Title;
use serde::de::DeserializeOwned;
use uuid::Uuid;

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
    sign_out: ServerAction<SignOutOthers>,
    revoke_share: ServerAction<RevokeShare>,
}

/// `/settings`: the user's API tokens (make, revoke), browser sessions
/// (sign out the others) and share links (revoke). Plain forms: without JavaScript each answers with
/// a redirect back here.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let actions = Actions {
        create: ServerAction::new(),
        revoke: ServerAction::new(),
        sign_out: ServerAction::new(),
        revoke_share: ServerAction::new(),
    };
    let settings = Resource::<_, Postcard>::new_with_options(
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
    let Settings { tokens, sessions, new_token, shares, new_share } = settings;
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
            <TokenTable tokens revoke=actions.revoke />
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
            <SessionList sessions />
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
            {new_share.map(|created| view! { <NewShareNote created /> })}
            <ShareTable shares revoke=actions.revoke_share />
        </section>
    }
}

#[component]
fn NewShareNote(created: CreatedShare) -> impl IntoView {
    let url = created.url;
    view! {
        <div class="note" role="status">
            <p>"Share link for “" {created.info.target.label} "”: copy it now, it is not shown again."</p>
            <p><a class="share-url" href=url.clone()>{url.clone()}</a></p>
        </div>
    }
}

fn share_what(s: &ShareInfo) -> String {
    let t = &s.target;
    match (t.kind, t.version) {
        (TargetKind::Artifact, Some(n)) => format!("{} (version {n})", t.label),
        (TargetKind::Artifact, None) => format!("{} (latest version)", t.label),
        (TargetKind::Folder, _) => format!("Folder {}", t.label),
        (TargetKind::Conversation, _) => format!("Conversation “{}”", t.label),
    }
}

#[component]
fn ShareTable(shares: Vec<ShareInfo>, revoke: ServerAction<RevokeShare>) -> impl IntoView {
    if shares.is_empty() {
        return view! { <p class="muted">"No share links."</p> }.into_any();
    }
    view! {
        <DataTable label="Table of share links" columns=&["Shows", "Created", "Expires", "Opened"] action="Revoke">
            {shares
                .into_iter()
                .map(|s| {
                    let what = share_what(&s);
                    view! {
                        <tr>
                            <td dir="auto">{what.clone()}</td>
                            <td><time datetime=s.created_at.clone()>{short_time(&s.created_at)}</time></td>
                            <td>{s.expires_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
                            <td title=s.last_accessed_at.as_deref().map(|at| format!("Last opened {}", short_time(at)))>
                                {match s.access_count { 1 => "1 time".to_string(), n => format!("{n} times") }}
                            </td>
                            <td>
                                {if s.revoked || s.expired {
                                    // Nothing left to revoke: the link already refuses every visit.
                                    let state = if s.revoked { "Revoked" } else { "Expired" };
                                    view! { <span class="muted">{state}</span> }.into_any()
                                } else {
                                    revoke_form(revoke, s.id, format!("Revoke the link to {what}")).into_any()
                                }}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
        <ActionError value=revoke.value() />
    }
    .into_any()
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

#[component]
fn TokenTable(tokens: Vec<TokenInfo>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="muted">"No tokens."</p> }.into_any();
    }
    view! {
        <DataTable label="Table of API tokens" columns=&["Name", "Access", "Created", "Expires", "Last used"] action="Revoke">
            {tokens
                .into_iter()
                .map(|t| view! {
                    <tr>
                        <td dir="auto">{t.name.clone()}</td>
                        <td>{t.scope.to_string()}</td>
                        <td><time datetime=t.created_at.clone()>{short_time(&t.created_at)}</time></td>
                        <td>{t.expires_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
                        <td>{t.last_used_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
                        <td>{revoke_form(revoke, t.id, format!("Revoke {}", t.name))}</td>
                    </tr>
                })
                .collect_view()}
        </DataTable>
        <ActionError value=revoke.value() />
    }
    .into_any()
}

/// A row's Revoke button: a form that posts the row's `id` to `action`, a
/// token's or a share link's.
fn revoke_form<S, P>(action: ServerAction<S>, id: Uuid, label: String) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, P>> + DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    view! {
        <PostForm action>
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class="link" aria-label=label>"Revoke"</button>
        </PostForm>
    }
}

#[component]
fn SessionList(sessions: Vec<SessionInfo>) -> impl IntoView {
    view! {
        <ul class="conversation-list">
            {sessions
                .into_iter()
                .map(|s| view! {
                    <li class="card">
                        <span>
                            {if s.user_agent.is_empty() { "Unknown browser".to_string() } else { s.user_agent }}
                            {s.current.then_some(" (this session)")}
                        </span>
                        <span class="muted">"Signed in " <time datetime=s.created_at.clone()>{short_time(&s.created_at)}</time></span>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}

/// A form's error, where it was made.
#[component]
fn ActionError<T: Clone + Send + Sync + 'static>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || value.get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
}
