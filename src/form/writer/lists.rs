//! The choice lists of the form: the hidden lists sheet and the dropdowns that use it.

use super::*;

/// The choice lists the form uses, as written on [`LISTS_SHEET`]: one column per list,
/// its name in row 1 and its values below. Lists too long for an inline dropdown
/// (Excel's 255-character limit) point at their column.
pub(super) struct Lists {
    /// List name → (column, values).
    pub(super) columns: BTreeMap<String, (u16, Vec<String>)>,
}

impl Lists {
    pub(super) fn of(campaign: &Campaign) -> Lists {
        let plan = campaign.plan;
        let mut used: Vec<&str> = Vec::new();
        let fields = campaign.fields();
        let columns = campaign.tables().into_iter().flat_map(|(_, t)| t.columns.iter());
        for f in fields.into_iter().chain(columns) {
            if f.kind == Kind::Choice {
                if let Some(name) = f.choices.as_deref() {
                    if !used.contains(&name) {
                        used.push(name);
                    }
                }
            }
        }
        used.sort_unstable();
        let columns = used
            .into_iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let values = plan.choices.get(name)?.clone();
                Some((name.to_string(), (i as u16, values)))
            })
            .collect();
        Lists { columns }
    }

    /// A dropdown validation for a field or column.
    pub(super) fn validation(&self, plan: &Plan, f: &Field) -> Result<DataValidation> {
        let values = plan.choices_of(f);
        let joined_len: usize =
            values.iter().map(|v| v.encode_utf16().count() + 1).sum::<usize>().saturating_sub(1);
        if f.kind == Kind::YesNo || joined_len <= 255 {
            return Ok(DataValidation::new().allow_list_strings(&values)?);
        }
        let name = f.choices.as_deref().unwrap_or_default();
        let (column, list) =
            self.columns.get(name).with_context(|| format!("список «{name}» не найден"))?;
        let letter = column_letter(*column);
        let range =
            format!("='{LISTS_SHEET}'!${letter}$2:${letter}${}", list.len().max(1) as u32 + 1);
        Ok(DataValidation::new().allow_list_formula(Formula::new(range)))
    }

    pub(super) fn sheet(&self, styles: &Styles) -> Result<Worksheet> {
        let mut ws = Worksheet::new();
        ws.set_name(LISTS_SHEET)?;
        for (name, (column, values)) in &self.columns {
            ws.write_string_with_format(0, *column, name, &styles.subtitle)?;
            for (i, v) in values.iter().enumerate() {
                ws.write_string(1 + i as u32, *column, v)?;
            }
            ws.set_column_width(*column, 30)?;
        }
        ws.set_hidden(true);
        ws.protect_with_options(&protection());
        Ok(ws)
    }
}
