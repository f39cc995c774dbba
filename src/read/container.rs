//! Zip containers (xlsx, xlsm, ods): checks on the central directory before anything is
//! inflated, and bounded inflation for the entries we read ourselves.
//!
//! calamine inflates entries without a size limit, and the zip crate bounds an entry's
//! output by its *declared* size. So checking every declared size against [`Limits`]
//! here bounds what any later reader can inflate — a zip bomb is refused by reading
//! its directory, without inflating a byte.

use std::io::{Cursor, Read, Seek, SeekFrom};

use zip::ZipArchive;

use super::{Limits, Reject};

const MB: u64 = 1024 * 1024;

/// Checks the zip's directory: entry count, declared sizes, compression ratio, and
/// entries that overlap (the "non-recursive zip bomb" reuses one compressed stream for
/// many entries).
pub(crate) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<Parts, Reject> {
    check_opened(&mut open(bytes)?, bytes, limits)
}

/// [`check_zip`] on an archive already opened over `bytes` (the one the format was
/// sniffed with: the directory is parsed once per file).
pub(crate) fn check_opened(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Parts, Reject> {
    let records = central_records(bytes, zip.central_directory_start());
    check_entries(zip, bytes.len() as u64, records, limits)
}

/// [`check_zip`] on an archive read from a file as needed (a summary read back: 146 MB
/// at 40 000 schools, not loaded whole). The archive is returned for the reader.
pub(crate) fn check_reader<R: Read + Seek>(
    mut reader: R,
    limits: &Limits,
) -> Result<(ZipArchive<R>, Parts), Reject> {
    let damaged = || {
        Reject::damaged("архив файла не читается — вероятно, файл обрезан при передаче".to_string())
    };
    let len = reader.seek(SeekFrom::End(0)).map_err(|_| damaged())?;
    reader.rewind().map_err(|_| damaged())?;
    // The directory is parsed twice: the zip crate finds where it starts, then its records
    // are counted from the file (a few kilobytes), then the archive is opened for reading.
    let zip = ZipArchive::new(reader).map_err(|_| damaged())?;
    let (start, entries) = (zip.central_directory_start(), zip.len());
    let mut reader = zip.into_inner();
    let records = central_records_in(&mut reader, start, entries + 1);
    let mut zip = ZipArchive::new(reader).map_err(|_| damaged())?;
    let parts = check_entries(&mut zip, len, records, limits)?;
    Ok((zip, parts))
}

/// The checks of [`check_opened`] on an archive of `len` bytes whose central directory
/// has `records` records.
fn check_entries<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    len: u64,
    records: usize,
    limits: &Limits,
) -> Result<Parts, Reject> {
    // The zip crate keeps one entry per exact name (the last one wins); the central
    // directory itself says how many records there are.
    if records > zip.len() {
        return Err(ambiguous(
            "в архиве файла несколько частей с одним и тем же именем".to_string(),
        ));
    }
    let mut parts = Parts::default();
    let mut names: Vec<String> = Vec::with_capacity(zip.len());
    if zip.len() > limits.max_zip_entries {
        return Err(Reject::too_large(format!(
            "в архиве файла {} частей (допускается не более {})",
            zip.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    let mut spans: Vec<(u64, u64)> = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(Reject::damaged)?;
        let size = entry.size();
        let packed = entry.compressed_size();
        let name = entry.name().to_string();
        if size > limits.max_entry_uncompressed {
            return Err(Reject::too_large(format!(
                "часть «{name}» после распаковки заняла бы {} МБ (допускается не более {} МБ)",
                size / MB,
                limits.max_entry_uncompressed / MB
            )));
        }
        if size > limits.ratio_min_entry && size / packed.max(1) > limits.max_ratio {
            return Err(Reject::too_large(format!(
                "часть «{name}» сжата в {} раз — так сжимаются только «архивные бомбы»",
                size / packed.max(1)
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_uncompressed {
            return Err(Reject::too_large(format!(
                "после распаковки файл занял бы более {} МБ",
                limits.max_total_uncompressed / MB
            )));
        }
        let start = entry.header_start();
        let end = entry.data_start().saturating_add(packed);
        if end > len {
            return Err(Reject::damaged(format!("часть «{name}» выходит за конец файла")));
        }
        spans.push((start, end));
        // Part names are case-insensitive (OPC, ODF): `SHEET1.xml` beside `sheet1.xml`
        // is one part written twice, and readers disagree on which one they show.
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") || lower.ends_with(".rels") {
            parts.xml_bytes = parts.xml_bytes.saturating_add(size.min(limits.max_read_part));
        }
        let key = part_key(&name);
        if let Some(&first) = parts.index.get(&key) {
            let first_name = &names[first];
            return Err(ambiguous(format!(
                "в архиве файла две части с одним именем: «{first_name}» и «{name}»"
            )));
        }
        parts.index.insert(key, i);
        names.push(name);
    }
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err(Reject::damaged("части архива перекрывают друг друга"));
    }
    Ok(parts)
}

/// The parts of a checked zip by case-folded name: lookups ignore case the way Excel
/// does, which is only safe because [`check_zip`] refused names that differ by case only.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    index: std::collections::HashMap<String, usize>,
    /// The declared sizes of the XML parts (`.xml`, `.rels`), each capped at
    /// [`Limits::max_read_part`]: what [`super::reading_cost`] weighs.
    pub xml_bytes: u64,
}

impl Parts {
    /// The zip index of a part, by name (`xl/workbook.xml`; a leading `/` is ignored).
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(&part_key(name)).copied()
    }
}

fn part_key(name: &str) -> String {
    name.trim_start_matches('/').replace('\\', "/").to_lowercase()
}

fn ambiguous(what: String) -> Reject {
    Reject::new(
        crate::finding::Code::FileDamaged,
        format!(
            "файл повреждён или подделан: {what}. Разные программы покажут в нём разные \
             значения, поэтому он не используется. Откройте форму в Excel или LibreOffice, \
             сохраните её как «Книга Excel (.xlsx)» и пришлите заново"
        ),
    )
    .because(format!("файл повреждён или подделан: {what}"))
}

/// Counts the records of the central directory that starts at `start` (each one
/// `PK\x01\x02`, 46 bytes plus name, extra field and comment).
fn central_records(bytes: &[u8], start: u64) -> usize {
    let mut at = start as usize;
    let mut n = 0;
    while at + 46 <= bytes.len() && bytes[at..at + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let len = |o: usize| usize::from(u16::from_le_bytes([bytes[at + o], bytes[at + o + 1]]));
        at += 46 + len(28) + len(30) + len(32);
        n += 1;
    }
    n
}

/// [`central_records`] read from `reader`, counting at most `max`.
fn central_records_in<R: Read + Seek>(reader: &mut R, start: u64, max: usize) -> usize {
    let mut n = 0;
    let mut head = [0u8; 46];
    if reader.seek(SeekFrom::Start(start)).is_err() {
        return 0;
    }
    while n < max && reader.read_exact(&mut head).is_ok() && head[..4] == [0x50, 0x4b, 0x01, 0x02] {
        let len = |o: usize| i64::from(u16::from_le_bytes([head[o], head[o + 1]]));
        n += 1;
        if reader.seek(SeekFrom::Current(len(28) + len(30) + len(32))).is_err() {
            break;
        }
    }
    n
}

pub(crate) fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, Reject> {
    // The zip crate's own text («invalid Zip archive: Could not find EOCD») is English and
    // says nothing more to a methodologist.
    ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        Reject::damaged("архив файла не читается — вероятно, файл обрезан при передаче".to_string())
    })
}

/// Inflates one entry, at most its declared size (a lying header cannot make us produce
/// more), and only if the declared size is within the limit. `Ok(None)` when absent.
pub(crate) fn read_entry(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, Reject> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(Reject::damaged(format!("часть «{name}»: {e}"))),
    };
    let declared = entry.size();
    if declared > limits.max_entry_uncompressed {
        return Err(Reject::too_large(format!("часть «{name}» слишком велика")));
    }
    let mut out = Vec::with_capacity(declared.min(16 * MB) as usize);
    entry
        .take(declared + 1)
        .read_to_end(&mut out)
        .map_err(|e| Reject::damaged(format!("часть «{name}»: {e}")))?;
    if out.len() as u64 > declared {
        return Err(Reject::damaged(format!("часть «{name}» больше заявленного размера")));
    }
    Ok(Some(out))
}
