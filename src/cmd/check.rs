//! `profplan check`.

use crate::cli::{CheckArgs, GlobalArgs};

pub fn run(_g: &GlobalArgs, _a: &CheckArgs) -> anyhow::Result<u8> {
    anyhow::bail!("команда «check» ещё не реализована")
}
