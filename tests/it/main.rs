//! The integration tests: one binary (`cargo test --release --test it`), one module per
//! topic. Helpers shared by the modules: `cli` (the one way to run profplan: a builder of
//! its command line and the finished run), `common` (a district of generated returns), `support` (hostile and damaged files), `lo` (LibreOffice), `reference` (an
//! independent reading of the forms with calamine).

mod cli;
mod common;
mod lo;
mod reference;
mod support;

mod check;
mod cli_setup;
mod collect;
mod console;
mod corpus;
mod document;
mod examples;
mod figures;
mod form_stamp;
mod libreoffice;
mod mutation;
mod periods;
mod plan_errors;
mod read_returns;
mod region;
mod registry;
mod scale;
mod snapshots;
mod summary;
mod template;
mod windows_habits;
