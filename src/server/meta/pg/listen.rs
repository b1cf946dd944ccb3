//! Each instance's listener: one connection that `LISTEN`s on `vitrine_auth`,
//! where every deletion of a token or session in the database is told
//! (`0002_notify_auth.sql`), so that the instance drops the credentials it
//! cached, typically within milliseconds.
//!
//! A notification sent while the listener is not listening is lost for it:
//! after a connection is lost, and before the first `LISTEN`, it forgets
//! everything instead. A database that is down is tried again every
//! second, for as long as the instance runs.

use super::DB;
use sqlx::postgres::{PgListener, PgPool};
use std::convert::Infallible;
use std::time::Duration;
use tokio::task::AbortHandle;

const CHANNEL: &str = "vitrine_auth";
/// How long a listener that failed waits before it connects again.
const RETRY: Duration = Duration::from_secs(1);
/// The schema whose deletions this instance hears: its `tokens`' (the
/// notifications' payload).
const SCHEMA: &str =
    "SELECT nspname::text FROM pg_namespace WHERE oid = (SELECT relnamespace FROM pg_class WHERE oid = 'tokens'::regclass)";

/// A listener at work; it stops when this is dropped.
pub struct Listening(AbortHandle);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts a listener on a connection of `pool`, which calls `forget` at
/// every deletion and whenever one may have gone unheard.
pub(super) fn start(pool: PgPool, forget: impl Fn() + Send + Sync + 'static) -> Listening {
    Listening(
        DB.spawn(async move {
            loop {
                let Err(e) = listen(&pool, &forget).await;
                tracing::warn!("listening for revoked credentials: {e}; trying again in {} s", RETRY.as_secs());
                forget();
                tokio::time::sleep(RETRY).await;
            }
        })
        .abort_handle(),
    )
}

/// Listens until the connection fails beyond what sqlx's listener mends.
async fn listen(pool: &PgPool, forget: &impl Fn()) -> Result<Infallible, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    let schema: String = sqlx::query_scalar(SCHEMA).fetch_one(&mut listener).await?;
    listener.listen(CHANNEL).await?;
    forget();
    loop {
        match listener.try_recv().await? {
            Some(told) if told.payload() == schema => {
                tracing::debug!("a token or session was deleted: cached credentials forgotten");
                forget();
            }
            Some(_) => {}
            // The connection was lost; the listener, connected and listening
            // again, heard nothing meanwhile.
            None => {
                tracing::warn!("listening for revoked credentials: connection lost, listening again");
                forget();
            }
        }
    }
}
