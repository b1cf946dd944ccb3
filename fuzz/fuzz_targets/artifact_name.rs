//! Artifact names: whatever the validator accepts, joined to a folder, stays
//! below it; the stored file name keeps only a short alphanumeric extension.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Component, Path};
use vitrine::server::store::names;

fuzz_target!(|name: &str| {
    if names::validate(name).is_ok() {
        assert!(name.len() <= names::MAX_NAME_BYTES);
        let joined = Path::new("/data/outputs").join(name);
        assert!(joined.starts_with("/data/outputs"), "{name:?}");
        assert!(
            joined.components().skip(3).all(|c| matches!(c, Component::Normal(_))),
            "{name:?} has a component that is not a plain name"
        );
    }
    if let Some(ext) = names::stored_extension(name) {
        assert!(ext.len() <= 16 && ext.bytes().all(|b| b.is_ascii_alphanumeric()), "{name:?} → {ext:?}");
    }
});
