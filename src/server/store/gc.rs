//! `vitrine gc`: removes what start-up never lists and nothing will ever
//! read again, through `Blobs` only, so in the data directory and in a
//! bucket alike:
//!
//! - data files without a sidecar: ingest writes the data first, so a crash
//!   (or a failed delete) before the sidecar leaves one;
//! - temp files (`.tmp-*`): writes and uploads a crash interrupted;
//! - cached cards (`cache/cards/{uuid}.*`) of versions that have no sidecar;
//! - sidecars whose data file is gone (an object store's bulk delete keeps
//!   no order): start-up never lists them, as it needs the data;
//! - with PostgreSQL, the data, sidecars and cards of deleted versions
//!   (`deleted_versions`' tombstones), whatever their age: a crash between
//!   a deletion's commit and its removals leaves them. The tombstones of
//!   versions none of whose keys are left then go (`Meta::forget_tombstones`).
//!
//! Else nothing younger than the grace is touched: a server on the same store
//! writes data before its sidecar, and a card after its version, within a
//! request, so a grace longer than any request keeps it out of their way.
//! A key whose id has its counterpart (data and sidecar) is never removed
//! unless its version is deleted, so neither is anything start-up lists.

use super::blobs::local::TEMP_PREFIX;
use super::blobs::{Blobs, Listed, CARDS};
use std::collections::HashSet;
use std::io;
use std::time::{Duration, SystemTime};
use uuid::Uuid;

/// What a key left behind is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Data,
    Temp,
    Card,
    Sidecar,
    Deleted,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Data, Kind::Temp, Kind::Card, Kind::Sidecar, Kind::Deleted];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Data => "data files without metadata",
            Kind::Temp => "temp files",
            Kind::Card => "cached cards of deleted versions",
            Kind::Sidecar => "metadata files without data",
            Kind::Deleted => "files of deleted versions",
        }
    }
}

/// A key that `gc` removes (or, dry, would).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Orphan {
    pub kind: Kind,
    pub key: String,
    pub size: u64,
}

/// What `gc` found.
pub struct Collected {
    /// The keys it removes (or, dry, would).
    pub orphans: Vec<Orphan>,
    /// The deleted versions that had no key left when listed.
    pub gone: Vec<Uuid>,
}

/// Finds what was left behind and older than `grace`, and the keys of
/// `deleted` versions, and removes them unless `dry_run`.
pub fn collect(blobs: &Blobs, grace: Duration, dry_run: bool, deleted: &HashSet<Uuid>) -> io::Result<Collected> {
    // Taken before listing: a key written while the listing runs is younger still.
    let now = SystemTime::now();
    let conversations = blobs.list("conversations")?;
    let cards = blobs.list(CARDS)?;
    let old = |l: &Listed| now.duration_since(l.modified).is_ok_and(|age| age >= grace);
    let (found, left) = orphans(&conversations, &cards, deleted);
    let orphans: Vec<Orphan> = found
        .into_iter()
        .filter(|(l, kind)| *kind == Kind::Deleted || old(l))
        .map(|(l, kind)| Orphan { kind, key: l.key.clone(), size: l.size })
        .collect();
    if !dry_run {
        blobs.delete(orphans.iter().map(|o| o.key.clone()));
    }
    // Those whose keys go now are forgotten by the next run, once it finds them gone.
    let gone = deleted.difference(&left).copied().collect();
    Ok(Collected { orphans, gone })
}

/// A key of an artifacts folder: its folder, and the version id it belongs to.
enum Stored<'a> {
    Data(&'a str, Uuid),
    Sidecar(&'a str, Uuid),
    Temp,
    Other,
}

fn stored(key: &str) -> Stored<'_> {
    let Some((folder, name)) = key.rsplit_once('/') else { return Stored::Other };
    if name.starts_with(TEMP_PREFIX) {
        return Stored::Temp;
    }
    let in_artifacts = matches!(folder.split('/').collect::<Vec<_>>()[..], ["conversations", _, "artifacts"]);
    let (id, sidecar) = match name.strip_suffix(".meta.json") {
        Some(id) => (id, true),
        None => (name.split('.').next().unwrap_or_default(), false),
    };
    match (in_artifacts, id.parse::<Uuid>()) {
        (true, Ok(id)) if sidecar => Stored::Sidecar(folder, id),
        (true, Ok(id)) => Stored::Data(folder, id),
        _ => Stored::Other,
    }
}

/// Every key left behind, whatever its age, and the `deleted` versions
/// that have keys.
fn orphans<'a>(
    conversations: &'a [Listed],
    cards: &'a [Listed],
    deleted: &HashSet<Uuid>,
) -> (Vec<(&'a Listed, Kind)>, HashSet<Uuid>) {
    let (mut data, mut sidecars) = (HashSet::new(), HashSet::new());
    for l in conversations {
        match stored(&l.key) {
            Stored::Data(folder, id) => data.insert((folder, id)),
            Stored::Sidecar(folder, id) => sidecars.insert((folder, id)),
            Stored::Temp | Stored::Other => false,
        };
    }
    let (mut found, mut left) = (Vec::new(), HashSet::new());
    // Versions with a sidecar that stays, by id: their cards stay too.
    let mut versions = HashSet::new();
    for l in conversations {
        match stored(&l.key) {
            Stored::Data(_, id) | Stored::Sidecar(_, id) if deleted.contains(&id) => {
                left.insert(id);
                found.push((l, Kind::Deleted));
            }
            Stored::Data(folder, id) if !sidecars.contains(&(folder, id)) => found.push((l, Kind::Data)),
            Stored::Sidecar(folder, id) if !data.contains(&(folder, id)) => found.push((l, Kind::Sidecar)),
            Stored::Sidecar(_, id) => {
                versions.insert(id);
            }
            Stored::Temp => found.push((l, Kind::Temp)),
            Stored::Data(..) | Stored::Other => {}
        }
    }
    for l in cards {
        let name = l.key.rsplit('/').next().unwrap_or_default();
        let id = name.split('.').next().unwrap_or_default().parse::<Uuid>();
        match id {
            _ if name.starts_with(TEMP_PREFIX) => found.push((l, Kind::Temp)),
            Ok(id) if deleted.contains(&id) => {
                left.insert(id);
                found.push((l, Kind::Deleted));
            }
            Ok(id) if !versions.contains(&id) => found.push((l, Kind::Card)),
            _ => {}
        }
    }
    (found, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(keys: &[String]) -> Vec<Listed> {
        keys.iter().map(|k| Listed { key: k.clone(), size: 1, modified: SystemTime::UNIX_EPOCH }).collect()
    }

    #[test]
    fn only_keys_without_their_counterpart_are_left_behind() {
        let (c, d) = ("conversations/c/artifacts", "conversations/d/artifacts");
        let (whole, legacy, lone, bare) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (deleted, forgotten) = (Uuid::new_v4(), Uuid::new_v4());
        let conversations = listed(&[
            format!("{c}/{whole}.tar.gz"),
            format!("{c}/{whole}.meta.json"),
            // Data named without an extension, as names without a plain one are.
            format!("{c}/{legacy}"),
            format!("{c}/{legacy}.meta.json"),
            // A sidecar claims the data of its own folder only.
            format!("{d}/{whole}.tar.gz"),
            format!("{c}/{lone}.meta.json"),
            format!("{c}/.tmp-x"),
            // A deleted version's keys, whole.
            format!("{c}/{deleted}.txt"),
            format!("{c}/{deleted}.meta.json"),
            // None of gc's: not named by an id, or not in an artifacts folder.
            format!("{c}/notes.txt"),
            format!("{c}/sub/{bare}.txt"),
            format!("conversations/c/{bare}.txt"),
        ]);
        let cards = listed(&[
            format!("{CARDS}/{whole}.webp"),
            format!("{CARDS}/{lone}.json"),
            format!("{CARDS}/{bare}.json"),
            format!("{CARDS}/.tmp-y.webp"),
            format!("{CARDS}/readme"),
            format!("{CARDS}/{deleted}.webp"),
        ]);
        let (found, left) = orphans(&conversations, &cards, &HashSet::from([deleted, forgotten]));
        let found: Vec<_> = found.into_iter().map(|(l, kind)| (l.key.as_str(), kind)).collect();
        let expected = [
            (format!("{d}/{whole}.tar.gz"), Kind::Data),
            (format!("{c}/{lone}.meta.json"), Kind::Sidecar),
            (format!("{c}/.tmp-x"), Kind::Temp),
            (format!("{c}/{deleted}.txt"), Kind::Deleted),
            (format!("{c}/{deleted}.meta.json"), Kind::Deleted),
            (format!("{CARDS}/{lone}.json"), Kind::Card),
            (format!("{CARDS}/{bare}.json"), Kind::Card),
            (format!("{CARDS}/.tmp-y.webp"), Kind::Temp),
            (format!("{CARDS}/{deleted}.webp"), Kind::Deleted),
        ];
        assert_eq!(found, expected.iter().map(|(k, kind)| (k.as_str(), *kind)).collect::<Vec<_>>());
        assert_eq!(left, HashSet::from([deleted]), "the forgotten version has no key left");
    }
}
