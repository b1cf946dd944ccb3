//! Names and paths come from agents' tools, uploads and URLs and are
//! treated as hostile: only plain relative paths of ordinary segments are
//! accepted, by one rule that artifact names, upload names and thread paths
//! all follow.

use crate::error::AppError;

pub const MAX_NAME_BYTES: usize = 255;

/// Why a path is not a plain relative path of ordinary segments.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("contains control characters")]
    Control,
    #[error("contains a backslash")]
    Backslash,
    #[error("is absolute")]
    Absolute,
    #[error("has an empty, '.' or '..' segment")]
    Segment,
}

/// The segment rule: no control character, no backslash, not absolute, and
/// no segment empty, `.` or `..`.
pub fn check_segments(path: &str) -> Result<(), PathError> {
    if path.chars().any(char::is_control) {
        Err(PathError::Control)
    } else if path.contains('\\') {
        Err(PathError::Backslash)
    } else if path.starts_with('/') {
        Err(PathError::Absolute)
    } else if path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        Err(PathError::Segment)
    } else {
        Ok(())
    }
}

/// An artifact's name: a relative path of at most [`MAX_NAME_BYTES`].
pub fn validate(name: &str) -> Result<(), AppError> {
    if name.is_empty() {
        return Err(AppError::BadRequest("Artifact name is empty".into()));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(AppError::BadRequest(format!("Artifact name is longer than {MAX_NAME_BYTES} bytes")));
    }
    check_segments(name).map_err(|e| AppError::BadRequest(format!("Artifact name '{}' {e}", name.escape_debug())))
}

/// The extension kept in the stored file name `{uuid}.{ext}`: short and
/// plain, so that nothing of the agent's name but a few letters reaches disk.
pub fn stored_extension(name: &str) -> Option<String> {
    crate::model::extension(name).filter(|e| e.len() <= 16 && e.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `name`, or the first of `name_1.ext`, `name_2.ext`... not in `taken`.
pub fn unique_name(name: &str, taken: &std::collections::HashSet<String>) -> String {
    if !taken.contains(name) {
        return name.to_string();
    }
    // The extension is the last component's: a dot in a folder is not one.
    let file_start = name.rfind('/').map_or(0, |i| i + 1);
    let (stem, ext) = match name[file_start..].rfind('.') {
        Some(dot) if dot > 0 => name.split_at(file_start + dot),
        _ => (name, ""),
    };
    (1..).map(|n| format!("{stem}_{n}{ext}")).find(|c| !taken.contains(c)).expect("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_relative_names() {
        for ok in ["a.txt", "plots/chart.png", "deep/er/x", ".hidden", "名前.md", "with space.csv"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
            assert_eq!(check_segments(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_hostile_names() {
        let long = "a".repeat(256);
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a/..",
            "./a",
            "a//b",
            "a/",
            "a\\b",
            "..\\x",
            "a\0b",
            "a\nb",
            "a\u{7f}b",
            &long,
        ] {
            assert!(validate(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(validate(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn clashing_names_get_suffixes() {
        let taken = ["a.txt".to_string(), "a_1.txt".to_string(), "noext".to_string(), "d.x/f".to_string()].into();
        assert_eq!(unique_name("a.txt", &taken), "a_2.txt");
        assert_eq!(unique_name("b.txt", &taken), "b.txt");
        assert_eq!(unique_name("noext", &taken), "noext_1");
        assert_eq!(unique_name("d.x/f", &taken), "d.x/f_1");
    }

    #[test]
    fn stored_extension_is_plain() {
        assert_eq!(stored_extension("Chart.PNG").as_deref(), Some("png"));
        assert_eq!(stored_extension("archive.tar.gz").as_deref(), Some("gz"));
        assert_eq!(stored_extension("noext"), None);
        assert_eq!(stored_extension(".bashrc"), None);
        assert_eq!(stored_extension("x.a b"), None);
    }
}
