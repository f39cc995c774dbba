//! `profplan plan`.

use crate::cli::{GlobalArgs, PlanArgs};

pub fn run(_g: &GlobalArgs, _a: &PlanArgs) -> anyhow::Result<u8> {
    anyhow::bail!("команда «plan» ещё не реализована")
}
