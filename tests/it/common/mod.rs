//! A real Vitrine for tests: a fresh data directory, the real router, real
//! files; requests go through `tower::ServiceExt::oneshot`.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use base64::Engine;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use serde_json::{json, Value};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::LazyLock;
use tempfile::TempDir;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;
use vitrine::serve::{open_state, router};
use vitrine::server::config::Config;
use vitrine::server::meta::{sqlite, Meta};
use vitrine::server::{auth, state::AppState};

pub mod cluster;
pub mod process;

pub struct TestApp {
    pub dir: TempDir,
    pub state: AppState,
    pub router: BoxCloneSyncService<Request<Body>, axum::response::Response, std::convert::Infallible>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// A page's HTML without the `<!>` markers Leptos leaves for hydration
    /// after erased components' text (every build erases them, as the
    /// release build does: .cargo/config.toml), so tests read the markup.
    pub fn html(&self) -> String {
        self.text().replace("<!>", "")
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("vitrine").site_root("target/site").build()
}

/// The settings of a test server on `dir`: defaults, with documents
/// converted by the real `vitrine` binary, and the data in the services'
/// bucket and database when the tests run remote.
pub fn config(dir: &Path) -> Config {
    let mut config = Config::new(dir);
    config.converter = Some(env!("CARGO_BIN_EXE_vitrine").into());
    config.store = remote_store(dir).map(|url| url.parse().unwrap());
    config.s3_endpoint = config.store.as_ref().map(|_| services_env("VITRINE_S3_ENDPOINT"));
    config.database_url = remote_database(dir).map(|url| url.parse().unwrap());
    config
}

/// Whether the tests run against `make services` (`VITRINE_TEST_BACKEND=remote`,
/// with the variables of target/services/env).
pub fn remote() -> bool {
    std::env::var("VITRINE_TEST_BACKEND").is_ok_and(|b| b == "remote")
}

/// For a test that looks at the data directory's files themselves: true,
/// and the test returns, when the data is elsewhere.
pub fn local_only() -> bool {
    if remote() {
        eprintln!("not run: the data directory is looked at, and the tests run remote");
    }
    remote()
}

/// For a test that needs the services' bucket: true, and the test returns,
/// when the tests run local.
pub fn remote_only() -> bool {
    if !remote() {
        eprintln!("not run: the test needs the services' bucket, and the tests run local");
    }
    !remote()
}

/// When the tests run remote, the store of the test server on `dir`: a
/// prefix of its own in the services' bucket, the same for `dir` all
/// through this run (a restart, or a `vitrine serve` on `dir`, finds it).
pub fn remote_store(dir: &Path) -> Option<String> {
    let (run, dir) = remote_names(dir)?;
    Some(format!("s3://{}/t-{run}-{dir:016x}", services_env("VITRINE_S3_BUCKET")))
}

/// When the tests run remote with the services' PostgreSQL
/// (`VITRINE_DATABASE_URL`), the database of the test server on `dir`: a
/// schema of its own, made here, found again as [`remote_store`]'s prefix is.
pub fn remote_database(dir: &Path) -> Option<String> {
    let base = std::env::var("VITRINE_DATABASE_URL").ok()?;
    let (run, dir) = remote_names(dir)?;
    let schema = format!("t_{}_{dir:016x}", run.simple());
    // On a thread of its own: a test's runtime may be running this one.
    let create = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
    let url = base.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
            sqlx::Executor::execute(&mut c, sqlx::AssertSqlSafe(create)).await.unwrap();
        })
    })
    .join()
    .unwrap();
    let mut url = url::Url::parse(&base).unwrap();
    url.query_pairs_mut().append_pair("options", &format!("-c search_path={schema}"));
    Some(url.to_string())
}

/// This run's id and a hash of `dir`, when the tests run remote.
fn remote_names(dir: &Path) -> Option<(uuid::Uuid, u64)> {
    static RUN: LazyLock<uuid::Uuid> = LazyLock::new(uuid::Uuid::new_v4);
    if !remote() {
        return None;
    }
    let mut hasher = std::hash::DefaultHasher::new();
    dir.hash(&mut hasher);
    Some((*RUN, hasher.finish()))
}

fn services_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: source target/services/env"))
}

impl TestApp {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with_limit(max_artifact_bytes: u64) -> Self {
        Self::with(|c| c.max_artifact_bytes = max_artifact_bytes)
    }

    /// A fresh app whose settings `change` adjusts.
    pub fn with(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        change(&mut config);
        Self::open(dir, config)
    }

    /// Opens (or reopens, as after a restart) the app on `dir`.
    pub fn open(dir: TempDir, config: Config) -> Self {
        let state = open_state(config, leptos_options()).unwrap();
        let router = BoxCloneSyncService::new(router(state.clone()));
        Self { dir, state, router }
    }

    pub fn restart(self) -> Self {
        let Self { dir, state, router } = self;
        let config = (*state.config).clone();
        drop((state, router));
        Self::open(dir, config)
    }

    /// A second instance beside this one: on the same database and store,
    /// with a data directory of its own when the database is not in it.
    pub fn beside(&self) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = (*self.state.config).clone();
        if config.database_url.is_some() {
            config.data_dir = dir.path().to_path_buf();
        }
        Self::open(dir, config)
    }

    /// Creates a user; returns its API token.
    pub fn user(&self, name: &str) -> String {
        auth::add_user(&self.state.meta, name, "secret-password").unwrap().1
    }

    /// The bytes stored at `key` (`conversations/{c}/artifacts/{uuid}.{ext}`,
    /// `cache/cards/{uuid}.webp`, …), wherever the store keeps them.
    pub fn stored(&self, key: &str) -> Option<Vec<u8>> {
        self.state.store.blobs().read(key).ok()
    }

    /// How many keys the store holds beneath the folder `prefix`.
    pub fn stored_count(&self, prefix: &str) -> usize {
        self.state.store.blobs().list(prefix).unwrap().len()
    }

    /// The SQLite database itself, for tests that only run locally.
    pub fn sqlite(&self) -> &sqlite::Db {
        let Meta::Sqlite(db) = &self.state.meta else { panic!("the database is not SQLite") };
        db
    }

    /// Runs `sql`, a statement that SQLite and PostgreSQL both take (values
    /// written in it), on the app's database; the rows it changed.
    pub fn execute(&self, sql: &str) -> u64 {
        let sql = sql.to_string();
        match &self.state.meta {
            Meta::Sqlite(db) => db.run_blocking(|c| Ok(c.execute(&sql, [])? as u64)),
            Meta::Postgres(pg) => pg.run_blocking(|p| async move {
                Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&p).await?.rows_affected())
            }),
        }
        .unwrap()
    }

    /// The one value `sql` selects, as text (`None`: NULL), from the app's
    /// database, SQLite or PostgreSQL.
    pub fn select(&self, sql: &str) -> Option<String> {
        let sql = format!("SELECT CAST(({sql}) AS TEXT)");
        match &self.state.meta {
            Meta::Sqlite(db) => db.run_blocking(|c| Ok(c.query_row(&sql, [], |r| r.get(0))?)),
            Meta::Postgres(pg) => pg
                .run_blocking(|p| async move { Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&p).await?) }),
        }
        .unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply { status, headers, body }
    }

    pub async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    pub async fn get(&self, uri: &str, token: &str) -> Reply {
        self.call(Method::GET, uri, Some(token), None).await
    }

    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, uri, Some(token), Some(body)).await
    }

    /// Creates a conversation; returns its id.
    pub async fn conversation(&self, token: &str, title: &str) -> String {
        let r = self.post("/api/conversations", token, json!({ "title": title })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_str().unwrap().to_string()
    }

    /// Posts a tool result with the given `(name, bytes)` files.
    pub async fn tool_result(&self, token: &str, conversation: &str, files: &[(&str, &[u8])]) -> Reply {
        let artifacts: Vec<Value> =
            files.iter().map(|(name, bytes)| json!({ "name": name, "content_base64": b64(bytes) })).collect();
        let body = json!({ "tool": "python_exec", "content": "done", "artifacts": artifacts });
        self.post(&format!("/api/conversations/{conversation}/tool-results"), token, body).await
    }
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
