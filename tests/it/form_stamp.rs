//! Stamped forms (`form::writer::stamp`, what `profplan template` writes): every part,
//! unzipped, equals the same part of the form the full writer makes, for schools whose
//! texts are hard to put in a form — markup characters, names that wrap over several
//! lines, «Ё», empty fields, prefilled and carried figures, with and without a district
//! key and contacts. Schools the stamp cannot make exactly go to the full writer, and
//! their forms are the full writer's.

use std::collections::BTreeMap;

use profplan::config::contacts::Contacts;
use profplan::form::writer::stamp::FormStamp;
use profplan::form::writer::{form_date, write_form_carried, write_form_with_contacts, Carried};
use profplan::key::DistrictKey;
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::read::{read_bytes, Limits};
use profplan::schools::School;

use crate::support::entries;

fn school(id: &str, name: &str, short: &str, profile: &[(&str, f64)]) -> School {
    School {
        id: id.into(),
        name: name.into(),
        short_name: short.into(),
        profile: profile.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        contact_person: String::new(),
        email: String::new(),
        phone: String::new(),
    }
}

/// Schools the stamp makes itself.
fn stamped_schools() -> Vec<School> {
    let long = "Муниципальное бюджетное общеобразовательное учреждение «Средняя \
                общеобразовательная школа № 2 с углублённым изучением отдельных предметов \
                имени Героя Советского Союза Ф. Ф. Ёлкина» Покрово-Пригородного сельсовета \
                Тамбовского муниципального округа Тамбовской области";
    vec![
        school(
            "07",
            "МБОУ «Покрово-Пригородная СОШ»",
            "Покрово-Пригородная СОШ",
            &[("oo_students_6_11", 412.0), ("oo_teachers", 38.0)],
        ),
        school("08", "МБОУ «Школа № 8»", "Школа № 8", &[("oo_students_6_11", 120.0)]),
        school(
            "A&B<1>",
            r#"Школа "Тест" & <Ко> 'кавычки' — &amp; не сущность"#,
            "Ш & Ко &[Page] &[Pages] <b>",
            &[("oo_students_6_11", 7.5)],
        ),
        school("109", long, &long.repeat(2), &[("oo_students_6_11", 1234.0)]),
        school("110", "ЁЛКИНСКАЯ школа ёлочка Ё", "Ёлки", &[]),
        school("111", "Школа без краткого имени", "", &[("oo_students_6_11", f64::NAN)]),
        school("112", "Школа\tс табуляцией\nи переводом строки", "Таб\tшкола", &[]),
        school("113", "Школа с control\u{1}символом", "Кратко\u{2}", &[("oo_teachers", 0.0)]),
        school("114", "Школа", "Школа", &[("oo_students_6_11", -3.25e-7)]),
        school(" 115", " Школа с пробелами по краям ", " Ш ", &[]),
    ]
}

/// Schools the full writer must make: a literal `_x` (rust_xlsxwriter escapes `_xHHHH_` in
/// shared strings), texts equal to another text of the form (merged shared strings).
fn full_writer_schools() -> Vec<School> {
    vec![
        school("120", "Школа_x0041_", "Ш", &[]),
        school("121", "Показатели плана", "Ш", &[]),
        school("122", "122", "Ш", &[]),
    ]
}

fn carried_for(c: &Campaign, school: &School) -> Vec<Option<Carried>> {
    let codes: Vec<String> = c.profile_fields().iter().map(|f| f.code.clone()).collect();
    let mut some = Carried {
        values: BTreeMap::new(),
        from: "«Промежуточный отчёт за I полугодие», срок 20.12.2025 & <прочее>".into(),
    };
    for (i, code) in codes.iter().enumerate() {
        // One figure carried, one carried but not finite, the rest left to the registry.
        match i {
            0 => some.values.insert(code.clone(), 398.0 + school.id.len() as f64),
            1 => some.values.insert(code.clone(), f64::INFINITY),
            _ => None,
        };
    }
    let mut other_from = some.clone();
    other_from.from = "«Итоговый отчёт», срок 25.05.2025".into();
    vec![None, Some(some), Some(other_from)]
}

/// Same entries, same order, same inflated bytes.
fn assert_same_parts(stamped: &[u8], full: &[u8], what: &str) {
    let (s, f) = (entries(stamped), entries(full));
    let names = |e: &[(String, Vec<u8>)]| e.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&s), names(&f), "{what}: parts");
    for ((name, a), (_, b)) in s.iter().zip(&f) {
        assert!(
            a == b,
            "{what}: part {name} differs:\nstamped: {}\nfull:    {}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
        );
    }
}

/// The full writer's form, as `profplan template` made it before the stamp.
fn full_form(
    c: &Campaign,
    s: &School,
    key: Option<&DistrictKey>,
    contacts: &Contacts,
    carried: Option<&Carried>,
) -> Vec<u8> {
    let date = form_date(c);
    match carried {
        Some(cf) => write_form_carried(c, s, date, key, contacts, cf).unwrap(),
        None => write_form_with_contacts(c, s, date, key, contacts).unwrap(),
    }
}

#[test]
fn stamped_forms_equal_the_full_writers_part_for_part() {
    let plan = Plan::default_plan();
    let key = DistrictKey::from_bytes([7; 32]);
    let contacts = Contacts {
        name: "Иванова Мария Петровна, методист".into(),
        phone: "+7 (4752) 00-00-00".into(),
        email: "metodist@example.ru".into(),
        send_to: "на адрес metodist@example.ru с темой «Профориентация & план»".into(),
    };
    let mut stamped = 0;
    // December (shares, a table), May (four tables), September (yes/no, text).
    for campaign in ["2025-12-20", "2026-05-25", "2025-09-15"] {
        let c = Campaign::parse(&plan, campaign).unwrap();
        for (key, contacts) in [(None, Contacts::default()), (Some(&key), contacts.clone())] {
            // One stamp for all schools: its templates serve schools of every name.
            let stamp = FormStamp::new(&c, form_date(&c), key, &contacts).unwrap();
            for s in stamped_schools().iter().chain(&full_writer_schools()) {
                for carried in carried_for(&c, s) {
                    let what = format!(
                        "{campaign}, key {}, school {:?}, carried {:?}",
                        key.is_some(),
                        s.name,
                        carried.as_ref().map(|c| &c.from)
                    );
                    let full = full_form(&c, s, key, &contacts, carried.as_ref());
                    let form = stamp.form(s, carried.as_ref()).unwrap();
                    assert_same_parts(&form, &full, &what);
                    let made = stamp.stamped(s, carried.as_ref()).unwrap();
                    let expect_stamped = !full_writer_schools().contains(s);
                    assert_eq!(made.is_some(), expect_stamped, "{what}: stamped or not");
                    stamped += usize::from(made.is_some());
                }
            }
        }
    }
    assert_eq!(stamped, 3 * 2 * stamped_schools().len() * 3);
}

#[test]
fn a_stamped_form_reads_back_like_the_full_writers() {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, "2025-12-20").unwrap();
    let key = DistrictKey::from_bytes([3; 32]);
    let contacts = Contacts::default();
    let stamp = FormStamp::new(&c, form_date(&c), Some(&key), &contacts).unwrap();
    for s in stamped_schools() {
        let form = stamp.stamped(&s, None).unwrap().expect("stamped");
        let full = full_form(&c, &s, Some(&key), &contacts, None);
        assert_ne!(form, full, "the container is the stamp's, not rust_xlsxwriter's");
        let read = |bytes: &[u8]| read_bytes(bytes, "f.xlsx", &Limits::default()).unwrap();
        let (a, b) = (read(&form), read(&full));
        assert_eq!(a, b, "school {}", s.id);
        let props = a.identity.properties.expect("document properties");
        // (rust_xlsxwriter writes control characters as `_xHHHH_`, read back as such.)
        if !s.name.chars().any(char::is_control) {
            assert_eq!(props.get("school_name"), Some(&s.name), "school {}", s.id);
        }
        let sheet = a.identity.sheet.expect("identity sheet");
        assert_eq!(sheet.get("school_id").map(String::as_str), Some(s.id.trim()), "read trimmed");
    }
}

#[test]
fn libreoffice_opens_a_stamped_form_and_keeps_its_identity_and_names() {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, "2026-05-25").unwrap();
    let key = DistrictKey::from_bytes([5; 32]);
    let contacts = Contacts::default();
    let stamp = FormStamp::new(&c, form_date(&c), Some(&key), &contacts).unwrap();
    let s = &stamped_schools()[2]; // markup characters in every text
    let carried = carried_for(&c, s).pop().unwrap();
    let form = stamp.stamped(s, carried.as_ref()).unwrap().expect("stamped");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("form.xlsx");
    std::fs::write(&input, &form).unwrap();
    let read = |bytes: &[u8]| read_bytes(bytes, "f", &Limits::default()).unwrap();
    let original = read(&form);
    for format in ["xlsx", "ods"] {
        let out = dir.path().join(format);
        let Some(converted) = crate::lo::convert(&input, format, &out) else { return };
        let again = read(&std::fs::read(&converted).unwrap());
        let sheet = again.identity.sheet.as_ref().expect("identity sheet after LibreOffice");
        assert_eq!(Some(sheet), original.identity.sheet.as_ref(), "{format}: identity sheet");
        assert_eq!(again.sheets, original.sheets, "{format}: sheets");
        let names = |r: &profplan::read::RawReturn| r.cells.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&again), names(&original), "{format}: named cells");
        assert_eq!(
            again.tables.keys().collect::<Vec<_>>(),
            original.tables.keys().collect::<Vec<_>>(),
            "{format}: tables"
        );
    }
}
