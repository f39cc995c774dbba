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
    index: super::HashMap<String, usize>,
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
    central_records_in(&mut Cursor::new(bytes), start, usize::MAX)
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

/// A zip entry streamed to a parser straight from the file's bytes: stored, or deflated
/// by an inflater and a buffer that each thread keeps for every part it reads (a new
/// inflater per part was a tenth of the cost of opening a small form: zlib-rs allocates
/// and zeroes its state and window each time). It behaves as the zip crate's reader
/// wrapped in [`super::xlsx`]'s declared-size bound does — the same bytes and the same
/// errors, in the same words: never more than the declared size (one byte more is «часть
/// больше заявленного размера»), the CRC checked when the entry ends («Invalid
/// checksum»), a broken stream «corrupt deflate stream», a cut one «incomplete deflate
/// stream».
pub(crate) struct PartStream<'a> {
    /// The entry's stored bytes (compressed or not), bounded by its compressed size.
    packed: &'a [u8],
    /// How much of `packed` was used (for a stored entry: given out in windows).
    at: usize,
    /// `None` for a stored entry, which is served from `packed` itself.
    inflater: Option<Box<Inflater>>,
    /// The unread window: of the inflater's buffer, or of `packed` for a stored entry.
    pos: usize,
    filled: usize,
    /// Bytes still allowed by the declared size.
    left: u64,
    declared: u64,
    crc: crc32fast::Hasher,
    expected_crc: u32,
    ended: bool,
}

/// A raw-deflate decompressor and its output buffer, reused by the parts one thread reads.
pub(crate) struct Inflater {
    decompress: flate2::Decompress,
    buf: Box<[u8]>,
}

thread_local! {
    static SPARE_INFLATER: std::cell::Cell<Option<Box<Inflater>>> =
        const { std::cell::Cell::new(None) };
}

/// Bytes inflated at a time: what one read of the parser gets.
const INFLATE_CHUNK: usize = 32 * 1024;

impl<'a> PartStream<'a> {
    /// The entry `index` of `zip` (an archive over `bytes`), when it is stored or deflated
    /// without encryption; `Ok(None)` for anything else (the zip crate's own reader
    /// reads it, or says why not).
    pub(crate) fn open(
        zip: &mut ZipArchive<Cursor<&'a [u8]>>,
        bytes: &'a [u8],
        index: usize,
    ) -> zip::result::ZipResult<Option<PartStream<'a>>> {
        use zip::CompressionMethod;
        let entry = zip.by_index_raw(index)?;
        let deflated = match entry.compression() {
            CompressionMethod::Stored => false,
            CompressionMethod::Deflated => true,
            _ => return Ok(None),
        };
        if entry.encrypted() {
            return Ok(None);
        }
        let start = usize::try_from(entry.data_start()).unwrap_or(usize::MAX);
        let len = usize::try_from(entry.compressed_size()).unwrap_or(usize::MAX);
        // [`check_opened`] refused entries past the end; a slice out of bounds is damage.
        let Some(packed) = start.checked_add(len).and_then(|end| bytes.get(start..end)) else {
            return Err(zip::result::ZipError::InvalidArchive(
                "entry data past the end of the file".into(),
            ));
        };
        let inflater = deflated.then(|| match SPARE_INFLATER.with(|s| s.take()) {
            Some(mut i) => {
                i.decompress.reset(false);
                i
            }
            None => Box::new(Inflater {
                decompress: flate2::Decompress::new(false),
                buf: vec![0; INFLATE_CHUNK].into_boxed_slice(),
            }),
        });
        Ok(Some(PartStream {
            packed,
            at: 0,
            inflater,
            pos: 0,
            filled: 0,
            left: entry.size(),
            declared: entry.size(),
            crc: crc32fast::Hasher::new(),
            expected_crc: entry.crc32(),
            ended: false,
        }))
    }

    /// The entry's declared (uncompressed) size.
    pub(crate) fn declared(&self) -> u64 {
        self.declared
    }

    /// The entry is over: its CRC must match (an error each time it is asked, as the zip
    /// crate's reader does).
    fn end(&mut self) -> std::io::Result<()> {
        if self.crc.clone().finalize() != self.expected_crc {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "Invalid checksum"));
        }
        self.ended = true;
        Ok(())
    }
}

fn bigger_than_declared() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, "часть больше заявленного размера")
}

/// Inflates from `packed[*at..]` into `out` until a byte comes out, the stream ends or
/// the input is used up — flate2's own read loop (`zio::read`), with its errors.
fn inflate_some(
    d: &mut flate2::Decompress,
    packed: &[u8],
    at: &mut usize,
    out: &mut [u8],
) -> std::io::Result<usize> {
    use flate2::{FlushDecompress, Status};
    use std::io::{Error, ErrorKind};
    loop {
        let input = &packed[*at..];
        let eof = input.is_empty();
        let flush = if eof { FlushDecompress::Finish } else { FlushDecompress::None };
        let (in0, out0) = (d.total_in(), d.total_out());
        let status = d.decompress(input, out, flush);
        let made = (d.total_out() - out0) as usize;
        let used = (d.total_in() - in0) as usize;
        *at += used;
        match status {
            Ok(Status::Ok | Status::BufError) if made == 0 && !eof && !out.is_empty() => {
                // No progress at all would loop for ever: end the stream there instead.
                if used == 0 {
                    return Ok(0);
                }
            }
            Ok(Status::Ok | Status::BufError) if made == 0 && eof && !out.is_empty() => {
                return Err(Error::new(ErrorKind::UnexpectedEof, "incomplete deflate stream"));
            }
            Ok(_) => return Ok(made),
            Err(_) => return Err(Error::new(ErrorKind::InvalidInput, "corrupt deflate stream")),
        }
    }
}

impl PartStream<'_> {
    /// The window `pos..filled` used up: the next bytes, or the end of the entry.
    #[inline(never)]
    fn refill(&mut self) -> std::io::Result<&[u8]> {
        if self.ended {
            return Ok(&[]);
        }
        let made = match self.inflater.as_deref_mut() {
            // Stored: a window over the bytes themselves.
            None => {
                let rest = self.packed.len() - self.at;
                if self.left == 0 && rest > 0 {
                    return Err(bigger_than_declared());
                }
                let n = rest.min(usize::try_from(self.left).unwrap_or(usize::MAX));
                self.pos = self.at;
                self.at += n;
                self.crc.update(&self.packed[self.pos..self.at]);
                n
            }
            Some(inf) if self.left == 0 => {
                // One more byte would be beyond the declared end.
                let mut probe = [0u8; 1];
                if inflate_some(&mut inf.decompress, self.packed, &mut self.at, &mut probe)? > 0 {
                    return Err(bigger_than_declared());
                }
                self.pos = 0;
                0
            }
            Some(inf) => {
                let max = inf.buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
                let (d, buf) = (&mut inf.decompress, &mut inf.buf[..max]);
                let n = inflate_some(d, self.packed, &mut self.at, buf)?;
                self.crc.update(&buf[..n]);
                self.pos = 0;
                n
            }
        };
        self.left -= made as u64;
        self.filled = self.pos + made;
        if made == 0 {
            self.end()?;
            return Ok(&[]);
        }
        Ok(self.window())
    }

    #[inline(always)]
    fn window(&self) -> &[u8] {
        match self.inflater.as_deref() {
            None => &self.packed[self.pos..self.filled],
            Some(inf) => &inf.buf[self.pos..self.filled],
        }
    }
}

impl std::io::BufRead for PartStream<'_> {
    #[inline(always)]
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos < self.filled {
            return Ok(self.window());
        }
        self.refill()
    }

    #[inline(always)]
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.filled);
    }
}

impl std::io::Read for PartStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        let got = self.fill_buf()?;
        let n = got.len().min(buf.len());
        buf[..n].copy_from_slice(&got[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Drop for PartStream<'_> {
    fn drop(&mut self) {
        // After a panic in a parser the state is not trusted again: the next part makes
        // a new one.
        if let Some(i) = self.inflater.take().filter(|_| !std::thread::panicking()) {
            SPARE_INFLATER.with(|s| s.set(Some(i)));
        }
    }
}
