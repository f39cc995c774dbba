//! The «Отчёт» sheet: the title block, who filled the form, «Общие сведения об ОО» and
//! one block per item, with the values of a synthetic return entered when given.

use super::*;

/// Builds the form sheet row by row, collecting defined names.
pub(super) struct FormSheet<'a> {
    pub(super) ws: Worksheet,
    pub(super) row: u32,
    pub(super) styles: &'a Styles,
    pub(super) names: &'a mut Vec<(String, String)>,
    /// Values to enter (synthetic returns); `None` for a blank form.
    pub(super) fill: Option<&'a Fill>,
}

impl FormSheet<'_> {
    /// A line of text across columns B–E (merged), with a height fitting the text.
    pub(super) fn wide(&mut self, text: &str, format: &Format) -> Result<()> {
        let lines = text_lines(text, WIDE_WIDTH, self.styles.is_bold(format));
        self.wide_lines(text, format, lines)
    }

    /// [`Self::wide`] `lines` high.
    pub(super) fn wide_lines(&mut self, text: &str, format: &Format, lines: u32) -> Result<()> {
        self.ws.merge_range(self.row, col::NUMBER, self.row, col::VALUE, text, format)?;
        self.ws.set_row_height(self.row, row_height(lines))?;
        self.row += 1;
        Ok(())
    }

    pub(super) fn blank(&mut self) {
        self.row += 1;
    }

    /// Set the current row's height from the texts in it: (text, column width, bold).
    pub(super) fn height(&mut self, cells: &[(&str, f64, bool)]) -> Result<()> {
        let lines = cells.iter().map(|(t, w, b)| text_lines(t, *w, *b)).max().unwrap_or(1);
        self.ws.set_row_height(self.row, row_height(lines))?;
        Ok(())
    }

    /// Name the value cell of the current row.
    pub(super) fn name_value_cell(&mut self, code: &str) {
        let target = format!("='{FORM_SHEET}'!${}${}", column_letter(col::VALUE), self.row + 1);
        self.names.push((field_name(code), target));
    }

    /// A profile field prefilled from an earlier campaign: the cell's input message says
    /// where the value comes from and asks to check it.
    pub(super) fn field_from(
        &mut self,
        campaign: &Campaign,
        lists: &Lists,
        f: &Field,
        value: f64,
        from: &str,
    ) -> Result<()> {
        let why = format!(
            "Значение перенесено из отчёта школы за {from}: проверьте и при необходимости исправьте."
        );
        self.field_with(campaign, lists, "", f, Some(value), &why)
    }

    /// A field row: code, item number, label, unit, input cell with validation.
    pub(super) fn field(
        &mut self,
        campaign: &Campaign,
        lists: &Lists,
        number: &str,
        f: &Field,
        prefill: Option<f64>,
    ) -> Result<()> {
        self.field_with(
            campaign,
            lists,
            number,
            f,
            prefill,
            "Значение взято из реестра школ: проверьте и при необходимости исправьте.",
        )
    }

    pub(super) fn field_with(
        &mut self,
        campaign: &Campaign,
        lists: &Lists,
        number: &str,
        f: &Field,
        prefill: Option<f64>,
        why: &str,
    ) -> Result<()> {
        let s = self.styles;
        let label = campaign.text(&f.label);
        let r = self.row;
        self.ws.write_string_with_format(r, col::CODE, &f.code, &s.code)?;
        self.ws.write_string_with_format(r, col::NUMBER, number, &s.label)?;
        self.ws.write_string_with_format(r, col::LABEL, &label, &s.label)?;
        self.ws.write_string_with_format(r, col::UNIT, &f.unit, &s.unit)?;
        let input = s.input(f.kind);
        match (self.fill.map(|x| x.values.get(&f.code)), prefill) {
            (Some(Some(v)), _) => write_fill(&mut self.ws, r, col::VALUE, v, input)?,
            (Some(None), _) => {
                self.ws.write_blank(r, col::VALUE, input)?;
            }
            (None, Some(v)) => {
                self.ws.write_number_with_format(r, col::VALUE, v, input)?;
            }
            (None, None) => {
                self.ws.write_blank(r, col::VALUE, input)?;
            }
        };
        let mut dv = validation(campaign.plan, lists, f, &label)?;
        if prefill.is_some() {
            dv = dv.set_input_message(clip_utf16(&format!("{why} {}", rule_text(f)), 255))?;
        }
        self.ws.add_data_validation(r, col::VALUE, r, col::VALUE, &dv)?;
        let value_lines = if f.kind == Kind::Text { 2 } else { 1 };
        let lines = text_lines(&label, FORM_WIDTHS[2], false).max(value_lines);
        self.ws.set_row_height(r, row_height(lines))?;
        self.name_value_cell(&f.code);
        self.row += 1;
        Ok(())
    }

    /// A share row: a live formula over the numerator's and denominator's names, with its
    /// value cached for readers that do not recalculate.
    pub(super) fn share(&mut self, campaign: &Campaign, number: &str, sh: &Share) -> Result<()> {
        let s = self.styles;
        let label = format!("{} (рассчитывается автоматически)", campaign.text(&sh.label));
        let r = self.row;
        let formula = share_formula(campaign.plan, sh);
        self.ws.write_string_with_format(r, col::CODE, &sh.code, &s.code)?;
        self.ws.write_string_with_format(r, col::NUMBER, number, &s.label)?;
        self.ws.write_string_with_format(r, col::LABEL, &label, &s.label)?;
        self.ws.write_string_with_format(r, col::UNIT, "%", &s.unit)?;
        // The form is issued blank, so the share has no value yet: cache "" (what the
        // formula shows while its numerator is blank), not a misleading 0 %.
        let cached = self.fill.and_then(|x| share_value(sh, x)).map(|v| v.to_string());
        self.ws.write_formula_with_format(
            r,
            col::VALUE,
            Formula::new(formula).set_result(cached.unwrap_or_default()),
            &s.share,
        )?;
        self.height(&[(&label, FORM_WIDTHS[2], false)])?;
        self.name_value_cell(&sh.code);
        self.row += 1;
        Ok(())
    }
}

// The sheet needs all of these; the school's contacts and carried values are its two
// optional parts.
#[allow(clippy::too_many_arguments)]
pub(super) fn form_sheet(
    campaign: &Campaign,
    school: &School,
    styles: &Styles,
    lists: &Lists,
    names: &mut Vec<(String, String)>,
    fill: Option<&Fill>,
    contacts: &Contacts,
    carried: Option<&Carried>,
    rows: &NameRows,
) -> Result<Worksheet> {
    let plan = campaign.plan;
    let mut ws = Worksheet::new();
    ws.set_name(FORM_SHEET)?;
    for (c, w) in FORM_WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_column_hidden(col::CODE)?;
    // An empty cached result must be stored as an empty string; rust_xlsxwriter would
    // otherwise replace it with its default "0", which shows as 0 % in LibreOffice.
    ws.set_formula_result_default("");
    let mut s = FormSheet { ws, row: 0, styles, names, fill };

    title_block(&mut s, campaign, school, contacts, rows)?;
    meta_block(&mut s)?;
    profile_block(&mut s, campaign, school, lists, carried)?;

    // One block per item, grouped by section.
    s.wide("Показатели плана", &styles.block)?;
    let mut last_section: Option<String> = None;
    for item in campaign.items() {
        if let Some(section) = plan.section_of(item) {
            if last_section.as_deref() != Some(section.number.as_str()) {
                let r = s.row;
                let title = format!("Раздел {}. {}", section.number, section.title);
                s.ws.merge_range(r, col::NUMBER, r, col::VALUE, &title, &styles.section)?;
                s.height(&[(&title, WIDE_WIDTH, true)])?;
                s.row += 1;
                last_section = Some(section.number.clone());
            }
        }
        item_block(&mut s, campaign, lists, item)?;
    }

    let mut ws = s.ws;
    page_setup(&mut ws, school, false);
    ws.protect_with_options(&protection());
    // The form sheet must be the active one: otherwise rust_xlsxwriter may activate (and
    // un-hide) another sheet; see docs/libraries.md.
    ws.set_active(true);
    Ok(ws)
}

/// The title block: locked and prefilled — plan, campaign, deadline, school, contacts.
fn title_block(
    s: &mut FormSheet,
    campaign: &Campaign,
    school: &School,
    contacts: &Contacts,
    rows: &NameRows,
) -> Result<()> {
    let styles = s.styles;
    s.wide(&campaign.plan.title, &styles.title)?;
    if !campaign.plan.issuer.is_empty() {
        s.wide(&campaign.plan.issuer, &styles.text)?;
    }
    s.wide(
        &format!("{}, {} учебный год", campaign.def.title, campaign.academic_year()),
        &styles.subtitle,
    )?;
    // Contacts go into existing header rows: the form's rows (and every cell address in
    // messages) do not move when they are set.
    let send_to = match contacts.send_to.as_str() {
        "" => String::new(),
        to => format!("; отправить {to}"),
    };
    s.wide(
        &format!(
            "Срок сдачи: до {} ({}){send_to}",
            ru_date(campaign.deadline),
            ru_date_long(campaign.deadline)
        ),
        &styles.subtitle,
    )?;
    if !campaign.def.note.trim().is_empty() {
        s.wide(&campaign.text(&campaign.def.note), &styles.note)?;
    }
    s.wide_lines(&school_line(school), &styles.subtitle, rows.title)?;
    let questions =
        contacts.line().map(|c| format!(" Вопросы по заполнению: {c}.")).unwrap_or_default();
    s.wide(
        &format!(
            "Перед заполнением прочитайте лист «Инструкция». Заполняйте только жёлтые \
             ячейки.{questions}"
        ),
        &styles.note,
    )?;
    s.blank();
    Ok(())
}

/// Who filled the form: name, position, phone.
fn meta_block(s: &mut FormSheet) -> Result<()> {
    let styles = s.styles;
    s.wide("Сведения о заполнившем форму", &styles.block)?;
    for (code, label) in META_FIELDS {
        let r = s.row;
        s.ws.write_string_with_format(r, col::CODE, code, &styles.code)?;
        s.ws.write_blank(r, col::NUMBER, &styles.label)?;
        s.ws.write_string_with_format(r, col::LABEL, label, &styles.label)?;
        s.ws.write_blank(r, col::UNIT, &styles.unit)?;
        match s.fill.and_then(|f| f.values.get(code)) {
            Some(v) => write_fill(&mut s.ws, r, col::VALUE, v, &styles.input_text)?,
            None => {
                s.ws.write_blank(r, col::VALUE, &styles.input_text)?;
            }
        }
        let dv = text_validation(label, META_MAX_CHARS, "")?;
        s.ws.add_data_validation(r, col::VALUE, r, col::VALUE, &dv)?;
        s.name_value_cell(code);
        s.row += 1;
    }
    s.blank();
    Ok(())
}

/// «Общие сведения об ОО»: the denominators, asked once; prefilled from the registry or
/// carried from the school's accepted return of the previous campaign.
fn profile_block(
    s: &mut FormSheet,
    campaign: &Campaign,
    school: &School,
    lists: &Lists,
    carried: Option<&Carried>,
) -> Result<()> {
    let styles = s.styles;
    let profile = campaign.profile_fields();
    if !profile.is_empty() {
        s.wide("Общие сведения об ОО", &styles.block)?;
        let carried_here: Vec<&str> = profile
            .iter()
            .filter(|f| carried.is_some_and(|c| c.values.contains_key(&f.code)))
            .map(|f| f.code.as_str())
            .collect();
        let prefilled = profile.iter().any(|f| school.profile.contains_key(&f.code));
        let note = match carried {
            Some(c) if !carried_here.is_empty() => format!(
                "Заполняются один раз и используются для расчёта долей ниже. Значения \
                 перенесены из принятого отчёта школы за прошлую кампанию ({}): проверьте \
                 их, исправьте, если изменились, и заполните пустые ячейки.",
                c.from
            ),
            _ if prefilled => "Заполняются один раз и используются для расчёта долей ниже. \
                               Значения из реестра школ уже внесены: проверьте их и заполните \
                               пустые ячейки."
                .to_string(),
            _ => "Заполняются один раз и используются для расчёта долей ниже.".to_string(),
        };
        s.wide(&note, &styles.note)?;
        for f in profile {
            let from_campaign = carried
                .and_then(|c| c.values.get(&f.code).copied().map(|v| (v, c.from.as_str())))
                .filter(|(v, _)| v.is_finite());
            match from_campaign {
                Some((v, from)) => s.field_from(campaign, lists, f, v, from)?,
                None => {
                    let prefill = school.profile.get(&f.code).copied().filter(|v| v.is_finite());
                    s.field(campaign, lists, "", f, prefill)?;
                }
            }
        }
        s.blank();
    }
    Ok(())
}

pub(super) fn item_block(
    s: &mut FormSheet,
    campaign: &Campaign,
    lists: &Lists,
    item: &Item,
) -> Result<()> {
    let styles = s.styles;
    let r = s.row;
    let text = campaign.text(&item.text);
    s.ws.write_string_with_format(r, col::NUMBER, &item.code, &styles.item_num)?;
    s.ws.merge_range(r, col::LABEL, r, col::VALUE, &text, &styles.item)?;
    let width: f64 = FORM_WIDTHS[2..].iter().sum();
    s.height(&[(&text, width, true)])?;
    s.row += 1;

    if !item.indicator.trim().is_empty() {
        let r = s.row;
        let text = format!("Показатель: {}", campaign.text(&item.indicator));
        s.ws.write_blank(r, col::NUMBER, &styles.indicator)?;
        s.ws.merge_range(r, col::LABEL, r, col::VALUE, &text, &styles.indicator)?;
        s.height(&[(&text, width, false)])?;
        s.row += 1;
    }
    for f in &item.fields {
        s.field(campaign, lists, &item.code, f, None)?;
    }
    for sh in &item.shares {
        s.share(campaign, &item.code, sh)?;
    }
    for t in &item.tables {
        let r = s.row;
        let text = format!("{}: заполните таблицу на листе «{}»", t.title, t.sheet);
        s.ws.write_string_with_format(r, col::CODE, &t.code, &styles.code)?;
        s.ws.write_string_with_format(r, col::NUMBER, &item.code, &styles.label)?;
        s.ws.write_string_with_format(r, col::LABEL, &text, &styles.label)?;
        s.ws.write_blank(r, col::UNIT, &styles.unit)?;
        let url = Url::new(format!("internal:'{}'!A1", t.sheet.replace('\'', "''")))
            .set_text(format!("→ лист «{}»", t.sheet));
        s.ws.write_url_with_format(r, col::VALUE, url, &styles.link)?;
        s.height(&[(&text, FORM_WIDTHS[2], false)])?;
        s.row += 1;
    }
    Ok(())
}

/// Enter a synthetic value: numbers as numbers, text as text (never a formula).
pub(super) fn write_fill(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &FillValue,
    format: &Format,
) -> Result<()> {
    match v {
        FillValue::Num(n) => ws.write_number_with_format(r, c, *n, format)?,
        FillValue::Text(t) => ws.write_string_with_format(r, c, t, format)?,
    };
    Ok(())
}
