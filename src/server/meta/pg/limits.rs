//! Sign-in limits that every instance counts together
//! (`0008_sign_in_limits.sql`): the generic cell rate algorithm, as
//! governor's quota per minute, on one row per key. One statement counts
//! an attempt or refuses it, so two instances never both take the last one.

use crate::error::AppError;
use sqlx::postgres::PgPool;

/// Counts an attempt for `key`, which may make `per_minute` a minute (as
/// many at once); `TooManyAttempts` with the seconds to wait when over.
pub async fn attempt(p: PgPool, key: String, per_minute: u32) -> Result<(), AppError> {
    // Each attempt moves the key's time on by one emission interval; an
    // attempt that would put it more than a minute ahead is refused.
    let interval = 60.0 / f64::from(per_minute.max(1));
    let (counted, wait): (bool, Option<f64>) = sqlx::query_as(
        "WITH gone AS (
             DELETE FROM sign_in_limits WHERE key IN
                 (SELECT key FROM sign_in_limits WHERE tat < now() AND key <> $1 LIMIT 100)),
         counted AS (
             INSERT INTO sign_in_limits AS l (key, tat) VALUES ($1, now() + make_interval(secs => $2))
             ON CONFLICT (key) DO UPDATE SET tat = greatest(l.tat, now()) + make_interval(secs => $2)
             WHERE greatest(l.tat, now()) + make_interval(secs => $2) <= now() + interval '1 minute'
             RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM counted), extract(epoch FROM (SELECT tat FROM sign_in_limits WHERE key = $1)
                + make_interval(secs => $2) - interval '1 minute' - now())::float8",
    )
    .bind(key)
    .bind(interval)
    .fetch_one(&p)
    .await?;
    if counted {
        return Ok(());
    }
    // The row as it was before this statement: when it lets one more in.
    Err(AppError::TooManyAttempts(wait.unwrap_or(1.0).ceil().max(1.0) as u64))
}
