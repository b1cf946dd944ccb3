//! `vitrine migrate` (docs/scaling.md, "Commands"): one machine's data
//! directory moved to the cluster's services, its metadata from SQLite into
//! PostgreSQL (`--database`, `meta.rs`) and its artifacts into a bucket
//! (`--to`, `store.rs`), either alone or both. Each half leaves its source
//! as it was, overwrites nothing, continues when run again and ends by
//! comparing what it copied.

mod meta;
mod store;

use crate::error::AppError;
use crate::server::config::Config;
use crate::server::meta::pg::DatabaseUrl;
use crate::server::meta::sqlite::FILE as SQLITE_FILE;
use crate::server::store::blobs::object::Location;

/// Copies what `to` and `database` ask for; `dry_run` only says what it
/// would copy. The rows go first, as docs/scaling.md plans: a version's
/// rows will refer to its message, and what refuses the whole run (another
/// content key, an unreachable database) is then found in seconds rather
/// than after the bytes. Nothing serves from the copies until both settings
/// name them, after the command has succeeded.
pub fn run(
    config: &Config,
    to: Option<&Location>,
    database: Option<&DatabaseUrl>,
    dry_run: bool,
) -> Result<(), AppError> {
    let dir = config.data_dir.display();
    // The data directory's copy is then no longer the one served: copying
    // it could bring back what was deleted since.
    if let (Some(_), Some(store)) = (to, &config.store) {
        return Err(AppError::BadRequest(format!(
            "store is {store} already: migrate copies the data directory's artifacts, so run it with store unset"
        )));
    }
    if let (Some(_), Some(url)) = (database, &config.database_url) {
        return Err(AppError::BadRequest(format!(
            "database_url is {url:?} already: migrate copies the data directory's SQLite, so run it with database_url unset"
        )));
    }
    if to.is_some() && !config.data_dir.join("conversations").is_dir() {
        return Err(AppError::BadRequest(format!("{dir} is not a data directory (it has no conversations folder)")));
    }
    if database.is_some() && !config.data_dir.join(SQLITE_FILE).is_file() {
        return Err(AppError::BadRequest(format!("{dir} is not a data directory (it has no {SQLITE_FILE})")));
    }
    if let Some(url) = database {
        meta::run(&config.data_dir, url, dry_run)?;
    }
    if let Some(to) = to {
        store::run(config, to, dry_run)?;
    }
    Ok(())
}
