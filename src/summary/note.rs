//! «Аналитическая справка»: the analytic note that goes with the summary to the head of
//! the department and to the region, written by `collect` beside the summary as .docx.
//!
//! Every figure in it is read from what the summary is built from — `summary::figures`'s
//! district figures and the summary's [`Headline`] — and said in Russian as a person
//! writes it («7 577», «77,9 %», «5 школ», «20 декабря 2025 г.»). Nothing in it is a
//! placeholder: the methodologist edits it in Word or Writer and signs it.
//!
//! [`note_blocks`] builds the text as data (headings, paragraphs, tables), [`write_note`]
//! lays it out with `docx-rs`. The same input gives the same bytes.

use std::cell::Cell;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, Shading,
    SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

use crate::plan::campaign::ru_date_long;
use crate::plan::Item;
use crate::ru::{self, count, SCHOOLS, SCHOOLS_GEN};
use crate::summary::figures::{Extreme, Figure, Indicator, ViewFigures};
use crate::summary::headline::{headline, Headline, Lagging, Named, ShareLine};
use crate::summary::SummaryInput;

/// One piece of the note's text.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Centred lines of the title block; `true`: the title itself (bold, larger).
    Center(String, bool),
    Heading(String),
    /// A paragraph; the bold part first (may be empty), then the text.
    Para(String, String),
    Bullet(String),
    /// A titled table: header row, body rows, and whether the last row is a total.
    Table {
        title: String,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
        total: bool,
    },
}

/// The note's file beside the summary: «svod-2025-12-20.xlsx» → «svod-2025-12-20-spravka.docx».
pub fn note_path(summary: &Path) -> PathBuf {
    let stem = summary.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    summary.with_file_name(format!("{stem}-spravka.docx"))
}

/// Schools by name, «А, Б и В»; past [`ru::NAMES_SHOWN`] the first of them and where all are.
fn names(v: &[Named]) -> String {
    let names: Vec<&str> = v.iter().map(|n| n.name.as_str()).collect();
    ru::and_list_capped(&names, |n| {
        format!(
            "и ещё {} — полный список в сводном отчёте на листе «{}»",
            count(n, SCHOOLS),
            super::SHEET_RETURNS
        )
    })
}

fn gen(n: usize) -> String {
    count(n, SCHOOLS_GEN)
}

/// A school of an extreme by its short name.
fn extreme_name(input: &SummaryInput, e: &Extreme) -> String {
    input
        .registry
        .get(&e.school_id)
        .map(|s| s.short_name.clone())
        .unwrap_or_else(|| e.school_name.clone())
}

/// Nouns counted by «ед.» fields, found by a word of the label.
fn unit_noun(label: &str) -> Option<[&'static str; 3]> {
    let l = label.to_lowercase();
    if l.contains("мероприят") {
        Some(ru::EVENTS)
    } else if l.contains("классных час") {
        Some(["классный час", "классных часа", "классных часов"])
    } else if l.contains("родительских собран") {
        Some(["родительское собрание", "родительских собрания", "родительских собраний"])
    } else if l.contains("договор") {
        Some(["договор", "договора", "договоров"])
    } else {
        None
    }
}

/// «7 577 чел.», «12 мероприятий», «12,5 ч».
fn amount(v: f64, unit: &str, label: &str) -> String {
    match unit_noun(label).filter(|_| unit == "ед." && v.fract() == 0.0 && v >= 0.0) {
        Some(forms) => count(v as usize, forms),
        None if unit.is_empty() => ru::number(v),
        None => format!("{}{}{unit}", ru::number(v), ru::NBSP),
    }
}

/// A sentence ends with one full stop, also after «чел.».
fn sentence(s: String) -> String {
    if s.ends_with('.') {
        s
    } else {
        s + "."
    }
}

/// «77,9 % (7 577 из 9 728)».
fn share_text(num: f64, den: f64, percent: Option<f64>) -> String {
    match percent {
        Some(p) => format!("{} ({} из {})", ru::percent(p), ru::number(num), ru::number(den)),
        None => format!("не применимо: сумма знаменателей равна нулю ({} из 0)", ru::number(num)),
    }
}

/// The sentence of one indicator of `summary::figures`.
fn indicator_sentence(input: &SummaryInput, ind: &Indicator) -> String {
    let label = ind.label.trim_end_matches('.');
    let reported = format!("по данным {}", gen(ind.reported));
    let extremes = |min: &Option<Extreme>, max: &Option<Extreme>, pct: bool| -> String {
        let show = |e: &Extreme| {
            let v = if pct { ru::percent(e.value) } else { amount(e.value, &ind.unit, label) };
            format!("{v}, {}", extreme_name(input, e))
        };
        match (min, max) {
            (Some(a), Some(b)) if ind.reported > 1 && a.value != b.value => {
                format!("; наименьшее значение — {}, наибольшее — {}", show(a), show(b))
            }
            _ => String::new(),
        }
    };
    match &ind.figure {
        _ if ind.reported == 0 => format!("{label}: сведений нет (ни одна школа не заполнила)."),
        Figure::Sum { sum, min, max } => format!(
            "{label} — {} ({reported}{}).",
            amount(*sum, &ind.unit, label),
            extremes(min, max, false)
        ),
        Figure::Share { numerator, denominator, percent: Some(p), min, max } => format!(
            "{label} — {} ({} из {}, {reported}{}).",
            ru::percent(*p),
            ru::number(*numerator),
            ru::number(*denominator),
            extremes(min, max, true)
        ),
        Figure::Share { numerator, denominator, percent: None, .. } => {
            format!("{label} — {} ({reported}).", share_text(*numerator, *denominator, None))
        }
        Figure::YesNo { yes, no, share_yes } => format!(
            "{label}: «да» — у {} из {} ответивших ({}).",
            gen(*yes),
            yes + no,
            share_yes.map(ru::percent).unwrap_or_default()
        ),
        Figure::Choice { counts } => {
            let parts: Vec<String> =
                counts.iter().map(|(c, n)| format!("«{c}» — {}", count(*n, SCHOOLS))).collect();
            format!("{label}: {}.", parts.join(", "))
        }
        Figure::Filled => format!("{label}: заполнено в отчётах {}.", gen(ind.reported)),
    }
}

/// Sentences of a detail table: rows, and the total of every numeric column — summed as
/// «Свод по району» sums them.
fn table_sentences(input: &SummaryInput, t: &crate::plan::Table) -> std::io::Result<Vec<String>> {
    let c = input.campaign;
    let numeric: Vec<&crate::plan::Field> =
        t.columns.iter().filter(|c| c.kind.is_numeric()).collect();
    // One pass over the schools; each column summed over every row in school order.
    let (mut total, mut with_rows) = (0usize, 0usize);
    let mut sums = vec![crate::summary::figures::SUM_START; numeric.len()];
    input.schools.try_for_each(|s| {
        let rows = s.tables.get(&t.code).map(Vec::as_slice).unwrap_or_default();
        total += rows.len();
        with_rows += usize::from(!rows.is_empty());
        for row in rows {
            for (col, sum) in numeric.iter().zip(sums.iter_mut()) {
                if let Some(n) = row.values.get(&col.code).and_then(|v| v.num()) {
                    *sum += n;
                }
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    let mut out = vec![format!(
        "Таблица «{}»: {} от {}.",
        c.text(&t.title),
        count(total, ru::ROWS),
        gen(with_rows)
    )];
    for (col, sum) in numeric.iter().zip(sums) {
        let label = c.text(&col.label);
        out.push(sentence(format!("{label} — всего {}", amount(sum, &col.unit, &label))));
    }
    Ok(out)
}

/// A view of a detail table as a table of the note: the same rows and sums as «Вид …».
fn view_table(v: &ViewFigures) -> Block {
    let mut head = vec![v.rows_label.clone()];
    let cross = !v.columns.is_empty();
    if cross {
        for k in &v.columns {
            for l in &v.value_labels {
                head.push(if v.value_labels.len() == 1 {
                    k.clone()
                } else {
                    format!("{k} — {l}")
                });
            }
        }
        if v.value_labels.len() == 1 {
            head.push("Итого".into());
        }
    } else {
        head.extend(v.value_labels.iter().cloned());
    }
    let row_total = cross && v.value_labels.len() == 1;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    for (label, cells) in v.rows.iter().zip(&v.cells) {
        let mut vals: Vec<f64> = cells.iter().flatten().copied().collect();
        if row_total {
            vals.push(vals.iter().sum());
        }
        totals.resize(vals.len(), 0.0);
        for (t, x) in totals.iter_mut().zip(&vals) {
            *t += x;
        }
        let mut row = vec![label.clone()];
        row.extend(vals.iter().map(|x| ru::number(*x)));
        rows.push(row);
    }
    let total = !rows.is_empty();
    if total {
        let mut row = vec!["Итого".to_string()];
        row.extend(totals.iter().map(|x| ru::number(*x)));
        rows.push(row);
    }
    Block::Table { title: v.title.clone(), head, rows, total }
}

fn lagging_list(below: &[Lagging], n: usize) -> String {
    below
        .iter()
        .take(n)
        .map(|l| format!("{} ({})", l.school.name, ru::percent(l.percent)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every school of `far` with its share, furthest below first; past [`ru::NAMES_SHOWN`] the first
/// of them and where the share of every school is.
fn far_list(far: &[Lagging]) -> String {
    let shown: Vec<String> =
        far.iter().map(|l| format!("{} ({})", l.school.name, ru::percent(l.percent))).collect();
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    ru::capped(&shown, |n| {
        format!(
            "и ещё {} — доля каждой школы в сводном отчёте на листе «{}»",
            count(n, SCHOOLS),
            super::SHEET_SCHOOLS
        )
    })
}

/// The text of the note, in order: the title block, then numbered sections —
/// completeness, the plan's shares (when it has any), every item, conclusions.
pub fn note_blocks(input: &SummaryInput, summary_file: &str) -> std::io::Result<Vec<Block>> {
    let h = headline(input)?;
    let mut out = title_blocks(input, summary_file);
    out.extend(completeness_blocks(&h));
    let mut n = 2;
    if !h.shares.is_empty() {
        out.extend(share_blocks(input, &h, n));
        n += 1;
    }
    out.extend(item_blocks(input, n)?);
    n += 1;
    out.extend(conclusion_blocks(&h, n, summary_file));
    Ok(out)
}

/// The title block and the opening paragraph: the deadline, the date, the summary.
fn title_blocks(input: &SummaryInput, summary_file: &str) -> Vec<Block> {
    let c = input.campaign;
    let mut out = Vec::new();
    if !c.plan.issuer.is_empty() {
        out.push(Block::Center(c.plan.issuer.clone(), false));
    }
    out.push(Block::Center("Аналитическая справка".into(), true));
    out.push(Block::Center(
        format!(
            "по итогам отчётной кампании «{}» {} учебного года",
            c.def.title,
            c.academic_year()
        ),
        false,
    ));
    out.push(Block::Center(format!("«{}»", c.plan.title), false));
    let mut intro = format!(
        "Срок представления отчётов школами — {} Справка составлена {} по сводному отчёту «{summary_file}».",
        ru_date_long(c.deadline),
        ru_date_long(input.generated)
    );
    let period = c.text(&c.def.note);
    if !period.is_empty() {
        intro.push(' ');
        intro.push_str(&period);
    }
    out.push(Block::Para(String::new(), intro));
    out
}

/// «1. Представление отчётов»: who returned, late, missing, returned for correction,
/// still expected; which schools the figures are from.
fn completeness_blocks(h: &Headline) -> Vec<Block> {
    let mut out = vec![Block::Heading("1. Представление отчётов".into())];
    let mut s = format!(
        "Ожидались отчёты от {} района. Приняты отчёты {}",
        gen(h.expected),
        gen(h.accepted.len())
    );
    if h.late.is_empty() {
        s.push('.');
    } else {
        s.push_str(&format!(", из них {} — с опозданием: {}.", h.late.len(), names(&h.late)));
    }
    out.push(Block::Para(String::new(), s));
    let lists = [
        (&h.missing, "Отчёт не получен от"),
        (&h.invalid, "Возвращены на доработку (в отчёте есть ошибки) отчёты"),
        (&h.pending, "Срок ещё не наступил; ожидаются отчёты"),
    ];
    for (schools, what) in lists {
        if !schools.is_empty() {
            out.push(Block::Para(
                String::new(),
                format!("{what} {}: {}.", gen(schools.len()), names(schools)),
            ));
        }
    }
    if h.late.is_empty() && h.missing.is_empty() && h.invalid.is_empty() && h.pending.is_empty() {
        out.push(Block::Para(
            String::new(),
            "Все школы представили отчёты в срок, все отчёты приняты.".into(),
        ));
    }
    let mut s = format!("Показатели ниже рассчитаны по данным {}.", gen(h.in_figures));
    if !h.included_invalid.is_empty() {
        s.push_str(&format!(
            " В их числе по решению методиста учтены отчёты с ошибками: {}.",
            names(&h.included_invalid)
        ));
    }
    out.push(Block::Para(String::new(), s));
    out
}

/// «n. Основные показатели (доли)»: a paragraph per share of the plan.
fn share_blocks(input: &SummaryInput, h: &Headline, n: usize) -> Vec<Block> {
    let mut out = vec![
        Block::Heading(format!("{n}. Основные показатели (доли)")),
        Block::Para(
            String::new(),
            "Доля по району — сумма числителей всех школ, делённая на сумму знаменателей \
             (не среднее процентов школ)."
                .into(),
        ),
    ];
    for sh in &h.shares {
        out.push(Block::Para(format!("{}. ", sh.item), share_paragraph(input, h, sh)));
    }
    out
}

/// A share of the district: its value, the change since the previous summary, the lowest
/// and the highest school, the schools furthest below.
fn share_paragraph(input: &SummaryInput, h: &Headline, sh: &ShareLine) -> String {
    let mut s = format!("{} — {}.", sh.label, share_text(sh.numerator, sh.denominator, sh.percent));
    if let Some(was) = sh.previous {
        s.push_str(&format!(" В предыдущем своде — {}", ru::percent(was)));
        if let Some(now) = sh.percent {
            s.push_str(&format!(", изменение — {}", ru::points(now - was)));
        }
        s.push('.');
    } else if h.previous.is_some() {
        s.push_str(" В предыдущем своде этой доли нет.");
    }
    let ind = input.district.indicators.iter().find(|i| i.code == sh.code);
    if let Some(Figure::Share { min: Some(a), max: Some(b), .. }) = ind.map(|i| &i.figure) {
        if a.value != b.value {
            s.push_str(&format!(
                " Наименьшая доля — {} ({}), наибольшая — {} ({}).",
                extreme_name(input, a),
                ru::percent(a.value),
                extreme_name(input, b),
                ru::percent(b.value)
            ));
        }
    }
    if !sh.below.is_empty() {
        s.push_str(&format!(
            " Ниже районного уровня — {}; сильнее всего отстают: {}.",
            count(sh.below.len(), SCHOOLS),
            lagging_list(&sh.below, crate::summary::headline::LAGGING)
        ));
    }
    s
}

/// «n. Выполнение плана по пунктам»: the school profile, then section by section every
/// item of the campaign with its indicators, its tables and their views.
fn item_blocks(input: &SummaryInput, n: usize) -> std::io::Result<Vec<Block>> {
    let c = input.campaign;
    let mut out = vec![Block::Heading(format!("{n}. Выполнение плана по пунктам"))];
    let profile: Vec<&Indicator> =
        input.district.indicators.iter().filter(|i| i.item == "ОО").collect();
    if !profile.is_empty() {
        out.push(Block::Para("Общие сведения о школах. ".into(), String::new()));
        for ind in profile {
            out.push(Block::Bullet(indicator_sentence(input, ind)));
        }
    }
    for section in &c.plan.sections {
        let items: Vec<&Item> = section.items.iter().filter(|i| c.has_item(&i.code)).collect();
        if items.is_empty() {
            continue;
        }
        out.push(Block::Para(
            format!("Раздел {}. {}", section.number, section.title),
            String::new(),
        ));
        for item in items {
            out.push(Block::Para(format!("{}. ", item.code), c.text(&item.text)));
            for ind in input.district.indicators.iter().filter(|i| i.item == item.code) {
                out.push(Block::Bullet(indicator_sentence(input, ind)));
            }
            for t in &item.tables {
                for s in table_sentences(input, t)? {
                    out.push(Block::Bullet(s));
                }
                for v in input.district.views.iter().filter(|v| v.table == t.code) {
                    out.push(view_table(v));
                }
            }
        }
    }
    Ok(out)
}

/// «n. Выводы и предложения»: what to do about missing, returned and late reports and
/// about schools far below a district share; the closing line on where the data is.
fn conclusion_blocks(h: &Headline, n: usize, summary_file: &str) -> Vec<Block> {
    let mut out = vec![Block::Heading(format!("{n}. Выводы и предложения"))];
    let lists = [
        (&h.missing, "Получить отчёты от школ, не представивших их"),
        (&h.invalid, "Проконтролировать исправление отчётов, возвращённых на доработку"),
        (&h.late, "Указать на нарушение срока представления отчёта"),
    ];
    for (schools, what) in lists {
        if !schools.is_empty() {
            out.push(Block::Bullet(format!("{what}: {}.", names(schools))));
        }
    }
    const FAR: f64 = 10.0;
    let nb = ru::NBSP;
    for sh in &h.shares {
        let far: Vec<Lagging> = sh.below.iter().filter(|l| l.gap > FAR).cloned().collect();
        if !far.is_empty() {
            out.push(Block::Bullet(format!(
                "{} ({}): обратить внимание школ, где доля ниже районной более чем на 10{nb}п.{nb}п.: {}.",
                sh.label,
                sh.item,
                far_list(&far)
            )));
        }
    }
    // Only the heading so far: nothing to ask of anyone.
    if out.len() == 1 {
        out.push(Block::Bullet(
            "Отчёты представлены в срок и приняты; ни одна школа не отстаёт от районной доли \
             более чем на 10 п. п."
                .into(),
        ));
    }
    out.push(Block::Para(
        String::new(),
        format!(
            "Данные каждой школы — в сводном отчёте «{summary_file}» (листы «По школам» и «Доли по школам»)."
        ),
    ));
    out
}

/// The whole note as plain text, a block a line: for tests and for a look in a terminal.
pub fn note_text(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Center(t, _) | Block::Heading(t) | Block::Bullet(t) => s.push_str(t),
            Block::Para(a, b) => {
                s.push_str(a);
                s.push_str(b);
            }
            Block::Table { title, head, rows, .. } => {
                s.push_str(title);
                for r in std::iter::once(head).chain(rows) {
                    s.push('\n');
                    s.push_str(&r.join(" | "));
                }
            }
        }
        s.push('\n');
    }
    s
}

const FONT: &str = "Times New Roman";
/// Sizes in half-points.
const BODY: usize = 26;
const SMALL: usize = 20;
/// A4 portrait, twentieths of a point; margins as Russian office documents have them.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_LEFT: i32 = 1701;
const MARGIN_RIGHT: i32 = 850;
const MARGIN_TB: i32 = 1134;

fn run(t: &str) -> Run {
    Run::new().add_text(t)
}

/// A paragraph with the next id. `docx-rs` numbers paragraphs from a per-thread counter
/// that lives as long as the thread; our own count gives the same bytes for the same note.
fn para(ids: &Cell<u32>) -> Paragraph {
    ids.set(ids.get() + 1);
    Paragraph::new().id(format!("{:08X}", ids.get()))
}

fn cell(ids: &Cell<u32>, t: &str, bold: bool, shade: bool, right: bool) -> TableCell {
    let mut r = run(t).size(SMALL);
    if bold {
        r = r.bold();
    }
    let p = para(ids)
        .add_run(r)
        .align(if right { AlignmentType::Right } else { AlignmentType::Left })
        .line_spacing(LineSpacing::new().after(0));
    let c = TableCell::new().add_paragraph(p);
    if shade {
        c.shading(Shading::new().fill("DCE6F1"))
    } else {
        c
    }
}

/// The note as .docx bytes.
pub fn write_note(input: &SummaryInput, summary_file: &str) -> anyhow::Result<Vec<u8>> {
    let blocks = note_blocks(input, summary_file)?;
    let date = format!("{}T00:00:00Z", input.generated.format("%Y-%m-%d"));
    let fonts = RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT);
    let text_w = PAGE_W as i32 - MARGIN_LEFT - MARGIN_RIGHT;
    let mut doc = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(PageMargin {
            top: MARGIN_TB,
            left: MARGIN_LEFT,
            bottom: MARGIN_TB,
            right: MARGIN_RIGHT,
            header: 709,
            footer: 709,
            gutter: 0,
        })
        .default_fonts(fonts)
        .default_size(BODY)
        .created_at(&date)
        .updated_at(&date);
    let ids = Cell::new(0);
    let body = |p: Paragraph| p.line_spacing(LineSpacing::new().after(80));
    for b in blocks {
        doc = match b {
            Block::Center(t, title) => {
                let mut r = run(&t);
                if title {
                    r = r.bold().size(30);
                }
                doc.add_paragraph(body(para(&ids).add_run(r).align(AlignmentType::Center)))
            }
            Block::Heading(t) => doc.add_paragraph(
                para(&ids)
                    .add_run(run(&t).bold())
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(200).after(100)),
            ),
            Block::Para(bold, t) => {
                let mut p = para(&ids);
                if !bold.is_empty() {
                    p = p.add_run(run(&bold).bold());
                }
                if !t.is_empty() {
                    p = p.add_run(run(&t));
                }
                if t.is_empty() {
                    p = p.keep_next(true);
                }
                doc.add_paragraph(body(p).align(AlignmentType::Both).indent(
                    None,
                    Some(SpecialIndentType::FirstLine(709)),
                    None,
                    None,
                ))
            }
            // Left-aligned: justified lines with long names bound by no-break spaces
            // stretch their gaps.
            Block::Bullet(t) => doc.add_paragraph(
                body(para(&ids).add_run(run(&format!("–\t{t}"))))
                    .align(AlignmentType::Left)
                    .indent(Some(709), Some(SpecialIndentType::Hanging(340)), None, None),
            ),
            Block::Table { title, head, rows, total } => {
                let doc = doc.add_paragraph(
                    para(&ids)
                        .add_run(run(&title).bold().size(SMALL + 2))
                        .keep_next(true)
                        .line_spacing(LineSpacing::new().before(120).after(60)),
                );
                let ncols = head.len().max(1);
                let first = (text_w as usize * 2 / 5).min(text_w as usize / ncols * 2);
                let rest = (text_w as usize - first) / (ncols - 1).max(1);
                let grid: Vec<usize> =
                    std::iter::once(first).chain(std::iter::repeat_n(rest, ncols - 1)).collect();
                let mut trs = vec![TableRow::new(
                    head.iter().map(|h| cell(&ids, h, true, true, false)).collect(),
                )];
                let last = rows.len().saturating_sub(1);
                for (i, r) in rows.iter().enumerate() {
                    let bold = total && i == last;
                    trs.push(TableRow::new(
                        r.iter()
                            .enumerate()
                            .map(|(j, x)| cell(&ids, x, bold, bold, j > 0))
                            .collect(),
                    ));
                }
                let table = Table::new(trs).set_grid(grid).width(text_w as usize, WidthType::Dxa);
                doc.add_table(table)
                    .add_paragraph(para(&ids).line_spacing(LineSpacing::new().after(60)))
            }
        };
    }
    let mut buf = Cursor::new(Vec::new());
    doc.build().pack(&mut buf).context("аналитическая справка: ошибка при сохранении .docx")?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_file_is_named_after_the_summary() {
        assert_eq!(
            note_path(Path::new("out/svod-2025-12-20.xlsx")),
            Path::new("out/svod-2025-12-20-spravka.docx")
        );
    }

    #[test]
    fn amounts_count_what_the_label_counts() {
        let plain = |s: String| s.replace(ru::NBSP, " ");
        assert_eq!(plain(amount(1.0, "ед.", "Количество мероприятий")), "1 мероприятие");
        assert_eq!(plain(amount(3.0, "ед.", "Количество мероприятий")), "3 мероприятия");
        assert_eq!(plain(amount(7577.0, "чел.", "Численность")), "7 577 чел.");
        assert_eq!(plain(amount(2.0, "ед.", "Количество договоров")), "2 договора");
    }
}
