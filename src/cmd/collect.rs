//! `profplan collect`.

use crate::cli::{CollectArgs, GlobalArgs};

pub fn run(_g: &GlobalArgs, _a: &CollectArgs) -> anyhow::Result<u8> {
    anyhow::bail!("команда «collect» ещё не реализована")
}
