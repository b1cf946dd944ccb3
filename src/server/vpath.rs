//! Virtual paths of the thread API (`mnt/user-data/outputs/...`). They are
//! never joined to a filesystem path — they are looked up in the index — but
//! any attempt to climb out is still refused outright, in every spelling.

use crate::error::AppError;
use percent_encoding::percent_decode_str;

pub const ROOT: &str = "mnt/user-data";

/// How many decoding rounds are checked: catches `%252e%252e` and deeper.
const DECODE_ROUNDS: usize = 4;

/// Checks the raw (still percent-encoded) path of a request and returns it
/// decoded once, with any trailing `/` removed. Leaving the thread's space is
/// 403 `Access denied`.
pub fn check(raw: &str) -> Result<String, AppError> {
    let decoded = decode(raw)?;
    let mut level = decoded.clone();
    for _ in 0..DECODE_ROUNDS {
        if escapes(&level) {
            return Err(AppError::Forbidden);
        }
        let next = decode(&level)?;
        if next == level {
            break;
        }
        level = next;
    }
    let path = decoded.trim_end_matches('/').to_string();
    if path != "mnt" && path != ROOT && !path.starts_with(&format!("{ROOT}/")) {
        return Err(AppError::Forbidden);
    }
    Ok(path)
}

fn decode(s: &str) -> Result<String, AppError> {
    percent_decode_str(s).decode_utf8().map(|c| c.into_owned()).map_err(|_| AppError::Forbidden)
}

fn escapes(path: &str) -> bool {
    super::store::names::check_segments(path.trim_end_matches('/')).is_err()
}

/// Everything but RFC 3986's unreserved characters is encoded in a segment.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A path for a URL, each segment encoded.
pub fn encode(path: &str) -> String {
    let encoded: Vec<String> =
        path.split('/').map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string()).collect();
    encoded.join("/")
}

/// The thread API's URL of a virtual path of `thread`, each segment encoded.
pub fn thread_url(thread: uuid::Uuid, virtual_path: &str) -> String {
    format!("/api/threads/{thread}/artifacts/{}", encode(virtual_path))
}

/// Splits `a/b.skill/x/y` into the archive `a/b.skill` and its member `x/y`;
/// and an Office document's picture, `a/b.docx/word/media/p.png` (or
/// `ppt/media/` of a `.pptx`), into the document and its part, which its
/// preview shows. No other part of an Office document is served.
pub fn split_archive(path: &str) -> Option<(&str, &str)> {
    let skill = path.find(".skill/").map(|at| (at + ".skill".len(), ""));
    // Office extensions in any case (`Deck.PPTX`), as the file-type table reads them.
    let lower = path.to_ascii_lowercase();
    let office = [(".docx/", "word/media/"), (".pptx/", "ppt/media/")]
        .into_iter()
        .filter_map(|(extension, media)| Some((lower.find(extension)? + extension.len() - 1, media)));
    let (end, media) = skill.into_iter().chain(office).min_by_key(|(end, _)| *end)?;
    let (archive, member) = (&path[..end], &path[end + 1..]);
    (!member.is_empty() && (media.is_empty() || is_picture_in(media, member))).then_some((archive, member))
}

/// Whether an Office document's part is a picture a browser shows, straight
/// in the `media` folder (`word/media/`).
pub fn is_picture_in(media: &str, part: &str) -> bool {
    part.strip_prefix(media)
        .is_some_and(|file| !file.contains('/') && crate::server::mime::for_name(file).starts_with("image/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_pass_decoded() {
        assert_eq!(check("mnt/user-data/outputs/a%20b.txt").unwrap(), "mnt/user-data/outputs/a b.txt");
        assert_eq!(check("mnt/user-data/outputs/").unwrap(), "mnt/user-data/outputs");
        assert_eq!(check("mnt/user-data/outputs/%E6%96%87.txt").unwrap(), "mnt/user-data/outputs/文.txt");
    }

    #[test]
    fn escapes_are_forbidden() {
        for bad in [
            "mnt/user-data/../../etc/passwd",
            "mnt/user-data/outputs/%2e%2e/%2e%2e/x",
            "mnt/user-data/outputs/%252e%252e/x",
            "mnt/user-data/outputs/..%2f..%2fx",
            "mnt/user-data/outputs\\..\\x",
            "/etc/passwd",
            "etc/passwd",
            "mnt/user-data/outputs/a%00b",
            "mnt/user-data//outputs",
            "mnt/user-data/./outputs/x",
            "mnt/user-data/outputs/%ff",
        ] {
            assert_eq!(check(bad), Err(AppError::Forbidden), "{bad}");
        }
    }

    #[test]
    fn archive_split() {
        assert_eq!(split_archive("o/my.skill/SKILL.md"), Some(("o/my.skill", "SKILL.md")));
        assert_eq!(split_archive("o/my.skill/scripts/a.sh"), Some(("o/my.skill", "scripts/a.sh")));
        assert_eq!(split_archive("o/my.skill"), None);
        assert_eq!(split_archive("o/my.skill/"), None);
        assert_eq!(split_archive("o/a.docx/word/media/p.png"), Some(("o/a.docx", "word/media/p.png")));
        assert_eq!(split_archive("o/Deck.PPTX/ppt/media/p.jpeg"), Some(("o/Deck.PPTX", "ppt/media/p.jpeg")));
        assert_eq!(split_archive("o/my.skill/a.docx/x.xml"), Some(("o/my.skill", "a.docx/x.xml")));
        for other in ["o/a.docx/word/document.xml", "o/a.docx/ppt/media/p.png", "o/a.docx/word/media/x/p.png"] {
            assert_eq!(split_archive(other), None, "{other}");
        }
        assert_eq!(split_archive("o/a.pptx/docProps/thumbnail.jpeg"), None);
        assert!(!is_picture_in("word/media/", "word/media/x.emf"), "not shown by browsers");
    }
}
