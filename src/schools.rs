//! The school registry: a CSV file as Excel in a Russian locale writes it.
//!
//! Loading is implemented in this module (see `Registry::load`); the types are the
//! contract used by the form writer, `check` and `collect`.

use std::collections::BTreeMap;

use serde::Serialize;

/// A school of the registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct School {
    /// Registry id (as in the file, trimmed), e.g. «07».
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name for file names and narrow columns (the full name when not given).
    pub short_name: String,
    /// Prefilled school-profile figures, by field code.
    pub profile: BTreeMap<String, f64>,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
}

/// The registry: schools in file order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Registry {
    pub schools: Vec<School>,
}

impl Registry {
    pub fn get(&self, id: &str) -> Option<&School> {
        self.schools.iter().find(|s| s.id == id)
    }
}
