//! The «Инструкция» sheet: how to fill in and hand in the form, and what it collects.

use super::*;

pub(super) fn instructions_sheet(
    campaign: &Campaign,
    school: &School,
    styles: &Styles,
    contacts: &Contacts,
    rows: &NameRows,
) -> Result<Worksheet> {
    const WIDTH: f64 = INSTRUCTIONS_WIDTH;
    let def = campaign.def;
    let deadline = ru_date(campaign.deadline);
    let mut ws = Worksheet::new();
    ws.set_name(INSTRUCTIONS_SHEET)?;
    ws.set_column_width(0, WIDTH)?;
    let mut row = 0u32;
    // The school's line is as high as `rows` says (see `NameRows`), every other as its text.
    let school_line = instructions_school_line(school);
    let mut put = |ws: &mut Worksheet, text: &str, format: &Format| -> Result<()> {
        ws.write_string_with_format(row, 0, text, format)?;
        let lines = match text == school_line {
            true => rows.instructions,
            false => text_lines(text, WIDTH, styles.is_bold(format)),
        };
        ws.set_row_height(row, row_height(lines))?;
        row += 1;
        Ok(())
    };

    put(&mut ws, "Как заполнить и сдать форму отчёта", &styles.title)?;
    put(
        &mut ws,
        &format!(
            "{}, {} учебный год. Срок сдачи — до {} ({}).",
            def.title,
            campaign.academic_year(),
            deadline,
            ru_date_long(campaign.deadline)
        ),
        &styles.subtitle,
    )?;
    put(&mut ws, &school_line, &styles.text)?;
    if !def.note.trim().is_empty() {
        put(&mut ws, &campaign.text(&def.note), &styles.note)?;
    }
    put(&mut ws, "", &styles.text)?;

    for (heading, points) in rules(contacts, &deadline) {
        put(&mut ws, heading, &styles.heading)?;
        for t in &points {
            put(&mut ws, &format!("• {t}"), &styles.text)?;
        }
        put(&mut ws, "", &styles.text)?;
    }

    put(&mut ws, "Что собирает эта форма", &styles.heading)?;
    for item in campaign.items() {
        let mut t = format!("{} — {}", item.code, campaign.text(&item.text));
        for table in &item.tables {
            t.push_str(&format!(" (таблица на листе «{}»)", table.sheet));
        }
        put(&mut ws, &format!("• {t}"), &styles.text)?;
    }
    let shares = campaign.shares();
    if !shares.is_empty() {
        put(&mut ws, "", &styles.text)?;
        put(&mut ws, "Что рассчитывается автоматически", &styles.heading)?;
        put(
            &mut ws,
            "Доли (зелёные ячейки) рассчитываются сами из введённых количеств и общих \
             сведений об ОО; вводить проценты не нужно.",
            &styles.text,
        )?;
        for (item, sh) in shares {
            put(&mut ws, &format!("• {} — {}", item.code, campaign.text(&sh.label)), &styles.text)?;
        }
    }
    let issuer = lower_first(&campaign.plan.issuer);
    let questions = match (contacts.line(), issuer.is_empty()) {
        (Some(c), true) => Some(format!("Вопросы по заполнению: {c}.")),
        (Some(c), false) => Some(format!("Вопросы по заполнению — в {issuer}: {c}.")),
        (None, false) => Some(format!("Вопросы по заполнению — в {issuer}.")),
        (None, true) => None,
    };
    if let Some(q) = questions {
        put(&mut ws, "", &styles.text)?;
        put(&mut ws, &q, &styles.note)?;
    }
    page_setup(&mut ws, school, false);
    ws.protect_with_options(&protection());
    Ok(ws)
}

/// The three lists of the sheet: how to fill in the form, what not to do, how to hand it in.
fn rules(contacts: &Contacts, deadline: &str) -> [(&'static str, Vec<String>); 3] {
    let fill = [
        "Заполняйте только жёлтые ячейки. Остальные ячейки защищены от изменения.".to_string(),
        format!(
            "Лист «{FORM_SHEET}»: сначала сведения о заполнившем форму (ФИО, должность, телефон), \
             затем общие сведения об ОО, затем показатели по пунктам плана."
        ),
        "Где есть стрелка списка, выберите значение из списка (да/нет, отметка о выполнении, \
         класс, этап, уровень, предмет) — не вводите его вручную другими словами."
            .to_string(),
        "Числа вводите цифрами, без единиц измерения, пробелов и слов: «25», а не «25 чел.». \
         Дробную часть отделяйте запятой."
            .to_string(),
        "Пустая ячейка — это «нет данных», а не ноль. Если значение равно нулю, введите 0. \
         Оставляйте ячейку пустой только если данных действительно нет."
            .to_string(),
        "Одного обучающегося учитывайте один раз, даже если он участвовал в нескольких \
         мероприятиях (если в подсказке к ячейке не сказано иное)."
            .to_string(),
        "Таблицы (списки мероприятий, участников и т. п.) заполняйте на отдельных листах \
         сверху вниз, по одной записи в строке, без пропусков строк. Если строк не хватает, \
         сообщите в отдел образования."
            .to_string(),
        "Подсказка появляется при выборе ячейки; при неверном значении программа сообщит, \
         что ожидается."
            .to_string(),
    ];
    let dont = [
        "Не переименовывайте, не удаляйте и не перемещайте листы; не показывайте скрытые листы \
         и не изменяйте их.",
        "Не вставляйте и не удаляйте строки и столбцы, не перемещайте ячейки.",
        "Не копируйте форму другой школы и не заполняйте одну форму за несколько школ: \
         у каждой школы своя форма.",
        "Не вставляйте в ячейки формулы и текст из других программ с форматированием: \
         при вставке проверки значений не срабатывают. Вставляйте только значения.",
    ]
    .map(String::from)
    .to_vec();
    let hand_in = [
        "Сохраните файл в формате .xlsx (Excel). В LibreOffice, МойОфис и Р7-Офис при \
         сохранении выберите «Сохранить в формате xlsx» / «Книга Excel 2007–365 (.xlsx)» — \
         не переводите файл в другой формат."
            .to_string(),
        "Имя файла можно не менять. Не защищайте файл паролем.".to_string(),
        format!(
            "Отправьте заполненный файл {} до {deadline} включительно. \
             Отчёт, сохранённый после срока, считается сданным с опозданием.",
            if contacts.send_to.is_empty() {
                "в отдел образования"
            } else {
                &contacts.send_to
            }
        ),
    ];
    [
        ("Как заполнять", fill.to_vec()),
        ("Чего не делать", dont),
        ("Как сдать отчёт", hand_in.to_vec()),
    ]
}
