//! `profplan plan`: the whole plan as readable Russian text — sections, items with
//! deadline and responsible, fields with kind, unit and bounds, shares, tables, rules,
//! campaigns. `{year}` / `{prev_year}` are shown as written: they take a campaign's years.

use std::fmt::Write as _;

use crate::plan::{Field, Item, Kind, Plan, Severity, WhenBlank};
use crate::text::plain_number;

/// The plan as readable Russian text.
pub fn text(plan: &Plan, source: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", plan.title);
    let _ = writeln!(o, "План: {} (версия {}), {}", plan.id, plan.version, source);
    if !plan.issuer.is_empty() {
        let _ = writeln!(o, "Выпускает формы: {}", plan.issuer);
    }
    let _ = writeln!(
        o,
        "{{year}} в текстах — учебный год кампании, {{prev_year}} — предыдущий учебный год."
    );

    let _ = writeln!(o, "\nОбщие сведения об ОО (спрашиваются, если нужны пунктам кампании)");
    for f in &plan.profile {
        let _ = writeln!(o, "    {}", field_line(plan, f));
    }

    for s in &plan.sections {
        let _ = writeln!(o, "\nРаздел {}. {}", s.number, s.title);
        for i in &s.items {
            item(&mut o, plan, i);
        }
    }
    rules(&mut o, plan);
    campaigns(&mut o, plan);
    o
}

/// An item of the plan: text, indicator, deadline, who answers, when it is collected, and
/// its fields, shares and tables.
fn item(o: &mut String, plan: &Plan, i: &Item) {
    let _ = writeln!(o, "\n  {} {}", i.code, i.text);
    if !i.indicator.is_empty() {
        let _ = writeln!(o, "      Показатель: {}", i.indicator);
    }
    let deadline = if i.deadline.is_empty() { "не указан" } else { &i.deadline };
    let _ = writeln!(o, "      Срок: {deadline}");
    if !i.responsible.is_empty() {
        let _ = writeln!(o, "      Ответственные: {}", i.responsible);
    }
    let campaigns: Vec<String> = plan
        .campaigns
        .iter()
        .filter(|c| c.items.contains(&i.code))
        .map(|c| format!("{:02}.{:02}", c.day, c.month))
        .collect();
    let _ = writeln!(
        o,
        "      Собирается: {}",
        if campaigns.is_empty() {
            "ни в одной кампании".into()
        } else {
            campaigns.join(", ")
        }
    );
    for f in &i.fields {
        let _ = writeln!(o, "      • {}", field_line(plan, f));
    }
    for sh in &i.shares {
        let _ = writeln!(
            o,
            "      • {} — {}: доля = {} / {}",
            sh.code, sh.label, sh.numerator, sh.denominator
        );
    }
    for t in &i.tables {
        let _ = writeln!(
            o,
            "      Таблица {} «{}» (лист «{}», {} пустых строк):",
            t.code,
            t.title,
            t.sheet,
            plan.rows_of(t)
        );
        for c in &t.columns {
            let _ = writeln!(o, "        – {}", field_line(plan, c));
        }
    }
}

/// The plan's checks: each rule with its severity, scope and what a blank means.
fn rules(o: &mut String, plan: &Plan) {
    let _ = writeln!(o, "\nКонтрольные соотношения");
    for r in &plan.rules {
        let severity = match r.severity {
            Severity::Error => "ошибка",
            Severity::Warning => "предупреждение",
        };
        let blank = match r.when_blank {
            WhenBlank::Skip => "не проверяется",
            WhenBlank::Zero => "считается нулём",
            WhenBlank::Fail => "само является замечанием",
        };
        let scope = match &r.table {
            Some(t) => format!(" (в каждой строке таблицы {t})"),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "  {} [{severity}]{scope}: {} {} {}\n      «{}»; если пусто — {blank}",
            r.code,
            r.left,
            r.op.symbol(),
            r.right,
            r.message
        );
    }
}

/// The yearly campaigns in academic-year order: deadline, title, code and items.
fn campaigns(o: &mut String, plan: &Plan) {
    let _ = writeln!(o, "\nОтчётные кампании (ежегодно; кампания называется датой срока)");
    let mut campaigns: Vec<_> = plan.campaigns.iter().collect();
    // In academic-year order: September first.
    campaigns.sort_by_key(|c| ((c.month + 3) % 12, c.day));
    for c in campaigns {
        let _ = writeln!(
            o,
            "  до {:02}.{:02} — {} ({}): пункты {}",
            c.day,
            c.month,
            c.title,
            c.code,
            c.items.join(", ")
        );
        if !c.note.is_empty() {
            let _ = writeln!(o, "      {}", c.note);
        }
    }
}

/// «code — label: kind, unit, bounds, choices, required».
fn field_line(plan: &Plan, f: &Field) -> String {
    let mut parts: Vec<String> = vec![f.kind.describe().to_string()];
    if !f.unit.is_empty() {
        parts.push(f.unit.clone());
    }
    match (f.min, f.max) {
        (Some(a), Some(b)) => parts.push(format!("от {} до {}", plain_number(a), plain_number(b))),
        (Some(a), None) => parts.push(format!("не меньше {}", plain_number(a))),
        (None, Some(b)) => parts.push(format!("не больше {}", plain_number(b))),
        (None, None) => {}
    }
    if f.kind == Kind::Choice {
        let choices = plan.choices_of(f);
        let name = f.choices.as_deref().unwrap_or_default();
        if choices.len() <= 6 {
            parts.push(format!("«{}»", choices.join("» / «")));
        } else {
            parts.push(format!("список «{name}», {} значений", choices.len()));
        }
    }
    if !f.required {
        parts.push("необязательное".into());
    }
    format!("{} — {}: {}", f.code, f.label, parts.join(", "))
}
