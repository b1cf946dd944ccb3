//! `/healthz` and `/readyz`, for load balancers and orchestrators: no
//! credentials, nothing logged, on the app's host only (the content
//! origin's router has neither).

use crate::error::AppError;
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// How long a readiness check may take before it counts as failed: a
/// balancer asks often and must not wait on a stuck disk.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process answers; nothing else is checked.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Whether this instance can serve: the store (a file written and removed
/// in the data directory, and a bucket's LIST) and the database (a trivial
/// query), side by side, each within `CHECK_TIMEOUT`.
async fn readyz(State(state): State<AppState>) -> Response {
    let (dir, blobs) = (state.config.data_dir.clone(), state.store.blobs().clone());
    let store = async move {
        let checked = move || {
            probe(&dir)?;
            blobs.check().map_err(|e| AppError::Internal(e.to_string()))
        };
        tokio::task::spawn_blocking(checked).await?
    };
    let database = state.meta.ping();
    let (store, database) = tokio::join!(within(store), within(database));
    let checks = [("store", store), ("database", database)];
    let failed: Vec<String> =
        checks.iter().filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}"))).collect();
    let results: serde_json::Map<_, _> =
        checks.into_iter().map(|(name, r)| (name.to_string(), r.unwrap_or_else(|e| e).into())).collect();
    let instance = &state.config.instance;
    if failed.is_empty() {
        return Json(json!({ "status": "ready", "instance": instance, "checks": results })).into_response();
    }
    let detail = format!("Not ready: {}", failed.join("; "));
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "detail": detail, "instance": instance, "checks": results })))
        .into_response()
}

/// `"ok"`, or what went wrong.
async fn within(check: impl Future<Output = Result<(), AppError>>) -> Result<String, String> {
    match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(())) => Ok("ok".into()),
        Ok(Err(AppError::Internal(detail))) => Err(detail),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
    }
}

/// A small file written and removed in the data directory.
fn probe(dir: &Path) -> Result<(), AppError> {
    let written = (|| {
        let mut file = tempfile::Builder::new().prefix(".tmp-readyz-").tempfile_in(dir)?;
        file.write_all(b"ok")?;
        file.close()
    })();
    written.map_err(|e| AppError::Internal(format!("data directory cannot be written: {e}")))
}

/// At start-up: the data directory, made if missing, can be written.
pub fn check_data_dir(dir: &Path) -> Result<(), AppError> {
    let shown = dir.display();
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::BadRequest(format!("data_dir {shown}: cannot be created: {e}")))?;
    probe(dir).map_err(|e| match e {
        AppError::Internal(detail) => AppError::BadRequest(format!("data_dir {shown}: {detail}")),
        e => e,
    })
}
