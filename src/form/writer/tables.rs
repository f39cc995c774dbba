//! One sheet per detail table of the campaign.

use super::*;

// One argument per piece of the sheet; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(super) fn table_sheet(
    campaign: &Campaign,
    school: &School,
    item: &Item,
    table: &Table,
    styles: &Styles,
    lists: &Lists,
    names: &mut Vec<(String, String)>,
    fill: &[Vec<Option<FillValue>>],
    title_lines: u32,
) -> Result<Worksheet> {
    let plan = campaign.plan;
    let mut ws = Worksheet::new();
    ws.set_name(&table.sheet)?;
    let ncols = table.columns.len() as u16;
    let first = TABLE_FIRST_COL;
    let last = first + ncols.saturating_sub(1);
    let rows = plan.rows_of(table);
    let last_row = table_rows::FIRST_ENTRY + rows - 1;

    let widths = column_widths(table);
    ws.set_column_width(0, ROW_NUMBER_WIDTH)?;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(first + i as u16, *w)?;
    }
    let total = table_width(table);

    // Title.
    let title = table_title(item, table, school);
    ws.merge_range(table_rows::TITLE, 0, table_rows::TITLE, last, &title, &styles.title)?;
    ws.set_row_height(table_rows::TITLE, row_height(title_lines) + 4.0)?;

    // Hidden row of column codes: the reader matches columns by code, not by position.
    ws.write_string_with_format(table_rows::CODES, 0, "#", &styles.code)?;
    for (i, c) in table.columns.iter().enumerate() {
        ws.write_string_with_format(table_rows::CODES, first + i as u16, &c.code, &styles.code)?;
    }
    ws.set_row_hidden(table_rows::CODES)?;

    // Header.
    ws.write_string_with_format(table_rows::HEADER, 0, "№", &styles.header)?;
    let mut header_lines = 1;
    for (i, c) in table.columns.iter().enumerate() {
        let mut text = campaign.text(&c.label);
        if !c.unit.is_empty() {
            text = format!("{text}, {}", c.unit);
        }
        header_lines = header_lines.max(text_lines(&text, widths[i], true));
        ws.write_string_with_format(table_rows::HEADER, first + i as u16, &text, &styles.header)?;
    }
    ws.set_row_height(table_rows::HEADER, row_height(header_lines))?;

    // Entry rows: numbered, unlocked, typed.
    for r in 0..rows {
        let row = table_rows::FIRST_ENTRY + r;
        ws.write_number_with_format(row, 0, f64::from(r + 1), &styles.row_number)?;
        for (i, c) in table.columns.iter().enumerate() {
            match fill.get(r as usize).and_then(|cells| cells.get(i)).cloned().flatten() {
                Some(v) => write_fill(&mut ws, row, first + i as u16, &v, styles.input(c.kind))?,
                None => {
                    ws.write_blank(row, first + i as u16, styles.input(c.kind))?;
                }
            };
        }
    }
    for (i, c) in table.columns.iter().enumerate() {
        let label = campaign.text(&c.label);
        let dv = validation(plan, lists, c, &label)?;
        let cc = first + i as u16;
        ws.add_data_validation(table_rows::FIRST_ENTRY, cc, last_row, cc, &dv)?;
    }
    names.push((
        table_name(&table.code),
        format!(
            "='{}'!${}${}:${}${}",
            table.sheet.replace('\'', "''"),
            column_letter(first),
            table_rows::FIRST_ENTRY + 1,
            column_letter(last),
            last_row + 1
        ),
    ));

    ws.set_freeze_panes(table_rows::FIRST_ENTRY, 0)?;
    ws.set_repeat_rows(table_rows::TITLE, table_rows::HEADER)?;
    page_setup(&mut ws, school, total > 98.0);
    ws.protect_with_options(&protection());
    Ok(ws)
}

/// The widths of a table's columns (without «№»).
fn column_widths(table: &Table) -> Vec<f64> {
    table.columns.iter().map(|c| c.width.unwrap_or(DEFAULT_COLUMN_WIDTH)).collect()
}

/// The width of a table sheet: «№» and the table's columns.
pub(super) fn table_width(table: &Table) -> f64 {
    ROW_NUMBER_WIDTH + column_widths(table).iter().sum::<f64>()
}

/// The title of a table sheet: item, table, school.
pub(super) fn table_title(item: &Item, table: &Table, school: &School) -> String {
    format!("{}. {} — {}", item.code, table.title, school.name)
}
