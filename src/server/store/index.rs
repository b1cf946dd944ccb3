//! The in-memory index over the files: every listing and lookup is answered
//! from here, never by walking the disk. Listings are kept sorted by
//! (created, id), so a page is a slice: its cost does not grow with the page
//! number or the size of the collection.

use super::sidecar::Sidecar;
use crate::model::{Counts, GalleryType, TypeFilter};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Sort key: creation time in nanoseconds since the epoch, then id.
pub type Key = (i128, Uuid);

#[derive(Clone, Debug)]
pub struct ConversationEntry {
    pub id: Uuid,
    pub owner: Uuid,
    pub title: String,
    pub created_at: String,
}

/// One ordered listing (a user's or a conversation's), oldest first, with a
/// copy per gallery type so filtered pages are slices too.
#[derive(Default)]
pub struct Listing {
    all: Vec<Key>,
    types: [Vec<Key>; 4],
}

fn insert_sorted(v: &mut Vec<Key>, key: Key) {
    // New artifacts are the newest, so this is almost always a push.
    let at = v.partition_point(|k| *k < key);
    v.insert(at, key);
}

fn remove_sorted(v: &mut Vec<Key>, key: &Key) {
    if let Ok(at) = v.binary_search(key) {
        v.remove(at);
    }
}

impl Listing {
    fn insert(&mut self, key: Key, kind: GalleryType) {
        insert_sorted(&mut self.all, key);
        insert_sorted(&mut self.types[kind.index()], key);
    }

    fn remove(&mut self, key: &Key, kind: GalleryType) {
        remove_sorted(&mut self.all, key);
        remove_sorted(&mut self.types[kind.index()], key);
    }

    fn keys(&self, filter: TypeFilter) -> &[Key] {
        match filter {
            TypeFilter::All => &self.all,
            TypeFilter::Only(t) => &self.types[t.index()],
        }
    }

    pub fn counts(&self) -> Counts {
        let n = |t: GalleryType| self.types[t.index()].len() as u64;
        Counts {
            all: self.all.len() as u64,
            images: n(GalleryType::Images),
            html: n(GalleryType::Html),
            code: n(GalleryType::Code),
            files: n(GalleryType::Files),
        }
    }

    /// Page `page` (1-based) of `size`, newest first.
    pub fn page(&self, filter: TypeFilter, page: u32, size: u32) -> impl Iterator<Item = &Key> {
        let keys = self.keys(filter);
        let skip = (u64::from(page.max(1)) - 1).saturating_mul(u64::from(size));
        let end = (keys.len() as u64).saturating_sub(skip) as usize;
        let start = end.saturating_sub(size as usize);
        keys[start..end].iter().rev()
    }
}

#[derive(Default)]
pub struct Index {
    pub conversations: HashMap<Uuid, ConversationEntry>,
    pub artifacts: HashMap<Uuid, Arc<Sidecar>>,
    by_owner: HashMap<Uuid, Listing>,
    by_conversation: HashMap<Uuid, Listing>,
    /// Every artifact at one virtual path of a conversation, oldest first:
    /// the newest answers, and the one before it once that is deleted.
    by_path: HashMap<(Uuid, String), Vec<Key>>,
    /// How many artifacts lie below each virtual folder of a conversation,
    /// so a path can be told to be a folder without listing anything.
    folders: HashMap<(Uuid, String), u64>,
}

/// The folders above a virtual path: `a/b/c.txt` → `a/b`, `a`.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

pub fn key_of(meta: &Sidecar) -> Key {
    let created = time::OffsetDateTime::parse(&meta.created_at, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp_nanos())
        .unwrap_or_default();
    (created, meta.id)
}

impl Index {
    pub fn add_conversation(&mut self, entry: ConversationEntry) {
        self.conversations.insert(entry.id, entry);
    }

    /// Adds an artifact of a known conversation; others are ignored (and
    /// reported false) so that a stray folder on disk cannot be listed.
    pub fn insert(&mut self, meta: Arc<Sidecar>) -> bool {
        let Some(owner) = self.conversations.get(&meta.conversation_id).map(|c| c.owner) else {
            return false;
        };
        let key = key_of(&meta);
        self.by_owner.entry(owner).or_default().insert(key, meta.kind);
        self.by_conversation.entry(meta.conversation_id).or_default().insert(key, meta.kind);
        insert_sorted(self.by_path.entry((meta.conversation_id, meta.path.clone())).or_default(), key);
        for folder in parents(&meta.path) {
            *self.folders.entry((meta.conversation_id, folder.to_string())).or_default() += 1;
        }
        self.artifacts.insert(meta.id, meta);
        true
    }

    pub fn remove(&mut self, id: Uuid) -> Option<Arc<Sidecar>> {
        let meta = self.artifacts.remove(&id)?;
        let key = key_of(&meta);
        if let Some(owner) = self.conversations.get(&meta.conversation_id).map(|c| c.owner) {
            if let Some(l) = self.by_owner.get_mut(&owner) {
                l.remove(&key, meta.kind);
            }
        }
        if let Some(l) = self.by_conversation.get_mut(&meta.conversation_id) {
            l.remove(&key, meta.kind);
        }
        let path_key = (meta.conversation_id, meta.path.clone());
        if let Some(v) = self.by_path.get_mut(&path_key) {
            remove_sorted(v, &key);
            if v.is_empty() {
                self.by_path.remove(&path_key);
            }
        }
        for folder in parents(&meta.path) {
            let folder_key = (meta.conversation_id, folder.to_string());
            if let Some(n) = self.folders.get_mut(&folder_key) {
                *n -= 1;
                if *n == 0 {
                    self.folders.remove(&folder_key);
                }
            }
        }
        Some(meta)
    }

    pub fn owner_listing(&self, owner: Uuid) -> Option<&Listing> {
        self.by_owner.get(&owner)
    }

    pub fn conversation_listing(&self, conversation: Uuid) -> Option<&Listing> {
        self.by_conversation.get(&conversation)
    }

    /// The newest artifact at a virtual path of a conversation.
    pub fn at_path(&self, conversation: Uuid, path: &str) -> Option<&Arc<Sidecar>> {
        let (_, id) = self.by_path.get(&(conversation, path.to_string()))?.last()?;
        self.artifacts.get(id)
    }

    pub fn is_folder(&self, conversation: Uuid, path: &str) -> bool {
        self.folders.contains_key(&(conversation, path.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i128) -> Key {
        (n, Uuid::from_u128(n as u128))
    }

    #[test]
    fn pages_are_newest_first_slices() {
        let mut l = Listing::default();
        for n in [3, 1, 5, 2, 4] {
            l.insert(key(n), if n % 2 == 0 { GalleryType::Code } else { GalleryType::Images });
        }
        fn page(l: &Listing, f: TypeFilter, p: u32, s: u32) -> Vec<i128> {
            l.page(f, p, s).map(|k| k.0).collect()
        }
        assert_eq!(page(&l, TypeFilter::All, 1, 2), [5, 4]);
        assert_eq!(page(&l, TypeFilter::All, 2, 2), [3, 2]);
        assert_eq!(page(&l, TypeFilter::All, 3, 2), [1]);
        assert!(page(&l, TypeFilter::All, 4, 2).is_empty());
        assert!(page(&l, TypeFilter::All, u32::MAX, 100).is_empty());
        assert_eq!(page(&l, TypeFilter::Only(GalleryType::Code), 1, 10), [4, 2]);
        l.remove(&key(4), GalleryType::Code);
        assert_eq!(page(&l, TypeFilter::All, 1, 10), [5, 3, 2, 1]);
        assert_eq!(l.counts(), Counts { all: 4, images: 3, html: 0, code: 1, files: 0 });
    }

    #[test]
    fn parents_of_a_path() {
        assert_eq!(parents("a/b/c.txt").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(parents("c.txt").count(), 0);
    }
}
