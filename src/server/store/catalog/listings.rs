//! Listing pages answered again without reading their rows (PostgreSQL
//! mode). An instance keeps the pages it read, each with the generation its
//! statement read beside it; a page asked again is given when the database's
//! generation is still that one, which costs one lookup of an index instead
//! of the page's rows. Every change to an owner's rows commits an event of
//! that owner in its transaction (ids in commit order), and a rebuild of
//! the rows counts itself, so an unchanged generation is an unchanged page,
//! whichever instance wrote meanwhile: what one acknowledges, the others
//! list at once, as without the cache. The gallery's first page is the page
//! asked most, by every browser of the user at every event it hears.

use super::memory::Rank;
use super::Page;
use crate::model::ArtifactQuery;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::sync::Arc;
use uuid::Uuid;

/// The owner's newest event and the catalog's rebuilds, read in one
/// statement with what they date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation {
    pub event: i64,
    pub rebuilds: i64,
}

/// A listing: its user, conversation, query and cursor's place.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub user: Uuid,
    pub conversation: Option<Uuid>,
    pub q: ArtifactQuery,
    pub after: Option<(Rank, usize)>,
}

#[derive(Clone)]
struct Kept {
    at: Generation,
    page: Arc<Page>,
}

#[derive(Clone)]
struct BySize;

impl Weighter<Key, Kept> for BySize {
    fn weight(&self, key: &Key, kept: &Kept) -> u64 {
        // A record's strings, and about 200 bytes of the rest of it.
        let items = kept.page.items.iter().map(|a| {
            200 + a.name.len() + a.conversation_title.len() + a.mime_type.len() + a.path.len() + 2 * a.url.len()
        });
        (key.q.q.len() + 200 + items.sum::<usize>()) as u64
    }
}

/// Pages kept, up to a total size; none with a size of 0.
#[derive(Clone)]
pub struct Listings(Option<Arc<Cache<Key, Kept, BySize>>>);

impl Listings {
    pub fn new(capacity_bytes: u64) -> Self {
        // quick_cache sizes its tables by a count: pages of 50 records.
        let typical_page = 20 * 1024;
        let pages = (capacity_bytes / typical_page).max(1) as usize;
        Self((capacity_bytes > 0).then(|| Arc::new(Cache::with_weighter(pages, capacity_bytes, BySize))))
    }

    /// The page kept for `key` and the generation it was read at.
    pub fn get(&self, key: &Key) -> Option<(Generation, Arc<Page>)> {
        self.0.as_ref()?.get(key).map(|k| (k.at, k.page))
    }

    /// Keeps `page`, read at `at`, for `key` (a copy of it: none when no
    /// page is kept); gives it back.
    pub fn keep(&self, key: Key, at: Generation, page: Page) -> Page {
        if let Some(cache) = &self.0 {
            cache.insert(key, Kept { at, page: Arc::new(page.clone()) });
        }
        page
    }

    /// Forgets every page: for when the database may have changed unheard
    /// (a listener reconnected, perhaps to another database).
    pub fn clear(&self) {
        if let Some(cache) = &self.0 {
            cache.clear();
        }
    }
}
