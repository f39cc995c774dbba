//! The plan definition: sections, items, the fields and tables each item collects, shares,
//! the school-profile block, control rules and campaigns.
//!
//! A plan is written in TOML (see `templates/plan-tambov.toml`, embedded as the default
//! plan, and docs/plan-format.md). Loading checks the whole definition and refuses a
//! plan with a mistake with a message naming the line: a form built from a broken plan would
//! be sent to every school of the district before anyone noticed.

pub mod campaign;
mod checks;
pub mod expr;

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::expr::Formula;

/// The default plan: the Tambov district plan, as shipped.
pub const DEFAULT_PLAN_TOML: &str = include_str!("../../templates/plan-tambov.toml");

/// Name under which the embedded plan is shown to users.
pub const DEFAULT_PLAN_NAME: &str = "встроенный план Тамбовского района";

/// A loaded and checked plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable identifier of the plan (ASCII), written into every form.
    pub id: String,
    /// Full title as in the plan document.
    pub title: String,
    /// Who issues the forms (shown on the form and in the summary).
    #[serde(default)]
    pub issuer: String,
    /// Default number of blank rows in detail tables.
    #[serde(default = "default_table_rows")]
    pub table_rows: u32,
    /// Named choice lists, referred to by fields and columns (`choices = "yesno"`).
    #[serde(default)]
    pub choices: BTreeMap<String, Vec<String>>,
    /// «Общие сведения об ОО»: figures asked once per form, used as denominators.
    #[serde(default, deserialize_with = "positioned")]
    pub profile: Vec<Field>,
    #[serde(default, rename = "section", deserialize_with = "positioned")]
    pub sections: Vec<Section>,
    /// Control rules («контрольные соотношения»).
    #[serde(default, rename = "rule", deserialize_with = "positioned")]
    pub rules: Vec<Rule>,
    #[serde(default, rename = "campaign", deserialize_with = "positioned")]
    pub campaigns: Vec<CampaignDef>,
    /// Hash of the definition (not of its formatting); filled in by [`Plan::from_toml`].
    #[serde(skip_deserializing)]
    pub version: String,
}

/// Most blank rows a table of a form may have (`table_rows`, a table's `rows`). The
/// reader refuses table areas larger than this, whatever the file claims.
pub const MAX_TABLE_ROWS: u32 = 1000;
/// Most columns a table of a form may have; the reader's bound too.
pub const MAX_TABLE_COLUMNS: usize = 50;

fn default_table_rows() -> u32 {
    15
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub number: String,
    pub title: String,
    #[serde(default, rename = "item", deserialize_with = "positioned")]
    pub items: Vec<Item>,
    #[serde(skip)]
    pub pos: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// «1.4»
    pub code: String,
    /// Направление работы, as in the plan.
    pub text: String,
    /// Показатель, as in the plan (may be empty).
    #[serde(default)]
    pub indicator: String,
    /// Сроки, as in the plan.
    #[serde(default)]
    pub deadline: String,
    /// Ответственные, as in the plan.
    #[serde(default)]
    pub responsible: String,
    #[serde(default, rename = "field", deserialize_with = "positioned")]
    pub fields: Vec<Field>,
    #[serde(default, rename = "share", deserialize_with = "positioned")]
    pub shares: Vec<Share>,
    #[serde(default, rename = "table", deserialize_with = "positioned")]
    pub tables: Vec<Table>,
    #[serde(skip)]
    pub pos: usize,
}

/// The kind of value a field or a table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Whole number.
    Integer,
    /// Number with a fraction.
    Decimal,
    /// «да» / «нет».
    #[serde(rename = "yesno")]
    YesNo,
    /// One value of a list.
    Choice,
    Text,
    Date,
}

impl Kind {
    pub fn is_numeric(self) -> bool {
        matches!(self, Kind::Integer | Kind::Decimal)
    }

    /// Russian name of the kind, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Integer => "целое число",
            Kind::Decimal => "число",
            Kind::YesNo => "«да» или «нет»",
            Kind::Choice => "значение из списка",
            Kind::Text => "текст",
            Kind::Date => "дата",
        }
    }
}

/// One value a school enters: in the profile block, under an item, or as a table column.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// ASCII code `[a-z][a-z0-9_]*`, unique in the plan (columns: unique in their table).
    pub code: String,
    /// Russian label shown on the form. `{year}` / `{prev_year}` name academic years.
    pub label: String,
    #[serde(default)]
    pub unit: String,
    pub kind: Kind,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Name of a list in `[choices]` (for `choice` kind; `yesno` uses the built-in list).
    #[serde(default)]
    pub choices: Option<String>,
    /// Fields: must be filled. Columns: must be filled in a row that is not blank.
    #[serde(default = "yes")]
    pub required: bool,
    /// Hint shown when the cell is selected.
    #[serde(default)]
    pub hint: String,
    /// Column width on the form (columns only), in characters.
    #[serde(default)]
    pub width: Option<f64>,
    /// Counted cumulatively within the school year («с 1 сентября по дату заполнения»):
    /// the value may not fall from one campaign of the year to the next.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cumulative: bool,
    /// A profile figure that changes little between campaigns: a change beyond the given
    /// percent is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable: Option<Stable>,
    #[serde(skip)]
    pub pos: usize,
}

/// `stable = { percent = 30 }`: how far a figure may move between two campaigns of a
/// school year before it is worth a question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stable {
    pub percent: f64,
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A share (доля), collected as numerator and denominator, never as a percentage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub code: String,
    pub label: String,
    /// Expression over field codes (`a` or `a + b`).
    pub numerator: Formula,
    pub denominator: Formula,
    #[serde(skip)]
    pub pos: usize,
}

/// A detail table: repeated rows of typed columns, on a sheet of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub code: String,
    pub title: String,
    /// Sheet name on the form (≤ 31 characters, no `[]:*?/\`).
    pub sheet: String,
    /// Number of blank rows; the plan's `table_rows` when absent.
    #[serde(default)]
    pub rows: Option<u32>,
    #[serde(default, rename = "column", deserialize_with = "positioned")]
    pub columns: Vec<Field>,
    /// Views of the district summary: pivots and rankings of this table.
    #[serde(default, rename = "view", deserialize_with = "positioned")]
    pub views: Vec<View>,
    #[serde(skip)]
    pub pos: usize,
}

/// A view of a detail table in the district summary: the sums of `values` grouped by
/// `rows` (and by `columns`, as a cross table), or the `top` most frequent `rows` values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// Russian title of the view.
    pub title: String,
    /// Column code whose values become the rows of the view.
    pub rows: String,
    /// Optional column code whose values become the columns (a choice column).
    #[serde(default)]
    pub columns: Option<String>,
    /// Numeric column codes summed in each cell.
    pub values: Vec<String>,
    /// Keep only the N largest rows, ranked by the first value (a ranking).
    #[serde(default)]
    pub top: Option<u32>,
    /// Draw a chart of the view in the summary.
    #[serde(default)]
    pub chart: bool,
    #[serde(skip)]
    pub pos: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    pub fn holds(self, l: f64, r: f64) -> bool {
        match self {
            Op::Le => l <= r,
            Op::Lt => l < r,
            Op::Ge => l >= r,
            Op::Gt => l > r,
            Op::Eq => l == r,
            Op::Ne => l != r,
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Eq => "=",
            Op::Ne => "≠",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What a rule does when a value on one of its sides is blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WhenBlank {
    /// The rule is not checked (the blank is reported by `required` if it matters).
    #[default]
    Skip,
    /// A blank counts as 0.
    Zero,
    /// A blank side is itself a finding of the rule's severity.
    Fail,
}

/// A control rule: `left op right`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub code: String,
    /// Expression: field codes, numbers, `+`, `-`, `sum(table.column)`; with `table`,
    /// column codes of that table, checked row by row.
    pub left: Formula,
    pub op: Op,
    pub right: Formula,
    #[serde(default = "error_severity")]
    pub severity: Severity,
    /// Russian message for the school: what must hold.
    pub message: String,
    #[serde(default)]
    pub when_blank: WhenBlank,
    /// Check per row of this table.
    #[serde(default)]
    pub table: Option<String>,
    #[serde(skip)]
    pub pos: usize,
}

fn error_severity() -> Severity {
    Severity::Error
}

/// A campaign: one deadline a year and the items collected by it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignDef {
    /// ASCII code, e.g. `december`.
    pub code: String,
    /// Russian name, e.g. «Промежуточный отчёт (I полугодие)».
    pub title: String,
    pub month: u32,
    pub day: u32,
    /// Note shown on the form and the instructions (e.g. the reporting period).
    #[serde(default)]
    pub note: String,
    /// Item codes collected by this campaign, in plan order.
    pub items: Vec<String>,
    #[serde(skip)]
    pub pos: usize,
}

/// Something with a byte position in the plan source (for line numbers in messages).
pub trait Positioned {
    fn set_pos(&mut self, pos: usize);
}

macro_rules! positioned {
    ($($t:ty),*) => {$(impl Positioned for $t { fn set_pos(&mut self, pos: usize) { self.pos = pos; } })*};
}
positioned!(Section, Item, Field, Share, Table, View, Rule, CampaignDef);

/// Deserialize an array of tables remembering where each element starts.
fn positioned<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Positioned,
{
    let v: Vec<toml::Spanned<T>> = Vec::deserialize(d)?;
    Ok(v.into_iter()
        .map(|s| {
            let pos = s.span().start;
            let mut t = s.into_inner();
            t.set_pos(pos);
            t
        })
        .collect())
}

/// A plan that cannot be used, with the line where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{plan}{}: {message}", .line.map(|l| format!(", строка {l}")).unwrap_or_default())]
pub struct PlanError {
    /// The plan: file path or the embedded plan's name.
    pub plan: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

/// All problems found in a plan (at least one), one per line.
#[derive(Debug, Clone, thiserror::Error)]
#[error("план не может быть использован:\n  {}", .0.iter().map(PlanError::to_string).collect::<Vec<_>>().join("\n  "))]
pub struct PlanErrors(pub Vec<PlanError>);

/// Built-in yes/no list.
pub const YES_NO: [&str; 2] = ["да", "нет"];

/// Where a field lives in the plan.
#[derive(Debug, Clone, Copy)]
pub enum FieldPlace<'a> {
    Profile,
    Item(&'a Item),
}

impl Plan {
    /// The embedded default plan.
    pub fn default_plan() -> Plan {
        Plan::from_toml(DEFAULT_PLAN_TOML, DEFAULT_PLAN_NAME)
            .expect("the embedded plan is checked by tests")
    }

    /// Parse and check a plan. `source` names it in messages.
    pub fn from_toml(text: &str, source: &str) -> Result<Plan, PlanErrors> {
        let line_of = |pos: usize| Some(crate::text::line_of(text, pos));
        let mut plan: Plan = toml::from_str(text).map_err(|e| {
            let line = e.span().and_then(|s| line_of(s.start));
            PlanErrors(vec![PlanError {
                plan: source.to_string(),
                line,
                message: crate::config::toml_ru::message(e.message(), &[]),
            }])
        })?;
        let problems = plan.check();
        if !problems.is_empty() {
            return Err(PlanErrors(
                problems
                    .into_iter()
                    .map(|(pos, message)| PlanError {
                        plan: source.to_string(),
                        line: pos.and_then(line_of),
                        message,
                    })
                    .collect(),
            ));
        }
        plan.version = plan.compute_version();
        Ok(plan)
    }

    /// Hash of the definition: same meaning → same version, whatever the formatting.
    /// The inter-period marks (`cumulative`, `stable`) are left out: they change what is
    /// checked across campaigns, not what the form collects, so forms issued before a
    /// plan was marked are still forms of the same version.
    fn compute_version(&self) -> String {
        let mut copy = self.clone();
        copy.version.clear();
        let unmark = |f: &mut Field| {
            f.cumulative = false;
            f.stable = None;
        };
        copy.profile.iter_mut().for_each(unmark);
        for s in &mut copy.sections {
            for i in &mut s.items {
                i.fields.iter_mut().for_each(unmark);
            }
        }
        let json = serde_json::to_vec(&copy).expect("plan serializes");
        let digest = Sha256::digest(&json);
        crate::text::hex(&digest[..6])
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items().find(|i| i.code == code)
    }

    pub fn section_of(&self, item: &Item) -> Option<&Section> {
        self.sections.iter().find(|s| s.items.iter().any(|i| i.code == item.code))
    }

    /// Every field of the plan with where it lives: profile first, then items in order.
    pub fn all_fields(&self) -> impl Iterator<Item = (FieldPlace<'_>, &Field)> {
        self.profile.iter().map(|f| (FieldPlace::Profile, f)).chain(
            self.items().flat_map(|i| i.fields.iter().map(move |f| (FieldPlace::Item(i), f))),
        )
    }

    pub fn field(&self, code: &str) -> Option<&Field> {
        self.all_fields().find(|(_, f)| f.code == code).map(|(_, f)| f)
    }

    pub fn table(&self, code: &str) -> Option<(&Item, &Table)> {
        self.items()
            .flat_map(|i| i.tables.iter().map(move |t| (i, t)))
            .find(|(_, t)| t.code == code)
    }

    /// The choices a field or column accepts (empty for kinds without a list).
    pub fn choices_of<'a>(&'a self, f: &'a Field) -> Vec<&'a str> {
        match f.kind {
            Kind::YesNo => YES_NO.to_vec(),
            Kind::Choice => f
                .choices
                .as_deref()
                .and_then(|c| self.choices.get(c))
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    pub fn rows_of(&self, t: &Table) -> u32 {
        t.rows.unwrap_or(self.table_rows)
    }
}

/// `[a-z][a-z0-9_]*`, at most 60 characters.
pub fn is_code(s: &str) -> bool {
    let mut ch = s.chars();
    matches!(ch.next(), Some('a'..='z'))
        && s.len() <= 60
        && ch.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Why a sheet name is refused by Excel, if it is.
pub fn bad_sheet_name(s: &str) -> Option<&'static str> {
    if s.trim().is_empty() {
        Some("имя листа пустое")
    } else if s.chars().count() > 31 {
        Some("имя листа длиннее 31 знака")
    } else if s.chars().any(|c| "[]:*?/\\".contains(c)) {
        Some("имя листа содержит недопустимый знак ([ ] : * ? / \\)")
    } else if s.starts_with('\'') || s.ends_with('\'') {
        Some("имя листа не может начинаться или кончаться апострофом")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_plan_parses_with_all_items() {
        let plan = Plan::default_plan();
        let codes: Vec<&str> = plan.items().map(|i| i.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "3.1", "4.1", "5.1", "5.2",
                "6.1", "6.2", "6.3", "7.1", "7.2", "8.1", "9.1", "9.2", "9.3", "10.1"
            ]
        );
        assert_eq!(plan.sections.len(), 10);
        assert_eq!(plan.version.len(), 12);
    }

    #[test]
    fn codes() {
        assert!(is_code("students_6_11"));
        assert!(!is_code("6_11"));
        assert!(!is_code("Students"));
        assert!(!is_code("a-b"));
    }
}
