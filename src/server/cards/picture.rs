//! Card pictures, at most `EDGE` pixels on their longer side: raster
//! images scaled in the server; SVGs, PDFs' first pages and fonts' letters
//! drawn in the child (`child.rs`).

use super::EDGE;
use crate::error::AppError;
use crate::model::{CardFace, Glyph};
use crate::server::store::blobs::local::write_atomic;
use std::path::Path;
use std::sync::Arc;

/// A drawn picture, as WebP.
pub struct Made {
    pub webp: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn unreadable(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("{what} could not be drawn: {e}"))
}

/// The scale that fits `width` × `height` into the card's square.
fn fit(width: f32, height: f32) -> f32 {
    EDGE as f32 / width.max(height).max(1.0)
}

/// Scales a raster image into `target`. Decodes with limits, so a small file
/// claiming huge dimensions (an image bomb) fails instead of allocating them.
pub fn raster(source: &Path, target: &Path, name: &str) -> Result<CardFace, AppError> {
    let mut reader = image::ImageReader::open(source)?.with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let picture = match reader.decode() {
        Ok(picture) => picture.thumbnail(EDGE, EDGE),
        Err(e) => {
            tracing::info!("no thumbnail for {name}: {e}");
            return Ok(CardFace::Icon(Glyph::Image));
        }
    };
    let webp = webp(picture.width(), picture.height(), picture.into_rgba8().into_raw())?;
    let dir = target.parent().expect("thumbnail path has a folder");
    std::fs::create_dir_all(dir)?;
    write_atomic(dir, &target.file_name().expect("file name").to_string_lossy(), &webp.webp)?;
    Ok(CardFace::Picture { width: webp.width, height: webp.height, caption: None })
}

/// Straight (not premultiplied) RGBA pixels as lossless WebP, which
/// browsers take as readily as PNG: on the demo's card pictures a fifth
/// smaller than the image crate's PNG.
fn webp(width: u32, height: u32, rgba: Vec<u8>) -> Result<Made, AppError> {
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(&rgba, width, height, image::ExtendedColorType::Rgba8)
        .map_err(|e| AppError::Internal(format!("thumbnail encoding: {e}")))?;
    Ok(Made { webp, width, height })
}

/// The first page of a PDF, and the page count.
pub fn pdf(bytes: Vec<u8>) -> Result<(Made, u32), AppError> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::vello_cpu::color::palette::css::WHITE;
    let pdf = hayro::hayro_syntax::Pdf::new(bytes).map_err(|e| unreadable("The PDF", format!("{e:?}")))?;
    let pages = pdf.pages();
    let page = pages.first().ok_or_else(|| unreadable("The PDF", "it has no pages"))?;
    let (width, height) = page.render_dimensions();
    let scale = fit(width, height);
    let settings = hayro::PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE };
    let cache = hayro::RenderCache::new();
    let pixmap = hayro::render(page, &cache, &InterpreterSettings::default(), &Default::default(), &settings);
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // Drawn on white, so every pixel is opaque and premultiplied is straight.
    Ok((webp(width, height, pixmap.data_as_u8_slice().to_vec())?, pages.len() as u32))
}

/// An SVG without its scripts (usvg runs none) and without anything
/// outside it: images are read from `data:` URLs only, never from a path or
/// the network. Its text is set in the system's fonts, or in `fonts`.
pub fn svg(bytes: &[u8], fonts: Option<resvg::usvg::fontdb::Database>) -> Result<Made, AppError> {
    use resvg::usvg;
    let mut options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..Default::default()
    };
    match fonts {
        Some(fonts) => options.fontdb = Arc::new(fonts),
        None => {
            let fonts = options.fontdb_mut();
            fonts.load_system_fonts();
            name_generic_families(fonts);
        }
    }
    let tree = usvg::Tree::from_data(bytes, &options).map_err(|e| unreadable("The SVG", e))?;
    let size = tree.size();
    let scale = fit(size.width(), size.height());
    let (width, height) = ((size.width() * scale).round() as u32, (size.height() * scale).round() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| unreadable("The SVG", "it has no size"))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    webp(pixmap.width(), pixmap.height(), pixmap.take_demultiplied())
}

/// fontdb knows each generic family by one name (sans-serif is Arial),
/// which a Linux server rarely has, and usvg draws no text it finds no font
/// for: each generic family is named after the first of a few common
/// families that is installed.
fn name_generic_families(fonts: &mut resvg::usvg::fontdb::Database) {
    let installed = |names: &[&str]| {
        let has = |name: &str| fonts.faces().any(|f| f.families.iter().any(|(family, _)| family == name));
        names.iter().find(|name| has(name)).map(|name| name.to_string())
    };
    let sans = installed(&["Arial", "Liberation Sans", "DejaVu Sans", "Noto Sans"]);
    let serif = installed(&["Times New Roman", "Liberation Serif", "DejaVu Serif", "Noto Serif"]);
    let mono = installed(&["Courier New", "Liberation Mono", "DejaVu Sans Mono", "Noto Sans Mono"]);
    if let Some(sans) = sans {
        fonts.set_sans_serif_family(sans);
    }
    if let Some(serif) = serif {
        fonts.set_serif_family(serif);
    }
    if let Some(mono) = mono {
        fonts.set_monospace_family(mono);
    }
}

/// Letters set in a font file, and the font's family name.
pub fn font(bytes: Vec<u8>) -> Result<(Made, String), AppError> {
    let mut fonts = resvg::usvg::fontdb::Database::new();
    fonts.load_font_data(bytes);
    let family = fonts.faces().next().and_then(|f| f.families.first()).map(|(name, _)| name.clone());
    let family = family.ok_or_else(|| unreadable("The font", "it has no font face"))?;
    let sample = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="480" height="240"><rect width="480" height="240" fill="white"/><text x="240" y="170" text-anchor="middle" font-family="{}" font-size="140">Aa Gg</text></svg>"#,
        quick_xml::escape::escape(family.as_str())
    );
    Ok((svg(sample.as_bytes(), Some(fonts))?, family))
}

#[cfg(test)]
mod tests {
    /// Text set in a generic family is drawn in an installed font: dark
    /// pixels where the letters are, on a white card.
    #[test]
    fn generic_families_draw_text() {
        for family in ["sans-serif", "serif", "monospace"] {
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="480" height="120"><rect width="480" height="120" fill="white"/><text x="10" y="90" font-family="{family}" font-size="80">Vitrine</text></svg>"#
            );
            let made = super::svg(svg.as_bytes(), None).unwrap();
            let picture = image::load_from_memory(&made.webp).unwrap().into_rgba8();
            let dark = picture.pixels().filter(|p| p.0[0] < 128).count();
            assert!(dark > 1_000, "{family}: {dark} dark pixels");
        }
    }
}
