//! The catalog in PostgreSQL: lookups by primary key or `(artifact_id,
//! version)`, listings by keyset on `artifacts`' indexes in exactly the
//! order of the memory index's [`Rank`] (so a cursor is a keyset's bound),
//! `page=N` as `OFFSET`, the tabs' counts from `artifact_counts` (a search's
//! counted), virtual paths by `(conversation_id, path)`. The rows are
//! written by `meta/pg/catalog.rs`.

use super::listings::Generation;
use super::{to_artifact, Page};
use crate::error::AppError;
use crate::model::{Artifact, ArtifactQuery, ArtifactRef, Conversation, Counts, GalleryType, Sort, TypeFilter};
use crate::server::meta::pg::catalog::{shards, sidecar, version_columns};
use crate::server::store::catalog::memory::Rank;
use crate::server::store::sidecar::Sidecar;
use sqlx::postgres::{PgPool, PgRow, Postgres};
use sqlx::{QueryBuilder, Row};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// An artifact's latest version ($1 is the artifact).
const LATEST: &str =
    concat!("SELECT ", version_columns!(), " FROM artifacts a JOIN versions v ON v.id = a.latest WHERE a.id = $1");

/// A listed artifact: its latest version, its conversation's title, its
/// number of versions, its name lowercased (by PostgreSQL, as the name
/// order compares it) and its creation in nanoseconds. `WHERE` follows.
const LISTED: &str = concat!(
    "SELECT ",
    version_columns!(),
    ", c.title, a.version_count, lower(a.name), a.created_ns
     FROM artifacts a JOIN versions v ON v.id = a.latest JOIN conversations c ON c.id = a.conversation_id
     WHERE "
);

/// The lowercased name as the name order compares it: by code point, as
/// Rust compares strings, whatever the database's collation.
const LOWER_NAME: &str = "lower(a.name) COLLATE \"C\"";

struct Listed {
    meta: Arc<Sidecar>,
    title: String,
    versions: u32,
    lower_name: String,
    created_ns: i64,
}

impl Listed {
    fn read(row: &PgRow) -> Result<Self, AppError> {
        Ok(Self {
            meta: Arc::new(sidecar(row)?),
            title: row.try_get(13)?,
            versions: row.try_get::<i32, _>(14)? as u32,
            lower_name: row.try_get(15)?,
            created_ns: row.try_get(16)?,
        })
    }

    fn record(&self) -> Artifact {
        to_artifact(&self.meta, &self.title, self.versions)
    }

    /// Its place in the order `sort`.
    fn rank(&self, sort: Sort) -> Rank {
        let key = (i128::from(self.created_ns), self.meta.artifact_id());
        match sort {
            Sort::Newest => Rank::Newest(Reverse(key)),
            Sort::Oldest => Rank::Oldest(key),
            Sort::Name => Rank::Name(self.lower_name.clone(), Reverse(key)),
            Sort::Size => Rank::Size(Reverse((self.meta.size, key))),
        }
    }
}

pub(super) async fn conversation(p: PgPool, user: Uuid, id: Uuid) -> Result<Option<Conversation>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT title, created_at FROM conversations WHERE id = $1 AND owner = $2")
            .bind(id)
            .bind(user)
            .fetch_optional(&p)
            .await?;
    Ok(row.map(|(title, created_at)| Conversation { id, title, created_at }))
}

pub(super) async fn conversations(p: PgPool, user: Uuid) -> Result<Vec<Conversation>, AppError> {
    let rows: Vec<(Uuid, String, String)> =
        sqlx::query_as("SELECT id, title, created_at FROM conversations WHERE owner = $1 ORDER BY created_at DESC")
            .bind(user)
            .fetch_all(&p)
            .await?;
    Ok(rows.into_iter().map(|(id, title, created_at)| Conversation { id, title, created_at }).collect())
}

/// The versions `rows` hold.
fn sidecars(rows: &[PgRow]) -> Result<Vec<Arc<Sidecar>>, AppError> {
    rows.iter().map(|r| sidecar(r).map(Arc::new)).collect()
}

pub(super) async fn latest(p: PgPool, id: Uuid) -> Result<Option<Arc<Sidecar>>, AppError> {
    let row = sqlx::query(LATEST).bind(id).fetch_optional(&p).await?;
    Ok(row.as_ref().map(sidecar).transpose()?.map(Arc::new))
}

pub(super) async fn versions(p: PgPool, id: Uuid) -> Result<Vec<Arc<Sidecar>>, AppError> {
    let sql =
        concat!("SELECT ", version_columns!(), " FROM versions v WHERE v.artifact_id = $1 ORDER BY v.version DESC");
    sidecars(&sqlx::query(sql).bind(id).fetch_all(&p).await?)
}

pub(super) async fn version(p: PgPool, id: Uuid, version: u32) -> Result<Option<Arc<Sidecar>>, AppError> {
    let sql = concat!("SELECT ", version_columns!(), " FROM versions v WHERE v.artifact_id = $1 AND v.version = $2");
    let row = sqlx::query(sql).bind(id).bind(version as i32).fetch_optional(&p).await?;
    Ok(row.as_ref().map(sidecar).transpose()?.map(Arc::new))
}

pub(super) async fn versions_at(p: PgPool, conversation: Uuid, path: String) -> Result<Vec<Arc<Sidecar>>, AppError> {
    let sql = concat!(
        "SELECT ",
        version_columns!(),
        " FROM versions v JOIN artifacts a ON a.id = v.artifact_id WHERE a.conversation_id = $1 AND a.path = $2"
    );
    sidecars(&sqlx::query(sql).bind(conversation).bind(path).fetch_all(&p).await?)
}

pub(super) async fn by_version_ids(p: PgPool, ids: Vec<Uuid>) -> Result<HashMap<Uuid, Artifact>, AppError> {
    let sql = concat!(
        "SELECT ",
        version_columns!(),
        ", c.title, a.version_count FROM versions v JOIN artifacts a ON a.id = v.artifact_id
         JOIN conversations c ON c.id = v.conversation_id WHERE v.id = ANY($1)"
    );
    let rows = sqlx::query(sql).bind(ids).fetch_all(&p).await?;
    rows.iter()
        .map(|r| {
            let meta = sidecar(r)?;
            Ok((meta.id, to_artifact(&meta, r.try_get(13)?, r.try_get::<i32, _>(14)? as u32)))
        })
        .collect()
}

pub(super) async fn records(p: PgPool, metas: Vec<Arc<Sidecar>>) -> Result<Vec<Artifact>, AppError> {
    let artifacts: Vec<Uuid> = metas.iter().map(|m| m.artifact_id()).collect();
    let conversations: Vec<Uuid> = metas.iter().map(|m| m.conversation_id).collect();
    let counts: HashMap<Uuid, i32> = sqlx::query_as("SELECT id, version_count FROM artifacts WHERE id = ANY($1)")
        .bind(artifacts)
        .fetch_all(&p)
        .await?
        .into_iter()
        .collect();
    let titles: HashMap<Uuid, String> = sqlx::query_as("SELECT id, title FROM conversations WHERE id = ANY($1)")
        .bind(conversations)
        .fetch_all(&p)
        .await?
        .into_iter()
        .collect();
    Ok(metas
        .iter()
        .map(|m| {
            let title = titles.get(&m.conversation_id).map(String::as_str);
            let versions = counts.get(&m.artifact_id()).map_or(1, |n| *n as u32);
            to_artifact(m, title.unwrap_or_default(), versions)
        })
        .collect())
}

/// `WHERE` of a listing: the user's artifacts or a conversation's, under
/// the query's filter and search (a part of the name or of the
/// conversation's title, ignoring case).
fn listing(b: &mut QueryBuilder<Postgres>, user: Uuid, conversation: Option<Uuid>, q: &ArtifactQuery) {
    match conversation {
        Some(c) => b.push("a.conversation_id = ").push_bind(c),
        None => b.push("a.owner = ").push_bind(user),
    };
    if let TypeFilter::Only(t) = q.kind {
        b.push(" AND a.kind = ").push_bind(t.index() as i16);
    }
    if q.q.contains('\0') {
        // In no name or title (control characters are refused), as SQLite
        // finds; PostgreSQL's text cannot hold one to compare.
        b.push(" AND false");
    } else if !q.q.is_empty() {
        let pattern = format!("%{}%", like_escaped(&q.q.to_lowercase()));
        b.push(" AND (lower(a.name) LIKE ").push_bind(pattern.clone());
        b.push(" OR lower(c.title) LIKE ").push_bind(pattern).push(")");
    }
}

/// The condition of the rows after the place `rank` in its order (before
/// it, `back`).
fn beyond(b: &mut QueryBuilder<Postgres>, rank: &Rank, back: bool) {
    let (later, earlier) = if back { (" < ", " > ") } else { (" > ", " < ") };
    let key = |b: &mut QueryBuilder<Postgres>, (ns, id): (i128, Uuid), op: &str| {
        b.push("(a.created_ns, a.id)").push(op).push("(").push_bind(i64::try_from(ns).unwrap_or(i64::MAX));
        b.push(", ").push_bind(id).push(")");
    };
    b.push("(");
    match rank {
        Rank::Newest(Reverse(k)) => key(b, *k, earlier),
        Rank::Oldest(k) => key(b, *k, later),
        Rank::Name(name, Reverse(k)) => {
            b.push(LOWER_NAME).push(later).push_bind(name.clone());
            b.push(" OR ").push(LOWER_NAME).push(" = ").push_bind(name.clone()).push(" AND ");
            key(b, *k, earlier);
        }
        Rank::Size(Reverse((size, k))) => {
            let size = i64::try_from(*size).unwrap_or(i64::MAX);
            b.push("a.size").push(earlier).push_bind(size).push(" OR a.size = ").push_bind(size).push(" AND ");
            key(b, *k, earlier);
        }
    }
    b.push(")");
}

/// `ORDER BY` of `sort` (reversed, `back`).
fn order(sort: Sort, back: bool) -> String {
    let key = if back { "a.created_ns, a.id" } else { "a.created_ns DESC, a.id DESC" };
    let (asc, desc) = if back { ("DESC", "") } else { ("", "DESC") };
    match sort {
        Sort::Newest => format!(" ORDER BY {key}"),
        Sort::Oldest => format!(" ORDER BY a.created_ns {asc}, a.id {asc}"),
        Sort::Name => format!(" ORDER BY {LOWER_NAME} {asc}, {key}"),
        Sort::Size => format!(" ORDER BY a.size {desc}, {key}"),
    }
}

async fn fetch(p: &PgPool, mut b: QueryBuilder<Postgres>) -> Result<Vec<Listed>, AppError> {
    b.build().fetch_all(p).await?.iter().map(Listed::read).collect()
}

/// The tabs' counts, per kind: kept in `artifact_counts`, or a search's
/// matches counted. Columns `kind`, `n`.
fn counts(b: &mut QueryBuilder<Postgres>, user: Uuid, conversation: Option<Uuid>, q: &ArtifactQuery) {
    if q.q.is_empty() {
        // Named, so that the primary key finds them (`scope LIKE 'u%'` read
        // every conversation's rows of the user).
        let scopes = match conversation {
            Some(c) => vec![c.to_string()],
            None => shards(),
        };
        b.push("SELECT kind, sum(n)::bigint AS n FROM artifact_counts WHERE owner = ").push_bind(user);
        b.push(" AND scope = ANY(").push_bind(scopes).push(") GROUP BY kind");
    } else {
        b.push("SELECT a.kind, count(*) AS n FROM artifacts a JOIN conversations c ON c.id = a.conversation_id WHERE ");
        listing(b, user, conversation, &ArtifactQuery { kind: TypeFilter::All, ..q.clone() });
        b.push(" GROUP BY a.kind");
    }
}

/// [`Counts`] from the arrays of kinds and their numbers.
fn to_counts(kinds: Vec<i16>, ns: Vec<i64>) -> Counts {
    let mut per_kind = [0; GalleryType::ALL.len()];
    for (kind, n) in kinds.into_iter().zip(ns) {
        if let Some(count) = per_kind.get_mut(kind as usize) {
            *count += n.max(0) as u64;
        }
    }
    Counts::from_fn(|f| match f {
        TypeFilter::All => per_kind.iter().sum(),
        TypeFilter::Only(t) => per_kind[t.index()],
    })
}

/// The columns of `user`'s generation: their newest event, then the
/// catalog's rebuilds.
fn generation_columns(b: &mut QueryBuilder<Postgres>, user: Uuid) {
    b.push("(SELECT coalesce(max(id), 0) FROM events WHERE owner = ").push_bind(user);
    b.push("), (SELECT n FROM catalog_rebuilds)");
}

/// What a listing of `user`'s would be read at now.
pub(super) async fn generation(p: PgPool, user: Uuid) -> Result<Generation, AppError> {
    let mut b = QueryBuilder::new("SELECT ");
    generation_columns(&mut b, user);
    let (event, rebuilds) = b.build_query_as().fetch_one(&p).await?;
    Ok(Generation { event, rebuilds })
}

/// A page, the tabs' counts and the generation they were read at in one
/// statement (one round trip, where two were a third of a listing's cost):
/// the counts as two arrays and the generation beside each listed row, or
/// beside one row of `NULL`s when the page is empty.
pub(super) async fn page(
    p: PgPool,
    user: Uuid,
    conversation: Option<Uuid>,
    q: ArtifactQuery,
    after: Option<(Rank, usize)>,
) -> Result<(Generation, Page), AppError> {
    let mut b = QueryBuilder::new("SELECT p.*, k.kinds, k.ns, ");
    generation_columns(&mut b, user);
    b.push(" FROM (SELECT array_agg(kind) AS kinds, array_agg(n) AS ns FROM (");
    counts(&mut b, user, conversation, &q);
    b.push(") per_kind) k LEFT JOIN (").push(LISTED);
    listing(&mut b, user, conversation, &q);
    if let Some((rank, _)) = &after {
        b.push(" AND ");
        beyond(&mut b, rank, false);
    }
    // LIMIT and OFFSET are written out, not bound: bound, PostgreSQL
    // plans with them unknown (an OFFSET of a tenth of the rows), finds
    // that plan dearer than one made for the values and so plans every
    // execution anew, 40% of its work for a listing. Statements with an
    // OFFSET (one per page number) and searches (planned for their pattern)
    // are not kept prepared.
    b.push(order(q.sort, false)).push(format_args!(" LIMIT {}", u64::from(q.size) + 1));
    let start = match &after {
        Some((_, start)) => *start as u64,
        None => (u64::from(q.page.max(1)) - 1) * u64::from(q.size),
    };
    let offset = after.is_none() && start > 0;
    if offset {
        b.push(format_args!(" OFFSET {start}"));
    }
    b.push(") p ON true");
    let answer = b.build().persistent(!offset && q.q.is_empty()).fetch_all(&p).await?;
    let first = answer.first().ok_or_else(|| AppError::Internal("database: a listing without its counts".into()))?;
    let counts = to_counts(
        first.try_get::<Option<_>, _>(17)?.unwrap_or_default(),
        first.try_get::<Option<_>, _>(18)?.unwrap_or_default(),
    );
    let generation = Generation { event: first.try_get(19)?, rebuilds: first.try_get(20)? };
    let mut rows = Vec::with_capacity(answer.len());
    for row in answer.iter().filter(|r| r.try_get::<Option<Uuid>, _>(0).is_ok_and(|id| id.is_some())) {
        rows.push(Listed::read(row)?);
    }
    // The join keeps the page's order in practice, which SQL does not promise.
    rows.sort_by_cached_key(|r| r.rank(q.sort));
    let more = rows.len() > q.size as usize;
    rows.truncate(q.size as usize);
    let next = rows.last().filter(|_| more).map(|r| r.rank(q.sort));
    let page = Page {
        items: rows.iter().map(Listed::record).collect(),
        start: usize::try_from(start).unwrap_or(usize::MAX),
        total: counts.get(q.kind),
        counts,
        next,
    };
    Ok((generation, page))
}

pub(super) async fn select_all(
    p: PgPool,
    user: Uuid,
    conversation: Option<Uuid>,
    q: ArtifactQuery,
) -> Result<Vec<Arc<Sidecar>>, AppError> {
    let mut b = QueryBuilder::new(LISTED);
    listing(&mut b, user, conversation, &q);
    b.push(order(q.sort, false));
    Ok(fetch(&p, b).await?.into_iter().map(|r| r.meta).collect())
}

pub(super) async fn neighbours(
    p: PgPool,
    user: Uuid,
    id: Uuid,
    q: ArtifactQuery,
) -> Result<(Option<ArtifactRef>, Option<ArtifactRef>), AppError> {
    let mut b = QueryBuilder::new(LISTED);
    listing(&mut b, user, None, &q);
    b.push(" AND a.id = ").push_bind(id);
    let Some(rank) = fetch(&p, b).await?.pop().map(|r| r.rank(q.sort)) else { return Ok((None, None)) };
    let mut found = [None, None];
    for (side, back) in found.iter_mut().zip([true, false]) {
        let mut b = QueryBuilder::new(LISTED);
        listing(&mut b, user, None, &q);
        b.push(" AND ");
        beyond(&mut b, &rank, back);
        b.push(order(q.sort, back)).push(" LIMIT 1");
        let row = fetch(&p, b).await?.pop();
        *side = row.map(|r| ArtifactRef { conversation_id: r.meta.conversation_id, id: r.meta.artifact_id() });
    }
    let [previous, next] = found;
    Ok((previous, next))
}

pub(super) async fn at_path(p: PgPool, conversation: Uuid, path: String) -> Result<Option<Arc<Sidecar>>, AppError> {
    let sql = concat!(
        "SELECT ",
        version_columns!(),
        " FROM artifacts a JOIN versions v ON v.id = a.latest WHERE a.conversation_id = $1 AND a.path = $2
         ORDER BY a.created_ns DESC, a.id DESC LIMIT 1"
    );
    let row = sqlx::query(sql).bind(conversation).bind(path).fetch_optional(&p).await?;
    Ok(row.as_ref().map(sidecar).transpose()?.map(Arc::new))
}

pub(super) async fn is_folder(p: PgPool, conversation: Uuid, path: String) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM artifacts WHERE conversation_id = $1 AND path LIKE $2)")
        .bind(conversation)
        .bind(format!("{}/%", like_escaped(&path)))
        .fetch_one(&p)
        .await?)
}

pub(super) async fn under(p: PgPool, conversation: Uuid, folder: String) -> Result<Vec<Arc<Sidecar>>, AppError> {
    let sql = concat!(
        "SELECT * FROM (SELECT DISTINCT ON (a.path) ",
        version_columns!(),
        ", a.created_ns AS listed_ns, a.id AS listed_id FROM artifacts a JOIN versions v ON v.id = a.latest
         WHERE a.conversation_id = $1 AND a.path LIKE $2 ORDER BY a.path, a.created_ns DESC, a.id DESC) newest
         ORDER BY listed_ns DESC, listed_id DESC"
    );
    let pattern = format!("{}/%", like_escaped(&folder));
    sidecars(&sqlx::query(sql).bind(conversation).bind(pattern).fetch_all(&p).await?)
}

/// `text` as a `LIKE` pattern that matches it literally: `\`, `%` and `_`
/// escaped (backslash is `LIKE`'s escape).
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(super::like_escaped(r"50%_a\b"), r"50\%\_a\\b");
    }
}
