//! Windows paths typed into `profplan.toml` the way Explorer shows them.
//!
//! In TOML a backslash in a "quoted" string starts an escape, so
//! `schools = "D:\Отдел\Реестр\schools.csv"` is a syntax error (`\О` is no escape) and
//! `forms = "D:\temp\формы"` silently means a tab. Nobody copying a path from Explorer
//! means either. Before the file is parsed, a quoted value on its own `key = "…"` line
//! is taken as written — its backslashes doubled — when
//! - the key holds a path (`plan`, `schools`, …) and its backslashes are not already all
//!   doubled (`"D:\\Отдел\\schools.csv"`, correct TOML, is left alone); or
//! - for any other key, the value is not a valid TOML string as it stands.
//!
//! Lines keep their numbers, so messages about the file still name the right line.
//! `'single-quoted'` (literal) strings need none of this and are what `profplan init`
//! writes ([`literal`]).

use std::borrow::Cow;

/// Keys of `profplan.toml` whose values are paths.
const PATH_KEYS: &[&str] = &["plan", "schools", "forms", "returns", "summary", "letters"];

/// `text` with Windows-style backslashes in quoted values made valid TOML (see the module
/// comment); borrowed unchanged when there is nothing to do.
pub fn accept_backslash_paths(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        match rewrite_line(line) {
            Some(fixed) => {
                out.push_str(&fixed);
                changed = true;
            }
            None => out.push_str(line),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// The line with its quoted value's backslashes doubled, or `None` to keep it as it is.
fn rewrite_line(line: &str) -> Option<String> {
    let (key, rest) = line.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    let value_start = line.len() - rest.len();
    let after_eq = rest.trim_start();
    let open = value_start + (rest.len() - after_eq.len());
    if !after_eq.starts_with('"') || after_eq.starts_with("\"\"\"") {
        return None;
    }
    // The value ends at the first quote followed by nothing or a comment: a Windows path
    // cannot contain a quote, so `"D:\Отдел\"` ends at its last character.
    let body_start = open + 1;
    let close = line[body_start..].match_indices('"').map(|(i, _)| body_start + i).find(|&q| {
        let tail = line[q + 1..].trim();
        tail.is_empty() || tail.starts_with('#')
    })?;
    let body = &line[body_start..close];
    if !body.contains('\\') || body.chars().any(char::is_control) {
        return None;
    }
    let take_as_written = if PATH_KEYS.contains(&key) {
        body.replace("\\\\", "").contains('\\')
    } else {
        toml::from_str::<toml::Table>(&format!("v = \"{body}\"")).is_err()
    };
    if !take_as_written {
        return None;
    }
    Some(format!("{}\"{}\"{}", &line[..open], body.replace('\\', "\\\\"), &line[close + 1..]))
}

/// `s` as a TOML string that means exactly `s`: a literal string `'…'` (backslashes of
/// Windows paths stay as they are, readable), or an escaped "…" string when `s` contains
/// a quote or a control character.
pub fn literal(s: &str) -> String {
    if s.contains('\'') || s.chars().any(char::is_control) {
        toml::Value::String(s.to_string()).to_string()
    } else {
        format!("'{s}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, key: &str) -> String {
        let fixed = accept_backslash_paths(text);
        let t: toml::Table = toml::from_str(&fixed).unwrap();
        t[key].as_str().unwrap().to_string()
    }

    #[test]
    fn explorer_paths_are_taken_as_written() {
        assert_eq!(
            value("schools = \"D:\\Отдел\\Реестр\\schools.csv\"\n", "schools"),
            r"D:\Отдел\Реестр\schools.csv"
        );
        // Valid escapes that no one means in a path: \t, \n, \b.
        assert_eq!(value("forms = \"D:\\temp\\new\\bланки\"", "forms"), r"D:\temp\new\bланки");
        // A network folder, a trailing backslash, a comment after the value.
        assert_eq!(
            value("returns = \"\\\\server\\отчёты\\\"  # сюда\n", "returns"),
            r"\\server\отчёты\"
        );
    }

    #[test]
    fn correct_toml_is_left_alone() {
        let text = "schools = \"D:\\\\Отдел\\\\schools.csv\"\nplan = 'D:\\план.toml'\n\
                    name = \"tab\\there\"\n";
        assert!(matches!(accept_backslash_paths(text), Cow::Borrowed(_)));
        assert_eq!(value(text, "schools"), r"D:\Отдел\schools.csv");
        assert_eq!(value(text, "plan"), r"D:\план.toml");
        assert_eq!(value(text, "name"), "tab\there");
    }

    #[test]
    fn other_keys_only_when_invalid() {
        assert_eq!(value("send_to = \"\\\\server\\Отчёты\"", "send_to"), r"\\server\Отчёты");
    }

    #[test]
    fn line_numbers_are_kept() {
        let text = "# c\nschools = \"D:\\x\\y.csv\"\n\ncampaign = \"2025-12-20\"\n";
        assert_eq!(accept_backslash_paths(text).lines().count(), text.lines().count());
    }

    #[test]
    fn literal_round_trips() {
        for s in [r"Z:\tmp\Отдел образования\schools.csv", "it's", "plain", r"a\b'c"]
        {
            let t: toml::Table = toml::from_str(&format!("k = {}", literal(s))).unwrap();
            assert_eq!(t["k"].as_str().unwrap(), s, "{}", literal(s));
        }
        assert_eq!(literal(r"D:\Отдел\a.csv"), r"'D:\Отдел\a.csv'");
    }
}
