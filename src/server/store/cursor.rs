//! Cursors: where a walk through a listing stands, given to the client as an
//! opaque string (`next_cursor`) and taken back (`cursor`). A cursor names
//! the place of the last artifact given, not the artifact, so the walk goes
//! on exactly after it whatever is added or deleted meanwhile, that artifact
//! included; and with its listing, filter, search and order, so that it is
//! never read against another.

use super::catalog::memory::Rank;
use crate::model::{ArtifactQuery, QueryError, TypeFilter};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::{Decodes, Encodes};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The first byte of every cursor: a later layout gets another, and a
/// cursor of one this server does not read is refused, not misread.
const VERSION: u8 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The conversation listed, or none for all the user's artifacts.
    pub conversation: Option<Uuid>,
    pub kind: TypeFilter,
    pub q: String,
    /// The last artifact's place, which says the order too.
    pub after: Rank,
    /// How many artifacts the walk had been given before the next window:
    /// its page, which PostgreSQL could only know by counting every row
    /// before the place, as deep an answer as an offset's.
    pub start: u64,
}

impl Cursor {
    /// Base64url (no padding) of the version and the postcard encoding
    /// (postcard, as the server functions answer).
    pub fn encode(&self) -> String {
        let mut bytes = vec![VERSION];
        bytes.extend(<PostcardEncoding as Encodes<Self>>::encode(self).expect("a cursor serialises"));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Only what [`Self::encode`] makes, byte for byte: a cursor with bytes
    /// added, changed into another encoding or cut is refused.
    pub fn decode(text: &str) -> Result<Self, QueryError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| QueryError::Cursor)?;
        let Some((&VERSION, body)) = bytes.split_first() else { return Err(QueryError::Cursor) };
        <PostcardEncoding as Decodes<Self>>::decode(body.to_vec().into())
            .ok()
            .filter(|c: &Self| c.q.chars().count() <= ArtifactQuery::MAX_SEARCH_CHARS as usize && c.encode() == text)
            .ok_or(QueryError::Cursor)
    }

    /// The query a request with this cursor asks: the cursor's filter,
    /// search and order, which the request's `given` parameters may repeat
    /// but not change, with the request's size. `page` cannot come with it.
    pub fn query<'a>(
        &self,
        parsed: ArtifactQuery,
        given: impl IntoIterator<Item = &'a str>,
    ) -> Result<ArtifactQuery, QueryError> {
        let q = ArtifactQuery { kind: self.kind, sort: self.after.sort(), q: self.q.clone(), ..parsed.clone() };
        for key in given {
            let (key, mine, theirs) = match key {
                "page" => return Err(QueryError::PageAndCursor),
                "type" => ("type", q.kind.as_str(), parsed.kind.as_str()),
                "sort" => ("sort", q.sort.as_str(), parsed.sort.as_str()),
                "q" => ("q", q.q.as_str(), parsed.q.as_str()),
                _ => continue,
            };
            if mine != theirs {
                return Err(QueryError::CursorQuery(key, mine.into(), theirs.into()));
            }
        }
        Ok(q)
    }

    /// Refuses the cursor of another listing than `conversation`'s (none:
    /// all the user's artifacts).
    pub fn check_listing(&self, conversation: Option<Uuid>) -> Result<(), QueryError> {
        if self.conversation == conversation {
            return Ok(());
        }
        let of = |c: Option<Uuid>| c.map_or("all your artifacts".into(), |c| format!("conversation {c}'s artifacts"));
        Err(QueryError::CursorListing(of(self.conversation), of(conversation)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GalleryType, Sort};
    use std::cmp::Reverse;

    fn cursor() -> Cursor {
        Cursor {
            conversation: Some(Uuid::from_u128(9)),
            kind: TypeFilter::Only(GalleryType::Code),
            q: "chart".into(),
            after: Rank::Name("a.py".into(), Reverse((-5, Uuid::from_u128(3)))),
            start: 48,
        }
    }

    fn message(e: QueryError) -> String {
        e.to_string()
    }

    #[test]
    fn round_trips_and_refuses_what_it_did_not_make() {
        let text = cursor().encode();
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{text}");
        assert_eq!(Cursor::decode(&text).unwrap(), cursor());
        let bytes = URL_SAFE_NO_PAD.decode(&text).unwrap();
        let mut other_version = bytes.clone();
        other_version[0] = 1;
        let mut longer = bytes.clone();
        longer.push(0);
        for bad in [
            String::new(),
            "not base64!".into(),
            "AA==".into(),
            URL_SAFE_NO_PAD.encode(&other_version),
            URL_SAFE_NO_PAD.encode(longer),
            URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() - 1]),
        ] {
            assert!(message(Cursor::decode(&bad).unwrap_err()).contains("Invalid cursor"), "{bad}");
        }
    }

    #[test]
    fn a_request_may_repeat_its_cursors_query_but_not_change_it() {
        let c = cursor();
        let asked = |pairs: &[(&str, &str)]| {
            let parsed = ArtifactQuery::from_pairs(pairs.iter().copied()).unwrap();
            c.query(parsed, pairs.iter().map(|(k, _)| *k))
        };
        let q = asked(&[("size", "5")]).unwrap();
        assert_eq!((q.kind, q.sort, q.q.as_str(), q.size), (c.kind, Sort::Name, "chart", 5));
        assert_eq!(
            asked(&[("sort", "name"), ("type", "code"), ("q", " chart ")]).unwrap(),
            ArtifactQuery { size: 24, ..q }
        );
        for (pairs, needle) in [
            (&[("page", "2")][..], "Give page or cursor, not both"),
            (&[("sort", "size")], "continues a listing with sort=name, not sort=size"),
            (&[("type", "all")], "with type=code, not type=all"),
            (&[("q", "")], "with q=chart, not q=: leave q out"),
        ] {
            let err = message(asked(pairs).unwrap_err());
            assert!(err.contains(needle), "{err}");
        }
        assert!(c.check_listing(Some(Uuid::from_u128(9))).is_ok());
        let err = message(c.check_listing(None).unwrap_err());
        assert!(
            err.contains("of conversation 00000000-0000-0000-0000-000000000009's artifacts, not of all your"),
            "{err}"
        );
    }
}
