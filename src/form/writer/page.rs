//! Page set-up for printing and the sheets' protection.

use super::*;

/// A4, one page wide, school name in the footer.
pub(super) fn page_setup(ws: &mut Worksheet, school: &School, landscape: bool) {
    ws.set_paper_size(PAPER_A4);
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_footer(footer(school));
}

/// The footer of every printed page: the school's short name, the page number.
pub(super) fn footer(school: &School) -> String {
    // `&` starts a header/footer code: a literal one is written `&&`.
    let name = clip_utf16(&school.short_name.replace('&', "&&"), 120);
    format!("&L{name}&RСтраница &P из &N")
}

/// Users may select cells and resize rows and columns (a long answer on a small screen),
/// nothing else.
pub(super) fn protection() -> ProtectionOptions {
    ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    }
}
