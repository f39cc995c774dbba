//! profplan: the reporting cycle of a district's career-guidance plan — per-school report
//! forms (`template`), checking returns (`check`) and the district summary (`collect`).
//!
//! The library never prints: commands return data (findings, statuses, figures) and the
//! binary renders them.

pub mod campaign;
pub mod consolidate;
pub mod expr;
pub mod finding;
pub mod form;
pub mod plan;
pub mod report;
pub mod schools;
pub mod summary;
pub mod values;
