//! profplan: the reporting cycle of a district's career-guidance plan — per-school report
//! forms (`template`), checking returns (`check`) and the district summary (`collect`).
//!
//! The library never prints: commands return data (findings, statuses, figures) and the
//! binary renders them.

// The library never prints: it returns data and the binary prints it.
#![deny(clippy::print_stdout, clippy::print_stderr)]
// A finding is the error of a file that cannot be read: it is data the caller keeps, and a
// file is read once, so the size of the `Err` variant does not matter.
#![allow(clippy::result_large_err)]

// Shared basics, used by several stages.
pub mod clock;
pub mod finding;
pub mod key;
pub mod oserror;
pub mod output;
pub mod ru;
pub mod text;

// The stages, in the order a return goes through them.
pub mod check;
pub mod config;
pub mod form;
pub mod plan;
pub mod read;
pub mod region;
pub mod render;
pub mod schools;
pub mod summary;

// Synthetic filled returns for tests, examples and benchmarks: the `synth` feature, so that
// the shipped binary does not link the random generator.
#[cfg(feature = "synth")]
pub mod synth;
