//! `profplan schools`: read the school registry and show what profplan understood —
//! ids, short names (used in form file names), contacts and prefilled profile figures —
//! so that a mistake in the CSV is found before forms go out, not after.
//!
//! Warnings (ignored columns, odd e-mails) go to stderr; a registry that cannot be used
//! is an error (exit 2) naming the line.

use std::io::Write as _;

use profplan::form::layout::form_file_name;

use crate::cli::{GlobalArgs, OutputFormat, SchoolsArgs};

pub fn run(g: &GlobalArgs, a: &SchoolsArgs) -> anyhow::Result<u8> {
    let settings = super::settings(g)?;
    let plan = settings.plan()?;
    let (registry, warnings) = settings.registry_with_warnings(&plan)?;
    for w in &warnings {
        eprintln!("profplan: предупреждение: {w}");
    }
    super::warn_if_example(&settings, &registry);
    let mut out = std::io::stdout().lock();
    match a.format {
        OutputFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&registry)?)?;
        }
        OutputFormat::Csv => {
            // Russian headers the registry reader understands: the output is a registry.
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
                    row.extend(plan.profile.iter().map(|f| {
                        s.profile.get(&f.code).map(|v| v.to_string()).unwrap_or_default()
                    }));
                    row
                })
                .collect();
            out.write_all(&profplan::render::csv_table(&header, rows))?;
        }
        OutputFormat::Text => {
            let path = settings.schools_path()?;
            let n = registry.schools.len();
            let word = profplan::ru::plural(n as u64, ["школа", "школы", "школ"]);
            writeln!(out, "Реестр школ {}: {n} {word}", path.display())?;
            writeln!(out)?;
            let profile_total = plan.profile.iter().filter(|f| f.kind.is_numeric()).count();
            for s in &registry.schools {
                writeln!(out, "{:>6}  {}", s.id, s.name)?;
                writeln!(out, "        файл формы: {}", form_file_name(&s.id, &s.short_name))?;
                let contacts: Vec<&str> = [&s.contact_person, &s.email, &s.phone]
                    .into_iter()
                    .filter(|c| !c.is_empty())
                    .map(String::as_str)
                    .collect();
                if !contacts.is_empty() {
                    writeln!(out, "        контакты: {}", contacts.join(", "))?;
                }
                writeln!(
                    out,
                    "        общие сведения предзаполнены: {} из {profile_total}",
                    s.profile.len()
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
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
