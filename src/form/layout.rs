//! The layout contract of a report form: sheet names, defined names, the identity block.
//!
//! Both the form writer and the return reader use these constants and functions, and the
//! docs/forms.md documents them for programs that fill or read forms. Changing anything here that
//! a filled form depends on means bumping [`LAYOUT_VERSION`]: the reader refuses forms of
//! another layout with a message instead of misreading them.

use sha2::{Digest, Sha256};

use crate::key::{DistrictKey, KEYED_CHECK_PREFIX};

/// Version of the form layout; written into every form's identity.
pub const LAYOUT_VERSION: u32 = 1;

/// The sheet with the title block, the profile block and the item blocks.
pub const FORM_SHEET: &str = "Отчёт";
/// Instructions for the school, in Russian.
pub const INSTRUCTIONS_SHEET: &str = "Инструкция";
/// Hidden sheet with the form's identity (key in column A, value in column B).
pub const IDENTITY_SHEET: &str = "_profplan";
/// Hidden sheet with choice lists too long for an inline dropdown.
pub const LISTS_SHEET: &str = "_списки";

/// Prefix of the defined name of a field's input cell: `PP_<field code>`.
pub const FIELD_NAME_PREFIX: &str = "PP_";
/// Prefix of the defined name of a table's entry area: `PPT_<table code>`.
pub const TABLE_NAME_PREFIX: &str = "PPT_";

/// Fields of the title block the school fills: who filled the form.
pub const META_FIELDS: [(&str, &str); 3] = [
    ("meta_fio", "ФИО ответственного за заполнение"),
    ("meta_position", "Должность"),
    ("meta_phone", "Контактный телефон"),
];

/// Defined name of a field's input cell (fields, shares' result cells, meta fields).
pub fn field_name(code: &str) -> String {
    format!("{FIELD_NAME_PREFIX}{code}")
}

/// Defined name of a table's entry area (all blank rows × all columns, no header).
pub fn table_name(code: &str) -> String {
    format!("{TABLE_NAME_PREFIX}{code}")
}

/// Keys of the identity block, in the order they are written (rows 1.. of
/// [`IDENTITY_SHEET`], and custom document properties `profplan.<key>`).
pub mod key {
    /// Marker: always «profplan-form».
    pub const FORM: &str = "form";
    pub const PLAN_ID: &str = "plan_id";
    pub const PLAN_VERSION: &str = "plan_version";
    /// Campaign id, `YYYY-MM-DD`.
    pub const CAMPAIGN: &str = "campaign";
    pub const SCHOOL_ID: &str = "school_id";
    pub const SCHOOL_NAME: &str = "school_name";
    pub const LAYOUT: &str = "layout";
    /// Check value of the above: keyed ([`super::keyed_identity_check`]) for forms issued
    /// with a district key, else the public [`super::identity_check`].
    pub const CHECK: &str = "check";
}

/// Value of the [`key::FORM`] marker.
pub const FORM_MARKER: &str = "profplan-form";

/// Prefix of custom document properties.
pub const PROPERTY_PREFIX: &str = "profplan.";

/// The identity a form carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    pub plan_id: String,
    pub plan_version: String,
    pub campaign: String,
    pub school_id: String,
    pub school_name: String,
    pub layout: u32,
}

impl Identity {
    /// `(key, value)` rows with the public check ([`identity_check`]): the identity of a
    /// form issued without a district key.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        self.rows_with(None)
    }

    /// `(key, value)` rows, as written to the identity sheet and the document properties:
    /// the check is keyed when there is a district key.
    pub fn rows_with(&self, key: Option<&DistrictKey>) -> Vec<(&'static str, String)> {
        let check = match key {
            Some(k) => keyed_identity_check(self, k),
            None => identity_check(self),
        };
        vec![
            (key::FORM, FORM_MARKER.to_string()),
            (key::PLAN_ID, self.plan_id.clone()),
            (key::PLAN_VERSION, self.plan_version.clone()),
            (key::CAMPAIGN, self.campaign.clone()),
            (key::SCHOOL_ID, self.school_id.clone()),
            (key::SCHOOL_NAME, self.school_name.clone()),
            (key::LAYOUT, self.layout.to_string()),
            (key::CHECK, check),
        ]
    }
}

/// The identity's parts that a check binds (the school's name is not: registries get
/// names corrected between campaigns).
fn check_text(id: &Identity) -> String {
    format!(
        "profplan|{}|{}|{}|{}|{}",
        id.plan_id, id.plan_version, id.campaign, id.school_id, id.layout
    )
}

/// The public check of forms issued without a district key (and by profplan before the
/// key existed): a short hash of the identity's parts. An identity edited by hand no
/// longer matches it, but anyone can compute it for any school — only the keyed check
/// ([`keyed_identity_check`]) shows that the district issued the form.
pub fn identity_check(id: &Identity) -> String {
    crate::text::hex(&Sha256::digest(check_text(id).as_bytes())[..8])
}

/// The keyed check: HMAC-SHA256 of the identity's parts under the district key,
/// `k1-` and 32 hex digits.
pub fn keyed_identity_check(id: &Identity, key: &DistrictKey) -> String {
    key.sign(&check_text(id))
}

/// How a form's check value stands against this run's district key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// Keyed, and verified with this run's key: the district issued the form.
    Keyed,
    /// The public hash matches: an identity not edited by hand, but anyone could have
    /// made it (a form issued before the key existed, or without a work folder).
    Public,
    /// Keyed, but this run has no key to verify it with.
    Unverifiable,
}

/// Why a check value does not stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealBroken {
    /// The public hash does not match: the identity was edited.
    Edited,
    /// A keyed check that this run's key does not confirm: forged, edited, or issued by
    /// another work folder (another key).
    WrongKey,
}

/// Checks a form's `check` value against its identity and this run's key.
pub fn verify_check(
    id: &Identity,
    check: &str,
    key: Option<&DistrictKey>,
) -> Result<Seal, SealBroken> {
    if check.starts_with(KEYED_CHECK_PREFIX) {
        return match key {
            Some(k) if k.verifies(&check_text(id), check) => Ok(Seal::Keyed),
            Some(_) => Err(SealBroken::WrongKey),
            None => Ok(Seal::Unverifiable),
        };
    }
    if check == identity_check(id) {
        Ok(Seal::Public)
    } else {
        Err(SealBroken::Edited)
    }
}

/// The form's columns on [`FORM_SHEET`] (0-based): hidden code column, item number,
/// label, unit, value.
pub mod col {
    /// Hidden: the field, share or table code of the row (a second way to find values).
    pub const CODE: u16 = 0;
    pub const NUMBER: u16 = 1;
    pub const LABEL: u16 = 2;
    pub const UNIT: u16 = 3;
    pub const VALUE: u16 = 4;
}

/// On a table sheet (0-based rows): title, hidden column codes, header, then entry rows.
pub mod table_rows {
    pub const TITLE: u32 = 0;
    /// Hidden row with the column codes.
    pub const CODES: u32 = 1;
    pub const HEADER: u32 = 2;
    pub const FIRST_ENTRY: u32 = 3;
}

/// On a table sheet, column A holds the row number («№», locked); the table's columns
/// start at column B, in plan order. The reader should rely on the `PPT_` name's range and
/// the codes row rather than on this constant.
pub const TABLE_FIRST_COL: u16 = 1;

/// Longest text a text field or column accepts (the form's validation and the reader).
pub const TEXT_MAX_CHARS: u32 = 2000;

/// A safe file name for a school's form: `<id>_<short name>.xlsx`, without characters
/// Windows refuses, at most ~80 characters.
pub fn form_file_name(school_id: &str, short_name: &str) -> String {
    let clean = |s: &str| -> String {
        let mut out = String::new();
        let mut last_sep = true;
        for c in s.chars() {
            let ok = c.is_alphanumeric() || c == '-' || c == '.';
            if ok {
                out.push(c);
                last_sep = false;
            } else if !last_sep {
                out.push('_');
                last_sep = true;
            }
        }
        let trimmed = out.trim_matches(|c| c == '_' || c == '.' || c == '-');
        trimmed.chars().take(60).collect::<String>().trim_end_matches(['_', '.']).to_string()
    };
    let id = clean(school_id);
    let name = clean(short_name);
    let stem = if name.is_empty() { id } else { format!("{id}_{name}") };
    format!("{stem}.xlsx")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_name("p2_1_covered"), "PP_p2_1_covered");
        assert_eq!(table_name("t1_6"), "PPT_t1_6");
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            form_file_name("07", "МБОУ «Покрово-Пригородная СОШ»"),
            "07_МБОУ_Покрово-Пригородная_СОШ.xlsx"
        );
        assert_eq!(form_file_name("a/b", "x:y*z?"), "a_b_x_y_z.xlsx");
        assert_eq!(form_file_name("-1", " "), "1.xlsx");
    }

    #[test]
    fn check_changes_with_school() {
        let mut id = Identity {
            plan_id: "p".into(),
            plan_version: "v".into(),
            campaign: "2025-12-20".into(),
            school_id: "01".into(),
            school_name: "Школа".into(),
            layout: LAYOUT_VERSION,
        };
        let a = identity_check(&id);
        id.school_id = "02".into();
        assert_ne!(a, identity_check(&id));
    }
}
