//! The very hidden identity sheet: which plan, campaign and school the form is for.

use super::*;

pub(super) fn identity_sheet(rows: &[(&str, String)]) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(IDENTITY_SHEET)?;
    for (i, (key, value)) in rows.iter().enumerate() {
        ws.write_string(i as u32, 0, *key)?;
        ws.write_string(i as u32, 1, value)?;
    }
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 60)?;
    // Very hidden: Excel does not offer it in «Показать». LibreOffice saves it as hidden;
    // the reader accepts both.
    ws.set_very_hidden(true);
    ws.protect_with_options(&protection());
    Ok(ws)
}
