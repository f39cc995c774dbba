//! Values to enter into a form's cells, as if a school had typed them: what
//! [`crate::form::writer::write_filled_form`] takes. The synthetic returns of tests,
//! examples and benchmarks are made of these (`crate::synth`, behind the `synth` feature);
//! the form writer itself needs only the types.

use std::collections::BTreeMap;

/// A value to put into a form cell.
#[derive(Debug, Clone, PartialEq)]
pub enum FillValue {
    Num(f64),
    Text(String),
}

/// What to enter into a form: fields by code, table rows by table code (one entry per
/// column, in column order; `None` leaves the cell blank).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fill {
    pub values: BTreeMap<String, FillValue>,
    pub tables: BTreeMap<String, Vec<Vec<Option<FillValue>>>>,
}
