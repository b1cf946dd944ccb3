//! Each instance's listener: one connection that `LISTEN`s on
//! `vitrine_auth`, where every deletion of a token or session is told
//! (`0002_notify_auth.sql`), `vitrine_events`, where every write's events
//! are (their rows' ids: `events.rs`), and `vitrine_cache`, where deleted
//! versions are. What it hears goes to the instance ([`Heard`]), typically
//! within milliseconds.
//!
//! A notification sent while the listener is not listening is lost for it:
//! after a connection is lost, and before the first `LISTEN`, the instance
//! is told that anything may have been missed. A database that is down is
//! tried again every second, for as long as the instance runs.

use super::events::{self, CACHE, EVENTS, SCHEMA};
use super::DB;
use crate::error::AppError;
use crate::server::events::Draft;
use sqlx::postgres::{PgListener, PgPool};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::AbortHandle;
use uuid::Uuid;

const AUTH: &str = "vitrine_auth";
/// How long a listener that failed waits before it connects again.
const RETRY: Duration = Duration::from_secs(1);
/// How long start-up waits for the first `LISTEN`.
const FIRST_LISTEN: Duration = Duration::from_secs(10);

/// What an instance does with what its listener hears.
pub trait Heard: Send + Sync + 'static {
    /// A token or session was deleted.
    fn revoked(&self);
    /// Events that a write committed, in commit order.
    fn events(&self, events: Vec<(u64, Draft)>);
    /// Versions were deleted: what is cached of them goes.
    fn deleted(&self, versions: Vec<Uuid>);
    /// Anything may have been missed: the listener is not listening
    /// (`None`), or listens again and `Some(latest)` is the newest event.
    fn missed(&self, latest: Option<u64>);
}

/// A listener at work; it stops when this is dropped.
pub struct Listening(AbortHandle);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts a listener on a connection of `pool`; returns once it listens (or
/// has failed to, or after [`FIRST_LISTEN`]), so that no write after
/// start-up goes unheard. `streamed` follows the newest event streamed
/// (`None` while not listening), which writers wait for.
pub(super) fn start(pool: PgPool, heard: Arc<dyn Heard>, streamed: Arc<watch::Sender<Option<u64>>>) -> Listening {
    let (listens, listening) = std::sync::mpsc::sync_channel(1);
    let task = DB.spawn(async move {
        loop {
            let Err(e) = listen(&pool, &*heard, &streamed, &listens).await;
            streamed.send_replace(None);
            let _ = listens.try_send(());
            tracing::warn!("listening for other instances' changes: {e}; trying again in {} s", RETRY.as_secs());
            heard.missed(None);
            tokio::time::sleep(RETRY).await;
        }
    });
    let _ = listening.recv_timeout(FIRST_LISTEN);
    Listening(task.abort_handle())
}

/// Listens until the connection fails beyond what sqlx's listener mends.
async fn listen(
    pool: &PgPool,
    heard: &dyn Heard,
    streamed: &watch::Sender<Option<u64>>,
    listens: &std::sync::mpsc::SyncSender<()>,
) -> Result<Infallible, AppError> {
    let mut listener = PgListener::connect_with(pool).await?;
    let schema: String = sqlx::query_scalar(SCHEMA).fetch_one(&mut listener).await?;
    listener.listen_all([AUTH, EVENTS, CACHE]).await?;
    // Events up to here were committed before: whatever missed them reloads.
    let mut heard_up_to = resume(&mut listener, &schema, heard, streamed).await?;
    let _ = listens.try_send(());
    loop {
        let Some(told) = listener.try_recv().await? else {
            // The connection was lost; the listener, connected and listening
            // again, heard nothing meanwhile.
            tracing::warn!("listening for other instances' changes: connection lost, listening again");
            heard_up_to = resume(&mut listener, &schema, heard, streamed).await?;
            continue;
        };
        // With those heard while the last events were read: the events of
        // notifications in a row are read by one query, not one each.
        let batch: Vec<_> = std::iter::once(told).chain(std::iter::from_fn(|| listener.next_buffered())).collect();
        // The ids of the events heard and not yet read.
        let mut unread: Option<(i64, i64)> = None;
        for told in batch {
            // The schema's name first (it may hold spaces), then the rest.
            let Some(rest) = told.payload().strip_prefix(schema.as_str()) else { continue };
            if !(rest.is_empty() || rest.starts_with(' ')) {
                continue;
            }
            let words = rest.split_whitespace();
            if told.channel() == EVENTS {
                let mut ids = words.filter_map(|w| w.parse::<i64>().ok());
                let (Some(first), Some(last)) = (ids.next(), ids.next()) else { continue };
                // Ids are given in commit order, in which notifications come:
                // those between two heard belong to notifications heard between.
                if last as u64 > unread.map_or(heard_up_to, |(_, l)| l as u64) {
                    unread = Some((unread.map_or(first, |(f, _)| f), last));
                }
                continue;
            }
            // What came before this notification is streamed before it is acted on.
            if let Some(ids) = unread.take() {
                heard_up_to = stream(&mut listener, heard, streamed, ids).await?;
            }
            match told.channel() {
                AUTH => {
                    tracing::debug!("a token or session was deleted: cached credentials forgotten");
                    heard.revoked();
                }
                CACHE => heard.deleted(words.filter_map(|w| w.parse().ok()).collect()),
                _ => {}
            }
        }
        if let Some(ids) = unread {
            heard_up_to = stream(&mut listener, heard, streamed, ids).await?;
        }
    }
}

/// Reads the events `first..=last` and streams them here; returns `last`.
async fn stream(
    listener: &mut PgListener,
    heard: &dyn Heard,
    streamed: &watch::Sender<Option<u64>>,
    (first, last): (i64, i64),
) -> Result<u64, AppError> {
    heard.events(events::between(&mut *listener, first, last).await?);
    streamed.send_replace(Some(last as u64));
    Ok(last as u64)
}

/// Tells the instance that it listens (again) from the newest event on;
/// returns that event's id.
async fn resume(
    listener: &mut PgListener,
    schema: &str,
    heard: &dyn Heard,
    streamed: &watch::Sender<Option<u64>>,
) -> Result<u64, AppError> {
    // Named in `pg_stat_activity` (and so found by the tests that cut it),
    // on each new connection.
    sqlx::query("SELECT set_config('application_name', 'vitrine listener ' || $1, false)")
        .bind(schema)
        .execute(&mut *listener)
        .await?;
    let latest = events::latest(&mut *listener).await?;
    heard.missed(Some(latest));
    streamed.send_replace(Some(latest));
    Ok(latest)
}
