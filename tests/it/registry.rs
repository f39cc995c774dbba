//! The school registry as Russian Excel writes it: encodings, separators, headers in
//! Russian, profile figures, and the mistakes people make (each refused with its line).

use profplan::plan::Plan;
use profplan::schools::{Registry, RegistryError};

fn plan() -> Plan {
    Plan::default_plan()
}

fn parse(bytes: &[u8]) -> Result<Registry, RegistryError> {
    Registry::from_bytes(bytes, "schools.csv", &plan()).map(|(r, _)| r)
}

fn err(text: &str) -> RegistryError {
    parse(text.as_bytes()).expect_err("the registry must be refused")
}

#[test]
fn example_registry_loads_with_profile_figures() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/schools.csv");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "the example is saved with a BOM, like Excel");
    let (reg, warnings) = Registry::load_with_warnings(&path, &plan()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(reg.schools.len(), 20);
    let first = &reg.schools[0];
    assert_eq!(first.id, "101");
    assert_eq!(first.name, "МБОУ «Покрово-Пригородная СОШ»");
    assert_eq!(first.short_name, "Покрово-Пригородная СОШ");
    assert!(first.email.ends_with("@example.ru"));
    assert_eq!(first.profile["oo_students_6_11"], 612.0);
    // «1 138»: a thousands separator, as Excel shows big numbers.
    assert_eq!(reg.get("112").unwrap().profile["oo_students_6_11"], 1138.0);
    let with_figures = reg.schools.iter().filter(|s| s.profile.len() == 6).count();
    assert!(with_figures >= 15);
}

#[test]
fn utf8_with_bom_and_semicolons() {
    let reg = parse("\u{feff}id;name\r\n1;МБОУ «Горельская СОШ»\r\n".as_bytes()).unwrap();
    assert_eq!(reg.schools[0].id, "1");
    assert_eq!(reg.schools[0].short_name, "Горельская СОШ");
}

#[test]
fn utf8_without_bom_and_commas_with_quotes() {
    let reg = parse(
        "код,наименование,телефон\n7,\"МБОУ «Сатинская СОШ», филиал\",+7 900 000-00-00\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(reg.schools[0].name, "МБОУ «Сатинская СОШ», филиал");
    assert_eq!(reg.schools[0].phone, "+7 900 000-00-00");
}

#[test]
fn windows_1251_as_excel_csv_writes_it() {
    let text = "Код;Наименование;Краткое наименование;Почта\r\n5;МБОУ «Селезнёвская СОШ»;Селезнёвская;s@example.ru\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "the sample must not be valid UTF-8");
    let reg = parse(&bytes).unwrap();
    assert_eq!(reg.schools[0].name, "МБОУ «Селезнёвская СОШ»");
    assert_eq!(reg.schools[0].short_name, "Селезнёвская");
    assert_eq!(reg.schools[0].email, "s@example.ru");
}

#[test]
fn headers_in_any_case_and_profile_by_label() {
    let text = "ID;НАЗВАНИЕ;Контактное лицо;Численность обучающихся 6–11 классов;\
Численность выпускников 9 классов 2024/25 учебного года;Примечание\n\
3;Бокинская СОШ;Козлова С. Ю.;1 234;12,0;что угодно\n";
    let (reg, warnings) = Registry::from_bytes(text.as_bytes(), "r.csv", &plan()).unwrap();
    let s = &reg.schools[0];
    assert_eq!(s.contact_person, "Козлова С. Ю.");
    assert_eq!(s.profile["oo_students_6_11"], 1234.0);
    assert_eq!(s.profile["oo_graduates_9"], 12.0);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].to_string().contains("«Примечание» не используется"), "{}", warnings[0]);
}

#[test]
fn blank_lines_and_empty_rows_are_skipped() {
    let reg = parse(b"id;name\n\n1;A\n;;\n\n2;B\n").unwrap();
    assert_eq!(reg.schools.len(), 2);
}

#[test]
fn duplicate_id_names_both_lines() {
    let e = err("id;name\n1;A\n2;B\n1;C\n");
    assert!(matches!(e, RegistryError::DuplicateId { line: 4, first_line: 2, .. }), "{e:?}");
    assert_eq!(e.to_string(), "schools.csv, строка 4: код школы «1» уже встречался в строке 2");
}

#[test]
fn missing_name_column_is_named() {
    let e = err("id;школа №\n1;A\n");
    assert_eq!(e.line(), Some(1));
    let msg = e.to_string();
    assert!(msg.starts_with("schools.csv, строка 1: нет столбца «name»"), "{msg}");
    assert!(msg.contains("«школа №»"), "{msg}");
}

#[test]
fn missing_id_column_is_named() {
    let msg = err("наименование\nA\n").to_string();
    assert!(msg.contains("нет столбца «id»"), "{msg}");
}

#[test]
fn empty_name_names_the_line() {
    let e = err("id;name\n1;A\n\n2;  \n");
    assert_eq!(e.to_string(), "schools.csv, строка 4: не указано наименование школы с кодом «2»");
}

#[test]
fn empty_id_names_the_line() {
    let e = err("код;наименование\n1;A\n;B\n");
    assert_eq!(e.to_string(), "schools.csv, строка 3: не указан код школы (столбец «код»)");
}

#[test]
fn bad_number_names_line_and_column() {
    let e = err("id;name;oo_teachers\n1;A;12,5\n");
    assert_eq!(
        e.to_string(),
        "schools.csv, строка 2, столбец «oo_teachers»: ожидалось целое число ≥ 0, найдено «12,5»"
    );
}

#[test]
fn unquoted_comma_in_name_is_explained() {
    let e = err("id,name\n1,МБОУ СОШ, филиал\n");
    assert!(matches!(e, RegistryError::ExtraValues { line: 2, .. }), "{e:?}");
    assert!(e.to_string().contains("кавычки"));
}

#[test]
fn empty_file_and_header_only() {
    assert!(matches!(err("\u{feff}\n\n"), RegistryError::Empty { .. }));
    assert!(matches!(err("id;name\n"), RegistryError::NoSchools { .. }));
}

#[test]
fn duplicate_column_is_refused() {
    let e = err("id;код;name\n1;1;A\n");
    assert!(matches!(e, RegistryError::DuplicateColumn { line: 1, .. }), "{e:?}");
}
