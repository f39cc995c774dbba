//! The district summary workbook (сводный отчёт) that `collect` writes.
//!
//! [`write_summary_to`] turns the campaign, the registry, the check report, the schools'
//! validated values and the district figures into one .xlsx, saved straight into a writer
//! (`collect`: the temporary file beside the summary's place, then renamed into place);
//! [`write_summary`] gives the same bytes in memory (tests). The sheets that grow with the
//! schools are written in constant-memory mode (`new_long_sheet`: rows in order, strings
//! inline). Sheets, in order, and the module that writes each:
//!
//! - «Свод по району» (`district`) — completeness, then every indicator of the campaign
//!   in plan order;
//! - «Сдача отчётов» (`lists`) — the status of every registry school, and files of no
//!   school;
//! - «По школам» (`by_school`) — one row per registry school, one column per field and
//!   share, totals;
//! - «Доли по школам» (`by_school`) — every share per school, lowest first, with a bar
//!   chart;
//! - per detail table (`tables`): «Вид …» (the plan's views, with charts) and «Т …»
//!   (every row);
//! - «Замечания» (`lists`) — every finding;
//! - «Изменения» (`compare`) — per school and indicator, only with `--compare`;
//! - «Данные» (`data`) — the long table, one row per value ([`data`] documents the
//!   format; it is what [`read_previous`] reads back for `--compare`);
//! - «Источники» (`lists`) — every file read.
//!
//! `region` writes the regional workbook of `profplan region` with the same helpers;
//! `note` writes the analytic note (.docx); `style` holds the cell formats.
//!
//! Rules every sheet follows: text that came from schools is written with `write_string`
//! only (a value starting with `=` stays text); every formula carries its computed value
//! (readers that do not recalculate see the right number); widths are explicit (autofit
//! miscounts Cyrillic); every sheet prints on A4 landscape, fit to width, headers
//! repeated; the document date comes from `generated`, so the same input gives the same
//! bytes.

mod by_school;
mod compare;
pub mod data;
mod district;
pub mod figures;
pub mod headline;
mod lists;
pub mod note;
mod previous;
mod region;
mod style;
mod tables;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Formula, Url, Workbook, Worksheet, XlsxError,
};

use crate::check::report::{CheckReport, SchoolStatus};
use std::borrow::Cow;

use crate::check::values::{Head, SchoolData, Schools};
use crate::plan::campaign::Campaign;
use crate::schools::Registry;
use crate::summary::figures::District;

pub use compare::{
    implausible, is_word_document, read_previous, read_previous_bytes, read_previous_head,
    read_summary_bytes, Previous,
};
pub use previous::{Data as PreviousData, Value as PreviousValue};
pub use region::{
    write_region, REGION_CODE_ROW, REGION_HEADER_ROW, SHEET_DISTRICTS, SHEET_REGION,
    SHEET_REGION_DATA, SHEET_REGION_SOURCES,
};

use style::Styles;

/// Sheet names. Tests and `--compare` find sheets by these names.
pub const SHEET_DISTRICT: &str = "Свод по району";
pub const SHEET_RETURNS: &str = "Сдача отчётов";
pub const SHEET_SCHOOLS: &str = "По школам";
pub const SHEET_SHARES: &str = "Доли по школам";
pub const SHEET_FINDINGS: &str = "Замечания";
pub const SHEET_CHANGES: &str = "Изменения";
pub const SHEET_DATA: &str = "Данные";
pub const SHEET_SOURCES: &str = "Источники";

/// Custom document property marking a profplan summary (value [`SUMMARY_MARKER`]).
pub const PROP_KIND: &str = "profplan.kind";
pub const SUMMARY_MARKER: &str = "summary";
pub const PROP_PLAN_ID: &str = "profplan.plan_id";
pub const PROP_PLAN_VERSION: &str = "profplan.plan_version";
pub const PROP_CAMPAIGN: &str = "profplan.campaign";
pub const PROP_CAMPAIGN_TITLE: &str = "profplan.campaign_title";
pub const PROP_GENERATED: &str = "profplan.generated";
/// The check of «Данные» (see `data::check_of`): a summary whose data no longer matches it
/// was edited by hand.
pub const PROP_DATA_CHECK: &str = "profplan.data_check";
/// The district the summary is of (`district` and `district_name` in profplan.toml).
pub const PROP_DISTRICT: &str = "profplan.district";
pub const PROP_DISTRICT_NAME: &str = "profplan.district_name";
/// Completeness: schools in the registry, accepted, late, in the figures.
pub const PROP_SCHOOLS_EXPECTED: &str = "profplan.schools_expected";
pub const PROP_SCHOOLS_ACCEPTED: &str = "profplan.schools_accepted";
pub const PROP_SCHOOLS_LATE: &str = "profplan.schools_late";
pub const PROP_SCHOOLS_IN_FIGURES: &str = "profplan.schools_in_figures";

/// The district a summary is of, for the regional summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistrictMark {
    /// Code in the region's registry of districts.
    pub code: String,
    /// «Тамбовский район».
    pub name: String,
}

/// Everything the summary is built from.
#[derive(Debug, Clone, Copy)]
pub struct SummaryInput<'a> {
    pub campaign: &'a Campaign<'a>,
    pub registry: &'a Registry,
    pub report: &'a CheckReport,
    /// The schools in the figures, registry order; `invalid` marks those taken in with
    /// `--include-invalid`. Their values are read one school at a time (`collect`: from
    /// its spill file), so a sheet goes through them in order, or fetches one by id.
    pub schools: &'a Schools,
    /// `consolidate(campaign, schools)`.
    pub district: &'a District,
    /// Date of the summary: shown on the first sheet and stamped as the document date.
    pub generated: NaiveDate,
    /// A previous summary to compare with (`--compare`).
    pub previous: Option<&'a Previous>,
}

/// The sheets of one detail table.
struct TableSheets {
    table: String,
    /// «Т 1.6 ВсОШ»: every row.
    rows: String,
    /// «Вид 1.6 ВсОШ»: the plan's views; None when the table has none.
    views: Option<String>,
}

/// Lookups shared by the sheet writers.
pub(crate) struct Ctx<'a> {
    input: &'a SummaryInput<'a>,
    status: BTreeMap<&'a str, &'a SchoolStatus>,
    /// The schools in the figures by id: their place in `input.schools`.
    data: BTreeMap<&'a str, usize>,
    tables: Vec<TableSheets>,
    /// Left part of every page footer.
    footer: String,
}

impl<'a> Ctx<'a> {
    fn new(input: &'a SummaryInput<'a>) -> Ctx<'a> {
        let mut names = SheetNames::default();
        for s in [
            SHEET_DISTRICT,
            SHEET_RETURNS,
            SHEET_SCHOOLS,
            SHEET_SHARES,
            SHEET_FINDINGS,
            SHEET_CHANGES,
            SHEET_DATA,
            SHEET_SOURCES,
        ] {
            names.take(s);
        }
        let tables = input
            .campaign
            .tables()
            .into_iter()
            .map(|(_, t)| TableSheets {
                table: t.code.clone(),
                views: (!t.views.is_empty()).then(|| names.take(&format!("Вид {}", t.sheet))),
                rows: names.take(&format!("Т {}", t.sheet)),
            })
            .collect();
        let c = input.campaign;
        Ctx {
            input,
            status: input.report.schools.iter().map(|s| (s.id.as_str(), s)).collect(),
            data: input.schools.heads().enumerate().map(|(i, h)| (h.school_id, i)).collect(),
            tables,
            footer: format!("Сводный отчёт: {}, срок {}", c.def.title, ru(c.deadline)),
        }
    }

    fn campaign(&self) -> &'a Campaign<'a> {
        self.input.campaign
    }

    /// A school in the figures, by id, without its values.
    fn head(&self, id: &str) -> Option<Head<'a>> {
        self.data.get(id).map(|&i| self.input.schools.head(i))
    }

    /// A school in the figures, by id, with its values (read from the spill file).
    fn values(&self, id: &str) -> Result<Option<Cow<'a, SchoolData>>, XlsxError> {
        match self.data.get(id) {
            Some(&i) => Ok(Some(self.input.schools.get(i)?)),
            None => Ok(None),
        }
    }

    /// [`Ctx::values`] read into `scratch` ([`Schools::get_into`]).
    fn values_into<'s>(
        &'s self,
        id: &str,
        scratch: &'s mut Option<SchoolData>,
    ) -> Result<Option<&'s SchoolData>, XlsxError> {
        match self.data.get(id) {
            Some(&i) => Ok(Some(self.input.schools.get_into(i, scratch)?)),
            None => Ok(None),
        }
    }

    /// `f` of every school in the figures with its values, registry order.
    fn each_school(
        &self,
        f: impl FnMut(&SchoolData) -> Result<(), XlsxError>,
    ) -> Result<(), XlsxError> {
        self.input.schools.try_for_each(f)
    }

    /// Short name for narrow columns and charts: the registry's, else the name given.
    fn short_name<'b>(&'b self, id: &str, fallback: &'b str) -> &'b str {
        self.input.registry.get(id).map(|s| s.short_name.as_str()).unwrap_or(fallback)
    }

    fn full_name(&self, id: &str) -> &'a str {
        self.input
            .registry
            .get(id)
            .map(|s| s.name.as_str())
            .or_else(|| self.status.get(id).map(|s| s.name.as_str()))
            .unwrap_or("")
    }

    fn table_sheets(&self, code: &str) -> Option<&TableSheets> {
        self.tables.iter().find(|t| t.table == code)
    }

    /// «Принято N из M ОО; с опозданием K; не сдали L: …; с ошибками: …».
    fn completeness(&self) -> String {
        let schools = &self.input.report.schools;
        let names = |f: &dyn Fn(&SchoolStatus) -> bool| -> Vec<&str> {
            schools.iter().filter(|s| f(s)).map(|s| self.short_name(&s.id, &s.name)).collect()
        };
        let accepted = names(&|s| s.status == crate::check::report::Status::Accepted);
        // Late among the accepted only: a late return with errors is named (and marked
        // late) among those with errors.
        let late = names(&|s| s.late && s.status == crate::check::report::Status::Accepted);
        let missing = names(&|s| s.status == crate::check::report::Status::Missing);
        let expected = names(&|s| s.status == crate::check::report::Status::Expected);
        let invalid: Vec<String> = schools
            .iter()
            .filter(|s| s.status == crate::check::report::Status::Invalid)
            .map(|s| {
                let name = self.short_name(&s.id, &s.name);
                if s.late {
                    format!("{name} (с опозданием)")
                } else {
                    name.to_string()
                }
            })
            .collect();
        let invalid: Vec<&str> = invalid.iter().map(String::as_str).collect();
        let list = |v: &[&str]| {
            if v.is_empty() {
                "0".to_string()
            } else {
                let all = |n: usize| {
                    format!("и ещё {} ОО — все в таблице ниже", crate::ru::int(n as i64))
                };
                format!("{}: {}", v.len(), crate::ru::capped(v, all))
            }
        };
        let mut s = format!("Принято {} из {} ОО", accepted.len(), schools.len());
        s.push_str(&format!("; с опозданием {}", list(&late)));
        s.push_str(&format!("; не сдали {}", list(&missing)));
        if !expected.is_empty() {
            s.push_str(&format!("; ожидаются (срок не наступил) {}", list(&expected)));
        }
        s.push_str(&format!("; с ошибками {}.", list(&invalid)));
        s
    }
}

/// Unique sheet names of at most 31 characters (Excel compares them case-insensitively).
#[derive(Default)]
pub(crate) struct SheetNames {
    used: BTreeSet<String>,
}

impl SheetNames {
    pub(crate) fn take(&mut self, base: &str) -> String {
        let clean: String =
            base.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).collect();
        let clean = clean.trim_matches('\'').to_string();
        let mut n = 1;
        loop {
            let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
            let room = 31 - suffix.chars().count();
            let name: String =
                clean.chars().take(room).collect::<String>().trim_end().to_string() + &suffix;
            if self.used.insert(name.to_lowercase()) {
                return name;
            }
            n += 1;
        }
    }
}

/// Write the summary workbook; returns its bytes.
pub fn write_summary(input: &SummaryInput) -> anyhow::Result<Vec<u8>> {
    write_summary_of(input, None)
}

/// [`write_summary`], marking the summary as the district's (for the regional summary).
pub fn write_summary_of(
    input: &SummaryInput,
    district: Option<&DistrictMark>,
) -> anyhow::Result<Vec<u8>> {
    workbook(input, district)?
        .save_to_buffer()
        .context("сводный отчёт: ошибка при сохранении книги")
}

/// [`write_summary_of`] saved straight into `w` (`collect` gives the temporary file beside
/// the summary's place: the workbook's bytes — 54 MB at 10 000 schools — are never held
/// in memory whole). The same bytes as [`write_summary_of`].
pub fn write_summary_to(
    input: &SummaryInput,
    district: Option<&DistrictMark>,
    w: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    workbook(input, district)?
        .save_to_writer(w)
        .context("сводный отчёт: ошибка при сохранении книги")
}

/// The summary workbook, its sheets built (the long ones already in temporary files),
/// ready to save.
fn workbook(input: &SummaryInput, district: Option<&DistrictMark>) -> anyhow::Result<Workbook> {
    let ctx = Ctx::new(input);
    let st = Styles::new();
    let mut wb = Workbook::new();
    // Level-6 deflate of the long sheets was ~15 % of `collect` at 10 000 schools
    // (BENCHMARKS.md); level 1 makes the file somewhat larger, the content is the same.
    wb.set_zip_compression_level(1);
    let check =
        build(&mut wb, &ctx, &st).context("сводный отчёт: ошибка при формировании книги")?;
    wb.set_properties(&properties(&ctx, district, &check)?);
    Ok(wb)
}

/// Build the sheets; gives the data check of «Данные» ([`data::check`]). The rows of
/// «Данные» are written on one thread while the sheets before it are made on the other;
/// the data check (it writes nothing) goes to whichever thread is free first
/// (`--threads 1`: one after the other; the bytes are the same).
fn build(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<String, XlsxError> {
    let mut data = data::start(wb, ctx, st)?;
    let ((filled, check), sheets) = rayon::join(
        || rayon::join(|| data::fill(&mut data, ctx), || data::check(ctx)),
        || -> Result<(), XlsxError> {
            district::write(wb, ctx, st)?;
            lists::write_returns(wb, ctx, st)?;
            by_school::write(wb, ctx, st)?;
            by_school::write_shares(wb, ctx, st)?;
            tables::write(wb, ctx, st)?;
            lists::write_findings(wb, ctx, st)?;
            if let Some(prev) = ctx.input.previous {
                compare::write_changes(wb, ctx, st, prev)?;
            }
            Ok(())
        },
    );
    filled?;
    sheets?;
    let check = check?;
    data::put_back(wb, data);
    lists::write_sources(wb, ctx, st)?;
    // The raw sheets are for work (pivot tables, `--compare`, audit), not for reading on
    // paper: hidden sheets are left out when the workbook is printed or exported to PDF,
    // by Excel and LibreOffice alike. «Формат → Лист → Показать» brings them back.
    for raw in [SHEET_DATA, SHEET_SOURCES] {
        wb.worksheet_from_name(raw)?.set_hidden(true);
    }
    // The first sheet opens: Excel shows whatever sheet is active.
    wb.worksheet_from_index(0)?.set_active(true);
    Ok(check)
}

fn properties(
    ctx: &Ctx,
    district: Option<&DistrictMark>,
    data_check: &str,
) -> anyhow::Result<DocProperties> {
    let input = ctx.input;
    let c = input.campaign;
    let g = input.generated;
    let counts = &input.report.counts;
    let mut p = DocProperties::new();
    if let Some(d) = district {
        p = p
            .set_custom_property(PROP_DISTRICT, d.code.as_str())
            .set_custom_property(PROP_DISTRICT_NAME, d.name.as_str());
    }
    let p = p
        .set_custom_property(PROP_DATA_CHECK, data_check)
        .set_custom_property(PROP_SCHOOLS_EXPECTED, counts.schools.to_string().as_str())
        .set_custom_property(PROP_SCHOOLS_ACCEPTED, counts.accepted.to_string().as_str())
        .set_custom_property(PROP_SCHOOLS_LATE, counts.late.to_string().as_str())
        .set_custom_property(PROP_SCHOOLS_IN_FIGURES, input.schools.len().to_string().as_str());
    Ok(campaign_properties(p, c, SUMMARY_MARKER, campaign_title("Сводный отчёт", c), g)?
        .set_company(c.plan.issuer.clone())
        .set_custom_property(PROP_CAMPAIGN_TITLE, c.def.title.as_str())
        .set_custom_property(PROP_GENERATED, g.format("%Y-%m-%d").to_string().as_str()))
}

/// The document properties of every profplan workbook: `title`, the plan as subject, the
/// author, the creation date `generated` (fixed, so that the bytes depend on the input
/// only), the `kind` of workbook ([`SUMMARY_MARKER`], the region's marker), and the plan
/// and campaign it is of. Returned for the caller to add its own.
fn campaign_properties(
    p: DocProperties,
    c: &Campaign,
    kind: &str,
    title: String,
    generated: NaiveDate,
) -> Result<DocProperties, XlsxError> {
    Ok(p.set_title(title)
        .set_subject(c.plan.title.clone())
        .set_author("profplan")
        .set_creation_datetime(&excel_date(generated)?)
        .set_custom_property(PROP_KIND, kind)
        .set_custom_property(PROP_PLAN_ID, c.plan.id.as_str())
        .set_custom_property(PROP_PLAN_VERSION, c.plan.version.as_str())
        .set_custom_property(PROP_CAMPAIGN, c.id().as_str()))
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the sheet writers.

/// A list sheet: a header row, then a row per entry, filtered and frozen under the header.
struct List {
    header: u32,
    cols: u16,
}

impl List {
    /// The top of a list sheet of columns `w`: its title in row 0, a note in row 1 and,
    /// after a blank row, the header in row 3.
    fn start(
        ws: &mut Worksheet,
        st: &Styles,
        w: &[f64],
        title: &str,
        note: &str,
        heads: &[&str],
    ) -> Result<List, XlsxError> {
        banner(ws, 0, w, title, &st.title, PT_TITLE)?;
        banner(ws, 1, w, note, &st.note, PT_NOTE)?;
        let list = List { header: 3, cols: w.len() as u16 };
        header_cells(ws, st, list.header, heads, w)?;
        Ok(list)
    }

    /// The end of a list whose rows stop before row `r`: when it has none, the note
    /// `empty` = (column, text) says so; then [`List::finish`].
    fn end(
        &self,
        ws: &mut Worksheet,
        ctx: &Ctx,
        st: &Styles,
        mut r: u32,
        empty: (u16, &str),
    ) -> Result<(), XlsxError> {
        if r == self.header + 1 {
            text(ws, r, empty.0, empty.1, &st.note)?;
            r += 1;
        }
        self.finish(ws, ctx, r - 1)
    }

    /// Filter the rows down to `last`, freeze the header, print with the header repeated.
    fn finish(&self, ws: &mut Worksheet, ctx: &Ctx, last: u32) -> Result<(), XlsxError> {
        ws.autofilter(self.header, 0, last.max(self.header), self.cols - 1)?;
        ws.set_freeze_panes(self.header + 1, 0)?;
        print_setup(ws, ctx, Some((self.header, self.header)))
    }
}

/// «{what}: {campaign}, 2025/26 учебный год»: the title of a workbook or of a sheet.
fn campaign_title(what: &str, c: &Campaign) -> String {
    format!("{what}: {}, {} учебный год", c.def.title, c.academic_year())
}

/// A date as Excel holds it; an error for a date it cannot (before 1900 or after 9999).
fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// Excel refuses longer strings; school text is bounded by validation, this is a backstop.
const MAX_CELL_CHARS: usize = 32_767;

/// More characters than a cell holds (no more bytes than that: not counted).
fn too_long(s: &str) -> bool {
    s.len() > MAX_CELL_CHARS && s.chars().count() > MAX_CELL_CHARS
}

/// Write text as text — never as a formula, whatever it starts with.
fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    if too_long(s) {
        let cut: String = s.chars().take(MAX_CELL_CHARS - 1).collect();
        ws.write_string_with_format(row, col, cut + "…", f)?;
    } else {
        ws.write_string_with_format(row, col, s, f)?;
    }
    Ok(())
}

/// [`text`] without a format (empty text: no cell).
fn bare_text(ws: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    if too_long(s) {
        let cut: String = s.chars().take(MAX_CELL_CHARS - 1).collect();
        ws.write_string(row, col, cut + "…")?;
    } else {
        ws.write_string(row, col, s)?;
    }
    Ok(())
}

fn num(ws: &mut Worksheet, row: u32, col: u16, v: f64, f: &Format) -> Result<(), XlsxError> {
    ws.write_number_with_format(row, col, v, f)?;
    Ok(())
}

/// A formula with its cached value (`None`: the formula yields an empty string).
fn formula(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    f: &str,
    cached: Option<f64>,
    fmt: &Format,
) -> Result<(), XlsxError> {
    let result = cached.map(|v| v.to_string()).unwrap_or_default();
    ws.write_formula_with_format(row, col, Formula::new(f).set_result(result), fmt)?;
    Ok(())
}

/// `=IF(den>0,num/den,"")`: a share as a live formula over its numerator and denominator.
fn ratio_formula(num_ref: &str, den_ref: &str) -> String {
    format!("=IF({den_ref}>0,{num_ref}/{den_ref},\"\")")
}

/// A1 address of 0-based (row, col).
fn cell(row: u32, col: u16) -> String {
    crate::text::a1(row, col as u32)
}

/// `'Sheet name'!A1` reference.
fn sheet_ref(sheet: &str, row: u32, col: u16) -> String {
    format!("'{}'!{}", sheet.replace('\'', "''"), cell(row, col))
}

/// A link to cell A1 of another sheet of the summary.
fn sheet_link(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    sheet: &str,
    label: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    let url = Url::new(format!("internal:{}", sheet_ref(sheet, 0, 0))).set_text(label);
    ws.write_url_with_format(row, col, url, f)?;
    Ok(())
}

/// Page setup every sheet shares: A4 landscape, fit to one page wide, header rows repeated.
fn print_setup(ws: &mut Worksheet, ctx: &Ctx, repeat: Option<(u32, u32)>) -> Result<(), XlsxError> {
    page_setup(ws, ctx, repeat)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Page setup of a sheet with charts: a fixed scale instead of «fit to width», because
/// Excel ignores manual page breaks on a sheet printed «fit to» — and the breaks are what
/// keeps every chart whole on one page. `width_px`: the width of the sheet's content.
fn print_setup_scaled(ws: &mut Worksheet, ctx: &Ctx, width_px: f64) -> Result<u16, XlsxError> {
    page_setup(ws, ctx, None)?;
    let scale = print_scale(width_px);
    ws.set_print_scale(scale);
    Ok(scale)
}

fn page_setup(ws: &mut Worksheet, ctx: &Ctx, repeat: Option<(u32, u32)>) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_margins(MARGIN_LR, MARGIN_LR, MARGIN_TB, MARGIN_TB, 0.25, 0.25);
    if let Some((first, last)) = repeat {
        ws.set_repeat_rows(first, last)?;
    }
    // «&» starts a code in headers and footers: double it in our own text.
    let footer = ctx.footer.replace('&', "&&");
    ws.set_footer(format!("&L&8{footer}&R&8Лист «&A», страница &P из &N"));
    Ok(())
}

/// Page margins, inches: left and right, top and bottom.
const MARGIN_LR: f64 = 0.4;
const MARGIN_TB: f64 = 0.55;
/// The printable part of an A4 landscape page, in points (1/72 inch).
const PAGE_W_PT: f64 = 842.0 - 2.0 * MARGIN_LR * 72.0;
const PAGE_H_PT: f64 = 595.0 - 2.0 * MARGIN_TB * 72.0;
/// Screen pixels per point at 100 %: column widths and chart sizes are in pixels.
const PX_PER_PT: f64 = 96.0 / 72.0;

/// Pixels of a column `chars` wide (the default font's digit is 7 px, plus padding).
fn column_px(chars: f64) -> f64 {
    (chars * 7.0 + 5.0).floor()
}

/// LibreOffice on a machine without Calibri (or Carlito) lays columns out in DejaVu Sans,
/// about a quarter wider — and a chart, anchored to cells, widens with its columns. The
/// print scale is computed for that wider layout.
const LAYOUT_SLACK: f64 = 1.3;

/// The print scale (percent, at most 100) that fits `width_px` across the page.
fn print_scale(width_px: f64) -> u16 {
    let fit = PAGE_W_PT * PX_PER_PT / (width_px.max(1.0) * LAYOUT_SLACK) * 100.0;
    (fit.floor() as u16).clamp(10, 100)
}

/// The height of one printed page, in the sheet's pixels, at `scale` percent.
fn page_px(scale: u16) -> f64 {
    PAGE_H_PT * PX_PER_PT * 100.0 / f64::from(scale.max(10))
}

/// A new sheet. A formula whose cached result is an empty string would otherwise be
/// stored with the library's default result, 0 — a share of 0 % where there is none.
fn new_sheet<'w>(wb: &'w mut Workbook, name: &str) -> Result<&'w mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.set_formula_result_default("");
    Ok(ws)
}

/// A new sheet that grows with the number of schools (a row per school, per table row,
/// per finding, per file, per value), in rust_xlsxwriter's constant-memory mode: each row
/// goes to a temporary file as soon as a later row is written, and strings are written in
/// the cell (inline) instead of the shared-string table, so the sheet costs the same memory
/// at 20 and at 40 000 schools. Rows must be written strictly in order: a write to a row
/// before the current one is dropped by the library (with a line on stderr), so every
/// writer of such a sheet finishes a row — cells, height, merges — before the next.
fn new_long_sheet<'w>(wb: &'w mut Workbook, name: &str) -> Result<&'w mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    ws.set_formula_result_default("");
    Ok(ws)
}

/// Set column widths in characters, from column 0.
fn widths(ws: &mut Worksheet, w: &[f64]) -> Result<(), XlsxError> {
    for (i, w) in w.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    Ok(())
}

/// Characters of 10-point text that fit in one line of a cell `width` characters wide
/// (column width counts digits of the default font; Cyrillic letters are about as wide),
/// scaled for other font sizes.
fn chars_per_line(width: f64, pt: f64) -> usize {
    ((width * 1.1 * 10.0 / pt) as usize).max(4)
}

/// Lines a text takes when wrapped at `per` characters, word by word, like a spreadsheet.
fn wrapped_lines(s: &str, per: usize) -> usize {
    s.split('\n')
        .map(|para| {
            let (mut lines, mut cur) = (1, 0usize);
            for word in para.split_whitespace() {
                let len = word.chars().count();
                if cur > 0 && cur + 1 + len > per {
                    lines += 1;
                    cur = 0;
                }
                if cur > 0 {
                    cur += 1;
                }
                // A word longer than the line is broken.
                lines += len.saturating_sub(1) / per;
                cur += len % per.max(1);
            }
            lines
        })
        .sum::<usize>()
        .max(1)
}

/// Neither Excel nor LibreOffice grows rows for wrapped text they did not lay out
/// themselves: set the height of a row from its wrapped cells, `(text, column width)`.
/// `pt`: the font size (bold: a point more).
fn fit_row(ws: &mut Worksheet, row: u32, cells: &[(&str, f64)], pt: f64) -> Result<(), XlsxError> {
    let lines =
        cells.iter().map(|(s, w)| wrapped_lines(s, chars_per_line(*w, pt))).max().unwrap_or(1);
    if lines > 1 {
        ws.set_row_height(row, pt * 1.3 * lines as f64 + 3.0)?;
    }
    Ok(())
}

/// Font size of table cells and of bold headers, for [`fit_row`].
const PT_CELL: f64 = 10.0;
const PT_HEADER: f64 = 11.0;

/// A header row of a list: bold, wrapped, as tall as its longest header.
fn header_cells(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    heads: &[&str],
    w: &[f64],
) -> Result<(), XlsxError> {
    for (i, h) in heads.iter().enumerate() {
        text(ws, row, i as u16, h, &st.header)?;
    }
    let cells: Vec<(&str, f64)> = heads.iter().copied().zip(w.iter().copied()).collect();
    fit_row(ws, row, &cells, PT_HEADER)
}

/// Text across merged columns of widths `w`, its row tall enough for the text (merged
/// cells do not grow by themselves). `pt`: the font size of `f` (bold: a point more).
fn banner(
    ws: &mut Worksheet,
    row: u32,
    w: &[f64],
    s: &str,
    f: &Format,
    pt: f64,
) -> Result<(), XlsxError> {
    let cols = w.len().max(1) as u16;
    if cols > 1 {
        ws.merge_range(row, 0, row, cols - 1, "", f)?;
    }
    text(ws, row, 0, s, f)?;
    let lines = wrapped_lines(s, chars_per_line(w.iter().sum(), pt));
    ws.set_row_height(row, pt * 1.45 * lines as f64 + 2.0)?;
    Ok(())
}

/// The height [`banner`] gives its row, in pixels.
fn banner_px(w: &[f64], s: &str, pt: f64) -> f64 {
    let lines = wrapped_lines(s, chars_per_line(w.iter().sum(), pt));
    (pt * 1.45 * lines as f64 + 2.0) * PX_PER_PT
}

/// Font sizes of the banner styles, for [`banner`].
const PT_TITLE: f64 = 15.5;
const PT_SUBTITLE: f64 = 11.0;
const PT_NOTE: f64 = 9.0;
const PT_SECTION: f64 = 12.0;
const PT_ITEM: f64 = 11.0;

/// A time on the district's clock (the report keeps times with the district's offset),
/// as an Excel date-time.
fn local_time(t: DateTime<FixedOffset>) -> Option<ExcelDateTime> {
    let l = t.naive_local();
    ExcelDateTime::from_ymd(u16::try_from(l.year()).ok()?, l.month() as u8, l.day() as u8)
        .and_then(|d| d.and_hms(l.hour() as u16, l.minute() as u8, l.second() as f64))
        .ok()
}

fn ru(d: NaiveDate) -> String {
    crate::plan::campaign::ru_date(d)
}

/// The header of a detail table's column: its label, then «, unit» when it has one.
fn column_head(c: &Campaign, col: &crate::plan::Field) -> String {
    let label = c.text(&col.label);
    if col.unit.is_empty() {
        label
    } else {
        format!("{label}, {}", col.unit)
    }
}

/// The width of a detail table's column on the summary: the plan's, within bounds.
fn column_width(col: &crate::plan::Field) -> f64 {
    col.width.unwrap_or(16.0).clamp(8.0, 50.0)
}

/// A label cut at a word boundary for narrow headers; the full text is elsewhere.
fn short_label(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_and_unique() {
        let mut n = SheetNames::default();
        assert_eq!(n.take("Т 1.6 ВсОШ"), "Т 1.6 ВсОШ");
        assert_eq!(n.take("т 1.6 всош"), "т 1.6 всош (2)");
        let long = n.take("Вид 10.1 Конкурсы профориентационной направленности");
        assert_eq!(long.chars().count(), 31);
        let again = n.take("Вид 10.1 Конкурсы профориентационной направленности");
        assert!(again.ends_with(" (2)") && again.chars().count() <= 31);
        assert_eq!(n.take("a/b"), "a_b");
    }

    #[test]
    fn short_labels_cut_at_words() {
        assert_eq!(short_label("Количество мероприятий", 40), "Количество мероприятий");
        assert_eq!(
            short_label("Количество обучающихся 6–11 классов, охваченных", 40),
            "Количество обучающихся 6–11 классов…"
        );
    }

    #[test]
    fn wrapping_counts_words() {
        assert_eq!(wrapped_lines("", 10), 1);
        assert_eq!(wrapped_lines("один два три", 12), 1);
        assert_eq!(wrapped_lines("один два три", 8), 2);
        assert_eq!(wrapped_lines("один\nдва", 80), 2);
        assert_eq!(wrapped_lines("оченьдлинноеслово", 5), 4);
    }

    #[test]
    fn ratio_formula_guards_zero() {
        assert_eq!(ratio_formula("E5", "F5"), "=IF(F5>0,E5/F5,\"\")");
    }

    #[test]
    fn local_time_is_the_districts() {
        let d = crate::clock::District::default();
        let t = DateTime::parse_from_rfc3339("2025-12-20T21:30:00Z").unwrap().to_utc();
        let e = local_time(d.local(t)).unwrap();
        assert_eq!(
            e.to_excel(),
            ExcelDateTime::from_ymd(2025, 12, 21).unwrap().and_hms(0, 30, 0).unwrap().to_excel()
        );
    }
}
