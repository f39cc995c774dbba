//! profplan: the reporting cycle of a district's career-guidance plan — per-school report
//! forms (`template`), checking returns (`check`) and the district summary (`collect`).
//!
//! The library never prints: commands return data (findings, statuses, figures) and the
//! binary renders them.

// A finding is the error of a file that cannot be read: it is data the caller keeps, and a
// file is read once, so the size of the `Err` variant does not matter.
#![allow(clippy::result_large_err)]

pub mod campaign;
pub mod clock;
pub mod config;
pub mod consolidate;
pub mod contacts;
pub mod describe;
pub mod district_key;
pub mod expr;
pub mod finding;
pub mod form;
pub mod intake;
pub mod note;
pub mod oserror;
pub mod output;
pub mod periods;
pub mod plan;
pub mod read;
pub mod region;
pub mod render;
pub mod report;
pub mod returns;
pub mod ru;
pub mod schools;
pub mod summary;
pub mod synth;
mod toml_paths;
pub mod toml_ru;
pub mod validate;
pub mod values;
