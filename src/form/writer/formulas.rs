//! The formulas of the form: a share as a live formula over defined names, and the value
//! it shows in a filled form.

use super::*;

/// The share a filled form shows (cached with its formula), or None while it is blank.
pub(super) fn share_value(sh: &Share, fill: &Fill) -> Option<f64> {
    let side = |e: &crate::plan::expr::Formula| {
        e.value_if_filled(|t| match t {
            Term::Field(c) => match fill.values.get(c) {
                Some(FillValue::Num(n)) => Some(*n),
                _ => None,
            },
            _ => None,
        })
    };
    let (n, d) = (side(&sh.numerator)?, side(&sh.denominator)?);
    (d > 0.0).then(|| n / d)
}

/// The share's formula: `=IF(AND(COUNT(num fields)=n,den>0),num/den,"")`.
///
/// The share is shown only when every numerator field is filled: blank is not zero, and a
/// 0 % computed from an empty cell would look like a reported figure.
pub(super) fn share_formula(plan: &Plan, sh: &Share) -> String {
    let (num, den) = (sh.numerator.expr(), sh.denominator.expr());
    let num_fields: Vec<String> = num.fields().map(field_name).collect();
    let n = expr_formula(plan, num);
    let d = expr_formula(plan, den);
    let cond = if num_fields.is_empty() {
        format!("({d})>0")
    } else {
        format!("AND(COUNT({})={},({d})>0)", num_fields.join(","), num_fields.len())
    };
    format!("=IF({cond},({n})/({d}),\"\")")
}

/// An expression as an Excel formula over defined names; `N()` makes a text typed into a
/// cell count as 0 instead of turning the share into #VALUE!.
pub(super) fn expr_formula(plan: &Plan, e: &Expr) -> String {
    let mut out = String::new();
    for (i, (t, sign)) in e.terms.iter().zip(&e.signs).enumerate() {
        if *sign < 0.0 {
            out.push('-');
        } else if i > 0 {
            out.push('+');
        }
        match t {
            Term::Number(n) => out.push_str(&format!("{n}")),
            Term::Field(c) => out.push_str(&format!("N({})", field_name(c))),
            Term::Sum { table, column } => {
                let k = plan
                    .table(table)
                    .and_then(|(_, t)| t.columns.iter().position(|c| &c.code == column))
                    .map_or(1, |p| p + 1);
                out.push_str(&format!("SUM(INDEX({},0,{k}))", table_name(table)));
            }
        }
    }
    out
}
