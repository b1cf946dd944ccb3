//! The demo data of `vitrine serve --demo`: a few conversations whose tool
//! results made artifacts of every kind the gallery knows. Everything is
//! generated here, without randomness or clock, so every demo shows the same
//! files and tests can rely on them.

use crate::model::{NewArtifact, ToolResult};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::{Delay, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

pub struct DemoConversation {
    pub title: &'static str,
    pub results: Vec<ToolResult>,
}

/// The demo conversations, oldest first, each with the tool results that made its artifacts.
pub fn conversations() -> Vec<DemoConversation> {
    vec![sales_analysis(), landing_page(), blog_illustrations(), nightly_etl(), churn_model()]
}

fn result(tool: &str, content: impl Into<String>, artifacts: Vec<NewArtifact>) -> ToolResult {
    ToolResult { tool: tool.into(), content: content.into(), artifacts }
}

fn text(name: &str, body: impl Into<String>) -> NewArtifact {
    NewArtifact { name: name.into(), content_base64: None, text: Some(body.into()), mime_type: None }
}

fn binary(name: &str, bytes: &[u8]) -> NewArtifact {
    NewArtifact { name: name.into(), content_base64: Some(STANDARD.encode(bytes)), text: None, mime_type: None }
}

/// Fills `{{key}}` placeholders; templates hold CSS and JS, whose braces
/// `format!` would need escaped.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |out, (key, value)| out.replace(&format!("{{{{{key}}}}}"), value))
}

// ---------------------------------------------------------------------------
// Conversations

fn sales_analysis() -> DemoConversation {
    let sales = Sales::generate();
    let summary = sales.summary();
    let csv = sales.csv();
    let chart = encode(&revenue_chart(&summary), ImageFormat::Png);
    DemoConversation {
        title: "Quarterly sales analysis",
        results: vec![
            result(
                "python_exec",
                format!(
                    ">>> orders = pd.read_excel(\"orders_2024.xlsx\")\n\
                     Loaded {} orders from 2024-01-01 to 2024-12-31 (7 columns).\n\
                     Dropped 0 duplicates, 0 rows without revenue.\n\
                     Total revenue: {}\n\
                     Wrote data/sales_2024.csv ({} bytes) and data/region_targets.tsv",
                    sales.0.len(),
                    dollars(summary.total()),
                    csv.len()
                ),
                vec![text("data/sales_2024.csv", csv), text("data/region_targets.tsv", region_targets(&summary))],
            ),
            result(
                "python_exec",
                format!(
                    "$ python analysis.py data/sales_2024.csv\n{}\nSaved plots/quarterly_revenue.png (800x500)",
                    summary.table()
                ),
                vec![text("analysis.py", ANALYSIS_PY), binary("plots/quarterly_revenue.png", &chart)],
            ),
            result(
                "code_exec",
                "Dry run against warehouse schema sales.orders: OK (16 rows, 0.41 s).\n\
                 The query matches the pandas numbers to the cent.",
                vec![text("queries/revenue_by_region.sql", REVENUE_SQL)],
            ),
            result(
                "template_render",
                "Rendered quarterly_report.html.j2 -> report.html\nRendered summary.pdf (1 page, Letter)",
                vec![
                    text("report.html", report_html(&summary, sales.0.len())),
                    binary("summary.pdf", &pdf(&summary.pdf_lines())),
                ],
            ),
        ],
    }
}

fn landing_page() -> DemoConversation {
    DemoConversation {
        title: "Landing page draft",
        results: vec![
            result(
                "image_generation",
                "Generated 1 image (960x480, lossless WebP).\n\
                 Prompt: abstract hero background, indigo to sky-blue gradient, floating dashboard cards, soft glows",
                vec![binary("landing/hero.webp", &encode(&hero(), ImageFormat::WebP))],
            ),
            result(
                "template_render",
                "Rendered brand/wordmark.svg.j2 -> landing/logo.svg (520x160)",
                vec![text("landing/logo.svg", LOGO_SVG)],
            ),
            result(
                "code_exec",
                "$ npx stylelint landing/styles.css\nNo problems found.\n\
                 $ node --check landing/app.js\n\
                 $ xmllint --noout landing/sitemap.xml\nlanding/sitemap.xml validates",
                vec![
                    text("landing/styles.css", LANDING_CSS),
                    text("landing/app.js", LANDING_JS),
                    text("landing/sitemap.xml", SITEMAP_XML),
                ],
            ),
            result(
                "template_render",
                "Rendered probe.html: it tries to call the artifacts API and to read cookies \
                 from inside the preview, and prints what it got, so we can see what the sandbox allows.",
                vec![text("probe.html", PROBE_HTML)],
            ),
        ],
    }
}

fn blog_illustrations() -> DemoConversation {
    DemoConversation {
        title: "Blog illustrations",
        results: vec![
            result(
                "image_generation",
                "Generated 1 image (2400x1200, JPEG, quality 90).\n\
                 Prompt: wide panorama of layered mountain ridges at dawn, flat vector style, starry sky",
                vec![binary("illustrations/mountain-panorama.jpg", &jpeg(&mountain_panorama(), 90))],
            ),
            result(
                "image_generation",
                "Generated an animated GIF (200x200, 12 frames, 80 ms per frame, loops forever).",
                vec![binary("loading-spinner.gif", &spinner_gif())],
            ),
        ],
    }
}

fn nightly_etl() -> DemoConversation {
    DemoConversation {
        title: "Nightly ETL job",
        results: vec![
            result(
                "code_exec",
                "$ npx tsc --noEmit\n$ npx vitest run\n \
                 ✓ etl/pipeline.test.ts (12 tests) 184ms\n\n \
                 Test Files  1 passed (1)\n      Tests  12 passed (12)",
                vec![
                    text("etl/pipeline.ts", PIPELINE_TS),
                    text("package.json", PACKAGE_JSON),
                    text("config/pipeline.yaml", PIPELINE_YAML),
                ],
            ),
            result(
                "code_exec",
                "$ chmod +x scripts/deploy.sh tools/run\n$ shellcheck scripts/deploy.sh\n\
                 $ tools/run --date 2024-11-03 --dry-run\n--- 2024-11-03\n\
                 dry run: would load 1284 orders",
                vec![text("scripts/deploy.sh", DEPLOY_SH), text("tools/run", TOOLS_RUN)],
            ),
            result("code_exec", "Wrote README.md.", vec![text("README.md", ETL_README)]),
            result(
                "code_exec",
                "Packaged skill my-skill.skill:\n  SKILL.md\n  scripts/install.sh",
                vec![binary(
                    "my-skill.skill",
                    &zip_archive(&[("SKILL.md", SKILL_MD.as_bytes()), ("scripts/install.sh", INSTALL_SH.as_bytes())]),
                )],
            ),
        ],
    }
}

fn churn_model() -> DemoConversation {
    let epochs = training_run();
    let best = best_epoch(&epochs);
    let model = pseudo_random_bytes(MODEL_BYTES, 0xC4A2_0003);
    let log = run_log(&epochs, best);
    let lines: Vec<&str> = log.lines().collect();
    let tail = lines[lines.len() - 4..].join("\n");
    let metrics = metrics_json(best);
    let card = model_card(best, epochs.len());
    let bundle = zip_archive(&[
        ("model_card.md", card.as_bytes()),
        ("metrics.json", metrics.as_bytes()),
        ("model.bin", model.as_slice()),
    ]);
    DemoConversation {
        title: "Churn model training",
        results: vec![
            result(
                "python_exec",
                format!("$ python train.py --config churn.yaml\n...\n{tail}"),
                vec![text("run.log", log), binary("model.bin", model.as_slice())],
            ),
            result(
                "python_exec",
                format!(
                    "Bundled dist/churn-model-v3.zip ({} bytes): model_card.md, metrics.json, model.bin",
                    bundle.len()
                ),
                vec![binary("dist/churn-model-v3.zip", &bundle)],
            ),
            result(
                "python_exec",
                "Synthesised the dashboard's churn alert tone: alert.wav (0.6 s, 22.05 kHz mono).",
                vec![binary("alert.wav", &alert_tone())],
            ),
        ],
    }
}

// ---------------------------------------------------------------------------
// Sales data: one generated order list feeds the CSV, the chart, the report
// and the PDF, so they all agree.

const REGIONS: [&str; 4] = ["North", "South", "East", "West"];
/// Name and unit price in cents.
const PRODUCTS: [(&str, u64); 4] =
    [("Starter plan", 4_900), ("Team plan", 19_900), ("Business plan", 49_900), ("Enterprise plan", 125_000)];
const ORDERS: u32 = 300;
const MONTH_DAYS_2024: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// xorshift64*: small, and a fixed seed gives the same data on every start.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Order {
    month: u32,
    day: u32,
    region: usize,
    product: usize,
    units: u64,
}

impl Order {
    fn quarter(&self) -> usize {
        (self.month as usize - 1) / 3
    }

    fn revenue(&self) -> u64 {
        PRODUCTS[self.product].1 * self.units
    }
}

struct Sales(Vec<Order>);

impl Sales {
    fn generate() -> Self {
        let mut rng = Rng(0x5EED_2024);
        let orders = (0..ORDERS)
            .map(|i| {
                let (month, day) = date_2024(i * 366 / ORDERS);
                let region = rng.below(4) as usize;
                let product = match rng.below(10) {
                    0..=3 => 0,
                    4..=6 => 1,
                    7 | 8 => 2,
                    _ => 3,
                };
                // Later quarters and the West sell more, so the chart tells a story.
                let boost = [1, 0, 2, 3][region] + u64::from((month - 1) / 3);
                Order { month, day, region, product, units: 1 + rng.below(3 + boost) }
            })
            .collect();
        Sales(orders)
    }

    fn summary(&self) -> Summary {
        let mut cells = [[0; 4]; 4];
        for order in &self.0 {
            cells[order.quarter()][order.region] += order.revenue();
        }
        Summary { cells }
    }

    fn csv(&self) -> String {
        let rows = self.0.iter().enumerate().map(|(i, o)| {
            format!(
                "SO-24{:04},2024-{:02}-{:02},{},{},{},{},{}\n",
                i + 1,
                o.month,
                o.day,
                REGIONS[o.region],
                PRODUCTS[o.product].0,
                o.units,
                decimal(PRODUCTS[o.product].1),
                decimal(o.revenue())
            )
        });
        std::iter::once("order_id,date,region,product,units,unit_price,revenue\n".to_string()).chain(rows).collect()
    }
}

/// Month and day of a zero-based day of 2024.
fn date_2024(mut day_of_year: u32) -> (u32, u32) {
    for (month, days) in (1..).zip(MONTH_DAYS_2024) {
        if day_of_year < days {
            return (month, day_of_year + 1);
        }
        day_of_year -= days;
    }
    (12, 31)
}

/// Revenue in cents by quarter, then region.
struct Summary {
    cells: [[u64; 4]; 4],
}

impl Summary {
    fn quarter_total(&self, quarter: usize) -> u64 {
        self.cells[quarter].iter().sum()
    }

    fn region_total(&self, region: usize) -> u64 {
        self.cells.iter().map(|row| row[region]).sum()
    }

    fn total(&self) -> u64 {
        self.cells.iter().flatten().sum()
    }

    fn best_quarter(&self) -> usize {
        (0..4).max_by_key(|&q| self.quarter_total(q)).unwrap_or(0)
    }

    fn top_region(&self) -> usize {
        (0..4).max_by_key(|&r| self.region_total(r)).unwrap_or(0)
    }

    /// As pandas prints the pivot table.
    fn table(&self) -> String {
        let whole = |cents: u64| format!("{}.0", (cents + 50) / 100);
        let header =
            format!("{:<8}{:>10}{:>10}{:>10}{:>10}{:>10}", "region", "North", "South", "East", "West", "total");
        let rows = (0..4).map(|q| {
            let cells: String = self.cells[q].iter().map(|&c| format!("{:>10}", whole(c))).collect();
            format!("Q{:<7}{cells}{:>10}", q + 1, whole(self.quarter_total(q)))
        });
        std::iter::once(header).chain(std::iter::once("quarter".to_string())).chain(rows).collect::<Vec<_>>().join("\n")
    }

    fn pdf_lines(&self) -> Vec<String> {
        let best = self.best_quarter();
        let top = self.top_region();
        let mut lines = vec![
            format!("Total revenue: {} from {ORDERS} orders", dollars(self.total())),
            format!("Best quarter: Q{} with {}", best + 1, dollars(self.quarter_total(best))),
            format!("Top region: {} with {}", REGIONS[top], dollars(self.region_total(top))),
            String::new(),
        ];
        lines.extend((0..4).map(|q| format!("Q{}: {}", q + 1, dollars(self.quarter_total(q)))));
        lines.push(String::new());
        lines.push("Source: data/sales_2024.csv. Details and charts in report.html.".into());
        lines
    }
}

/// `4900` -> `49.00`.
fn decimal(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Whole dollars with thousands separators: `1234567` -> `$12,346`.
fn dollars(cents: u64) -> String {
    let digits = ((cents + 50) / 100).to_string();
    let mut out = String::from("$");
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn region_targets(summary: &Summary) -> String {
    const MANAGERS: [&str; 4] = ["Ana Ribeiro", "Marcus Lee", "Priya Natarajan", "Tom Becker"];
    // Targets were set before the year, some too high and some too low.
    const AMBITION: [u64; 4] = [108, 95, 102, 90];
    let mut out =
        String::from("region\tmanager\tq1_target\tq2_target\tq3_target\tq4_target\tfy_actual\tattainment_pct\n");
    for region in 0..4 {
        let targets: Vec<u64> =
            (0..4).map(|q| (summary.cells[q][region] * AMBITION[region] / 100 / 50_000 + 1) * 500).collect();
        let actual = (summary.region_total(region) + 50) / 100;
        let attainment = actual as f64 * 100.0 / targets.iter().sum::<u64>() as f64;
        let columns: Vec<String> = targets.iter().map(u64::to_string).collect();
        out +=
            &format!("{}\t{}\t{}\t{actual}\t{attainment:.1}\n", REGIONS[region], MANAGERS[region], columns.join("\t"));
    }
    out
}

fn report_html(summary: &Summary, orders: usize) -> String {
    let money_cells = |values: [u64; 4], total: u64| -> String {
        values.iter().chain([total].iter()).map(|&v| format!("<td>{}</td>", dollars(v))).collect()
    };
    let rows: Vec<String> = (0..4)
        .map(|q| {
            let total = summary.quarter_total(q);
            format!(
                "      <tr data-total=\"{}\"><td>Q{}</td>{}</tr>",
                (total + 50) / 100,
                q + 1,
                money_cells(summary.cells[q], total)
            )
        })
        .collect();
    let region_totals = [0, 1, 2, 3].map(|r| summary.region_total(r));
    fill(
        REPORT_HTML,
        &[
            ("orders", &orders.to_string()),
            ("total", &((summary.total() + 50) / 100).to_string()),
            ("best_quarter", &format!("Q{}", summary.best_quarter() + 1)),
            ("top_region", REGIONS[summary.top_region()]),
            ("rows", &rows.join("\n")),
            ("footer", &format!("<tr><td>Total</td>{}</tr>", money_cells(region_totals, summary.total()))),
        ],
    )
}

// ---------------------------------------------------------------------------
// Images. Drawn pixel by pixel: the demo needs no fonts and no drawing crate.

const WHITE: [u8; 3] = [255, 255, 255];

fn lerp(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    // Most calls are at either end (uncovered or fully covered pixels).
    if t <= 0.0 {
        return a;
    }
    if t >= 1.0 {
        return b;
    }
    // `+ 0.5` and truncation rounds these non-negative values; `f32::round`
    // is a slow library call on baseline x86-64.
    std::array::from_fn(|i| (a[i] as f32 + (b[i] as f32 - a[i] as f32) * t + 0.5) as u8)
}

/// The colour at `t` of a gradient through `stops` (ascending positions).
fn gradient(stops: &[(f32, [u8; 3])], t: f32) -> [u8; 3] {
    let upper = stops.iter().position(|&(at, _)| at >= t).unwrap_or(stops.len() - 1).max(1);
    let (a, ca) = stops[upper - 1];
    let (b, cb) = stops[upper];
    lerp(ca, cb, (t - a) / (b - a))
}

fn blend(img: &mut RgbImage, x: u32, y: u32, color: [u8; 3], alpha: f32) {
    let px = img.get_pixel_mut(x, y);
    px.0 = lerp(px.0, color, alpha);
}

fn fill_rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, color: [u8; 3]) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, Rgb(color));
        }
    }
}

/// A rounded rectangle `[x0, y0, x1, y1]` with anti-aliased edges; a
/// square with a radius of half its side is a disc.
fn rounded_rect(img: &mut RgbImage, rect: [f32; 4], radius: f32, color: [u8; 3], alpha: f32) {
    let [x0, y0, x1, y1] = rect;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (half_w, half_h) = ((x1 - x0) / 2.0 - radius, (y1 - y0) / 2.0 - radius);
    for y in (y0.max(0.0) as u32)..(y1.ceil() as u32).min(img.height()) {
        for x in (x0.max(0.0) as u32)..(x1.ceil() as u32).min(img.width()) {
            let dx = ((x as f32 + 0.5 - cx).abs() - half_w).max(0.0);
            let dy = ((y as f32 + 0.5 - cy).abs() - half_h).max(0.0);
            let coverage = (radius + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0);
            if coverage > 0.0 {
                blend(img, x, y, color, alpha * coverage);
            }
        }
    }
}

/// A soft light: strongest at the centre, fading like a Gaussian.
fn glow(img: &mut RgbImage, center: (f32, f32), radius: f32, color: [u8; 3], strength: f32) {
    let reach = radius * 2.5;
    let (cx, cy) = center;
    for y in ((cy - reach).max(0.0) as u32)..((cy + reach) as u32).min(img.height()) {
        for x in ((cx - reach).max(0.0) as u32)..((cx + reach) as u32).min(img.width()) {
            let d2 = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)) / (radius * radius);
            blend(img, x, y, color, strength * (-d2).exp());
        }
    }
}

/// Two falling chimes, 0.6 s of 16-bit mono PCM in a WAV file.
fn alert_tone() -> Vec<u8> {
    const RATE: u32 = 22_050;
    let samples: Vec<u8> = (0..RATE * 6 / 10)
        .flat_map(|i| {
            let t = i as f32 / RATE as f32;
            let (pitch, since) = if t < 0.3 { (1320.0, t) } else { (880.0, t - 0.3) };
            let envelope = (1.0 - since / 0.3).powi(2);
            let v = (std::f32::consts::TAU * pitch * t).sin() * envelope * 0.5;
            ((v * f32::from(i16::MAX)) as i16).to_le_bytes()
        })
        .collect();
    let mut wav = Vec::with_capacity(44 + samples.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // format chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(&samples);
    wav
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encoding an image in memory cannot fail");
    out.into_inner()
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .expect("encoding an image in memory cannot fail");
    out
}

/// Tableau's palette: distinct, and readable by most colour-blind people.
const REGION_COLORS: [[u8; 3]; 4] = [[78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178]];

/// The smallest 1, 2 or 5 times a power of ten that is at least `raw`.
fn nice_step(raw: u64) -> u64 {
    let mut magnitude = 1;
    while magnitude * 10 < raw {
        magnitude *= 10;
    }
    [1, 2, 5].into_iter().map(|m| m * magnitude).find(|&s| s >= raw).unwrap_or(10 * magnitude)
}

/// Grouped bars: one group per quarter, one bar per region.
fn revenue_chart(summary: &Summary) -> RgbImage {
    let (left, right, top, bottom) = (72u32, 776u32, 56u32, 444u32);
    let axis = [55, 65, 81];
    let mut img = RgbImage::from_pixel(800, 500, Rgb([244, 245, 249]));
    fill_rect(&mut img, left, top - 16, right + 8, bottom, WHITE);

    let max = summary.cells.iter().flatten().copied().max().unwrap_or(1).max(1);
    let step = nice_step(max.div_ceil(5));
    let lines = max.div_ceil(step) as u32;
    let ceiling = step * u64::from(lines);
    for k in 0..=lines {
        let y = bottom - k * (bottom - top) / lines;
        if k > 0 {
            fill_rect(&mut img, left, y, right, y + 1, [227, 230, 236]);
        }
        fill_rect(&mut img, left - 8, y, left, y + 1, axis);
    }

    let group = (right - left) / 4;
    let (bar, gap) = (28, 6);
    let margin = (group - 4 * bar - 3 * gap) / 2;
    for (q, values) in summary.cells.iter().enumerate() {
        let group_left = left + q as u32 * group;
        for (r, &value) in values.iter().enumerate() {
            let height = (value * u64::from(bottom - top) / ceiling) as u32;
            let x = group_left + margin + r as u32 * (bar + gap);
            shaded_bar(&mut img, x, bottom - height, bar, height, REGION_COLORS[r]);
        }
        if q > 0 {
            fill_rect(&mut img, group_left, bottom, group_left + 1, bottom + 8, axis);
        }
    }

    fill_rect(&mut img, left - 2, top - 16, left, bottom + 2, axis);
    fill_rect(&mut img, left - 2, bottom, right + 8, bottom + 2, axis);
    for (i, color) in REGION_COLORS.iter().enumerate() {
        let x = right - 4 * 26 + i as u32 * 26;
        fill_rect(&mut img, x, 18, x + 16, 34, *color);
    }
    img
}

/// A bar lit from above, with a darker cap so adjacent bars stay distinct.
fn shaded_bar(img: &mut RgbImage, x: u32, top: u32, width: u32, height: u32, color: [u8; 3]) {
    let light = lerp(color, WHITE, 0.22);
    for dy in 0..height {
        let shade = if dy < 2 { lerp(color, [0, 0, 0], 0.15) } else { lerp(light, color, dy as f32 / height as f32) };
        fill_rect(img, x, top + dy, x + width, top + dy + 1, shade);
    }
}

/// Landing page hero: a gradient with glows, a headline and button drawn as
/// blocks, and a floating dashboard card.
fn hero() -> RgbImage {
    let (w, h) = (960u32, 480u32);
    let stops = [(0.0, [30, 27, 75]), (0.5, [67, 56, 202]), (1.0, [14, 165, 233])];
    let mut img =
        RgbImage::from_fn(w, h, |x, y| Rgb(gradient(&stops, 0.65 * x as f32 / w as f32 + 0.35 * y as f32 / h as f32)));
    glow(&mut img, (200.0, 110.0), 200.0, [168, 85, 247], 0.5);
    glow(&mut img, (800.0, 430.0), 240.0, [34, 211, 238], 0.45);
    glow(&mut img, (640.0, 50.0), 150.0, [244, 114, 182], 0.35);

    for (rect, radius, alpha) in [
        ([80.0, 160.0, 420.0, 196.0], 18.0, 0.92),
        ([80.0, 210.0, 350.0, 246.0], 18.0, 0.92),
        ([80.0, 274.0, 390.0, 286.0], 6.0, 0.5),
        ([80.0, 298.0, 330.0, 310.0], 6.0, 0.5),
    ] {
        rounded_rect(&mut img, rect, radius, WHITE, alpha);
    }
    rounded_rect(&mut img, [80.0, 340.0, 236.0, 386.0], 23.0, [245, 158, 11], 1.0);

    dashboard_card(&mut img);
    rounded_rect(&mut img, [450.0, 318.0, 620.0, 408.0], 14.0, WHITE, 0.97);
    rounded_rect(&mut img, [468.0, 340.0, 500.0, 372.0], 16.0, [34, 197, 94], 1.0);
    rounded_rect(&mut img, [514.0, 344.0, 600.0, 354.0], 5.0, [203, 213, 225], 1.0);
    rounded_rect(&mut img, [514.0, 362.0, 575.0, 370.0], 4.0, [226, 232, 240], 1.0);
    img
}

fn dashboard_card(img: &mut RgbImage) {
    rounded_rect(img, [530.0, 100.0, 890.0, 370.0], 18.0, WHITE, 0.94);
    rounded_rect(img, [556.0, 126.0, 700.0, 140.0], 7.0, [203, 213, 225], 1.0);
    rounded_rect(img, [556.0, 150.0, 640.0, 160.0], 5.0, [226, 232, 240], 1.0);
    let heights = [70.0, 110.0, 90.0, 140.0, 120.0, 170.0, 150.0];
    for (i, height) in heights.into_iter().enumerate() {
        let x = 562.0 + i as f32 * 44.0;
        let color = lerp([99, 102, 241], [14, 165, 233], i as f32 / 6.0);
        rounded_rect(img, [x, 340.0 - height, x + 28.0, 340.0], 6.0, color, 1.0);
    }
}

struct Ridge {
    base: f32,
    /// Amplitude, wavelength and phase of the waves that shape the skyline.
    waves: [(f32, f32, f32); 3],
    color: [u8; 3],
    /// How much valley mist shows: more for distant ridges.
    mist: f32,
}

impl Ridge {
    /// The largest wave is `1 - 2|sin|` rather than `sin`: sharp peaks and
    /// rounded valleys; the smaller ones roughen its slopes.
    fn top(&self, x: f32) -> f32 {
        let angle = |len: f32, phase: f32| x * std::f32::consts::TAU / len + phase;
        let [(a, len, phase), rest @ ..] = &self.waves;
        let peaks = a * (1.0 - 2.0 * angle(len * 2.0, *phase).sin().abs());
        self.base - peaks - rest.iter().map(|(a, len, phase)| a * angle(*len, *phase).sin()).sum::<f32>()
    }

    /// Darker at the crest, paler where mist lies in the valley below.
    fn shade(&self, y: f32, haze: [u8; 3]) -> [u8; 3] {
        lerp(self.color, haze, self.mist * (y - self.base + 40.0) / 240.0)
    }
}

/// The wide illustration: a dawn sky with stars and a rising sun behind
/// four ridges that get lighter with distance. 2400 px wide, so previews
/// must scroll or scale.
fn mountain_panorama() -> RgbImage {
    let (w, h) = (2400u32, 1200u32);
    let sky_stops = [
        (0.0, [16, 26, 58]),
        (0.3, [59, 58, 120]),
        (0.45, [176, 98, 138]),
        (0.55, [240, 140, 106]),
        (0.65, [255, 201, 139]),
        (1.0, [255, 217, 160]),
    ];
    let ridges = [
        Ridge {
            base: 600.0,
            waves: [(70.0, 700.0, 0.3), (30.0, 260.0, 1.7), (8.0, 90.0, 0.4)],
            color: [150, 112, 150],
            mist: 0.5,
        },
        Ridge {
            base: 720.0,
            waves: [(85.0, 900.0, 2.1), (36.0, 310.0, 0.2), (10.0, 70.0, 2.9)],
            color: [104, 74, 122],
            mist: 0.4,
        },
        Ridge {
            base: 860.0,
            waves: [(95.0, 1100.0, 4.0), (40.0, 380.0, 1.1), (12.0, 110.0, 0.8)],
            color: [62, 44, 90],
            mist: 0.3,
        },
        Ridge {
            base: 1010.0,
            waves: [(70.0, 1500.0, 5.2), (32.0, 420.0, 3.3), (8.0, 60.0, 1.9)],
            color: [28, 22, 46],
            mist: 0.15,
        },
    ];
    let tops: Vec<Vec<f32>> = ridges.iter().map(|r| (0..w).map(|x| r.top(x as f32)).collect()).collect();
    let sky: Vec<[u8; 3]> = (0..h).map(|y| gradient(&sky_stops, y as f32 / h as f32)).collect();
    let haze = [255, 214, 170];

    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let (column, y) = (x as usize, y as f32);
        // The nearest ridge that fully covers the pixel hides all behind it,
        // so only the ridges in front of it can still blend in at their edges.
        let hiding = tops.iter().rposition(|top| y >= top[column]);
        let mut color = match hiding {
            Some(k) => ridges[k].shade(y, haze),
            None => sunrise(sky[y as usize], x as f32, y),
        };
        for k in hiding.map_or(0, |k| k + 1)..ridges.len() {
            color = lerp(color, ridges[k].shade(y, haze), y + 1.0 - tops[k][column]);
        }
        Rgb(color)
    });
    stars(&mut img, 380);
    img
}

/// The sky at a pixel, lit by a sun low on the horizon.
fn sunrise(sky: [u8; 3], x: f32, y: f32) -> [u8; 3] {
    let distance = ((x - 1640.0).powi(2) + (y - 610.0).powi(2)).sqrt();
    let lit = lerp(sky, [255, 207, 138], 0.55 * (-(distance / 300.0).powi(2)).exp());
    lerp(lit, [255, 241, 201], 70.5 - distance)
}

/// Stars above `horizon`, fading towards it.
fn stars(img: &mut RgbImage, horizon: u32) {
    let mut rng = Rng(0x57A2_5EED);
    for _ in 0..260 {
        let x = rng.below(u64::from(img.width() - 1)) as u32;
        let y = rng.below(u64::from(horizon)) as u32;
        let alpha = 0.95 * (1.0 - y as f32 / horizon as f32);
        let size = if rng.below(8) == 0 { 2 } else { 1 };
        for (dx, dy) in (0..size).flat_map(|dx| (0..size).map(move |dy| (dx, dy))) {
            blend(img, x + dx, y + dy, WHITE, alpha);
        }
    }
}

/// A loading spinner: twelve dots on a ring, the bright one moving round.
fn spinner_gif() -> Vec<u8> {
    const DOTS: u32 = 12;
    let background = [30, 30, 46];
    let (track, accent) = ([49, 50, 68], [137, 180, 250]);
    let frames = (0..DOTS).map(|frame| {
        let mut img = RgbaImage::from_pixel(200, 200, Rgba([background[0], background[1], background[2], 255]));
        for dot in 0..DOTS {
            let angle = dot as f32 * std::f32::consts::TAU / DOTS as f32 - std::f32::consts::FRAC_PI_2;
            let (cx, cy) = (100.0 + 64.0 * angle.cos(), 100.0 + 64.0 * angle.sin());
            let age = (frame + DOTS - dot) % DOTS;
            let [r, g, b] = lerp(accent, track, age as f32 / (DOTS - 1) as f32);
            // Hard edges keep every frame under 256 colours: no quantisation.
            for (x, y, px) in img.enumerate_pixels_mut() {
                if (x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2) <= 13.0 * 13.0 {
                    *px = Rgba([r, g, b, 255]);
                }
            }
        }
        Frame::from_parts(img, 0, 0, Delay::from_numer_denom_ms(80, 1))
    });
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut out, 10);
        encoder.set_repeat(Repeat::Infinite).expect("encoding a GIF in memory cannot fail");
        encoder.encode_frames(frames).expect("encoding a GIF in memory cannot fail");
    }
    out
}

// ---------------------------------------------------------------------------
// Documents and archives

/// A one-page PDF in Helvetica: a title, then `lines`. Offsets in the xref
/// table are the byte positions of each object, as readers require.
fn pdf(lines: &[String]) -> Vec<u8> {
    let escape = |s: &str| s.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
    let body: Vec<String> = lines.iter().map(|l| format!("({}) Tj T*", escape(l))).collect();
    let stream = format!(
        "BT /F1 22 Tf 72 710 Td (Quarterly sales summary 2024) Tj ET\n\
         BT /F1 12 Tf 18 TL 72 670 Td\n{}\nET",
        body.join("\n")
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
    ];
    // The comment of high bytes tells transfer tools the file is binary.
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table += &format!("{offset:010} 00000 n \n");
    }
    table += &format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.extend_from_slice(table.as_bytes());
    out
}

/// A ZIP of `files`, dated in the demo's year rather than now, so the bytes
/// never change. Shell scripts are executable.
fn zip_archive(files: &[(&str, &[u8])]) -> Vec<u8> {
    let date = zip::DateTime::from_date_and_time(2024, 11, 4, 9, 30, 0).expect("a valid date");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        let mode = if name.ends_with(".sh") { 0o755 } else { 0o644 };
        let options = SimpleFileOptions::default().last_modified_time(date).unix_permissions(mode);
        writer.start_file(*name, options).expect("writing a ZIP in memory cannot fail");
        writer.write_all(bytes).expect("writing a ZIP in memory cannot fail");
    }
    writer.finish().expect("writing a ZIP in memory cannot fail").into_inner()
}

const MODEL_BYTES: usize = 6144;

/// Stands in for trained weights: a header, then bytes that look random.
fn pseudo_random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = b"CHRNMDL\x03".to_vec();
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

struct Epoch {
    number: u32,
    loss: f64,
    val_loss: f64,
    val_auc: f64,
}

const MAX_EPOCHS: u32 = 20;
const PATIENCE: u32 = 3;

/// Losses that fall until validation loss turns up again; training stops
/// `PATIENCE` epochs after the best one, as early stopping does.
fn training_run() -> Vec<Epoch> {
    let mut epochs: Vec<Epoch> = Vec::new();
    for number in 1..=MAX_EPOCHS {
        let e = f64::from(number);
        let wobble = 0.003 * (e * 2.3).sin();
        epochs.push(Epoch {
            number,
            loss: 0.24 + 0.42 * (-e / 5.0).exp() + wobble,
            val_loss: 0.30 + 0.36 * (-e / 5.0).exp() + 0.0006 * (e - 15.0).max(0.0).powi(2) + wobble / 2.0,
            val_auc: 0.66 + 0.22 * (1.0 - (-e / 4.0).exp()) - 0.002 * (e - 17.0).max(0.0),
        });
        if number >= best_epoch(&epochs).number + PATIENCE {
            break;
        }
    }
    epochs
}

fn best_epoch(epochs: &[Epoch]) -> &Epoch {
    epochs.iter().min_by(|a, b| a.val_loss.total_cmp(&b.val_loss)).expect("training has epochs")
}

/// `02:00:01,118` plus `ms`, as Python's logging prints times.
fn log_time(ms: u64) -> String {
    let t = 7_201_118 + ms;
    format!("2024-11-04 {:02}:{:02}:{:02},{:03}", t / 3_600_000, t / 60_000 % 60, t / 1000 % 60, t % 1000)
}

fn run_log(epochs: &[Epoch], best: &Epoch) -> String {
    let mut entries = vec![
        (
            0,
            "INFO ",
            "churn.data  ",
            "loading features from s3://lumen-ml/churn/features-2024-11-03.parquet".to_string(),
        ),
        (2_310, "INFO ", "churn.data  ", "48,213 customers, 37 features, churn rate 6.8%".to_string()),
        (
            2_402,
            "WARN ",
            "churn.data  ",
            "column 'last_invoice_days' has 412 missing values; filled with median (23)".into(),
        ),
        (2_650, "INFO ", "churn.data  ", "split: train 38,570 / valid 9,643 (stratified, seed 7)".to_string()),
        (
            3_015,
            "INFO ",
            "churn.train ",
            format!("model: MLP(37 -> 64 -> 32 -> 1), AdamW lr=3e-4, batch 256, patience {PATIENCE}"),
        ),
    ];
    for epoch in epochs {
        entries.push((
            3_015 + u64::from(epoch.number) * 36_870 + u64::from(epoch.number % 3) * 411,
            "INFO ",
            "churn.train ",
            format!(
                "epoch {:02}/{MAX_EPOCHS}  loss={:.4}  val_loss={:.4}  val_auc={:.4}",
                epoch.number, epoch.loss, epoch.val_loss, epoch.val_auc
            ),
        ));
    }
    let last = epochs.len() as u64;
    let end = 3_015 + last * 36_870 + 900;
    entries.extend([
        (
            end,
            "INFO ",
            "churn.train ",
            format!("early stopping after epoch {last}: no val_loss improvement in {PATIENCE} epochs"),
        ),
        (
            end + 4,
            "INFO ",
            "churn.train ",
            format!("best epoch {}: val_loss={:.4} val_auc={:.4}", best.number, best.val_loss, best.val_auc),
        ),
        (end + 212, "INFO ", "churn.export", format!("wrote model.bin ({MODEL_BYTES} bytes)")),
    ]);
    entries
        .iter()
        .map(|(ms, level, logger, message)| format!("{} {level}{logger} {message}\n", log_time(*ms)))
        .collect()
}

fn metrics_json(best: &Epoch) -> String {
    let metrics = serde_json::json!({
        "model": "churn-mlp",
        "version": "3.0.0",
        "trained_on": "features-2024-11-03",
        "best_epoch": best.number,
        "validation": {
            "log_loss": (best.val_loss * 1e4).round() / 1e4,
            "auc": (best.val_auc * 1e4).round() / 1e4,
            "rows": 9643
        },
        "threshold": 0.35
    });
    serde_json::to_string_pretty(&metrics).expect("JSON values always serialize")
}

fn model_card(best: &Epoch, epochs: usize) -> String {
    format!(
        "# Churn model v3\n\n\
         Predicts whether a Lumen customer cancels within 30 days.\n\n\
         | Metric | Validation |\n|---|---|\n| AUC | {:.3} |\n| Log loss | {:.3} |\n| Rows | 9,643 |\n\n\
         Trained 2024-11-04 on `features-2024-11-03` (48,213 customers, 37 features);\n\
         training stopped early after epoch {epochs}, keeping the weights of epoch {}.\n\n\
         Flag customers above a score of 0.35.\n",
        best.val_auc, best.val_loss, best.number
    )
}

// ---------------------------------------------------------------------------
// Text artifacts

const ANALYSIS_PY: &str = r##""""Quarterly revenue by region from the 2024 order export."""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

REGIONS = ["North", "South", "East", "West"]
COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"]


def quarterly_revenue(path: str) -> pd.DataFrame:
    orders = pd.read_csv(path, parse_dates=["date"])
    orders["quarter"] = "Q" + orders["date"].dt.quarter.astype(str)
    table = orders.pivot_table(
        index="quarter", columns="region", values="revenue", aggfunc="sum", fill_value=0
    )
    return table[REGIONS]


def plot(table: pd.DataFrame, out: str) -> None:
    ax = table.plot(kind="bar", color=COLORS, figsize=(8, 5), width=0.8, rot=0)
    ax.set_ylabel("Revenue (USD)")
    ax.yaxis.grid(True, color="#e3e6ec")
    ax.set_axisbelow(True)
    ax.legend(ncols=4, loc="upper right", frameon=False)
    plt.tight_layout()
    plt.savefig(out, dpi=100)


if __name__ == "__main__":
    table = quarterly_revenue(sys.argv[1] if len(sys.argv) > 1 else "data/sales_2024.csv")
    plot(table, "plots/quarterly_revenue.png")
    table["total"] = table.sum(axis=1)
    print(table.round(0).to_string())
    print("Saved plots/quarterly_revenue.png (800x500)")
"##;

const REVENUE_SQL: &str = r#"-- Quarterly revenue by region, each region's share of its quarter, and
-- growth over the region's previous quarter.
WITH quarterly AS (
    SELECT
        region,
        date_trunc('quarter', order_date)::date AS quarter,
        count(*)                                AS orders,
        sum(units * unit_price)                 AS revenue
    FROM sales.orders
    WHERE order_date >= DATE '2024-01-01'
      AND order_date <  DATE '2025-01-01'
    GROUP BY region, quarter
)
SELECT
    quarter,
    region,
    orders,
    revenue,
    round(100.0 * revenue / sum(revenue) OVER (PARTITION BY quarter), 1) AS share_pct,
    round(100.0 * (revenue / lag(revenue) OVER (PARTITION BY region ORDER BY quarter) - 1), 1) AS growth_pct
FROM quarterly
ORDER BY quarter, revenue DESC;
"#;

const REPORT_HTML: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quarterly sales report 2024</title>
<style>
  :root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #4e79a7; }
  body { margin: 0; background: #f9fafb; color: var(--ink); font: 15px/1.5 -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 880px; margin: 0 auto; padding: 32px 24px 48px; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  .sub { color: var(--muted); margin: 0 0 24px; }
  .kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; margin-bottom: 28px; }
  .kpi { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px; }
  .kpi .label { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
  .kpi .value { font-size: 28px; font-weight: 700; font-variant-numeric: tabular-nums; }
  table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
  th, td { padding: 10px 14px; text-align: right; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }
  th:first-child, td:first-child { text-align: left; }
  thead th { background: #f3f4f6; color: var(--muted); font-size: 13px; }
  tr.best td { background: #eef4fb; font-weight: 600; }
  tfoot td { font-weight: 700; border-bottom: 0; }
  .note { color: var(--muted); font-size: 13px; margin-top: 16px; }
</style>
</head>
<body>
<main>
  <h1>Quarterly sales report 2024</h1>
  <p class="sub">Lumen &middot; {{orders}} orders in four regions &middot; source: data/sales_2024.csv</p>
  <section class="kpis">
    <div class="kpi"><div class="label">Total revenue</div><div class="value" id="total-revenue" data-target="{{total}}">$0</div></div>
    <div class="kpi"><div class="label">Best quarter</div><div class="value">{{best_quarter}}</div></div>
    <div class="kpi"><div class="label">Top region</div><div class="value">{{top_region}}</div></div>
  </section>
  <table id="revenue-table">
    <thead><tr><th>Quarter</th><th>North</th><th>South</th><th>East</th><th>West</th><th>Total</th></tr></thead>
    <tbody>
{{rows}}
    </tbody>
    <tfoot>{{footer}}</tfoot>
  </table>
  <p class="note" id="best-note"></p>
</main>
<script>
  // Count the headline figure up, then highlight the strongest quarter.
  const counter = document.getElementById('total-revenue');
  const target = Number(counter.dataset.target);
  const start = performance.now();
  function tick(now) {
    const t = Math.min(1, (now - start) / 1200);
    const eased = 1 - Math.pow(1 - t, 3);
    counter.textContent = '$' + Math.round(target * eased).toLocaleString('en-US');
    if (t < 1) requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);

  const rows = Array.from(document.querySelectorAll('#revenue-table tbody tr'));
  const best = rows.reduce((a, b) => Number(b.dataset.total) > Number(a.dataset.total) ? b : a);
  best.classList.add('best');
  document.getElementById('best-note').textContent =
    best.cells[0].textContent + ' was the strongest quarter (highlighted).';
</script>
</body>
</html>
"##;

const PROBE_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sandbox probe</title>
<style>
  body { margin: 2rem; color: #1f2937; font: 15px/1.5 system-ui, sans-serif; }
  pre { padding: 1rem; border-radius: 8px; background: #f3f4f6; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>Sandbox probe</h1>
<p>This page tries to call the artifacts API and to read cookies. In an isolated preview both should fail.</p>
<pre id="probe-result" data-state="running">running…</pre>
<script>
  // Report exactly what came back: an HTTP status or the error, and the
  // cookie string (quoted, so an empty one shows) or the error.
  (async function () {
    const lines = [];
    try {
      const response = await fetch('/api/artifacts', { credentials: 'include' });
      lines.push('fetch: HTTP ' + response.status);
    } catch (error) {
      lines.push('fetch: error ' + error);
    }
    try {
      lines.push('cookie: ' + JSON.stringify(document.cookie));
    } catch (error) {
      lines.push('cookie: error ' + error);
    }
    const out = document.getElementById('probe-result');
    out.textContent = lines.join('\n');
    out.dataset.state = 'done';
  })();
</script>
</body>
</html>
"#;

const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="520" height="160" viewBox="0 0 520 160" role="img" aria-labelledby="title">
  <title id="title">Lumen</title>
  <defs>
    <linearGradient id="mark" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#6366f1"/>
      <stop offset="1" stop-color="#0ea5e9"/>
    </linearGradient>
  </defs>
  <rect width="520" height="160" rx="28" fill="#0f172a"/>
  <circle cx="80" cy="80" r="44" fill="url(#mark)"/>
  <path d="M58 100 L74 66 L86 86 L96 74 L110 100 Z" fill="#ffffff" opacity="0.92"/>
  <circle cx="106" cy="50" r="9" fill="#f59e0b"/>
  <text x="146" y="92" font-family="Inter, Helvetica, Arial, sans-serif" font-size="56" font-weight="700" fill="#f8fafc" letter-spacing="-1">lumen</text>
  <text x="148" y="124" font-family="Inter, Helvetica, Arial, sans-serif" font-size="18" fill="#94a3b8">dashboards people actually read</text>
</svg>
"##;

const LANDING_CSS: &str = r#":root {
  --indigo: #4338ca;
  --sky: #0ea5e9;
  --ink: #0f172a;
  --muted: #64748b;
  --radius: 14px;
}

* {
  box-sizing: border-box;
}

body {
  margin: 0;
  color: var(--ink);
  font-family: "Inter", system-ui, sans-serif;
}

.hero {
  display: grid;
  grid-template-columns: 1.1fr 1fr;
  align-items: center;
  gap: 48px;
  min-height: 560px;
  padding: 64px clamp(24px, 6vw, 96px);
  background: url("hero.webp") center / cover no-repeat, linear-gradient(120deg, #1e1b4b, var(--indigo) 45%, var(--sky));
  color: #fff;
}

.hero h1 {
  margin: 0 0 16px;
  font-size: clamp(2.2rem, 4vw, 3.4rem);
  line-height: 1.1;
}

.hero p {
  max-width: 34ch;
  font-size: 1.15rem;
  opacity: 0.85;
}

.cta {
  display: inline-block;
  padding: 14px 26px;
  border-radius: 999px;
  background: #f59e0b;
  color: #1f1300;
  font-weight: 600;
  text-decoration: none;
  transition: transform 0.15s ease, box-shadow 0.15s ease;
}

.cta:hover {
  transform: translateY(-1px);
  box-shadow: 0 8px 24px rgb(245 158 11 / 35%);
}

.features {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
  gap: 24px;
  padding: 72px clamp(24px, 6vw, 96px);
}

.feature {
  padding: 24px;
  border: 1px solid #e2e8f0;
  border-radius: var(--radius);
  opacity: 0;
  transform: translateY(12px);
  transition: opacity 0.4s ease, transform 0.4s ease;
}

.feature.visible {
  opacity: 1;
  transform: none;
}

.signup {
  display: flex;
  gap: 8px;
  margin-top: 24px;
}

.signup input {
  flex: 1;
  padding: 12px 14px;
  border: 1px solid rgb(255 255 255 / 40%);
  border-radius: 10px;
  background: rgb(255 255 255 / 12%);
  color: inherit;
}

.signup .error {
  color: #fecaca;
  font-size: 0.9rem;
}

@media (max-width: 760px) {
  .hero {
    grid-template-columns: 1fr;
  }
}
"#;

const LANDING_JS: &str = r#"// Landing page behaviour: reveal feature cards as they scroll into view,
// and check the sign-up address before sending it.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

function revealOnScroll(selector) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        entry.target.classList.add("visible");
        observer.unobserve(entry.target);
      }
    }
  }, { threshold: 0.2 });
  document.querySelectorAll(selector).forEach((el) => observer.observe(el));
}

function wireSignup(form) {
  const input = form.querySelector("input[type=email]");
  const error = form.querySelector(".error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = input.value.trim();
    if (!EMAIL.test(email)) {
      error.textContent = "Please enter a valid work email.";
      input.focus();
      return;
    }
    error.textContent = "";
    const response = await fetch("/api/waitlist", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, source: "landing-hero" }),
    });
    form.replaceChildren(response.ok ? "Thanks! We'll be in touch." : "Something went wrong, please try again.");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  revealOnScroll(".feature");
  document.querySelectorAll("form.signup").forEach(wireSignup);
});
"#;

const SITEMAP_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url>
    <loc>https://lumen.example.com/</loc>
    <lastmod>2024-10-14</lastmod>
    <changefreq>weekly</changefreq>
    <priority>1.0</priority>
  </url>
  <url>
    <loc>https://lumen.example.com/pricing</loc>
    <lastmod>2024-10-14</lastmod>
    <changefreq>monthly</changefreq>
    <priority>0.8</priority>
  </url>
  <url>
    <loc>https://lumen.example.com/features</loc>
    <lastmod>2024-10-02</lastmod>
    <changefreq>monthly</changefreq>
    <priority>0.8</priority>
  </url>
  <url>
    <loc>https://lumen.example.com/blog/</loc>
    <lastmod>2024-10-11</lastmod>
    <changefreq>weekly</changefreq>
    <priority>0.6</priority>
  </url>
</urlset>
"#;

const PIPELINE_TS: &str = r#"// Nightly ETL: pull one day of orders from the shop API, normalise them and
// upsert them into the warehouse. Safe to re-run for the same day.

import { readFile } from "node:fs/promises";
import { Pool } from "pg";
import { parse } from "yaml";

interface RawOrder {
  id: string;
  created_at: string;
  region: string;
  lines: { sku: string; quantity: number; unit_price: string }[];
}

export interface OrderRow {
  order_id: string;
  order_date: string;
  region: string;
  units: number;
  revenue_cents: number;
}

interface Config {
  source: { url: string; page_size: number; max_retries: number };
  warehouse: { table: string; batch_size: number };
  regions: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchWithRetry(url: string, retries: number): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${process.env.SHOP_TOKEN}` } });
    if (response.ok || response.status < 500 || attempt >= retries) return response;
    await sleep(2 ** attempt * 500);
  }
}

export async function* extract(config: Config, day: string): AsyncGenerator<RawOrder> {
  let cursor: string | null = null;
  do {
    const url = new URL(config.source.url);
    url.searchParams.set("date", day);
    url.searchParams.set("limit", String(config.source.page_size));
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await fetchWithRetry(url.toString(), config.source.max_retries);
    if (!response.ok) throw new Error(`shop API answered ${response.status} for ${day}`);
    const page = (await response.json()) as { orders: RawOrder[]; next_cursor: string | null };
    yield* page.orders;
    cursor = page.next_cursor;
  } while (cursor);
}

export function transform(order: RawOrder, regions: Config["regions"]): OrderRow {
  return {
    order_id: order.id,
    order_date: order.created_at.slice(0, 10),
    region: regions[order.region] ?? "Unknown",
    units: order.lines.reduce((sum, line) => sum + line.quantity, 0),
    revenue_cents: order.lines.reduce((sum, line) => sum + Math.round(Number(line.unit_price) * 100) * line.quantity, 0),
  };
}

export async function load(pool: Pool, table: string, rows: OrderRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.flatMap((r) => [r.order_id, r.order_date, r.region, r.units, r.revenue_cents]);
  const tuples = rows.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
  await pool.query(
    `INSERT INTO ${table} (order_id, order_date, region, units, revenue_cents)
     VALUES ${tuples.join(", ")}
     ON CONFLICT (order_id) DO UPDATE SET units = EXCLUDED.units, revenue_cents = EXCLUDED.revenue_cents`,
    values,
  );
}

export async function run(day: string, configPath = "config/pipeline.yaml"): Promise<number> {
  const config = parse(await readFile(configPath, "utf8")) as Config;
  const dryRun = process.env.ETL_DRY_RUN === "1";
  const pool = new Pool({ connectionString: process.env.WAREHOUSE_URL });
  let batch: OrderRow[] = [];
  let loaded = 0;
  const flush = async () => {
    if (!dryRun) await load(pool, config.warehouse.table, batch);
    loaded += batch.length;
    batch = [];
  };
  try {
    for await (const order of extract(config, day)) {
      batch.push(transform(order, config.regions));
      if (batch.length >= config.warehouse.batch_size) await flush();
    }
    await flush();
    return loaded;
  } finally {
    await pool.end();
  }
}

run(process.argv[2] ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)).then(
  (count) => console.log(`${process.env.ETL_DRY_RUN === "1" ? "dry run: would load" : "loaded"} ${count} orders`),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
"#;

const PACKAGE_JSON: &str = r#"{
  "name": "nightly-etl",
  "version": "1.4.0",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "tsc -p .",
    "start": "node dist/pipeline.js",
    "test": "vitest run",
    "lint": "eslint etl"
  },
  "dependencies": {
    "pg": "^8.13.0",
    "yaml": "^2.6.0"
  },
  "devDependencies": {
    "@types/node": "^22.9.0",
    "@types/pg": "^8.11.10",
    "eslint": "^9.14.0",
    "typescript": "^5.6.3",
    "vitest": "^2.1.4"
  },
  "engines": {
    "node": ">=20"
  }
}
"#;

const PIPELINE_YAML: &str = r##"# Nightly ETL settings. Secrets (SHOP_TOKEN, WAREHOUSE_URL) come from the
# environment, never from this file.
schedule: "0 2 * * *"   # 02:00 UTC
timezone: UTC

source:
  url: https://shop.lumen.example.com/api/v2/orders
  page_size: 500
  max_retries: 4

warehouse:
  table: sales.orders
  batch_size: 1000

regions:
  NA-N: North
  NA-S: South
  EU-E: East
  US-W: West

currency:
  target: USD
  # 2022 exports store amounts in cents under `amount_minor`.
  legacy_field: amount_minor

alerts:
  slack_channel: "#data-alerts"
  notify_on: [failure, zero_rows]
"##;

const DEPLOY_SH: &str = r#"#!/usr/bin/env bash
# Builds the ETL and installs it on the job host; the systemd timer picks the
# new release up on its next run.
set -euo pipefail

HOST="${DEPLOY_HOST:-etl-01.internal}"
TARGET="/opt/nightly-etl"
VERSION="$(node -p "require('./package.json').version")"
RELEASE="${TARGET}/releases/${VERSION}"

echo "==> building nightly-etl ${VERSION}"
npm ci --silent
npm run build --silent
npm test --silent

echo "==> copying to ${HOST}:${RELEASE}"
ssh "$HOST" "mkdir -p '${RELEASE}'"
rsync -a --delete --relative dist config package.json package-lock.json "${HOST}:${RELEASE}/"
ssh "$HOST" "cd '${RELEASE}' && npm ci --omit=dev --silent"

echo "==> switching current -> ${VERSION}"
ssh "$HOST" "ln -sfn '${RELEASE}' '${TARGET}/current' && systemctl --user restart nightly-etl.timer"
echo "done"
"#;

const TOOLS_RUN: &str = r#"#!/usr/bin/env python3
"""Run the nightly ETL for one day, or a range of days, from a laptop.

    tools/run --date 2024-11-03
    tools/run --from 2024-10-01 --to 2024-10-31 --dry-run
"""

import argparse
import datetime as dt
import os
import subprocess
import sys


def days(start: dt.date, end: dt.date):
    while start <= end:
        yield start
        start += dt.timedelta(days=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=dt.date.fromisoformat)
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)
    parser.add_argument("--dry-run", action="store_true", help="extract and transform, load nothing")
    args = parser.parse_args()

    start = args.date or args.start
    end = args.date or args.end or start
    if start is None:
        parser.error("give --date, or --from and --to")

    env = dict(os.environ, ETL_DRY_RUN="1" if args.dry_run else "0")
    for day in days(start, end):
        print(f"--- {day}", flush=True)
        status = subprocess.call(["node", "dist/pipeline.js", day.isoformat()], env=env)
        if status != 0:
            print(f"failed on {day} (exit {status})", file=sys.stderr)
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
"#;

const ETL_README: &str = r#"# Nightly ETL

Pulls the day's orders from the shop API, cleans them and loads them into the
warehouse every night at 02:00 UTC. It replaces the ~~cron job and three bash
scripts~~ from 2022.

## Steps

| Step      | Reads                | Writes               | Typical time |
|-----------|----------------------|----------------------|-------------:|
| extract   | Shop API `/orders`   | memory, 500 per page |         40 s |
| transform | raw orders           | `OrderRow` batches   |          2 s |
| load      | `OrderRow` batches   | `sales.orders`       |          5 s |

## Running it locally

```bash
npm ci && npm run build
./tools/run --date 2024-11-03 --dry-run
```

Loads are upserts on `order_id`, so re-running a day is safe.

## Status

- [x] Extract with retries and exponential backoff
- [x] Idempotent loads
- [ ] Alert in Slack when a run fails or loads nothing
- [ ] Backfill 2022[^backfill]

<script>alert(1)</script>

[^backfill]: The 2022 exports keep amounts in cents under `amount_minor`; see `config/pipeline.yaml`.
"#;

const SKILL_MD: &str = r#"---
name: my-skill
description: Re-runs the nightly ETL for a day or a range of days and reports how many orders were loaded. Use when someone asks to backfill, re-load or check orders for specific dates.
---

# Nightly ETL runner

## Steps

1. Run `scripts/install.sh` once: it installs the Node dependencies and builds the job.
2. Run `tools/run --date YYYY-MM-DD`, or `--from` and `--to` for a range.
3. Report the orders loaded per day, and every day that failed with its error.

For ranges longer than a week, run with `--dry-run` first and show the counts
before loading anything.
"#;

const INSTALL_SH: &str = r#"#!/usr/bin/env bash
# Installs the nightly ETL's dependencies and builds it; safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null; then
  echo "node 20 or newer is required" >&2
  exit 1
fi

npm ci --silent
npm run build --silent
echo "nightly-etl $(node -p "require('./package.json').version") installed"
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{extension, GalleryType};
    use std::collections::HashSet;
    use std::io::Read;
    use std::sync::OnceLock;

    /// Generating takes a moment in debug builds: once for all tests.
    fn demo() -> &'static [DemoConversation] {
        static DEMO: OnceLock<Vec<DemoConversation>> = OnceLock::new();
        DEMO.get_or_init(conversations)
    }

    fn artifacts() -> impl Iterator<Item = &'static NewArtifact> {
        demo().iter().flat_map(|c| &c.results).flat_map(|r| &r.artifacts)
    }

    fn bytes(artifact: &NewArtifact) -> Vec<u8> {
        match (&artifact.content_base64, &artifact.text) {
            (Some(b64), None) => STANDARD.decode(b64).expect("valid base64"),
            (None, Some(text)) => text.clone().into_bytes(),
            _ => panic!("{} needs exactly one of content_base64 and text", artifact.name),
        }
    }

    fn file(name: &str) -> Vec<u8> {
        bytes(artifacts().find(|a| a.name == name).unwrap_or_else(|| panic!("no artifact {name}")))
    }

    #[test]
    fn names_are_unique_valid_relative_paths() {
        for conversation in demo() {
            let mut seen = HashSet::new();
            for artifact in conversation.results.iter().flat_map(|r| &r.artifacts) {
                let name = &artifact.name;
                assert!(seen.insert(name), "{name} twice in {}", conversation.title);
                assert!(!name.starts_with('/') && !name.contains('\\'), "{name}");
                assert!(name.split('/').all(|s| !s.is_empty() && s != "." && s != ".."), "{name}");
            }
        }
    }

    #[test]
    fn results_are_realistic_and_small() {
        let tools = ["python_exec", "template_render", "code_exec", "image_generation"];
        for conversation in demo() {
            assert!(!conversation.results.is_empty(), "{}", conversation.title);
            for result in &conversation.results {
                assert!(tools.contains(&result.tool.as_str()), "{}", result.tool);
                assert!(!result.content.trim().is_empty() && !result.artifacts.is_empty());
            }
        }
        for artifact in artifacts() {
            let size = bytes(artifact).len();
            assert!(size > 0 && size < 2_000_000, "{} is {size} bytes", artifact.name);
        }
    }

    #[test]
    fn every_gallery_type_and_kind_of_file_is_there() {
        let types: HashSet<GalleryType> = artifacts().map(|a| GalleryType::from_name(&a.name)).collect();
        for t in GalleryType::ALL {
            assert!(types.contains(&t), "no {t:?}");
        }
        let extensions: HashSet<String> = artifacts().filter_map(|a| extension(&a.name)).collect();
        for ext in [
            "png", "jpg", "gif", "webp", "svg", "html", "py", "js", "ts", "json", "yaml", "xml", "css", "sql", "md",
            "sh", "csv", "tsv", "pdf", "log", "bin", "zip", "skill",
        ] {
            assert!(extensions.contains(ext), "no .{ext}");
        }
        assert!(file("tools/run").starts_with(b"#!/usr/bin/env python3\n"));
        assert_eq!(extension("tools/run"), None);
    }

    #[test]
    fn raster_images_decode_and_one_needs_scrolling() {
        let mut widest = 0;
        for artifact in artifacts() {
            if matches!(extension(&artifact.name).as_deref(), Some("png" | "jpg" | "gif" | "webp")) {
                let img =
                    image::load_from_memory(&bytes(artifact)).unwrap_or_else(|e| panic!("{}: {e}", artifact.name));
                widest = widest.max(img.width());
            }
        }
        assert!(widest > 1600, "widest image is {widest} px");
        let chart = image::load_from_memory(&file("plots/quarterly_revenue.png")).expect("chart decodes");
        assert_eq!((chart.width(), chart.height()), (800, 500));
        let svg = String::from_utf8(file("landing/logo.svg")).expect("UTF-8");
        assert!(svg.starts_with("<svg") && svg.contains("<text") && svg.contains("<circle"));
    }

    fn zip_names(bytes: Vec<u8>) -> Vec<String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("opens as a ZIP");
        (0..archive.len())
            .map(|i| {
                let mut entry = archive.by_index(i).expect("entry");
                let mut body = Vec::new();
                entry.read_to_end(&mut body).expect("entry reads");
                assert!(!body.is_empty());
                entry.name().expect("UTF-8 name").into_owned()
            })
            .collect()
    }

    #[test]
    fn archives_open() {
        assert_eq!(zip_names(file("my-skill.skill")), ["SKILL.md", "scripts/install.sh"]);
        assert_eq!(zip_names(file("dist/churn-model-v3.zip")), ["model_card.md", "metrics.json", "model.bin"]);
        assert!(SKILL_MD.starts_with("---\nname: my-skill\ndescription: "));
    }

    #[test]
    fn pdf_xref_points_at_objects() {
        let pdf = file("summary.pdf");
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        // Byte for byte, so string positions are file offsets.
        let source: String = pdf.iter().map(|&b| if b.is_ascii() { b as char } else { '?' }).collect();
        let tail = source.rsplit("startxref\n").next().expect("startxref");
        let xref: usize = tail.lines().next().and_then(|l| l.parse().ok()).expect("xref offset");
        let mut lines = source[xref..].lines();
        assert_eq!(lines.next(), Some("xref"));
        let count: usize = lines.next().and_then(|l| l.strip_prefix("0 ")).and_then(|n| n.parse().ok()).expect("count");
        assert_eq!(lines.next(), Some("0000000000 65535 f "));
        for number in 1..count {
            let entry = lines.next().expect("xref entry");
            assert_eq!(entry.len(), 19, "entries are 20 bytes with the newline");
            let offset: usize = entry[..10].parse().expect("offset");
            assert!(pdf[offset..].starts_with(format!("{number} 0 obj\n").as_bytes()), "object {number}");
        }
        let length: usize = source
            .split("/Length ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("length");
        let start = source.find("stream\n").expect("stream") + "stream\n".len();
        assert_eq!(&source[start + length..start + length + 10], "\nendstream");
        assert!(source.contains("/BaseFont /Helvetica") && source.ends_with("%%EOF\n"));
    }

    #[test]
    fn html_probe_and_report_do_what_later_tests_expect() {
        let probe = String::from_utf8(file("probe.html")).expect("UTF-8");
        assert!(
            probe.contains("id=\"probe-result\"")
                && probe.contains("fetch('/api/artifacts'")
                && probe.contains("document.cookie")
        );
        let report = String::from_utf8(file("report.html")).expect("UTF-8");
        assert!(report.contains("<style>") && report.contains("<table") && report.contains("<script>"));
        assert!(!report.contains("{{"), "every placeholder filled");
    }

    #[test]
    fn markdown_has_what_the_renderer_must_handle() {
        let md = String::from_utf8(file("README.md")).expect("UTF-8");
        for needle in
            ["\n## ", "| Step", "- [x] ", "- [ ] ", "[^backfill]:", "~~", "```bash\n", "\n<script>alert(1)</script>\n"]
        {
            assert!(md.contains(needle), "README.md lacks {needle:?}");
        }
    }

    #[test]
    fn data_files_parse() {
        for json in [file("package.json"), metrics_json(best_epoch(&training_run())).into_bytes()] {
            serde_json::from_slice::<serde_json::Value>(&json).expect("valid JSON");
        }
        let csv = String::from_utf8(file("data/sales_2024.csv")).expect("UTF-8");
        assert_eq!(csv.lines().count(), 301);
        assert!(csv.lines().all(|l| l.split(',').count() == 7));
        let tsv = String::from_utf8(file("data/region_targets.tsv")).expect("UTF-8");
        assert!(tsv.lines().all(|l| l.split('\t').count() == 8));
        assert_eq!(file("model.bin").len(), MODEL_BYTES);
        assert!(training_run().len() < MAX_EPOCHS as usize, "the log says training stopped early");
    }

    #[test]
    fn the_same_every_time() {
        let again = conversations();
        for (a, b) in demo().iter().zip(&again) {
            assert_eq!(a.title, b.title);
            assert!(a.results == b.results, "{} differs between runs", a.title);
        }
    }
}
