//! Letters to the schools that must act (`check --letters`), and the mailing list.

use std::fmt::Write as _;

use serde::Serialize;

use super::csv::csv_table;
use super::{finding_line, school_findings};
use crate::check::report::{CheckReport, Status};
use crate::config::contacts::Contacts;
use crate::finding::Severity;
use crate::form::layout::form_file_name;
use crate::plan::campaign::ru_date;
use crate::schools::Registry;

/// A letter to a school that must act.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    pub school_id: String,
    pub school_name: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
    pub subject: String,
    pub body: String,
}

impl Letter {
    /// The letter's file name: the school's form file name with «письмо» and `.txt`.
    pub fn file_name(&self) -> String {
        let name = form_file_name(&self.school_id, "письмо");
        name.trim_end_matches(".xlsx").to_string() + ".txt"
    }

    /// The letter as a text file: to whom, the subject, the body.
    pub fn file_text(&self) -> String {
        format!(
            "Кому: {} <{}>\nТема: {}\n\n{}",
            self.contact_person, self.email, self.subject, self.body
        )
    }
}

/// Letters to the schools that must act: missing, with errors (and accepted with warnings,
/// which they may want to correct).
pub fn letters(r: &CheckReport, registry: &Registry, contacts: &Contacts) -> Vec<Letter> {
    let send_to = if contacts.send_to.is_empty() {
        "в отдел образования"
    } else {
        contacts.send_to.as_str()
    };
    let mut out = Vec::new();
    for s in &r.schools {
        let must = matches!(s.status, Status::Missing | Status::Invalid | Status::Expected)
            || s.warnings > 0;
        if !must {
            continue;
        }
        let school = registry.get(&s.id);
        let mut body = String::new();
        let greeting = school
            .map(|x| x.contact_person.trim())
            .filter(|p| !p.is_empty())
            .map(|p| format!("Уважаемый(ая) {p}!"))
            .unwrap_or_else(|| "Добрый день!".into());
        let _ = writeln!(body, "{greeting}\n");
        let subject;
        match s.status {
            Status::Missing => {
                subject =
                    format!("Отчёт по профориентации: не получен (срок {})", ru_date(r.deadline));
                let _ = writeln!(
                    body,
                    "Отчёт «{}» (кампания {}) от {} не получен, а срок сдачи — {} — прошёл. Пожалуйста, заполните выданную форму и направьте её {send_to} как можно скорее.",
                    r.campaign_title, r.campaign, s.name, ru_date(r.deadline)
                );
            }
            Status::Expected => {
                subject =
                    format!("Отчёт по профориентации: напоминание, срок {}", ru_date(r.deadline));
                let _ = writeln!(
                    body,
                    "Напоминаем: отчёт «{}» (кампания {}) от {} нужно сдать до {} включительно. Заполните выданную форму и направьте её {send_to}.",
                    r.campaign_title, r.campaign, s.name, ru_date(r.deadline)
                );
            }
            Status::Invalid => {
                subject = "Отчёт по профориентации: требуется исправление".into();
                let _ = writeln!(
                    body,
                    "В отчёте «{}» ({}), полученном от {}, есть ошибки. Исправьте их в том же файле и направьте его повторно:",
                    r.campaign_title, s.file.as_deref().unwrap_or(""), s.name
                );
            }
            Status::Accepted => {
                subject = "Отчёт по профориентации: принят, есть замечания".into();
                let _ = writeln!(body, "Отчёт {} принят. Обратите внимание на замечания:", s.name);
            }
        }
        for f in school_findings(r, &s.id) {
            let kind = match f.severity {
                Severity::Error => "ошибка",
                Severity::Warning => "замечание",
            };
            let _ = writeln!(body, "  • {kind}: {}", finding_line(f));
        }
        let _ = writeln!(body, "\n{}", contacts.signature());
        out.push(Letter {
            school_id: s.id.clone(),
            school_name: s.name.clone(),
            contact_person: school.map(|x| x.contact_person.clone()).unwrap_or_default(),
            email: school.map(|x| x.email.clone()).unwrap_or_default(),
            phone: school.map(|x| x.phone.clone()).unwrap_or_default(),
            subject,
            body,
        });
    }
    out
}

/// The mailing list as CSV: one row per letter.
pub fn letters_csv(letters: &[Letter]) -> Vec<u8> {
    let rows = letters
        .iter()
        .map(|l| {
            vec![
                l.school_id.clone(),
                l.school_name.clone(),
                l.contact_person.clone(),
                l.email.clone(),
                l.phone.clone(),
                l.subject.clone(),
                l.body.clone(),
            ]
        })
        .collect();
    csv_table(
        &["ОО", "Наименование", "Контактное лицо", "E-mail", "Телефон", "Тема", "Текст"],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::{CheckReport, Counts, SchoolStatus};
    use crate::schools::School;

    fn report(status: Status) -> CheckReport {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, 20).unwrap();
        CheckReport {
            plan_id: "p".into(),
            plan_version: "v".into(),
            campaign: "2025-12-20".into(),
            campaign_title: "Промежуточный отчёт".into(),
            deadline: d,
            district: Default::default(),
            as_of: d,
            counts: Counts::default(),
            schools: vec![SchoolStatus {
                id: "101".into(),
                name: "Школа".into(),
                status,
                late: false,
                file: None,
                files: vec![],
                saved_at: None,
                errors: 0,
                warnings: 0,
                in_figures: false,
            }],
            findings: vec![],
            files: vec![],
        }
    }

    #[test]
    fn letters_remind_before_the_deadline_and_chase_after_it() {
        let school = School {
            id: "101".into(),
            name: "Школа".into(),
            short_name: "Школа".into(),
            profile: Default::default(),
            contact_person: "Иванова М. П.".into(),
            email: "school@example.ru".into(),
            phone: String::new(),
        };
        let reg = Registry::new(vec![school]);
        let before = letters(&report(Status::Expected), &reg, &Contacts::default());
        assert_eq!(before[0].subject, "Отчёт по профориентации: напоминание, срок 20.12.2025");
        assert!(before[0].body.starts_with("Уважаемый(ая) Иванова М. П.!"));
        assert!(before[0].body.contains("до 20.12.2025 включительно"));
        let after = letters(&report(Status::Missing), &reg, &Contacts::default());
        assert!(after[0].subject.contains("не получен"));
        assert!(after[0].body.contains("прошёл"));
        assert_eq!(after[0].email, "school@example.ru");
        assert!(letters(&report(Status::Accepted), &reg, &Contacts::default()).is_empty());
    }
}
