//! Plan files with each kind of mistake are refused with a message naming the line and
//! the problem. The base plan below is valid; each test breaks one thing in it.

use profplan::plan::{Plan, PlanError};

/// A small valid plan. Line numbers in the tests refer to this text.
const BASE: &str = r#"id = "test-plan"
title = "Тестовый план"

[choices]
mark = ["выполнено", "не выполнено"]

[[profile]]
code = "oo_students"
label = "Обучающихся"
kind = "integer"
min = 0

[[section]]
number = "1"
title = "Раздел"

[[section.item]]
code = "1.1"
text = "Пункт"

[[section.item.field]]
code = "p1_1_count"
label = "Количество"
kind = "integer"

[[section.item.field]]
code = "p1_1_mark"
label = "Отметка"
kind = "choice"
choices = "mark"

[[rule]]
code = "r1"
left = "p1_1_count"
op = "<="
right = "oo_students"
message = "Не больше обучающихся"

[[campaign]]
code = "december"
title = "Декабрь"
month = 12
day = 20
items = ["1.1"]
"#;

/// BASE with `from` replaced by `to` (which must occur exactly once).
fn broken(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "«{from}» must occur once in BASE");
    BASE.replace(from, to)
}

/// The errors of a plan that must be refused.
fn errors(text: &str) -> Vec<PlanError> {
    match Plan::from_toml(text, "plan.toml") {
        Ok(_) => panic!("the plan must be refused:\n{text}"),
        Err(e) => e.0,
    }
}

/// The only error of a plan with one mistake.
fn single(text: &str) -> PlanError {
    let mut e = errors(text);
    assert_eq!(e.len(), 1, "exactly one problem expected, got {e:#?}");
    e.remove(0)
}

#[test]
fn base_plan_is_valid() {
    let plan = Plan::from_toml(BASE, "plan.toml").unwrap();
    assert_eq!(plan.items().count(), 1);
}

#[test]
fn duplicate_field_code() {
    let e = single(&broken("code = \"p1_1_mark\"", "code = \"p1_1_count\""));
    assert_eq!(e.line, Some(26));
    assert_eq!(e.message, "код поля «p1_1_count» повторяется");
    assert_eq!(e.to_string(), "plan.toml, строка 26: код поля «p1_1_count» повторяется");
}

#[test]
fn field_code_repeating_a_profile_code() {
    // (The rule then names a field that no longer exists: a second problem.)
    let e = errors(&broken("code = \"p1_1_count\"", "code = \"oo_students\""));
    assert_eq!(
        (e[0].line, e[0].message.as_str()),
        (Some(21), "код поля «oo_students» повторяется")
    );
    assert_eq!(e[1].line, Some(32));
}

#[test]
fn duplicate_item_code() {
    let second_item = "\n[[section.item]]\ncode = \"1.1\"\ntext = \"Ещё пункт\"\n\n\
[[section.item.field]]\ncode = \"p1_1_other\"\nlabel = \"Другое\"\nkind = \"text\"\n";
    let text = broken("choices = \"mark\"\n", &format!("choices = \"mark\"\n{second_item}"));
    let e = single(&text);
    assert_eq!(e.line, Some(32));
    assert_eq!(e.message, "код пункта «1.1» повторяется");
}

#[test]
fn rule_naming_an_unknown_field() {
    let e = single(&broken("right = \"oo_students\"", "right = \"oo_pupils\""));
    assert_eq!(e.line, Some(32));
    assert_eq!(e.message, "правило «r1», правая часть: неизвестное поле «oo_pupils»");
}

#[test]
fn rule_naming_a_text_field() {
    let e = single(&broken("left = \"p1_1_count\"", "left = \"p1_1_mark\""));
    assert_eq!(e.line, Some(32));
    assert_eq!(e.message, "правило «r1», левая часть: поле «p1_1_mark» не числовое");
}

#[test]
fn rule_side_that_does_not_parse() {
    // Expressions are parsed once, when the plan is read: a side that does not parse is
    // reported with its rule, its text and its line, and the plan is not loaded.
    let e = single(&broken("left = \"p1_1_count\"", "left = \"p1_1_count * 2\""));
    assert_eq!(e.line, Some(32));
    assert_eq!(
        e.message,
        "правило «r1», левая часть «p1_1_count * 2»: ожидался знак «+» или «-», найдено «* 2»"
    );
}

#[test]
fn share_side_that_does_not_parse() {
    let share = "\n[[section.item.share]]\ncode = \"p1_1_share\"\nlabel = \"Доля\"\n\
numerator = \"p1_1_count\"\ndenominator = \"oo_students +\"\n";
    let e = single(&broken("choices = \"mark\"\n", &format!("choices = \"mark\"\n{share}")));
    assert_eq!(e.line, Some(32));
    assert_eq!(
        e.message,
        "доля «p1_1_share»: знаменатель «oo_students +»: выражение оканчивается знаком"
    );
}

#[test]
fn view_naming_an_unknown_column_is_refused_at_load() {
    let table = "\n[[section.item.table]]\ncode = \"t1\"\ntitle = \"Таблица\"\nsheet = \"Т1\"\n\n\
[[section.item.table.column]]\ncode = \"name\"\nlabel = \"Название\"\nkind = \"text\"\n\n\
[[section.item.table.column]]\ncode = \"n\"\nlabel = \"Число\"\nkind = \"integer\"\n\n\
[[section.item.table.view]]\ntitle = \"По названиям\"\nrows = \"nme\"\nvalues = [\"n\"]\n";
    let e = single(&broken("choices = \"mark\"\n", &format!("choices = \"mark\"\n{table}")));
    assert_eq!(e.line, Some(47));
    assert_eq!(
        e.message,
        "вид «По названиям» таблицы «t1»: rows = \"nme\" — такого столбца в таблице нет; \
         столбцы: name, n"
    );
}

#[test]
fn impossible_date_31_april() {
    let e = single(&broken("month = 12\nday = 20", "month = 4\nday = 31"));
    assert_eq!(e.line, Some(39));
    assert_eq!(e.message, "кампания «december»: даты 31.04 не существует");
}

#[test]
fn impossible_date_30_february() {
    let e = single(&broken("month = 12\nday = 20", "month = 2\nday = 30"));
    assert_eq!(e.line, Some(39));
    assert_eq!(e.message, "кампания «december»: даты 30.02 не существует");
}

#[test]
fn campaign_naming_an_unknown_item() {
    let e = single(&broken("items = [\"1.1\"]", "items = [\"1.1\", \"1.2\"]"));
    assert_eq!(e.line, Some(39));
    assert_eq!(e.message, "кампания «december» ссылается на неизвестный пункт «1.2»");
}

#[test]
fn choice_field_without_choices() {
    let e = single(&broken("choices = \"mark\"\n", ""));
    assert_eq!(e.line, Some(26));
    assert_eq!(e.message, "поля «p1_1_mark» типа choice без списка выбора (choices)");
}

#[test]
fn choice_field_with_an_unknown_list() {
    let e = single(&broken("choices = \"mark\"\n", "choices = \"marks\"\n"));
    assert_eq!(e.line, Some(26));
    assert_eq!(e.message, "поля «p1_1_mark» ссылается на неизвестный список выбора «marks»");
}

#[test]
fn unknown_key() {
    let e = single(&broken(
        "kind = \"integer\"\n\n[[section.item.field]]",
        "kind = \"integer\"\nmaximum = 5\n\n[[section.item.field]]",
    ));
    assert_eq!(e.line, Some(25));
    assert!(e.message.starts_with("неизвестный ключ `maximum`"), "{}", e.message);
}

#[test]
fn unknown_kind() {
    let e = single(&broken("kind = \"choice\"", "kind = \"list\""));
    assert_eq!(e.line, Some(29));
    assert!(e.message.starts_with("недопустимое значение"), "{}", e.message);
}

#[test]
fn missing_required_key() {
    let e = single(&broken("label = \"Количество\"\n", ""));
    assert_eq!(e.line, Some(21));
    assert!(e.message.starts_with("не хватает обязательного ключа `label`"), "{}", e.message);
}

#[test]
fn toml_syntax_error() {
    let e = single(&broken("title = \"Раздел\"", "title = \"Раздел"));
    assert_eq!(e.line, Some(15));
    assert!(e.message.starts_with("не закрыта кавычка"), "{}", e.message);
}

#[test]
fn several_mistakes_are_all_reported() {
    let text = broken("right = \"oo_students\"", "right = \"oo_pupils\"")
        .replace("day = 20", "day = 31")
        .replace("month = 12", "month = 11");
    let e = errors(&text);
    let lines: Vec<Option<usize>> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(32), Some(39)], "{e:#?}");
}
