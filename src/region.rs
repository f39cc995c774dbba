//! The regional summary (свод по области): a folder of district summaries made by
//! profplan `collect` → one figure per district and indicator, and the region's.
//!
//! Each file is read with the `--compare` reader ([`crate::summary::read_previous_bytes`]):
//! the «Данные» sheet is the ground truth, and every figure is recomputed from the
//! schools' values with the current plan's definitions — shares as Σ numerators /
//! Σ denominators, at the district and at the region, never an average of percentages.
//!
//! The same safety rules as for returns: every file of the folder is accounted for. A file
//! that is not a profplan summary, one of another plan, plan version or campaign, one with
//! no district or a district not in the registry, one whose «Данные» no longer matches the
//! check written when it was made (edited by hand) is refused with its reason; two
//! summaries of one district — the one made last is taken, the other is listed as
//! replaced. None is merged silently.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _};
use sha2::{Digest, Sha256};

use crate::check::values::CheckedValue;
use crate::plan::campaign::Campaign;
use crate::plan::{Kind, Share};
use crate::summary::{
    read_summary_bytes, Previous, PROP_DATA_CHECK, PROP_DISTRICT, PROP_DISTRICT_NAME,
    PROP_SCHOOLS_ACCEPTED, PROP_SCHOOLS_EXPECTED, PROP_SCHOOLS_IN_FIGURES, PROP_SCHOOLS_LATE,
};

/// A district of the region's registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub code: String,
    pub name: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
}

/// The registry of districts: a CSV like the registry of schools (UTF-8 or Windows-1251,
/// `;` or `,`), columns found by header: «Код», «Наименование» (or «Район»), and optional
/// «Ответственный», «E-mail», «Телефон».
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Districts {
    pub districts: Vec<District>,
}

impl Districts {
    pub fn load(path: &Path) -> anyhow::Result<Districts> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .with_context(|| format!("реестр районов {name}: файл не найден или не читается"))?;
        Districts::parse(&crate::schools::decode(&bytes), &name)
    }

    pub fn parse(text: &str, source: &str) -> anyhow::Result<Districts> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delimiter = if first.contains(';') { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut header: Option<BTreeMap<&'static str, usize>> = None;
        let mut out: Vec<District> = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line =
                rec.as_ref().ok().and_then(|r| r.position()).map_or(i + 1, |p| p.line() as usize);
            let rec = rec.with_context(|| format!("реестр районов {source}, строка {line}"))?;
            let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            let Some(h) = &header else {
                let find = |names: &[&str]| {
                    cells.iter().position(|c| names.iter().any(|n| c.to_lowercase() == *n))
                };
                let mut m = BTreeMap::new();
                let code = find(&["код", "код района"]);
                let name = find(&["наименование", "район", "название"]);
                let (Some(code), Some(name)) = (code, name) else {
                    bail!(
                        "реестр районов {source}, строка {line}: в заголовке нужны столбцы «Код» и «Наименование»"
                    );
                };
                m.insert("code", code);
                m.insert("name", name);
                for (k, names) in [
                    ("person", &["ответственный", "контактное лицо"][..]),
                    ("email", &["e-mail", "email", "эл. почта"][..]),
                    ("phone", &["телефон"][..]),
                ] {
                    if let Some(c) = find(names) {
                        m.insert(k, c);
                    }
                }
                header = Some(m);
                continue;
            };
            let get = |k: &str| h.get(k).and_then(|c| cells.get(*c)).cloned().unwrap_or_default();
            let code = get("code");
            if code.is_empty() {
                bail!("реестр районов {source}, строка {line}: не указан код района");
            }
            if out.iter().any(|d| d.code == code) {
                bail!("реестр районов {source}, строка {line}: код района «{code}» повторяется");
            }
            out.push(District {
                name: get("name"),
                contact_person: get("person"),
                email: get("email"),
                phone: get("phone"),
                code,
            });
        }
        if out.is_empty() {
            bail!("реестр районов {source}: нет ни одного района");
        }
        Ok(Districts { districts: out })
    }
}

/// What became of a file of the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// Another summary of the same district, made later, was taken.
    Superseded,
    /// Not a summary and not meant to be one: a district's «Аналитическая справка» sent
    /// along with its summary.
    Skipped,
    Refused,
}

impl Outcome {
    pub fn ru(self) -> &'static str {
        match self {
            Outcome::Accepted => "принят",
            Outcome::Superseded => "заменён более поздним сводом",
            Outcome::Skipped => "пропущен",
            Outcome::Refused => "не принят",
        }
    }
}

/// A file of the folder and its fate.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name relative to the folder.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub district: Option<String>,
    pub generated: Option<String>,
    pub outcome: Outcome,
    /// Russian: why (for a refused or replaced file), or «» for an accepted one.
    pub reason: String,
}

/// Completeness of a district's summary, from its document properties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Completeness {
    pub expected: usize,
    pub accepted: usize,
    pub late: usize,
    pub in_figures: usize,
}

/// An accepted district summary.
#[derive(Debug, Clone)]
pub struct Received {
    pub file: String,
    pub completeness: Completeness,
    pub data: Previous,
}

/// The folder, assessed.
#[derive(Debug, Clone)]
pub struct Region {
    /// Registry order; `None` where no usable summary came.
    pub districts: Vec<(District, Option<Received>)>,
    /// Every file, sorted by name.
    pub sources: Vec<SourceFile>,
}

impl Region {
    /// The names of the districts whose summary was taken (`received`), or of those
    /// without one, in registry order.
    pub fn district_names(&self, received: bool) -> Vec<&str> {
        self.districts
            .iter()
            .filter(|(_, r)| r.is_some() == received)
            .map(|(d, _)| d.name.as_str())
            .collect()
    }

    /// 0 — a summary of every district taken; 1 — some missing.
    pub fn exit_code(&self) -> u8 {
        if self.districts.iter().all(|(_, r)| r.is_some()) {
            0
        } else {
            1
        }
    }
}

/// A row of a district's detail table in the regional merge.
#[derive(Debug, Clone)]
pub struct RegionRow<'a> {
    pub district: &'a District,
    pub school_id: &'a str,
    pub school: &'a str,
    /// Column code → value, as in the district's «Данные».
    pub values: BTreeMap<String, CheckedValue>,
}

impl Region {
    /// Every row of a detail table across the districts taken: districts in registry
    /// order, then schools by code, then the school's rows in order.
    pub fn table_rows(&self, table: &str) -> Vec<RegionRow<'_>> {
        let mut out = Vec::new();
        for (d, rec) in &self.districts {
            let Some(x) = rec else { continue };
            for (school_id, school) in x.data.rows.schools() {
                let Some(rows) = x.data.rows.table_cells_of(school_id).remove(table) else {
                    continue;
                };
                for values in rows.into_values() {
                    out.push(RegionRow { district: d, school_id, school, values });
                }
            }
        }
        out
    }

    /// The plan's views of the detail tables over every school of every district taken,
    /// computed as a district summary computes them (the same code, on the rows rebuilt
    /// from the districts' «Данные»).
    pub fn views(&self, c: &Campaign) -> Vec<crate::summary::figures::ViewFigures> {
        use crate::check::values::{Row, SchoolData};
        let mut schools: Vec<SchoolData> = Vec::new();
        for (d, rec) in &self.districts {
            let Some(x) = rec else { continue };
            for (id, name) in x.data.rows.schools() {
                let mut tables: BTreeMap<String, Vec<Row>> = BTreeMap::new();
                for (t, rows) in x.data.rows.table_cells_of(id) {
                    tables.insert(
                        t,
                        rows.into_iter()
                            .map(|(no, values)| Row { sheet: String::new(), row: no, values })
                            .collect(),
                    );
                }
                schools.push(SchoolData {
                    school_id: format!("{}/{id}", d.code),
                    school_name: name.to_string(),
                    file: String::new(),
                    fields: BTreeMap::new(),
                    tables,
                    invalid: false,
                });
            }
        }
        crate::summary::figures::consolidate(c, &schools).views
    }
}

/// Largest file read: the summary of 10 000 schools is ~42 MB (BENCHMARKS.md); this leaves
/// room for ~40 000 (the same bound as `--compare`'s).
const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Read and assess every file directly in `dir`.
pub fn assess(c: &Campaign, registry: &Districts, dir: &Path) -> anyhow::Result<Region> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("папка {} не найдена или не читается", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let mut sources: Vec<SourceFile> = Vec::new();
    // District code → (index in sources, summary).
    let mut candidates: BTreeMap<String, Vec<(usize, Received)>> = BTreeMap::new();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.starts_with('.') || name.starts_with("~$") || name.starts_with(".~lock") {
            continue;
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut src = SourceFile {
            path: name.clone(),
            size,
            sha256: String::new(),
            district: None,
            generated: None,
            outcome: Outcome::Refused,
            reason: String::new(),
        };
        if size > MAX_FILE_BYTES {
            src.reason = "файл слишком большой для сводного отчёта района".into();
            sources.push(src);
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                src.reason = format!("файл не читается: {}", crate::oserror::describe(&e));
                sources.push(src);
                continue;
            }
        };
        src.sha256 = crate::text::hex(&Sha256::digest(&bytes));
        if let Some(why) = word_note(&bytes, &name) {
            src.outcome = Outcome::Skipped;
            src.reason = why;
            sources.push(src);
            continue;
        }
        match judge(c, registry, &bytes, &name) {
            Err(why) => {
                src.reason = why;
                sources.push(src);
            }
            Ok((code, received)) => {
                src.district = Some(code.clone());
                src.generated = received.data.generated.clone();
                src.outcome = Outcome::Accepted;
                sources.push(src);
                candidates.entry(code).or_default().push((sources.len() - 1, received));
            }
        }
    }
    let mut taken: BTreeMap<String, Received> = BTreeMap::new();
    for (code, mut list) in candidates {
        // The summary made last (then the last by name) is the district's.
        list.sort_by(|a, b| {
            a.1.data.generated.cmp(&b.1.data.generated).then_with(|| a.1.file.cmp(&b.1.file))
        });
        let (_, last) = list.pop().expect("non-empty");
        for (i, r) in &list {
            sources[*i].outcome = Outcome::Superseded;
            sources[*i].reason = format!(
                "район {code} прислал свод дважды: взят {} (свод от {}), этот (от {}) не учтён",
                last.file,
                last.data.generated.as_deref().unwrap_or("?"),
                r.data.generated.as_deref().unwrap_or("?")
            );
        }
        taken.insert(code, last);
    }
    let districts = registry.districts.iter().map(|d| (d.clone(), taken.remove(&d.code))).collect();
    Ok(Region { districts, sources })
}

/// Why a Word document in the folder is skipped, when it is one. A district sends its
/// «Аналитическая справка» (written by `collect` beside the summary) along with the
/// summary; it is the district's text for people, not data, so it is passed over — not
/// refused as a broken summary.
fn word_note(bytes: &[u8], name: &str) -> Option<String> {
    if !crate::summary::is_word_document(bytes) {
        return None;
    }
    let note = name.to_lowercase().ends_with("-spravka.docx")
        || document_text_has(bytes, "Аналитическая справка");
    Some(if note {
        "аналитическая справка района (.docx): в свод по области входят только сводные \
         отчёты (.xlsx), справку можно оставить в папке"
            .to_string()
    } else {
        "документ Word (.docx), а не сводный отчёт profplan (.xlsx): в свод по области не входит"
            .to_string()
    })
}

/// Whether `word/document.xml` of a .docx contains `needle` (read at most 16 MB).
fn document_text_has(bytes: &[u8], needle: &str) -> bool {
    use std::io::Read as _;
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else { return false };
    let Ok(part) = zip.by_name("word/document.xml") else { return false };
    let mut text = String::new();
    if part.take(16 * 1024 * 1024).read_to_string(&mut text).is_err() {
        return false;
    }
    text.contains(needle)
}

/// Whether a file is a usable summary of a district of the registry; why not otherwise.
fn judge(
    c: &Campaign,
    registry: &Districts,
    bytes: &[u8],
    name: &str,
) -> Result<(String, Received), String> {
    let mut prev = read_summary_bytes(bytes).map_err(|e| {
        let e = format!("{e:#}");
        if e.contains("сводный отчёт") {
            e
        } else {
            format!("не сводный отчёт profplan: {e}")
        }
    })?;
    prev.file = name.to_string();
    let p = &prev.properties;
    if prev.plan_id.is_none() || p.get("profplan.kind").is_none() {
        return Err("не сводный отчёт profplan: нет его отметки в свойствах документа".into());
    }
    if prev.plan_id.as_deref() != Some(c.plan.id.as_str()) {
        return Err(format!(
            "свод другого плана («{}», нужен «{}»)",
            prev.plan_id.as_deref().unwrap_or(""),
            c.plan.id
        ));
    }
    if prev.plan_version.as_deref() != Some(c.plan.version.as_str()) {
        return Err(format!(
            "свод другой версии плана ({}, нужна {}): район собирал отчёты по другой редакции \
             плана; попросите собрать свод по действующей",
            prev.plan_version.as_deref().unwrap_or("?"),
            c.plan.version
        ));
    }
    if prev.campaign.as_deref() != Some(c.id().as_str()) {
        return Err(format!(
            "свод другой кампании ({}{}, нужна {} — {})",
            prev.campaign.as_deref().unwrap_or("?"),
            prev.campaign_title.as_ref().map(|t| format!(" — {t}")).unwrap_or_default(),
            c.id(),
            c.def.title
        ));
    }
    let Some(code) = p.get(PROP_DISTRICT).filter(|s| !s.trim().is_empty()) else {
        return Err("в своде не указан район: району нужно указать district = \"код\" в \
                    profplan.toml и собрать свод заново"
            .into());
    };
    if !registry.districts.iter().any(|d| &d.code == code) {
        let named = p.get(PROP_DISTRICT_NAME).map(|n| format!(" ({n})")).unwrap_or_default();
        return Err(format!("района с кодом «{code}»{named} нет в реестре районов"));
    }
    match p.get(PROP_DATA_CHECK) {
        None => {
            return Err("в своде нет контрольной суммы данных: он сделан старой версией \
                        profplan; попросите район собрать свод заново"
                .into())
        }
        Some(check) if *check != prev.data_check => {
            return Err("свод изменён вручную: данные листа «Данные» не совпадают с \
                        контрольной суммой, записанной при сборке; попросите район прислать \
                        свод, собранный profplan, без правок"
                .into())
        }
        _ => {}
    }
    let count = |k: &str| p.get(k).and_then(|v| v.trim().parse::<usize>().ok());
    let completeness = Completeness {
        expected: count(PROP_SCHOOLS_EXPECTED).unwrap_or(0),
        accepted: count(PROP_SCHOOLS_ACCEPTED).unwrap_or(0),
        late: count(PROP_SCHOOLS_LATE).unwrap_or(0),
        in_figures: count(PROP_SCHOOLS_IN_FIGURES).unwrap_or(0),
    };
    if completeness.accepted > completeness.expected
        || completeness.late > completeness.expected
        || prev.rows.school_count() > completeness.in_figures
    {
        return Err(format!(
            "свод изменён вручную: числа школ в свойствах документа не сходятся (ожидалось \
             {}, принято {}, в показателях {}, школ в данных {})",
            completeness.expected,
            completeness.accepted,
            completeness.in_figures,
            prev.rows.school_count()
        ));
    }
    Ok((code.clone(), Received { file: name.to_string(), completeness, data: prev }))
}

// ---------------------------------------------------------------------------------------
// Figures.

/// What a column of the regional summary shows.
#[derive(Debug, Clone)]
pub enum Measure {
    /// Σ of a numeric field.
    Sum(String),
    /// Σ numerators / Σ denominators.
    Share(Share),
    /// Σ of a numeric table column: table, column.
    TableSum(String, String),
    /// Rows of a detail table.
    TableRows(String),
}

/// An indicator of the campaign, in plan order.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Plan item («2.1»), «ОО» for the school profile.
    pub item: String,
    /// Machine-readable code: the field code, the share code, `table.column`, `table:строк`.
    pub code: String,
    pub label: String,
    pub unit: String,
    pub measure: Measure,
}

/// Every numeric indicator of the campaign: profile, then items (fields, shares, tables).
pub fn indicators(c: &Campaign) -> Vec<Indicator> {
    let mut v = Vec::new();
    for f in c.profile_fields() {
        if f.kind.is_numeric() {
            v.push(Indicator {
                item: "ОО".into(),
                code: f.code.clone(),
                label: c.text(&f.label),
                unit: f.unit.clone(),
                measure: Measure::Sum(f.code.clone()),
            });
        }
    }
    for item in c.items() {
        for f in &item.fields {
            if matches!(f.kind, Kind::Integer | Kind::Decimal) {
                v.push(Indicator {
                    item: item.code.clone(),
                    code: f.code.clone(),
                    label: c.text(&f.label),
                    unit: f.unit.clone(),
                    measure: Measure::Sum(f.code.clone()),
                });
            }
        }
        for sh in &item.shares {
            v.push(Indicator {
                item: item.code.clone(),
                code: sh.code.clone(),
                label: c.text(&sh.label),
                unit: "%".into(),
                measure: Measure::Share(sh.clone()),
            });
        }
        for t in &item.tables {
            v.push(Indicator {
                item: item.code.clone(),
                code: format!("{}:строк", t.code),
                label: format!("{}: заполненных строк", c.text(&t.title)),
                unit: "строк".into(),
                measure: Measure::TableRows(t.code.clone()),
            });
            for col in &t.columns {
                if col.kind.is_numeric() {
                    v.push(Indicator {
                        item: item.code.clone(),
                        code: format!("{}.{}", t.code, col.code),
                        label: format!("{}: {}", c.text(&t.title), c.text(&col.label)),
                        unit: col.unit.clone(),
                        measure: Measure::TableSum(t.code.clone(), col.code.clone()),
                    });
                }
            }
        }
    }
    v
}

/// A district's (or the region's) figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Sum(f64),
    /// Σ numerators, Σ denominators (schools where both are known).
    Share {
        num: f64,
        den: f64,
    },
}

impl Value {
    /// The number shown: the sum, or the share as a fraction (None when Σ den = 0).
    pub fn shown(self) -> Option<f64> {
        match self {
            Value::Sum(v) => Some(v),
            Value::Share { num, den } => (den > 0.0).then(|| num / den),
        }
    }
}

/// The figure of one district, from its schools' values; None when no school has it.
pub fn district_value(d: &Previous, m: &Measure) -> Option<Value> {
    match m {
        Measure::Sum(code) => {
            let v: Vec<f64> = d.rows.schools().filter_map(|(s, _)| d.num(s, code)).collect();
            (!v.is_empty()).then(|| Value::Sum(v.iter().sum()))
        }
        Measure::Share(sh) => {
            let (mut num, mut den, mut any) = (0.0, 0.0, false);
            for (s, _) in d.rows.schools() {
                if let Some((n, dd)) = d.school_share(sh, s) {
                    num += n;
                    den += dd;
                    any = true;
                }
            }
            any.then_some(Value::Share { num, den })
        }
        Measure::TableSum(t, c) => d.rows.table_sum_total(&format!("{t}.{c}")).map(Value::Sum),
        Measure::TableRows(t) => {
            let n = d.rows.table_rows_total(t);
            Some(Value::Sum(n as f64))
        }
    }
}

/// The region's figure: sums of the districts' sums; Σ numerators / Σ denominators.
pub fn region_value(values: &[Option<Value>]) -> Option<Value> {
    let mut out: Option<Value> = None;
    for v in values.iter().flatten() {
        out = Some(match (out, v) {
            (None, v) => *v,
            (Some(Value::Sum(a)), Value::Sum(b)) => Value::Sum(a + b),
            (Some(Value::Share { num, den }), Value::Share { num: n, den: d }) => {
                Value::Share { num: num + n, den: den + d }
            }
            (Some(x), _) => x,
        });
    }
    out
}
