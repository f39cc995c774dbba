//! The JSON description of a campaign's form (`profplan plan --format json`): every input
//! cell with its defined name, kind, bounds and choices, every detail table with its
//! columns and entry area, the control rules and the layout constants.
//!
//! Other programs use it to fill forms and to read them without knowing profplan's Rust
//! types, so it is a stable, documented schema (docs/form-json.md): fields
//! are only ever added, and [`FORMAT_VERSION`] changes if a meaning changes. Texts have
//! their `{year}` / `{prev_year}` replaced with the campaign's academic years.

use serde::Serialize;

use crate::form::layout;
use crate::plan::campaign::Campaign;
use crate::plan::{Field, Kind, Op, Rule, Severity, WhenBlank};

/// Value of `format` in the JSON.
pub const FORMAT: &str = "profplan-form-description";
/// Version of this schema.
pub const FORMAT_VERSION: u32 = 1;

/// The whole description.
#[derive(Debug, Clone, Serialize)]
pub struct FormDescription {
    pub format: &'static str,
    pub format_version: u32,
    pub plan: PlanInfo,
    pub campaign: CampaignInfo,
    pub layout: LayoutInfo,
    /// The title block's cells the school fills (who filled the form).
    pub meta_fields: Vec<MetaField>,
    /// Items collected by the campaign, in plan order.
    pub items: Vec<ItemInfo>,
    /// Input fields: the profile block first, then the items' fields, in form order.
    pub fields: Vec<FieldInfo>,
    pub shares: Vec<ShareInfo>,
    pub tables: Vec<TableInfo>,
    /// Control rules that apply to this form.
    pub rules: Vec<RuleInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    pub id: String,
    pub title: String,
    pub issuer: String,
    /// Hash of the plan definition, written into every form.
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CampaignInfo {
    /// The deadline `YYYY-MM-DD`: the campaign's name everywhere.
    pub id: String,
    /// The plan's campaign code (`december`).
    pub code: String,
    pub title: String,
    pub deadline: String,
    /// «2025/26»
    pub academic_year: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayoutInfo {
    pub version: u32,
    pub form_sheet: &'static str,
    pub instructions_sheet: &'static str,
    pub identity_sheet: &'static str,
    pub lists_sheet: &'static str,
    pub field_name_prefix: &'static str,
    pub table_name_prefix: &'static str,
    /// Custom document properties are `<prefix><identity key>`.
    pub property_prefix: &'static str,
    pub form_marker: &'static str,
    /// Keys of the identity sheet (column A, rows 1…) in order.
    pub identity_keys: Vec<&'static str>,
    /// 0-based columns of the form sheet.
    pub form_columns: FormColumns,
    /// 0-based rows of a table sheet.
    pub table_rows: TableRows,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormColumns {
    pub code: u16,
    pub number: u16,
    pub label: u16,
    pub unit: u16,
    pub value: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRows {
    pub title: u32,
    pub codes: u32,
    pub header: u32,
    pub first_entry: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetaField {
    pub code: &'static str,
    pub label: &'static str,
    /// Defined name of the input cell.
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemInfo {
    pub code: String,
    pub section: String,
    pub section_title: String,
    pub text: String,
    pub indicator: String,
    pub deadline: String,
    pub responsible: String,
}

/// Where a field is on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldSection {
    /// «Общие сведения об ОО».
    Profile,
    /// Under an item.
    Item,
}

/// Bounds in JSON as the plan writes them: `5000`, not `5000.0`.
fn whole<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9e15 => s.serialize_some(&(*x as i64)),
        Some(x) => s.serialize_some(x),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldInfo {
    pub code: String,
    pub label: String,
    /// Item code; `null` for profile fields.
    pub item: Option<String>,
    pub section: FieldSection,
    pub kind: Kind,
    pub unit: String,
    #[serde(serialize_with = "whole")]
    pub min: Option<f64>,
    #[serde(serialize_with = "whole")]
    pub max: Option<f64>,
    /// Accepted values for `yesno` and `choice`; empty otherwise.
    pub choices: Vec<String>,
    pub required: bool,
    pub hint: String,
    /// Defined name of the input cell: `PP_<code>`.
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareInfo {
    pub code: String,
    pub label: String,
    pub item: String,
    pub numerator: String,
    pub denominator: String,
    /// Defined name of the cell with the share's formula: `PP_<code>`.
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub code: String,
    pub item: String,
    pub title: String,
    pub sheet: String,
    /// Number of entry rows.
    pub rows: u32,
    /// Defined name of the entry area (all entry rows × all columns): `PPT_<code>`.
    pub name: String,
    pub columns: Vec<ColumnInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnInfo {
    pub code: String,
    pub label: String,
    pub kind: Kind,
    pub unit: String,
    #[serde(serialize_with = "whole")]
    pub min: Option<f64>,
    #[serde(serialize_with = "whole")]
    pub max: Option<f64>,
    pub choices: Vec<String>,
    /// Must be filled in a row that is not blank.
    pub required: bool,
    pub hint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub code: String,
    pub left: String,
    /// As in the plan: `<=`, `<`, `>=`, `>`, `==`, `!=`.
    pub op: Op,
    pub right: String,
    pub severity: Severity,
    pub message: String,
    pub when_blank: WhenBlank,
    /// Checked per row of this table; `null` for form-level rules.
    pub table: Option<String>,
}

/// Describe a campaign's form.
///
/// ```
/// use profplan::{form::describe::describe, plan::campaign::Campaign, plan::Plan};
/// let plan = Plan::default_plan();
/// let c = Campaign::parse(&plan, "2025-12-20").unwrap();
/// let d = describe(&c);
/// assert!(d.fields.iter().all(|f| f.name == format!("PP_{}", f.code)));
/// ```
pub fn describe(c: &Campaign<'_>) -> FormDescription {
    let plan = c.plan;
    let field_info = |f: &Field, item: Option<&str>| FieldInfo {
        code: f.code.clone(),
        label: c.text(&f.label),
        item: item.map(str::to_string),
        section: if item.is_some() { FieldSection::Item } else { FieldSection::Profile },
        kind: f.kind,
        unit: f.unit.clone(),
        min: f.min,
        max: f.max,
        choices: plan.choices_of(f).into_iter().map(str::to_string).collect(),
        required: f.required,
        hint: c.text(&f.hint),
        name: layout::field_name(&f.code),
    };
    let mut fields: Vec<FieldInfo> =
        c.profile_fields().into_iter().map(|f| field_info(f, None)).collect();
    fields.extend(c.item_fields().into_iter().map(|(i, f)| field_info(f, Some(&i.code))));

    FormDescription {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        plan: PlanInfo {
            id: plan.id.clone(),
            title: plan.title.clone(),
            issuer: plan.issuer.clone(),
            version: plan.version.clone(),
        },
        campaign: CampaignInfo {
            id: c.id(),
            code: c.def.code.clone(),
            title: c.text(&c.def.title),
            deadline: c.id(),
            academic_year: c.academic_year().to_string(),
            note: c.text(&c.def.note),
        },
        layout: layout_info(),
        meta_fields: layout::META_FIELDS
            .iter()
            .map(|&(code, label)| MetaField { code, label, name: layout::field_name(code) })
            .collect(),
        items: c
            .items()
            .into_iter()
            .map(|i| {
                let section = plan.section_of(i);
                ItemInfo {
                    code: i.code.clone(),
                    section: section.map(|s| s.number.clone()).unwrap_or_default(),
                    section_title: section.map(|s| s.title.clone()).unwrap_or_default(),
                    text: c.text(&i.text),
                    indicator: c.text(&i.indicator),
                    deadline: i.deadline.clone(),
                    responsible: i.responsible.clone(),
                }
            })
            .collect(),
        fields,
        shares: c
            .shares()
            .into_iter()
            .map(|(i, s)| ShareInfo {
                code: s.code.clone(),
                label: c.text(&s.label),
                item: i.code.clone(),
                numerator: s.numerator.to_string(),
                denominator: s.denominator.to_string(),
                name: layout::field_name(&s.code),
            })
            .collect(),
        tables: c
            .tables()
            .into_iter()
            .map(|(i, t)| TableInfo {
                code: t.code.clone(),
                item: i.code.clone(),
                title: c.text(&t.title),
                sheet: t.sheet.clone(),
                rows: plan.rows_of(t),
                name: layout::table_name(&t.code),
                columns: t
                    .columns
                    .iter()
                    .map(|col| ColumnInfo {
                        code: col.code.clone(),
                        label: c.text(&col.label),
                        kind: col.kind,
                        unit: col.unit.clone(),
                        min: col.min,
                        max: col.max,
                        choices: plan.choices_of(col).into_iter().map(str::to_string).collect(),
                        required: col.required,
                        hint: c.text(&col.hint),
                    })
                    .collect(),
            })
            .collect(),
        rules: c.rules().into_iter().map(|r| rule_info(c, r)).collect(),
    }
}

fn rule_info(c: &Campaign<'_>, r: &Rule) -> RuleInfo {
    RuleInfo {
        code: r.code.clone(),
        left: r.left.to_string(),
        op: r.op,
        right: r.right.to_string(),
        severity: r.severity,
        message: c.text(&r.message),
        when_blank: r.when_blank,
        table: r.table.clone(),
    }
}

/// The layout constants, as [`crate::form::layout`] defines them.
pub fn layout_info() -> LayoutInfo {
    use layout::{col, key, table_rows};
    LayoutInfo {
        version: layout::LAYOUT_VERSION,
        form_sheet: layout::FORM_SHEET,
        instructions_sheet: layout::INSTRUCTIONS_SHEET,
        identity_sheet: layout::IDENTITY_SHEET,
        lists_sheet: layout::LISTS_SHEET,
        field_name_prefix: layout::FIELD_NAME_PREFIX,
        table_name_prefix: layout::TABLE_NAME_PREFIX,
        property_prefix: layout::PROPERTY_PREFIX,
        form_marker: layout::FORM_MARKER,
        identity_keys: vec![
            key::FORM,
            key::PLAN_ID,
            key::PLAN_VERSION,
            key::CAMPAIGN,
            key::SCHOOL_ID,
            key::SCHOOL_NAME,
            key::LAYOUT,
            key::CHECK,
        ],
        form_columns: FormColumns {
            code: col::CODE,
            number: col::NUMBER,
            label: col::LABEL,
            unit: col::UNIT,
            value: col::VALUE,
        },
        table_rows: TableRows {
            title: table_rows::TITLE,
            codes: table_rows::CODES,
            header: table_rows::HEADER,
            first_entry: table_rows::FIRST_ENTRY,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    #[test]
    fn december_form_is_described() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let d = describe(&c);
        assert_eq!(d.campaign.academic_year, "2025/26");
        assert_eq!(d.fields[0].section, FieldSection::Profile);
        assert!(d.fields.iter().any(|f| f.item.as_deref() == Some("2.1")));
        assert!(d.tables.iter().all(|t| t.name.starts_with("PPT_")));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["rules"][0]["op"], "<=");
        assert_eq!(json["fields"][0]["kind"], "integer");
        // The identity keys are the ones the form writer writes.
        let sample = layout::Identity {
            plan_id: String::new(),
            plan_version: String::new(),
            campaign: String::new(),
            school_id: String::new(),
            school_name: String::new(),
            layout: 1,
        };
        let keys: Vec<&str> = sample.rows().iter().map(|(k, _)| *k).collect();
        assert_eq!(d.layout.identity_keys, keys);
    }

    #[test]
    fn year_placeholders_are_replaced() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-09-15").unwrap();
        let json = serde_json::to_string(&describe(&c)).unwrap();
        assert!(!json.contains("{year}") && !json.contains("{prev_year}"));
        assert!(json.contains("2024/25 учебного года"));
    }
}
