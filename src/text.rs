//! Small text helpers that several stages need, each written once: numbers as typed,
//! A1 cell addresses, hex digits of a digest, the line of a byte offset, a key that
//! ignores case and «ё», a capital dropped, and text cut with «…».

/// A number as a person types it, for messages and form texts: no digit groups, no
/// trailing «.0», a decimal comma and at most four decimals: 5000 → «5000», 0.5 → «0,5».
/// (The summary's grouped numbers, «7 577», are [`crate::ru::number`].)
pub fn plain_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        stored_number(n)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').replace('.', ",")
    }
}

/// A number as it is stored, for identity keys and values read from a cell: no trailing
/// «.0», a decimal point, full precision: 12.0 → «12», 12.5 → «12.5».
pub fn stored_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Excel column letters of a 0-based column: 0 → «A», 27 → «AB».
pub fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push((b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A1 address of a 0-based (row, col): (0, 0) → «A1».
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// Lower-case hex digits of bytes (a digest, or the first bytes of one).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The 1-based line of a byte offset in `text` (a parser's error span).
pub fn line_of(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A key for comparing what people type: lower case, «ё» as «е»
/// («Ёлка» and «елка» are one word).
pub fn fold(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

/// The text with its first letter in lower case, to go on inside a sentence.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Cut `s` to at most `max` characters, marking the cut with «…».
pub fn clip(s: &str, max: usize) -> String {
    clip_by(s, max, |_| 1)
}

/// Cut `s` to at most `max` UTF-16 units (Excel's unit for validation texts), on a char
/// boundary, marking the cut with «…».
pub fn clip_utf16(s: &str, max: usize) -> String {
    clip_by(s, max, char::len_utf16)
}

/// Cut `s` to at most `max` units as `len` measures a char, «…» included.
fn clip_by(s: &str, max: usize, len: impl Fn(char) -> usize) -> String {
    if s.chars().map(&len).sum::<usize>() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used + len(c) > max.saturating_sub(1) {
            break;
        }
        used += len(c);
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_typed_and_as_stored() {
        assert_eq!(plain_number(5000.0), "5000");
        assert_eq!(plain_number(0.5), "0,5");
        assert_eq!(plain_number(1.0 / 3.0), "0,3333");
        assert_eq!(stored_number(12.0), "12");
        assert_eq!(stored_number(12.5), "12.5");
        assert_eq!(stored_number(1e20), "100000000000000000000");
    }

    #[test]
    fn a1_addresses() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(13, 4), "E14");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn hex_and_lines() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn keys_and_cuts() {
        assert_eq!(fold("Ёлка"), "елка");
        assert_eq!(lower_first("Отдел"), "отдел");
        assert_eq!(clip("короткий", 40), "короткий");
        assert_eq!(clip("абвгд", 4), "абв…");
        assert_eq!(clip_utf16("короткий", 32), "короткий");
        let long = "ж".repeat(300);
        let t = clip_utf16(&long, 32);
        assert_eq!(t.encode_utf16().count(), 32);
        assert!(t.ends_with('…'));
        let emoji = "😀".repeat(40);
        assert!(clip_utf16(&emoji, 32).encode_utf16().count() <= 32);
    }
}
