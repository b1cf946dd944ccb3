//! `GET /api/events`: the signed-in user's events as Server-Sent Events,
//! resumed after `Last-Event-ID` (or `?last_event_id=`), narrowed by
//! `?conversation=` or `?artifact=`. A client that falls behind, or whose
//! events the instance may have missed (`Events::reset`), is told to reload.

use crate::error::AppError;
use crate::server::auth::CurrentUser;
use crate::server::events::Event;
use crate::server::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(events))
}

/// Which events a stream carries, and after which one it starts.
struct StreamQuery {
    last: Option<u64>,
    conversation: Option<Uuid>,
    artifact: Option<Uuid>,
}

impl<S: Send + Sync> FromRequestParts<S> for StreamQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes());
        let param = |name: &str| query.filter(|(k, _)| k == name).map(|(_, v)| v).last();
        fn parse<T: std::str::FromStr>(name: &str, raw: Option<&str>) -> Result<Option<T>, AppError> {
            raw.map(|v| v.parse().map_err(|_| AppError::BadRequest(format!("Invalid {name}: '{v}'")))).transpose()
        }
        // A browser reconnecting sends the header, with a newer id than the
        // URL it first opened.
        let header = parts.headers.get("last-event-id").map(|h| h.to_str().unwrap_or("?"));
        let in_query = parse("last event id", param("last_event_id").as_deref())?;
        Ok(Self {
            last: parse("last event id", header)?.or(in_query),
            conversation: parse("conversation id", param("conversation").as_deref())?,
            artifact: parse("artifact id", param("artifact").as_deref())?,
        })
    }
}

async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    query: StreamQuery,
) -> Result<Sse<impl Stream<Item = Result<sse::Event, Infallible>>>, AppError> {
    if let Some(conversation) = query.conversation {
        state.store.conversation(user.id, conversation).await?;
    }
    let store = state.store.clone();
    let sub = store.events().subscribe(query.last);
    let wanted = move |e: &Event| {
        e.user == user.id
            && query.conversation.is_none_or(|c| c == e.conversation)
            && query.artifact.is_none_or(|a| e.artifact == Some(a))
    };
    let head: Vec<sse::Event> = if sub.missed {
        vec![reload(sub.latest)]
    } else if query.last.is_none() {
        // The position, so that a reconnection resumes from here even if
        // no event came.
        vec![sse::Event::default().id(sub.latest.to_string())]
    } else {
        sub.backlog.iter().filter(|e| wanted(e)).map(to_sse).collect()
    };
    let live = stream::unfold(sub.live, move |live| {
        let store = store.clone();
        async move {
            let mut live = live?;
            loop {
                match live.recv().await {
                    Ok(e) if wanted(&e) => return Some((to_sse(&e), Some(live))),
                    Ok(_) => {}
                    // Too far behind: told to reload, and dropped.
                    Err(RecvError::Lagged(_)) => return Some((reload(store.events().latest()), None)),
                    // Started over (events may have been missed): the same.
                    Err(RecvError::Closed) if store.events().is_open() => {
                        return Some((reload(store.events().latest()), None))
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    let keep_alive = KeepAlive::new().interval(state.store.events().limits().keep_alive);
    Ok(Sse::new(stream::iter(head).chain(live).map(Ok)).keep_alive(keep_alive))
}

fn to_sse(e: &Arc<Event>) -> sse::Event {
    sse::Event::default().id(e.id.to_string()).event(<&str>::from(e.kind)).data(&e.data)
}

/// Events were missed: the client reloads what it shows, and resumes after
/// `latest`.
fn reload(latest: u64) -> sse::Event {
    sse::Event::default().id(latest.to_string()).event("reload").data("{}")
}
