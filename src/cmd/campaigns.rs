//! `profplan campaigns`.

use crate::cli::{CampaignsArgs, GlobalArgs};

pub fn run(_g: &GlobalArgs, _a: &CampaignsArgs) -> anyhow::Result<u8> {
    anyhow::bail!("команда «campaigns» ещё не реализована")
}
