//! Rows in bulk for `vitrine migrate --database` (`meta/bulk.rs`).

use crate::error::AppError;
use crate::server::meta::bulk::{id, Kind, Row, Table, Value};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{AssertSqlSafe, Row as _};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Writes `rows` in their order, in one transaction, each unless a row with
/// its id (or hash, or name) is there already; how many were written.
pub(in crate::server::meta) async fn insert(p: PgPool, table: &'static Table, rows: Vec<Row>) -> Result<u64, AppError> {
    let places: Vec<String> = (1..=table.columns.len()).map(|n| format!("${n}")).collect();
    let sql =
        format!("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING", table.name, table.list(), places.join(", "));
    let mut tx = p.begin().await?;
    let mut written = 0;
    for row in rows {
        let mut query = sqlx::query(AssertSqlSafe(sql.clone()));
        for value in row {
            query = match value {
                Value::Text(v) => query.bind(v),
                Value::Int(v) => query.bind(v),
                Value::Uuid(v) => query.bind(v),
                Value::Uuids(v) => query.bind(v),
            };
        }
        written += query.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(written)
}

/// The rows of `table` with these ids, by id.
pub(in crate::server::meta) async fn rows(
    p: PgPool,
    table: &'static Table,
    ids: Vec<Uuid>,
) -> Result<BTreeMap<Uuid, Row>, AppError> {
    let sql = format!("SELECT {} FROM {} WHERE id = ANY($1)", table.list(), table.name);
    let found = sqlx::query(AssertSqlSafe(sql)).bind(ids).fetch_all(&p).await?;
    found
        .iter()
        .map(|r| {
            let row: Row =
                table.columns.iter().enumerate().map(|(i, (_, kind))| value(r, i, *kind)).collect::<Result<_, _>>()?;
            Ok((id(&row), row))
        })
        .collect()
}

fn value(r: &PgRow, i: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Text => Value::Text(r.try_get(i)?),
        Kind::Int => Value::Int(r.try_get(i)?),
        Kind::Uuid => Value::Uuid(r.try_get(i)?),
        Kind::Uuids => Value::Uuids(r.try_get(i)?),
    })
}

/// Rows of `table` and rows per user (by id as text).
pub(in crate::server::meta) async fn counts(
    p: PgPool,
    table: &'static Table,
) -> Result<(i64, BTreeMap<String, i64>), AppError> {
    let total = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {}", table.name))).fetch_one(&p).await?;
    let per_user: Vec<(String, i64)> = sqlx::query_as(table.per_user).fetch_all(&p).await?;
    Ok((total, per_user.into_iter().collect()))
}

/// Every id of `table` in the order of its `seq`, with its column `by`.
pub(in crate::server::meta) async fn ids(
    p: PgPool,
    table: &'static Table,
    by: &'static str,
) -> Result<Vec<(Uuid, Uuid)>, AppError> {
    let sql = format!("SELECT id, {by} FROM {} ORDER BY seq", table.name);
    Ok(sqlx::query_as(AssertSqlSafe(sql)).fetch_all(&p).await?)
}

/// The content key stored, if there is one.
pub(in crate::server::meta) async fn stored_key(p: PgPool) -> Result<Option<Vec<u8>>, AppError> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE name = 'content_key'").fetch_optional(&p).await?)
}
