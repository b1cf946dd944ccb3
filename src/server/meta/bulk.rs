//! Every row of the metadata, table by table, as the databases keep it:
//! what `vitrine migrate --database` reads from SQLite and writes into
//! PostgreSQL (`server/migrate/meta.rs`). The columns are the tables' own,
//! ids and hashes included, so that every token, session cookie, share link
//! and content URL keeps working; the ordering columns (`seq`, SQLite's
//! rowid) are not copied but kept by writing the rows in their order.

use super::{pg, sqlite};
use crate::error::AppError;
use std::collections::BTreeMap;
use uuid::Uuid;

/// How a column is kept: SQLite keeps ids as text and a message's artifact
/// ids as JSON, PostgreSQL as `uuid` and `uuid[]`.
#[derive(Clone, Copy)]
pub enum Kind {
    Text,
    Int,
    Uuid,
    Uuids,
}

/// One column's value, with its kind even when NULL (PostgreSQL types a
/// parameter by it).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Uuid(Option<Uuid>),
    Uuids(Vec<Uuid>),
}

/// A row: its columns' values in [`Table::columns`]' order, the first its id.
pub type Row = Vec<Value>;

pub struct Table {
    pub name: &'static str,
    /// `id` first.
    pub columns: &'static [(&'static str, Kind)],
    /// Rows per user, as `(user id as text, count)`: SQL both databases take.
    pub per_user: &'static str,
    /// When PostgreSQL keeps the rows' order (`seq`), which listings and
    /// transcripts follow: the column whose rows it orders (a user's tokens,
    /// a conversation's messages).
    pub ordered: Option<&'static str>,
}

impl Table {
    /// The columns, as SQL lists them.
    pub fn list(&self) -> String {
        self.columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    }

    /// A row's value of the column `name`, an id.
    pub fn id_in(&self, row: &Row, name: &str) -> Option<Uuid> {
        let at = self.columns.iter().position(|(column, _)| *column == name)?;
        match row.get(at) {
            Some(Value::Uuid(id)) => *id,
            _ => None,
        }
    }
}

/// A row's id.
pub fn id(row: &Row) -> Uuid {
    match row.first() {
        Some(Value::Uuid(Some(id))) => *id,
        other => panic!("a row's first column is its id, not {other:?}"),
    }
}

use Kind::{Int, Text, Uuid as Id, Uuids};

/// In an order that writes a row after those it refers to; `auth_changes`
/// is a count of deletions, which the new database starts anew.
pub const TABLES: [Table; 6] = [
    Table {
        name: "users",
        columns: &[("id", Id), ("name", Text), ("password_hash", Text), ("created_at", Text)],
        per_user: "SELECT CAST(id AS TEXT), count(*) FROM users GROUP BY id",
        ordered: None,
    },
    Table {
        name: "tokens",
        columns: &[
            ("id", Id),
            ("hash", Text),
            ("user_id", Id),
            ("name", Text),
            ("scope", Text),
            ("created_at", Text),
            ("expires_at", Int),
            ("last_used_at", Int),
        ],
        per_user: "SELECT CAST(user_id AS TEXT), count(*) FROM tokens GROUP BY user_id",
        ordered: Some("user_id"),
    },
    Table {
        name: "sessions",
        columns: &[
            ("id", Id),
            ("hash", Text),
            ("user_id", Id),
            ("created_at", Text),
            ("expires_at", Int),
            ("user_agent", Text),
        ],
        per_user: "SELECT CAST(user_id AS TEXT), count(*) FROM sessions GROUP BY user_id",
        ordered: Some("user_id"),
    },
    Table {
        name: "conversations",
        columns: &[("id", Id), ("owner", Id), ("title", Text), ("created_at", Text)],
        per_user: "SELECT CAST(owner AS TEXT), count(*) FROM conversations GROUP BY owner",
        ordered: None,
    },
    Table {
        name: "messages",
        columns: &[
            ("id", Id),
            ("conversation_id", Id),
            ("tool", Text),
            ("content", Text),
            ("artifact_ids", Uuids),
            ("created_at", Text),
        ],
        per_user: "SELECT CAST(conversations.owner AS TEXT), count(*) FROM messages
                   JOIN conversations ON conversations.id = messages.conversation_id GROUP BY conversations.owner",
        ordered: Some("conversation_id"),
    },
    Table {
        name: "shares",
        columns: &[
            ("id", Id),
            ("hash", Text),
            ("user_id", Id),
            ("kind", Text),
            ("conversation_id", Id),
            ("artifact_id", Id),
            ("version", Int),
            ("folder", Text),
            ("label", Text),
            ("created_at", Text),
            ("expires_at", Int),
            ("revoked_at", Text),
            ("access_count", Int),
            ("last_accessed_at", Text),
        ],
        per_user: "SELECT CAST(user_id AS TEXT), count(*) FROM shares GROUP BY user_id",
        ordered: Some("user_id"),
    },
];

/// Rows and counts per user of a table.
pub type Counts = (i64, BTreeMap<String, i64>);

/// Reading, on this thread.
impl sqlite::Db {
    /// At most `limit` rows of `table` after the position `after` (0: from
    /// the first), in their order, with the position of the last.
    pub fn rows(&self, table: &Table, after: i64, limit: usize) -> Result<(i64, Vec<Row>), AppError> {
        self.run_blocking(|c| sqlite::bulk::rows(c, table, after, limit))
    }

    pub fn counts(&self, table: &Table) -> Result<Counts, AppError> {
        self.run_blocking(|c| sqlite::bulk::counts(c, table))
    }
}

/// Writing and reading, blocking this thread.
impl pg::Pg {
    /// Writes `rows` in their order, in one transaction, each unless its id
    /// (or another unique column) is there already; how many were written.
    pub fn insert_rows(&self, table: &'static Table, rows: Vec<Row>) -> Result<u64, AppError> {
        self.run_blocking(|p| pg::bulk::insert(p, table, rows))
    }

    /// The rows of `table` with these ids, by id.
    pub fn rows_by_id(&self, table: &'static Table, ids: Vec<Uuid>) -> Result<BTreeMap<Uuid, Row>, AppError> {
        self.run_blocking(|p| pg::bulk::rows(p, table, ids))
    }

    pub fn counts(&self, table: &'static Table) -> Result<Counts, AppError> {
        self.run_blocking(|p| pg::bulk::counts(p, table))
    }

    /// The ids of a table with `seq` in that order, each with its column
    /// `by` (the user or conversation whose order it is: [`Table::ordered`]).
    pub fn ids_in_order(&self, table: &'static Table, by: &'static str) -> Result<Vec<(Uuid, Uuid)>, AppError> {
        self.run_blocking(|p| pg::bulk::ids(p, table, by))
    }

    /// The content key in `settings`, if one is.
    pub fn stored_content_key(&self) -> Result<Option<Vec<u8>>, AppError> {
        self.run_blocking(pg::bulk::stored_key)
    }

    /// Stores `key` as the content key unless one is; the one stored then.
    pub fn store_content_key(&self, key: Vec<u8>) -> Result<Vec<u8>, AppError> {
        self.run_blocking(|p| pg::content_key(p, key))
    }
}
