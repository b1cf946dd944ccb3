//! The settings' lists drawn into HTML on the server (`Settings`), each
//! row's Revoke a form that posts without script; with it, the page's
//! element around the list posts the form (`post_form::post`).

use crate::account::{CreatedToken, SessionInfo, Settings, TokenInfo};
use crate::api::{RevokeShare, RevokeToken};
use crate::components::data_table::DataTable;
use crate::format::short_time;
use crate::pages::preview::plain::to_html;
use crate::share::{CreatedShare, ShareInfo, TargetKind};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use uuid::Uuid;

/// The settings page's data, its lists drawn.
pub fn draw(
    tokens: Vec<TokenInfo>,
    sessions: Vec<SessionInfo>,
    new_token: Option<CreatedToken>,
    shares: Vec<ShareInfo>,
    new_share: Option<CreatedShare>,
) -> Settings {
    Settings {
        tokens: to_html(|| token_table(tokens)),
        sessions: to_html(|| session_list(sessions)),
        new_token,
        shares: to_html(|| view! { {new_share.map(new_share_note)} {share_table(shares)} }),
    }
}

/// A share link made by a form just before.
fn new_share_note(created: CreatedShare) -> impl IntoView {
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

fn share_table(shares: Vec<ShareInfo>) -> AnyView {
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
                                    revoke_form::<RevokeShare>(s.id, format!("Revoke the link to {what}")).into_any()
                                }}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
    .into_any()
}

fn token_table(tokens: Vec<TokenInfo>) -> AnyView {
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
                        <td>{revoke_form::<RevokeToken>(t.id, format!("Revoke {}", t.name))}</td>
                    </tr>
                })
                .collect_view()}
        </DataTable>
    }
    .into_any()
}

/// A row's Revoke button: a form that posts the row's `id` to `S`, a
/// token's or a share link's revocation.
fn revoke_form<S: ServerFn>(id: Uuid, label: String) -> impl IntoView {
    view! {
        <form action=S::url() method="post">
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class="link" aria-label=label>"Revoke"</button>
        </form>
    }
}

fn session_list(sessions: Vec<SessionInfo>) -> impl IntoView {
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
