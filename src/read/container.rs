//! Zip containers (xlsx, xlsm, ods): checks on the central directory before anything is
//! inflated, and bounded inflation for the entries we read ourselves.
//!
//! calamine inflates entries without a size limit, and the zip crate bounds an entry's
//! output by its *declared* size. So checking every declared size against [`Limits`]
//! here bounds what any later reader can inflate — a zip bomb is refused by reading
//! its directory, without inflating a byte.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::{Limits, Reject};

const MB: u64 = 1024 * 1024;

/// Checks the zip's directory: entry count, declared sizes, compression ratio, and
/// entries that overlap (the "non-recursive zip bomb" reuses one compressed stream for
/// many entries).
pub(crate) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), Reject> {
    let mut zip = open(bytes)?;
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
        if end > bytes.len() as u64 {
            return Err(Reject::damaged(format!("часть «{name}» выходит за конец файла")));
        }
        spans.push((start, end));
    }
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err(Reject::damaged("части архива перекрывают друг друга"));
    }
    Ok(())
}

pub(crate) fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, Reject> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Reject::damaged(format!(
            "архив файла не читается — вероятно, файл обрезан при передаче: {e}"
        ))
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
