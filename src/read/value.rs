//! Reading a number the way people type it. Schools type «12» into a text-formatted
//! cell, «12,0» with a Russian decimal comma, «1 234» with a (no-break, thin) space as a
//! thousands separator: these are accepted when unambiguous and noted, so the school
//! learns but the return is not rejected for it. «12,5» in a whole-number field, «15 чел.»
//! and error values are refused with a reason naming what was found.

use super::Value;
use crate::text::{clip, stored_number};

/// The outcome of reading a number from a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberParse {
    /// A blank cell: not a number, not zero — validation decides (required or not).
    Blank,
    /// A number cell.
    Ok(f64),
    /// A number recovered from text; the note (Russian) says what was accepted.
    OkWithNote(f64, String),
    /// Not a number; the reason (Russian) says what was found.
    Err(String),
}

/// Reads `value` as a number; with `integer`, fractions are refused. Bounds (≥ 0 etc.)
/// are validation's job: «-3» parses as −3.
pub fn parse_number(value: &Value, integer: bool) -> NumberParse {
    let n = match value {
        Value::Empty => return NumberParse::Blank,
        Value::Text(s) if s.trim().is_empty() => return NumberParse::Blank,
        Value::Number(n) => {
            return check_integer(*n, integer, || stored_number(*n)).unwrap_or(NumberParse::Ok(*n))
        }
        Value::Bool(b) => {
            return NumberParse::Err(format!(
                "ожидалось число, найдено логическое значение «{}»",
                if *b { "ИСТИНА" } else { "ЛОЖЬ" }
            ))
        }
        Value::DateTime(_) => {
            return NumberParse::Err(format!(
                "ожидалось число, найдена дата «{}» (проверьте формат ячейки: должен быть «Числовой» или «Общий»)",
                value.display()
            ))
        }
        Value::Error(e) => {
            return NumberParse::Err(format!(
                "в ячейке ошибка формулы «{e}» ({}): исправьте формулу или введите число",
                explain_error(e)
            ))
        }
        Value::FormulaNoValue => {
            return NumberParse::Err(
                "в ячейке формула без сохранённого значения: откройте файл в Excel или \
                 LibreOffice, дождитесь пересчёта и сохраните, либо введите число вместо формулы"
                    .into(),
            )
        }
        Value::Text(s) => s,
    };
    let shown = n.trim();
    if looks_like_error(shown) {
        return NumberParse::Err(format!("в ячейке ошибка «{shown}» ({})", explain_error(shown)));
    }
    match parse_text_number(shown) {
        Some((x, how)) => {
            if let Some(refused) = check_integer(x, integer, || shown.to_string()) {
                return refused;
            }
            let note = match how {
                How::Plain => format!("число «{shown}» записано как текст; принято как {}", stored_number(x)),
                How::Comma => format!("число «{shown}» записано как текст с запятой; принято как {}", stored_number(x)),
                How::Spaces => format!("число «{shown}» записано как текст с пробелами; принято как {}", stored_number(x)),
            };
            NumberParse::OkWithNote(x, note)
        }
        None => NumberParse::Err(format!(
            "ожидалось {}, найден текст «{}»: оставьте в ячейке только число, без слов и единиц измерения",
            if integer { "целое число" } else { "число" },
            clip(shown, 41)
        )),
    }
}

fn check_integer(x: f64, integer: bool, shown: impl Fn() -> String) -> Option<NumberParse> {
    if !x.is_finite() {
        return Some(NumberParse::Err(format!("ожидалось число, найдено «{}»", shown())));
    }
    if integer && x.fract() != 0.0 {
        return Some(NumberParse::Err(format!(
            "ожидалось целое число, найдено «{}»: дробей здесь быть не может",
            shown()
        )));
    }
    None
}

enum How {
    Plain,
    Comma,
    Spaces,
}

/// «12», «-3», «12,0», «12.5», «1 234», «1 234,5» (no-break U+00A0, narrow U+202F, thin
/// U+2009 spaces). Ambiguous forms are refused: «1,234» (thousands or decimal?), «1.234,5»,
/// two commas, a space inside the fraction.
fn parse_text_number(s: &str) -> Option<(f64, How)> {
    let is_space = |c: char| matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}');
    let (sign, body) = match s.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => ("-", rest.trim_start()),
        None => ("", s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return None;
    }
    let has_comma = body.contains(',');
    let has_dot = body.contains('.');
    if has_comma && has_dot {
        return None;
    }
    let sep = if has_comma { ',' } else { '.' };
    let (int_part, frac_part) = match body.split_once(sep) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac_part {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // «1,234» / «1.234» read as a thousands separator to some and a decimal mark to
        // others: refuse rather than guess a figure 1000 times off.
        if f.len() == 3
            && int_part.chars().all(|c| c.is_ascii_digit())
            && !int_part.starts_with('0')
        {
            return None;
        }
    }
    let groups: Vec<&str> = int_part.split(is_space).collect();
    let spaced = groups.len() > 1;
    if groups.iter().any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    // Thousands groups: 1–3 digits, then exactly 3 each.
    if spaced && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let mut text = String::from(sign);
    text.extend(groups.iter().copied());
    if let Some(f) = frac_part {
        text.push('.');
        text.push_str(f);
    }
    let x: f64 = text.parse().ok()?;
    let how = if spaced {
        How::Spaces
    } else if has_comma {
        How::Comma
    } else {
        How::Plain
    };
    Some((x, how))
}

/// Error values as Excel (English and Russian) and LibreOffice show them.
fn looks_like_error(s: &str) -> bool {
    (s.starts_with('#')
        && (s.ends_with('!') || s.ends_with('?') || s.ends_with("/A") || s.ends_with("/Д")))
        || s.starts_with("Err:")
}

fn explain_error(e: &str) -> &'static str {
    let u = e.to_uppercase();
    if u.contains("DIV/0") || u.contains("ДЕЛ/0") || u == "ERR:532" {
        "деление на ноль"
    } else if u.contains("REF") || u.contains("ССЫЛКА") || u == "ERR:524" {
        "ссылка на удалённую ячейку"
    } else if u.contains("VALUE") || u.contains("ЗНАЧ") || u == "ERR:519" {
        "неверный тип значения в формуле"
    } else if u.contains("NAME") || u.contains("ИМЯ") || u == "ERR:525" {
        "неизвестное имя в формуле"
    } else if u.contains("N/A") || u.contains("Н/Д") {
        "значение недоступно"
    } else if u.contains("NUM") || u.contains("ЧИСЛО") {
        "недопустимое число"
    } else {
        "ошибка вычисления"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn numbers_typed_as_people_type_them() {
        assert_eq!(parse_number(&Value::Number(12.0), true), NumberParse::Ok(12.0));
        assert!(
            matches!(parse_number(&text("12"), true), NumberParse::OkWithNote(x, _) if x == 12.0)
        );
        assert!(
            matches!(parse_number(&text(" 12,0 "), true), NumberParse::OkWithNote(x, _) if x == 12.0)
        );
        assert!(
            matches!(parse_number(&text("1 234"), true), NumberParse::OkWithNote(x, _) if x == 1234.0)
        );
        assert!(
            matches!(parse_number(&text("1\u{00A0}234"), true), NumberParse::OkWithNote(x, _) if x == 1234.0)
        );
        assert!(
            matches!(parse_number(&text("1\u{202F}234\u{2009}567"), true), NumberParse::OkWithNote(x, _) if x == 1_234_567.0)
        );
        assert!(
            matches!(parse_number(&text("12,5"), false), NumberParse::OkWithNote(x, _) if x == 12.5)
        );
        assert!(
            matches!(parse_number(&text("-3"), true), NumberParse::OkWithNote(x, _) if x == -3.0)
        );
        assert_eq!(parse_number(&Value::Number(-3.0), true), NumberParse::Ok(-3.0));
    }

    #[test]
    fn refused_with_a_reason() {
        let err = |v: Value, integer: bool| match parse_number(&v, integer) {
            NumberParse::Err(m) => m,
            other => panic!("{v:?} → {other:?}"),
        };
        assert!(err(text("12,5"), true).contains("целое"));
        assert!(err(Value::Number(12.5), true).contains("целое"));
        assert!(err(text("15 чел."), true).contains("«15 чел.»"));
        assert!(err(text("1,234"), false).contains("«1,234»"));
        assert!(err(text("12.000"), false).contains("«12.000»"));
        assert!(err(text("12 34"), true).contains("«12 34»"));
        assert!(err(Value::Error("#DIV/0!".into()), true).contains("деление на ноль"));
        assert!(err(text("#ДЕЛ/0!"), true).contains("деление на ноль"));
        assert!(err(text("#ССЫЛКА!"), true).contains("удалённую"));
        assert!(err(Value::Error("#REF!".into()), true).contains("«#REF!»"));
        assert!(err(Value::FormulaNoValue, true).contains("без сохранённого значения"));
        assert!(err(Value::Bool(true), true).contains("логическое"));
    }

    #[test]
    fn blank_is_not_zero() {
        assert_eq!(parse_number(&Value::Empty, true), NumberParse::Blank);
        assert_eq!(parse_number(&text("  "), true), NumberParse::Blank);
    }
}
