//! The files of the card-thumbnail figures: one of each kind the server
//! makes a card face for. Small ones are the tests' fixtures, made by real
//! producers (tests/fixtures/cards/make.py); large ones are generated here
//! from the seed. Each round uploads a new version of each, its bytes
//! changed where the format lets them change without changing what is
//! drawn (a comment, a metadata field, a trailing box or chunk), so that
//! every round's thumbnail is one the server has never made.

use crate::dataset;
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, ImageFormat, Rgb, RgbImage, RgbaImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f32::consts::TAU;
use std::io::{Cursor, Write};
use std::path::Path;

pub struct CardFile {
    /// What the report calls it.
    pub label: String,
    /// Its name in the conversation: every round's upload is a version of it.
    pub name: &'static str,
    /// Made by the child `vitrine thumbnail` (server::cards::make's list).
    pub child: bool,
    bytes: Vec<u8>,
}

impl CardFile {
    fn new(label: impl Into<String>, name: &'static str, child: bool, bytes: Vec<u8>) -> CardFile {
        CardFile { label: label.into(), name, child, bytes }
    }

    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The bytes of round `round`'s version.
    pub fn version(&self, round: u32) -> Vec<u8> {
        let mut bytes = self.bytes.clone();
        let mark = format!("bench round {round}");
        let ext = self.name.rsplit('.').next().unwrap_or_default();
        match ext {
            // A tEXt chunk before IEND.
            "png" => {
                let at = bytes.len() - 12;
                let mut chunk = b"tEXt".to_vec();
                chunk.extend(b"Comment\0");
                chunk.extend(mark.as_bytes());
                let mut crc = flate2::Crc::new();
                crc.update(&chunk);
                let mut whole = ((chunk.len() - 4) as u32).to_be_bytes().to_vec();
                whole.extend(chunk);
                whole.extend(crc.sum().to_be_bytes());
                bytes.splice(at..at, whole);
            }
            // A COM segment after SOI.
            "jpg" => {
                let mut segment = vec![0xFF, 0xFE];
                segment.extend(((mark.len() + 2) as u16).to_be_bytes());
                segment.extend(mark.as_bytes());
                bytes.splice(2..2, segment);
            }
            // A comment extension before the trailer.
            "gif" => {
                let at = bytes.len() - 1;
                let mut extension = vec![0x21, 0xFE, mark.len() as u8];
                extension.extend(mark.as_bytes());
                extension.push(0);
                bytes.splice(at..at, extension);
            }
            // After %%EOF, where readers look back for the cross-reference table.
            "pdf" => bytes.extend(format!("%{mark}\n").as_bytes()),
            "svg" | "html" | "md" => bytes.extend(format!("<!-- {mark} -->\n").as_bytes()),
            "py" => bytes.extend(format!("# {mark}\n").as_bytes()),
            "csv" => bytes.extend(format!("{round},{mark}\n").as_bytes()),
            "ipynb" => {
                let mut notebook: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                notebook["metadata"]["bench"] = mark.into();
                bytes = serde_json::to_vec(&notebook).unwrap();
            }
            "xlsx" | "skill" | "docx" | "pptx" => {
                let mut archive = zip::ZipWriter::new_append(Cursor::new(bytes)).unwrap();
                archive.set_comment(mark).unwrap();
                bytes = archive.finish().unwrap().into_inner();
            }
            // Font tables are found by their offsets: padding after them is never read.
            "ttf" => bytes.extend(round.to_be_bytes()),
            // A chunk after the data, and the RIFF size to match.
            "wav" => {
                bytes.extend(b"bnch");
                bytes.extend(4u32.to_le_bytes());
                bytes.extend(round.to_le_bytes());
                let riff = (bytes.len() - 8) as u32;
                bytes[4..8].copy_from_slice(&riff.to_le_bytes());
            }
            // A `free` box at the end.
            "mp4" => {
                bytes.extend(12u32.to_be_bytes());
                bytes.extend(b"free");
                bytes.extend(round.to_be_bytes());
            }
            other => panic!("no way to make a new version of a .{other}"),
        }
        bytes
    }
}

/// One file of each kind, in the report's order.
pub fn all(seed: u64) -> Vec<CardFile> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let fixture = |path: &str| std::fs::read(fixtures.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7415);
    let rows = 20_000;
    let (skill, members) = dataset::skill(&mut rng);
    vec![
        CardFile::new("PNG, 4000 × 3000", "chart.png", false, encode(&photo(&mut rng, 4000, 3000), ImageFormat::Png)),
        CardFile::new("JPEG, 3000 × 2000", "photo.jpg", false, encode(&photo(&mut rng, 3000, 2000), ImageFormat::Jpeg)),
        CardFile::new("GIF, animated, 640 × 480, 24 frames", "loop.gif", false, animation(&mut rng, 640, 480, 24)),
        CardFile::new("PDF, 3 pages (fpdf2)", "report.pdf", true, fixture("cards/report.pdf")),
        CardFile::new("SVG, scatter plot of 2,000 points with text", "scatter.svg", true, scatter(&mut rng, 2000)),
        CardFile::new("CSV, 5 MB", "measurements.csv", false, csv(&mut rng, 5_000_000)),
        CardFile::new("XLSX, 2 sheets (openpyxl)", "sales.xlsx", true, fixture("cards/sales.xlsx")),
        CardFile::new(
            format!("XLSX, {} rows × 8", crate::report::thousands(rows as f64)),
            "ledger.xlsx",
            true,
            workbook(&mut rng, rows),
        ),
        CardFile::new("DOCX (python-docx)", "plan.docx", true, fixture("previews/plan.docx")),
        CardFile::new("PPTX, 2 slides (python-pptx)", "roadmap.pptx", true, fixture("previews/roadmap.pptx")),
        CardFile::new("HTML page, 24 KB, with a sibling image", "report.html", false, page(&mut rng)),
        CardFile::new(format!("`.skill`, {} members", members.len()), "toolkit.skill", true, skill),
        CardFile::new("Notebook (nbformat)", "analysis.ipynb", false, fixture("previews/analysis.ipynb")),
        CardFile::new("Markdown, 20 KB", "notes.md", false, markdown(&mut rng)),
        CardFile::new("Python, 12 KB", "train.py", false, code(&mut rng)),
        CardFile::new("Font, TrueType (DejaVu Sans, cut down)", "sample.ttf", true, fixture("cards/sample.ttf")),
        CardFile::new("Audio, WAV, 2 s", "tone.wav", true, fixture("cards/tone.wav")),
        CardFile::new("Video, MP4 (H.264), 3 s", "clip.mp4", true, fixture("cards/clip.mp4")),
    ]
}

fn encode(picture: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Smooth colour fields with a little grain: compresses like a rendered
/// figure or a photograph, not like noise or a flat colour.
fn photo(rng: &mut ChaCha8Rng, width: u32, height: u32) -> RgbImage {
    let (fx, fy) = (rng.gen_range(2.0..6.0f32), rng.gen_range(2.0..6.0f32));
    let mut grain = ChaCha8Rng::seed_from_u64(rng.gen());
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let wave = ((u * fx * TAU).sin() * (v * fy * TAU).cos() + 1.0) * 60.0;
        let g: u8 = grain.gen_range(0..12);
        Rgb([(u * 200.0) as u8 + g, wave as u8 + g, (v * 200.0) as u8 + g])
    })
}

/// A moving disc, like an agent's matplotlib animation.
fn animation(rng: &mut ChaCha8Rng, width: u32, height: u32, frames: u32) -> Vec<u8> {
    let radius = rng.gen_range(30.0..60.0f32);
    let mut out = Vec::new();
    {
        // The fastest quantiser: the harness makes the file once a run.
        let mut encoder = GifEncoder::new_with_speed(&mut out, 30);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        for f in 0..frames {
            let cx = width as f32 * (0.2 + 0.6 * f as f32 / frames as f32);
            let picture = RgbaImage::from_fn(width, height, |x, y| {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - height as f32 / 2.0).powi(2)).sqrt();
                if d < radius {
                    image::Rgba([220, 60, 40, 255])
                } else {
                    image::Rgba([250, 250, (200 + y * 50 / height) as u8, 255])
                }
            });
            encoder.encode_frame(Frame::from_parts(picture, 0, 0, Delay::from_numer_denom_ms(80, 1))).unwrap();
        }
    }
    out
}

fn scatter(rng: &mut ChaCha8Rng, points: u32) -> Vec<u8> {
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"600\" viewBox=\"0 0 800 600\">\n\
         <rect width=\"800\" height=\"600\" fill=\"white\"/>\n\
         <text x=\"400\" y=\"30\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"20\">Latency against load</text>\n\
         <path d=\"M60 550 H780 M60 550 V50\" stroke=\"black\"/>\n",
    );
    for i in 0..=10 {
        let x = 60 + i * 72;
        svg += &format!("<text x=\"{x}\" y=\"570\" font-family=\"sans-serif\" font-size=\"12\">{}</text>\n", i * 10);
    }
    for _ in 0..points {
        let (x, y) = (rng.gen_range(60.0..780.0f32), rng.gen_range(50.0..550.0f32));
        svg += &format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#3366cc\" fill-opacity=\"0.6\"/>\n");
    }
    (svg + "</svg>\n").into_bytes()
}

fn csv(rng: &mut ChaCha8Rng, size: usize) -> Vec<u8> {
    let header = "run,step,metric,value,note\n".to_string();
    let body = dataset::text(rng, size, |r, w| {
        format!("{},{},loss,{:.4},{w}", r.gen_range(0..50), r.gen_range(0..10_000), r.gen_range(0.0..3.0f32))
    });
    (header + &body).into_bytes()
}

fn page(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let body = dataset::text(rng, 24_000, |_, w| format!("<p>{w}</p>"));
    format!(
        "<!doctype html><html><head><title>Quarterly analysis</title><style>body{{font-family:sans-serif}}</style>\
         </head><body><h1>Results</h1><img src=\"chart.png\" alt=\"chart\">\n{body}</body></html>\n"
    )
    .into_bytes()
}

fn markdown(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let body =
        dataset::text(rng, 20_000, |r, w| if r.gen_bool(0.1) { format!("\n## {w}\n") } else { format!("- {w}") });
    format!("# Notes from the run\n\n{body}").into_bytes()
}

fn code(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let body = dataset::text(rng, 12_000, |r, w| format!("    x_{} = \"{w}\"", r.gen_range(0..1000)));
    format!("import numpy as np\n\n\ndef train(model, data):\n{body}\n").into_bytes()
}

/// A workbook of `rows` rows (numbers and inline strings) as Excel lays it
/// out: calamine reads the whole first sheet to show its first rows.
fn workbook(rng: &mut ChaCha8Rng, rows: u64) -> Vec<u8> {
    let rels = |rel: &str| {
        format!(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rel}</Relationships>"
        )
    };
    let rel = |kind: &str, target: &str| {
        format!("<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>")
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut part = |name: &str, text: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    part(
        "[Content_Types].xml",
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
    );
    part("_rels/.rels", &rels(&rel("officeDocument", "xl/workbook.xml")));
    part("xl/_rels/workbook.xml.rels", &rels(&rel("worksheet", "worksheets/sheet1.xml")));
    part(
        "xl/workbook.xml",
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <sheets><sheet name=\"Ledger\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
    );
    let mut sheet =
        String::from("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    for r in 1..=rows {
        sheet += &format!("<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>item {r}</t></is></c>");
        for col in b'B'..=b'H' {
            sheet += &format!("<c r=\"{}{r}\"><v>{:.2}</v></c>", col as char, rng.gen_range(0.0..10_000.0f64));
        }
        sheet += "</row>";
    }
    part("xl/worksheets/sheet1.xml", &(sheet + "</sheetData></worksheet>"));
    zip.finish().unwrap().into_inner()
}
