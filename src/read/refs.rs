//! Parsing the targets of defined names, in Excel and in OpenDocument syntax:
//! `'Отчёт'!$E$12`, `Отчёт!$E$12:$H$40`, `$'Отчёт'.$E$12`, `$Отчёт.$E$12:.$H$40`,
//! `$Отчёт.$E$12:$Отчёт.$H$40`, with or without `=` and `[…]`. Anything else (a formula,
//! a constant, `#REF!` after a deleted row, a whole column) is not a cell reference and
//! yields `None`: the caller reports the name as broken rather than guessing.

use serde::Serialize;

/// A rectangle of cells on one sheet, 0-based and inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellRef {
    pub sheet: String,
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl CellRef {
    pub fn is_single(&self) -> bool {
        self.first_row == self.last_row && self.first_col == self.last_col
    }
}

/// Largest row and column of a sheet (Excel's grid; ODS's is not larger).
const MAX_ROW: u32 = 1_048_575;
const MAX_COL: u32 = 16_383;

/// Parses a defined name's target. See the module comment for the accepted forms.
pub fn parse_reference(text: &str) -> Option<CellRef> {
    let mut t = text.trim();
    t = t.strip_prefix('=').unwrap_or(t).trim();
    if let Some(inner) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        t = inner;
    }
    if t.contains('!') {
        parse_excel(t)
    } else {
        parse_odf(t)
    }
}

/// `Sheet!A1` or `'Sh''eet'!$A$1:$B$2`.
fn parse_excel(t: &str) -> Option<CellRef> {
    // Unquoted names run to the last `!`: calamine's .xls reader gives `1.6 ВсОШ!$B$4`
    // without the quotes Excel would write.
    let (sheet, rest) = if t.starts_with('\'') {
        take_sheet(t)?
    } else {
        let bang = t.rfind('!')?;
        (t[..bang].to_string(), &t[bang..])
    };
    let rest = rest.strip_prefix('!')?;
    let (a, b) = match rest.split_once(':') {
        Some((a, b)) => (a, b),
        None => (rest, rest),
    };
    make(sheet, cell(a)?, cell(b)?)
}

/// `$Sheet.$A$1`, `$'Sheet'.$A$1:.$B$2`, `$Sheet.$A$1:$Sheet.$B$2`.
fn parse_odf(t: &str) -> Option<CellRef> {
    let t = t.strip_prefix('$').unwrap_or(t);
    let (sheet, rest) = take_sheet(t)?;
    let rest = rest.strip_prefix('.')?;
    let (a, b) = match rest.split_once(':') {
        Some((a, b)) => (a, b),
        None => (rest, rest),
    };
    // The second part may repeat the sheet (`$Sheet.$B$2`) or omit it (`.$B$2`).
    let b = match b.rfind('.') {
        Some(dot) => {
            let second_sheet = b[..dot].trim_start_matches('$');
            let second_sheet = unquote(second_sheet)?;
            if !second_sheet.is_empty() && second_sheet != sheet {
                return None; // a 3-D range across sheets
            }
            &b[dot + 1..]
        }
        None => b,
    };
    make(sheet, cell(a)?, cell(b)?)
}

fn make(sheet: String, a: (u32, u32), b: (u32, u32)) -> Option<CellRef> {
    if sheet.is_empty() {
        return None;
    }
    Some(CellRef {
        sheet,
        first_row: a.0.min(b.0),
        first_col: a.1.min(b.1),
        last_row: a.0.max(b.0),
        last_col: a.1.max(b.1),
    })
}

/// Splits a leading sheet name (quoted with `'…'` and `''` escapes, or bare up to the
/// first `!`/`.`) from the rest.
fn take_sheet(t: &str) -> Option<(String, &str)> {
    if let Some(body) = t.strip_prefix('\'') {
        let mut name = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if let Some(&(_, '\'')) = chars.peek() {
                    name.push('\'');
                    chars.next();
                } else {
                    return Some((name, &body[i + 1..]));
                }
            } else {
                name.push(c);
            }
        }
        None
    } else {
        let end = t.find(['!', '.'])?;
        Some((t[..end].to_string(), &t[end..]))
    }
}

fn unquote(s: &str) -> Option<String> {
    if s.starts_with('\'') {
        let (name, rest) = take_sheet(s)?;
        rest.is_empty().then_some(name)
    } else {
        Some(s.to_string())
    }
}

/// `$E$12` → (11, 4).
fn cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let s = s.strip_prefix('$').unwrap_or(s);
    let letters_end = s.find(|c: char| !c.is_ascii_alphabetic())?;
    let (letters, rest) = s.split_at(letters_end);
    let digits = rest.strip_prefix('$').unwrap_or(rest);
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 7 {
        return None;
    }
    let mut col: u32 = 0;
    for b in letters.bytes() {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || row - 1 > MAX_ROW || col - 1 > MAX_COL {
        return None;
    }
    Some((row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(sheet: &str, r1: u32, c1: u32, r2: u32, c2: u32) -> Option<CellRef> {
        Some(CellRef {
            sheet: sheet.into(),
            first_row: r1,
            first_col: c1,
            last_row: r2,
            last_col: c2,
        })
    }

    #[test]
    fn excel_syntax() {
        assert_eq!(parse_reference("'Отчёт'!$E$12"), r("Отчёт", 11, 4, 11, 4));
        assert_eq!(parse_reference("=Отчёт!$E$12:$H$40"), r("Отчёт", 11, 4, 39, 7));
        assert_eq!(parse_reference("'It''s'!A1"), r("It's", 0, 0, 0, 0));
        assert_eq!(parse_reference("1.6 ВсОШ!$B$4:$D$13"), r("1.6 ВсОШ", 3, 1, 12, 3));
        assert_eq!(
            parse_reference("'Отчёт (2)'!$XFD$1048576"),
            r("Отчёт (2)", 1_048_575, 16_383, 1_048_575, 16_383)
        );
    }

    #[test]
    fn odf_syntax() {
        assert_eq!(parse_reference("$'Отчёт'.$E$12"), r("Отчёт", 11, 4, 11, 4));
        assert_eq!(parse_reference("$Отчёт.$E$12:.$H$40"), r("Отчёт", 11, 4, 39, 7));
        assert_eq!(parse_reference("$Отчёт.$E$12:$Отчёт.$H$40"), r("Отчёт", 11, 4, 39, 7));
        assert_eq!(parse_reference("[$'Таблица 1.6'.$B$4]"), r("Таблица 1.6", 3, 1, 3, 1));
    }

    #[test]
    fn broken_names_are_not_references() {
        for bad in [
            "#REF!",
            "'Отчёт'!#REF!",
            "Отчёт!$A:$A",
            "SUM(A1:A2)",
            "42",
            "",
            "$Отчёт.$A$1:$Другой.$B$2",
            "Отчёт!A0",
            "Отчёт!XFE1",
        ] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }
}
