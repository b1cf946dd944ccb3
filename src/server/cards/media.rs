//! Audio and video faces: what the file is, and how long it plays where its
//! container says so (symphonia reads the container's headers; nothing is
//! decoded). Runs in the child, as a hostile header costs only the child.

use crate::model::CardFace;
use crate::server::filetype::Thumbnail;
use std::path::Path;
use symphonia::core::formats::probe::Hint;
use symphonia::core::io::MediaSourceStream;

pub fn face(input: &Path, name: &str, kind: Thumbnail) -> CardFace {
    let format = crate::model::extension(name).unwrap_or_default().to_uppercase();
    let what = if kind == Thumbnail::Video { "video" } else { "audio" };
    let label = format!("{format} {what}").trim_start().to_string();
    CardFace::Media { glyph: kind.glyph(), label, seconds: seconds(input, name) }
}

/// The longest track's duration as the container states it.
fn seconds(input: &Path, name: &str) -> Option<u32> {
    let source = MediaSourceStream::new(Box::new(std::fs::File::open(input).ok()?), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = crate::model::extension(name) {
        hint.with_extension(&ext);
    }
    let reader = symphonia::default::get_probe().probe(&hint, source, Default::default(), Default::default()).ok()?;
    let secs = reader
        .tracks()
        .iter()
        .filter_map(|t| t.time_base?.calc_duration(t.duration?))
        .map(|t| t.as_secs_f64())
        .fold(0.0, f64::max);
    // Rounded, and at least a second: a short clip does not read "0:00".
    (secs > 0.0).then(|| secs.round().max(1.0) as u32)
}
