//! Detail tables: «Т …» with every row of every school in the figures (school first, the
//! source row last), and «Вид …» with the plan's views of the table — cross tables and
//! rankings with totals, and a chart where the plan asks for one.

use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use super::style::Styles;
use super::*;
use crate::check::values::CheckedValue;
use crate::plan::{Item, Table, View};
use crate::summary::figures::ViewFigures;

/// A detail table of the campaign, the plan item it belongs to, and its sheets.
#[derive(Clone, Copy)]
struct Detail<'a> {
    item: &'a Item,
    table: &'a Table,
    sheets: &'a TableSheets,
}

pub(crate) fn write(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    let c = ctx.campaign();
    for (item, t) in c.tables() {
        let Some(ts) = ctx.table_sheets(&t.code) else { continue };
        let detail = Detail { item, table: t, sheets: ts };
        if let Some(name) = &ts.views {
            let figures: Vec<&ViewFigures> =
                ctx.input.district.views.iter().filter(|v| v.table == t.code).collect();
            // `summary::figures` emits a table's views in the plan's order.
            let views: Vec<(&View, &ViewFigures)> = t.views.iter().zip(figures).collect();
            write_views(wb, ctx, st, detail, name, &views)?;
        }
        write_rows(wb, ctx, st, detail)?;
    }
    Ok(())
}

/// «Т …»: every row of the table of every school in the figures, with the school first
/// and the source (file, sheet and row) last; a totals row of live sums.
fn write_rows(wb: &mut Workbook, ctx: &Ctx, st: &Styles, detail: Detail) -> Result<(), XlsxError> {
    let Detail { item, table: t, sheets: ts } = detail;
    let c = ctx.campaign();
    let ws = super::new_long_sheet(wb, &ts.rows)?;
    let mut w = vec![8.0, 30.0];
    w.extend(t.columns.iter().map(column_width));
    w.extend([24.0, 20.0]);
    widths(ws, &w)?;
    let ncols = w.len() as u16;
    let schools = ctx.input.schools;
    // Counted first (the note above the rows says how many), then written.
    let (mut total_rows, mut with_rows) = (0usize, 0usize);
    ctx.each_school(|s| {
        let n = s.tables.get(&t.code).map(Vec::len).unwrap_or(0);
        total_rows += n;
        with_rows += usize::from(n > 0);
        Ok(())
    })?;

    banner(ws, 0, &w, &format!("{}. {}", item.code, c.text(&t.title)), &st.title, PT_TITLE)?;
    banner(
        ws,
        1,
        &w,
        &format!(
            "Строк: {total_rows}; таблицу заполнили {with_rows} из {} ОО в своде. \
             Последние столбцы — файл школы и строка листа формы, откуда взята строка.",
            schools.len()
        ),
        &st.note,
        PT_NOTE,
    )?;
    let header = 3u32;
    let mut heads: Vec<String> = vec!["Код ОО".into(), "ОО".into()];
    heads.extend(t.columns.iter().map(|col| column_head(c, col)));
    heads.extend(["Файл".into(), "Источник: лист, строка".into()]);
    let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    header_cells(ws, st, header, &head_refs, &w)?;
    let mut r = header + 1;
    // Each numeric column's total, summed over every row in school order.
    let mut sums = vec![crate::summary::figures::SUM_START; t.columns.len()];
    ctx.each_school(|s| {
        let name_fmt = if s.invalid { &st.status_included } else { &st.text };
        let name = if s.invalid {
            format!("{} (отчёт с ошибками)", s.school_name)
        } else {
            s.school_name.clone()
        };
        for row in s.tables.get(&t.code).map(Vec::as_slice).unwrap_or_default() {
            text(ws, r, 0, &s.school_id, &st.text_center)?;
            text(ws, r, 1, &name, name_fmt)?;
            for (j, col) in t.columns.iter().enumerate() {
                let cc = 2 + j as u16;
                match row.values.get(&col.code) {
                    Some(CheckedValue::Num(n)) => {
                        if col.kind.is_numeric() {
                            sums[j] += *n;
                        }
                        num(ws, r, cc, *n, st.number(*n))?
                    }
                    // School text stays text, whatever it starts with.
                    Some(v) => text(ws, r, cc, &v.display(), &st.text)?,
                    None => ws.write_blank(r, cc, &st.text).map(|_| ())?,
                }
            }
            text(ws, r, ncols - 2, &s.file, &st.text)?;
            let source = format!("«{}», строка {}", row.sheet, row.row);
            text(ws, r, ncols - 1, &source, &st.text)?;
            let shown: Vec<String> = t
                .columns
                .iter()
                .map(|col| row.values.get(&col.code).map(CheckedValue::display).unwrap_or_default())
                .collect();
            let mut cells: Vec<(&str, f64)> = vec![(&name, w[1])];
            cells.extend(shown.iter().map(String::as_str).zip(w[2..].iter().copied()));
            cells.push((&s.file, w[w.len() - 2]));
            cells.push((&source, w[w.len() - 1]));
            fit_row(ws, r, &cells, PT_CELL)?;
            r += 1;
        }
        Ok(())
    })?;
    let last = r.saturating_sub(1).max(header);
    if total_rows == 0 {
        text(ws, r, 1, "Ни одна ОО не заполнила таблицу.", &st.note)?;
    } else {
        text(ws, r, 0, "", &st.total_text)?;
        text(ws, r, 1, "Итого", &st.total_text)?;
        for (j, col) in t.columns.iter().enumerate() {
            let cc = 2 + j as u16;
            if col.kind.is_numeric() {
                let sum = sums[j];
                let f = format!("=SUM({}:{})", cell(header + 1, cc), cell(last, cc));
                formula(ws, r, cc, &f, Some(sum), st.total_number(sum))?;
            } else {
                text(ws, r, cc, "", &st.total_text)?;
            }
        }
        text(ws, r, ncols - 2, "", &st.total_text)?;
        text(ws, r, ncols - 1, "", &st.total_text)?;
    }
    ws.autofilter(header, 0, last, ncols - 1)?;
    ws.set_freeze_panes(header + 1, 2)?;
    print_setup(ws, ctx, Some((header, header)))?;
    Ok(())
}

/// Header texts and cell values of a view, flattened: (column key × value) per row.
fn view_headers(v: &ViewFigures) -> Vec<String> {
    if v.columns.is_empty() {
        return v.value_labels.clone();
    }
    let mut h = Vec::new();
    for ck in &v.columns {
        for vl in &v.value_labels {
            h.push(if v.value_labels.len() == 1 { ck.clone() } else { format!("{ck} — {vl}") });
        }
    }
    h
}

/// «Вид …» (sheet `name`): the plan's views of the table, each with its chart when the
/// plan asks for one, paged so that a view's table and chart stay together.
fn write_views(
    wb: &mut Workbook,
    ctx: &Ctx,
    st: &Styles,
    detail: Detail,
    name: &str,
    views: &[(&View, &ViewFigures)],
) -> Result<(), XlsxError> {
    let Detail { item, table: t, sheets: ts } = detail;
    let c = ctx.campaign();
    let ws = super::new_sheet(wb, name)?;
    let max_cols = views
        .iter()
        .map(|(pv, v)| {
            let extra = usize::from(!v.columns.is_empty() && v.value_labels.len() == 1)
                + usize::from(pv.top.is_some());
            view_headers(v).len() + extra
        })
        .max()
        .unwrap_or(1);
    let mut w = vec![40.0];
    w.extend(std::iter::repeat_n(15.0, max_cols));
    widths(ws, &w)?;
    let title = format!("{}. Итоги таблицы «{}»", item.code, c.text(&t.title));
    banner(ws, 0, &w, &title, &st.title, PT_TITLE)?;
    banner(ws, 1, &w, &format!(
            "Суммы по всем строкам таблицы {} ОО в своде (одинаковые названия, набранные по-разному, \
             объединены). Строки школ — на листе ниже.",
            ctx.input.schools.len()
        ), &st.note, PT_NOTE)?;
    sheet_link(ws, 2, 0, &ts.rows, &format!("Все строки школ — лист «{}»", ts.rows), &st.link)?;
    // Keep each view's table and chart on one page when they fit together, else the chart
    // starts the next page; a chart is never taller than a page.
    let width_px = w.iter().map(|x| column_px(*x)).sum::<f64>().max(f64::from(CHART_W) + 10.0);
    let page = page_px(print_scale(width_px)) - 20.0;
    let mut pager = Pager { page, used: 0.0, breaks: Vec::new() };
    pager.add(banner_px(&w, &title, PT_TITLE) + 3.0 * ROW_PX);
    let mut r = 4u32;
    for (pv, v) in views {
        let ranking = pv.top.is_some();
        let table = view_table_px(v, &w);
        let chart = if pv.chart { chart_px(v, ranking, page) + ROW_PX } else { 0.0 };
        if !pager.fits(table + chart) && (pager.page >= table + chart || !pager.fits(table)) {
            pager.new_page(r);
        }
        r = write_view(ws, st, name, r, pv, v, &w, &mut pager)? + 2;
        pager.add(2.0 * ROW_PX);
    }
    if !pager.breaks.is_empty() {
        ws.set_page_breaks(&pager.breaks)?;
    }
    print_setup_scaled(ws, ctx, width_px)?;
    Ok(())
}

/// Height of a default row, pixels.
const ROW_PX: f64 = 20.0;
/// Width of the views' charts, pixels.
const CHART_W: u32 = 760;

/// Where manual page breaks go, from estimated heights (pixels of the sheet at 100 %).
struct Pager {
    /// The height of a printed page.
    page: f64,
    /// Used on the current page.
    used: f64,
    breaks: Vec<u32>,
}

impl Pager {
    fn fits(&self, px: f64) -> bool {
        self.used + px <= self.page
    }
    /// The next page starts at `row` (nothing to do on an empty page).
    fn new_page(&mut self, row: u32) {
        if self.used > 0.0 {
            self.breaks.push(row);
        }
        self.used = 0.0;
    }
    fn add(&mut self, px: f64) {
        self.used += px;
        // A table longer than a page flows on: what is left of it is on the last page.
        while self.used > self.page {
            self.used -= self.page;
        }
    }
}

/// Estimated height of a view's rows (title, note, header, rows, total), pixels; on the
/// generous side, so that what is estimated to fit does fit.
fn view_table_px(v: &ViewFigures, w: &[f64]) -> f64 {
    let mut all: Vec<&str> = vec![&v.rows_label];
    let heads = view_headers(v);
    all.extend(heads.iter().map(String::as_str));
    let header_lines = all
        .iter()
        .zip(w)
        .map(|(h, w)| wrapped_lines(h, chars_per_line(*w, PT_HEADER)))
        .max()
        .unwrap_or(1);
    let rows: f64 = v
        .rows
        .iter()
        .map(|l| wrapped_lines(l, chars_per_line(w[0], PT_CELL)).max(1) as f64 * 18.0 + 4.0)
        .sum();
    2.0 * 24.0 + header_lines as f64 * 18.0 + 6.0 + rows + 2.0 * ROW_PX
}

/// The height of a view's chart, pixels: fitted to the rows, at most a page.
fn chart_px(v: &ViewFigures, ranking: bool, page: f64) -> f64 {
    f64::from(chart_height(v, ranking)).min(page - ROW_PX)
}

/// Writes one view from row `r`; returns the first free row after it.
#[allow(clippy::too_many_arguments)]
fn write_view(
    ws: &mut Worksheet,
    st: &Styles,
    sheet: &str,
    r: u32,
    pv: &View,
    v: &ViewFigures,
    w: &[f64],
    pager: &mut Pager,
) -> Result<u32, XlsxError> {
    let heads = view_headers(v);
    let row_totals = !v.columns.is_empty() && v.value_labels.len() == 1;
    let ranking = pv.top.is_some();
    let width = heads.len() as u16 + u16::from(row_totals) + u16::from(ranking) + 1;
    banner(ws, r, &w[..(width.max(4) as usize).min(w.len())], &v.title, &st.item, PT_ITEM)?;
    let mut note = format!("По данным {} строк таблицы.", v.source_rows);
    if let Some(n) = pv.top {
        note.push_str(&format!(" Первые {n} по убыванию; одинаковые значения — по алфавиту."));
    }
    banner(ws, r + 1, &w[..(width.max(4) as usize).min(w.len())], &note, &st.note, PT_NOTE)?;
    let header = r + 2;
    let mut all: Vec<&str> = vec![&v.rows_label];
    all.extend(heads.iter().map(String::as_str));
    header_cells(ws, st, header, &all, w)?;
    let total_col = 1 + heads.len() as u16;
    if row_totals {
        text(ws, header, total_col, "Итого", &st.header)?;
    }
    let rank_col = total_col + u16::from(row_totals);
    if ranking {
        text(ws, header, rank_col, "Место", &st.header)?;
    }
    if v.rows.is_empty() {
        text(ws, header + 1, 0, "Нет данных.", &st.note)?;
        pager.add(view_table_px(v, w));
        return Ok(header + 2);
    }
    let first = header + 1;
    let flat = |row: &Vec<Vec<f64>>| -> Vec<f64> { row.iter().flatten().copied().collect() };
    for (i, (label, cells)) in v.rows.iter().zip(&v.cells).enumerate() {
        let rr = first + i as u32;
        // Row keys can be free text typed by schools (professions): text, never a formula.
        text(ws, rr, 0, label, &st.text)?;
        fit_row(ws, rr, &[(label, w[0])], PT_CELL)?;
        let vals = flat(cells);
        for (j, x) in vals.iter().enumerate() {
            num(ws, rr, 1 + j as u16, *x, st.number(*x))?;
        }
        if row_totals {
            let s: f64 = vals.iter().sum();
            let f = format!("=SUM({}:{})", cell(rr, 1), cell(rr, total_col - 1));
            formula(ws, rr, total_col, &f, Some(s), st.total_number(s))?;
        }
        if ranking {
            num(ws, rr, rank_col, (i + 1) as f64, &st.text_center)?;
        }
    }
    let last = first + v.rows.len() as u32 - 1;
    let tot = last + 1;
    text(ws, tot, 0, "Итого", &st.total_text)?;
    let ncells = heads.len() + usize::from(row_totals);
    for j in 0..ncells {
        let cc = 1 + j as u16;
        let s: f64 = v
            .cells
            .iter()
            .map(|row| {
                let vals = flat(row);
                if j < vals.len() {
                    vals[j]
                } else {
                    vals.iter().sum()
                }
            })
            .sum();
        let f = format!("=SUM({}:{})", cell(first, cc), cell(last, cc));
        formula(ws, tot, cc, &f, Some(s), st.total_number(s))?;
    }
    if ranking {
        text(ws, tot, rank_col, "", &st.total_text)?;
    }
    let mut end = tot + 1;
    pager.add(view_table_px(v, w));
    if pv.chart {
        let h = chart_px(v, ranking, pager.page);
        if !pager.fits(h + ROW_PX) {
            pager.new_page(end + 1);
        } else {
            pager.add(ROW_PX);
        }
        let mut chart = view_chart(sheet, v, first, last, ranking);
        chart.set_height(h as u32);
        ws.insert_chart_with_offset(end + 1, 0, &chart, 0, 0)?;
        pager.add(h);
        end += 2 + (h as u32).div_ceil(20);
    }
    Ok(end)
}

fn horizontal(v: &ViewFigures, ranking: bool) -> bool {
    ranking || v.rows.len() > 6
}

fn chart_height(v: &ViewFigures, ranking: bool) -> u32 {
    if horizontal(v, ranking) {
        let per_row = if v.columns.is_empty() { v.value_labels.len() as u32 } else { 1 };
        (80 + 20 * per_row * v.rows.len() as u32).clamp(260, 1400)
    } else {
        320
    }
}

/// A column chart, or a bar chart for rankings and long lists (names stay readable);
/// cross tables become stacked, one series per column key.
fn view_chart(sheet: &str, v: &ViewFigures, first: u32, last: u32, ranking: bool) -> Chart {
    let horizontal = horizontal(v, ranking);
    let stacked = !v.columns.is_empty();
    let kind = match (horizontal, stacked) {
        (true, true) => ChartType::BarStacked,
        (true, false) => ChartType::Bar,
        (false, true) => ChartType::ColumnStacked,
        (false, false) => ChartType::Column,
    };
    let mut chart = Chart::new(kind);
    let nvals = v.value_labels.len();
    let series: Vec<(String, u16)> = if stacked {
        // The first value of every column key; empty keys would only clutter the legend.
        v.columns
            .iter()
            .enumerate()
            .filter(|(ci, _)| v.cells.iter().any(|row| row[*ci][0] != 0.0))
            .map(|(ci, k)| (k.clone(), 1 + (ci * nvals) as u16))
            .collect()
    } else {
        v.value_labels.iter().enumerate().map(|(vi, l)| (l.clone(), 1 + vi as u16)).collect()
    };
    for (name, col) in &series {
        chart
            .add_series()
            .set_name(name.as_str())
            .set_categories((sheet, first, 0, last, 0))
            .set_values((sheet, first, *col, last, *col))
            .set_gap(50);
    }
    chart.title().set_name(v.title.as_str());
    chart.title().set_font(rust_xlsxwriter::ChartFont::new().set_size(11).set_bold());
    if series.len() < 2 {
        chart.legend().set_hidden();
    } else {
        chart.legend().set_position(rust_xlsxwriter::ChartLegendPosition::Bottom);
    }
    if horizontal {
        // The category axis of a bar chart is the vertical one, drawn from the bottom:
        // reverse it to keep the table's order top to bottom.
        chart.y_axis().set_reverse();
    }
    chart.set_width(CHART_W).set_height(chart_height(v, ranking));
    chart
}
