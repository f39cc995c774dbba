//! `profplan schools`: the registry as profplan understood it — ids, short names (used in
//! form file names), contacts and prefilled profile figures — as text, JSON or CSV.

use std::fmt::Write as _;
use std::path::Path;

use super::csv::csv_table;
use crate::form::layout::form_file_name;
use crate::plan::Plan;
use crate::schools::Registry;

/// `schools --format json` (pretty-printed, newline at the end).
pub fn json(registry: &Registry) -> String {
    let mut s = serde_json::to_string_pretty(registry).expect("registry serializes");
    s.push('\n');
    s
}

/// `schools --format csv`: with the Russian headers the registry reader understands, so
/// that the output is itself a registry.
pub fn csv(registry: &Registry, plan: &Plan) -> Vec<u8> {
    let labels: Vec<String> = plan.profile.iter().map(|f| header_label(&f.label)).collect();
    let mut header = vec!["Код", "Наименование", "Краткое наименование", "Контактное лицо"];
    header.extend(["E-mail", "Телефон"]);
    header.extend(labels.iter().map(String::as_str));
    let rows = registry
        .schools
        .iter()
        .map(|s| {
            let mut row = vec![
                s.id.clone(),
                s.name.clone(),
                s.short_name.clone(),
                s.contact_person.clone(),
                s.email.clone(),
                s.phone.clone(),
            ];
            row.extend(
                plan.profile
                    .iter()
                    .map(|f| s.profile.get(&f.code).map(|v| v.to_string()).unwrap_or_default()),
            );
            row
        })
        .collect();
    csv_table(&header, rows)
}

/// The registry read from `path`, school by school: form file name, contacts, how many
/// profile figures are prefilled.
pub fn text(registry: &Registry, plan: &Plan, path: &Path) -> String {
    let mut out = String::new();
    let n = registry.schools.len();
    let word = crate::ru::plural(n as u64, ["школа", "школы", "школ"]);
    let _ = writeln!(out, "Реестр школ {}: {n} {word}", path.display());
    let _ = writeln!(out);
    let profile_total = plan.profile.iter().filter(|f| f.kind.is_numeric()).count();
    for s in &registry.schools {
        let _ = writeln!(out, "{:>6}  {}", s.id, s.name);
        let _ = writeln!(out, "        файл формы: {}", form_file_name(&s.id, &s.short_name));
        let contacts: Vec<&str> = [&s.contact_person, &s.email, &s.phone]
            .into_iter()
            .filter(|c| !c.is_empty())
            .map(String::as_str)
            .collect();
        if !contacts.is_empty() {
            let _ = writeln!(out, "        контакты: {}", contacts.join(", "));
        }
        let _ = writeln!(
            out,
            "        общие сведения предзаполнены: {} из {profile_total}",
            s.profile.len()
        );
    }
    out
}

/// A profile field's label as a column header: year placeholders («{prev_year}») dropped,
/// which the registry reader accepts for any year.
fn header_label(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
