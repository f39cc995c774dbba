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
    /// Prefilled school-profile figures, by field code (whole numbers as integers in JSON).
    pub profile: Profile,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
}

#[cfg(test)]
impl School {
    /// A school of the unit tests: id `id`, named «Школа {id}», nothing else filled.
    pub(crate) fn named_for_tests(id: &str) -> School {
        School {
            id: id.into(),
            name: format!("Школа {id}"),
            short_name: format!("Школа {id}"),
            profile: Default::default(),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        }
    }
}

/// A school's prefilled profile figures by field code, in code order. A registry gives a
/// handful at most, so they are a sorted list: a `BTreeMap` took a ~370-byte node for
/// every school even for one figure, and a national registry lists 40 000 schools
/// (issue 13: memory flat in the number of schools).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile(Vec<(String, f64)>);

impl Profile {
    pub fn get(&self, code: &str) -> Option<&f64> {
        self.find(code).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, code: &str) -> bool {
        self.find(code).is_ok()
    }

    /// Set a figure; the one it replaces, if any.
    pub fn insert(&mut self, code: String, value: f64) -> Option<f64> {
        match self.find(&code) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                // One more, not room for four: most schools have one or two figures.
                self.0.reserve_exact(1);
                self.0.insert(i, (code, value));
                None
            }
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The figures in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, &f64)> + '_ {
        self.0.iter().map(|(k, v)| (k, v))
    }

    fn find(&self, code: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(code))
    }
}

impl std::ops::Index<&str> for Profile {
    type Output = f64;
    fn index(&self, code: &str) -> &f64 {
        self.get(code).unwrap_or_else(|| panic!("no profile figure «{code}»"))
    }
}

impl FromIterator<(String, f64)> for Profile {
    /// As a map collects: a code given twice keeps its last figure.
    fn from_iter<I: IntoIterator<Item = (String, f64)>>(iter: I) -> Profile {
        let mut p = Profile::default();
        for (k, v) in iter {
            p.insert(k, v);
        }
        p
    }
}

impl<const N: usize> From<[(String, f64); N]> for Profile {
    fn from(figures: [(String, f64); N]) -> Profile {
        figures.into_iter().collect()
    }
}

/// Figures in JSON as people write them: `31`, not `31.0`.
impl Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            if v.fract() == 0.0 && v.abs() < 9e15 {
                map.serialize_entry(k, &(*v as i64))?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// The registry: schools in file order. Build it with [`Registry::new`], which indexes the
/// ids (a district has 40 schools, a national run 40 000: lookups must not be linear).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Registry {
    pub schools: Vec<School>,
    /// The schools' places in `schools`, in order of id (a school listed twice: in the
    /// order listed). A sorted list, not a map from a copy of each id: ~8 bytes a school
    /// instead of ~60 (issue 13: memory flat in the number of schools).
    #[serde(skip)]
    index: Vec<usize>,
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
    #[error(
        "{source_name}, строка {line}, столбец «{column}»{cell}: {expected}, найдено «{value}»"
    )]
    BadNumber {
        source_name: String,
        line: usize,
        column: String,
        /// «, ячейка G5» in a workbook; empty in a CSV file. (Boxed strings keep the
        /// error small.)
        cell: Box<str>,
        value: String,
        expected: Box<str>,
    },
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
    /// A workbook that cannot be read as a registry.
    #[error("реестр школ {source_name}: {message}")]
    Workbook { source_name: String, message: String },
    /// Several mistakes, all found in one reading (each names its line).
    #[error("{}", several(source_name, errors))]
    Several { source_name: String, errors: Vec<RegistryError> },
}

/// «реестр школ X: 3 ошибки — …» and one line per mistake, without repeating the file.
fn several(source_name: &str, errors: &[RegistryError]) -> String {
    let n = errors.len();
    let word = match (n % 10, n % 100) {
        (1, r) if r != 11 => "ошибка",
        (2..=4, r) if !(12..=14).contains(&r) => "ошибки",
        _ => "ошибок",
    };
    let prefix = format!("{source_name}, ");
    let mut text = format!("в реестре школ {source_name} {n} {word}; исправьте их все:");
    for e in errors.iter().take(MAX_ERRORS) {
        let line = e.to_string();
        text.push_str("\n  ");
        text.push_str(line.strip_prefix(&prefix).unwrap_or(&line));
    }
    if n > MAX_ERRORS {
        text.push_str(&format!("\n  … и ещё {}", n - MAX_ERRORS));
    }
    text
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
            RegistryError::Several { errors, .. } => errors.first().and_then(|e| e.line()),
            RegistryError::Io { .. }
            | RegistryError::Empty { .. }
            | RegistryError::Workbook { .. }
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
    pub fn new(mut schools: Vec<School>) -> Registry {
        // Read row by row, the list grew by doubling: up to half of it was spare room.
        schools.shrink_to_fit();
        let mut index: Vec<usize> = (0..schools.len()).collect();
        // Stable: of a school listed twice, the first listing comes first.
        index.sort_by(|&a, &b| schools[a].id.cmp(&schools[b].id));
        Registry { schools, index }
    }

    /// Whether this is the example registry (or built from it): its schools are invented
    /// and their addresses are at the reserved domains `example.ru`, `.com`, `.org`.
    pub fn is_example(&self) -> bool {
        self.schools.iter().any(|s| {
            let domain = s.email.rsplit('@').next().unwrap_or_default().to_lowercase();
            s.email.contains('@')
                && ["example.ru", "example.com", "example.org"].contains(&domain.as_str())
        })
    }

    pub fn get(&self, id: &str) -> Option<&School> {
        self.first_position(id).map(|i| &self.schools[i])
    }

    /// The place of the school `id` in `schools`: of a school listed twice, its first
    /// listing (the one [`Registry::get`] gives, and the one a school's return is
    /// settled for).
    pub fn first_position(&self, id: &str) -> Option<usize> {
        let at = self.index.partition_point(|&i| self.schools[i].id.as_str() < id);
        self.index.get(at).copied().filter(|&i| self.schools[i].id == id)
    }

    /// The place of the school `id` in `schools`: of a school listed twice, its last
    /// listing (the order a map from each id to its place would give).
    pub fn position(&self, id: &str) -> Option<usize> {
        let end = self.index.partition_point(|&i| self.schools[i].id.as_str() <= id);
        end.checked_sub(1).map(|at| self.index[at]).filter(|&i| self.schools[i].id == id)
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
        let io = |error| RegistryError::Io { source_name: source_name.clone(), error };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_REGISTRY_BYTES {
            return Err(RegistryError::Workbook {
                source_name,
                message: format!(
                    "файл больше {} МБ — это не реестр школ; проверьте путь",
                    MAX_REGISTRY_BYTES >> 20
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        if bytes.starts_with(b"PK\x03\x04") {
            return from_workbook(&bytes, &source_name, plan);
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(RegistryError::Workbook {
                source_name,
                message: "это книга старого формата Excel (.xls) или книга с паролем: откройте \
                          её в Excel и сохраните как «Книга Excel (.xlsx)» без пароля или как \
                          «CSV (разделители — точка с запятой)»"
                    .into(),
            });
        }
        Registry::from_bytes(&bytes, &source_name, plan)
    }

    /// Parse registry bytes in UTF-8 (with or without BOM) or Windows-1251.
    pub fn from_bytes(
        bytes: &[u8],
        source_name: &str,
        plan: &Plan,
    ) -> Result<(Registry, Vec<RegistryWarning>), RegistryError> {
        parse_text(&decode_borrowed(bytes), source_name, plan)
    }

    /// Parse registry text (already decoded). `source_name` names it in messages.
    pub fn parse(text: &str, source_name: &str, plan: &Plan) -> Result<Registry, RegistryError> {
        parse_text(text, source_name, plan).map(|(r, _)| r)
    }
}

/// A registry larger than this is not a registry (40 000 schools in CSV take ~10 MB).
const MAX_REGISTRY_BYTES: u64 = 50 << 20;

/// Stored cells read from a registry workbook at most.
const MAX_REGISTRY_CELLS: u64 = 2_000_000;

/// Columns of a registry workbook looked at (the rest are ignored).
const MAX_REGISTRY_COLUMNS: u32 = 200;

/// The first worksheet of an .xlsx registry: the same columns and messages as a CSV
/// file, with the sheet and the cell named. Read with calamine's streaming cell reader
/// (never the dense `worksheet_range`), within the bounds used for returns.
fn from_workbook(
    bytes: &[u8],
    source_name: &str,
    plan: &Plan,
) -> Result<(Registry, Vec<RegistryWarning>), RegistryError> {
    use calamine::{DataRef, Reader};
    let unreadable = || RegistryError::Workbook {
        source_name: source_name.to_string(),
        message: "файл не читается как книга Excel (.xlsx): откройте его в Excel и сохраните \
                  как «Книга Excel (.xlsx)» или как «CSV (разделители — точка с запятой)»"
            .into(),
    };
    let mut wb = crate::read::open_bounded_xlsx(bytes, &crate::read::Limits::default())
        .map_err(|_| unreadable())?;
    let sheet = wb.sheet_names().first().cloned().ok_or_else(unreadable)?;
    let is_1904 = wb.has_1904_epoch();
    let mut grid: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    {
        let mut reader = wb.worksheet_cells_reader(&sheet).map_err(|_| unreadable())?;
        let mut seen = 0u64;
        while let Some(cell) = reader.next_cell().map_err(|_| unreadable())? {
            seen += 1;
            if seen > MAX_REGISTRY_CELLS {
                return Err(RegistryError::Workbook {
                    source_name: source_name.to_string(),
                    message: format!(
                        "на первом листе больше {MAX_REGISTRY_CELLS} ячеек — это не реестр школ"
                    ),
                });
            }
            let (r, c) = cell.get_position();
            if c >= MAX_REGISTRY_COLUMNS {
                continue;
            }
            let text = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::String(s) => s.clone(),
                DataRef::SharedString(s) => s.to_string(),
                DataRef::Float(f) => crate::read::Value::Number(*f).display(),
                DataRef::Int(i) => i.to_string(),
                DataRef::Bool(b) => crate::read::Value::Bool(*b).display(),
                DataRef::DateTime(d) => {
                    match crate::read::serial_to_datetime(d.as_f64(), is_1904) {
                        Some(dt) => crate::read::Value::DateTime(dt).display(),
                        None => d.as_f64().to_string(),
                    }
                }
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
                DataRef::Error(e) => format!("{e}"),
            };
            grid.entry(r).or_default().insert(c, text);
        }
    }
    let source = format!("{source_name}, лист «{sheet}»");
    let mut rows = Rows::new(&source, plan, ';', Some(cell_name));
    for (r, cells) in grid {
        let width = cells.keys().next_back().map_or(0, |c| *c as usize + 1);
        let mut row = vec![String::new(); width];
        for (c, text) in cells {
            row[c as usize] = clean_cell(&text);
        }
        if !rows.row(r as usize + 1, row) {
            break;
        }
    }
    rows.finish()
}

/// A1-style name of a cell: 1-based row, 0-based column.
fn cell_name(row: usize, col: usize) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{letters}{row}")
}

/// UTF-8 (BOM stripped) when valid, Windows-1251 otherwise: what Russian Excel writes.
pub fn decode(bytes: &[u8]) -> String {
    decode_borrowed(bytes).into_owned()
}

/// [`decode`] without a copy of text that is UTF-8 already (a national registry is
/// ~5 MB: issue 13).
fn decode_borrowed(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes).0,
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
    let mut rows = Rows::new(source_name, plan, delimiter, None);
    // A school a line at most: the list at its size from the start, not grown by
    // doubling (issue 13).
    rows.schools.reserve_exact(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                // The reader cannot go on after a broken quote: report what was found.
                rows.errors.push(RegistryError::Csv {
                    source_name: source_name.to_string(),
                    line: e.position().map_or(0, |p| line_at(text, p.byte())),
                    message: csv_message(&e),
                });
                break;
            }
        };
        // The csv crate's own line count skips blank lines; count from the byte offset.
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if !rows.row(line, record.iter().map(clean_cell).collect()) {
            break;
        }
    }
    rows.finish()
}

/// Errors shown at most: a registry with thousands of bad lines is the wrong file, and
/// the first hundred say so.
const MAX_ERRORS: usize = 100;

/// The rows of a registry (CSV lines or worksheet rows) becoming schools. Every mistake
/// is collected, so that one run names them all.
struct Rows<'a> {
    source_name: &'a str,
    plan: &'a Plan,
    delimiter: char,
    /// For a worksheet: the column letters, to name cells in messages.
    cell_names: Option<fn(usize, usize) -> String>,
    header: Option<(Vec<Column>, Vec<String>)>,
    schools: Vec<School>,
    first_line: BTreeMap<String, usize>,
    warnings: Vec<RegistryWarning>,
    errors: Vec<RegistryError>,
}

impl<'a> Rows<'a> {
    fn new(
        source_name: &'a str,
        plan: &'a Plan,
        delimiter: char,
        cell_names: Option<fn(usize, usize) -> String>,
    ) -> Rows<'a> {
        Rows {
            source_name,
            plan,
            delimiter,
            cell_names,
            header: None,
            schools: Vec::new(),
            first_line: BTreeMap::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// One row; `false` when reading should stop (a header that cannot be used).
    fn row(&mut self, line: usize, cells: Vec<String>) -> bool {
        if cells.iter().all(String::is_empty) {
            // Blank lines and rows Excel writes as «;;;;».
            return true;
        }
        let src = || self.source_name.to_string();
        let Some((columns, names)) = &self.header else {
            match read_header(&cells, line, self.source_name, self.plan, &mut self.warnings) {
                Ok((_, columns, names)) => {
                    self.header = Some((columns, names));
                    return true;
                }
                Err(errors) => {
                    self.errors.extend(errors);
                    return false;
                }
            }
        };
        if cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.is_empty()) {
            self.errors.push(RegistryError::ExtraValues {
                source_name: src(),
                line,
                columns: columns.len(),
                delimiter: self.delimiter,
            });
            return true;
        }
        let mut school = School {
            id: String::new(),
            name: String::new(),
            short_name: String::new(),
            profile: Profile::default(),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        };
        let mut ok = true;
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
                    let field = &self.plan.profile[*k];
                    match parse_figure(&value, field) {
                        Ok(n) => {
                            school.profile.insert(field.code.clone(), n);
                        }
                        Err(expected) => {
                            ok = false;
                            self.errors.push(RegistryError::BadNumber {
                                source_name: src(),
                                line,
                                column: names[i].clone(),
                                cell: self
                                    .cell_names
                                    .map(|f| format!(", ячейка {}", f(line, i)))
                                    .unwrap_or_default()
                                    .into(),
                                value: value.clone(),
                                expected: expected.into(),
                            });
                        }
                    }
                }
                Column::Ignored => {}
            }
        }
        if school.id.is_empty() {
            let column = columns.iter().position(|c| *c == Column::Id).map(|i| names[i].clone());
            self.errors.push(RegistryError::EmptyId {
                source_name: src(),
                line,
                column: column.unwrap_or_default(),
            });
            return true;
        }
        self.admit(line, school, ok);
        true
    }

    /// A school read from a row with an id: its name is there and its id is new; the short
    /// name is made from the name when the registry gives none; a doubtful e-mail address
    /// is a warning. `ok` is false when a value of the row was refused.
    fn admit(&mut self, line: usize, mut school: School, mut ok: bool) {
        let src = || self.source_name.to_string();
        if school.name.is_empty() {
            self.errors.push(RegistryError::EmptyName {
                source_name: src(),
                line,
                id: school.id.clone(),
            });
            ok = false;
        }
        if let Some(&first) = self.first_line.get(&school.id) {
            self.errors.push(RegistryError::DuplicateId {
                source_name: src(),
                line,
                id: school.id,
                first_line: first,
            });
            return;
        }
        self.first_line.insert(school.id.clone(), line);
        if !ok {
            return;
        }
        if school.short_name.is_empty() {
            school.short_name = short_name(&school.name);
        }
        if !school.email.is_empty() && !looks_like_email(&school.email) {
            self.warnings.push(RegistryWarning {
                source: src(),
                line,
                message: format!("адрес «{}» не похож на адрес электронной почты", school.email),
            });
        }
        self.schools.push(school);
    }

    fn finish(mut self) -> Result<(Registry, Vec<RegistryWarning>), RegistryError> {
        let src = self.source_name.to_string();
        if self.errors.is_empty() {
            if self.header.is_none() {
                return Err(RegistryError::Empty { source_name: src });
            }
            if self.schools.is_empty() {
                return Err(RegistryError::NoSchools { source_name: src });
            }
            return Ok((Registry::new(self.schools), self.warnings));
        }
        if self.errors.len() == 1 {
            return Err(self.errors.remove(0));
        }
        Err(RegistryError::Several { source_name: src, errors: self.errors })
    }
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
    crate::text::line_of(text, end)
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

/// Trim, and turn no-break spaces and runs of spaces into one space. The apostrophe a CSV
/// writer (ours among them) puts before text that would read as a formula («'+7 …») is
/// dropped, as Excel drops it.
fn clean_cell(s: &str) -> String {
    let s = s.trim_start();
    let s = match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    };
    s.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Header text for matching: lower case, «ё» → «е», dashes unified, spaces collapsed.
fn normalize_header(s: &str) -> String {
    crate::text::fold(&clean_cell(s))
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
) -> Result<(usize, Vec<Column>, Vec<String>), Vec<RegistryError>> {
    let mut errors = Vec::new();
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
            errors.push(RegistryError::DuplicateColumn {
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
    let missing: &[(Column, &'static str, &'static str)] =
        match (columns.contains(&Column::Id), columns.contains(&Column::Name)) {
            (false, false) => &[(
                Column::Id,
                "id» и «name",
                "код и наименование школы; можно назвать «код» и «наименование»",
            )],
            (false, true) => &[(Column::Id, "id", "код школы; можно назвать «код»")],
            (true, false) => {
                &[(Column::Name, "name", "наименование школы; можно назвать «наименование»")]
            }
            (true, true) => &[],
        };
    for &(_, name, hint) in missing {
        {
            errors.push(RegistryError::MissingColumn {
                source_name: source_name.to_string(),
                line,
                column: name,
                hint,
                found: found.clone(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
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
    if header == label {
        return true;
    }
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

    /// The profile figures behave as the map they replaced: looked up by code, a code set
    /// twice keeps its last figure, listed and written to JSON in code order, whole
    /// numbers as integers.
    /// The index finds every school by id, and of a school listed twice the first listing
    /// (as the map it replaced did); an id not listed is not found.
    #[test]
    fn get_finds_the_first_listing_of_an_id() {
        let mut again = School::named_for_tests("02");
        again.name = "Вторая запись".into();
        let ids = ["10", "02", "1", "020", "2"];
        let mut schools: Vec<School> = ids.iter().map(|id| School::named_for_tests(id)).collect();
        schools.insert(3, again);
        let reg = Registry::new(schools);
        for id in ids {
            assert_eq!(reg.get(id).map(|s| s.id.as_str()), Some(id));
        }
        assert_eq!(reg.get("02").map(|s| s.name.as_str()), Some("Школа 02"));
        for id in ["", "0", "03", "100", "ё"] {
            assert!(reg.get(id).is_none(), "{id}");
            assert!(reg.position(id).is_none(), "{id}");
        }
        // The place in the list, as a map from each id to its place gave (the last
        // listing of an id listed twice).
        let places: std::collections::BTreeMap<&str, usize> =
            reg.schools.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        for id in ids {
            assert_eq!(reg.position(id), places.get(id).copied(), "{id}");
        }
        assert_eq!(reg.position("02"), Some(3));
    }

    #[test]
    fn profile_figures_are_a_map_by_code() {
        let mut p: Profile =
            [("b".to_string(), 2.0), ("a".to_string(), 1.5), ("b".to_string(), 3.0)].into();
        assert_eq!(p.len(), 2);
        assert_eq!(p.get("b"), Some(&3.0));
        assert_eq!(p["a"], 1.5);
        assert!(!p.contains_key("c") && p.get("c").is_none());
        assert_eq!(p.insert("c".into(), 7.0), None);
        assert_eq!(p.insert("a".into(), 4.0), Some(1.5));
        let codes: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(codes, ["a", "b", "c"]);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"a":4,"b":3,"c":7}"#);
        p.insert("d".into(), 0.25);
        assert!(serde_json::to_string(&p).unwrap().ends_with(r#""d":0.25}"#));
    }

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
