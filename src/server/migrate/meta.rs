//! `vitrine migrate --database postgres://…`, its metadata half: every row
//! of the data directory's SQLite (users, tokens, sessions, conversations,
//! messages, share links; `meta/bulk.rs`) and its content key into
//! PostgreSQL, with the same ids and hashes, so that `vitrine serve` with
//! `database_url` set honours every token, session cookie, share link and
//! content URL made before.
//!
//! Table by table, in batches, each written in one transaction in SQLite's
//! order (which PostgreSQL's `seq` then keeps) with `ON CONFLICT DO
//! NOTHING`, then read back and compared column by column: a run killed
//! halfway and run again continues, and nothing is written twice or
//! overwritten. It ends by comparing the rows per table and per user.

use crate::error::AppError;
use crate::server::content::KEY_FILE;
use crate::server::meta::bulk::{id, Counts, Row, Table, Value, TABLES};
use crate::server::meta::pg::{DatabaseUrl, Pg};
use crate::server::meta::sqlite::{self, Db};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use uuid::Uuid;

/// Rows per transaction.
const BATCH: usize = 500;

/// Copies the metadata of the data directory `data_dir` into the database
/// at `url`, whose schema is brought up to date first (as `serve` would);
/// `dry_run` only compares.
pub fn run(data_dir: &Path, url: &DatabaseUrl, dry_run: bool) -> Result<(), AppError> {
    let source = Db::open(&data_dir.join(sqlite::FILE))?;
    let target = Pg::connect(url)?;
    content_key(data_dir, &target, dry_run)?;
    let mut differences = Vec::new();
    for table in &TABLES {
        copy(&source, &target, table, dry_run, &mut differences)?;
        // The next tables' rows refer to this one's.
        if !differences.is_empty() {
            break;
        }
    }
    if differences.is_empty() {
        compare_counts(&source, &target, dry_run, &mut differences)?;
    }
    if dry_run {
        println!("dry run: nothing copied");
    }
    if differences.is_empty() {
        println!("every row is in PostgreSQL");
        return Ok(());
    }
    for how in &differences {
        println!("difference: {how}");
    }
    Err(AppError::Conflict(format!(
        "{} difference(s) between the data directory's SQLite and PostgreSQL (listed above); nothing there was overwritten",
        differences.len()
    )))
}

/// The data directory's content key into `settings`, which must not hold
/// another: the links and content URLs signed with either would break.
fn content_key(data_dir: &Path, target: &Pg, dry_run: bool) -> Result<(), AppError> {
    let path = data_dir.join(KEY_FILE);
    let key = match std::fs::read(&path) {
        Ok(key) => key,
        // Nothing was ever signed: a server on PostgreSQL makes its own.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("content key: none in the data directory");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let stored = match dry_run {
        true => target.stored_content_key()?,
        false => Some(target.store_content_key(key.clone())?),
    };
    match stored {
        Some(stored) if stored != key => Err(AppError::Conflict(format!(
            "the database's content_key setting is another key than {}: content URLs signed with either would break; \
             migrate into a database without one",
            path.display()
        ))),
        Some(_) => {
            println!("content key: in PostgreSQL");
            Ok(())
        }
        None => {
            println!("content key: would be copied");
            Ok(())
        }
    }
}

/// Copies `table`'s rows that PostgreSQL lacks, then compares each row with
/// PostgreSQL's, adding to `differences` each that differs (or, unless a
/// dry run, is missing).
fn copy(
    source: &Db,
    target: &Pg,
    table: &'static Table,
    dry_run: bool,
    differences: &mut Vec<String>,
) -> Result<(), AppError> {
    let (mut after, mut total, mut copied, mut equal, mut missing) = (0, 0, 0, 0, 0);
    let mut order = Vec::new();
    loop {
        let (last, rows) = source.rows(table, after, BATCH)?;
        if rows.is_empty() {
            break;
        }
        after = last;
        total += rows.len();
        let rows = holdable(table, rows, differences);
        order.extend(rows.iter().map(|row| (id(row), table.ordered.and_then(|by| table.id_in(row, by)))));
        if !dry_run {
            copied += target.insert_rows(table, rows.clone())?;
        }
        let there = target.rows_by_id(table, rows.iter().map(id).collect())?;
        for row in &rows {
            match there.get(&id(row)) {
                Some(found) if found == row => equal += 1,
                Some(found) => differences.push(format!("{} {}: {}", table.name, id(row), unlike(table, row, found))),
                None if dry_run => missing += 1,
                None => differences.push(format!(
                    "{} {}: not in PostgreSQL, where another row has its name or hash",
                    table.name,
                    id(row)
                )),
            }
        }
    }
    let name = table.name;
    if let (Some(by), false) = (table.ordered, dry_run) {
        for of in out_of_order(target, table, by, &order)? {
            differences.push(format!("{name} of {of}: in another order in PostgreSQL (seq), which listings follow"));
        }
    }
    match dry_run {
        true => println!("{name}: {total} here, {equal} of them equal in PostgreSQL, {missing} to copy"),
        false => println!("{name}: {total} here, {copied} copied, {equal} equal in PostgreSQL"),
    }
    Ok(())
}

/// The rows PostgreSQL can hold: a NUL character in a text, which SQLite
/// keeps (tool results took one before they were refused) and
/// PostgreSQL's text cannot, leaves its row out, named in `differences`.
fn holdable(table: &Table, rows: Vec<Row>, differences: &mut Vec<String>) -> Vec<Row> {
    let mut held = Vec::with_capacity(rows.len());
    for row in rows {
        let mut columns = table.columns.iter().zip(&row);
        let nul = columns.find(|(_, v)| matches!(v, Value::Text(Some(t)) if t.contains('\0'))).map(|((c, _), _)| *c);
        match nul {
            Some(column) => differences.push(format!(
                "{} {}: a NUL character in {column}, which PostgreSQL cannot hold: remove it in SQLite and run again",
                table.name,
                id(&row)
            )),
            None => held.push(row),
        }
    }
    held
}

/// The users or conversations (the column `by`) whose rows PostgreSQL has
/// in another order than `order` gives (ids, each with its `by`), among
/// rows of its own.
fn out_of_order(
    target: &Pg,
    table: &'static Table,
    by: &'static str,
    order: &[(Uuid, Option<Uuid>)],
) -> Result<Vec<Uuid>, AppError> {
    let grouped = |rows: &mut dyn Iterator<Item = (Uuid, Uuid)>| {
        let mut groups: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        rows.for_each(|(id, of)| groups.entry(of).or_default().push(id));
        groups
    };
    let ours: HashSet<Uuid> = order.iter().map(|(id, _)| *id).collect();
    let here = grouped(&mut order.iter().filter_map(|(id, of)| Some((*id, (*of)?))));
    let there = grouped(&mut target.ids_in_order(table, by)?.into_iter().filter(|(id, _)| ours.contains(id)));
    Ok(here.into_iter().filter(|(of, ids)| there.get(of) != Some(ids)).map(|(of, _)| of).collect())
}

/// The columns in which `found` differs from `row` (named, not shown: some
/// are password or token hashes).
fn unlike(table: &Table, row: &Row, found: &Row) -> String {
    let columns = table.columns.iter().zip(row.iter().zip(found)).filter(|(_, (a, b))| a != b);
    let names: Vec<&str> = columns.map(|((name, _), _)| *name).collect();
    format!("another {} in PostgreSQL", names.join(", "))
}

/// Prints the rows per table and per user, here and in PostgreSQL, adding
/// each count that differs to `differences` (unless a dry run, which copied
/// nothing).
fn compare_counts(source: &Db, target: &Pg, dry_run: bool, differences: &mut Vec<String>) -> Result<(), AppError> {
    let mut per_user: BTreeMap<String, Vec<String>> = BTreeMap::new();
    println!("rows here / in PostgreSQL:");
    for table in &TABLES {
        let ((here, here_by), (there, there_by)): (Counts, Counts) = (source.counts(table)?, target.counts(table)?);
        println!("{}: {here} / {there}", table.name);
        let mut unequal = vec![(here, there, None)];
        let users: BTreeSet<&String> = here_by.keys().chain(there_by.keys()).collect();
        for user in users {
            let (a, b) = (here_by.get(user).copied().unwrap_or(0), there_by.get(user).copied().unwrap_or(0));
            per_user.entry(user.clone()).or_default().push(format!("{} {a} / {b}", table.name));
            unequal.push((a, b, Some(user)));
        }
        for (a, b, user) in unequal.into_iter().filter(|(a, b, _)| a != b && !dry_run) {
            let of = user.map(|u| format!(" of user {u}")).unwrap_or_default();
            differences.push(format!("{}{of}: {a} here, {b} in PostgreSQL", table.name));
        }
    }
    for (user, counts) in per_user {
        println!("user {user}: {}", counts.join(", "));
    }
    Ok(())
}
