//! Synthetic filled returns: realistic values for a school's form, seeded and reproducible.
//!
//! Used by the tests (a district with known values), by the example returns and by the
//! benchmark generator. Values respect the plan's bounds and control rules unless a
//! [`Defect`] asks for a specific mistake people make.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::plan::campaign::Campaign;
use crate::plan::{Field, Kind};
use crate::schools::School;

pub use crate::form::fill::{Fill, FillValue};

/// A mistake to build into a synthetic return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// «1 234» typed as text: accepted with a warning.
    NumberAsText,
    /// More covered students than students: a control-rule error.
    RuleBroken,
    /// «12,5» in a whole-number field.
    Fraction,
    /// «15 чел.» in a number field.
    Units,
    /// A required field left blank.
    Blank,
    /// A table row with a required column blank.
    HalfRow,
    /// Nothing entered at all.
    Untouched,
}

fn rng_for(seed: u64, school: &str) -> ChaCha8Rng {
    // Each school's values depend only on the seed and its id, not on the order.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in school.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(seed ^ h)
}

const PROFESSIONS: [(&str, &str); 16] = [
    ("Программист", "информационные технологии и связь"),
    ("Врач", "здравоохранение и социальные услуги"),
    ("Учитель", "образование"),
    ("Агроном", "сельское хозяйство"),
    ("Инженер-механик", "промышленность"),
    ("Ветеринар", "сельское хозяйство"),
    ("Полицейский", "государственное управление и безопасность"),
    ("Бухгалтер", "финансы и экономика"),
    ("Повар", "сфера услуг"),
    ("Медицинская сестра", "здравоохранение и социальные услуги"),
    ("Водитель", "транспорт и логистика"),
    ("Электромонтёр", "строительство"),
    ("Юрист", "государственное управление и безопасность"),
    ("Дизайнер", "культура, спорт, туризм"),
    ("Тракторист-машинист", "сельское хозяйство"),
    ("Продавец-консультант", "торговля"),
];

const CONTESTS: [&str; 6] = [
    "Билет в будущее: фестиваль профессий",
    "Абилимпикс",
    "Моя профессия — моё будущее",
    "ПроеКТОриЯ: конкурс проектов",
    "Юный агроном",
    "Профессионалы (юниоры)",
];

/// Realistic values for one school's form of a campaign.
pub fn fill(c: &Campaign, school: &School, seed: u64, defect: Option<Defect>) -> Fill {
    let mut rng = rng_for(seed, &school.id);
    let mut f = Fill::default();
    if defect == Some(Defect::Untouched) {
        return f;
    }
    let students = school
        .profile
        .get("oo_students_6_11")
        .copied()
        .unwrap_or_else(|| rng.random_range(60..900) as f64);
    fn put(f: &mut Fill, code: &str, v: f64) {
        f.values.insert(code.to_string(), FillValue::Num(v.round()));
    }
    // Profile: registry figures where known, plausible ones otherwise.
    let prof = |code: &str, rng: &mut ChaCha8Rng, default: f64| -> f64 {
        school
            .profile
            .get(code)
            .copied()
            .unwrap_or_else(|| (default * rng.random_range(0.8..1.2)).round())
    };
    let ovz = prof("oo_students_ovz", &mut rng, students * 0.05);
    let teachers = prof("oo_teachers", &mut rng, students / 9.0 + 8.0);
    let g9 = prof("oo_graduates_9", &mut rng, students / 6.0);
    let g11 = prof("oo_graduates_11", &mut rng, students / 14.0);
    let p11 = prof("oo_profile_11", &mut rng, g11 * 0.6);
    let frac =
        |rng: &mut ChaCha8Rng, a: f64, b: f64, of: f64| (of * rng.random_range(a..b)).floor();

    fill_meta(&mut f, &mut rng);
    for pf in c.profile_fields() {
        let v = match pf.code.as_str() {
            "oo_students_6_11" => students,
            "oo_students_ovz" => ovz,
            "oo_teachers" => teachers,
            "oo_graduates_9" => g9,
            "oo_graduates_11" => g11,
            "oo_profile_11" => p11,
            _ => generic_number(pf, &mut rng),
        };
        put(&mut f, &pf.code, v);
    }
    let registered = frac(&mut rng, 0.3, 0.9, students);
    for (_, field) in c.item_fields() {
        let code = field.code.as_str();
        let v: Option<f64> = match code {
            "p2_1_covered" => Some(frac(&mut rng, 0.55, 1.0, students)),
            "p2_2_students" => Some(frac(&mut rng, 0.0, 0.1, students)),
            "p3_1_chose" => Some(frac(&mut rng, 0.5, 1.0, p11)),
            "p4_1_g9_spo" => Some(frac(&mut rng, 0.2, 0.6, g9)),
            "p4_1_g11_spo" => Some(frac(&mut rng, 0.05, 0.3, g11)),
            "p4_1_g11_vuz" => Some(frac(&mut rng, 0.2, 0.6, g11)),
            "p5_1_registered" => Some(registered),
            "p5_1_probes" => Some(frac(&mut rng, 0.1, 0.7, registered)),
            "p5_2_students" => Some(frac(&mut rng, 0.3, 0.95, students)),
            "p6_2_trained" => Some(frac(&mut rng, 0.0, 0.4, teachers)),
            "p6_3_students" => Some(frac(&mut rng, 0.3, 1.0, ovz)),
            "p1_5_students" | "p7_2_students" => Some(frac(&mut rng, 0.3, 0.95, students)),
            "p1_5_parents" => Some(frac(&mut rng, 0.3, 1.2, students)),
            _ => None,
        };
        match (v, field.kind) {
            (Some(v), _) => put(&mut f, code, v),
            (None, Kind::Integer | Kind::Decimal) => {
                if field.required || rng.random_bool(0.5) {
                    put(&mut f, code, generic_number(field, &mut rng))
                }
            }
            (None, Kind::YesNo) => {
                let yes = rng.random_bool(0.8);
                f.values
                    .insert(code.into(), FillValue::Text(if yes { "да" } else { "нет" }.into()));
            }
            (None, Kind::Choice) => {
                let list = c.plan.choices_of(field);
                // Marks: mostly «выполнено».
                let i = if rng.random_bool(0.7) { 0 } else { rng.random_range(0..list.len()) };
                f.values.insert(code.into(), FillValue::Text(list[i].to_string()));
            }
            (None, Kind::Text) => {
                if rng.random_bool(0.4) {
                    f.values.insert(
                        code.into(),
                        FillValue::Text(format!(
                            "Приказ № {} от 01.09.2025",
                            rng.random_range(10..300)
                        )),
                    );
                }
            }
            (None, Kind::Date) => {}
        }
    }
    fill_tables(c, &mut f, &mut rng);
    apply_defect(c, &mut f, defect, students);
    f
}

/// The person who filled the form in: name, position, phone.
fn fill_meta(f: &mut Fill, rng: &mut ChaCha8Rng) {
    let who = ["Иванова Мария Петровна", "Петров Сергей Николаевич", "Смирнова Ольга Игоревна"];
    let pick = rng.random_range(0..who.len());
    f.values.insert("meta_fio".into(), FillValue::Text(who[pick].into()));
    f.values.insert("meta_position".into(), FillValue::Text("заместитель директора по ВР".into()));
    f.values.insert(
        "meta_phone".into(),
        FillValue::Text(format!(
            "8 (4752) {:02}-{:02}-{:02}",
            rng.random_range(10..99),
            rng.random_range(10..99),
            rng.random_range(10..99)
        )),
    );
}

/// A few rows in every table of the campaign: professions with their activity, contests,
/// participants and winners (never more winners than participants).
fn fill_tables(c: &Campaign, f: &mut Fill, rng: &mut ChaCha8Rng) {
    for (_, t) in c.tables() {
        let n = match t.code.as_str() {
            "t9_1" => rng.random_range(1..4),
            "t1_6" => rng.random_range(3..12),
            _ => rng.random_range(2..7),
        }
        .min(c.plan.rows_of(t) as usize);
        let mut rows = Vec::new();
        for r in 0..n {
            let mut row = Vec::new();
            let mut participants = 0.0;
            for col in &t.columns {
                let v = match (t.code.as_str(), col.code.as_str()) {
                    ("t1_3", "profession") => Some(FillValue::Text(
                        PROFESSIONS[(r * 3 + rng.random_range(0..4)) % PROFESSIONS.len()].0.into(),
                    )),
                    ("t1_3", "activity") => {
                        let prof = match &row.first() {
                            Some(Some(FillValue::Text(p))) => p.clone(),
                            _ => String::new(),
                        };
                        PROFESSIONS
                            .iter()
                            .find(|(p, _)| *p == prof)
                            .map(|(_, a)| FillValue::Text(a.to_string()))
                    }
                    ("t10_1", "contest") => Some(FillValue::Text(
                        CONTESTS[(r + rng.random_range(0..3)) % CONTESTS.len()].into(),
                    )),
                    (_, "participants") => {
                        participants = rng.random_range(1..25) as f64;
                        Some(FillValue::Num(participants))
                    }
                    (_, "winners") => {
                        Some(FillValue::Num((participants * rng.random_range(0.0..0.4)).floor()))
                    }
                    (_, "title") => Some(FillValue::Text(format!(
                        "Профориентационный курс «Мой выбор» — модуль {}",
                        r + 1
                    ))),
                    (_, "subjects") => Some(FillValue::Text("математика, физика".into())),
                    _ => match col.kind {
                        Kind::Choice | Kind::YesNo => {
                            let list = c.plan.choices_of(col);
                            Some(FillValue::Text(list[rng.random_range(0..list.len())].to_string()))
                        }
                        Kind::Integer | Kind::Decimal => Some(FillValue::Num(
                            generic_number(col, rng).min(40.0).max(col.min.unwrap_or(0.0)),
                        )),
                        Kind::Text => Some(FillValue::Text(format!("Запись {}", r + 1))),
                        Kind::Date => None,
                    },
                };
                row.push(v);
            }
            rows.push(row);
        }
        f.tables.insert(t.code.clone(), rows);
    }
}

/// Spoil a filled form the way `defect` says.
fn apply_defect(c: &Campaign, f: &mut Fill, defect: Option<Defect>, students: f64) {
    match defect {
        Some(Defect::NumberAsText) => {
            let first_number = f.values.iter().find_map(|(k, v)| match v {
                FillValue::Num(n) if k.starts_with('p') => Some((k.clone(), *n)),
                _ => None,
            });
            if let Some((code, n)) = first_number {
                let text = format_thousands(n);
                f.values.insert(code, FillValue::Text(text));
            }
        }
        Some(Defect::RuleBroken) => {
            if f.values.contains_key("p2_1_covered") {
                f.values.insert("p2_1_covered".into(), FillValue::Num(students + 7.0));
            } else if let Some(code) = first_numeric_item_field(c) {
                // No share in this campaign: break a bound instead.
                f.values.insert(code, FillValue::Num(-1.0));
            }
        }
        Some(Defect::Fraction) => {
            if let Some(code) = first_numeric_item_field(c) {
                f.values.insert(code, FillValue::Text("12,5".into()));
            }
        }
        Some(Defect::Units) => {
            if let Some(code) = first_numeric_item_field(c) {
                f.values.insert(code, FillValue::Text("15 чел.".into()));
            }
        }
        Some(Defect::Blank) => {
            if let Some(code) = first_numeric_item_field(c) {
                f.values.remove(&code);
            }
        }
        Some(Defect::HalfRow) => {
            if let Some(rows) = f.tables.values_mut().next() {
                if let Some(row) = rows.first_mut() {
                    if let Some(cell) = row.get_mut(1) {
                        *cell = None;
                    }
                }
            }
        }
        Some(Defect::Untouched) | None => {}
    }
}

fn first_numeric_item_field(c: &Campaign) -> Option<String> {
    c.item_fields()
        .into_iter()
        .find(|(_, f)| f.kind == Kind::Integer && f.required)
        .map(|(_, f)| f.code.clone())
}

/// The same number as a person may type it into a text cell: «1 234» (no-break space) for
/// thousands, «12,0» otherwise. The value does not change, only how it is written.
fn format_thousands(n: f64) -> String {
    let i = n as i64;
    if i >= 1000 {
        let s = i.to_string();
        let (a, b) = s.split_at(s.len() - 3);
        format!("{a}\u{a0}{b}")
    } else {
        format!("{i},0")
    }
}

fn generic_number(f: &Field, rng: &mut ChaCha8Rng) -> f64 {
    let lo = f.min.unwrap_or(0.0).max(0.0);
    let hi = f.max.unwrap_or(100.0).min(lo + 30.0);
    let v = rng.random_range(lo..=hi);
    if f.kind == Kind::Integer {
        v.round()
    } else {
        (v * 2.0).round() / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    fn school(id: &str) -> School {
        School::named_for_tests(id)
    }

    #[test]
    fn reproducible_and_order_independent() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2026-05-25").unwrap();
        let a = fill(&c, &school("01"), 7, None);
        assert_eq!(a, fill(&c, &school("01"), 7, None));
        assert_ne!(a, fill(&c, &school("02"), 7, None));
        assert!(a.values.contains_key("p2_1_covered"));
        assert!(!a.tables["t1_6"].is_empty());
    }
}
