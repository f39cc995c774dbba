//! Writing a school's report form: one .xlsx workbook per school and campaign.
//!
//! The workbook follows the contract in [`super::layout`]: the «Отчёт» sheet with the title
//! block, the «Общие сведения об ОО» block and one block per item; one sheet per detail
//! table; the «Инструкция» sheet; the hidden lists and identity sheets. Every input cell
//! has a workbook-level defined name (`PP_<code>`, tables `PPT_<code>`), so a reader finds
//! values by name even after LibreOffice or МойОфис re-saved the file.
//!
//! The writer is pure: it returns bytes and never touches the disk, so the command can
//! build forms in parallel and write them atomically. Same inputs give the same bytes:
//! the document dates are fixed (see [`form_date`]) and nothing depends on the clock.
//!
//! Row heights are set explicitly (estimated from the text) instead of relying on the
//! application's automatic row height: Excel recomputes heights of wrapped rows on load,
//! but merged cells and some office suites do not, and a cut-off label is worse than a
//! slightly roomy one.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, ProtectionOptions, Url, Workbook,
    Worksheet,
};

use super::layout::{
    col, field_name, table_name, table_rows, Identity, FORM_SHEET, IDENTITY_SHEET,
    INSTRUCTIONS_SHEET, LAYOUT_VERSION, LISTS_SHEET, META_FIELDS, PROPERTY_PREFIX, TABLE_FIRST_COL,
    TEXT_MAX_CHARS,
};
use crate::config::contacts::Contacts;
use crate::form::fill::{Fill, FillValue};
use crate::key::DistrictKey;
use crate::plan::campaign::{ru_date, ru_date_long, Campaign};
use crate::plan::expr::{Expr, Term};
use crate::plan::{Field, Item, Kind, Plan, Share, Table};
use crate::schools::School;
use crate::text::{clip_utf16, column_letters, lower_first, plain_number};

mod formulas;
mod identity_sheet;
mod instructions;
mod lists;
mod page;
mod sheet;
pub mod stamp;
mod styles;
mod tables;
mod validation;
mod wrap;

use formulas::*;
use identity_sheet::*;
use instructions::*;
use lists::*;
use page::*;
use sheet::*;
use styles::*;
use tables::*;
use validation::*;
use wrap::*;

/// Column widths of [`FORM_SHEET`] (in Excel character units): code, number, label, unit,
/// value. The label column is wide because plan wordings are long Russian sentences.
///
/// B–E add up to 98: that fits portrait A4 at 100 % with our margins. LibreOffice does not
/// always honour «fit to one page wide», so the widths themselves must fit.
const FORM_WIDTHS: [f64; 5] = [16.0, 7.0, 60.0, 8.0, 23.0];
/// Width of a line across columns B–E of [`FORM_SHEET`] (merged).
const WIDE_WIDTH: f64 = FORM_WIDTHS[1] + FORM_WIDTHS[2] + FORM_WIDTHS[3] + FORM_WIDTHS[4];
/// Width of the one column of [`INSTRUCTIONS_SHEET`]: fits portrait A4 without scaling
/// (see [`FORM_WIDTHS`]).
const INSTRUCTIONS_WIDTH: f64 = 72.0;
/// Width of the «№» column of table sheets.
const ROW_NUMBER_WIDTH: f64 = 5.0;
/// Width of a table column without `width` in the plan.
const DEFAULT_COLUMN_WIDTH: f64 = 20.0;
/// Maximum length of meta fields (name, position, phone).
const META_MAX_CHARS: u32 = 200;
/// Height of one line of 11 pt text, in points.
const LINE_HEIGHT: f64 = 15.0;
/// A4 in Excel's paper size codes.
const PAPER_A4: u8 = 9;

/// The identity a school's form of a campaign carries.
pub fn identity(campaign: &Campaign, school: &School) -> Identity {
    Identity {
        plan_id: campaign.plan.id.clone(),
        plan_version: campaign.plan.version.clone(),
        campaign: campaign.id(),
        school_id: school.id.clone(),
        school_name: school.name.clone(),
        layout: LAYOUT_VERSION,
    }
}

/// The document date stamped into a campaign's forms: 1 September of the campaign's
/// academic year. Fixed so that regenerating gives byte-identical files, and earlier than
/// any deadline so that a form sent back without being saved never looks late.
pub fn form_date(campaign: &Campaign) -> NaiveDate {
    campaign.academic_year().start()
}

/// Build the form of `school` for `campaign`; `generated` is the document date written into
/// the file's properties (use [`form_date`]). Returns the .xlsx bytes.
pub fn write_form(
    campaign: &Campaign,
    school: &School,
    generated: NaiveDate,
    key: Option<&DistrictKey>,
) -> Result<Vec<u8>> {
    write_form_with_contacts(campaign, school, generated, key, &Contacts::default())
}

/// [`write_form`] with the methodologist's contacts in the header and «Инструкция».
pub fn write_form_with_contacts(
    campaign: &Campaign,
    school: &School,
    generated: NaiveDate,
    key: Option<&DistrictKey>,
    contacts: &Contacts,
) -> Result<Vec<u8>> {
    let created = form_created(generated)?;
    build_with(campaign, school, created, None, key, contacts, None)
}

/// The document date of an issued form (its properties' creation time: fixed, so that the
/// same inputs give the same bytes).
fn form_created(generated: NaiveDate) -> Result<ExcelDateTime> {
    Ok(ExcelDateTime::from_ymd(
        u16::try_from(generated.year()).context("год даты формы")?,
        generated.month() as u8,
        generated.day() as u8,
    )?)
}

/// Profile figures carried forward from the school's accepted values of an earlier
/// campaign (`profplan template` finds them in that campaign's summary).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Carried {
    /// Field code → value.
    pub values: std::collections::BTreeMap<String, f64>,
    /// The campaign they come from: «Промежуточный отчёт за I полугодие, срок 20.12.2025».
    pub from: String,
}

/// [`write_form`] with profile figures taken from an earlier campaign instead of the
/// registry (the registry's values stay the fallback), marked on the form as such.
pub fn write_form_carried(
    campaign: &Campaign,
    school: &School,
    generated: NaiveDate,
    key: Option<&DistrictKey>,
    contacts: &Contacts,
    carried: &Carried,
) -> Result<Vec<u8>> {
    let created = form_created(generated)?;
    build_with(campaign, school, created, None, key, contacts, Some(carried))
}

/// A form of `school` with `fill` entered in its cells, as if the school had filled it and
/// saved it at `saved_at` (UTC): the synthetic returns of tests, examples and benchmarks.
pub fn write_filled_form(
    campaign: &Campaign,
    school: &School,
    fill: &Fill,
    saved_at: NaiveDateTime,
    key: Option<&DistrictKey>,
) -> Result<Vec<u8>> {
    let created = ExcelDateTime::from_ymd(
        u16::try_from(saved_at.year()).context("год сохранения")?,
        saved_at.month() as u8,
        saved_at.day() as u8,
    )?
    .and_hms(saved_at.hour() as u16, saved_at.minute() as u8, saved_at.second() as f64)?;
    build_with(campaign, school, created, Some(fill), key, &Contacts::default(), None)
}

/// The rows of a form whose height follows the school's name, in lines: the school's
/// line of the title block and of «Инструкция», the title of each table sheet (in
/// [`Campaign::tables`] order). The writer takes them from here, not from the texts it
/// writes, so that [`stamp`] can build a campaign's form once with placeholders for the
/// school and still get every height of the school's own form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct NameRows {
    title: u32,
    instructions: u32,
    tables: Vec<u32>,
}

impl NameRows {
    /// The heights of `school`'s form, written with `styles`: the school's line of the
    /// title block is a subtitle, of «Инструкция» a text.
    fn of(campaign: &Campaign, school: &School, styles: &Styles) -> NameRows {
        let bold = |f: &Format| styles.is_bold(f);
        NameRows {
            title: text_lines(&school_line(school), WIDE_WIDTH, bold(&styles.subtitle)),
            instructions: text_lines(
                &instructions_school_line(school),
                INSTRUCTIONS_WIDTH,
                bold(&styles.text),
            ),
            tables: campaign
                .tables()
                .into_iter()
                .map(|(item, table)| {
                    text_lines(&table_title(item, table, school), table_width(table), true)
                })
                .collect(),
        }
    }
}

/// The school's line of the title block of [`FORM_SHEET`].
fn school_line(school: &School) -> String {
    format!("Образовательная организация: {} (код в реестре: {})", school.name, school.id)
}

/// The school's line of [`INSTRUCTIONS_SHEET`].
fn instructions_school_line(school: &School) -> String {
    format!("Образовательная организация: {}", school.name)
}

fn build_with(
    campaign: &Campaign,
    school: &School,
    created: ExcelDateTime,
    fill: Option<&Fill>,
    key: Option<&DistrictKey>,
    contacts: &Contacts,
    carried: Option<&Carried>,
) -> Result<Vec<u8>> {
    let rows = NameRows::of(campaign, school, &Styles::new());
    build_rows(campaign, school, created, fill, key, contacts, carried, &rows)
}

/// [`build_with`] with the heights of the name's rows given (see [`NameRows`]).
// One argument per input of the form.
#[allow(clippy::too_many_arguments)]
fn build_rows(
    campaign: &Campaign,
    school: &School,
    created: ExcelDateTime,
    fill: Option<&Fill>,
    key: Option<&DistrictKey>,
    contacts: &Contacts,
    carried: Option<&Carried>,
    name_rows: &NameRows,
) -> Result<Vec<u8>> {
    let styles = Styles::new();
    let lists = Lists::of(campaign);
    let mut names: Vec<(String, String)> = Vec::new();

    let form = form_sheet(
        campaign, school, &styles, &lists, &mut names, fill, contacts, carried, name_rows,
    )?;
    let instructions = instructions_sheet(campaign, school, &styles, contacts, name_rows)?;
    let mut tables = Vec::new();
    for (i, (item, table)) in campaign.tables().into_iter().enumerate() {
        let rows =
            fill.and_then(|f| f.tables.get(&table.code)).map(Vec::as_slice).unwrap_or_default();
        let lines = name_rows.tables[i];
        tables.push(table_sheet(
            campaign, school, item, table, &styles, &lists, &mut names, rows, lines,
        )?);
    }
    let lists_ws = lists.sheet(&styles)?;
    let identity = identity(campaign, school);
    let identity_rows = identity.rows_with(key);
    let identity_ws = identity_sheet(&identity_rows)?;

    let mut wb = Workbook::new();
    // Deflate level 1 instead of the default 6: compressing ~15 small XML parts was the
    // largest cost of a form in profiles of `template` (see BENCHMARKS.md); a form grows
    // by a few KB. Content is unchanged, and the bytes are still the same on every run.
    wb.set_zip_compression_level(1);
    wb.push_worksheet(form);
    wb.push_worksheet(instructions);
    for t in tables {
        wb.push_worksheet(t);
    }
    wb.push_worksheet(lists_ws);
    wb.push_worksheet(identity_ws);
    for (name, target) in &names {
        wb.define_name(name, target).with_context(|| format!("имя {name} = {target}"))?;
    }

    let def = campaign.def;
    let mut props = DocProperties::new()
        .set_title(format!("{} — {}", def.title, school.name))
        .set_subject(campaign.plan.title.clone())
        .set_author(campaign.plan.issuer.clone())
        .set_company(campaign.plan.issuer.clone())
        .set_comment(format!("Форма profplan, кампания {}", campaign.id()))
        .set_creation_datetime(&created);
    for (name, value) in &identity_rows {
        props = props.set_custom_property(format!("{PROPERTY_PREFIX}{name}"), value.as_str());
    }
    wb.set_properties(&props);
    Ok(wb.save_to_buffer()?)
}

/// Excel column letters of a form column.
fn column_letter(c: u16) -> String {
    column_letters(u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    fn school() -> School {
        School {
            id: "07".into(),
            name: "МБОУ «Покрово-Пригородная СОШ»".into(),
            short_name: "Покрово-Пригородная СОШ".into(),
            profile: crate::schools::Profile::from([("oo_students_6_11".to_string(), 412.0)]),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        }
    }

    #[test]
    fn share_formulas_use_names() {
        let plan = Plan::default_plan();
        let item = plan.item("4.1").unwrap();
        let f = share_formula(&plan, &item.shares[0]);
        assert_eq!(
            f,
            "=IF(AND(COUNT(PP_p4_1_g9_spo,PP_p4_1_g11_spo)=2,(N(PP_oo_graduates_9)+\
             N(PP_oo_graduates_11))>0),(N(PP_p4_1_g9_spo)+N(PP_p4_1_g11_spo))/\
             (N(PP_oo_graduates_9)+N(PP_oo_graduates_11)),\"\")"
        );
        assert!(f.contains(crate::form::layout::FIELD_NAME_PREFIX));
    }

    #[test]
    fn every_campaign_of_the_default_plan_builds() {
        let plan = Plan::default_plan();
        for def in &plan.campaigns {
            let date = crate::plan::campaign::AcademicYear(2025).date(def.month, def.day).unwrap();
            let c = Campaign::resolve(&plan, date).unwrap();
            let bytes = write_form(&c, &school(), form_date(&c), None).unwrap();
            assert!(bytes.starts_with(b"PK\x03\x04"));
        }
    }

    #[test]
    fn wrapping_estimate() {
        assert_eq!(text_lines("коротко", 60.0, false), 1);
        assert_eq!(text_lines(&"слово ".repeat(30), 60.0, false), 3);
    }
}
