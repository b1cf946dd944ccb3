//! Rows in bulk for `vitrine migrate --database` (`meta/bulk.rs`), read in
//! their order of insertion (rowid; a message's `seq`).

use crate::error::AppError;
use crate::server::meta::bulk::{Kind, Row, Table, Value};
use rusqlite::{params, Connection};
use std::collections::BTreeMap;
use uuid::Uuid;

/// At most `limit` rows of `table` after the rowid `after`, with the rowid
/// of the last (to read on from).
pub(in crate::server::meta) fn rows(
    c: &Connection,
    table: &Table,
    after: i64,
    limit: usize,
) -> Result<(i64, Vec<Row>), AppError> {
    let sql = format!("SELECT rowid, {} FROM {} WHERE rowid > ?1 ORDER BY rowid LIMIT ?2", table.list(), table.name);
    let mut stmt = c.prepare(&sql)?;
    let mut rows = stmt.query(params![after, limit as i64])?;
    let (mut last, mut found) = (after, Vec::new());
    while let Some(r) = rows.next()? {
        last = r.get(0)?;
        let row = table.columns.iter().enumerate().map(|(i, (name, kind))| value(r, i + 1, *kind, name));
        found.push(row.collect::<Result<_, _>>()?);
    }
    Ok((last, found))
}

fn value(r: &rusqlite::Row, i: usize, kind: Kind, column: &str) -> Result<Value, AppError> {
    let bad = |e: &dyn std::fmt::Display| AppError::Internal(format!("database: {column}: {e}"));
    Ok(match kind {
        Kind::Text => Value::Text(r.get(i)?),
        Kind::Int => Value::Int(r.get(i)?),
        Kind::Uuid => {
            let text: Option<String> = r.get(i)?;
            Value::Uuid(text.map(|t| Uuid::parse_str(&t)).transpose().map_err(|e| bad(&e))?)
        }
        Kind::Uuids => {
            let text: String = r.get(i)?;
            Value::Uuids(serde_json::from_str(&text).map_err(|e| bad(&e))?)
        }
    })
}

/// Rows of `table` and rows per user (by id as text).
pub(in crate::server::meta) fn counts(c: &Connection, table: &Table) -> Result<(i64, BTreeMap<String, i64>), AppError> {
    let total = c.query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| r.get(0))?;
    let mut stmt = c.prepare(table.per_user)?;
    let per_user = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok((total, per_user))
}
