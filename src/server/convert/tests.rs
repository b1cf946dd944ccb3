use super::*;
use std::io::Write;
use zip::write::SimpleFileOptions;

/// A one-page PDF with the given lines in Helvetica, xref offsets computed.
pub fn pdf_with(lines: &[&str]) -> Vec<u8> {
    let text: String = lines.iter().map(|l| format!("({l}) Tj 0 -20 Td ")).collect();
    let stream = format!("BT /F1 12 Tf 72 720 Td {text}ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(*name, SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

#[test]
fn pdf_text_becomes_markdown() {
    let md = to_markdown("docs/Q3 report.pdf", &pdf_with(&["Revenue grew", "in the third quarter"])).unwrap();
    assert!(md.starts_with("# Q3 report\n\n"), "{md}");
    assert!(md.contains("Revenue grew"), "{md}");
    assert!(md.contains("third quarter"), "{md}");
}

#[test]
fn docx_headings_paragraphs_lists_and_tables() {
    let body = format!(
        r#"<w:document {W}><w:body>
        <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Plan</w:t></w:r></w:p>
        <w:p><w:r><w:t xml:space="preserve">Ship it &amp; </w:t></w:r><w:r><w:t>celebrate</w:t></w:r></w:p>
        <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t>first</w:t></w:r></w:p>
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>name</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>score</w:t></w:r></w:p></w:tc></w:tr>
        <w:tr><w:tc><w:p><w:r><w:t>a|b</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
        </w:body></w:document>"#
    );
    let docx = zip_of(&[("word/document.xml", &body)]);
    let md = to_markdown("plan.docx", &docx).unwrap();
    assert_eq!(md, "# Plan\n\nShip it & celebrate\n\n- first\n\n| name | score |\n| --- | --- |\n| a\\|b | 3 |\n");
}

#[test]
fn csv_and_tsv_become_tables() {
    let md = to_markdown("s.csv", b"name,score\nada,3\n\"x|y\",\"multi\nline\"\n").unwrap();
    assert_eq!(md, "| name | score |\n| --- | --- |\n| ada | 3 |\n| x\\|y | multi line |\n");
    let md = to_markdown("s.tsv", b"a\tb\n1\t2\n").unwrap();
    assert_eq!(md, "| a | b |\n| --- | --- |\n| 1 | 2 |\n");
}

#[test]
fn xlsx_sheets_become_tables() {
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
        <row r="1"><c r="A1" t="inlineStr"><is><t>item</t></is></c><c r="B1" t="inlineStr"><is><t>qty</t></is></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>pens</t></is></c><c r="B2"><v>12</v></c></row>
        </sheetData></worksheet>"#;
    let xlsx = zip_of(&[
        (
            "[Content_Types].xml",
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Stock" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ]);
    let md = to_markdown("stock.xlsx", &xlsx).unwrap();
    assert_eq!(md, "## Stock\n\n| item | qty |\n| --- | --- |\n| pens | 12 |\n\n");
}

#[test]
fn html_drops_scripts() {
    let md =
        to_markdown("p.html", b"<h1>Title</h1><ul><li>one</li></ul><a href=\"/x\">link</a><script>alert(1)</script>")
            .unwrap();
    assert!(md.contains("# Title") && md.contains("one") && md.contains("[link](/x)"), "{md}");
    assert!(!md.contains("alert"), "{md}");
}

#[test]
fn broken_documents_fail_without_panicking() {
    let pdf = pdf_with(&["hello"]);
    for (name, bytes) in [
        ("a.pdf", &pdf[..pdf.len() / 2]),
        ("a.pdf", &b"not a pdf at all"[..]),
        ("a.docx", &b"PK\x03\x04 garbage"[..]),
        ("a.xlsx", &b"random bytes"[..]),
        ("a.pdf", &b""[..]),
        ("a.txt", &b"plain"[..]),
    ] {
        assert!(to_markdown(name, bytes).is_err(), "{name} {:?}", &bytes[..bytes.len().min(10)]);
    }
    assert!(is_convertible("X.PDF") && is_convertible("a.docx") && !is_convertible("a.txt"));
}

/// Made by python-docx, openpyxl and python-pptx (tests/fixtures/previews).
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/previews/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn pptx_slides_in_order_with_titles_and_outline_levels() {
    let md = to_markdown("roadmap.pptx", &fixture("roadmap.pptx")).unwrap();
    let expected = "## 1. Roadmap 2027\n\n- Where we go next\n\n## 2. Goals\n\n- Faster previews\n  - Notebooks and Office\n- Fewer clicks\n";
    assert_eq!(md, expected);
}

#[test]
fn real_docx_and_workbook() {
    let md = to_markdown("plan.docx", &fixture("plan.docx")).unwrap();
    let expected = "# Quarterly plan\n\nRevenue grew in every region.\n\n## Goals\n\n- Hire two engineers\n\n- Ship the gallery\n\n| Region | Revenue |\n| --- | --- |\n| North | 120 |\n";
    assert_eq!(md, expected);
    let md = to_markdown("budget.xlsx", &fixture("budget.xlsx")).unwrap();
    assert!(md.starts_with("## Revenue\n\n| region | revenue |\n| --- | --- |\n| north | 120 |\n"), "{md}");
    assert!(md.contains("## Costs & <fees>\n\n| item | cost |"), "{md}");
}

#[test]
fn a_preview_has_each_picture_where_it_stands_and_the_twin_stays_text() {
    let md = with_pictures("pictures.docx", &fixture("pictures.docx")).unwrap();
    let expected = "# Field report\n\nThe chart:\n\n![Sales chart](word/media/image1.png)\n\nAnd the map:\n\n![Picture 2](word/media/image2.png)\n";
    assert_eq!(md, expected, "the linked picture is left out");
    let md = with_pictures("pictures.pptx", &fixture("pictures.pptx")).unwrap();
    let expected = "## 1. Charts\n\n![Sales chart](ppt/media/image1.png)\n\n## 2. Team\n\n![image.png](ppt/media/image2.png)\n\n![image.png](ppt/media/image3.png)\n";
    assert_eq!(md, expected);
    for name in ["pictures.docx", "pictures.pptx"] {
        let twin = to_markdown(name, &fixture(name)).unwrap();
        assert!(!twin.contains("!["), "{twin}");
    }
}

#[test]
fn pictures_are_bounded_in_number() {
    let blip = r#"<w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p>"#;
    let body = format!(
        r#"<w:document {W} xmlns:a="a" xmlns:r="r"><w:body>{}</w:body></w:document>"#,
        blip.repeat(pictures::MAX_PICTURES + 5)
    );
    let rels = r#"<Relationships><Relationship Id="rId1" Target="media/p.png"/></Relationships>"#;
    let docx =
        zip_of(&[("word/document.xml", &body), ("word/_rels/document.xml.rels", rels), ("word/media/p.png", "")]);
    let md = with_pictures("many.docx", &docx).unwrap();
    assert_eq!(md.matches("![").count(), pictures::MAX_PICTURES);
    assert!(md.ends_with("_5 more pictures are not shown._\n"), "{md}");
}

/// A deck of one slide per text, whose slide list names the slides at `list`
/// (their indexes in `texts`).
fn deck(texts: &[String], list: impl Iterator<Item = usize>) -> Vec<u8> {
    let ids: String = list.map(|i| format!(r#"<p:sldId id="1" r:id="rId{i}"/>"#)).collect();
    let presentation = format!("<p:presentation><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>");
    let rels: String =
        (0..texts.len()).map(|i| format!(r#"<Relationship Id="rId{i}" Target="slides/slide{i}.xml"/>"#)).collect();
    let rels = format!("<Relationships>{rels}</Relationships>");
    let mut files =
        vec![("ppt/presentation.xml".to_string(), presentation), ("ppt/_rels/presentation.xml.rels".into(), rels)];
    for (i, text) in texts.iter().enumerate() {
        let slide = format!("<p:sld><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sld>");
        files.push((format!("ppt/slides/slide{i}.xml"), slide));
    }
    zip_of(&files.iter().map(|(n, x)| (n.as_str(), x.as_str())).collect::<Vec<_>>())
}

#[test]
fn a_slide_the_list_names_again_is_shown_once() {
    let pptx = deck(&["Only once".into()], std::iter::repeat_n(0, 100_000));
    assert_eq!(to_markdown("hostile.pptx", &pptx).unwrap(), "## Slide 1\n\n- Only once\n");
}

#[test]
fn slides_are_bounded_in_size() {
    // Each slide a MiB, with the spaces of its text: the first 50 MiB are read.
    let texts: Vec<String> = (0..60).map(|i| format!("text {i}{}", " ".repeat(1 << 20))).collect();
    let md = to_markdown("heavy.pptx", &deck(&texts, 0..texts.len())).unwrap();
    assert_eq!(md.matches("## Slide").count(), 50);
    assert!(md.ends_with("- text 49\n\n_Only the first 50 slides are shown._\n"), "{}", &md[md.len() - 100..]);
}

#[test]
fn slides_are_bounded_in_number() {
    let texts: Vec<String> = (0..pptx::MAX_SLIDES + 2).map(|i| format!("text {i}")).collect();
    let md = to_markdown("long.pptx", &deck(&texts, 0..texts.len())).unwrap();
    assert_eq!(md.matches("## Slide").count(), pptx::MAX_SLIDES);
    assert!(md.contains(&format!("- text {}\n", pptx::MAX_SLIDES - 1)), "the last slide shown");
    assert!(md.ends_with(&format!("_Only the first {} slides are shown._\n", pptx::MAX_SLIDES)), "{md}");
}
