//! Data validation of input cells and its texts: input hints and error messages within
//! Excel's limits.

use super::*;

/// The data validation of an input cell: bounds, dropdowns, Russian prompt and error.
pub(super) fn validation(
    plan: &Plan,
    lists: &Lists,
    f: &Field,
    label: &str,
) -> Result<DataValidation> {
    if f.kind == Kind::Text {
        return text_validation(label, TEXT_MAX_CHARS, &f.hint);
    }
    let dv = match f.kind {
        Kind::Integer => DataValidation::new().allow_whole_number(int_rule(f.min, f.max)),
        Kind::Decimal => DataValidation::new().allow_decimal_number(dec_rule(f.min, f.max)),
        Kind::YesNo | Kind::Choice => lists.validation(plan, f)?,
        Kind::Date => DataValidation::new().allow_date(DataValidationRule::Between(
            ExcelDateTime::from_ymd(1990, 1, 1)?,
            ExcelDateTime::from_ymd(2100, 12, 31)?,
        )),
        Kind::Text => unreachable!("handled above"),
    };
    let message =
        if f.hint.is_empty() { rule_text(f) } else { format!("{} {}", f.hint, rule_text(f)) };
    finish(dv, label, &message, &error_text(f))
}

pub(super) fn text_validation(label: &str, max: u32, hint: &str) -> Result<DataValidation> {
    let dv = DataValidation::new().allow_text_length(DataValidationRule::LessThanOrEqualTo(max));
    let rule = format!("Текст, не длиннее {max} знаков.");
    let message = if hint.is_empty() { rule } else { format!("{hint} {rule}") };
    finish(dv, label, &message, &format!("Текст слишком длинный: не более {max} знаков."))
}

pub(super) fn finish(
    dv: DataValidation,
    label: &str,
    message: &str,
    error: &str,
) -> Result<DataValidation> {
    Ok(dv
        .set_input_title(clip_utf16(label, 32))?
        .set_input_message(clip_utf16(message, 255))?
        .set_error_title("Неверное значение")?
        .set_error_message(clip_utf16(error, 255))?
        .set_error_style(DataValidationErrorStyle::Stop))
}

pub(super) fn int_rule(min: Option<f64>, max: Option<f64>) -> DataValidationRule<i32> {
    let lo = min.map(|v| clamp_i32(v.ceil()));
    let hi = max.map(|v| clamp_i32(v.floor()));
    match (lo, hi) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
    }
}

pub(super) fn dec_rule(min: Option<f64>, max: Option<f64>) -> DataValidationRule<f64> {
    match (min, max) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(-1e15, 1e15),
    }
}

pub(super) fn clamp_i32(v: f64) -> i32 {
    v.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

/// «от 0 до 5000», «не меньше 1», «» — the bounds in words.
pub(super) fn bounds_text(f: &Field) -> String {
    match (f.min, f.max) {
        (Some(a), Some(b)) => format!(" от {} до {}", plain_number(a), plain_number(b)),
        (Some(a), None) => format!(" не меньше {}", plain_number(a)),
        (None, Some(b)) => format!(" не больше {}", plain_number(b)),
        (None, None) => String::new(),
    }
}

/// What the cell accepts, for the input prompt.
pub(super) fn rule_text(f: &Field) -> String {
    let unit = if f.unit.is_empty() { String::new() } else { format!(" ({})", f.unit) };
    match f.kind {
        Kind::Integer => format!(
            "Целое число{}{unit}. Пусто — нет данных; если значение равно нулю, введите 0.",
            bounds_text(f)
        ),
        Kind::Decimal => format!(
            "Число{}{unit}, дробную часть отделяйте запятой. Если значение равно нулю, введите 0.",
            bounds_text(f)
        ),
        Kind::YesNo => "Выберите «да» или «нет» из списка.".into(),
        Kind::Choice => "Выберите значение из списка (стрелка справа от ячейки).".into(),
        Kind::Date => "Дата в виде ДД.ММ.ГГГГ, например 20.12.2025.".into(),
        Kind::Text => format!("Текст, не длиннее {TEXT_MAX_CHARS} знаков."),
    }
}

/// The error shown when a typed value is refused.
pub(super) fn error_text(f: &Field) -> String {
    match f.kind {
        Kind::Integer => format!(
            "Нужно целое число{} — цифрами, без единиц измерения, пробелов и дробной части.",
            bounds_text(f)
        ),
        Kind::Decimal => {
            format!("Нужно число{} — цифрами, без единиц измерения и пробелов.", bounds_text(f))
        }
        Kind::YesNo => "Выберите «да» или «нет» из списка.".into(),
        Kind::Choice => "Такого значения нет в списке. Выберите значение из списка.".into(),
        Kind::Date => "Нужна дата в виде ДД.ММ.ГГГГ, например 20.12.2025.".into(),
        Kind::Text => format!("Текст слишком длинный: не более {TEXT_MAX_CHARS} знаков."),
    }
}
