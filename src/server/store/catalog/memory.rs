//! The in-memory index over the files (SQLite mode): every listing and
//! lookup is answered from here, never by walking the disk. Listings are kept sorted by
//! (created, id), so a page is a slice: its cost does not grow with the page
//! number or the size of the collection, and a cursor's page is found by a
//! binary search.

use super::{to_artifact, Page};
use crate::model::{Artifact, ArtifactQuery, ArtifactRef, Conversation, Counts, GalleryType, Sort, TypeFilter};
use crate::server::meta::ConversationRecord;
use crate::server::store::sidecar::Sidecar;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Sort key: creation time in nanoseconds since the epoch, then id.
pub type Key = (i128, Uuid);

/// An artifact's place in one order, compared as that order shows them:
/// what a cursor keeps of the last artifact it gave. The key breaks ties,
/// so no two artifacts share a place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rank {
    Newest(Reverse<Key>),
    Oldest(Key),
    /// The lowercased name; one name's artifacts newest first.
    Name(String, Reverse<Key>),
    /// Largest first; one size's artifacts newest first.
    Size(Reverse<(u64, Key)>),
}

impl Rank {
    /// The place of `meta`, whose key is `key`, in the order `sort`.
    pub fn new(sort: Sort, key: Key, meta: &Sidecar) -> Self {
        match sort {
            Sort::Newest => Self::Newest(Reverse(key)),
            Sort::Oldest => Self::Oldest(key),
            Sort::Name => Self::Name(meta.name.to_lowercase(), Reverse(key)),
            Sort::Size => Self::Size(Reverse((meta.size, key))),
        }
    }

    /// The order this is a place in.
    pub fn sort(&self) -> Sort {
        match self {
            Self::Newest(_) => Sort::Newest,
            Self::Oldest(_) => Sort::Oldest,
            Self::Name(..) => Sort::Name,
            Self::Size(_) => Sort::Size,
        }
    }

    fn key(&self) -> Key {
        match self {
            Self::Newest(Reverse(k)) | Self::Oldest(k) | Self::Name(_, Reverse(k)) | Self::Size(Reverse((_, k))) => *k,
        }
    }
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
        Counts::from_fn(|f| self.keys(f).len() as u64)
    }

    /// The keys under a query's filter, search and order, and the counts per
    /// type among the matches. The default newest-first listing, and
    /// oldest-first, are slices of the kept order; a search or another order
    /// is one pass over the listing and a sort of the matches. A search
    /// finds the artifacts whose name, or whose conversation's title,
    /// contains it, ignoring case.
    pub fn select<'a>(
        &'a self,
        q: &ArtifactQuery,
        artifacts: &HashMap<Uuid, Versions>,
        conversations: &HashMap<Uuid, ConversationRecord>,
    ) -> (Selection<'a>, Counts) {
        match q.sort {
            Sort::Newest if q.q.is_empty() => return (Selection::NewestFirst(self.keys(q.kind)), self.counts()),
            Sort::Oldest if q.q.is_empty() => return (Selection::OldestFirst(self.keys(q.kind)), self.counts()),
            _ => {}
        }
        let needle = q.q.to_lowercase();
        // Each conversation's title is compared once, not once per artifact.
        let mut titled = HashMap::new();
        let mut found = |meta: &Sidecar| {
            needle.is_empty()
                || meta.name.to_lowercase().contains(&needle)
                || *titled.entry(meta.conversation_id).or_insert_with(|| {
                    conversations
                        .get(&meta.conversation_id)
                        .is_some_and(|c| c.conversation.title.to_lowercase().contains(&needle))
                })
        };
        let mut counts = Counts::default();
        let mut picked: Vec<Rank> = Vec::new();
        for key in &self.all {
            let Some(meta) = artifacts.get(&key.1).map(Versions::latest) else { continue };
            if !found(meta) {
                continue;
            }
            counts.add(meta.kind);
            if q.kind.matches(meta.kind) {
                picked.push(Rank::new(q.sort, *key, meta));
            }
        }
        // Places are unique: an unstable sort gives the one order.
        picked.sort_unstable();
        (Selection::Ordered(picked), counts)
    }
}

/// The keys of a listing in the order a query shows them.
pub enum Selection<'a> {
    /// Kept oldest first: read backwards.
    NewestFirst(&'a [Key]),
    OldestFirst(&'a [Key]),
    Ordered(Vec<Rank>),
}

impl Selection<'_> {
    pub fn total(&self) -> usize {
        match self {
            Self::NewestFirst(k) | Self::OldestFirst(k) => k.len(),
            Self::Ordered(r) => r.len(),
        }
    }

    fn get(&self, at: usize) -> Option<Key> {
        match self {
            Self::NewestFirst(k) => k.len().checked_sub(at + 1).map(|i| k[i]),
            Self::OldestFirst(k) => k.get(at).copied(),
            Self::Ordered(r) => r.get(at).map(Rank::key),
        }
    }

    /// The place of the key at `at`.
    pub fn rank(&self, at: usize) -> Option<Rank> {
        match self {
            Self::NewestFirst(_) => self.get(at).map(|k| Rank::Newest(Reverse(k))),
            Self::OldestFirst(k) => k.get(at).map(|k| Rank::Oldest(*k)),
            Self::Ordered(r) => r.get(at).cloned(),
        }
    }

    /// Where page `page` (1-based) of `size` starts.
    pub fn page_start(&self, page: u32, size: u32) -> usize {
        let start = (u64::from(page.max(1)) - 1).saturating_mul(u64::from(size));
        usize::try_from(start).unwrap_or(usize::MAX).min(self.total())
    }

    /// Where the keys after the place `after` start (of the same order; the
    /// artifact there may be gone): a binary search.
    pub fn start_after(&self, after: &Rank) -> usize {
        match self {
            // Kept oldest first: the ones after `after` are the oldest.
            Self::NewestFirst(k) => k.len() - k.partition_point(|x| Rank::Newest(Reverse(*x)) > *after),
            Self::OldestFirst(k) => k.partition_point(|x| Rank::Oldest(*x) <= *after),
            Self::Ordered(r) => r.partition_point(|x| x <= after),
        }
    }

    /// At most `size` keys from `start`.
    pub fn window(&self, start: usize, size: u32) -> Vec<Key> {
        let end = start.saturating_add(size as usize).min(self.total());
        (start..end).filter_map(|at| self.get(at)).collect()
    }

    /// Page `page` (1-based) of `size`.
    pub fn page(&self, page: u32, size: u32) -> Vec<Key> {
        self.window(self.page_start(page, size), size)
    }

    /// The keys just before and just after `key`.
    pub fn neighbours(&self, key: &Key) -> (Option<Key>, Option<Key>) {
        let at = match self {
            Self::NewestFirst(k) => k.binary_search(key).ok().map(|i| k.len() - 1 - i),
            Self::OldestFirst(k) => k.binary_search(key).ok(),
            Self::Ordered(r) => r.iter().position(|x| x.key() == *key),
        };
        match at {
            Some(at) => (at.checked_sub(1).and_then(|i| self.get(i)), self.get(at + 1)),
            None => (None, None),
        }
    }
}

/// The versions of one artifact, by number; the last is the latest, the
/// one listings, searches and virtual paths show.
pub struct Versions {
    list: Vec<Arc<Sidecar>>,
    /// The highest number given in this run, so that a deleted latest
    /// version's number is not given again to other bytes.
    high: u32,
}

impl Versions {
    pub fn latest(&self) -> &Arc<Sidecar> {
        self.list.last().expect("an artifact has at least one version")
    }

    /// Oldest first.
    pub fn all(&self) -> &[Arc<Sidecar>] {
        &self.list
    }

    pub fn get(&self, version: u32) -> Option<&Arc<Sidecar>> {
        self.list.binary_search_by_key(&version, |m| m.version).ok().map(|at| &self.list[at])
    }

    pub fn count(&self) -> u32 {
        self.list.len() as u32
    }

    /// The number the next version gets.
    pub fn next(&self) -> u32 {
        self.high + 1
    }
}

#[derive(Default)]
pub struct Index {
    pub conversations: HashMap<Uuid, ConversationRecord>,
    /// By artifact id.
    pub artifacts: HashMap<Uuid, Versions>,
    /// The artifact of each version whose id is not the artifact's own
    /// (versions 2 and later): transcripts name versions by their id.
    version_of: HashMap<Uuid, Uuid>,
    by_owner: HashMap<Uuid, Listing>,
    by_conversation: HashMap<Uuid, Listing>,
    /// Every artifact at one virtual path of a conversation, oldest first:
    /// the newest answers, and the one before it once that is deleted.
    /// Only data from before versions has several: each is kept as it was.
    by_path: HashMap<(Uuid, String), Vec<Key>>,
    /// How many artifacts lie below each virtual folder of a conversation,
    /// so a path can be told to be a folder without listing anything.
    folders: HashMap<(Uuid, String), u64>,
}

/// The folders above a virtual path: `a/b/c.txt` → `a/b`, `a`.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// An artifact's place in listings: its latest version's creation, then its id.
pub fn key_of(meta: &Sidecar) -> Key {
    let created = time::OffsetDateTime::parse(&meta.created_at, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp_nanos())
        .unwrap_or_default();
    (created, meta.artifact_id())
}

impl Index {
    pub fn add_conversation(&mut self, record: ConversationRecord) {
        self.conversations.insert(record.conversation.id, record);
    }

    /// Adds a version of an artifact of a known conversation; others are
    /// ignored (and reported false) so that a stray folder on disk cannot be
    /// listed.
    pub fn insert(&mut self, meta: Arc<Sidecar>) -> bool {
        if !self.conversations.contains_key(&meta.conversation_id) {
            return false;
        }
        let id = meta.artifact_id();
        if meta.id != id {
            self.version_of.insert(meta.id, id);
        }
        let Some(versions) = self.artifacts.get_mut(&id) else {
            self.list(&meta);
            for folder in parents(&meta.path) {
                *self.folders.entry((meta.conversation_id, folder.to_string())).or_default() += 1;
            }
            self.artifacts.insert(id, Versions { high: meta.version, list: vec![meta] });
            return true;
        };
        let before = versions.latest().clone();
        versions.high = versions.high.max(meta.version);
        let at = versions.list.partition_point(|m| m.version <= meta.version);
        versions.list.insert(at, meta);
        self.relist(id, &before);
        true
    }

    /// Adds an artifact's latest version to the listings.
    fn list(&mut self, meta: &Sidecar) {
        let key = key_of(meta);
        if let Some(owner) = self.conversations.get(&meta.conversation_id).map(|c| c.owner) {
            self.by_owner.entry(owner).or_default().insert(key, meta.kind);
        }
        self.by_conversation.entry(meta.conversation_id).or_default().insert(key, meta.kind);
        insert_sorted(self.by_path.entry((meta.conversation_id, meta.path.clone())).or_default(), key);
    }

    /// Takes what [`Index::list`] added out again.
    fn unlist(&mut self, meta: &Sidecar) {
        let key = key_of(meta);
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
    }

    /// Lists the latest version in place of `before` if it changed.
    fn relist(&mut self, id: Uuid, before: &Arc<Sidecar>) {
        let Some(after) = self.latest(&id).cloned() else { return };
        if !Arc::ptr_eq(before, &after) {
            self.unlist(before);
            self.list(&after);
        }
    }

    /// Removes an artifact with all its versions.
    pub fn remove(&mut self, id: Uuid) -> Option<Versions> {
        let versions = self.artifacts.remove(&id)?;
        let latest = versions.latest().clone();
        self.unlist(&latest);
        for m in versions.all() {
            self.version_of.remove(&m.id);
        }
        for folder in parents(&latest.path) {
            let folder_key = (latest.conversation_id, folder.to_string());
            if let Some(n) = self.folders.get_mut(&folder_key) {
                *n -= 1;
                if *n == 0 {
                    self.folders.remove(&folder_key);
                }
            }
        }
        Some(versions)
    }

    /// Removes one version of an artifact that has others.
    pub fn remove_version(&mut self, id: Uuid, version: u32) -> Option<Arc<Sidecar>> {
        let versions = self.artifacts.get_mut(&id)?;
        let at = versions.list.binary_search_by_key(&version, |m| m.version).ok()?;
        if versions.list.len() < 2 {
            return None;
        }
        let before = versions.latest().clone();
        let removed = versions.list.remove(at);
        self.version_of.remove(&removed.id);
        self.relist(id, &before);
        Some(removed)
    }

    /// A version by its own id (what a transcript records).
    pub fn by_version_id(&self, id: Uuid) -> Option<&Arc<Sidecar>> {
        let artifact = self.version_of.get(&id).copied().unwrap_or(id);
        self.artifacts.get(&artifact)?.all().iter().find(|m| m.id == id)
    }

    /// The user's listing, or one of their conversations' (whose owner the
    /// caller has checked).
    pub fn listing(&self, owner: Uuid, conversation: Option<Uuid>) -> Option<&Listing> {
        match conversation {
            Some(c) => self.by_conversation.get(&c),
            None => self.by_owner.get(&owner),
        }
    }

    /// Every artifact of a listing (see [`Index::listing`]) under a query's
    /// filter, search and order, whatever its page.
    pub fn select_all(&self, owner: Uuid, conversation: Option<Uuid>, q: &ArtifactQuery) -> Vec<Arc<Sidecar>> {
        let Some(listing) = self.listing(owner, conversation) else { return vec![] };
        let (selection, _) = listing.select(q, &self.artifacts, &self.conversations);
        selection.page(1, u32::MAX).iter().filter_map(|(_, id)| self.latest(id).cloned()).collect()
    }

    /// An artifact's latest version.
    pub fn latest(&self, id: &Uuid) -> Option<&Arc<Sidecar>> {
        self.artifacts.get(id).map(Versions::latest)
    }

    /// The newest artifact at a virtual path of a conversation.
    pub fn at_path(&self, conversation: Uuid, path: &str) -> Option<&Arc<Sidecar>> {
        let (_, id) = self.by_path.get(&(conversation, path.to_string()))?.last()?;
        self.latest(id)
    }

    pub fn is_folder(&self, conversation: Uuid, path: &str) -> bool {
        self.folders.contains_key(&(conversation, path.to_string()))
    }

    /// Every version of every artifact at a virtual path of a conversation.
    pub fn versions_at(&self, conversation: Uuid, path: &str) -> Vec<Arc<Sidecar>> {
        let keys = self.by_path.get(&(conversation, path.to_string()));
        let artifacts = keys.into_iter().flatten().filter_map(|(_, id)| self.artifacts.get(id));
        artifacts.flat_map(|v| v.all().iter().cloned()).collect()
    }

    pub fn conversation(&self, user: Uuid, id: Uuid) -> Option<Conversation> {
        self.conversations.get(&id).filter(|c| c.owner == user).map(|c| c.conversation.clone())
    }

    /// The user's conversations, newest first.
    pub fn conversations_of(&self, user: Uuid) -> Vec<Conversation> {
        let mut list: Vec<Conversation> =
            self.conversations.values().filter(|c| c.owner == user).map(|c| c.conversation.clone()).collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        list
    }

    /// The API record of a version.
    pub fn record(&self, meta: &Sidecar) -> Artifact {
        let title = self.conversations.get(&meta.conversation_id).map(|c| c.conversation.title.as_str());
        let versions = self.artifacts.get(&meta.artifact_id()).map_or(1, |v| v.count());
        to_artifact(meta, title.unwrap_or_default(), versions)
    }

    pub fn by_version_ids(&self, ids: &[Uuid]) -> HashMap<Uuid, Artifact> {
        ids.iter().filter_map(|id| self.by_version_id(*id)).map(|m| (m.id, self.record(m))).collect()
    }

    /// A window of a listing (see [`Index::listing`]): page `q.page`, or
    /// the `q.size` artifacts after the place `after`.
    pub fn page(&self, owner: Uuid, conversation: Option<Uuid>, q: &ArtifactQuery, after: Option<&Rank>) -> Page {
        let none = Listing::default();
        let listing = self.listing(owner, conversation).unwrap_or(&none);
        let (selection, counts) = listing.select(q, &self.artifacts, &self.conversations);
        let start = match after {
            Some(rank) => selection.start_after(rank),
            None => selection.page_start(q.page, q.size),
        };
        let keys = selection.window(start, q.size);
        let end = start + keys.len();
        let next = (!keys.is_empty() && end < selection.total()).then(|| selection.rank(end - 1)).flatten();
        let items = keys.iter().filter_map(|(_, id)| self.latest(id)).map(|m| self.record(m)).collect();
        Page { items, start, total: selection.total() as u64, counts, next }
    }

    /// The artifacts just before and just after `id` in the user's gallery
    /// under a query's filter, search and order.
    pub fn neighbours(&self, owner: Uuid, id: Uuid, q: &ArtifactQuery) -> (Option<ArtifactRef>, Option<ArtifactRef>) {
        let (Some(meta), Some(listing)) = (self.latest(&id), self.listing(owner, None)) else {
            return (None, None);
        };
        let (previous, next) = listing.select(q, &self.artifacts, &self.conversations).0.neighbours(&key_of(meta));
        let to_ref = |k: Option<Key>| {
            let meta = self.latest(&k?.1)?;
            Some(ArtifactRef { conversation_id: meta.conversation_id, id: meta.artifact_id() })
        };
        (to_ref(previous), to_ref(next))
    }

    /// The newest artifact at each virtual path below `folder`, newest first.
    pub fn under(&self, owner: Uuid, conversation: Uuid, folder: &str) -> Vec<Arc<Sidecar>> {
        let prefix = format!("{folder}/");
        let mut seen = std::collections::HashSet::new();
        self.select_all(owner, Some(conversation), &ArtifactQuery::default())
            .into_iter()
            .filter(|m| m.path.starts_with(&prefix) && seen.insert(m.path.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i128) -> Key {
        (n, Uuid::from_u128(n as u128))
    }

    fn meta(n: i128, name: &str, size: u64, kind: GalleryType) -> Arc<Sidecar> {
        Arc::new(Sidecar {
            id: Uuid::from_u128(n as u128),
            artifact_id: None,
            version: 1,
            conversation_id: Uuid::nil(),
            name: name.into(),
            size,
            mime_type: "text/plain".into(),
            kind,
            created_at: String::new(),
            tool: "t".into(),
            message_id: Uuid::nil(),
            path: name.into(),
            sha256: String::new(),
        })
    }

    /// Five artifacts, created at 1..=5; even ones are code.
    fn fixture() -> (Listing, HashMap<Uuid, Versions>) {
        let mut l = Listing::default();
        let mut artifacts = HashMap::new();
        for (n, name, size) in
            [(3, "c-Chart.py", 30), (1, "e.png", 10), (5, "a.png", 20), (2, "b-chart.js", 50), (4, "d.png", 40)]
        {
            let kind = if n % 2 == 0 { GalleryType::Code } else { GalleryType::Images };
            l.insert(key(n), kind);
            artifacts.insert(Uuid::from_u128(n as u128), Versions { list: vec![meta(n, name, size, kind)], high: 1 });
        }
        (l, artifacts)
    }

    fn page(l: &Listing, a: &HashMap<Uuid, Versions>, q: ArtifactQuery) -> Vec<i128> {
        l.select(&q, a, &HashMap::new()).0.page(q.page, q.size).into_iter().map(|k| k.0).collect()
    }

    fn query(kind: TypeFilter, sort: Sort, search: &str, page: u32, size: u32) -> ArtifactQuery {
        ArtifactQuery { page, size, kind, sort, q: search.into() }
    }

    #[test]
    fn pages_are_newest_first_slices() {
        let (mut l, a) = fixture();
        let all = |p, s| query(TypeFilter::All, Sort::Newest, "", p, s);
        assert_eq!(page(&l, &a, all(1, 2)), [5, 4]);
        assert_eq!(page(&l, &a, all(2, 2)), [3, 2]);
        assert_eq!(page(&l, &a, all(3, 2)), [1]);
        assert!(page(&l, &a, all(4, 2)).is_empty());
        assert!(page(&l, &a, all(u32::MAX, 100)).is_empty());
        assert_eq!(page(&l, &a, query(TypeFilter::Only(GalleryType::Code), Sort::Newest, "", 1, 10)), [4, 2]);
        assert_eq!(page(&l, &a, query(TypeFilter::All, Sort::Oldest, "", 2, 2)), [3, 4]);
        let (sel, _) = l.select(&all(1, 10), &a, &HashMap::new());
        assert_eq!(sel.neighbours(&key(3)), (Some(key(4)), Some(key(2))));
        assert_eq!(sel.neighbours(&key(5)), (None, Some(key(4))));
        let (images, _) =
            l.select(&query(TypeFilter::Only(GalleryType::Images), Sort::Newest, "", 1, 10), &a, &HashMap::new());
        assert_eq!(images.neighbours(&key(3)), (Some(key(5)), Some(key(1))));
        l.remove(&key(4), GalleryType::Code);
        assert_eq!(page(&l, &a, all(1, 10)), [5, 3, 2, 1]);
        assert_eq!(l.counts(), Counts { all: 4, images: 3, html: 0, code: 1, files: 0 });
    }

    #[test]
    fn search_and_orders() {
        let (l, a) = fixture();
        let q = |sort, search: &str| query(TypeFilter::All, sort, search, 1, 10);
        assert_eq!(page(&l, &a, q(Sort::Name, "")), [5, 2, 3, 4, 1]);
        assert_eq!(page(&l, &a, q(Sort::Size, "")), [2, 4, 3, 5, 1]);
        assert_eq!(page(&l, &a, q(Sort::Newest, "CHART")), [3, 2]);
        assert_eq!(page(&l, &a, q(Sort::Oldest, "chart")), [2, 3]);
        let (sel, counts) =
            l.select(&query(TypeFilter::Only(GalleryType::Code), Sort::Name, "chart", 1, 10), &a, &HashMap::new());
        assert_eq!(counts, Counts { all: 2, images: 1, html: 0, code: 1, files: 0 });
        assert_eq!(sel.page(1, 10), [key(2)]);
        let (by_name, _) = l.select(&q(Sort::Name, ""), &a, &HashMap::new());
        assert_eq!(by_name.neighbours(&key(3)), (Some(key(2)), Some(key(4))));
        assert_eq!(by_name.page(2, 2), [key(3), key(4)]);
    }

    #[test]
    fn the_keys_after_a_place_are_the_rest_of_its_order() {
        let (mut l, a) = fixture();
        for sort in Sort::ALL {
            for (kind, search) in
                [(TypeFilter::All, ""), (TypeFilter::All, "chart"), (TypeFilter::Only(GalleryType::Images), "")]
            {
                let (sel, _) = l.select(&query(kind, sort, search, 1, 10), &a, &HashMap::new());
                let all = sel.page(1, 10);
                for at in 0..all.len() {
                    let rank = sel.rank(at).unwrap();
                    assert_eq!(rank.sort(), sort);
                    assert_eq!(
                        sel.window(sel.start_after(&rank), 2),
                        all[at + 1..].iter().take(2).copied().collect::<Vec<_>>()
                    );
                }
            }
        }
        // The place of an artifact deleted since: the walk goes on after it.
        for (sort, rest) in
            [(Sort::Newest, vec![2, 1]), (Sort::Oldest, vec![4, 5]), (Sort::Name, vec![4, 1]), (Sort::Size, vec![5, 1])]
        {
            let q = query(TypeFilter::All, sort, "", 1, 10);
            let rank = {
                let (sel, _) = l.select(&q, &a, &HashMap::new());
                let at = sel.page(1, 10).iter().position(|k| *k == key(3)).unwrap();
                sel.rank(at).unwrap()
            };
            l.remove(&key(3), GalleryType::Images);
            let (sel, _) = l.select(&q, &a, &HashMap::new());
            assert_eq!(
                sel.window(sel.start_after(&rank), 10).iter().map(|k| k.0).collect::<Vec<_>>(),
                rest,
                "{sort:?}"
            );
            l.insert(key(3), GalleryType::Images);
        }
    }

    /// Version `version` of artifact 1 at `a/b.txt`, created at `created`.
    fn version(version: u32, created: &str) -> Arc<Sidecar> {
        let first = Uuid::from_u128(1);
        Arc::new(Sidecar {
            id: if version == 1 { first } else { Uuid::from_u128(100 + u128::from(version)) },
            artifact_id: (version > 1).then_some(first),
            version,
            created_at: created.into(),
            path: "a/b.txt".into(),
            ..(*meta(1, "b.txt", 1, GalleryType::Files)).clone()
        })
    }

    #[test]
    fn versions_list_as_one_artifact_at_their_latest() {
        let (owner, first) = (Uuid::from_u128(7), Uuid::from_u128(1));
        let mut index = Index::default();
        index.add_conversation(ConversationRecord {
            owner,
            conversation: crate::model::Conversation { id: Uuid::nil(), title: "c".into(), created_at: String::new() },
        });
        // Inserted out of order, as a start-up scan may find them.
        for (v, created) in [(2, "2026-01-02T00:00:00Z"), (1, "2026-01-01T00:00:00Z"), (3, "2026-01-03T00:00:00Z")] {
            assert!(index.insert(version(v, created)));
        }
        let listed = |index: &Index| index.select_all(owner, None, &ArtifactQuery::default());
        assert_eq!(listed(&index).iter().map(|m| m.version).collect::<Vec<_>>(), [3]);
        assert_eq!(index.at_path(Uuid::nil(), "a/b.txt").unwrap().version, 3);
        assert!(index.is_folder(Uuid::nil(), "a"));
        assert_eq!(index.by_version_id(Uuid::from_u128(102)).unwrap().version, 2);
        assert_eq!(index.artifacts[&first].next(), 4);

        assert_eq!(index.remove_version(first, 3).unwrap().version, 3);
        assert_eq!(index.listing(owner, None).unwrap().counts().all, 1);
        assert_eq!(listed(&index)[0].version, 2);
        // A deleted latest number is not given again.
        assert_eq!(index.artifacts[&first].next(), 4);
        assert!(index.remove_version(first, 3).is_none());
        index.remove_version(first, 1).unwrap();
        assert!(index.remove_version(first, 2).is_none(), "the only version stays");

        assert_eq!(index.remove(first).unwrap().count(), 1);
        assert!(listed(&index).is_empty() && !index.is_folder(Uuid::nil(), "a"));
        assert!(index.at_path(Uuid::nil(), "a/b.txt").is_none() && index.by_version_id(Uuid::from_u128(102)).is_none());
    }

    #[test]
    fn parents_of_a_path() {
        assert_eq!(parents("a/b/c.txt").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(parents("c.txt").count(), 0);
    }
}
