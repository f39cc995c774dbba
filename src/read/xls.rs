//! Legacy .xls (BIFF8) through calamine. Schools sometimes "save as Excel 97–2003".
//!
//! calamine parses every sheet into a dense range when the workbook is opened. BIFF's
//! grid is at most 65 536 × 256, so the worst case is bounded (≈ 0.5 GB for a sheet with
//! values in A1 and IV65536) — accepted for a format that only arrives by accident; the
//! file-size limit bounds everything else, and [`Limits::max_xls_area`] refuses the file
//! before we iterate such a sheet. Custom document properties usually do not survive a
//! save as .xls; the identity then comes from the identity sheet only.

use super::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xls};

use super::{serial_to_datetime, Backend, Budget, Limits, Opened, Reject, StoredCell, Value, Want};
use crate::finding::Code;

pub(crate) struct XlsBackend<'a> {
    wb: Xls<Cursor<&'a [u8]>>,
    max_area: u64,
    is_1904: bool,
}

pub(crate) fn open<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<(Opened, XlsBackend<'a>), Reject> {
    let mut wb = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => {
            Reject::new(Code::FileEncrypted, super::Format::Encrypted.message())
        }
        other => Reject::damaged(other),
    })?;
    let sheets = wb.sheet_names();
    let names = wb.defined_names().to_vec();
    let (properties, saved_at) = super::identity_properties(wb.workbook_properties().ok());
    let is_1904 = wb.has_1904_epoch();
    Ok((
        Opened { sheets, names, properties, saved_at },
        XlsBackend { wb, max_area: limits.max_xls_area, is_1904 },
    ))
}

impl Backend for XlsBackend<'_> {
    fn read_cells(
        &mut self,
        sheet: &str,
        want: &Want,
        budget: &mut Budget,
    ) -> Result<HashMap<(u32, u32), StoredCell>, Reject> {
        let range = self.wb.worksheet_range(sheet).map_err(Reject::damaged)?;
        let (h, w) = range.get_size();
        if (h as u64) * (w as u64) > self.max_area {
            return Err(Reject::too_large(format!("лист «{sheet}» занимает {h} × {w} ячеек")));
        }
        let formulas = self.wb.worksheet_formula(sheet).ok();
        let mut out = HashMap::default();
        for (r, c, v) in range.used_cells() {
            budget.tick()?;
            let start = range.start().unwrap_or((0, 0));
            let (r, c) = (r as u32 + start.0, c as u32 + start.1);
            if !want.contains(r, c) {
                continue;
            }
            let formula =
                formulas.as_ref().and_then(|f| f.get_value((r, c))).is_some_and(|f| !f.is_empty());
            let value = convert(v, self.is_1904);
            budget.keep_text(&value)?;
            if value != Value::Empty {
                out.insert((r, c), StoredCell { value, formula });
            }
        }
        Ok(out)
    }
}

fn convert(v: &Data, is_1904: bool) -> Value {
    match v {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) => match serial_to_datetime(d.as_f64(), is_1904) {
            Some(dt) if d.is_datetime() => Value::DateTime(dt),
            _ => Value::Number(d.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}
