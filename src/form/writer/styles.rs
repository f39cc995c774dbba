//! Every cell format of the form, built once per workbook.

use super::*;

/// Every cell format of the form, built once per workbook.
pub(super) struct Styles {
    pub(super) title: Format,
    pub(super) subtitle: Format,
    pub(super) text: Format,
    pub(super) note: Format,
    pub(super) block: Format,
    pub(super) section: Format,
    pub(super) item_num: Format,
    pub(super) item: Format,
    pub(super) indicator: Format,
    pub(super) label: Format,
    pub(super) unit: Format,
    pub(super) code: Format,
    pub(super) share: Format,
    pub(super) link: Format,
    pub(super) header: Format,
    pub(super) row_number: Format,
    pub(super) heading: Format,
    /// Input formats by kind (unlocked, yellow).
    pub(super) input_integer: Format,
    pub(super) input_decimal: Format,
    pub(super) input_text: Format,
    pub(super) input_date: Format,
    pub(super) input_choice: Format,
}

impl Styles {
    pub(super) fn new() -> Styles {
        let base = Format::new().set_align(FormatAlign::Top).set_text_wrap();
        let cell = base.clone().set_border(FormatBorder::Thin).set_border_color("#A6A6A6");
        let input = cell.clone().set_unlocked().set_background_color("#FFF2CC");
        let item_fill = Color::RGB(0xDDEBF7);
        Styles {
            title: base.clone().set_bold().set_font_size(13),
            subtitle: base.clone().set_bold(),
            text: base.clone(),
            note: base.clone().set_italic().set_font_color("#595959"),
            block: base.clone().set_bold().set_font_size(12).set_background_color("#D9D9D9"),
            section: base.clone().set_bold().set_background_color("#BDD7EE"),
            item_num: cell.clone().set_bold().set_background_color(item_fill),
            item: cell.clone().set_bold().set_background_color(item_fill),
            indicator: cell.clone().set_italic(),
            label: cell.clone(),
            unit: cell.clone().set_align(FormatAlign::Center),
            code: base.clone().set_font_color("#808080"),
            share: cell
                .clone()
                .set_num_format("0.0%")
                .set_background_color("#E2EFDA")
                .set_align(FormatAlign::Right),
            link: cell
                .clone()
                .set_font_color("#0563C1")
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            header: cell
                .clone()
                .set_bold()
                .set_background_color(item_fill)
                .set_align(FormatAlign::Center),
            row_number: cell.clone().set_align(FormatAlign::Center).set_font_color("#808080"),
            heading: base.clone().set_bold().set_font_size(12),
            input_integer: input.clone().set_num_format("0").set_align(FormatAlign::Right),
            input_decimal: input.clone().set_num_format("0.0##").set_align(FormatAlign::Right),
            input_text: input.clone().set_num_format("@"),
            input_date: input.clone().set_num_format("dd.mm.yyyy").set_align(FormatAlign::Right),
            input_choice: input,
        }
    }

    /// Whether `f` is one of the bold styles (bold text wraps sooner).
    pub(super) fn is_bold(&self, f: &Format) -> bool {
        [&self.title, &self.subtitle, &self.block, &self.section, &self.heading, &self.item]
            .iter()
            .any(|b| std::ptr::eq(*b, f))
    }

    pub(super) fn input(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Integer => &self.input_integer,
            Kind::Decimal => &self.input_decimal,
            Kind::Text => &self.input_text,
            Kind::Date => &self.input_date,
            Kind::YesNo | Kind::Choice => &self.input_choice,
        }
    }
}
