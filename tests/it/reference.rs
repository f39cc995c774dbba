//! calamine as the reference reader: profplan's own streaming .xlsx reader must read
//! every cell it keeps exactly as calamine does (position, value), find every non-empty
//! cell calamine sees in a table area, and the same identity sheet, properties and saved
//! time. Used on the example returns and on files saved by LibreOffice and openpyxl.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use profplan::read::{self, Cell, Limits, Value};

fn from_calamine(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) if d.is_datetime() => {
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            let serial = d.as_f64();
            let days = serial.floor();
            let secs = ((serial - days) * 86_400.0).round() as i64;
            Value::DateTime(
                base.and_hms_opt(0, 0, 0).unwrap()
                    + chrono::Duration::days(days as i64)
                    + chrono::Duration::seconds(secs),
            )
        }
        Data::DateTime(d) => Value::Number(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}

/// Reads `path` with profplan and with calamine and compares what profplan kept, cell by
/// cell. Returns the number of cells compared.
pub fn assert_reader_matches_calamine(path: &Path) -> usize {
    let shown = path.display().to_string();
    let raw = read::read_file(path, &shown, &Limits::default())
        .unwrap_or_else(|f| panic!("{shown}: profplan refused it: {}", f.message));
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut ranges: HashMap<String, Range<Data>> = HashMap::new();
    for s in wb.sheet_names() {
        // Honest files only: calamine's dense grid is safe here.
        ranges.insert(s.clone(), wb.worksheet_range(&s).unwrap());
    }
    let at = |sheet: &str, r: u32, c: u32| -> Value {
        ranges[sheet].get_value((r, c)).map(from_calamine).unwrap_or(Value::Empty)
    };
    let mut compared = 0;
    let mut same = |c: &Cell| {
        let mut mine = c.value.clone();
        if mine == Value::FormulaNoValue {
            mine = Value::Empty; // calamine shows a formula without a result as empty
        }
        let theirs = at(&c.sheet, c.row, c.col);
        assert_eq!(mine, theirs, "{shown}: mismatch at «{}»!{}", c.sheet, c.a1);
        compared += 1;
    };
    for c in raw.cells.values().chain(raw.row_codes.values()) {
        same(c);
    }
    for (code, t) in &raw.tables {
        for row in &t.rows {
            for c in &row.cells {
                same(c);
            }
        }
        // Every non-empty cell calamine sees in the area is in a row profplan read.
        let range = &ranges[&t.sheet];
        let rows: std::collections::BTreeSet<u32> = t.rows.iter().map(|r| r.row).collect();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r as u32 + r0, c as u32 + c0);
            let inside = r >= t.first_row && r <= t.last_row && c >= t.first_col && c <= t.last_col;
            if inside && !from_calamine(v).is_empty() {
                assert!(rows.contains(&r), "{shown}: table {code}: row {} not read", r + 1);
            }
        }
    }
    // The identity sheet: key in A, value in B.
    if let Some(sheet) = &raw.identity.sheet {
        let range = &ranges[profplan::form::layout::IDENTITY_SHEET];
        let mut theirs = BTreeMap::new();
        let (r0, _) = range.start().unwrap_or((0, 0));
        for r in 0..range.height() as u32 {
            let key = from_calamine(range.get_value((r + r0, 0)).unwrap_or(&Data::Empty))
                .display()
                .trim()
                .to_string();
            if !key.is_empty() {
                let v = from_calamine(range.get_value((r + r0, 1)).unwrap_or(&Data::Empty));
                theirs.insert(key, v.display().trim().to_string());
            }
        }
        assert_eq!(sheet, &theirs, "{shown}: identity sheet");
        compared += theirs.len();
    }
    // Custom properties and the saved time.
    let props = wb.workbook_properties().unwrap();
    let custom: BTreeMap<String, String> = props
        .custom_properties
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("profplan.").map(|k| (k.to_string(), v.clone())))
        .collect();
    assert_eq!(raw.identity.properties.unwrap_or_default(), custom, "{shown}: properties");
    let modified = props.modified.as_deref().map(|m| m.trim().to_string());
    assert_eq!(
        raw.saved_at.map(|t| match t {
            profplan::clock::SavedTime::Instant(t) => t.timestamp(),
            profplan::clock::SavedTime::Wall(n) | profplan::clock::SavedTime::UtcOrWall(n) => {
                n.and_utc().timestamp()
            }
        }),
        modified.as_deref().and_then(|m| {
            chrono::DateTime::parse_from_rfc3339(m).map(|d| d.timestamp()).ok().or_else(|| {
                chrono::NaiveDateTime::parse_from_str(m, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|d| d.and_utc().timestamp())
            })
        }),
        "{shown}: saved time"
    );
    compared
}
