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
use crate::check::identity::DistrictKey;
use crate::config::contacts::Contacts;
use crate::plan::campaign::{ru_date, ru_date_long, Campaign};
use crate::plan::expr::{Expr, Term};
use crate::plan::{Field, Item, Kind, Plan, Share, Table};
use crate::schools::School;
use crate::synth::{Fill, FillValue};
use crate::text::{clip_utf16, column_letters, lower_first, plain_number};

/// Column widths of [`FORM_SHEET`] (in Excel character units): code, number, label, unit,
/// value. The label column is wide because plan wordings are long Russian sentences.
///
/// B–E add up to 98: that fits portrait A4 at 100 % with our margins. LibreOffice does not
/// always honour «fit to one page wide», so the widths themselves must fit.
const FORM_WIDTHS: [f64; 5] = [16.0, 7.0, 60.0, 8.0, 23.0];
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
    build(campaign, school, created, None, key, contacts)
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
    build(campaign, school, created, Some(fill), key, &Contacts::default())
}

fn build(
    campaign: &Campaign,
    school: &School,
    created: ExcelDateTime,
    fill: Option<&Fill>,
    key: Option<&DistrictKey>,
    contacts: &Contacts,
) -> Result<Vec<u8>> {
    build_with(campaign, school, created, fill, key, contacts, None)
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
    let styles = Styles::new();
    let lists = Lists::of(campaign);
    let mut names: Vec<(String, String)> = Vec::new();

    let form = form_sheet(campaign, school, &styles, &lists, &mut names, fill, contacts, carried)?;
    let instructions = instructions_sheet(campaign, school, &styles, contacts)?;
    let mut tables = Vec::new();
    for (item, table) in campaign.tables() {
        let rows =
            fill.and_then(|f| f.tables.get(&table.code)).map(Vec::as_slice).unwrap_or_default();
        tables.push(table_sheet(campaign, school, item, table, &styles, &lists, &mut names, rows)?);
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

// ---------------------------------------------------------------------------------------
// Styles

/// Every cell format of the form, built once per workbook.
struct Styles {
    title: Format,
    subtitle: Format,
    text: Format,
    note: Format,
    block: Format,
    section: Format,
    item_num: Format,
    item: Format,
    indicator: Format,
    label: Format,
    unit: Format,
    code: Format,
    share: Format,
    link: Format,
    header: Format,
    row_number: Format,
    heading: Format,
    /// Input formats by kind (unlocked, yellow).
    input_integer: Format,
    input_decimal: Format,
    input_text: Format,
    input_date: Format,
    input_choice: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new().set_align(FormatAlign::Top).set_text_wrap();
        let cell = base.clone().set_border(FormatBorder::Thin).set_border_color("#A6A6A6");
        let input = cell.clone().set_unlocked().set_background_color("#FFF2CC");
        let item_fill = Color::RGB(0xDDEBF7);
        Styles {
            title: base.clone().set_bold().set_font_size(13),
            subtitle: base.clone().set_bold(),
            text: base.clone(),
            note: base.clone().set_italic().set_font_color("#595959"),
            block: base.clone().set_bold().set_font_size(12).set_background_color("#D9D9D9"),
            section: base.clone().set_bold().set_background_color("#BDD7EE"),
            item_num: cell.clone().set_bold().set_background_color(item_fill),
            item: cell.clone().set_bold().set_background_color(item_fill),
            indicator: cell.clone().set_italic(),
            label: cell.clone(),
            unit: cell.clone().set_align(FormatAlign::Center),
            code: base.clone().set_font_color("#808080"),
            share: cell
                .clone()
                .set_num_format("0.0%")
                .set_background_color("#E2EFDA")
                .set_align(FormatAlign::Right),
            link: cell
                .clone()
                .set_font_color("#0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            header: cell
                .clone()
                .set_bold()
                .set_background_color(item_fill)
                .set_align(FormatAlign::Center),
            row_number: cell.clone().set_align(FormatAlign::Center).set_font_color("#808080"),
            heading: base.clone().set_bold().set_font_size(12),
            input_integer: input.clone().set_num_format("0").set_align(FormatAlign::Right),
            input_decimal: input.clone().set_num_format("0.0##").set_align(FormatAlign::Right),
            input_text: input.clone().set_num_format("@"),
            input_date: input.clone().set_num_format("dd.mm.yyyy").set_align(FormatAlign::Right),
            input_choice: input,
        }
    }

    /// Whether `f` is one of the bold styles (bold text wraps sooner).
    fn is_bold(&self, f: &Format) -> bool {
        [&self.title, &self.subtitle, &self.block, &self.section, &self.heading, &self.item]
            .iter()
            .any(|b| std::ptr::eq(*b, f))
    }

    fn input(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Integer => &self.input_integer,
            Kind::Decimal => &self.input_decimal,
            Kind::Text => &self.input_text,
            Kind::Date => &self.input_date,
            Kind::YesNo | Kind::Choice => &self.input_choice,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Choice lists

/// The choice lists the form uses, as written on [`LISTS_SHEET`]: one column per list,
/// its name in row 1 and its values below. Lists too long for an inline dropdown
/// (Excel's 255-character limit) point at their column.
struct Lists {
    /// List name → (column, values).
    columns: BTreeMap<String, (u16, Vec<String>)>,
}

impl Lists {
    fn of(campaign: &Campaign) -> Lists {
        let plan = campaign.plan;
        let mut used: Vec<&str> = Vec::new();
        let fields = campaign.fields();
        let columns = campaign.tables().into_iter().flat_map(|(_, t)| t.columns.iter());
        for f in fields.into_iter().chain(columns) {
            if f.kind == Kind::Choice {
                if let Some(name) = f.choices.as_deref() {
                    if !used.contains(&name) {
                        used.push(name);
                    }
                }
            }
        }
        used.sort_unstable();
        let columns = used
            .into_iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let values = plan.choices.get(name)?.clone();
                Some((name.to_string(), (i as u16, values)))
            })
            .collect();
        Lists { columns }
    }

    /// A dropdown validation for a field or column.
    fn validation(&self, plan: &Plan, f: &Field) -> Result<DataValidation> {
        let values = plan.choices_of(f);
        let joined_len: usize =
            values.iter().map(|v| v.encode_utf16().count() + 1).sum::<usize>().saturating_sub(1);
        if f.kind == Kind::YesNo || joined_len <= 255 {
            return Ok(DataValidation::new().allow_list_strings(&values)?);
        }
        let name = f.choices.as_deref().unwrap_or_default();
        let (column, list) =
            self.columns.get(name).with_context(|| format!("список «{name}» не найден"))?;
        let letter = column_letter(*column);
        let range =
            format!("='{LISTS_SHEET}'!${letter}$2:${letter}${}", list.len().max(1) as u32 + 1);
        Ok(DataValidation::new().allow_list_formula(Formula::new(range)))
    }

    fn sheet(&self, styles: &Styles) -> Result<Worksheet> {
        let mut ws = Worksheet::new();
        ws.set_name(LISTS_SHEET)?;
        for (name, (column, values)) in &self.columns {
            ws.write_string_with_format(0, *column, name, &styles.subtitle)?;
            for (i, v) in values.iter().enumerate() {
                ws.write_string(1 + i as u32, *column, v)?;
            }
            ws.set_column_width(*column, 30)?;
        }
        ws.set_hidden(true);
        ws.protect_with_options(&protection());
        Ok(ws)
    }
}

// ---------------------------------------------------------------------------------------
// The «Отчёт» sheet

/// Builds the form sheet row by row, collecting defined names.
struct FormSheet<'a> {
    ws: Worksheet,
    row: u32,
    styles: &'a Styles,
    names: &'a mut Vec<(String, String)>,
    /// Values to enter (synthetic returns); `None` for a blank form.
    fill: Option<&'a Fill>,
}

impl FormSheet<'_> {
    /// A line of text across columns B–E (merged), with a height fitting the text.
    fn wide(&mut self, text: &str, format: &Format) -> Result<()> {
        let width: f64 = FORM_WIDTHS[1..].iter().sum();
        self.ws.merge_range(self.row, col::NUMBER, self.row, col::VALUE, text, format)?;
        self.height(&[(text, width, self.styles.is_bold(format))])?;
        self.row += 1;
        Ok(())
    }

    fn blank(&mut self) {
        self.row += 1;
    }

    /// Set the current row's height from the texts in it: (text, column width, bold).
    fn height(&mut self, cells: &[(&str, f64, bool)]) -> Result<()> {
        let lines = cells.iter().map(|(t, w, b)| text_lines(t, *w, *b)).max().unwrap_or(1);
        self.ws.set_row_height(self.row, row_height(lines))?;
        Ok(())
    }

    /// Name the value cell of the current row.
    fn name_value_cell(&mut self, code: &str) {
        let target = format!("='{FORM_SHEET}'!${}${}", column_letter(col::VALUE), self.row + 1);
        self.names.push((field_name(code), target));
    }

    /// A profile field prefilled from an earlier campaign: the cell's input message says
    /// where the value comes from and asks to check it.
    fn field_from(
        &mut self,
        campaign: &Campaign,
        lists: &Lists,
        f: &Field,
        value: f64,
        from: &str,
    ) -> Result<()> {
        let why = format!(
            "Значение перенесено из отчёта школы за {from}: проверьте и при необходимости исправьте."
        );
        self.field_with(campaign, lists, "", f, Some(value), &why)
    }

    /// A field row: code, item number, label, unit, input cell with validation.
    fn field(
        &mut self,
        campaign: &Campaign,
        lists: &Lists,
        number: &str,
        f: &Field,
        prefill: Option<f64>,
    ) -> Result<()> {
        self.field_with(
            campaign,
            lists,
            number,
            f,
            prefill,
            "Значение взято из реестра школ: проверьте и при необходимости исправьте.",
        )
    }

    fn field_with(
        &mut self,
        campaign: &Campaign,
        lists: &Lists,
        number: &str,
        f: &Field,
        prefill: Option<f64>,
        why: &str,
    ) -> Result<()> {
        let s = self.styles;
        let label = campaign.text(&f.label);
        let r = self.row;
        self.ws.write_string_with_format(r, col::CODE, &f.code, &s.code)?;
        self.ws.write_string_with_format(r, col::NUMBER, number, &s.label)?;
        self.ws.write_string_with_format(r, col::LABEL, &label, &s.label)?;
        self.ws.write_string_with_format(r, col::UNIT, &f.unit, &s.unit)?;
        let input = s.input(f.kind);
        match (self.fill.map(|x| x.values.get(&f.code)), prefill) {
            (Some(Some(v)), _) => write_fill(&mut self.ws, r, col::VALUE, v, input)?,
            (Some(None), _) => {
                self.ws.write_blank(r, col::VALUE, input)?;
            }
            (None, Some(v)) => {
                self.ws.write_number_with_format(r, col::VALUE, v, input)?;
            }
            (None, None) => {
                self.ws.write_blank(r, col::VALUE, input)?;
            }
        };
        let mut dv = validation(campaign.plan, lists, f, &label)?;
        if prefill.is_some() {
            dv = dv.set_input_message(clip_utf16(&format!("{why} {}", rule_text(f)), 255))?;
        }
        self.ws.add_data_validation(r, col::VALUE, r, col::VALUE, &dv)?;
        let value_lines = if f.kind == Kind::Text { 2 } else { 1 };
        let lines = text_lines(&label, FORM_WIDTHS[2], false).max(value_lines);
        self.ws.set_row_height(r, row_height(lines))?;
        self.name_value_cell(&f.code);
        self.row += 1;
        Ok(())
    }

    /// A share row: a live formula over the numerator's and denominator's names, with its
    /// value cached for readers that do not recalculate.
    fn share(&mut self, campaign: &Campaign, number: &str, sh: &Share) -> Result<()> {
        let s = self.styles;
        let label = format!("{} (рассчитывается автоматически)", campaign.text(&sh.label));
        let r = self.row;
        let formula = share_formula(campaign.plan, sh)?;
        self.ws.write_string_with_format(r, col::CODE, &sh.code, &s.code)?;
        self.ws.write_string_with_format(r, col::NUMBER, number, &s.label)?;
        self.ws.write_string_with_format(r, col::LABEL, &label, &s.label)?;
        self.ws.write_string_with_format(r, col::UNIT, "%", &s.unit)?;
        // The form is issued blank, so the share has no value yet: cache "" (what the
        // formula shows while its numerator is blank), not a misleading 0 %.
        let cached = self.fill.and_then(|x| share_value(sh, x)).map(|v| v.to_string());
        self.ws.write_formula_with_format(
            r,
            col::VALUE,
            Formula::new(formula).set_result(cached.unwrap_or_default()),
            &s.share,
        )?;
        self.height(&[(&label, FORM_WIDTHS[2], false)])?;
        self.name_value_cell(&sh.code);
        self.row += 1;
        Ok(())
    }
}

// The sheet needs all of these; the school's contacts and carried values are its two
// optional parts.
#[allow(clippy::too_many_arguments)]
fn form_sheet(
    campaign: &Campaign,
    school: &School,
    styles: &Styles,
    lists: &Lists,
    names: &mut Vec<(String, String)>,
    fill: Option<&Fill>,
    contacts: &Contacts,
    carried: Option<&Carried>,
) -> Result<Worksheet> {
    let plan = campaign.plan;
    let def = campaign.def;
    let mut ws = Worksheet::new();
    ws.set_name(FORM_SHEET)?;
    for (c, w) in FORM_WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_column_hidden(col::CODE)?;
    // An empty cached result must be stored as an empty string; rust_xlsxwriter would
    // otherwise replace it with its default "0", which shows as 0 % in LibreOffice.
    ws.set_formula_result_default("");
    let mut s = FormSheet { ws, row: 0, styles, names, fill };

    // Title block: locked, prefilled.
    s.wide(&plan.title, &styles.title)?;
    if !plan.issuer.is_empty() {
        s.wide(&plan.issuer, &styles.text)?;
    }
    s.wide(&format!("{}, {} учебный год", def.title, campaign.academic_year()), &styles.subtitle)?;
    // Contacts go into existing header rows: the form's rows (and every cell address in
    // messages) do not move when they are set.
    let send_to = match contacts.send_to.as_str() {
        "" => String::new(),
        to => format!("; отправить {to}"),
    };
    s.wide(
        &format!(
            "Срок сдачи: до {} ({}){send_to}",
            ru_date(campaign.deadline),
            ru_date_long(campaign.deadline)
        ),
        &styles.subtitle,
    )?;
    if !def.note.trim().is_empty() {
        s.wide(&campaign.text(&def.note), &styles.note)?;
    }
    s.wide(
        &format!("Образовательная организация: {} (код в реестре: {})", school.name, school.id),
        &styles.subtitle,
    )?;
    let questions =
        contacts.line().map(|c| format!(" Вопросы по заполнению: {c}.")).unwrap_or_default();
    s.wide(
        &format!(
            "Перед заполнением прочитайте лист «Инструкция». Заполняйте только жёлтые \
             ячейки.{questions}"
        ),
        &styles.note,
    )?;
    s.blank();

    // Who filled the form.
    s.wide("Сведения о заполнившем форму", &styles.block)?;
    for (code, label) in META_FIELDS {
        let r = s.row;
        s.ws.write_string_with_format(r, col::CODE, code, &styles.code)?;
        s.ws.write_blank(r, col::NUMBER, &styles.label)?;
        s.ws.write_string_with_format(r, col::LABEL, label, &styles.label)?;
        s.ws.write_blank(r, col::UNIT, &styles.unit)?;
        match fill.and_then(|f| f.values.get(code)) {
            Some(v) => write_fill(&mut s.ws, r, col::VALUE, v, &styles.input_text)?,
            None => {
                s.ws.write_blank(r, col::VALUE, &styles.input_text)?;
            }
        }
        let dv = text_validation(label, META_MAX_CHARS, "")?;
        s.ws.add_data_validation(r, col::VALUE, r, col::VALUE, &dv)?;
        s.name_value_cell(code);
        s.row += 1;
    }
    s.blank();

    // «Общие сведения об ОО»: denominators asked once.
    let profile = campaign.profile_fields();
    if !profile.is_empty() {
        s.wide("Общие сведения об ОО", &styles.block)?;
        let carried_here: Vec<&str> = profile
            .iter()
            .filter(|f| carried.is_some_and(|c| c.values.contains_key(&f.code)))
            .map(|f| f.code.as_str())
            .collect();
        let prefilled = profile.iter().any(|f| school.profile.contains_key(&f.code));
        let note = match carried {
            Some(c) if !carried_here.is_empty() => format!(
                "Заполняются один раз и используются для расчёта долей ниже. Значения \
                 перенесены из принятого отчёта школы за прошлую кампанию ({}): проверьте \
                 их, исправьте, если изменились, и заполните пустые ячейки.",
                c.from
            ),
            _ if prefilled => "Заполняются один раз и используются для расчёта долей ниже. \
                               Значения из реестра школ уже внесены: проверьте их и заполните \
                               пустые ячейки."
                .to_string(),
            _ => "Заполняются один раз и используются для расчёта долей ниже.".to_string(),
        };
        s.wide(&note, &styles.note)?;
        for f in profile {
            let from_campaign = carried
                .and_then(|c| c.values.get(&f.code).copied().map(|v| (v, c.from.as_str())))
                .filter(|(v, _)| v.is_finite());
            match from_campaign {
                Some((v, from)) => s.field_from(campaign, lists, f, v, from)?,
                None => {
                    let prefill = school.profile.get(&f.code).copied().filter(|v| v.is_finite());
                    s.field(campaign, lists, "", f, prefill)?;
                }
            }
        }
        s.blank();
    }

    // One block per item, grouped by section.
    s.wide("Показатели плана", &styles.block)?;
    let mut last_section: Option<String> = None;
    for item in campaign.items() {
        if let Some(section) = plan.section_of(item) {
            if last_section.as_deref() != Some(section.number.as_str()) {
                let r = s.row;
                let title = format!("Раздел {}. {}", section.number, section.title);
                s.ws.merge_range(r, col::NUMBER, r, col::VALUE, &title, &styles.section)?;
                let width: f64 = FORM_WIDTHS[1..].iter().sum();
                s.height(&[(&title, width, true)])?;
                s.row += 1;
                last_section = Some(section.number.clone());
            }
        }
        item_block(&mut s, campaign, lists, item)?;
    }

    let mut ws = s.ws;
    page_setup(&mut ws, school, false);
    ws.protect_with_options(&protection());
    // The form sheet must be the active one: otherwise rust_xlsxwriter may activate (and
    // un-hide) another sheet; see docs/libraries.md.
    ws.set_active(true);
    Ok(ws)
}

fn item_block(s: &mut FormSheet, campaign: &Campaign, lists: &Lists, item: &Item) -> Result<()> {
    let styles = s.styles;
    let r = s.row;
    let text = campaign.text(&item.text);
    s.ws.write_string_with_format(r, col::NUMBER, &item.code, &styles.item_num)?;
    s.ws.merge_range(r, col::LABEL, r, col::VALUE, &text, &styles.item)?;
    let width: f64 = FORM_WIDTHS[2..].iter().sum();
    s.height(&[(&text, width, true)])?;
    s.row += 1;

    if !item.indicator.trim().is_empty() {
        let r = s.row;
        let text = format!("Показатель: {}", campaign.text(&item.indicator));
        s.ws.write_blank(r, col::NUMBER, &styles.indicator)?;
        s.ws.merge_range(r, col::LABEL, r, col::VALUE, &text, &styles.indicator)?;
        s.height(&[(&text, width, false)])?;
        s.row += 1;
    }
    for f in &item.fields {
        s.field(campaign, lists, &item.code, f, None)?;
    }
    for sh in &item.shares {
        s.share(campaign, &item.code, sh)?;
    }
    for t in &item.tables {
        let r = s.row;
        let text = format!("{}: заполните таблицу на листе «{}»", t.title, t.sheet);
        s.ws.write_string_with_format(r, col::CODE, &t.code, &styles.code)?;
        s.ws.write_string_with_format(r, col::NUMBER, &item.code, &styles.label)?;
        s.ws.write_string_with_format(r, col::LABEL, &text, &styles.label)?;
        s.ws.write_blank(r, col::UNIT, &styles.unit)?;
        let url = Url::new(format!("internal:'{}'!A1", t.sheet.replace('\'', "''")))
            .set_text(format!("→ лист «{}»", t.sheet));
        s.ws.write_url_with_format(r, col::VALUE, url, &styles.link)?;
        s.height(&[(&text, FORM_WIDTHS[2], false)])?;
        s.row += 1;
    }
    Ok(())
}

/// Enter a synthetic value: numbers as numbers, text as text (never a formula).
fn write_fill(ws: &mut Worksheet, r: u32, c: u16, v: &FillValue, format: &Format) -> Result<()> {
    match v {
        FillValue::Num(n) => ws.write_number_with_format(r, c, *n, format)?,
        FillValue::Text(t) => ws.write_string_with_format(r, c, t, format)?,
    };
    Ok(())
}

/// The share a filled form shows (cached with its formula), or None while it is blank.
fn share_value(sh: &Share, fill: &Fill) -> Option<f64> {
    let side = |text: &str| -> Option<f64> {
        let e = Expr::parse(text).ok()?;
        let (v, blank) = e.eval(|t| match t {
            Term::Field(c) => match fill.values.get(c) {
                Some(FillValue::Num(n)) => Some(*n),
                _ => None,
            },
            _ => None,
        });
        (!blank).then_some(v)
    };
    let (n, d) = (side(&sh.numerator)?, side(&sh.denominator)?);
    (d > 0.0).then(|| n / d)
}

/// The share's formula: `=IF(AND(COUNT(num fields)=n,den>0),num/den,"")`.
///
/// The share is shown only when every numerator field is filled: blank is not zero, and a
/// 0 % computed from an empty cell would look like a reported figure.
fn share_formula(plan: &Plan, sh: &Share) -> Result<String> {
    let num = Expr::parse(&sh.numerator).map_err(|e| anyhow::anyhow!("{}: {e}", sh.code))?;
    let den = Expr::parse(&sh.denominator).map_err(|e| anyhow::anyhow!("{}: {e}", sh.code))?;
    let num_fields: Vec<String> = num.fields().map(field_name).collect();
    let n = expr_formula(plan, &num);
    let d = expr_formula(plan, &den);
    let cond = if num_fields.is_empty() {
        format!("({d})>0")
    } else {
        format!("AND(COUNT({})={},({d})>0)", num_fields.join(","), num_fields.len())
    };
    Ok(format!("=IF({cond},({n})/({d}),\"\")"))
}

/// An expression as an Excel formula over defined names; `N()` makes a text typed into a
/// cell count as 0 instead of turning the share into #VALUE!.
fn expr_formula(plan: &Plan, e: &Expr) -> String {
    let mut out = String::new();
    for (i, (t, sign)) in e.terms.iter().zip(&e.signs).enumerate() {
        if *sign < 0.0 {
            out.push('-');
        } else if i > 0 {
            out.push('+');
        }
        match t {
            Term::Number(n) => out.push_str(&format!("{n}")),
            Term::Field(c) => out.push_str(&format!("N({})", field_name(c))),
            Term::Sum { table, column } => {
                let k = plan
                    .table(table)
                    .and_then(|(_, t)| t.columns.iter().position(|c| &c.code == column))
                    .map_or(1, |p| p + 1);
                out.push_str(&format!("SUM(INDEX({},0,{k}))", table_name(table)));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Table sheets

// One argument per piece of the sheet; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn table_sheet(
    campaign: &Campaign,
    school: &School,
    item: &Item,
    table: &Table,
    styles: &Styles,
    lists: &Lists,
    names: &mut Vec<(String, String)>,
    fill: &[Vec<Option<FillValue>>],
) -> Result<Worksheet> {
    let plan = campaign.plan;
    let mut ws = Worksheet::new();
    ws.set_name(&table.sheet)?;
    let ncols = table.columns.len() as u16;
    let first = TABLE_FIRST_COL;
    let last = first + ncols.saturating_sub(1);
    let rows = plan.rows_of(table);
    let last_row = table_rows::FIRST_ENTRY + rows - 1;

    let widths: Vec<f64> =
        table.columns.iter().map(|c| c.width.unwrap_or(DEFAULT_COLUMN_WIDTH)).collect();
    ws.set_column_width(0, ROW_NUMBER_WIDTH)?;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(first + i as u16, *w)?;
    }
    let total: f64 = ROW_NUMBER_WIDTH + widths.iter().sum::<f64>();

    // Title.
    let title = format!("{}. {} — {}", item.code, table.title, school.name);
    ws.merge_range(table_rows::TITLE, 0, table_rows::TITLE, last, &title, &styles.title)?;
    ws.set_row_height(table_rows::TITLE, row_height(text_lines(&title, total, true)) + 4.0)?;

    // Hidden row of column codes: the reader matches columns by code, not by position.
    ws.write_string_with_format(table_rows::CODES, 0, "#", &styles.code)?;
    for (i, c) in table.columns.iter().enumerate() {
        ws.write_string_with_format(table_rows::CODES, first + i as u16, &c.code, &styles.code)?;
    }
    ws.set_row_hidden(table_rows::CODES)?;

    // Header.
    ws.write_string_with_format(table_rows::HEADER, 0, "№", &styles.header)?;
    let mut header_lines = 1;
    for (i, c) in table.columns.iter().enumerate() {
        let mut text = campaign.text(&c.label);
        if !c.unit.is_empty() {
            text = format!("{text}, {}", c.unit);
        }
        header_lines = header_lines.max(text_lines(&text, widths[i], true));
        ws.write_string_with_format(table_rows::HEADER, first + i as u16, &text, &styles.header)?;
    }
    ws.set_row_height(table_rows::HEADER, row_height(header_lines))?;

    // Entry rows: numbered, unlocked, typed.
    for r in 0..rows {
        let row = table_rows::FIRST_ENTRY + r;
        ws.write_number_with_format(row, 0, f64::from(r + 1), &styles.row_number)?;
        for (i, c) in table.columns.iter().enumerate() {
            match fill.get(r as usize).and_then(|cells| cells.get(i)).cloned().flatten() {
                Some(v) => write_fill(&mut ws, row, first + i as u16, &v, styles.input(c.kind))?,
                None => {
                    ws.write_blank(row, first + i as u16, styles.input(c.kind))?;
                }
            };
        }
    }
    for (i, c) in table.columns.iter().enumerate() {
        let label = campaign.text(&c.label);
        let dv = validation(plan, lists, c, &label)?;
        let cc = first + i as u16;
        ws.add_data_validation(table_rows::FIRST_ENTRY, cc, last_row, cc, &dv)?;
    }
    names.push((
        table_name(&table.code),
        format!(
            "='{}'!${}${}:${}${}",
            table.sheet.replace('\'', "''"),
            column_letter(first),
            table_rows::FIRST_ENTRY + 1,
            column_letter(last),
            last_row + 1
        ),
    ));

    ws.set_freeze_panes(table_rows::FIRST_ENTRY, 0)?;
    ws.set_repeat_rows(table_rows::TITLE, table_rows::HEADER)?;
    page_setup(&mut ws, school, total > 98.0);
    ws.protect_with_options(&protection());
    Ok(ws)
}

// ---------------------------------------------------------------------------------------
// Instructions

fn instructions_sheet(
    campaign: &Campaign,
    school: &School,
    styles: &Styles,
    contacts: &Contacts,
) -> Result<Worksheet> {
    // Fits portrait A4 without scaling (see FORM_WIDTHS).
    const WIDTH: f64 = 72.0;
    let def = campaign.def;
    let deadline = ru_date(campaign.deadline);
    let mut ws = Worksheet::new();
    ws.set_name(INSTRUCTIONS_SHEET)?;
    ws.set_column_width(0, WIDTH)?;
    let mut row = 0u32;
    let mut put = |ws: &mut Worksheet, text: &str, format: &Format| -> Result<()> {
        ws.write_string_with_format(row, 0, text, format)?;
        ws.set_row_height(row, row_height(text_lines(text, WIDTH, styles.is_bold(format))))?;
        row += 1;
        Ok(())
    };

    put(&mut ws, "Как заполнить и сдать форму отчёта", &styles.title)?;
    put(
        &mut ws,
        &format!(
            "{}, {} учебный год. Срок сдачи — до {} ({}).",
            def.title,
            campaign.academic_year(),
            deadline,
            ru_date_long(campaign.deadline)
        ),
        &styles.subtitle,
    )?;
    put(&mut ws, &format!("Образовательная организация: {}", school.name), &styles.text)?;
    if !def.note.trim().is_empty() {
        put(&mut ws, &campaign.text(&def.note), &styles.note)?;
    }
    put(&mut ws, "", &styles.text)?;

    let fill = [
        "Заполняйте только жёлтые ячейки. Остальные ячейки защищены от изменения.".to_string(),
        format!(
            "Лист «{FORM_SHEET}»: сначала сведения о заполнившем форму (ФИО, должность, телефон), \
             затем общие сведения об ОО, затем показатели по пунктам плана."
        ),
        "Где есть стрелка списка, выберите значение из списка (да/нет, отметка о выполнении, \
         класс, этап, уровень, предмет) — не вводите его вручную другими словами."
            .to_string(),
        "Числа вводите цифрами, без единиц измерения, пробелов и слов: «25», а не «25 чел.». \
         Дробную часть отделяйте запятой."
            .to_string(),
        "Пустая ячейка — это «нет данных», а не ноль. Если значение равно нулю, введите 0. \
         Оставляйте ячейку пустой только если данных действительно нет."
            .to_string(),
        "Одного обучающегося учитывайте один раз, даже если он участвовал в нескольких \
         мероприятиях (если в подсказке к ячейке не сказано иное)."
            .to_string(),
        "Таблицы (списки мероприятий, участников и т. п.) заполняйте на отдельных листах \
         сверху вниз, по одной записи в строке, без пропусков строк. Если строк не хватает, \
         сообщите в отдел образования."
            .to_string(),
        "Подсказка появляется при выборе ячейки; при неверном значении программа сообщит, \
         что ожидается."
            .to_string(),
    ];
    put(&mut ws, "Как заполнять", &styles.heading)?;
    for t in &fill {
        put(&mut ws, &format!("• {t}"), &styles.text)?;
    }
    put(&mut ws, "", &styles.text)?;

    put(&mut ws, "Чего не делать", &styles.heading)?;
    for t in [
        "Не переименовывайте, не удаляйте и не перемещайте листы; не показывайте скрытые листы \
         и не изменяйте их.",
        "Не вставляйте и не удаляйте строки и столбцы, не перемещайте ячейки.",
        "Не копируйте форму другой школы и не заполняйте одну форму за несколько школ: \
         у каждой школы своя форма.",
        "Не вставляйте в ячейки формулы и текст из других программ с форматированием: \
         при вставке проверки значений не срабатывают. Вставляйте только значения.",
    ] {
        put(&mut ws, &format!("• {t}"), &styles.text)?;
    }
    put(&mut ws, "", &styles.text)?;

    put(&mut ws, "Как сдать отчёт", &styles.heading)?;
    for t in [
        "Сохраните файл в формате .xlsx (Excel). В LibreOffice, МойОфис и Р7-Офис при \
         сохранении выберите «Сохранить в формате xlsx» / «Книга Excel 2007–365 (.xlsx)» — \
         не переводите файл в другой формат."
            .to_string(),
        "Имя файла можно не менять. Не защищайте файл паролем.".to_string(),
        format!(
            "Отправьте заполненный файл {} до {deadline} включительно. \
             Отчёт, сохранённый после срока, считается сданным с опозданием.",
            if contacts.send_to.is_empty() {
                "в отдел образования"
            } else {
                &contacts.send_to
            }
        ),
    ] {
        put(&mut ws, &format!("• {t}"), &styles.text)?;
    }
    put(&mut ws, "", &styles.text)?;

    put(&mut ws, "Что собирает эта форма", &styles.heading)?;
    for item in campaign.items() {
        let mut t = format!("{} — {}", item.code, campaign.text(&item.text));
        for table in &item.tables {
            t.push_str(&format!(" (таблица на листе «{}»)", table.sheet));
        }
        put(&mut ws, &format!("• {t}"), &styles.text)?;
    }
    let shares = campaign.shares();
    if !shares.is_empty() {
        put(&mut ws, "", &styles.text)?;
        put(&mut ws, "Что рассчитывается автоматически", &styles.heading)?;
        put(
            &mut ws,
            "Доли (зелёные ячейки) рассчитываются сами из введённых количеств и общих \
             сведений об ОО; вводить проценты не нужно.",
            &styles.text,
        )?;
        for (item, sh) in shares {
            put(&mut ws, &format!("• {} — {}", item.code, campaign.text(&sh.label)), &styles.text)?;
        }
    }
    let issuer = lower_first(&campaign.plan.issuer);
    let questions = match (contacts.line(), issuer.is_empty()) {
        (Some(c), true) => Some(format!("Вопросы по заполнению: {c}.")),
        (Some(c), false) => Some(format!("Вопросы по заполнению — в {issuer}: {c}.")),
        (None, false) => Some(format!("Вопросы по заполнению — в {issuer}.")),
        (None, true) => None,
    };
    if let Some(q) = questions {
        put(&mut ws, "", &styles.text)?;
        put(&mut ws, &q, &styles.note)?;
    }
    page_setup(&mut ws, school, false);
    ws.protect_with_options(&protection());
    Ok(ws)
}

// ---------------------------------------------------------------------------------------
// Identity

fn identity_sheet(rows: &[(&str, String)]) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(IDENTITY_SHEET)?;
    for (i, (key, value)) in rows.iter().enumerate() {
        ws.write_string(i as u32, 0, *key)?;
        ws.write_string(i as u32, 1, value)?;
    }
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 60)?;
    // Very hidden: Excel does not offer it in «Показать». LibreOffice saves it as hidden;
    // the reader accepts both.
    ws.set_very_hidden(true);
    ws.protect_with_options(&protection());
    Ok(ws)
}

// ---------------------------------------------------------------------------------------
// Validation

/// The data validation of an input cell: bounds, dropdowns, Russian prompt and error.
fn validation(plan: &Plan, lists: &Lists, f: &Field, label: &str) -> Result<DataValidation> {
    if f.kind == Kind::Text {
        return text_validation(label, TEXT_MAX_CHARS, &f.hint);
    }
    let dv = match f.kind {
        Kind::Integer => DataValidation::new().allow_whole_number(int_rule(f.min, f.max)),
        Kind::Decimal => DataValidation::new().allow_decimal_number(dec_rule(f.min, f.max)),
        Kind::YesNo | Kind::Choice => lists.validation(plan, f)?,
        Kind::Date => DataValidation::new().allow_date(DataValidationRule::Between(
            ExcelDateTime::from_ymd(1990, 1, 1)?,
            ExcelDateTime::from_ymd(2100, 12, 31)?,
        )),
        Kind::Text => unreachable!("handled above"),
    };
    let message =
        if f.hint.is_empty() { rule_text(f) } else { format!("{} {}", f.hint, rule_text(f)) };
    finish(dv, label, &message, &error_text(f))
}

fn text_validation(label: &str, max: u32, hint: &str) -> Result<DataValidation> {
    let dv = DataValidation::new().allow_text_length(DataValidationRule::LessThanOrEqualTo(max));
    let rule = format!("Текст, не длиннее {max} знаков.");
    let message = if hint.is_empty() { rule } else { format!("{hint} {rule}") };
    finish(dv, label, &message, &format!("Текст слишком длинный: не более {max} знаков."))
}

fn finish(dv: DataValidation, label: &str, message: &str, error: &str) -> Result<DataValidation> {
    Ok(dv
        .set_input_title(clip_utf16(label, 32))?
        .set_input_message(clip_utf16(message, 255))?
        .set_error_title("Неверное значение")?
        .set_error_message(clip_utf16(error, 255))?
        .set_error_style(DataValidationErrorStyle::Stop))
}

fn int_rule(min: Option<f64>, max: Option<f64>) -> DataValidationRule<i32> {
    let lo = min.map(|v| clamp_i32(v.ceil()));
    let hi = max.map(|v| clamp_i32(v.floor()));
    match (lo, hi) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
    }
}

fn dec_rule(min: Option<f64>, max: Option<f64>) -> DataValidationRule<f64> {
    match (min, max) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(-1e15, 1e15),
    }
}

fn clamp_i32(v: f64) -> i32 {
    v.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

/// «от 0 до 5000», «не меньше 1», «» — the bounds in words.
fn bounds_text(f: &Field) -> String {
    match (f.min, f.max) {
        (Some(a), Some(b)) => format!(" от {} до {}", plain_number(a), plain_number(b)),
        (Some(a), None) => format!(" не меньше {}", plain_number(a)),
        (None, Some(b)) => format!(" не больше {}", plain_number(b)),
        (None, None) => String::new(),
    }
}

/// What the cell accepts, for the input prompt.
fn rule_text(f: &Field) -> String {
    let unit = if f.unit.is_empty() { String::new() } else { format!(" ({})", f.unit) };
    match f.kind {
        Kind::Integer => format!(
            "Целое число{}{unit}. Пусто — нет данных; если значение равно нулю, введите 0.",
            bounds_text(f)
        ),
        Kind::Decimal => format!(
            "Число{}{unit}, дробную часть отделяйте запятой. Если значение равно нулю, введите 0.",
            bounds_text(f)
        ),
        Kind::YesNo => "Выберите «да» или «нет» из списка.".into(),
        Kind::Choice => "Выберите значение из списка (стрелка справа от ячейки).".into(),
        Kind::Date => "Дата в виде ДД.ММ.ГГГГ, например 20.12.2025.".into(),
        Kind::Text => format!("Текст, не длиннее {TEXT_MAX_CHARS} знаков."),
    }
}

/// The error shown when a typed value is refused.
fn error_text(f: &Field) -> String {
    match f.kind {
        Kind::Integer => format!(
            "Нужно целое число{} — цифрами, без единиц измерения, пробелов и дробной части.",
            bounds_text(f)
        ),
        Kind::Decimal => {
            format!("Нужно число{} — цифрами, без единиц измерения и пробелов.", bounds_text(f))
        }
        Kind::YesNo => "Выберите «да» или «нет» из списка.".into(),
        Kind::Choice => "Такого значения нет в списке. Выберите значение из списка.".into(),
        Kind::Date => "Нужна дата в виде ДД.ММ.ГГГГ, например 20.12.2025.".into(),
        Kind::Text => format!("Текст слишком длинный: не более {TEXT_MAX_CHARS} знаков."),
    }
}

// ---------------------------------------------------------------------------------------
// Page set-up and protection

/// A4, one page wide, school name in the footer.
fn page_setup(ws: &mut Worksheet, school: &School, landscape: bool) {
    ws.set_paper_size(PAPER_A4);
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    // `&` starts a header/footer code: a literal one is written `&&`.
    let name = clip_utf16(&school.short_name.replace('&', "&&"), 120);
    ws.set_footer(format!("&L{name}&RСтраница &P из &N"));
}

/// Users may select cells and resize rows and columns (a long answer on a small screen),
/// nothing else.
fn protection() -> ProtectionOptions {
    ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers

/// Excel column letters of a form column.
fn column_letter(c: u16) -> String {
    column_letters(u32::from(c))
}

/// Lines a text wraps to in a column `width` characters wide (greedy word wrap).
///
/// An estimate: Excel's width unit is the width of «0», and Cyrillic letters of Calibri
/// are about as wide on average; bold text is ~10 % wider. It errs on the generous side.
fn text_lines(text: &str, width: f64, bold: bool) -> u32 {
    let per_line = ((width - 1.0) * if bold { 0.9 } else { 1.0 }).max(4.0) as usize;
    let mut lines = 0u32;
    for para in text.split('\n') {
        let mut current = 0usize;
        let mut para_lines = 1u32;
        for word in para.split_whitespace() {
            let w = word.chars().count();
            if current == 0 {
                current = w;
            } else if current + 1 + w <= per_line {
                current += 1 + w;
            } else {
                para_lines += 1;
                current = w;
            }
            while current > per_line {
                para_lines += 1;
                current -= per_line;
            }
        }
        lines += para_lines;
    }
    lines.max(1)
}

fn row_height(lines: u32) -> f64 {
    f64::from(lines) * LINE_HEIGHT + 2.0
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
            profile: BTreeMap::from([("oo_students_6_11".to_string(), 412.0)]),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        }
    }

    #[test]
    fn share_formulas_use_names() {
        let plan = Plan::default_plan();
        let item = plan.item("4.1").unwrap();
        let f = share_formula(&plan, &item.shares[0]).unwrap();
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
