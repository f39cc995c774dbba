//! xlsx / xlsm through calamine — but only its streaming parts. `worksheet_range()` is
//! never called: it allocates the grid between the first and last used cell, and a 5 KB
//! file with values in A1 and XFD1048576 aborts the process. The streaming cell reader
//! visits stored cells one at a time and we keep only the wanted ones.
//!
//! Formulas: `next_cell_with_formula_metadata` gives, per cell, the cached value and
//! whether a `<f>` element is present; a formula cell with no cached `<v>` becomes
//! [`Value::FormulaNoValue`] (files written by programs that do not calculate).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use quick_xml::events::Event;

use super::container;
use super::{serial_to_datetime, Backend, Budget, Limits, Opened, RawCell, Reject, Value, Want};

pub(crate) struct XlsxBackend<'a> {
    wb: Xlsx<Cursor<&'a [u8]>>,
    is_1904: bool,
}

pub(crate) fn open<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<(Opened, XlsxBackend<'a>), Reject> {
    precheck_shared_strings(bytes, limits)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(map_err)?;
    let sheets = wb.sheet_names();
    let names = wb.defined_names().to_vec();
    let (properties, saved_at) = super::identity_properties(wb.workbook_properties().ok());
    let is_1904 = wb.has_1904_epoch();
    Ok((Opened { sheets, names, properties, saved_at }, XlsxBackend { wb, is_1904 }))
}

/// calamine reserves memory for the `uniqueCount` that `sharedStrings.xml` declares,
/// before reading a single string: `uniqueCount="100000000000"` would abort the process
/// on a failed allocation. Read the declaration ourselves first (the `<sst>` start tag
/// is at the top of the part; we inflate at most 64 KB to find it).
pub(super) fn precheck_shared_strings(bytes: &[u8], limits: &Limits) -> Result<(), Reject> {
    let mut zip = container::open(bytes)?;
    // calamine finds the part relative to the workbook's folder (normally
    // `xl/sharedStrings.xml`); check every part of that name, wherever it is.
    let parts: Vec<String> = zip
        .file_names()
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(str::to_string)
        .collect();
    for part in parts {
        check_declared_count(&mut zip, &part, limits)?;
    }
    Ok(())
}

fn check_declared_count(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    part: &str,
    limits: &Limits,
) -> Result<(), Reject> {
    use std::io::Read;
    let Ok(entry) = zip.by_name(part) else {
        return Ok(());
    };
    // Inflate lazily through a small buffer: the `<sst>` tag is within the first few
    // hundred bytes, and inflating the whole part here (calamine inflates it again) was a
    // visible share of the per-file cost in profiles. Same 64 KB bound as before; an
    // inflate error ends the search like the end of the part did.
    let head = std::io::BufReader::with_capacity(1024, entry.take(64 * 1024));
    let mut xml = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == b"sst" => {
                for attr in e.attributes().flatten() {
                    if attr.key.local_name().as_ref() == b"uniqueCount" {
                        let text = String::from_utf8_lossy(&attr.value).trim().to_string();
                        let ok = text.parse::<u64>().map(|n| n <= limits.max_shared_strings);
                        // Unparseable counts are ignored by calamine too; only a large
                        // number is dangerous.
                        if let Ok(false) = ok {
                            return Err(Reject::too_large(format!(
                                "таблица строк объявляет {text} строк (допускается не более {})",
                                limits.max_shared_strings
                            )));
                        }
                    }
                }
                return Ok(());
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

impl Backend for XlsxBackend<'_> {
    fn read_cells(
        &mut self,
        sheet: &str,
        want: &Want,
        budget: &mut Budget,
    ) -> Result<HashMap<(u32, u32), RawCell>, Reject> {
        let is_1904 = self.is_1904;
        let mut reader = self.wb.worksheet_cells_reader(sheet).map_err(map_err)?;
        let mut out = HashMap::new();
        while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(map_err)? {
            budget.tick()?;
            let (r, c) = cell.pos;
            if !want.contains(r, c) {
                continue;
            }
            let formula = cell.formula.is_some();
            let mut value = convert(&cell.value, is_1904);
            if formula && value == Value::Empty {
                value = Value::FormulaNoValue;
            }
            budget.keep_text(&value)?;
            if value != Value::Empty {
                out.insert((r, c), RawCell { value, formula });
            }
        }
        Ok(out)
    }
}

pub(crate) fn convert(v: &DataRef<'_>, is_1904: bool) -> Value {
    match v {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_string()),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => match serial_to_datetime(d.as_f64(), is_1904) {
            Some(dt) if d.is_datetime() => Value::DateTime(dt),
            // Durations and dates outside the calendar stay numbers.
            _ => Value::Number(d.as_f64()),
        },
        DataRef::DateTimeIso(s) => match super::ods::parse_iso_datetime(s) {
            Some(dt) => Value::DateTime(dt),
            None => Value::Text(s.clone()),
        },
        DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Error(e.to_string()),
    }
}

fn map_err(e: calamine::XlsxError) -> Reject {
    match e {
        calamine::XlsxError::Password => {
            Reject::new(crate::finding::Code::FileEncrypted, super::Format::Encrypted.message())
        }
        other => Reject::damaged(other),
    }
}
