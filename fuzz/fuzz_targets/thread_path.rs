//! The thread API's path check: whatever it accepts stays inside
//! `mnt/user-data`, with no way up, no backslash, no control character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrine::server::vpath;

fuzz_target!(|raw: &str| {
    if let Ok(path) = vpath::check(raw) {
        assert!(path == "mnt" || path == vpath::ROOT || path.starts_with("mnt/user-data/"), "{raw:?} → {path:?}");
        assert!(!path.contains('\\') && !path.chars().any(char::is_control), "{raw:?} → {path:?}");
        assert!(path.split('/').all(|s| !s.is_empty() && s != "." && s != ".."), "{raw:?} → {path:?}");
        if let Some((archive, member)) = vpath::split_archive(&path) {
            assert!(archive.ends_with(".skill") && !member.is_empty() && path.starts_with(archive));
        }
    }
});
