//! Row heights from an estimate of how many lines a text wraps to.

use super::*;

/// Lines a text wraps to in a column `width` characters wide (greedy word wrap).
///
/// An estimate: Excel's width unit is the width of «0», and Cyrillic letters of Calibri
/// are about as wide on average; bold text is ~10 % wider. It errs on the generous side.
pub(super) fn text_lines(text: &str, width: f64, bold: bool) -> u32 {
    let per_line = ((width - 1.0) * if bold { 0.9 } else { 1.0 }).max(4.0) as usize;
    let mut lines = 0u32;
    for para in text.split('\n') {
        let mut current = 0usize;
        let mut para_lines = 1u32;
        for word in para.split_whitespace() {
            let w = word.chars().count();
            if current == 0 {
                current = w;
            } else if current + 1 + w <= per_line {
                current += 1 + w;
            } else {
                para_lines += 1;
                current = w;
            }
            while current > per_line {
                para_lines += 1;
                current -= per_line;
            }
        }
        lines += para_lines;
    }
    lines.max(1)
}

pub(super) fn row_height(lines: u32) -> f64 {
    f64::from(lines) * LINE_HEIGHT + 2.0
}
