//! Cell formats of the summary, made once. A later `write_*_with_format` replaces a cell's
//! whole format, so every combination a sheet needs is its own format here.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

use crate::check::report::{SchoolStatus, Status};

/// Number formats. Excel shows the group separator and the decimal comma of the reader's
/// locale, so «#,##0» reads «1 234» on a Russian machine.
pub const INT: &str = "#,##0";
pub const DEC: &str = "#,##0.0#";
pub const PCT: &str = "0.0%";
pub const DELTA_INT: &str = "+#,##0;-#,##0;0";
pub const DELTA_DEC: &str = "+#,##0.0#;-#,##0.0#;0";
/// Percentage points: the value is already in points (12.5 → «+12,5 п.п.»).
pub const DELTA_PP: &str = "+0.0\" п.п.\";-0.0\" п.п.\";0.0\" п.п.\"";
pub const DATETIME: &str = "dd.mm.yyyy hh:mm";
pub const DATE: &str = "dd.mm.yyyy";
/// The count of «да» in a totals row.
pub const YES_COUNT: &str = "\"«да» — \"0";

const HEADER_BG: u32 = 0xDCE6F1;
const SECTION_BG: u32 = 0xB8CCE4;
const ITEM_BG: u32 = 0xE9EFF7;
const TOTAL_BG: u32 = 0xF2F2F2;
const BAD_BG: u32 = 0xF8CBAD;
const LATE_BG: u32 = 0xFFE699;
const GOOD_BG: u32 = 0xC6EFCE;

pub struct Styles {
    pub title: Format,
    pub subtitle: Format,
    pub note: Format,
    pub header: Format,
    /// Headers of narrow number columns: a smaller font keeps long Russian words whole.
    pub header_small: Format,
    pub section: Format,
    pub item: Format,
    pub item_code: Format,
    pub text: Format,
    /// Text without wrapping, for the long data table.
    pub plain: Format,
    pub text_sub: Format,
    pub text_center: Format,
    pub mono: Format,
    pub int: Format,
    pub dec: Format,
    pub pct: Format,
    pub datetime: Format,
    pub delta_int: Format,
    pub delta_dec: Format,
    pub delta_pp: Format,
    pub warn: Format,
    pub link: Format,
    pub total_text: Format,
    pub total_int: Format,
    pub total_dec: Format,
    pub total_pct: Format,
    pub total_yes: Format,
    /// Status cells: bad (missing, with errors), late, accepted.
    pub status_bad: Format,
    pub status_late: Format,
    pub status_good: Format,
    /// A school taken in with errors (`--include-invalid`).
    pub status_included: Format,
}

fn cell() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xA6A6A6))
        .set_align(FormatAlign::Top)
        .set_font_size(10)
}

impl Styles {
    pub fn new() -> Styles {
        let text = cell().set_text_wrap();
        let total = cell().set_bold().set_background_color(Color::RGB(TOTAL_BG));
        let header = cell()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(HEADER_BG));
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            subtitle: Format::new().set_font_size(11).set_text_wrap().set_align(FormatAlign::Top),
            note: Format::new()
                .set_italic()
                .set_font_size(9)
                .set_font_color(Color::RGB(0x595959))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            header_small: header.clone().set_font_size(8),
            header,
            section: cell()
                .set_bold()
                .set_font_size(11)
                .set_text_wrap()
                .set_background_color(Color::RGB(SECTION_BG)),
            item: cell().set_bold().set_text_wrap().set_background_color(Color::RGB(ITEM_BG)),
            item_code: cell()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(ITEM_BG)),
            text_sub: text.clone().set_indent(2),
            plain: cell(),
            text_center: cell().set_align(FormatAlign::Center),
            mono: cell().set_font_name("Consolas").set_font_size(8),
            text,
            int: cell().set_num_format(INT),
            dec: cell().set_num_format(DEC),
            pct: cell().set_num_format(PCT),
            datetime: cell().set_num_format(DATETIME).set_align(FormatAlign::Center),
            delta_int: cell().set_num_format(DELTA_INT),
            delta_dec: cell().set_num_format(DELTA_DEC),
            delta_pp: cell().set_num_format(DELTA_PP),
            warn: cell().set_bold().set_text_wrap().set_font_color(Color::RGB(0xC00000)),
            link: cell()
                .set_text_wrap()
                .set_font_color(Color::RGB(0x0563C1))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            total_text: total.clone().set_text_wrap(),
            total_int: total.clone().set_num_format(INT),
            total_dec: total.clone().set_num_format(DEC),
            total_pct: total.clone().set_num_format(PCT),
            total_yes: total.set_num_format(YES_COUNT),
            status_bad: cell().set_text_wrap().set_background_color(Color::RGB(BAD_BG)),
            status_late: cell().set_text_wrap().set_background_color(Color::RGB(LATE_BG)),
            status_good: cell().set_text_wrap().set_background_color(Color::RGB(GOOD_BG)),
            status_included: cell()
                .set_text_wrap()
                .set_italic()
                .set_background_color(Color::RGB(BAD_BG)),
        }
    }

    /// Whole numbers as whole numbers, anything else with decimals.
    pub fn number(&self, v: f64) -> &Format {
        if v.fract() == 0.0 {
            &self.int
        } else {
            &self.dec
        }
    }

    /// The cell of a school's status: missing or with errors, late, accepted.
    pub fn status(&self, s: &SchoolStatus) -> &Format {
        match s.status {
            Status::Missing | Status::Invalid => &self.status_bad,
            _ if s.late => &self.status_late,
            Status::Accepted => &self.status_good,
            Status::Expected => &self.text,
        }
    }

    pub fn total_number(&self, v: f64) -> &Format {
        if v.fract() == 0.0 {
            &self.total_int
        } else {
            &self.total_dec
        }
    }
}
