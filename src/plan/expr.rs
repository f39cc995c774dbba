//! Expressions of shares and control rules: a sum of terms, each a field code, a number
//! or `sum(table.column)`, with `+` and `-`. Kept deliberately small: plans are written by
//! methodologists, and every expression must be explainable in one Russian sentence.

use serde::{Deserialize, Serialize};

/// One term of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Number(f64),
    /// A field code (or, in a per-row rule, a column code).
    Field(String),
    /// Sum of a table column over all filled rows.
    Sum {
        table: String,
        column: String,
    },
}

/// `terms[0] ± terms[1] ± …`; `signs[i]` is +1 or -1.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub terms: Vec<Term>,
    pub signs: Vec<f64>,
}

/// Why an expression could not be parsed, in Russian.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExprError(pub String);

/// An expression of a plan as written (`oo_grads_9 + oo_grads_11`) and as parsed, once,
/// when the plan is read. The text is what the plan shows and saves; the parsed form is
/// what the form, the check and the summary evaluate.
///
/// A text that does not parse is kept with its error: the plan's checks report it with
/// the rule or share it belongs to and the line (rather than a bare TOML error), and a
/// plan with such an error is never loaded, so [`Formula::expr`] of a loaded plan is
/// always the parsed expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Formula {
    text: String,
    parsed: Result<Expr, ExprError>,
}

/// What [`Formula::expr`] gives for a text that did not parse (never in a loaded plan).
static NO_EXPR: Expr = Expr { terms: Vec::new(), signs: Vec::new() };

impl Formula {
    /// The expression as written in the plan.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed expression.
    pub fn expr(&self) -> &Expr {
        self.parsed.as_ref().unwrap_or(&NO_EXPR)
    }

    /// The value when every term has one; None when any is blank (blank is not zero: a
    /// share or a figure with a blank term is not computed).
    pub fn value_if_filled(&self, value: impl FnMut(&Term) -> Option<f64>) -> Option<f64> {
        let (v, blank) = self.expr().eval(value);
        (!blank).then_some(v)
    }

    /// Why the text does not parse, if it does not.
    pub fn error(&self) -> Option<&ExprError> {
        self.parsed.as_ref().err()
    }
}

impl From<String> for Formula {
    fn from(text: String) -> Formula {
        let parsed = Expr::parse(&text);
        Formula { text, parsed }
    }
}

impl From<Formula> for String {
    fn from(f: Formula) -> String {
        f.text
    }
}

impl std::fmt::Display for Formula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let mut terms = Vec::new();
        let mut signs = Vec::new();
        let mut sign = 1.0;
        let mut expect_term = true;
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(ExprError("пустое выражение".into()));
        }
        while !rest.is_empty() {
            if expect_term {
                let (term, tail) = parse_term(rest)?;
                terms.push(term);
                signs.push(sign);
                rest = tail.trim_start();
                expect_term = false;
            } else {
                sign = match rest.as_bytes()[0] {
                    b'+' => 1.0,
                    b'-' => -1.0,
                    _ => {
                        return Err(ExprError(format!(
                            "ожидался знак «+» или «-», найдено «{}»",
                            rest.chars().take(10).collect::<String>()
                        )))
                    }
                };
                rest = rest[1..].trim_start();
                expect_term = true;
            }
        }
        if expect_term {
            return Err(ExprError("выражение оканчивается знаком".into()));
        }
        Ok(Expr { terms, signs })
    }

    /// Evaluate with `value` giving each term's value (None = blank).
    /// Returns the value and whether any term was blank (blank terms count as 0).
    pub fn eval(&self, mut value: impl FnMut(&Term) -> Option<f64>) -> (f64, bool) {
        let mut total = 0.0;
        let mut blank = false;
        for (t, s) in self.terms.iter().zip(&self.signs) {
            match t {
                Term::Number(n) => total += s * n,
                _ => match value(t) {
                    Some(v) => total += s * v,
                    None => blank = true,
                },
            }
        }
        (total, blank)
    }

    /// Field codes used (not table sums).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().filter_map(|t| match t {
            Term::Field(c) => Some(c.as_str()),
            _ => None,
        })
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn parse_term(s: &str) -> Result<(Term, &str), ExprError> {
    let first = s.chars().next().unwrap_or(' ');
    if first.is_ascii_digit() {
        let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let n: f64 =
            s[..end].parse().map_err(|_| ExprError(format!("неверное число «{}»", &s[..end])))?;
        return Ok((Term::Number(n), &s[end..]));
    }
    if first.is_ascii_lowercase() {
        let end = s.find(|c: char| !is_ident_char(c)).unwrap_or(s.len());
        let word = &s[..end];
        let tail = s[end..].trim_start();
        if word == "sum" && tail.starts_with('(') {
            let close = tail
                .find(')')
                .ok_or_else(|| ExprError("нет закрывающей скобки в sum(…)".into()))?;
            let inner = tail[1..close].trim();
            let (t, c) = inner
                .split_once('.')
                .ok_or_else(|| ExprError(format!("sum({inner}): нужно sum(таблица.столбец)")))?;
            return Ok((
                Term::Sum { table: t.trim().to_string(), column: c.trim().to_string() },
                &tail[close + 1..],
            ));
        }
        return Ok((Term::Field(word.to_string()), &s[end..]));
    }
    Err(ExprError(format!(
        "ожидался код поля, число или sum(таблица.столбец), найдено «{}»",
        s.chars().take(10).collect::<String>()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sums_and_numbers() {
        let e = Expr::parse("a + b_2 - 3 + sum(t1.winners)").unwrap();
        assert_eq!(e.terms.len(), 4);
        assert_eq!(e.signs, vec![1.0, 1.0, -1.0, 1.0]);
        assert_eq!(e.terms[3], Term::Sum { table: "t1".into(), column: "winners".into() });
        let (v, blank) = e.eval(|t| match t {
            Term::Field(c) if c == "a" => Some(10.0),
            Term::Field(_) => None,
            _ => Some(2.0),
        });
        assert_eq!((v, blank), (9.0, true));
    }

    #[test]
    fn refuses_garbage() {
        assert!(Expr::parse("").is_err());
        assert!(Expr::parse("a +").is_err());
        assert!(Expr::parse("a * b").is_err());
        assert!(Expr::parse("Доля").is_err());
    }
}
