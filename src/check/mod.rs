//! Checking returns: a return's identity (the district key), its values against the form
//! (`validate`), the statuses of the schools (`intake`), inter-period checks (`periods`), and
//! the report they make (`report`, `finding`), handed to the renderers and to the summary.

pub mod finding;
pub mod identity;
pub mod intake;
pub mod periods;
pub mod report;
pub mod validate;
pub mod values;
