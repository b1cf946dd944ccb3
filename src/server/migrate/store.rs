//! `vitrine migrate --to s3://bucket[/prefix]`, its storage half
//! (docs/scaling.md, "Commands"): copies a data directory's artifacts into
//! a bucket, so that `vitrine serve` with `store` set to that bucket, on the
//! same data directory (whose SQLite keeps users, conversations, messages
//! and the content key), serves the same artifacts at the same URLs.
//!
//! Each version goes data first, then its sidecar: start-up lists a version
//! by its sidecar, so none is listed before its data is whole. Nothing in
//! the bucket is overwritten. A key already there is compared instead (data
//! by SHA-256, streamed, against what its sidecar records; sidecars by
//! their bytes) and a difference reported, so a run killed halfway and run
//! again continues where it stopped. Cards of listed versions are copied
//! too: remaking one costs a child process (a document converted, a picture
//! drawn), copying it one small request.

use crate::error::AppError;
use crate::server::config::Config;
use crate::server::store::blobs::local::Local;
use crate::server::store::blobs::object::{Location, Object};
use crate::server::store::blobs::CARDS;
use crate::server::store::sidecar::Sidecar;
use crate::server::store::spool::Spool;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use uuid::Uuid;

/// Versions (or cards) copied at once.
const AT_ONCE: usize = 8;
/// Data files below this size are read whole and PUT only if absent (one
/// request); larger ones go up in parts, streamed from the file, once the
/// listing has shown their key absent.
const WHOLE_BYTES: u64 = 8 * 1024 * 1024;

/// Copies the artifacts of `config`'s data directory into the bucket at
/// `to`, reached as `serve` reaches its store (`s3_endpoint`, the `AWS_*`
/// variables); `dry_run` only says what it would copy.
pub fn run(config: &Config, to: &Location, dry_run: bool) -> Result<(), AppError> {
    let source = Local::open(&config.data_dir)?;
    let spool = Spool::open(&config.spool_dir, config.spool_bytes)?;
    let target = Object::connect(to, config.s3_endpoint.as_deref(), spool)?;
    copy(&source, &target, to, dry_run)
}

/// Copies every version `source` lists, and their cards, into `target`
/// (which is at `to`), then checks that each is there.
fn copy(source: &Local, target: &Object, to: &Location, dry_run: bool) -> Result<(), AppError> {
    let present = keys(target, to)?;
    let versions = source.versions()?;
    let ids: HashSet<Uuid> = versions.iter().map(|v| v.id).collect();
    // Cards of listed versions not in the bucket yet. One already there
    // stays: the cache holds one drawing or another of the version, either right.
    let cards: Vec<String> = source
        .list(CARDS)?
        .into_iter()
        .map(|l| l.key)
        .filter(|k| card_of(k).is_some_and(|id| ids.contains(&id)) && !present.contains_key(k))
        .collect();
    if dry_run {
        plan(&versions, &cards, &present);
        return Ok(());
    }
    // Each key that differs, with how.
    let differences = Mutex::new(BTreeMap::new());
    each(&versions, |v| {
        if let Some((key, how)) = copy_version(source, target, &present, v)? {
            differences.lock().unwrap().insert(key, how);
        }
        Ok(())
    })?;
    each(&cards, |key| target.put_new(key, &source.read(key).map_err(naming(key))?).map(drop))?;
    let mut differences = differences.into_inner().unwrap();
    check(source, &versions, &keys(target, to)?, &mut differences);
    println!("cards copied: {}", cards.len());
    if differences.is_empty() {
        println!("every version is in {to}");
        return Ok(());
    }
    for (key, how) in &differences {
        println!("difference: {key}: {how}");
    }
    Err(AppError::Conflict(format!(
        "{} difference(s) between the data directory and {to} (listed above); nothing in the bucket was overwritten",
        differences.len()
    )))
}

/// Every key of the bucket's conversations and cards, with its size. The
/// first request: an unreachable bucket fails here, in one line.
fn keys(target: &Object, to: &Location) -> Result<HashMap<String, u64>, AppError> {
    let mut found = HashMap::new();
    for prefix in ["conversations", CARDS] {
        let listed = target.list(prefix).map_err(|e| AppError::Unavailable(format!("cannot list {to}: {e}")))?;
        found.extend(listed.into_iter().map(|l| (l.key, l.size)));
    }
    Ok(found)
}

/// The version id a card's key is named by (none for a temp file's).
fn card_of(key: &str) -> Option<Uuid> {
    key.rsplit('/').next()?.split('.').next()?.parse().ok()
}

/// What a run would do: each data file to copy, then counts.
fn plan(versions: &[Sidecar], cards: &[String], present: &HashMap<String, u64>) {
    let (mut files, mut bytes, mut there) = (0, 0, 0);
    for v in versions {
        let key = v.data_key();
        if present.contains_key(&key) {
            there += 1;
        } else {
            println!("would copy {key} ({} bytes)", v.size);
            (files, bytes) = (files + 1, bytes + v.size);
        }
    }
    println!("would copy {files} files ({bytes} bytes) with their metadata, and {} cards", cards.len());
    println!("already in the bucket, to be compared by SHA-256: {there} files");
    println!("dry run: nothing copied");
}

/// Runs `work` on every item, [`AT_ONCE`] at a time, until one fails.
fn each<T: Sync>(items: &[T], work: impl Fn(&T) -> io::Result<()> + Sync) -> Result<(), AppError> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..AT_ONCE)
            .map(|_| {
                s.spawn(|| {
                    while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if let Err(e) = work(item) {
                            // The others stop after their current item.
                            next.store(items.len(), Ordering::Relaxed);
                            return Err(AppError::Unavailable(format!("copying stopped: {e}")));
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| w.join().expect("a copying thread panicked"))
    })
}

/// Copies a version's data, then its sidecar, each unless it is there
/// already; tells which key differs in the bucket and how, if one does
/// (then the sidecar is not written).
fn copy_version(
    source: &Local,
    target: &Object,
    present: &HashMap<String, u64>,
    v: &Sidecar,
) -> io::Result<Option<(String, String)>> {
    let key = v.data_key();
    let at = naming(&key);
    // Read beneath the data directory (`read_range`, `checked_path`) as a
    // server reads it: never through a symlink planted there.
    let written = match present.contains_key(&key) {
        true => false,
        false if v.size < WHOLE_BYTES => {
            target.put_new(&key, &source.read_range(&key, 0..v.size).map_err(at)?).map_err(at)?
        }
        false => target.put_file(&key, &source.checked_path(&key).map_err(at)?).map(|()| true).map_err(at)?,
    };
    if written {
        println!("copied {key} ({} bytes)", v.size);
    } else {
        let sha256 = target.sha256(&key).map_err(at)?;
        if sha256 != v.sha256 {
            return Ok(Some((key, format!("SHA-256 {sha256} in the bucket, {} in its metadata", v.sha256))));
        }
    }
    let key = v.key();
    let at = naming(&key);
    let bytes = source.read(&key).map_err(at)?;
    if !present.contains_key(&key) && target.put_new(&key, &bytes).map_err(at)? {
        return Ok(None);
    }
    Ok((target.read(&key).map_err(at)? != bytes).then(|| (key.clone(), "other bytes in the bucket".into())))
}

/// An error with the key it happened to in front.
fn naming(key: &str) -> impl Fn(io::Error) -> io::Error + Copy + '_ {
    move |e| io::Error::new(e.kind(), format!("{key}: {e}"))
}

/// Files and bytes of one conversation: in the data directory, and of
/// those, in the bucket.
#[derive(Default)]
struct Counts {
    files: u64,
    bytes: u64,
    files_there: u64,
    bytes_there: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.files_there += other.files_there;
        self.bytes_there += other.bytes_there;
    }

    fn line(&self) -> String {
        let Counts { files, bytes, files_there, bytes_there } = self;
        format!("{files_there} of {files} files, {bytes_there} of {bytes} bytes in the bucket")
    }
}

/// Whether every version's data and sidecar are in the bucket with their
/// sizes (their contents were compared or written just before), and no
/// other version is, adding what is not so to `differences`; prints the
/// counts per conversation, a version counted in the bucket when neither
/// of its keys differs.
fn check(
    source: &Local,
    versions: &[Sidecar],
    there: &HashMap<String, u64>,
    differences: &mut BTreeMap<String, String>,
) {
    let mut counts: BTreeMap<Uuid, Counts> = BTreeMap::new();
    for v in versions {
        let sidecar = std::fs::metadata(source.path(&v.key())).map_or(0, |m| m.len());
        let mut whole = true;
        for (key, size) in [(v.data_key(), v.size), (v.key(), sidecar)] {
            let how = match there.get(&key) {
                Some(&found) if found == size => None,
                Some(&found) => Some(format!("{found} bytes in the bucket, {size} here")),
                None => Some("not in the bucket".into()),
            };
            if let Some(how) = how {
                // What the copy found (other bytes) says more.
                differences.entry(key.clone()).or_insert(how);
            }
            whole &= !differences.contains_key(&key);
        }
        let (files_there, bytes_there) = if whole { (1, v.size) } else { (0, 0) };
        counts.entry(v.conversation_id).or_default().add(&Counts { files: 1, bytes: v.size, files_there, bytes_there });
    }
    // A version deleted in the data directory after an earlier run copied
    // it would be listed again by a server on the bucket.
    let listed: HashSet<String> = versions.iter().map(Sidecar::key).collect();
    for key in there.keys().filter(|k| k.ends_with(".meta.json") && !listed.contains(*k)) {
        let how = "in the bucket, but not a version of the data directory (deleted since it was copied?)";
        differences.insert(key.clone(), how.into());
    }
    let mut total = Counts::default();
    for (conversation, c) in &counts {
        println!("conversation {conversation}: {}", c.line());
        total.add(c);
    }
    println!("total: {} conversations, {}", counts.len(), total.line());
}
