//! The faces made in a child process, `vitrine thumbnail INPUT --name NAME
//! --mime TYPE --out WEBP`: it prints the face as JSON and writes the picture,
//! if the face has one, to WEBP. The server gives the picture its URL.

use super::{archive, document, media, picture, text, CHILD_TIMEOUT};
use crate::error::AppError;
use crate::model::{CardFace, Glyph};
use crate::server::config::Config;
use crate::server::filetype::{self, Thumbnail};
use crate::server::store::blobs::local::write_atomic;
use crate::server::store::sidecar::Sidecar;
use std::ffi::OsStr;
use std::path::Path;

/// The face of `input` made by the child. A file the child fails on (too
/// slow, too large, unreadable) gets an icon; only a child that could not
/// run at all is an error.
pub async fn run(config: &Config, input: &Path, meta: &Sidecar, picture: &Path) -> Result<CardFace, AppError> {
    if config.converter.is_none() {
        return Err(AppError::Internal("card faces made in a child process are turned off".into()));
    }
    let args = [
        OsStr::new("thumbnail"),
        input.as_os_str(),
        OsStr::new("--name"),
        OsStr::new(&meta.name),
        OsStr::new("--mime"),
        OsStr::new(&meta.mime_type),
        OsStr::new("--out"),
        picture.as_os_str(),
    ];
    let timeout = config.convert_timeout.min(CHILD_TIMEOUT);
    match crate::server::convert::limited(config, timeout, &args).await {
        Ok(out) => serde_json::from_slice(&out).map_err(|e| AppError::Internal(format!("card face: {e}"))),
        Err(reason) => {
            tracing::info!("no card face for {}: {reason}", meta.id);
            Ok(CardFace::Icon(Glyph::File))
        }
    }
}

/// `vitrine thumbnail`: the child's side.
pub fn main(input: &Path, name: &str, mime: &str, out: &Path) -> Result<(), AppError> {
    let kind = filetype::thumbnail(mime, name);
    let face = match kind {
        Some(Thumbnail::Svg) => save(picture::svg(&std::fs::read(input)?, None)?, out, None)?,
        Some(Thumbnail::Pdf) => {
            let (made, pages) = picture::pdf(std::fs::read(input)?)?;
            let caption = format!("{pages} page{}", if pages == 1 { "" } else { "s" });
            save(made, out, Some(caption))?
        }
        Some(Thumbnail::Font) => {
            let (made, family) = picture::font(std::fs::read(input)?)?;
            save(made, out, Some(family))?
        }
        Some(Thumbnail::Workbook) => text::workbook(std::fs::read(input)?)?,
        Some(Thumbnail::Archive) => archive::face(input)?,
        Some(Thumbnail::Document) => document::face(&std::fs::read(input)?, name)?,
        Some(kind @ (Thumbnail::Audio | Thumbnail::Video)) => media::face(input, name, kind),
        _ => return Err(AppError::BadRequest(format!("'{name}' has no card face made apart"))),
    };
    println!("{}", serde_json::to_string(&face).expect("a face serialises"));
    Ok(())
}

/// Writes a made picture where the server keeps it.
fn save(made: picture::Made, out: &Path, caption: Option<String>) -> Result<CardFace, AppError> {
    let dir = out.parent().ok_or_else(|| AppError::BadRequest("--out needs a folder".into()))?;
    std::fs::create_dir_all(dir)?;
    write_atomic(dir, &out.file_name().unwrap_or_default().to_string_lossy(), &made.webp)?;
    Ok(CardFace::Picture { width: made.width, height: made.height, caption })
}
