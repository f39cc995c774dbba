//! CSV as Russian Excel opens it, and `check --format csv`.

use crate::check::report::CheckReport;
use crate::finding::Severity;
use crate::schools::Registry;

/// CSV as Russian Excel opens it: UTF-8 with BOM, `;`-separated, Russian headers. The one
/// CSV writer of every command (`check`, `schools`, `campaigns`, letters), so that every
/// CSV neutralises formula-like text the same way.
pub fn csv_table(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(header).expect("write to memory");
    for r in rows {
        // Excel takes a CSV cell starting with = + - @ (or a tab or carriage return before
        // one) for a formula (CSV injection): text from schools and registries is made inert.
        let safe: Vec<String> = r.into_iter().map(|c| inert(&c)).collect();
        w.write_record(&safe).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Text a spreadsheet would take for a formula gets a leading apostrophe.
fn inert(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `check --format csv`: one row per finding.
pub fn csv_findings(r: &CheckReport, registry: &Registry) -> Vec<u8> {
    let name = |id: &Option<String>| {
        id.as_deref().and_then(|i| registry.get(i)).map(|s| s.name.clone()).unwrap_or_default()
    };
    let rows = r
        .findings
        .iter()
        .map(|f| {
            vec![
                f.school.clone().unwrap_or_default(),
                name(&f.school),
                f.file.clone(),
                f.sheet.clone().unwrap_or_default(),
                f.cell.clone().unwrap_or_default(),
                f.item.clone().unwrap_or_default(),
                f.field.clone().unwrap_or_default(),
                match f.severity {
                    Severity::Error => "ошибка".into(),
                    Severity::Warning => "предупреждение".into(),
                },
                f.code.as_str(),
                f.message.clone(),
            ]
        })
        .collect();
    csv_table(
        &[
            "ОО",
            "Наименование",
            "Файл",
            "Лист",
            "Ячейка",
            "Пункт",
            "Поле",
            "Важность",
            "Код",
            "Сообщение",
        ],
        rows,
    )
}
