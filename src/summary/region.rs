//! The regional summary workbook (`profplan region`). Sheets:
//!
//! - «Свод по области» — a row per district of the registry and the region's row: every
//!   numeric indicator of the campaign; for shares Σ numerators, Σ denominators and the
//!   percentage as a live formula over them (the region's from the summed numerators and
//!   denominators, never an average of the districts' percentages). Row 6 holds the
//!   indicators' codes, for programs that read the sheet;
//! - «Районы» — completeness per district: schools expected, accepted, late, in the
//!   figures; the file taken; contacts from the registry of districts;
//! - «Данные» — every school value of every district taken (tables as their column sums);
//! - «Источники» — every file of the folder, its SHA-256 and what became of it.

use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

use super::figures::ViewFigures;
use super::style::Styles;
use super::{
    banner, campaign_properties, campaign_title, column_head, column_width, formula, header_cells,
    num, ratio_formula,
};
use super::{text, widths, PT_NOTE, PT_SUBTITLE, PT_TITLE};
use crate::check::values::CheckedValue;
use crate::plan::campaign::Campaign;
use crate::plan::{Item, Table, View};
use crate::region::{district_value, indicators, region_value, Completeness, Indicator};
use crate::region::{Measure, Outcome, Received, Region, Value};

pub const SHEET_REGION: &str = "Свод по области";
pub const SHEET_DISTRICTS: &str = "Районы";
pub const SHEET_REGION_DATA: &str = "Данные";
pub const SHEET_REGION_SOURCES: &str = "Источники";
/// Custom property marking a regional summary.
pub const REGION_MARKER: &str = "region";

/// Rows of «Свод по области»: labels, then codes, then districts.
pub const REGION_HEADER_ROW: u32 = 4;
pub const REGION_CODE_ROW: u32 = 5;

/// Write the regional summary; `generated` dates it (and fixes the bytes).
pub fn write_region(
    c: &Campaign,
    region: &Region,
    generated: chrono::NaiveDate,
) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context as _;
    let st = Styles::new();
    let mut wb = Workbook::new();
    RegionBook { c, region, st: &st, generated }
        .write(&mut wb)
        .context("свод по области: ошибка при формировании")?;
    let title = campaign_title("Свод по области", c);
    wb.set_properties(
        &campaign_properties(DocProperties::new(), c, REGION_MARKER, title, generated)?
            .set_custom_property(super::PROP_GENERATED, generated.to_string().as_str()),
    );
    wb.save_to_buffer().context("свод по области: ошибка при сохранении")
}

/// A4 landscape, header rows repeated; one page wide unless `wide` (the districts × indicators
/// table: fitted to one page it would be unreadable, so it runs across pages with the
/// district columns repeated on each).
fn page(ws: &mut Worksheet, c: &Campaign, repeat: u32, wide: bool) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    if wide {
        ws.set_print_scale(75);
        ws.set_repeat_columns(0, 1)?;
    } else {
        ws.set_print_fit_to_pages(1, 0);
    }
    // The wide table repeats its header rows only (the title would crowd every page).
    let first = if wide { REGION_HEADER_ROW } else { 0 };
    ws.set_repeat_rows(first, repeat)?;
    let footer = format!("Свод по области: {}, срок {}", c.def.title, super::ru(c.deadline))
        .replace('&', "&&");
    ws.set_footer(format!("&L&8{footer}&R&8Лист «&A», страница &P из &N"));
    Ok(())
}

/// What every sheet of the regional summary is written from.
#[derive(Clone, Copy)]
struct RegionBook<'a> {
    c: &'a Campaign<'a>,
    region: &'a Region,
    st: &'a Styles,
    /// The date of the summary.
    generated: chrono::NaiveDate,
}

impl RegionBook<'_> {
    /// Every sheet, in order; the first one opens.
    fn write(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        self.write_region_sheet(wb)?;
        self.write_districts(wb)?;
        self.write_tables(wb)?;
        self.write_data(wb)?;
        self.write_sources(wb)?;
        wb.worksheet_from_index(0)?.set_active(true);
        Ok(())
    }

    /// «Свод по области»: a row per district of the registry, then the region's row.
    fn write_region_sheet(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let RegionBook { c, region, st, .. } = *self;
        let inds = indicators(c);
        let ws = super::new_sheet(wb, SHEET_REGION)?;
        let mut w: Vec<f64> = vec![10.0, 26.0];
        for ind in &inds {
            match ind.measure {
                Measure::Share(_) => w.extend([11.0, 11.0, 10.0]),
                _ => w.push(12.0),
            }
        }
        widths(ws, &w)?;
        self.region_banners(ws, &w[..w.len().min(10)])?;
        let (heads, codes) = indicator_heads(&inds);
        let h: Vec<&str> = heads.iter().map(String::as_str).collect();
        header_cells(ws, st, REGION_HEADER_ROW, &h, &w)?;
        for (i, code) in codes.iter().enumerate() {
            text(ws, REGION_CODE_ROW, i as u16, code, &st.mono)?;
        }
        let first = REGION_CODE_ROW + 1;
        let mut r = first;
        for (d, rec) in &region.districts {
            text(ws, r, 0, &d.code, &st.text_center)?;
            text(ws, r, 1, &d.name, &st.text)?;
            let mut col = 2u16;
            for ind in &inds {
                let v = rec.as_ref().and_then(|x| district_value(&x.data, &ind.measure));
                col = write_value(ws, st, r, col, &ind.measure, v, false)?;
            }
            if rec.is_none() {
                // Say it in the row too: a blank row is not a district with zeros.
                text(ws, r, 2, "нет свода", &st.status_bad)?;
            }
            r += 1;
        }
        self.write_region_totals(ws, &inds, first, r)?;
        ws.set_freeze_panes(REGION_CODE_ROW + 1, 2)?;
        page(ws, c, REGION_CODE_ROW, true)
    }

    /// The three lines over «Свод по области» (over the columns `head`): the title, the
    /// campaign and date, which districts' summaries came and how the region's figures are made.
    fn region_banners(&self, ws: &mut Worksheet, head: &[f64]) -> Result<(), XlsxError> {
        let RegionBook { c, region, st, generated } = *self;
        banner(ws, 0, head, &campaign_title("Свод по области", c), &st.title, PT_TITLE)?;
        banner(
            ws,
            1,
            head,
            &format!(
                "{}. Срок {}; свод от {}. Версия плана {}.",
                c.plan.title,
                super::ru(c.deadline),
                super::ru(generated),
                c.plan.version
            ),
            &st.subtitle,
            PT_SUBTITLE,
        )?;
        let missing = region.district_names(false);
        let mut line = format!(
            "Получены своды {} из {} районов",
            region.district_names(true).len(),
            region.districts.len()
        );
        if !missing.is_empty() {
            line.push_str(&format!("; нет свода: {}", missing.join(", ")));
        }
        line.push_str(
            ". Суммы — по районам; доли — Σ числителей / Σ знаменателей районов (не среднее \
             процентов). Полнота по районам — лист «Районы», файлы — «Источники».",
        );
        banner(ws, 2, head, &line, &st.note, PT_NOTE)
    }

    /// «Итого по области» in row `r`, under the district rows `first..r`: each indicator's
    /// region figure; sums as live formulas over the districts' cells, with the computed value.
    fn write_region_totals(
        &self,
        ws: &mut Worksheet,
        inds: &[Indicator],
        first: u32,
        r: u32,
    ) -> Result<(), XlsxError> {
        let RegionBook { region, st, .. } = *self;
        text(ws, r, 0, "", &st.total_text)?;
        text(ws, r, 1, "Итого по области", &st.total_text)?;
        let mut col = 2u16;
        for ind in inds {
            let vals: Vec<Option<Value>> = region
                .districts
                .iter()
                .map(|(_, rec)| rec.as_ref().and_then(|x| district_value(&x.data, &ind.measure)))
                .collect();
            let total = region_value(&vals);
            let c0 = col;
            col = write_value(ws, st, r, col, &ind.measure, total, true)?;
            if first < r {
                for k in c0..col {
                    let is_pct = matches!(ind.measure, Measure::Share(_)) && k == col - 1;
                    if is_pct {
                        continue;
                    }
                    let cached = match (total, &ind.measure, k - c0) {
                        (Some(Value::Share { num, .. }), _, 0) => Some(num),
                        (Some(Value::Share { den, .. }), _, 1) => Some(den),
                        (Some(Value::Sum(s)), _, _) => Some(s),
                        _ => None,
                    };
                    if let Some(v) = cached {
                        let f =
                            format!("=SUM({}:{})", super::cell(first, k), super::cell(r - 1, k));
                        formula(ws, r, k, &f, Some(v), &st.total_int)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// «Районы»: per district the summary taken, its completeness and the district's contacts.
    fn write_districts(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let RegionBook { c, region, st, .. } = *self;
        let ws = super::new_sheet(wb, SHEET_DISTRICTS)?;
        widths(ws, &DISTRICTS_W)?;
        banner(ws, 0, &DISTRICTS_W, "Полнота по районам", &st.title, PT_TITLE)?;
        let heads = [
            "Код района",
            "Район",
            "Свод",
            "Файл",
            "Свод от",
            "ОО в реестре района",
            "Принято отчётов",
            "С опозданием",
            "ОО в показателях",
            "Принято, %",
            "Ответственный",
            "E-mail",
            "Телефон",
        ];
        header_cells(ws, st, 2, &heads, &DISTRICTS_W)?;
        let first = 3u32;
        let mut r = first;
        for (d, rec) in &region.districts {
            text(ws, r, 0, &d.code, &st.text_center)?;
            text(ws, r, 1, &d.name, &st.text)?;
            match rec {
                Some(x) => write_received(ws, st, r, x)?,
                None => {
                    text(ws, r, 2, "нет свода", &st.status_bad)?;
                    for col in 3..10 {
                        text(ws, r, col, "", &st.text)?;
                    }
                }
            }
            text(ws, r, 10, &d.contact_person, &st.text)?;
            text(ws, r, 11, &d.email, &st.text)?;
            text(ws, r, 12, &d.phone, &st.text)?;
            r += 1;
        }
        self.write_completeness_totals(ws, first, r)?;
        ws.set_freeze_panes(3, 2)?;
        page(ws, c, 2, false)
    }

    /// «Итого по области» of «Районы» in row `r`, under the district rows from `first`.
    fn write_completeness_totals(
        &self,
        ws: &mut Worksheet,
        first: u32,
        r: u32,
    ) -> Result<(), XlsxError> {
        let RegionBook { region, st, .. } = *self;
        text(ws, r, 1, "Итого по области", &st.total_text)?;
        let sum = |k: fn(&Completeness) -> usize| -> f64 {
            region
                .districts
                .iter()
                .filter_map(|(_, x)| x.as_ref())
                .map(|x| k(&x.completeness) as f64)
                .sum()
        };
        let totals =
            [sum(|k| k.expected), sum(|k| k.accepted), sum(|k| k.late), sum(|k| k.in_figures)];
        for (i, v) in totals.iter().enumerate() {
            let col = 5 + i as u16;
            let f = format!(
                "=SUM({}:{})",
                super::cell(first, col),
                super::cell(r.max(first + 1) - 1, col)
            );
            formula(ws, r, col, &f, Some(*v), &st.total_int)?;
        }
        let share = (totals[0] > 0.0).then(|| totals[1] / totals[0]);
        formula(
            ws,
            r,
            9,
            &ratio_formula(&super::cell(r, 6), &super::cell(r, 5)),
            share,
            &st.total_pct,
        )
    }

    /// «Данные»: every school value of every district taken, a row each (tables as their
    /// column sums).
    fn write_data(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let RegionBook { c, region, st, .. } = *self;
        let ws = super::new_long_sheet(wb, SHEET_REGION_DATA)?;
        widths(ws, &[10.0, 24.0, 8.0, 30.0, 22.0, 14.0])?;
        let heads = ["Код района", "Район", "Код ОО", "ОО", "Код", "Значение"];
        for (i, h) in heads.iter().enumerate() {
            text(ws, 0, i as u16, h, &st.header)?;
        }
        let mut r = 1u32;
        for (d, rec) in &region.districts {
            let Some(x) = rec else { continue };
            for (school, name) in x.data.rows.schools() {
                let mut rows: Vec<(&str, Option<f64>, Option<&str>)> = Vec::new();
                for (code, v) in x.data.rows.values_of(school) {
                    rows.push((code, v.num(), v.text()));
                }
                for (code, v) in x.data.rows.table_sums_of(school) {
                    rows.push((code, Some(v), None));
                }
                for (code, n, t) in rows {
                    text(ws, r, 0, &d.code, &st.plain)?;
                    text(ws, r, 1, &d.name, &st.plain)?;
                    text(ws, r, 2, school, &st.plain)?;
                    text(ws, r, 3, name, &st.plain)?;
                    text(ws, r, 4, code, &st.plain)?;
                    match (n, t) {
                        (Some(n), _) => num(ws, r, 5, n, st.number(n))?,
                        (None, Some(t)) => text(ws, r, 5, t, &st.plain)?,
                        _ => {}
                    }
                    r += 1;
                }
            }
        }
        ws.autofilter(0, 0, r.max(2) - 1, 5)?;
        ws.set_freeze_panes(1, 0)?;
        page(ws, c, 0, false)?;
        // A working sheet (pivot tables, audit), as in a district's summary: hidden, so it is
        // left out when the summary is printed or exported to PDF (it ran to 17 of 27 pages
        // for two districts of 20 schools).
        ws.set_hidden(true);
        Ok(())
    }

    /// «Источники»: every file of the folder, what became of it and its SHA-256.
    fn write_sources(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let RegionBook { c, region, st, .. } = *self;
        let ws = super::new_sheet(wb, SHEET_REGION_SOURCES)?;
        const WS: [f64; 7] = [30.0, 10.0, 12.0, 14.0, 24.0, 60.0, 66.0];
        widths(ws, &WS)?;
        let heads = ["Файл", "Район", "Свод от", "Размер, байт", "Итог", "Причина", "SHA-256"];
        header_cells(ws, st, 0, &heads, &WS)?;
        for (i, s) in region.sources.iter().enumerate() {
            let r = i as u32 + 1;
            text(ws, r, 0, &s.path, &st.text)?;
            text(ws, r, 1, s.district.as_deref().unwrap_or(""), &st.text_center)?;
            text(ws, r, 2, &ru_date_text(s.generated.as_deref()), &st.text_center)?;
            num(ws, r, 3, s.size as f64, &st.int)?;
            let f = match s.outcome {
                Outcome::Accepted => &st.status_good,
                Outcome::Superseded | Outcome::Skipped => &st.status_late,
                Outcome::Refused => &st.status_bad,
            };
            text(ws, r, 4, s.outcome.ru(), f)?;
            text(ws, r, 5, &s.reason, &st.text)?;
            text(ws, r, 6, &s.sha256, &st.mono)?;
        }
        ws.set_freeze_panes(1, 0)?;
        page(ws, c, 0, false)
    }

    /// «Т …» and «Вид …» of every detail table of the campaign: the districts' rows merged,
    /// the district named on every row, and the plan's views over the region's rows.
    fn write_tables(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let RegionBook { c, region, .. } = *self;
        let mut names = super::SheetNames::default();
        for n in [SHEET_REGION, SHEET_DISTRICTS, SHEET_REGION_DATA, SHEET_REGION_SOURCES] {
            names.take(n);
        }
        let views = region.views(c);
        for (item, t) in c.tables() {
            let rows_name = names.take(&format!("Т {}", t.sheet));
            let views_name = (!t.views.is_empty()).then(|| names.take(&format!("Вид {}", t.sheet)));
            self.write_table_rows(wb, &rows_name, item, t)?;
            if let Some(views_name) = views_name {
                self.write_table_views(wb, &views_name, item, t, &views)?;
            }
        }
        Ok(())
    }

    /// «Т …»: every row of a detail table in every district taken, with district and school.
    fn write_table_rows(
        &self,
        wb: &mut Workbook,
        name: &str,
        item: &Item,
        t: &Table,
    ) -> Result<(), XlsxError> {
        let RegionBook { c, region, st, .. } = *self;
        let rows = region.table_rows(&t.code);
        let ws = super::new_long_sheet(wb, name)?;
        let mut w = vec![10.0, 22.0, 8.0, 30.0];
        w.extend(t.columns.iter().map(column_width));
        widths(ws, &w)?;
        let title = format!("{}. {} — по области", item.code, c.text(&t.title));
        banner(ws, 0, &w, &title, &st.title, PT_TITLE)?;
        let districts_with: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r.district.code.as_str()).collect();
        banner(
            ws,
            1,
            &w,
            &format!(
                "Строк: {}; таблицу заполнили школы {} из {} районов с принятым сводом. \
                 Строки таблиц школ из листов «Данные» сводов районов; в каждой строке — район \
                 и школа.",
                rows.len(),
                districts_with.len(),
                region.district_names(true).len()
            ),
            &st.note,
            PT_NOTE,
        )?;
        let header = 3u32;
        let mut heads: Vec<String> =
            ["Код района", "Район", "Код ОО", "ОО"].iter().map(|s| s.to_string()).collect();
        heads.extend(t.columns.iter().map(|col| column_head(c, col)));
        let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
        header_cells(ws, st, header, &head_refs, &w)?;
        let mut r = header + 1;
        for row in &rows {
            text(ws, r, 0, &row.district.code, &st.text_center)?;
            text(ws, r, 1, &row.district.name, &st.text)?;
            text(ws, r, 2, row.school_id, &st.text_center)?;
            text(ws, r, 3, row.school, &st.text)?;
            for (k, col) in t.columns.iter().enumerate() {
                let cc = 4 + k as u16;
                match row.values.get(&col.code) {
                    Some(CheckedValue::Num(n)) => num(ws, r, cc, *n, st.number(*n))?,
                    Some(v) => text(ws, r, cc, &v.display(), &st.text)?,
                    None => text(ws, r, cc, "", &st.text)?,
                }
            }
            r += 1;
        }
        if rows.is_empty() {
            text(ws, r, 0, "Строк нет: таблицу не заполнила ни одна школа.", &st.note)?;
            r += 1;
        }
        ws.autofilter(header, 0, r.max(header + 2) - 1, (w.len() - 1) as u16)?;
        ws.set_freeze_panes(header + 1, 2)?;
        page(ws, c, header, false)
    }

    /// «Вид …»: the plan's views of a detail table over the rows of every district taken.
    fn write_table_views(
        &self,
        wb: &mut Workbook,
        name: &str,
        item: &Item,
        t: &Table,
        views: &[ViewFigures],
    ) -> Result<(), XlsxError> {
        let RegionBook { c, st, .. } = *self;
        let ws = super::new_sheet(wb, name)?;
        widths(ws, &VIEWS_W)?;
        let title = format!("{}. {} — по области", item.code, c.text(&t.title));
        banner(ws, 0, &VIEWS_W, &title, &st.title, PT_TITLE)?;
        banner(
            ws,
            1,
            &VIEWS_W,
            "Виды таблицы по плану, посчитанные по строкам школ всех принятых сводов районов \
             (лист строк рядом).",
            &st.note,
            PT_NOTE,
        )?;
        let mut r = 3u32;
        // `summary::figures` emits a table's views in the plan's order.
        for (def, v) in t.views.iter().zip(views.iter().filter(|v| v.table == t.code)) {
            r = write_view(ws, st, r, def, v)?;
        }
        page(ws, c, 0, false)
    }
}

/// The labels of the header row and the codes of the code row: a column per indicator,
/// three per share (numerator, denominator, percentage).
fn indicator_heads(inds: &[Indicator]) -> (Vec<String>, Vec<String>) {
    let mut heads: Vec<String> = vec!["Код района".into(), "Район".into()];
    let mut codes: Vec<String> = vec![String::new(), String::new()];
    for ind in inds {
        let base = format!("{} {}", ind.item, super::short_label(&ind.label, 70));
        match ind.measure {
            Measure::Share(_) => {
                heads.push(format!("{base}: числитель"));
                heads.push(format!("{base}: знаменатель"));
                heads.push(format!("{base}, %"));
                codes.push(format!("{}:числитель", ind.code));
                codes.push(format!("{}:знаменатель", ind.code));
                codes.push(ind.code.clone());
            }
            _ => {
                let unit =
                    if ind.unit.is_empty() { String::new() } else { format!(", {}", ind.unit) };
                heads.push(format!("{base}{unit}"));
                codes.push(ind.code.clone());
            }
        }
    }
    (heads, codes)
}

/// Columns of «Районы».
const DISTRICTS_W: [f64; 13] =
    [10.0, 26.0, 14.0, 28.0, 12.0, 11.0, 11.0, 11.0, 11.0, 11.0, 26.0, 24.0, 18.0];

/// Columns 2–9 of a district's row of «Районы» whose summary was taken: the file, its
/// date and its completeness.
fn write_received(ws: &mut Worksheet, st: &Styles, r: u32, x: &Received) -> Result<(), XlsxError> {
    text(ws, r, 2, "получен", &st.status_good)?;
    text(ws, r, 3, &x.file, &st.text)?;
    text(ws, r, 4, &ru_date_text(x.data.generated.as_deref()), &st.text_center)?;
    let k = &x.completeness;
    for (col, v) in [(5u16, k.expected), (6, k.accepted), (7, k.late), (8, k.in_figures)] {
        num(ws, r, col, v as f64, &st.int)?;
    }
    let share = (k.expected > 0).then(|| k.accepted as f64 / k.expected as f64);
    formula(ws, r, 9, &ratio_formula(&super::cell(r, 6), &super::cell(r, 5)), share, &st.pct)
}

/// Columns of «Вид …».
const VIEWS_W: [f64; 8] = [40.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0];

/// One view from row `r`: its title, its header, a row per group and the region's total
/// (not for a ranking). Returns the row after the block and a blank line.
fn write_view(
    ws: &mut Worksheet,
    st: &Styles,
    mut r: u32,
    def: &View,
    v: &ViewFigures,
) -> Result<u32, XlsxError> {
    banner(ws, r, &VIEWS_W, &v.title, &st.section, PT_NOTE)?;
    r += 1;
    let mut heads: Vec<String> = vec![v.rows_label.clone()];
    let keys: Vec<String> =
        if v.columns.is_empty() { vec![String::new()] } else { v.columns.clone() };
    for k in &keys {
        for l in &v.value_labels {
            heads.push(match (k.is_empty(), v.value_labels.len()) {
                (true, _) => l.clone(),
                (false, 1) => k.clone(),
                (false, _) => format!("{k}: {l}"),
            });
        }
    }
    let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    let hw: Vec<f64> = (0..heads.len()).map(|i| if i == 0 { 40.0 } else { 14.0 }).collect();
    header_cells(ws, st, r, &head_refs, &hw)?;
    r += 1;
    let mut totals = vec![0.0; heads.len() - 1];
    for (label, cells) in v.rows.iter().zip(&v.cells) {
        text(ws, r, 0, label, &st.text)?;
        let flat: Vec<f64> = cells.iter().flatten().copied().collect();
        for (k, x) in flat.iter().enumerate() {
            num(ws, r, 1 + k as u16, *x, st.number(*x))?;
            totals[k] += x;
        }
        r += 1;
    }
    if v.rows.is_empty() {
        text(ws, r, 0, "Нет строк для этого вида.", &st.note)?;
        r += 1;
    } else if def.top.is_none() {
        // A ranking shows its first rows only: a total of them would mislead.
        text(ws, r, 0, "Итого по области", &st.total_text)?;
        for (k, x) in totals.iter().enumerate() {
            num(ws, r, 1 + k as u16, *x, st.total_number(*x))?;
        }
        r += 1;
    }
    Ok(r + 1)
}

/// «2025-12-25» → «25.12.2025»; other text as it is.
fn ru_date_text(s: Option<&str>) -> String {
    let s = s.unwrap_or("");
    crate::plan::campaign::parse_date(s).map(super::ru).unwrap_or_else(|| s.to_string())
}

/// Write one indicator's cells of a row from `col`; returns the next column.
fn write_value(
    ws: &mut Worksheet,
    st: &Styles,
    r: u32,
    col: u16,
    m: &Measure,
    v: Option<Value>,
    total: bool,
) -> Result<u16, XlsxError> {
    let (fi, fp) = if total { (&st.total_int, &st.total_pct) } else { (&st.int, &st.pct) };
    match m {
        Measure::Share(_) => {
            match v {
                Some(Value::Share { num: n, den: d }) => {
                    num(ws, r, col, n, fi)?;
                    num(ws, r, col + 1, d, fi)?;
                    let shown = (d > 0.0).then(|| n / d);
                    let f = ratio_formula(&super::cell(r, col), &super::cell(r, col + 1));
                    formula(ws, r, col + 2, &f, shown, fp)?;
                }
                _ => {
                    for k in 0..3 {
                        text(ws, r, col + k, "", &st.text)?;
                    }
                }
            }
            Ok(col + 3)
        }
        _ => {
            match v.and_then(Value::shown) {
                Some(x) if x.fract() == 0.0 => num(ws, r, col, x, fi)?,
                Some(x) => num(ws, r, col, x, if total { &st.total_dec } else { &st.dec })?,
                None => text(ws, r, col, "", &st.text)?,
            }
            Ok(col + 1)
        }
    }
}
