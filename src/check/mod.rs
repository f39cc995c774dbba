//! Checking returns: a return's identity against the district key ([`crate::key`]), its
//! values against the form (`validate`, `values`), the statuses of the schools (`intake`),
//! inter-period checks (`periods`), and the report they make (`report`, with the findings
//! of [`crate::finding`]), handed to the renderers and to the summary.

pub mod intake;
pub mod periods;
pub mod report;
pub mod spill;
pub mod validate;
pub mod values;
