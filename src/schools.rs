//! The school registry: a CSV file as Excel in a Russian locale writes it.
//!
//! Excel saves «CSV UTF-8» with a BOM and «CSV (разделители — запятые)» in Windows-1251,
//! and in a Russian locale the separator is usually `;` (the comma is the decimal mark).
//! We accept all of these: the encoding is UTF-8 when the bytes are valid UTF-8 and
//! Windows-1251 otherwise; the separator is `;` when the header line has one, else `,`
//! (or a tab). Headers are matched without regard to case, in Russian or English, and a
//! column named by a school-profile field (its code or its label) prefills that figure on
//! the school's form.
//!
//! A mistake in the registry is an error naming the file and the line: a form issued to
//! a school with the wrong id cannot be matched to its return later.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use crate::plan::{Field, Kind, Plan};

/// The example registry (`examples/schools.csv`: invented figures and contacts), copied
/// into a new working folder by `profplan init`.
pub const EXAMPLE_REGISTRY_CSV: &str = include_str!("../examples/schools.csv");

/// A school of the registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct School {
    /// Registry id (as in the file, trimmed), e.g. «07».
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name for file names and narrow columns (the full name when not given).
    pub short_name: String,
    /// Prefilled school-profile figures, by field code.
    pub profile: BTreeMap<String, f64>,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
}

/// The registry: schools in file order. Build it with [`Registry::new`], which indexes the
/// ids (a district has 40 schools, a national run 40 000: lookups must not be linear).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Registry {
    pub schools: Vec<School>,
    #[serde(skip)]
    index: std::collections::HashMap<String, usize>,
}

/// Something in the registry that is not an error but that the user may want to know
/// (an ignored column, an address that does not look like an e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryWarning {
    pub source: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RegistryWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, строка {}: {}", self.source, self.line, self.message)
    }
}

/// Why a registry cannot be used. Every variant names the file (`source`) and, where
/// there is one, the line (1-based, as a text editor or Excel's row number shows it).
#[derive(Debug, Error)]
pub enum RegistryError {
    /// The file cannot be read.
    #[error("не удалось прочитать реестр школ {source_name}: {}", crate::oserror::describe(error))]
    Io {
        source_name: String,
        #[source]
        error: std::io::Error,
    },
    /// No header line (the file is empty or has only blank lines).
    #[error(
        "реестр школ {source_name} пуст: первая строка должна быть заголовком, например «id;name»"
    )]
    Empty { source_name: String },
    /// A required column is missing from the header.
    #[error(
        "{source_name}, строка {line}: нет столбца «{column}» ({hint}); в заголовке найдены: {found}"
    )]
    MissingColumn {
        source_name: String,
        line: usize,
        column: &'static str,
        hint: &'static str,
        found: String,
    },
    /// Two header cells mean the same thing.
    #[error("{source_name}, строка {line}: столбцы «{first}» и «{second}» означают одно и то же")]
    DuplicateColumn { source_name: String, line: usize, first: String, second: String },
    /// A school without an id.
    #[error("{source_name}, строка {line}: не указан код школы (столбец «{column}»)")]
    EmptyId { source_name: String, line: usize, column: String },
    /// A school without a name.
    #[error("{source_name}, строка {line}: не указано наименование школы с кодом «{id}»")]
    EmptyName { source_name: String, line: usize, id: String },
    /// The same id twice.
    #[error("{source_name}, строка {line}: код школы «{id}» уже встречался в строке {first_line}")]
    DuplicateId { source_name: String, line: usize, id: String, first_line: usize },
    /// A profile figure that is not a number the field accepts.
    #[error("{source_name}, строка {line}, столбец «{column}»: {expected}, найдено «{value}»")]
    BadNumber { source_name: String, line: usize, column: String, value: String, expected: String },
    /// More values in a row than columns in the header.
    #[error(
        "{source_name}, строка {line}: значений больше, чем столбцов в заголовке ({columns}); \
         возможно, в наименовании есть разделитель «{delimiter}» — заключите значение в кавычки \
         или сохраните файл в Excel как «CSV (разделители — точка с запятой)»"
    )]
    ExtraValues { source_name: String, line: usize, columns: usize, delimiter: char },
    /// The CSV itself is malformed (e.g. an unclosed quote).
    #[error("{source_name}, строка {line}: файл CSV повреждён: {message}")]
    Csv { source_name: String, line: usize, message: String },
    /// A header and no schools.
    #[error("в реестре школ {source_name} нет ни одной школы")]
    NoSchools { source_name: String },
}

impl RegistryError {
    /// The 1-based line of the problem, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            RegistryError::MissingColumn { line, .. }
            | RegistryError::DuplicateColumn { line, .. }
            | RegistryError::EmptyId { line, .. }
            | RegistryError::EmptyName { line, .. }
            | RegistryError::DuplicateId { line, .. }
            | RegistryError::BadNumber { line, .. }
            | RegistryError::ExtraValues { line, .. }
            | RegistryError::Csv { line, .. } => Some(*line),
            RegistryError::Io { .. }
            | RegistryError::Empty { .. }
            | RegistryError::NoSchools { .. } => None,
        }
    }
}

/// What a header cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Name,
    ShortName,
    ContactPerson,
    Email,
    Phone,
    /// Index into `plan.profile`.
    Profile(usize),
    Ignored,
}

/// Header aliases (lower case, «ё» written as «е», spaces collapsed).
const ALIASES: [(Column, &[&str]); 6] = [
    (Column::Id, &["id", "код", "код оо", "код школы", "идентификатор", "№"]),
    (
        Column::Name,
        &[
            "name",
            "наименование",
            "название",
            "полное наименование",
            "наименование оо",
            "школа",
            "оо",
        ],
    ),
    (
        Column::ShortName,
        &[
            "short_name",
            "short name",
            "краткое наименование",
            "краткое название",
            "сокращенное наименование",
        ],
    ),
    (
        Column::ContactPerson,
        &[
            "contact_person",
            "contact",
            "ответственный",
            "контактное лицо",
            "ответственное лицо",
            "фио ответственного",
        ],
    ),
    (
        Column::Email,
        &[
            "email",
            "e-mail",
            "e_mail",
            "почта",
            "эл. почта",
            "электронная почта",
            "адрес электронной почты",
        ],
    ),
    (Column::Phone, &["phone", "телефон", "контактный телефон", "тел."]),
];

impl Registry {
    /// A registry of `schools` (ids are expected to be unique, as the loader ensures; on a
    /// repeated id the first school wins).
    pub fn new(schools: Vec<School>) -> Registry {
        let mut index = std::collections::HashMap::with_capacity(schools.len());
        for (i, s) in schools.iter().enumerate() {
            index.entry(s.id.clone()).or_insert(i);
        }
        Registry { schools, index }
    }

    pub fn get(&self, id: &str) -> Option<&School> {
        self.index.get(id).map(|&i| &self.schools[i])
    }

    /// Read a registry file. Warnings (ignored columns, odd e-mails) are dropped; use
    /// [`Registry::load_with_warnings`] to show them.
    ///
    /// ```no_run
    /// let plan = profplan::plan::Plan::default_plan();
    /// let reg = profplan::schools::Registry::load("examples/schools.csv".as_ref(), &plan)?;
    /// println!("{} школ", reg.schools.len());
    /// # Ok::<(), profplan::schools::RegistryError>(())
    /// ```
    pub fn load(path: &Path, plan: &Plan) -> Result<Registry, RegistryError> {
        Registry::load_with_warnings(path, plan).map(|(r, _)| r)
    }

    /// Read a registry file and report what was ignored.
    pub fn load_with_warnings(
        path: &Path,
        plan: &Plan,
    ) -> Result<(Registry, Vec<RegistryWarning>), RegistryError> {
        let source_name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|error| RegistryError::Io { source_name: source_name.clone(), error })?;
        Registry::from_bytes(&bytes, &source_name, plan)
    }

    /// Parse registry bytes in UTF-8 (with or without BOM) or Windows-1251.
    pub fn from_bytes(
        bytes: &[u8],
        source_name: &str,
        plan: &Plan,
    ) -> Result<(Registry, Vec<RegistryWarning>), RegistryError> {
        parse_text(&decode(bytes), source_name, plan)
    }

    /// Parse registry text (already decoded). `source_name` names it in messages.
    pub fn parse(text: &str, source_name: &str, plan: &Plan) -> Result<Registry, RegistryError> {
        parse_text(text, source_name, plan).map(|(r, _)| r)
    }
}

/// UTF-8 (BOM stripped) when valid, Windows-1251 otherwise: what Russian Excel writes.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

fn parse_text(
    text: &str,
    source_name: &str,
    plan: &Plan,
) -> Result<(Registry, Vec<RegistryWarning>), RegistryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text
        .lines()
        .find(|l| !is_blank_line(l))
        .ok_or_else(|| RegistryError::Empty { source_name: source_name.to_string() })?;
    let delimiter = detect_delimiter(header_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let src = || source_name.to_string();
    let mut warnings = Vec::new();
    let mut header: Option<(usize, Vec<Column>, Vec<String>)> = None;
    let mut schools: Vec<School> = Vec::new();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    let mut lines = LineCounter::new(text);

    for record in reader.records() {
        let record = record.map_err(|e| RegistryError::Csv {
            source_name: src(),
            line: e.position().map_or(0, |p| line_at(text, p.byte())),
            message: csv_message(&e),
        })?;
        // The csv crate's own line count skips blank lines; count from the byte offset.
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let cells: Vec<String> = record.iter().map(clean_cell).collect();
        if cells.iter().all(String::is_empty) {
            // Blank lines and rows Excel writes as «;;;;».
            continue;
        }
        let Some((_, columns, names)) = &header else {
            header = Some(read_header(&cells, line, source_name, plan, &mut warnings)?);
            continue;
        };
        if cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.is_empty()) {
            return Err(RegistryError::ExtraValues {
                source_name: src(),
                line,
                columns: columns.len(),
                delimiter,
            });
        }
        let mut school = School {
            id: String::new(),
            name: String::new(),
            short_name: String::new(),
            profile: BTreeMap::new(),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        };
        for (i, column) in columns.iter().enumerate() {
            let value = cells.get(i).cloned().unwrap_or_default();
            match column {
                Column::Id => school.id = value,
                Column::Name => school.name = value,
                Column::ShortName => school.short_name = value,
                Column::ContactPerson => school.contact_person = value,
                Column::Email => school.email = value,
                Column::Phone => school.phone = value,
                Column::Profile(k) => {
                    if value.is_empty() {
                        continue;
                    }
                    let field = &plan.profile[*k];
                    let n = parse_figure(&value, field).map_err(|expected| {
                        RegistryError::BadNumber {
                            source_name: src(),
                            line,
                            column: names[i].clone(),
                            value: value.clone(),
                            expected,
                        }
                    })?;
                    school.profile.insert(field.code.clone(), n);
                }
                Column::Ignored => {}
            }
        }
        if school.id.is_empty() {
            let column = columns.iter().position(|c| *c == Column::Id).map(|i| names[i].clone());
            return Err(RegistryError::EmptyId {
                source_name: src(),
                line,
                column: column.unwrap_or_default(),
            });
        }
        if school.name.is_empty() {
            return Err(RegistryError::EmptyName { source_name: src(), line, id: school.id });
        }
        if let Some(&first) = first_line.get(&school.id) {
            return Err(RegistryError::DuplicateId {
                source_name: src(),
                line,
                id: school.id,
                first_line: first,
            });
        }
        first_line.insert(school.id.clone(), line);
        if school.short_name.is_empty() {
            school.short_name = short_name(&school.name);
        }
        if !school.email.is_empty() && !looks_like_email(&school.email) {
            warnings.push(RegistryWarning {
                source: src(),
                line,
                message: format!("адрес «{}» не похож на адрес электронной почты", school.email),
            });
        }
        schools.push(school);
    }
    if header.is_none() {
        return Err(RegistryError::Empty { source_name: src() });
    }
    if schools.is_empty() {
        return Err(RegistryError::NoSchools { source_name: src() });
    }
    Ok((Registry::new(schools), warnings))
}

/// 1-based line of the record starting at a byte offset (the csv crate reports the
/// offset where it started reading, before the blank lines it skipped).
/// [`line_at`] for records met in file order, counting each newline once: counting from
/// the start for every record made loading a 10 000-school registry quadratic (a fifth of
/// `check`'s time at that size, see BENCHMARKS.md). Same results as [`line_at`].
struct LineCounter<'t> {
    text: &'t str,
    /// Bytes before `pos` hold `newlines` newlines.
    pos: usize,
    newlines: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> LineCounter<'t> {
        LineCounter { text, pos: 0, newlines: 0 }
    }

    fn line_at(&mut self, byte: u64) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = (byte as usize).min(bytes.len());
        while end < bytes.len() && (bytes[end] == b'\n' || bytes[end] == b'\r') {
            end += 1;
        }
        if end < self.pos {
            // Not in file order (never seen from the csv reader): count from the start.
            return line_at(self.text, byte);
        }
        self.newlines += bytes[self.pos..end].iter().filter(|&&b| b == b'\n').count();
        self.pos = end;
        self.newlines + 1
    }
}

fn line_at(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let mut end = (byte as usize).min(bytes.len());
    while end < bytes.len() && (bytes[end] == b'\n' || bytes[end] == b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

fn is_blank_line(l: &str) -> bool {
    l.chars().all(|c| c.is_whitespace() || c == ';' || c == ',' || c == '\t')
}

/// `;` if the header has one (Russian Excel), else `,`, else a tab.
fn detect_delimiter(header: &str) -> char {
    if header.contains(';') {
        ';'
    } else if header.contains(',') || !header.contains('\t') {
        ','
    } else {
        '\t'
    }
}

/// Trim, and turn no-break spaces and runs of spaces into one space.
fn clean_cell(s: &str) -> String {
    s.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Header text for matching: lower case, «ё» → «е», dashes unified, spaces collapsed.
fn normalize_header(s: &str) -> String {
    clean_cell(s)
        .to_lowercase()
        .replace('ё', "е")
        .replace(['–', '—', '‑'], "-")
        .trim_end_matches([':', '*'])
        .trim()
        .to_string()
}

fn read_header(
    cells: &[String],
    line: usize,
    source_name: &str,
    plan: &Plan,
    warnings: &mut Vec<RegistryWarning>,
) -> Result<(usize, Vec<Column>, Vec<String>), RegistryError> {
    let mut columns = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let column = classify(cell, plan);
        if column == Column::Ignored {
            if !cell.is_empty() {
                warnings.push(RegistryWarning {
                    source: source_name.to_string(),
                    line,
                    message: format!("столбец «{cell}» не используется"),
                });
            }
        } else if let Some(j) = columns.iter().position(|c| *c == column) {
            return Err(RegistryError::DuplicateColumn {
                source_name: source_name.to_string(),
                line,
                first: cells[j].clone(),
                second: cells[i].clone(),
            });
        }
        columns.push(column);
    }
    let found =
        cells.iter().filter(|c| !c.is_empty()).map(|c| format!("«{c}»")).collect::<Vec<_>>();
    let found = if found.is_empty() { "ничего".to_string() } else { found.join(", ") };
    for (column, name, hint) in [
        (Column::Id, "id", "код школы; можно назвать «код»"),
        (Column::Name, "name", "наименование школы; можно назвать «наименование»"),
    ] {
        if !columns.contains(&column) {
            return Err(RegistryError::MissingColumn {
                source_name: source_name.to_string(),
                line,
                column: name,
                hint,
                found,
            });
        }
    }
    Ok((line, columns, cells.to_vec()))
}

fn classify(cell: &str, plan: &Plan) -> Column {
    let h = normalize_header(cell);
    if h.is_empty() {
        return Column::Ignored;
    }
    for (column, aliases) in ALIASES {
        if aliases.contains(&h.as_str()) {
            return column;
        }
    }
    for (k, f) in plan.profile.iter().enumerate() {
        if f.kind.is_numeric() && (h == f.code || label_matches(&h, &f.label)) {
            return Column::Profile(k);
        }
    }
    Column::Ignored
}

/// Does a (normalized) header name a label? Year placeholders match any text, and a unit
/// after a comma or in brackets («…, чел.», «… (чел.)») is allowed.
fn label_matches(header: &str, label: &str) -> bool {
    let label = normalize_header(label);
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = label.as_str();
    while let Some(start) = rest.find('{') {
        parts.push(&rest[..start]);
        rest = match rest[start..].find('}') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    parts.push(rest);
    let header = header
        .trim_end_matches([')', '.', ' '])
        .trim_end_matches(", чел")
        .trim_end_matches(" (чел")
        .trim_end_matches(" чел")
        .trim();
    if parts.len() == 1 {
        return header == parts[0];
    }
    let first = parts[0].trim_end();
    let last = parts[parts.len() - 1].trim_start();
    if !(header.starts_with(first)
        && header.ends_with(last)
        && header.len() >= first.len() + last.len())
    {
        return false;
    }
    // Middle parts, in order, between the first and the last.
    let mut middle = &header[first.len()..header.len() - last.len()];
    for m in &parts[1..parts.len() - 1] {
        match middle.find(m.trim()) {
            Some(i) => middle = &middle[i + m.trim().len()..],
            None => return false,
        }
    }
    true
}

/// A profile figure as people type it: «1 234», «12,0», «12». Errors say what was expected.
fn parse_figure(value: &str, field: &Field) -> Result<f64, String> {
    let expected = || match field.kind {
        Kind::Integer => match field.min {
            Some(min) if min >= 0.0 => "ожидалось целое число ≥ 0".to_string(),
            _ => "ожидалось целое число".to_string(),
        },
        _ => "ожидалось число".to_string(),
    };
    let compact: String = value.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
    let n: f64 = compact.replace(',', ".").parse().map_err(|_| expected())?;
    if !n.is_finite() || (field.kind == Kind::Integer && n.fract() != 0.0) {
        return Err(expected());
    }
    if let Some(min) = field.min {
        if n < min {
            return Err(format!("ожидалось число не меньше {min}"));
        }
    }
    if let Some(max) = field.max {
        if n > max {
            return Err(format!("ожидалось число не больше {max}"));
        }
    }
    Ok(n)
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// A short name from a full one: the part in «ёлочках» (or "quotes") when there is one,
/// else the name without a leading abbreviation of the legal form (МБОУ, МАОУ …).
///
/// «МБОУ «Покрово-Пригородная СОШ»» → «Покрово-Пригородная СОШ».
pub fn short_name(name: &str) -> String {
    let quoted = [('«', '»'), ('"', '"'), ('“', '”')].iter().find_map(|&(open, close)| {
        let start = name.find(open)? + open.len_utf8();
        let end = name.rfind(close)?;
        (end > start).then(|| name[start..end].trim().to_string())
    });
    if let Some(q) = quoted.filter(|q| !q.is_empty()) {
        return q;
    }
    let mut words = name.split_whitespace();
    if let (Some(first), Some(_)) = (words.next(), name.split_whitespace().nth(1)) {
        let abbreviation = first.chars().count() >= 3
            && first.chars().all(|c| c.is_uppercase() && c.is_alphabetic())
            && first.ends_with('У');
        if abbreviation {
            return words.collect::<Vec<_>>().join(" ");
        }
    }
    name.to_string()
}

/// Russian rendering of a csv error (the crate's messages are English).
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "недопустимые символы (не UTF-8)".into(),
        csv::ErrorKind::Io(io) => format!("ошибка чтения: {io}"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counter_agrees_with_line_at() {
        let text = "id;name\r\n\r\n1;\"a\nb\"\n2;c\n\n\n3;d\n";
        let mut counter = LineCounter::new(text);
        for byte in 0..=text.len() as u64 + 2 {
            assert_eq!(counter.line_at(byte), line_at(text, byte), "byte {byte}");
        }
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("МБОУ «Покрово-Пригородная СОШ»"), "Покрово-Пригородная СОШ");
        assert_eq!(short_name("МБОУ Стрелецкая СОШ"), "Стрелецкая СОШ");
        assert_eq!(short_name("Стрелецкая СОШ"), "Стрелецкая СОШ");
        assert_eq!(short_name("Филиал МБОУ «Цнинская СОШ №1» в с. Отхожее"), "Цнинская СОШ №1");
    }

    #[test]
    fn label_with_year_placeholder_matches() {
        let label = "Численность выпускников 9 классов {prev_year} учебного года";
        let h = normalize_header("Численность выпускников 9 классов 2024/25 учебного года, чел.");
        assert!(label_matches(&h, label));
        assert!(label_matches(
            &normalize_header("Численность выпускников 9 классов учебного года"),
            label
        ));
        assert!(!label_matches(&normalize_header("Численность выпускников 11 классов"), label));
    }

    #[test]
    fn figures() {
        let plan = Plan::default_plan();
        let f = &plan.profile[0];
        assert_eq!(parse_figure("1 234", f), Ok(1234.0));
        assert_eq!(parse_figure("1\u{a0}234", f), Ok(1234.0));
        assert_eq!(parse_figure("12,0", f), Ok(12.0));
        assert!(parse_figure("12,5", f).is_err());
        assert!(parse_figure("-1", f).is_err());
        assert!(parse_figure("много", f).is_err());
    }
}
