//! `profplan template`.

use crate::cli::{GlobalArgs, TemplateArgs};

pub fn run(_g: &GlobalArgs, _a: &TemplateArgs) -> anyhow::Result<u8> {
    anyhow::bail!("команда «template» ещё не реализована")
}
