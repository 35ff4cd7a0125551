//! A strict reader for the PDF files this crate writes, used to check their structure.
//!
//! It understands only the layout `pdf.rs` produces (one classic xref section, direct
//! `/Length` values, Flate streams), and reports every mismatch as an error message.

#![allow(dead_code)]

pub mod sample;

use std::collections::BTreeMap;

/// What the structural check found in a file.
#[derive(Debug)]
pub struct Parsed {
    /// Object number to byte offset, from the xref table.
    pub offsets: BTreeMap<usize, usize>,
    /// `/Count` of the page tree.
    pub declared_pages: usize,
    /// Number of `/Type /Page` objects.
    pub page_objects: usize,
    /// Decompressed content streams, in object order.
    pub contents: Vec<String>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| position + from)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
}

/// Reads the decimal number starting at `at`, returning it and the index after it.
fn number_at(bytes: &[u8], at: usize) -> Result<(usize, usize), String> {
    let end = bytes[at..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(bytes.len(), |p| p + at);
    let text = std::str::from_utf8(&bytes[at..end]).map_err(|e| e.to_string())?;
    let value = text
        .parse()
        .map_err(|_| format!("expected a number at byte {at}, found {text:?}"))?;
    Ok((value, end))
}

/// Returns the value of `/Key N` inside `dictionary`.
fn integer_after(dictionary: &str, key: &str) -> Result<usize, String> {
    let start = dictionary
        .find(key)
        .ok_or_else(|| format!("{key} missing in {dictionary:.80}"))?
        + key.len();
    let digits: String = dictionary[start..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .map_err(|_| format!("{key} is not followed by a number in {dictionary:.80}"))
}

/// Checks the header, the startxref value, every xref offset, the trailer, the page tree
/// and every stream's length, and decompresses the content streams.
pub fn parse(pdf: &[u8]) -> Result<Parsed, String> {
    if !pdf.starts_with(b"%PDF-1.7\n") {
        return Err("file does not start with %PDF-1.7".to_owned());
    }
    if !pdf.ends_with(b"%%EOF\n") {
        return Err("file does not end with %%EOF".to_owned());
    }
    let startxref = rfind(pdf, b"startxref\n").ok_or("startxref missing")?;
    let (xref_offset, _) = number_at(pdf, startxref + b"startxref\n".len())?;
    if !pdf[xref_offset..].starts_with(b"xref\n0 ") {
        return Err(format!(
            "startxref {xref_offset} does not point at an xref table"
        ));
    }
    let (size, after_size) = number_at(pdf, xref_offset + b"xref\n0 ".len())?;
    let entries_start = after_size + 1;
    let mut offsets = BTreeMap::new();
    for index in 0..size {
        let entry = pdf
            .get(entries_start + 20 * index..entries_start + 20 * (index + 1))
            .ok_or(format!("xref entry {index} is cut off"))?;
        let entry = std::str::from_utf8(entry).map_err(|e| e.to_string())?;
        if index == 0 {
            if entry != "0000000000 65535 f \n" {
                return Err(format!("xref entry 0 is {entry:?}"));
            }
            continue;
        }
        if !entry.ends_with(" 00000 n \n") {
            return Err(format!("xref entry {index} is {entry:?}"));
        }
        let offset: usize = entry[..10]
            .parse()
            .map_err(|_| format!("xref entry {index} is {entry:?}"))?;
        let expected = format!("{index} 0 obj\n");
        if !pdf[offset.min(pdf.len())..].starts_with(expected.as_bytes()) {
            return Err(format!(
                "xref offset {offset} of object {index} does not point at {expected:?}"
            ));
        }
        offsets.insert(index, offset);
    }
    let trailer_start = entries_start + 20 * size;
    let trailer = String::from_utf8_lossy(&pdf[trailer_start..startxref]);
    if !trailer.starts_with("trailer\n") {
        return Err(format!("no trailer after the xref table: {trailer:.40}"));
    }
    if integer_after(&trailer, "/Size")? != size {
        return Err(format!(
            "trailer /Size differs from the {size} xref entries"
        ));
    }
    let root = integer_after(&trailer, "/Root")?;

    let mut bodies = BTreeMap::new();
    let mut contents = Vec::new();
    for (&id, &offset) in &offsets {
        let end = find(pdf, b"endobj\n", offset).ok_or(format!("object {id} has no endobj"))?;
        let body = &pdf[offset..end];
        if let Some(stream) = find(body, b"stream\n", 0) {
            let dictionary = String::from_utf8_lossy(&body[..stream]);
            let length = integer_after(&dictionary, "/Length")?;
            let data_start = offset + stream + b"stream\n".len();
            let data = pdf
                .get(data_start..data_start + length)
                .ok_or(format!("stream {id} is cut off"))?;
            if !pdf[data_start + length..].starts_with(b"\nendstream\nendobj") {
                return Err(format!(
                    "stream {id}: /Length {length} does not end at endstream"
                ));
            }
            let inflated = miniz_oxide::inflate::decompress_to_vec_zlib(data)
                .map_err(|e| format!("stream {id} does not inflate: {e:?}"))?;
            contents.push(String::from_utf8_lossy(&inflated).into_owned());
        }
        bodies.insert(id, String::from_utf8_lossy(body).into_owned());
    }
    let catalog = bodies.get(&root).ok_or("the /Root object is missing")?;
    if !catalog.contains("/Type /Catalog") {
        return Err("the /Root object is not a catalog".to_owned());
    }
    let pages_id = integer_after(catalog, "/Pages")?;
    let page_tree = bodies
        .get(&pages_id)
        .ok_or("the page tree object is missing")?;
    let declared_pages = integer_after(page_tree, "/Count")?;
    let page_objects = bodies
        .values()
        .filter(|body| body.contains("/Type /Page "))
        .count();
    Ok(Parsed {
        offsets,
        declared_pages,
        page_objects,
        contents,
    })
}

/// Text of all `(...) Tj` operands in a content stream, with escapes undone and WinAnsi
/// bytes above 0x7F mapped through Latin-1 (exact except for 0x80..=0x9F).
pub fn shown_text(content: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for line in content.lines().filter(|line| line.ends_with(" Tj ET")) {
        let Some(start) = line.find(" (") else {
            continue;
        };
        let literal = &line[start + 2..line.len() - " Tj ET".len() - 1];
        let mut text = String::new();
        let mut chars = literal.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch != '\\' {
                text.push(ch);
                continue;
            }
            match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    let octal: String = (0..3).filter_map(|_| chars.next()).collect();
                    let code = u8::from_str_radix(&octal, 8).unwrap_or(b'?');
                    text.push(char::from(code));
                }
                Some(_) => text.extend(chars.next()),
                None => {}
            }
        }
        texts.push(text);
    }
    texts
}
