//! The headline: the few figures a head of department reads first — completeness, the
//! plan's shares with numerator and denominator (and the change against `--compare`),
//! and the schools furthest below the district level.
//!
//! [`headline`] gathers them as data from the consolidated figures (`summary::figures`'s
//! shares, `school_share` for each school, the check report's statuses); [`write`] puts
//! them at the top of «Свод по району», and the analytic note (`crate::summary::note`) says the
//! same figures in sentences. Both read one [`Headline`], so they cannot disagree.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::compare::Key;
use super::style::Styles;
use super::*;
use crate::check::report::Status;
use crate::ru;
use crate::summary::figures::{school_share, Figure};

/// How many lagging schools the headline names per share.
pub const LAGGING: usize = 3;

/// A school by its short name (the registry's, else the name it gave).
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// A school's share below the district's.
#[derive(Debug, Clone, PartialEq)]
pub struct Lagging {
    pub school: Named,
    /// The school's share, percent.
    pub percent: f64,
    /// Percentage points below the district share (> 0).
    pub gap: f64,
}

/// One share of the plan, as in «Свод по району».
#[derive(Debug, Clone, PartialEq)]
pub struct ShareLine {
    pub item: String,
    pub code: String,
    pub label: String,
    pub numerator: f64,
    pub denominator: f64,
    /// Σ numerators / Σ denominators, percent; None when Σ denominators is 0.
    pub percent: Option<f64>,
    /// Schools that gave both numerator and denominator.
    pub reported: usize,
    /// Schools below the district share (denominator > 0), furthest first.
    pub below: Vec<Lagging>,
    /// The district share of the previous summary (`--compare`), percent.
    pub previous: Option<f64>,
}

/// The headline of a summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Schools of the registry: the reports expected.
    pub expected: usize,
    pub accepted: Vec<Named>,
    pub late: Vec<Named>,
    /// Returned for correction (a return with errors).
    pub invalid: Vec<Named>,
    /// Sent nothing, the deadline has passed.
    pub missing: Vec<Named>,
    /// Sent nothing yet, before the deadline.
    pub pending: Vec<Named>,
    /// Schools whose values are in the figures.
    pub in_figures: usize,
    /// Of them, returns with errors taken in by `--include-invalid`.
    pub included_invalid: Vec<Named>,
    pub shares: Vec<ShareLine>,
    /// «…, файл svod-dec.xlsx, свод от …» with `--compare`.
    pub previous: Option<String>,
}

fn named(input: &SummaryInput, id: &str, fallback: &str) -> Named {
    let name = input.registry.get(id).map(|s| s.short_name.as_str()).unwrap_or(fallback);
    Named { id: id.to_string(), name: name.to_string() }
}

/// The headline figures of a summary (the schools' shares read in one pass over them).
pub fn headline(input: &SummaryInput) -> std::io::Result<Headline> {
    let schools = &input.report.schools;
    let with = |f: &dyn Fn(&crate::check::report::SchoolStatus) -> bool| -> Vec<Named> {
        schools.iter().filter(|s| f(s)).map(|s| named(input, &s.id, &s.name)).collect()
    };
    let c = input.campaign;
    // The shares with a district figure, and the district's percent when there is one.
    let mut found = Vec::new();
    for (item, sh) in c.shares() {
        let Some(ind) =
            input.district.indicators.iter().find(|i| i.item == item.code && i.code == sh.code)
        else {
            continue;
        };
        let Figure::Share { numerator, denominator, percent, .. } = &ind.figure else {
            continue;
        };
        found.push((item, sh, ind, (*numerator, *denominator, *percent), Vec::<Lagging>::new()));
    }
    input.schools.try_for_each(|s| {
        for (_, sh, _, (_, _, percent), below) in found.iter_mut() {
            let Some(district) = percent else { continue };
            if let Some((n, d)) = school_share(sh, s).filter(|(_, d)| *d > 0.0) {
                let p = n * 100.0 / d;
                if p < *district {
                    below.push(Lagging {
                        school: named(input, &s.school_id, &s.school_name),
                        percent: p,
                        gap: *district - p,
                    });
                }
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    let mut shares = Vec::new();
    for (item, sh, ind, (numerator, denominator, percent), mut below) in found {
        // Furthest below first; the sort is stable, so ties keep registry order.
        below.sort_by(|a, b| b.gap.total_cmp(&a.gap));
        shares.push(ShareLine {
            item: item.code.clone(),
            code: sh.code.clone(),
            label: ind.label.clone(),
            numerator,
            denominator,
            percent,
            reported: ind.reported,
            below,
            previous: input.previous.and_then(|p| p.district(&Key::Share(sh))),
        });
    }
    Ok(Headline {
        expected: schools.len(),
        accepted: with(&|s| s.status == Status::Accepted),
        late: with(&|s| s.late),
        invalid: with(&|s| s.status == Status::Invalid),
        missing: with(&|s| s.status == Status::Missing),
        pending: with(&|s| s.status == Status::Expected),
        in_figures: input.schools.len(),
        included_invalid: input
            .schools
            .heads()
            .filter(|s| s.invalid)
            .map(|s| named(input, s.school_id, s.school_name))
            .collect(),
        shares,
        previous: input.previous.map(|p| p.describe()),
    })
}

/// The schools by name; past [`ru::NAMES_SHOWN`] the first of them and where all are.
fn names(v: &[Named]) -> String {
    let names: Vec<&str> = v.iter().map(|n| n.name.as_str()).collect();
    ru::capped(&names, |n| {
        format!("и ещё {} ОО — все на листе «{}»", ru::int(n as i64), super::SHEET_RETURNS)
    })
}

/// «Красносвободненская СОШ — 45,0 % (на 32,9 п. п. ниже)», one school a line.
pub fn lagging_text(below: &[Lagging]) -> String {
    below
        .iter()
        .take(LAGGING)
        .map(|l| {
            format!(
                "{} — {} (на {} ниже)",
                l.school.name,
                ru::percent(l.percent),
                ru::points(l.gap).trim_start_matches('+')
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes the headline block from row `r` of «Свод по району» (columns widths `w`);
/// returns the first free row after it.
pub(crate) fn write(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    r: u32,
    w: &[f64],
) -> Result<u32, XlsxError> {
    let h = headline(ctx.input)?;
    let cols = w.len() as u16;
    let compare = ctx.input.previous.is_some();
    banner(ws, r, w, "Главное", &st.section, PT_SECTION)?;
    let mut r = r + 1;

    // Completeness: one line per status, the count and the schools by name.
    let names_w: f64 = w[4..].iter().sum();
    let mut lines: Vec<(&str, usize, String)> = vec![
        ("Ожидалось отчётов (ОО в реестре)", h.expected, String::new()),
        ("Принято", h.accepted.len(), String::new()),
        ("из них сдано с опозданием", h.late.len(), names(&h.late)),
        ("С ошибками — возвращены на доработку", h.invalid.len(), names(&h.invalid)),
        ("Не сдали", h.missing.len(), names(&h.missing)),
    ];
    if !h.pending.is_empty() {
        lines.push(("Ожидаются (срок не наступил)", h.pending.len(), names(&h.pending)));
    }
    let taken_in = if h.included_invalid.is_empty() {
        String::new()
    } else {
        format!(
            "из них с ошибками, включены ключом --include-invalid: {}",
            names(&h.included_invalid)
        )
    };
    lines.push(("В показателях свода учтены данные ОО", h.in_figures, taken_in));
    for (label, n, who) in lines {
        text(ws, r, 0, "", &st.text)?;
        ws.merge_range(r, 1, r, 2, "", &st.text)?;
        text(ws, r, 1, label, &st.text)?;
        num(ws, r, 3, n as f64, &st.int)?;
        ws.merge_range(r, 4, r, cols - 1, "", &st.text)?;
        text(ws, r, 4, &who, &st.text)?;
        fit_row(ws, r, &[(label, w[1] + w[2]), (&who, names_w)], PT_CELL)?;
        r += 1;
    }

    if h.shares.is_empty() {
        return Ok(r + 1);
    }
    r += 1;
    let mut heads = vec![
        "Пункт",
        "Доля по плану",
        "",
        "Доля по району",
        "Числитель: сумма по ОО",
        "Знаменатель: сумма по ОО",
        "Отчитались ОО",
        "ОО дальше всего ниже районной доли",
    ];
    let was = ctx.input.previous.map(|p| p.was_header(ctx.campaign())).unwrap_or_default();
    if compare {
        heads.extend(["", "", "", was.as_str(), "Изменение", "Динамика"]);
    }
    for (i, head) in heads.iter().enumerate() {
        text(ws, r, i as u16, head, &st.header)?;
    }
    ws.merge_range(r, 1, r, 2, "Доля по плану", &st.header)?;
    ws.merge_range(r, 7, r, 10, "ОО дальше всего ниже районной доли", &st.header)?;
    fit_row(ws, r, &[(heads[4], w[4]), (heads[5], w[5]), (heads[6], w[6])], PT_HEADER)?;
    r += 1;
    for s in &h.shares {
        // «2.1. Доля …»: the main table below has the same label in column B alone.
        let label = format!("{}. {}", s.item, s.label);
        text(ws, r, 0, &s.item, &st.text_center)?;
        ws.merge_range(r, 1, r, 2, "", &st.text)?;
        text(ws, r, 1, &label, &st.text)?;
        num(ws, r, 4, s.numerator, st.number(s.numerator))?;
        num(ws, r, 5, s.denominator, st.number(s.denominator))?;
        let cached = s.percent.map(|p| p / 100.0);
        formula(ws, r, 3, &ratio_formula(&cell(r, 4), &cell(r, 5)), cached, &st.pct)?;
        num(ws, r, 6, s.reported as f64, &st.int)?;
        ws.merge_range(r, 7, r, 10, "", &st.text)?;
        let lag = lagging_text(&s.below);
        text(ws, r, 7, &lag, &st.text)?;
        if compare {
            match s.previous {
                Some(was) => {
                    num(ws, r, 11, was / 100.0, &st.pct)?;
                    match s.percent {
                        Some(now) => {
                            num(ws, r, 12, now - was, &st.delta_pp)?;
                            text(ws, r, 13, super::compare::trend(was, now), &st.text_center)?;
                        }
                        None => {
                            ws.write_blank(r, 12, &st.text)?;
                            ws.write_blank(r, 13, &st.text)?;
                        }
                    }
                }
                None => {
                    text(ws, r, 11, "нет данных", &st.text)?;
                    ws.write_blank(r, 12, &st.text)?;
                    ws.write_blank(r, 13, &st.text)?;
                }
            }
            ws.write_blank(r, 14, &st.text)?;
        }
        fit_row(ws, r, &[(&label, w[1] + w[2]), (&lag, w[7..11].iter().sum())], PT_CELL)?;
        r += 1;
    }
    Ok(r + 1)
}
