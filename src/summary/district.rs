//! «Свод по району»: the first sheet, the one handed upward.
//!
//! At the top: the plan, the campaign and its academic year, the deadline, the date of
//! the summary and completeness. Then every item of the campaign in plan order under its
//! section, in the plan's wording, with a line per indicator: the district value; for
//! shares Σ numerators, Σ denominators and the percentage as a live formula over them;
//! how many schools reported it; the lowest and highest school. Yes/no fields show the
//! number and share of schools with «да», execution marks a count per mark, text fields
//! how many schools filled them, detail tables their row count and column totals.
//! With `--compare`: the previous value, the change, and a mark on implausible jumps.

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::compare::{implausible, trend, Key, Measure};
use super::style::Styles;
use super::*;
use crate::plan::{Item, Table};
use crate::summary::figures::{update_extremes, Extreme, Figure, Indicator};

/// The current value of a line.
#[derive(Debug, Clone, Copy)]
enum Cur {
    Sum(f64),
    Share { num: f64, den: f64 },
    Count(usize),
    Blank,
}

impl Cur {
    /// The value compared with a previous summary (percent for shares).
    fn measure(self) -> Option<f64> {
        match self {
            Cur::Sum(v) => Some(v),
            Cur::Share { num, den } => (den > 0.0).then(|| num * 100.0 / den),
            Cur::Count(n) => Some(n as f64),
            Cur::Blank => None,
        }
    }
}

struct Line<'a> {
    /// Item code in column A (main lines only).
    item: Option<String>,
    label: String,
    unit: String,
    sub: bool,
    value: Cur,
    reported: Option<usize>,
    min: Option<Extreme>,
    max: Option<Extreme>,
    /// Extremes are percentages.
    pct_extremes: bool,
    key: Option<Key<'a>>,
}

impl<'a> Line<'a> {
    fn new(item: Option<&str>, label: String, unit: &str, value: Cur) -> Line<'a> {
        Line {
            item: item.map(str::to_string),
            label,
            unit: unit.to_string(),
            sub: item.is_none(),
            value,
            reported: None,
            min: None,
            max: None,
            pct_extremes: false,
            key: None,
        }
    }
    fn reported(mut self, n: usize) -> Self {
        self.reported = Some(n);
        self
    }
    fn key(mut self, k: Key<'a>) -> Self {
        self.key = Some(k);
        self
    }
    fn extremes(mut self, min: &Option<Extreme>, max: &Option<Extreme>, pct: bool) -> Self {
        self.min = min.clone();
        self.max = max.clone();
        self.pct_extremes = pct;
        self
    }
}

// One short-lived list per summary (a few hundred rows): boxing the big variant would
// only add noise.
#[allow(clippy::large_enum_variant)]
enum Row<'a> {
    Section(String),
    Item { code: String, text: String, indicator: String },
    Line(Line<'a>),
    Link { sheet: String, label: String },
}

/// Lines of one indicator of `summary::figures`.
fn indicator_lines<'a>(item: Option<&'a Item>, ind: &'a Indicator, out: &mut Vec<Row<'a>>) {
    let code = Some(ind.item.as_str());
    let label = ind.label.clone();
    match &ind.figure {
        Figure::Sum { sum, min, max } => out.push(Row::Line(
            Line::new(code, label, &ind.unit, Cur::Sum(*sum))
                .reported(ind.reported)
                .extremes(min, max, false)
                .key(Key::Sum(&ind.code)),
        )),
        Figure::Share { numerator, denominator, min, max, .. } => {
            let mut line =
                Line::new(code, label, "%", Cur::Share { num: *numerator, den: *denominator })
                    .reported(ind.reported)
                    .extremes(min, max, true);
            if let Some(sh) = item.and_then(|i| i.shares.iter().find(|s| s.code == ind.code)) {
                line = line.key(Key::Share(sh));
            }
            out.push(Row::Line(line));
        }
        Figure::YesNo { yes, no, .. } => {
            out.push(Row::Line(
                Line::new(code, label, "ОО с «да»", Cur::Count(*yes))
                    .reported(ind.reported)
                    .key(Key::Yes(&ind.code)),
            ));
            out.push(Row::Line(
                Line::new(
                    None,
                    "доля ОО с ответом «да» (от ответивших)".into(),
                    "%",
                    Cur::Share { num: *yes as f64, den: (*yes + *no) as f64 },
                )
                .key(Key::YesShare(&ind.code)),
            ));
        }
        Figure::Choice { counts } => {
            out.push(Row::Line(Line::new(code, label, "", Cur::Blank).reported(ind.reported)));
            for (choice, n) in counts {
                out.push(Row::Line(
                    Line::new(None, format!("«{choice}»"), "ОО", Cur::Count(*n))
                        .key(Key::Choice(&ind.code, choice)),
                ));
            }
        }
        Figure::Filled => out.push(Row::Line(
            Line::new(code, format!("{label} — заполнили ОО"), "ОО", Cur::Count(ind.reported))
                .reported(ind.reported)
                .key(Key::Filled(&ind.code)),
        )),
    }
}

/// A detail table's rows filled, schools that filled it, and for every numeric column:
/// the sum of the schools' totals, the schools with a value, the lowest and highest.
struct TableStats {
    total: usize,
    with_rows: usize,
    columns: Vec<(f64, usize, Option<Extreme>, Option<Extreme>)>,
}

/// [`TableStats`] of `t` in one pass over the schools in the figures (registry order).
fn table_stats(ctx: &Ctx, t: &Table) -> Result<TableStats, XlsxError> {
    let numeric: Vec<&str> =
        t.columns.iter().filter(|c| c.kind.is_numeric()).map(|c| c.code.as_str()).collect();
    let mut out = TableStats {
        total: 0,
        with_rows: 0,
        columns: numeric.iter().map(|_| (0.0, 0, None, None)).collect(),
    };
    ctx.each_school(|s| {
        let rows = s.tables.get(&t.code).map(Vec::as_slice).unwrap_or_default();
        out.total += rows.len();
        out.with_rows += usize::from(!rows.is_empty());
        for (code, (sum, reported, min, max)) in numeric.iter().zip(out.columns.iter_mut()) {
            let vals: Vec<f64> = rows.iter().filter_map(|r| r.values.get(*code)?.num()).collect();
            if vals.is_empty() {
                continue;
            }
            let v: f64 = vals.iter().sum();
            *sum += v;
            *reported += 1;
            // Ties name every school, as in `summary::figures`.
            update_extremes(min, max, Extreme::new(v, &s.school_id, &s.school_name));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Lines of a detail table: rows filled, and the total of every numeric column.
fn table_lines<'a>(
    ctx: &Ctx<'a>,
    item: &'a Item,
    t: &'a Table,
    out: &mut Vec<Row<'a>>,
) -> Result<(), XlsxError> {
    let TableStats { total, with_rows, columns } = table_stats(ctx, t)?;
    out.push(Row::Line(
        Line::new(
            Some(&item.code),
            format!("Таблица «{}»: заполнено строк", ctx.campaign().text(&t.title)),
            "строк",
            Cur::Count(total),
        )
        .reported(with_rows)
        .key(Key::TableRows(&t.code)),
    ));
    let numeric = t.columns.iter().filter(|c| c.kind.is_numeric());
    for (col, (sum, reported, min, max)) in numeric.zip(columns) {
        out.push(Row::Line(
            Line::new(
                Some(&item.code),
                format!("{}: всего по строкам таблицы", ctx.campaign().text(&col.label)),
                &col.unit,
                Cur::Sum(sum),
            )
            .reported(reported)
            .extremes(&min, &max, false)
            .key(Key::TableSum(&t.code, &col.code)),
        ));
    }
    if let Some(ts) = ctx.table_sheets(&t.code) {
        if let Some(v) = &ts.views {
            out.push(Row::Link {
                sheet: v.clone(),
                label: format!("Итоги и диаграммы — лист «{v}»"),
            });
        }
        out.push(Row::Link {
            sheet: ts.rows.clone(),
            label: format!("Все строки школ — лист «{}»", ts.rows),
        });
    }
    Ok(())
}

/// The rows of the sheet, in plan order.
fn rows<'a>(ctx: &Ctx<'a>) -> Result<Vec<Row<'a>>, XlsxError> {
    let c = ctx.campaign();
    let district = ctx.input.district;
    let mut out = Vec::new();
    let profile: Vec<&Indicator> = district.indicators.iter().filter(|i| i.item == "ОО").collect();
    if !profile.is_empty() {
        out.push(Row::Section("Общие сведения об ОО (знаменатели долей)".into()));
        for ind in profile {
            indicator_lines(None, ind, &mut out);
        }
    }
    for section in &c.plan.sections {
        let items: Vec<&Item> = section.items.iter().filter(|i| c.has_item(&i.code)).collect();
        if items.is_empty() {
            continue;
        }
        out.push(Row::Section(format!("Раздел {}. {}", section.number, section.title)));
        for item in items {
            out.push(Row::Item {
                code: item.code.clone(),
                text: c.text(&item.text),
                indicator: c.text(&item.indicator),
            });
            for ind in district.indicators.iter().filter(|i| i.item == item.code) {
                indicator_lines(Some(item), ind, &mut out);
            }
            for t in &item.tables {
                table_lines(ctx, item, t, &mut out)?;
            }
        }
    }
    Ok(out)
}

const WIDTHS: [f64; 11] = [7.0, 56.0, 9.0, 13.0, 13.0, 13.0, 10.0, 11.0, 22.0, 11.0, 22.0];
const COMPARE_WIDTHS: [f64; 4] = [13.0, 13.0, 15.0, 20.0];
const HEADERS: [&str; 11] = [
    "Пункт",
    "Показатель",
    "Ед. изм.",
    "Значение по району",
    "Числитель: сумма по ОО",
    "Знаменатель: сумма по ОО",
    "Отчитались ОО",
    "Наименьшее значение",
    "ОО с наименьшим значением",
    "Наибольшее значение",
    "ОО с наибольшим значением",
];
/// After the «was» column ([`Previous::was_header`]).
const COMPARE_HEADERS: [&str; 3] = ["Изменение", "Динамика", "Проверить"];

pub(crate) fn write(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    let ws = super::new_sheet(wb, SHEET_DISTRICT)?;
    let c = ctx.campaign();
    let prev = ctx.input.previous;
    let mut w: Vec<f64> = WIDTHS.to_vec();
    if prev.is_some() {
        w.extend(COMPARE_WIDTHS);
    }
    widths(ws, &w)?;
    let cols = w.len() as u16;

    banner(ws, 0, &w, &c.plan.title, &st.title, PT_TITLE)?;
    banner(ws, 1, &w, &campaign_title("Сводный отчёт", c), &st.title, PT_TITLE)?;
    let mut dates =
        format!("Срок сдачи отчётов: {}. Дата свода: {}.", ru(c.deadline), ru(ctx.input.generated));
    if !c.plan.issuer.is_empty() {
        dates = format!("{}. {dates}", c.plan.issuer);
    }
    banner(ws, 2, &w, &dates, &st.subtitle, PT_SUBTITLE)?;
    let mut r = 3;
    if let Some(p) = prev {
        banner(ws, r, &w, &p.compared_with(c), &st.subtitle, PT_SUBTITLE)?;
        r += 1;
    }
    // Completeness, the plan's shares and the lagging schools come first.
    let r = super::headline::write(ws, ctx, st, r + 1, &w)?;
    banner(ws, r, &w, "Показатели по пунктам плана", &st.section, PT_SECTION)?;
    let r = r + 1;
    let mut note = String::from(
        "Доли по району — сумма числителей всех ОО, делённая на сумму знаменателей (не среднее \
         процентов школ). «Отчитались ОО» — сколько ОО заполнили показатель (для долей — и \
         числитель, и знаменатель). Наименьшее и наибольшее — значения отдельных ОО.",
    );
    if prev.is_some() {
        note.push_str(
            " «Проверить»: доля изменилась больше чем на 30 п.п. или количество — больше чем в 3 раза.",
        );
    }
    banner(ws, r, &w, &note, &st.note, PT_NOTE)?;
    let header = r + 2;
    let was = prev.map(|p| p.was_header(c)).unwrap_or_default();
    let heads: Vec<&str> = HEADERS
        .iter()
        .copied()
        .chain(prev.map(|_| was.as_str()))
        .chain(if prev.is_some() { COMPARE_HEADERS.iter() } else { [].iter() }.copied())
        .collect();
    header_cells(ws, st, header, &heads, &w)?;

    for (r, row) in (header + 1..).zip(rows(ctx)?) {
        match row {
            Row::Section(s) => banner(ws, r, &w, &s, &st.section, PT_SECTION)?,
            Row::Item { code, text: t, indicator } => {
                text(ws, r, 0, &code, &st.item_code)?;
                let mut s = t.clone();
                if !indicator.is_empty() {
                    s.push_str(&format!("\nПоказатель по плану: {indicator}"));
                }
                let per = chars_per_line(w[1..].iter().sum(), PT_ITEM);
                ws.merge_range(r, 1, r, cols - 1, "", &st.item)?;
                text(ws, r, 1, &s, &st.item)?;
                ws.set_row_height(r, PT_ITEM * 1.4 * wrapped_lines(&s, per) as f64 + 2.0)?;
            }
            Row::Line(line) => write_line(ws, ctx, st, r, &line, cols)?,
            Row::Link { sheet, label } => {
                ws.write_blank(r, 0, &st.text)?;
                sheet_link(ws, r, 1, &sheet, &label, &st.link)?;
                for col in 2..cols {
                    ws.write_blank(r, col, &st.text)?;
                }
            }
        }
    }
    ws.set_freeze_panes(header + 1, 0)?;
    print_setup(ws, ctx, Some((header, header)))?;
    Ok(())
}

fn write_line(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    r: u32,
    line: &Line,
    cols: u16,
) -> Result<(), XlsxError> {
    for col in 0..cols {
        ws.write_blank(r, col, &st.text)?;
    }
    text(ws, r, 0, line.item.as_deref().unwrap_or(""), &st.text_center)?;
    text(ws, r, 1, &line.label, if line.sub { &st.text_sub } else { &st.text })?;
    text(ws, r, 2, &line.unit, &st.text_center)?;
    match line.value {
        Cur::Sum(v) => num(ws, r, 3, v, st.number(v))?,
        Cur::Share { num: n, den: d } => {
            num(ws, r, 4, n, st.number(n))?;
            num(ws, r, 5, d, st.number(d))?;
            let cached = (d > 0.0).then(|| n / d);
            formula(ws, r, 3, &ratio_formula(&cell(r, 4), &cell(r, 5)), cached, &st.pct)?;
        }
        Cur::Count(n) => num(ws, r, 3, n as f64, &st.int)?,
        Cur::Blank => {}
    }
    if let Some(n) = line.reported {
        num(ws, r, 6, n as f64, &st.int)?;
    }
    for (e, col) in [(&line.min, 7u16), (&line.max, 9)] {
        if let Some(e) = e {
            if line.pct_extremes {
                num(ws, r, col, e.value / 100.0, &st.pct)?;
            } else {
                num(ws, r, col, e.value, st.number(e.value))?;
            }
            text(ws, r, col + 1, &names(ctx, e), &st.text)?;
        }
    }
    /// Every school with the extreme value (ties), registry order; past
    /// [`crate::ru::NAMES_SHOWN`] the first of them and where all are.
    fn names(ctx: &Ctx, e: &Extreme) -> String {
        let names: Vec<&str> = e.schools().iter().map(|(id, n)| ctx.short_name(id, n)).collect();
        crate::ru::capped(&names, |n| {
            format!(
                "и ещё {} ОО с тем же значением — значение каждой ОО на листе «{SHEET_SCHOOLS}»",
                crate::ru::int(n as i64)
            )
        })
    }
    fn name(ctx: &Ctx, e: &Option<Extreme>) -> String {
        e.as_ref().map(|e| names(ctx, e)).unwrap_or_default()
    }
    let (min_names, max_names) = (name(ctx, &line.min), name(ctx, &line.max));
    let label_width = if line.sub { WIDTHS[1] - 3.0 } else { WIDTHS[1] };
    fit_row(
        ws,
        r,
        &[(&line.label, label_width), (&min_names, WIDTHS[8]), (&max_names, WIDTHS[10])],
        PT_CELL,
    )?;
    let (Some(prev), Some(key)) = (ctx.input.previous, &line.key) else { return Ok(()) };
    let Some(was) = prev.district(key) else {
        text(ws, r, 12, "", &st.text)?;
        return Ok(());
    };
    let pct = key.measure() == Measure::Percent;
    if pct {
        num(ws, r, 11, was / 100.0, &st.pct)?;
    } else {
        num(ws, r, 11, was, st.number(was))?;
    }
    if let Some(now) = line.value.measure() {
        let d = now - was;
        let f = if pct {
            &st.delta_pp
        } else if d.fract() == 0.0 {
            &st.delta_int
        } else {
            &st.delta_dec
        };
        num(ws, r, 12, d, f)?;
        text(ws, r, 13, trend(was, now), &st.text_center)?;
        if let Some(why) = implausible(key.measure(), was, now) {
            text(ws, r, 14, &format!("⚠ {why}"), &st.warn)?;
        }
    }
    Ok(())
}
