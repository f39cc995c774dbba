//! The methodologist's contacts: set once in `profplan.toml` (`contact_name`,
//! `contact_phone`, `contact_email`, `send_returns_to`) and shown where schools need
//! them — the form's header and «Инструкция», and the signature of letters to schools.
//! Every part is optional; with none set, the texts say «отдел образования» as before.

use serde::Serialize;

/// Who answers the schools' questions and where returns go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contacts {
    /// «Иванова Мария Петровна, методист отдела образования».
    pub name: String,
    pub phone: String,
    pub email: String,
    /// Where to send returns, as a phrase: «на адрес metodist@… с темой „Профориентация“».
    pub send_to: String,
}

impl Contacts {
    /// No contact is set.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.phone.is_empty() && self.email.is_empty()
    }

    /// «Иванова М. П., телефон +7 …, e-mail m@…» — the parts that are set, or `None`.
    pub fn line(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.name.is_empty() {
            parts.push(self.name.clone());
        }
        if !self.phone.is_empty() {
            parts.push(format!("телефон {}", self.phone));
        }
        if !self.email.is_empty() {
            parts.push(format!("e-mail {}", self.email));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The signature of a letter: the name, then phone and e-mail on their own lines;
    /// «отдел образования» when no name is set.
    pub fn signature(&self) -> String {
        let mut s = String::from("С уважением,\n");
        s.push_str(if self.name.is_empty() {
            "отдел образования"
        } else {
            &self.name
        });
        if !self.phone.is_empty() {
            s.push_str(&format!("\nтелефон: {}", self.phone));
        }
        if !self.email.is_empty() {
            s.push_str(&format!("\ne-mail: {}", self.email));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_that_are_set() {
        let c =
            Contacts {
                name: "Иванова М. П.".into(), email: "m@r.ru".into(), ..Default::default()
            };
        assert_eq!(c.line().unwrap(), "Иванова М. П., e-mail m@r.ru");
        assert_eq!(c.signature(), "С уважением,\nИванова М. П.\ne-mail: m@r.ru");
        assert_eq!(Contacts::default().line(), None);
        assert_eq!(Contacts::default().signature(), "С уважением,\nотдел образования");
    }
}
