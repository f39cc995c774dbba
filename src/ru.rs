//! Numbers, percentages and counted nouns as a Russian reader expects them in a text:
//! «7 577», «77,9 %», «1 школа», «2 школы», «5 школ». Used by the analytic note and the
//! headline of the summary, so that both say a figure the same way.
//!
//! Groups of digits are separated by a no-break space (U+00A0) and so is the percent
//! sign: a number never breaks across lines in Word or Writer.

/// The no-break space between digit groups and before «%».
pub const NBSP: char = '\u{a0}';

/// A whole number with digit groups: «7 577», «-1 200».
pub fn int(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(NBSP);
        }
        out.push(ch);
    }
    if v < 0 {
        out.insert(0, '-');
    }
    out
}

/// A number as the summary shows it: whole numbers grouped («7 577»), others with up to
/// two decimals and a decimal comma («12,5»).
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return int(v as i64);
    }
    let s = format!("{:.2}", v.abs());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut out = int(whole.parse::<i64>().unwrap_or(0));
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    if v < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// One decimal with a comma, as the summary's «0.0%» format: 77.94 → «77,9».
fn one_decimal(v: f64) -> String {
    let s = format!("{:.1}", v.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut out = int(whole.parse::<i64>().unwrap_or(0));
    out.push(',');
    out.push_str(frac);
    // «-0,0» reads oddly: a change that rounds to zero is zero.
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// A percentage given in percent: 77.94 → «77,9 %».
pub fn percent(v: f64) -> String {
    format!("{}{NBSP}%", one_decimal(v))
}

/// A change in percentage points, signed: «+7,8 п. п.», «-3,0 п. п.».
pub fn points(v: f64) -> String {
    let s = one_decimal(v);
    let sign = if s.starts_with('-') || s.chars().all(|c| !c.is_ascii_digit() || c == '0') {
        ""
    } else {
        "+"
    };
    format!("{sign}{s}{NBSP}п.{NBSP}п.")
}

/// The form of a noun after the number `n`: `forms` = [one, few, many], as
/// [«школа», «школы», «школ»]: 1, 21 → one; 2–4, 22–24 → few; 0, 5–20, 25 → many.
pub fn plural(n: u64, forms: [&'static str; 3]) -> &'static str {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        forms[0]
    } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
        forms[1]
    } else {
        forms[2]
    }
}

/// The number and its noun: «5 школ».
pub fn count(n: usize, forms: [&'static str; 3]) -> String {
    format!("{}{NBSP}{}", int(n as i64), plural(n as u64, forms))
}

/// Nouns counted in the note. Nominative after a number: «1 школа», «2 школы», «5 школ».
pub const SCHOOLS: [&str; 3] = ["школа", "школы", "школ"];
/// Genitive after «из», «от», «у»: «от 1 школы», «от 2 школ», «от 5 школ».
pub const SCHOOLS_GEN: [&str; 3] = ["школы", "школ", "школ"];
pub const EVENTS: [&str; 3] = ["мероприятие", "мероприятия", "мероприятий"];
pub const ROWS: [&str; 3] = ["строка", "строки", "строк"];

/// Names a list of schools shows before it says how many more there are. A district has a
/// few dozen schools and sees every name; at the scale of a region or the country a list of
/// thousands of names fills pages and helps nobody — the full lists are on the summary's
/// sheets, and the capped list says where.
pub const NAMES_SHOWN: usize = 50;

/// «А, Б, В» — or, past [`NAMES_SHOWN`] names, the first of them and then `rest(n)` for the
/// `n` left out: «А, Б, …, Я и ещё 3 806 ОО — все на листе «Сдача отчётов»».
pub fn capped(names: &[&str], rest: impl FnOnce(usize) -> String) -> String {
    if names.len() <= NAMES_SHOWN {
        return names.join(", ");
    }
    format!("{} {}", names[..NAMES_SHOWN].join(", "), rest(names.len() - NAMES_SHOWN))
}

/// [`and_list`] for up to [`NAMES_SHOWN`] names, [`capped`] past it.
pub fn and_list_capped(names: &[&str], rest: impl FnOnce(usize) -> String) -> String {
    if names.len() <= NAMES_SHOWN {
        and_list(names)
    } else {
        capped(names, rest)
    }
}

/// A list of names: «А», «А и Б», «А, Б и В».
pub fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} и {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: String) -> String {
        s.replace(NBSP, " ")
    }

    #[test]
    fn long_lists_of_names_are_capped_and_say_how_many_more() {
        let names: Vec<String> = (1..=53).map(|i| format!("СОШ {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let more = |n: usize| format!("и ещё {n} ОО");
        assert_eq!(capped(&names[..3], more), "СОШ 1, СОШ 2, СОШ 3");
        assert_eq!(and_list_capped(&names[..3], more), "СОШ 1, СОШ 2 и СОШ 3");
        let all = capped(&names[..NAMES_SHOWN], more);
        assert!(all.ends_with(", СОШ 50"), "{all}");
        let cut = capped(&names, more);
        assert!(cut.ends_with("СОШ 49, СОШ 50 и ещё 3 ОО"), "{cut}");
        assert!(!cut.contains("СОШ 51"), "{cut}");
        assert_eq!(and_list_capped(&names, more), cut);
    }

    #[test]
    fn numbers_are_grouped_with_a_decimal_comma() {
        assert_eq!(plain(int(7577)), "7 577");
        assert_eq!(plain(int(1_234_567)), "1 234 567");
        assert_eq!(plain(int(-1200)), "-1 200");
        assert_eq!(int(999), "999");
        assert_eq!(plain(number(7577.0)), "7 577");
        assert_eq!(plain(number(12.5)), "12,5");
        assert_eq!(plain(number(1234.25)), "1 234,25");
    }

    #[test]
    fn percentages_have_one_decimal_and_a_spaced_sign() {
        assert_eq!(plain(percent(77.94)), "77,9 %");
        assert_eq!(plain(percent(100.0)), "100,0 %");
        assert_eq!(plain(points(7.84)), "+7,8 п. п.");
        assert_eq!(plain(points(-3.0)), "-3,0 п. п.");
        assert_eq!(plain(points(-0.01)), "0,0 п. п.");
    }

    #[test]
    fn plurals_follow_russian_rules() {
        let f = |n| plain(count(n, SCHOOLS));
        assert_eq!(f(1), "1 школа");
        assert_eq!(f(2), "2 школы");
        assert_eq!(f(5), "5 школ");
        assert_eq!(f(11), "11 школ");
        assert_eq!(f(12), "12 школ");
        assert_eq!(f(21), "21 школа");
        assert_eq!(f(22), "22 школы");
        assert_eq!(f(0), "0 школ");
        assert_eq!(plain(count(1, EVENTS)), "1 мероприятие");
        assert_eq!(plain(count(3, EVENTS)), "3 мероприятия");
        assert_eq!(plain(count(111, EVENTS)), "111 мероприятий");
    }

    #[test]
    fn lists_join_with_and() {
        assert_eq!(and_list(&["А"]), "А");
        assert_eq!(and_list(&["А", "Б"]), "А и Б");
        assert_eq!(and_list(&["А", "Б", "В"]), "А, Б и В");
    }
}
