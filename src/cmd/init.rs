//! `profplan init`.

use crate::cli::{GlobalArgs, InitArgs};

pub fn run(_g: &GlobalArgs, _a: &InitArgs) -> anyhow::Result<u8> {
    anyhow::bail!("команда «init» ещё не реализована")
}
