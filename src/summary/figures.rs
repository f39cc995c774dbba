//! District figures from the schools' validated values.
//!
//! The rules, from the domain: counts are summed; a share is Σ numerators / Σ denominators
//! over the schools that reported both (never the mean of school percentages); yes/no is
//! the number and share of schools with «да»; choices (execution marks) are counted per
//! value; detail tables are concatenated and pivoted by the plan's views. Every indicator
//! keeps the cells it was computed from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::values::{CheckedValue, SchoolData, Schools};
use crate::plan::campaign::Campaign;
use crate::plan::expr::{Formula, Term};
use crate::plan::{Field, Kind, Share, Table, View};

/// The lowest or highest school value of an indicator. Ties: every school with that
/// value is named — the first (in registry order) here, the others in `tied`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extreme {
    pub value: f64,
    pub school_id: String,
    pub school_name: String,
    /// Other schools with the same value, registry order: `(id, name)`.
    pub tied: Vec<(String, String)>,
}

impl Extreme {
    /// The extreme of one school.
    pub fn new(value: f64, school_id: &str, school_name: &str) -> Extreme {
        Extreme {
            value,
            school_id: school_id.to_string(),
            school_name: school_name.to_string(),
            tied: Vec::new(),
        }
    }

    /// Every school with this value, registry order: `(id, name)`.
    pub fn schools(&self) -> Vec<(&str, &str)> {
        std::iter::once((self.school_id.as_str(), self.school_name.as_str()))
            .chain(self.tied.iter().map(|(i, n)| (i.as_str(), n.as_str())))
            .collect()
    }
}

/// The district value of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figure {
    /// Whole or decimal numbers: the sum.
    Sum { sum: f64, min: Option<Extreme>, max: Option<Extreme> },
    /// Σ numerators / Σ denominators; `percent` is None when Σ denominators is 0.
    /// `min`/`max` are school percentages (schools with a denominator > 0).
    Share {
        numerator: f64,
        denominator: f64,
        percent: Option<f64>,
        min: Option<Extreme>,
        max: Option<Extreme>,
    },
    /// Schools answering «да» / «нет»; `share_yes` in percent of the schools that answered.
    YesNo { yes: usize, no: usize, share_yes: Option<f64> },
    /// Schools per choice, in the list's order.
    Choice { counts: Vec<(String, usize)> },
    /// Text and dates: only how many schools filled them.
    Filled,
}

/// One line of «Свод по району».
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub item: String,
    /// Field or share code.
    pub code: String,
    /// Label, with the campaign's years filled in.
    pub label: String,
    pub unit: String,
    /// Schools that reported it (shares: both numerator and denominator).
    pub reported: usize,
    pub figure: Figure,
}

/// A view of a detail table: sums of `values` by `rows` (× `columns`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewFigures {
    pub item: String,
    pub table: String,
    pub title: String,
    /// Header of the row keys (the column label of `rows`).
    pub rows_label: String,
    pub rows: Vec<String>,
    /// Column keys; empty for a plain grouping.
    pub columns: Vec<String>,
    /// Labels of the summed values.
    pub value_labels: Vec<String>,
    /// `cells[row][column][value]`; with no `columns`, one column.
    pub cells: Vec<Vec<Vec<f64>>>,
    /// How many table rows fed the view.
    pub source_rows: usize,
    pub chart: bool,
}

/// Everything the summary shows about the district's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct District {
    /// Schools whose values are in the figures.
    pub schools: usize,
    pub indicators: Vec<Indicator>,
    pub views: Vec<ViewFigures>,
}

/// Where a running sum starts so that it equals `Iterator::sum` of the same numbers in the
/// same order (which starts from −0: a sum of nothing, or of −0 alone, is −0). Sums made
/// school by school use it to keep the bytes of sums made over a slice (test below).
pub const SUM_START: f64 = -0.0;

/// Numerator and denominator of a share for one school, when every term is filled.
pub fn school_share(share: &Share, school: &SchoolData) -> Option<(f64, f64)> {
    let side = |e: &Formula| {
        e.value_if_filled(|t| match t {
            Term::Field(c) => school.num(c),
            _ => None,
        })
    };
    Some((side(&share.numerator)?, side(&share.denominator)?))
}

fn extreme(school: &SchoolData, value: f64) -> Extreme {
    Extreme::new(value, &school.school_id, &school.school_name)
}

/// Track the lowest and highest value. Schools come in registry order; a school with the
/// same value as the current extreme is added to its `tied` list, so every school that
/// shares the lowest or highest value is named.
pub fn update_extremes(min: &mut Option<Extreme>, max: &mut Option<Extreme>, e: Extreme) {
    match min {
        Some(m) if e.value == m.value => m.tied.push((e.school_id.clone(), e.school_name.clone())),
        Some(m) if e.value > m.value => {}
        _ => *min = Some(e.clone()),
    }
    match max {
        Some(m) if e.value == m.value => m.tied.push((e.school_id.clone(), e.school_name.clone())),
        Some(m) if e.value < m.value => {}
        _ => *max = Some(e),
    }
}

/// What is being summed of one indicator, school by school (registry order).
enum Acc<'p> {
    Sum { sum: f64, min: Option<Extreme>, max: Option<Extreme> },
    YesNo { yes: usize, no: usize },
    Choice { counts: Vec<(String, usize)> },
    Filled,
    Share { sh: &'p Share, num: f64, den: f64, min: Option<Extreme>, max: Option<Extreme> },
}

/// One indicator being summed: its line of «Свод по району» without the figure yet.
struct IndicatorAcc<'p> {
    item: String,
    /// The field (`None` for a share).
    field: Option<&'p Field>,
    code: String,
    label: String,
    unit: String,
    reported: usize,
    acc: Acc<'p>,
}

impl<'p> IndicatorAcc<'p> {
    fn field(c: &Campaign<'p>, item: &str, f: &'p Field) -> IndicatorAcc<'p> {
        let acc = match f.kind {
            Kind::Integer | Kind::Decimal => Acc::Sum { sum: 0.0, min: None, max: None },
            Kind::YesNo => Acc::YesNo { yes: 0, no: 0 },
            Kind::Choice => Acc::Choice {
                counts: c.plan.choices_of(f).iter().map(|v| (v.to_string(), 0)).collect(),
            },
            Kind::Text | Kind::Date => Acc::Filled,
        };
        IndicatorAcc {
            item: item.to_string(),
            field: Some(f),
            code: f.code.clone(),
            label: c.text(&f.label),
            unit: f.unit.clone(),
            reported: 0,
            acc,
        }
    }

    fn share(c: &Campaign<'p>, item: &str, sh: &'p Share) -> IndicatorAcc<'p> {
        IndicatorAcc {
            item: item.to_string(),
            field: None,
            code: sh.code.clone(),
            label: c.text(&sh.label),
            unit: "%".into(),
            reported: 0,
            acc: Acc::Share { sh, num: 0.0, den: 0.0, min: None, max: None },
        }
    }

    /// Add one school (schools come in registry order: sums and extremes depend on it).
    fn add(&mut self, s: &SchoolData) {
        let value = self.field.and_then(|f| s.fields.get(&f.code)).map(|v| &v.value);
        match &mut self.acc {
            Acc::Sum { sum, min, max } => {
                if let Some(n) = value.and_then(CheckedValue::num) {
                    self.reported += 1;
                    *sum += n;
                    update_extremes(min, max, extreme(s, n));
                }
            }
            Acc::YesNo { yes, no } => match value.and_then(CheckedValue::text) {
                Some("да") => {
                    *yes += 1;
                    self.reported += 1;
                }
                Some("нет") => {
                    *no += 1;
                    self.reported += 1;
                }
                _ => {}
            },
            Acc::Choice { counts } => {
                if let Some(slot) = value
                    .and_then(CheckedValue::text)
                    .and_then(|t| counts.iter_mut().find(|(k, _)| k == t))
                {
                    slot.1 += 1;
                    self.reported += 1;
                }
            }
            Acc::Filled => self.reported += usize::from(value.is_some()),
            Acc::Share { sh, num, den, min, max } => {
                if let Some((n, d)) = school_share(sh, s) {
                    *num += n;
                    *den += d;
                    self.reported += 1;
                    if d > 0.0 {
                        update_extremes(min, max, extreme(s, n * 100.0 / d));
                    }
                }
            }
        }
    }

    fn finish(self) -> Indicator {
        let reported = self.reported;
        let figure = match self.acc {
            Acc::Sum { sum, min, max } => Figure::Sum { sum, min, max },
            Acc::YesNo { yes, no } => {
                let share_yes = (reported > 0).then(|| yes as f64 * 100.0 / reported as f64);
                Figure::YesNo { yes, no, share_yes }
            }
            Acc::Choice { counts } => Figure::Choice { counts },
            Acc::Filled => Figure::Filled,
            Acc::Share { num, den, min, max, .. } => {
                let percent = (den > 0.0).then(|| num * 100.0 / den);
                Figure::Share { numerator: num, denominator: den, percent, min, max }
            }
        };
        Indicator {
            item: self.item,
            code: self.code,
            label: self.label,
            unit: self.unit,
            reported,
            figure,
        }
    }
}

/// Normalised key of a free-text value: case, spaces and «ё» do not make two professions.
fn text_key(s: &str) -> String {
    crate::text::fold(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// First letter upper-case, the rest as typed (spaces collapsed).
fn text_display(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut ch = s.chars();
    match ch.next() {
        Some(f) => f.to_uppercase().chain(ch).collect(),
        None => s,
    }
}

/// A group of a view: display text and sums per column and value.
type Group = (String, Vec<Vec<f64>>);

/// A view of a detail table being summed, school by school.
struct ViewAcc<'p> {
    item: String,
    t: &'p Table,
    v: &'p View,
    rows_col: &'p crate::plan::Field,
    choice_rows: bool,
    columns: Vec<String>,
    /// key → (display, cells[col][value])
    groups: BTreeMap<String, Group>,
    source_rows: usize,
}

impl<'p> ViewAcc<'p> {
    fn new(c: &Campaign<'p>, item: &str, t: &'p Table, v: &'p View) -> ViewAcc<'p> {
        let col = |code: &str| t.columns.iter().find(|x| x.code == code);
        let rows_col = col(&v.rows).expect("checked by the plan loader");
        let choice_rows = matches!(rows_col.kind, Kind::Choice | Kind::YesNo);
        let columns: Vec<String> = match v.columns.as_deref().and_then(col) {
            Some(cc) => c.plan.choices_of(cc).iter().map(|s| s.to_string()).collect(),
            None => Vec::new(),
        };
        ViewAcc {
            item: item.to_string(),
            t,
            v,
            rows_col,
            choice_rows,
            columns,
            groups: BTreeMap::new(),
            source_rows: 0,
        }
    }

    fn add(&mut self, s: &SchoolData) {
        let (t, v) = (self.t, self.v);
        let width = self.columns.len().max(1);
        let nvals = v.values.len();
        for row in s.tables.get(&t.code).map(Vec::as_slice).unwrap_or_default() {
            let Some(key_val) = row.values.get(&v.rows) else { continue };
            let raw = key_val.display();
            let (key, display) = if self.choice_rows {
                (raw.clone(), raw)
            } else {
                (text_key(&raw), text_display(&raw))
            };
            if key.is_empty() {
                continue;
            }
            let ci = match &v.columns {
                Some(cc) => {
                    match row
                        .values
                        .get(cc)
                        .map(CheckedValue::display)
                        .and_then(|x| self.columns.iter().position(|k| *k == x))
                    {
                        Some(i) => i,
                        None => continue,
                    }
                }
                None => 0,
            };
            self.source_rows += 1;
            let entry =
                self.groups.entry(key).or_insert_with(|| (display, vec![vec![0.0; nvals]; width]));
            for (vi, vc) in v.values.iter().enumerate() {
                entry.1[ci][vi] += row.values.get(vc).and_then(CheckedValue::num).unwrap_or(0.0);
            }
        }
    }

    fn finish(self, c: &Campaign) -> ViewFigures {
        let ViewAcc { item, t, v, rows_col, choice_rows, columns, mut groups, source_rows } = self;
        let col = |code: &str| t.columns.iter().find(|x| x.code == code);
        let mut ordered: Vec<(String, Vec<Vec<f64>>)> = Vec::new();
        if choice_rows && v.top.is_none() {
            for choice in c.plan.choices_of(rows_col) {
                if let Some(g) = groups.remove(choice) {
                    ordered.push(g);
                }
            }
        } else {
            let total = |cells: &Vec<Vec<f64>>| cells.iter().map(|c| c[0]).sum::<f64>();
            let mut all: Vec<(String, Group)> = groups.into_iter().collect();
            // Largest first; ties by key, so the order is the same on every run.
            all.sort_by(|a, b| {
                total(&b.1 .1).total_cmp(&total(&a.1 .1)).then_with(|| a.0.cmp(&b.0))
            });
            if let Some(n) = v.top {
                all.truncate(n as usize);
            }
            ordered = all.into_iter().map(|(_, g)| g).collect();
        }
        let value_labels = v
            .values
            .iter()
            .map(|vc| col(vc).map(|f| c.text(&f.label)).unwrap_or_else(|| vc.clone()))
            .collect();
        ViewFigures {
            item,
            table: t.code.clone(),
            title: c.text(&v.title),
            rows_label: c.text(&rows_col.label),
            rows: ordered.iter().map(|(d, _)| d.clone()).collect(),
            columns,
            value_labels,
            cells: ordered.into_iter().map(|(_, cells)| cells).collect(),
            source_rows,
            chart: v.chart,
        }
    }
}

/// The district figures being summed, one school at a time in registry order
/// ([`Consolidation::add`]), so that the schools' values need not all be in memory: every
/// indicator and view sums its schools in the same order as when it was summed alone.
pub struct Consolidation<'c, 'p> {
    c: &'c Campaign<'p>,
    indicators: Vec<IndicatorAcc<'p>>,
    views: Vec<ViewAcc<'p>>,
    schools: usize,
}

impl<'c, 'p> Consolidation<'c, 'p> {
    pub fn new(c: &'c Campaign<'p>) -> Consolidation<'c, 'p> {
        let mut indicators = Vec::new();
        for f in c.profile_fields() {
            indicators.push(IndicatorAcc::field(c, "ОО", f));
        }
        let mut views = Vec::new();
        for item in c.items() {
            for f in &item.fields {
                indicators.push(IndicatorAcc::field(c, &item.code, f));
            }
            for sh in &item.shares {
                indicators.push(IndicatorAcc::share(c, &item.code, sh));
            }
            for t in &item.tables {
                for v in &t.views {
                    views.push(ViewAcc::new(c, &item.code, t, v));
                }
            }
        }
        Consolidation { c, indicators, views, schools: 0 }
    }

    /// Add the next school (registry order).
    pub fn add(&mut self, s: &SchoolData) {
        self.schools += 1;
        self.indicators.iter_mut().for_each(|i| i.add(s));
        self.views.iter_mut().for_each(|v| v.add(s));
    }

    pub fn finish(self) -> District {
        let c = self.c;
        District {
            schools: self.schools,
            indicators: self.indicators.into_iter().map(IndicatorAcc::finish).collect(),
            views: self.views.into_iter().map(|v| v.finish(c)).collect(),
        }
    }
}

/// District figures of a campaign from the schools in the figures (in registry order).
pub fn consolidate(c: &Campaign, schools: &[SchoolData]) -> District {
    let mut all = Consolidation::new(c);
    schools.iter().for_each(|s| all.add(s));
    all.finish()
}

/// [`consolidate`] of [`Schools`], read one at a time (from `collect`'s spill file).
pub fn consolidate_schools(c: &Campaign, schools: &Schools) -> std::io::Result<District> {
    let mut all = Consolidation::new(c);
    schools.try_for_each(|s| {
        all.add(s);
        Ok::<(), std::io::Error>(())
    })?;
    Ok(all.finish())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_running_sum_from_sum_start_is_iterator_sum() {
        let cases: [&[f64]; 5] = [&[], &[-0.0], &[0.0, -0.0], &[-0.0, -0.0], &[0.1, 0.2, -0.3]];
        for v in cases {
            let sum: f64 = v.iter().sum();
            let running = v.iter().fold(super::SUM_START, |a, b| a + b);
            assert_eq!(sum.to_bits(), running.to_bits(), "{v:?}");
        }
    }

    use super::*;
    use crate::check::values::{CheckedField, Row, Source};
    use crate::plan::Plan;

    fn school(id: &str, fields: &[(&str, CheckedValue)]) -> SchoolData {
        SchoolData {
            school_id: id.into(),
            school_name: format!("Школа {id}"),
            file: format!("{id}.xlsx"),
            fields: fields
                .iter()
                .enumerate()
                .map(|(i, (c, v))| {
                    let source = Source {
                        file: format!("{id}.xlsx"),
                        sheet: "Отчёт".into(),
                        cell: format!("E{}", i + 10),
                    };
                    (c.to_string(), CheckedField { value: v.clone(), source })
                })
                .collect(),
            tables: BTreeMap::new(),
            invalid: false,
        }
    }

    fn find<'a>(d: &'a District, code: &str) -> &'a Indicator {
        d.indicators.iter().find(|i| i.code == code).unwrap()
    }

    #[test]
    fn shares_are_ratios_of_sums_not_means() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        // 10/100 = 10 % and 90/100... no: 9/10 = 90 %; mean of percentages = 50 %,
        // the district share is 19/110 = 17.27 %.
        let a = school(
            "01",
            &[
                ("oo_students_6_11", CheckedValue::Num(100.0)),
                ("p2_1_covered", CheckedValue::Num(10.0)),
            ],
        );
        let b = school(
            "02",
            &[
                ("oo_students_6_11", CheckedValue::Num(10.0)),
                ("p2_1_covered", CheckedValue::Num(9.0)),
            ],
        );
        // Reports the denominator only: not in the share.
        let d = school("03", &[("oo_students_6_11", CheckedValue::Num(50.0))]);
        let district = consolidate(&c, &[a, b, d]);
        let share = find(&district, "s2_1_covered");
        assert_eq!(share.reported, 2);
        match &share.figure {
            Figure::Share { numerator, denominator, percent, min, max } => {
                assert_eq!((*numerator, *denominator), (19.0, 110.0));
                assert!((percent.unwrap() - 1900.0 / 110.0).abs() < 1e-9);
                assert_eq!(min.as_ref().unwrap().school_id, "01");
                assert_eq!(max.as_ref().unwrap().value, 90.0);
            }
            other => panic!("{other:?}"),
        }
        let students = find(&district, "oo_students_6_11");
        assert_eq!(students.reported, 3);
        assert!(matches!(students.figure, Figure::Sum { sum, .. } if sum == 160.0));
    }

    #[test]
    fn yes_no_and_marks_count_schools() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-09-15").unwrap();
        let a = school(
            "01",
            &[
                ("p6_1_has_acts", CheckedValue::Text("да".into())),
                ("p1_1_mark", CheckedValue::Text("частично".into())),
            ],
        );
        let b = school(
            "02",
            &[
                ("p6_1_has_acts", CheckedValue::Text("нет".into())),
                ("p1_1_mark", CheckedValue::Text("частично".into())),
            ],
        );
        let e = school("03", &[("p6_1_has_acts", CheckedValue::Text("да".into()))]);
        let district = consolidate(&c, &[a, b, e]);
        let acts = find(&district, "p6_1_has_acts");
        assert_eq!(acts.figure, Figure::YesNo { yes: 2, no: 1, share_yes: Some(200.0 / 3.0) });
        match &find(&district, "p1_1_mark").figure {
            Figure::Choice { counts } => {
                assert_eq!(counts[1], ("частично".to_string(), 2));
                assert_eq!(counts[0].1 + counts[2].1, 0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn views_pivot_and_rank() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2026-05-25").unwrap();
        let row = |n: u32, vals: &[(&str, CheckedValue)]| Row {
            sheet: "x".into(),
            row: n,
            values: vals.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        };
        let t = |s: &str| CheckedValue::Text(s.into());
        let mut a = school("01", &[]);
        a.tables.insert(
            "t1_6".into(),
            vec![
                row(
                    4,
                    &[
                        ("subject", t("физика")),
                        ("stage", t("муниципальный")),
                        ("participants", CheckedValue::Num(5.0)),
                        ("winners", CheckedValue::Num(1.0)),
                    ],
                ),
                row(
                    5,
                    &[
                        ("subject", t("биология")),
                        ("stage", t("школьный")),
                        ("participants", CheckedValue::Num(20.0)),
                        ("winners", CheckedValue::Num(3.0)),
                    ],
                ),
            ],
        );
        a.tables.insert(
            "t1_3".into(),
            vec![
                row(4, &[("profession", t("врач")), ("students", CheckedValue::Num(3.0))]),
                row(5, &[("profession", t("Программист")), ("students", CheckedValue::Num(4.0))]),
            ],
        );
        let mut b = school("02", &[]);
        b.tables.insert(
            "t1_6".into(),
            vec![row(
                4,
                &[
                    ("subject", t("физика")),
                    ("stage", t("муниципальный")),
                    ("participants", CheckedValue::Num(2.0)),
                    ("winners", CheckedValue::Num(2.0)),
                ],
            )],
        );
        b.tables.insert(
            "t1_3".into(),
            vec![row(4, &[("profession", t(" Врач ")), ("students", CheckedValue::Num(5.0))])],
        );
        let d = consolidate(&c, &[a, b]);
        let v = d.views.iter().find(|v| v.title == "Участники ВсОШ по предметам и этапам").unwrap();
        // Choice rows follow the list order: биология before физика.
        assert_eq!(v.rows, ["биология", "физика"]);
        assert_eq!(v.columns, ["школьный", "муниципальный", "региональный", "заключительный"]);
        assert_eq!(v.cells[1][1], vec![7.0]);
        assert_eq!(v.cells[0][0], vec![20.0]);
        let rank =
            d.views.iter().find(|v| v.title == "Наиболее часто выбираемые профессии").unwrap();
        assert_eq!(rank.rows, ["Врач", "Программист"]);
        assert_eq!(rank.cells[0][0], vec![8.0]);
    }
}
