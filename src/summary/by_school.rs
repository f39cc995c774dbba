//! «По школам» — one row per registry school, one column per numeric, yes/no and choice
//! field and per share, with a totals row of live formulas — and «Доли по школам», every
//! share per school, lowest first, with a bar chart.
//!
//! The totals row must give the district figures of «Свод по району»: counts are `SUM`s,
//! and a share is `SUM(numerators)/SUM(denominators)` over hidden helper columns that hold
//! each school's numerator and denominator (only for schools that reported both, exactly
//! as `summary::figures` counts them) — never an average of the percentages.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartType, ConditionalFormat3ColorScale, ConditionalFormatType, Format,
    Workbook, Worksheet, XlsxError,
};

use super::style::Styles;
use super::*;
use crate::check::values::CheckedValue;
use crate::plan::{Field, Kind, Share};
use crate::schools::School;
use crate::summary::figures::{school_share, SUM_START};

enum Col<'a> {
    Field(&'a Field),
    Share(&'a Share),
}

/// Data columns in plan order: the profile, then per item its fields and shares.
fn columns<'a>(ctx: &Ctx<'a>) -> Vec<(String, Col<'a>)> {
    let c = ctx.campaign();
    let shown = |f: &Field| !matches!(f.kind, Kind::Text | Kind::Date);
    let mut v: Vec<(String, Col<'a>)> = c
        .profile_fields()
        .into_iter()
        .filter(|f| shown(f))
        .map(|f| ("ОО".to_string(), Col::Field(f)))
        .collect();
    for item in c.items() {
        v.extend(
            item.fields.iter().filter(|f| shown(f)).map(|f| (item.code.clone(), Col::Field(f))),
        );
        v.extend(item.shares.iter().map(|s| (item.code.clone(), Col::Share(s))));
    }
    v
}

const FIRST_DATA_COL: u16 = 3;
/// The title and the note span the first columns only: a wide sheet prints on several
/// pages across, and a merged title wider than the first page is cut at its edge.
const TITLE_COLS: usize = 6;
const DATA_WIDTH: f64 = 14.0;
/// Characters of a printed page at a readable scale; wider sheets print on more pages
/// across, with the school columns repeated.
const PAGE_CHARS: f64 = 200.0;
/// The header row of «По школам»; the schools follow it.
const HEADER: u32 = 3;

/// Where everything stands on «По школам»: code, name and status, the data columns, then
/// — hidden, right of the visible part — a numerator and a denominator column per share.
struct Layout<'a> {
    cols: Vec<(String, Col<'a>)>,
    /// The shares among `cols`, in order: the k-th has the k-th pair of helper columns.
    shares: Vec<&'a Share>,
    /// Widths of the visible columns.
    widths: Vec<f64>,
}

impl<'a> Layout<'a> {
    fn new(ctx: &Ctx<'a>) -> Layout<'a> {
        let cols = columns(ctx);
        let shares = cols
            .iter()
            .filter_map(|(_, col)| match col {
                Col::Share(s) => Some(*s),
                _ => None,
            })
            .collect();
        let mut widths = vec![8.0, 32.0, 16.0];
        widths.extend(std::iter::repeat_n(DATA_WIDTH, cols.len()));
        Layout { cols, shares, widths }
    }

    fn last_visible(&self) -> u16 {
        FIRST_DATA_COL + self.cols.len() as u16 - 1
    }

    /// The hidden numerator and denominator columns of the k-th share.
    fn helper(&self, k: usize) -> (u16, u16) {
        let base = self.last_visible() + 1 + 2 * k as u16;
        (base, base + 1)
    }

    /// The hidden numerator and denominator columns of a share.
    fn helper_of(&self, sh: &Share) -> (u16, u16) {
        self.helper(self.shares.iter().position(|s| s.code == sh.code).unwrap_or(0))
    }
}

/// «По школам»: the title, a row per registry school, the district's totals.
pub(crate) fn write(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    let ws = super::new_long_sheet(wb, SHEET_SCHOOLS)?;
    let l = Layout::new(ctx);
    widths(ws, &l.widths)?;
    write_top(ws, ctx, st, &l)?;
    let first = HEADER + 1;
    let schools = &ctx.input.registry.schools;
    let mut scratch = None;
    for (i, school) in schools.iter().enumerate() {
        let data = ctx.values_into(&school.id, &mut scratch)?;
        write_school(ws, ctx, st, &l, first + i as u32, (school, data))?;
    }
    let last = (first + schools.len() as u32).saturating_sub(1);
    write_totals(ws, ctx, st, &l, first)?;

    ws.set_freeze_panes(HEADER + 1, 2)?;
    ws.autofilter(HEADER, 0, last.max(HEADER), l.last_visible())?;
    print_setup(ws, ctx, Some((HEADER, HEADER)))?;
    let pages = (l.widths.iter().sum::<f64>() / PAGE_CHARS).ceil().max(1.0) as u16;
    if pages > 1 {
        ws.set_print_fit_to_pages(pages, 0);
        ws.set_repeat_columns(0, 1)?;
    }
    Ok(())
}

/// The title, the note on how to read the sheet, and the header row — with the headers
/// of the hidden helper columns, which are set hidden here.
fn write_top(ws: &mut Worksheet, ctx: &Ctx, st: &Styles, l: &Layout) -> Result<(), XlsxError> {
    let c = ctx.campaign();
    let w = &l.widths;
    banner(
        ws,
        0,
        &w[..w.len().min(TITLE_COLS)],
        &campaign_title("Показатели по школам", c),
        &st.title,
        PT_TITLE,
    )?;
    banner(
        ws,
        1,
        &w[..w.len().min(TITLE_COLS)],
        "Доли школ — числитель школы, делённый на её знаменатель. В строке «Итого по району» \
         доли — сумма числителей, делённая на сумму знаменателей (не среднее процентов). \
         Цвет долей: красный — низкая, жёлтый — около 50 %, зелёный — высокая. Пустые \
         ячейки — школа показатель не сдала или её отчёт не вошёл в свод (см. «Статус»).",
        &st.note,
        PT_NOTE,
    )?;
    let mut heads: Vec<String> = vec!["Код ОО".into(), "ОО".into(), "Статус".into()];
    for (item, col) in &l.cols {
        let label = match col {
            Col::Field(f) => c.text(&f.label),
            Col::Share(s) => format!("{}, %", c.text(&s.label)),
        };
        let unit = match col {
            Col::Field(f) if !f.unit.is_empty() => format!(", {}", f.unit),
            _ => String::new(),
        };
        heads.push(format!("{item}\n{}{unit}", short_label(&label, 64)));
    }
    let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    header_cells(ws, st, HEADER, &head_refs[..3], w)?;
    for (i, h) in head_refs.iter().enumerate().skip(3) {
        text(ws, HEADER, i as u16, h, &st.header_small)?;
    }
    let cells: Vec<(&str, f64)> = head_refs.iter().copied().zip(w.iter().copied()).collect();
    fit_row(ws, HEADER, &cells, 9.0)?;
    for (k, sh) in l.shares.iter().enumerate() {
        let (n, d) = l.helper(k);
        text(ws, HEADER, n, &format!("числитель {}", sh.code), &st.header)?;
        text(ws, HEADER, d, &format!("знаменатель {}", sh.code), &st.header)?;
        ws.set_column_width(n, 12)?;
        ws.set_column_width(d, 12)?;
        ws.set_column_hidden(n)?;
        ws.set_column_hidden(d)?;
    }
    Ok(())
}

/// What «Статус» says of a school, and its cell's format.
fn status_cell<'s>(ctx: &Ctx, st: &'s Styles, id: &str) -> (String, &'s Format) {
    let data = ctx.head(id);
    let status = ctx.status.get(id);
    match (data, status) {
        (Some(d), _) if d.invalid => {
            let late = status.is_some_and(|s| s.late);
            let t = if late {
                "с ошибками, с опозданием, включён в свод"
            } else {
                "с ошибками, включён в свод"
            };
            (t.to_string(), &st.status_included)
        }
        (_, Some(s)) => {
            let mut t = s.status.ru().to_string();
            if s.late {
                t.push_str(", с опозданием");
            }
            (t, st.status(s))
        }
        (Some(_), None) => ("в своде".to_string(), &st.text),
        (None, None) => ("—".to_string(), &st.text),
    }
}

/// A school's row in `r`: its code, name, status and, when it is in the figures, its
/// values; a share as a formula over the school's numerator and denominator, written
/// in the hidden helper columns.
fn write_school(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    l: &Layout,
    r: u32,
    (school, data): (&School, Option<&SchoolData>),
) -> Result<(), XlsxError> {
    text(ws, r, 0, &school.id, &st.text_center)?;
    text(ws, r, 1, &school.name, &st.text)?;
    let (label, fmt) = status_cell(ctx, st, &school.id);
    text(ws, r, 2, &label, fmt)?;
    fit_row(ws, r, &[(&school.name, l.widths[1]), (&label, l.widths[2])], PT_CELL)?;
    for (j, (_, col)) in l.cols.iter().enumerate() {
        let cc = FIRST_DATA_COL + j as u16;
        ws.write_blank(r, cc, &st.text)?;
        let Some(d) = data else { continue };
        match col {
            Col::Field(f) => match d.fields.get(&f.code).map(|v| &v.value) {
                Some(CheckedValue::Num(n)) => num(ws, r, cc, *n, st.number(*n))?,
                Some(CheckedValue::Text(t)) => text(ws, r, cc, t, &st.text_center)?,
                Some(v @ CheckedValue::Date(_)) => text(ws, r, cc, &v.display(), &st.text_center)?,
                None => {}
            },
            Col::Share(sh) => {
                let (hn, hd) = l.helper_of(sh);
                if let Some((n, dd)) = school_share(sh, d) {
                    num(ws, r, hn, n, &st.int)?;
                    num(ws, r, hd, dd, &st.int)?;
                    let f = ratio_formula(&cell(r, hn), &cell(r, hd));
                    formula(ws, r, cc, &f, (dd > 0.0).then(|| n / dd), &st.pct)?;
                }
            }
        }
    }
    Ok(())
}

/// «Итого по району» under the schools (from row `first`): live formulas with the values
/// computed here, so that readers that do not recalculate show the same numbers as
/// «Свод по району».
fn write_totals(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    l: &Layout,
    first: u32,
) -> Result<(), XlsxError> {
    let schools = &ctx.input.registry.schools;
    let total = first + schools.len() as u32;
    let last = total.saturating_sub(1);
    text(ws, total, 0, "", &st.total_text)?;
    text(
        ws,
        total,
        1,
        &format!("Итого по району ({} ОО в своде)", ctx.input.schools.len()),
        &st.total_text,
    )?;
    text(ws, total, 2, "", &st.total_text)?;
    let range = |col: u16| format!("{}:{}", cell(first, col), cell(last, col));
    let totals = column_totals(ctx, l)?;
    for (j, (_, col)) in l.cols.iter().enumerate() {
        let cc = FIRST_DATA_COL + j as u16;
        if schools.is_empty() {
            ws.write_blank(total, cc, &st.total_text)?;
            continue;
        }
        match col {
            Col::Field(f) if f.kind.is_numeric() => {
                let sum = totals[j].0;
                formula(
                    ws,
                    total,
                    cc,
                    &format!("=SUM({})", range(cc)),
                    Some(sum),
                    st.total_number(sum),
                )?;
            }
            Col::Field(f) if f.kind == Kind::YesNo => {
                let yes = totals[j].0;
                formula(
                    ws,
                    total,
                    cc,
                    &format!("=COUNTIF({},\"да\")", range(cc)),
                    Some(yes),
                    &st.total_yes,
                )?;
            }
            Col::Field(_) => ws.write_blank(total, cc, &st.total_text).map(|_| ())?,
            Col::Share(sh) => {
                let (hn, hd) = l.helper_of(sh);
                let (n, d) = totals[j];
                formula(ws, total, hn, &format!("=SUM({})", range(hn)), Some(n), &st.total_int)?;
                formula(ws, total, hd, &format!("=SUM({})", range(hd)), Some(d), &st.total_int)?;
                let f =
                    ratio_formula(&format!("SUM({})", range(hn)), &format!("SUM({})", range(hd)));
                formula(ws, total, cc, &f, (d > 0.0).then(|| n / d), &st.total_pct)?;
                // Low coverage stands out: a fixed scale, 0 % red → 50 % yellow → 100 % green.
                let scale = ConditionalFormat3ColorScale::new()
                    .set_minimum(ConditionalFormatType::Number, 0)
                    .set_midpoint(ConditionalFormatType::Number, 0.5)
                    .set_maximum(ConditionalFormatType::Number, 1);
                ws.add_conditional_format(first, cc, last, cc, &scale)?;
            }
        }
    }
    Ok(())
}

/// The district's total of each column of «По школам», in one pass over the schools in
/// the figures (registry order, as each column was summed alone): numbers summed as
/// `Iterator::sum` sums them (from −0), yes/no as the count of «да», a share as
/// (Σ numerators, Σ denominators) from 0.
fn column_totals(ctx: &Ctx, l: &Layout) -> Result<Vec<(f64, f64)>, XlsxError> {
    let mut totals: Vec<(f64, f64)> = l
        .cols
        .iter()
        .map(|(_, col)| match col {
            Col::Field(f) if f.kind.is_numeric() => (SUM_START, 0.0),
            _ => (0.0, 0.0),
        })
        .collect();
    ctx.each_school(|s| {
        for ((_, col), t) in l.cols.iter().zip(totals.iter_mut()) {
            match col {
                Col::Field(f) if f.kind.is_numeric() => {
                    if let Some(n) = s.num(&f.code) {
                        t.0 += n;
                    }
                }
                Col::Field(f) if f.kind == Kind::YesNo => {
                    if s.fields.get(&f.code).and_then(|v| v.value.text()) == Some("да") {
                        t.0 += 1.0;
                    }
                }
                Col::Field(_) => {}
                Col::Share(sh) => {
                    if let Some((a, b)) = school_share(sh, s) {
                        t.0 += a;
                        t.1 += b;
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(totals)
}

/// Columns of «Доли по школам»: school, share, numerator, denominator, a gap; the chart
/// sits to the right.
const SHARE_W: [f64; 5] = [32.0, 10.0, 12.0, 12.0, 3.0];
/// The sheet's title spans the table and the chart.
const SHARE_BANNER: [f64; 10] = [32.0, 10.0, 12.0, 12.0, 3.0, 9.0, 9.0, 9.0, 9.0, 9.0];

/// How «Доли по школам» is laid out on paper, and the page breaks so far.
struct SharePages {
    /// More than [`PER_SCHOOL_MAX`] schools in the figures: edges and a distribution.
    large: bool,
    /// The tallest a chart may be, pixels: a page, less the sheet's title.
    chart_cap: u32,
    breaks: Vec<u32>,
}

/// «Доли по школам»: a block per share — schools lowest first, the district, a chart.
/// Past [`PER_SCHOOL_MAX`] schools in the figures a bar per school says nothing (and
/// 40 000 rows a share print as thousands of pages): each share then shows the
/// [`EDGE`] lowest and highest schools with their chart, and the distribution of all
/// schools by share (a histogram); every school's share stays on «По школам».
pub(crate) fn write_shares(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    let c = ctx.campaign();
    let shares = c.shares();
    if shares.is_empty() {
        return Ok(());
    }
    let large = ctx.input.schools.len() > PER_SCHOOL_MAX;
    let ws = super::new_sheet(wb, SHEET_SHARES)?;
    widths(ws, &SHARE_W)?;
    banner(ws, 0, &SHARE_BANNER, &campaign_title("Доли по школам", c), &st.title, PT_TITLE)?;
    let about = if large {
        format!(
            "В своде больше {PER_SCHOOL_MAX} ОО, поэтому по каждой доле показаны {EDGE} ОО с \
             самой низкой и {EDGE} с самой высокой долей и распределение всех ОО по долям; \
             доля каждой ОО — на листе «{SHEET_SCHOOLS}». «По району» — сумма числителей, \
             делённая на сумму знаменателей."
        )
    } else {
        "Школы — от самой низкой доли к самой высокой. «По району» — сумма числителей, \
         делённая на сумму знаменателей."
            .to_string()
    };
    banner(ws, 1, &SHARE_BANNER, &about, &st.note, PT_NOTE)?;
    // One share a page (two when large: the edges, then the distribution): its table and
    // its chart side by side, the chart no taller than the page (below the sheet's title
    // on the first page), so no chart is ever cut.
    let width_px: f64 =
        SHARE_W.iter().map(|w| column_px(*w)).sum::<f64>() + f64::from(CHART_W) + 10.0;
    let scale = print_scale(width_px);
    let chart_cap = (page_px(scale) - 130.0).max(220.0) as u32;
    let mut pages = SharePages { large, chart_cap, breaks: Vec::new() };
    // Every school's numerator and denominator of every share, in one pass over the
    // schools: [share][school in the figures].
    let mut values: Vec<Vec<Option<(f64, f64)>>> =
        vec![Vec::with_capacity(ctx.input.schools.len()); shares.len()];
    ctx.each_school(|s| {
        for ((_, sh), v) in shares.iter().zip(values.iter_mut()) {
            v.push(school_share(sh, s));
        }
        Ok(())
    })?;
    let mut r = 3u32;
    for ((item, sh), values) in shares.iter().zip(&values) {
        r = write_share(ws, ctx, st, &mut pages, (&item.code, sh, values), r)?;
    }
    if !pages.breaks.is_empty() {
        ws.set_page_breaks(&pages.breaks)?;
    }
    print_setup_scaled(ws, ctx, width_px)?;
    Ok(())
}

/// Each school's share, split by what can be shown of it.
struct ShareRows<'a> {
    /// (numerator, denominator > 0, short name), registry order.
    rows: Vec<(f64, f64, &'a str)>,
    /// Reported a denominator of 0 (e.g. no graduates this year): the school did report;
    /// the share does not apply to it. Not «no data». «Школа (3 из 0)».
    zero: Vec<String>,
    /// No numerator or no denominator.
    none: Vec<&'a str>,
}

/// `values`: each school's numerator and denominator, by its place in the figures.
fn share_rows<'a>(ctx: &Ctx<'a>, values: &[Option<(f64, f64)>]) -> ShareRows<'a> {
    let mut out = ShareRows { rows: Vec::new(), zero: Vec::new(), none: Vec::new() };
    for s in &ctx.input.registry.schools {
        let name = s.short_name.as_str();
        match ctx.data.get(s.id.as_str()).and_then(|&i| values[i]) {
            Some((n, d)) if d > 0.0 => out.rows.push((n, d, name)),
            Some((n, _)) => out.zero.push(format!("{name} ({} из 0)", n)),
            None => out.none.push(name),
        }
    }
    out
}

/// The block of one share from row `r`: its label, the schools lowest first (or the
/// edges), the district, notes on the schools left out, the chart and, when large, the
/// distribution. Returns the row of the next block.
fn write_share(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    pages: &mut SharePages,
    (item, sh, values): (&str, &Share, &[Option<(f64, f64)>]),
    r: u32,
) -> Result<u32, XlsxError> {
    let c = ctx.campaign();
    let label = format!("{item}. {}", c.text(&sh.label));
    banner(ws, r, &SHARE_W[..4], &label, &st.item, PT_ITEM)?;
    let ShareRows { mut rows, zero, none } = share_rows(ctx, values);
    let zero_note = (!zero.is_empty())
        .then(|| format!("Доля не применима (знаменатель 0, отчёт сдан): {}", name_list(&zero)));
    if rows.is_empty() {
        let mut note =
            "Ни одна ОО в своде не указала числитель и знаменатель больше нуля.".to_string();
        if let Some(z) = &zero_note {
            note.push(' ');
            note.push_str(z);
        }
        banner(ws, r + 1, &SHARE_W[..4], &note, &st.note, PT_NOTE)?;
        return Ok(r + 3);
    }
    if r > 3 {
        pages.breaks.push(r);
    }
    // Lowest first; the sort is stable, so ties keep registry order.
    rows.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
    let first = r + 2;
    let shown = write_share_table(ws, st, pages.large, &rows, r + 1)?;
    let tot = first + shown as u32;
    let mut end = tot + 1;
    if let Some(z) = &zero_note {
        banner(ws, end, &SHARE_W[..4], z, &st.note, PT_NOTE)?;
        end += 1;
    }
    if !none.is_empty() {
        banner(
            ws,
            end,
            &SHARE_W[..4],
            &format!("Нет данных: {}", name_list(&none)),
            &st.note,
            PT_NOTE,
        )?;
        end += 1;
    }
    let height = (60 + 24 * shown as u32).clamp(220, pages.chart_cap);
    let title = if shown < rows.len() {
        format!(
            "{}: {EDGE} ОО с самой низкой и {EDGE} с самой высокой долей",
            short_label(&c.text(&sh.label), 70)
        )
    } else {
        short_label(&c.text(&sh.label), 90)
    };
    let chart = share_chart(&sh.code, &title, first, tot - 1, height);
    ws.insert_chart_with_offset(r, 5, &chart, 0, 0)?;
    end = end.max(r + height.div_ceil(20) + 1);
    if pages.large {
        // The distribution on a page of its own.
        pages.breaks.push(end + 1);
        end = distribution(ws, st, &c.text(&sh.label), &rows, end + 1)?;
    }
    Ok(end + 1)
}

/// The table of a share under its header row `head`: the schools of `rows` (sorted) —
/// all, or when `large` the lowest and the highest with a line between them — then the
/// district. Returns how many rows stand between the header and the district's row.
fn write_share_table(
    ws: &mut Worksheet,
    st: &Styles,
    large: bool,
    rows: &[(f64, f64, &str)],
    head: u32,
) -> Result<usize, XlsxError> {
    for (i, h) in ["ОО", "Доля", "Числитель", "Знаменатель"].iter().enumerate()
    {
        text(ws, head, i as u16, h, &st.header)?;
    }
    let first = head + 1;
    let shown: Vec<Option<&(f64, f64, &str)>> = if large && rows.len() > 2 * EDGE {
        let mut v: Vec<_> = rows[..EDGE].iter().map(Some).collect();
        v.push(None);
        v.extend(rows[rows.len() - EDGE..].iter().map(Some));
        v
    } else {
        rows.iter().map(Some).collect()
    };
    for (i, row) in shown.iter().enumerate() {
        let rr = first + i as u32;
        let Some((n, d, name)) = row else {
            let more = rows.len() - 2 * EDGE;
            text(ws, rr, 0, &format!("… ещё {} ОО", crate::ru::int(more as i64)), &st.note)?;
            continue;
        };
        text(ws, rr, 0, name, &st.text)?;
        fit_row(ws, rr, &[(name, SHARE_W[0])], PT_CELL)?;
        num(ws, rr, 2, *n, st.number(*n))?;
        num(ws, rr, 3, *d, st.number(*d))?;
        formula(ws, rr, 1, &ratio_formula(&cell(rr, 2), &cell(rr, 3)), Some(n / d), &st.pct)?;
    }
    let tot = first + shown.len() as u32;
    let (n, d): (f64, f64) = rows.iter().fold((0.0, 0.0), |a, x| (a.0 + x.0, a.1 + x.1));
    text(ws, tot, 0, "По району", &st.total_text)?;
    num(ws, tot, 2, n, st.total_number(n))?;
    num(ws, tot, 3, d, st.total_number(d))?;
    formula(
        ws,
        tot,
        1,
        &ratio_formula(&cell(tot, 2), &cell(tot, 3)),
        (d > 0.0).then(|| n / d),
        &st.total_pct,
    )?;
    Ok(shown.len())
}

/// The bar chart of a share over the table rows `first..=last`, lowest on top.
fn share_chart(code: &str, title: &str, first: u32, last: u32, height: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name(code)
        .set_categories((SHEET_SHARES, first, 0, last, 0))
        .set_values((SHEET_SHARES, first, 1, last, 1))
        .set_data_label(ChartDataLabel::new().show_value().set_num_format("0%"))
        .set_gap(60);
    chart.title().set_name(title);
    chart.title().set_font(rust_xlsxwriter::ChartFont::new().set_size(10).set_bold());
    chart.legend().set_hidden();
    // In a bar chart the category axis is the vertical one (`y_axis`), drawn from
    // the bottom: reverse it to keep the table's order, lowest on top.
    chart.y_axis().set_reverse();
    chart.x_axis().set_min(0).set_max(1).set_num_format("0%");
    chart.set_width(CHART_W).set_height(height);
    chart
}

/// More schools in the figures than this: «Доли по школам» shows the edges and the
/// distribution instead of a bar per school (40 bars still read on one page).
pub(crate) const PER_SCHOOL_MAX: usize = 40;
/// Schools shown at each end when the district is large.
pub(crate) const EDGE: usize = 15;
/// Names listed in a note at most; past that, the count and where the list is.
const NAMES_MAX: usize = 40;

/// «Школа 1, Школа 2», or past [`NAMES_MAX`] names «1 234 ОО (список — на листе …)».
fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    if names.len() <= NAMES_MAX {
        names.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
    } else {
        format!(
            "{} ОО (по каждой ОО — лист «{SHEET_SCHOOLS}», статусы — «{SHEET_RETURNS}»)",
            crate::ru::int(names.len() as i64)
        )
    }
}

/// Schools per tenth of the share, `rows` as (numerator, denominator > 0): ten bins
/// [0 %, 10 %), …, [90 %, 100 %] (100 % in the last), and a last one for shares above
/// 100 % — present only when some school has one.
pub(crate) fn share_bins(rows: &[(f64, f64, &str)]) -> Vec<(String, usize)> {
    let mut bins: Vec<(String, usize)> =
        (0..10).map(|k| (format!("{}–{} %", k * 10, k * 10 + 10), 0)).collect();
    let mut over = 0;
    for (n, d, _) in rows {
        if n > d {
            over += 1;
        } else {
            // 10·n is exact for counts, so an exact tenth lands in its own bin.
            let k = ((10.0 * n / d).floor().max(0.0) as usize).min(9);
            bins[k].1 += 1;
        }
    }
    if over > 0 {
        bins.push(("больше 100 %".into(), over));
    }
    bins
}

/// The distribution of a share over the schools, from row `r`: a table of schools per
/// tenth and its column chart. Returns the row after the block.
fn distribution(
    ws: &mut Worksheet,
    st: &Styles,
    label: &str,
    rows: &[(f64, f64, &str)],
    r: u32,
) -> Result<u32, XlsxError> {
    let title = format!("Распределение ОО по доле: {}", short_label(label, 70));
    banner(ws, r, &SHARE_W[..4], &title, &st.item, PT_ITEM)?;
    banner(
        ws,
        r + 1,
        &SHARE_W[..4],
        "Число ОО, чья доля в интервале: нижняя граница входит в интервал, верхняя — нет \
         (100 % — в последнем).",
        &st.note,
        PT_NOTE,
    )?;
    let head = r + 2;
    text(ws, head, 0, "Доля ОО", &st.header)?;
    text(ws, head, 1, "Число ОО", &st.header)?;
    let bins = share_bins(rows);
    let first = head + 1;
    for (i, (name, count)) in bins.iter().enumerate() {
        let rr = first + i as u32;
        text(ws, rr, 0, name, &st.text)?;
        num(ws, rr, 1, *count as f64, &st.int)?;
    }
    let last = first + bins.len() as u32 - 1;
    let tot = last + 1;
    text(ws, tot, 0, "Всего ОО", &st.total_text)?;
    formula(
        ws,
        tot,
        1,
        &format!("=SUM({}:{})", cell(first, 1), cell(last, 1)),
        Some(rows.len() as f64),
        &st.total_int,
    )?;
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name("Число ОО")
        .set_categories((SHEET_SHARES, first, 0, last, 0))
        .set_values((SHEET_SHARES, first, 1, last, 1))
        .set_data_label(ChartDataLabel::new().show_value())
        .set_gap(15);
    chart.title().set_name(&title);
    chart.title().set_font(rust_xlsxwriter::ChartFont::new().set_size(10).set_bold());
    chart.legend().set_hidden();
    chart.x_axis().set_name("Доля ОО");
    chart.y_axis().set_name("Число ОО").set_min(0);
    let height = 340u32;
    chart.set_width(CHART_W).set_height(height);
    ws.insert_chart_with_offset(r, 5, &chart, 0, 0)?;
    Ok((tot + 1).max(r + height.div_ceil(20) + 1))
}

/// Width of the charts of «Доли по школам», pixels.
const CHART_W: u32 = 620;
