//! Format detection from the content. Extensions lie: schools send HTML saved as `.xls`
//! by web portals, CSV renamed to `.xlsx`, password-protected workbooks (which are CFB
//! containers, not zips, whatever their name says). Each format that is not a readable
//! workbook has its own message saying what the school should do.

use std::io::{Cursor, Read};

use serde::Serialize;

use crate::finding::Code;

/// What a file is, judged by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Office Open XML workbook.
    Xlsx,
    /// Office Open XML workbook with macros (read as data; macros never run).
    Xlsm,
    /// OpenDocument spreadsheet (LibreOffice).
    Ods,
    /// Legacy Excel 97–2003 (BIFF in a CFB container).
    Xls,
    /// Excel binary workbook: not supported.
    Xlsb,
    /// Password-protected (encrypted) workbook.
    Encrypted,
    /// A web page.
    Html,
    /// Some other XML (e.g. «XML-таблица 2003»).
    Xml,
    /// Comma/semicolon/tab separated text.
    Csv,
    /// Other plain text.
    Text,
    /// A Word or other office document, not a spreadsheet.
    OtherDocument,
    /// A zip archive that is not a workbook.
    Zip,
    /// Zero bytes.
    Empty,
    Unknown,
}

impl Format {
    /// The finding code for a file of this format that cannot be read as a return.
    pub fn code(self) -> Code {
        match self {
            Format::Empty => Code::FileEmpty,
            Format::Encrypted => Code::FileEncrypted,
            Format::Html | Format::Xml => Code::FileHtml,
            Format::Csv | Format::Text => Code::FileCsv,
            _ => Code::FileNotSpreadsheet,
        }
    }

    /// Russian: what this file is and what the school should do.
    pub fn message(self) -> &'static str {
        match self {
            Format::Xlsx | Format::Xlsm | Format::Ods | Format::Xls => "табличный файл",
            Format::Empty => {
                "файл пустой (0 байт): вероятно, он не сохранился или не загрузился. \
                 Пришлите заполненную форму ещё раз"
            }
            Format::Encrypted => {
                "файл защищён паролем: снимите пароль (Файл → Сведения → Защита книги → \
                 Зашифровать с использованием пароля → удалите пароль) и пришлите заново"
            }
            Format::Html => {
                "это веб-страница, сохранённая с расширением таблицы (.xls/.xlsx), а не форма. \
                 Откройте присланную вам форму и сохраните её как «Книга Excel (.xlsx)»"
            }
            Format::Xml => {
                "это XML-файл (например, «XML-таблица 2003»), а не форма. Откройте форму и \
                 сохраните её как «Книга Excel (.xlsx)»"
            }
            Format::Csv => {
                "это текстовый файл с разделителями (CSV), а не форма: в нём нет листов и \
                 меток формы. Заполните присланную форму и сохраните её как «Книга Excel (.xlsx)»"
            }
            Format::Text => {
                "это текстовый файл, а не форма. Заполните присланную форму и сохраните её как \
                 «Книга Excel (.xlsx)»"
            }
            Format::Xlsb => {
                "файл сохранён в формате «Двоичная книга Excel (.xlsb)», который не \
                 поддерживается. Сохраните форму как «Книга Excel (.xlsx)» и пришлите заново"
            }
            Format::OtherDocument => {
                "это не таблица (документ Word или другой программы). Пришлите заполненную \
                 форму в формате «Книга Excel (.xlsx)»"
            }
            Format::Zip => "это архив, а не форма. Распакуйте его и пришлите саму форму (.xlsx)",
            Format::Unknown => {
                "файл не является таблицей Excel или LibreOffice. Пришлите заполненную форму в \
                 формате «Книга Excel (.xlsx)»"
            }
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Detects the format of a file from its bytes (the whole file: a zip must be looked into).
pub fn sniff(bytes: &[u8]) -> Format {
    sniff_open(bytes).0
}

/// A zip archive opened over a file's bytes.
pub(crate) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// [`sniff`], keeping the zip archive it opened to look into a zip (`None` for other
/// files, and for a zip whose directory does not read): reading goes on with it, so the
/// central directory is parsed once per file.
pub(crate) fn sniff_open(bytes: &[u8]) -> (Format, Option<Zip<'_>>) {
    if bytes.is_empty() {
        return (Format::Empty, None);
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        return match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(mut zip) => (sniff_zip(&mut zip), Some(zip)),
            Err(_) => (sniff_broken_zip(bytes), None),
        };
    }
    if bytes.starts_with(CFB_MAGIC) {
        return (sniff_cfb(bytes), None);
    }
    (sniff_text(bytes), None)
}

/// Looks at entry names only (the central directory); nothing is inflated except the
/// 46-byte `mimetype` of an ODF file. A zip whose directory cannot be read is still
/// called Xlsx when its first local header names a workbook part, so that a truncated
/// upload gets «повреждён», not «не таблица».
fn sniff_zip(zip: &mut Zip<'_>) -> Format {
    let has = |zip: &Zip<'_>, name: &str| zip.index_for_name(name).is_some();
    if has(zip, "mimetype") {
        let mut head = Vec::new();
        if let Ok(f) = zip.by_name("mimetype") {
            let _ = f.take(ODS_MIME.len() as u64 + 16).read_to_end(&mut head);
        }
        if head.trim_ascii() == ODS_MIME {
            return Format::Ods;
        }
        return Format::OtherDocument;
    }
    if has(zip, "[Content_Types].xml") || has(zip, "xl/workbook.xml") {
        if has(zip, "xl/workbook.xml") {
            if has(zip, "xl/vbaProject.bin") {
                return Format::Xlsm;
            }
            return Format::Xlsx;
        }
        if has(zip, "xl/workbook.bin") {
            return Format::Xlsb;
        }
        return Format::OtherDocument;
    }
    Format::Zip
}

/// A zip without a readable central directory (truncated upload): treat it as the
/// workbook it started to be, so that reading reports it damaged.
fn sniff_broken_zip(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(4096)];
    if contains(head, b"mimetype") && contains(bytes, ODS_MIME) {
        Format::Ods
    } else {
        Format::Xlsx
    }
}

/// CFB: legacy .xls, or an encrypted OOXML package (Excel wraps a password-protected
/// .xlsx in CFB with `EncryptionInfo` and `EncryptedPackage` streams), or a Word .doc.
/// Directory entry names are UTF-16LE; scanning the bytes for them avoids trusting a
/// hostile CFB's sector chains just to classify it.
fn sniff_cfb(bytes: &[u8]) -> Format {
    if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo") {
        return Format::Encrypted;
    }
    if contains_utf16(bytes, "Workbook") || contains_utf16(bytes, "Book") {
        return Format::Xls;
    }
    if contains_utf16(bytes, "WordDocument") || contains_utf16(bytes, "PowerPoint Document") {
        return Format::OtherDocument;
    }
    // Unknown CFB: let the xls reader try and report what it finds.
    Format::Xls
}

fn sniff_text(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(8192)];
    let body = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .or_else(|| head.strip_prefix(b"\xFF\xFE"))
        .or_else(|| head.strip_prefix(b"\xFE\xFF"))
        .unwrap_or(head);
    // UTF-16 text: drop the zero bytes for the markup checks.
    let narrowed: Vec<u8>;
    let body = if body.iter().take(64).filter(|&&b| b == 0).count() > 16 {
        narrowed = body.iter().copied().filter(|&b| b != 0).collect();
        &narrowed[..]
    } else {
        body
    };
    let trimmed = body.trim_ascii_start();
    let lower: Vec<u8> = trimmed.iter().take(1024).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<") {
        if contains(&lower, b"<html") || lower.starts_with(b"<!doctype html") {
            return Format::Html;
        }
        if lower.starts_with(b"<?xml")
            && contains(head, b"urn:schemas-microsoft-com:office:spreadsheet")
        {
            return Format::Xml;
        }
        if lower.starts_with(b"<?xml") || lower.starts_with(b"<!") {
            // XHTML pages start with <?xml too.
            if contains(&lower, b"<html") {
                return Format::Html;
            }
            return Format::Xml;
        }
        if contains(&lower, b"<table") || contains(&lower, b"<body") || contains(&lower, b"<head") {
            return Format::Html;
        }
        return Format::Xml;
    }
    if is_text(body) {
        let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
        if first_line.iter().any(|&b| b == b';' || b == b',' || b == b'\t') {
            return Format::Csv;
        }
        return Format::Text;
    }
    Format::Unknown
}

/// Text: no control bytes other than tab/CR/LF (valid UTF-8 or an 8-bit code page such
/// as Windows-1251 both qualify).
fn is_text(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| b >= 0x20 || b == b'\t' || b == b'\r' || b == b'\n')
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_utf16(hay: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    contains(hay, &needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_formats() {
        assert_eq!(sniff(b""), Format::Empty);
        assert_eq!(sniff(b"<html><body>x</body></html>"), Format::Html);
        assert_eq!(sniff(b"\xEF\xBB\xBF<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff(b"  <?xml version=\"1.0\"?><root/>"), Format::Xml);
        assert_eq!(sniff("школа;число\n07;12\n".as_bytes()), Format::Csv);
        assert_eq!(sniff("просто текст".as_bytes()), Format::Text);
        assert_eq!(sniff(&[0x00, 0x01, 0x02, 0xFF]), Format::Unknown);
    }

    #[test]
    fn cfb_formats() {
        let mut cfb = CFB_MAGIC.to_vec();
        cfb.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&cfb), Format::Encrypted);
        let mut xls = CFB_MAGIC.to_vec();
        xls.extend("Workbook".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&xls), Format::Xls);
    }

    #[test]
    fn every_format_has_a_message() {
        for f in [Format::Empty, Format::Encrypted, Format::Html, Format::Csv, Format::Xlsb] {
            assert!(f.message().len() > 20);
        }
    }
}
