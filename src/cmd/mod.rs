//! One module per subcommand, each with the same shape: `run(global, args) -> exit code`.

use chrono::NaiveDate;
use profplan::config::{CampaignOrigin, Settings};

use crate::cli::{Cli, Command, GlobalArgs};

pub mod campaigns;
pub mod check;
pub mod collect;
pub mod init;
pub mod plan;
pub mod schools;
pub mod template;

/// Run a parsed command line; `Ok(code)` is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(a) => init::run(g, a),
        Command::Plan(a) => plan::run(g, a),
        Command::Campaigns(a) => campaigns::run(g, a),
        Command::Schools(a) => schools::run(g, a),
        Command::Template(a) => template::run(g, a),
        Command::Check(a) => check::run(g, a),
        Command::Collect(a) => collect::run(g, a),
    }
}

/// Settings of this run: flags over `profplan.toml`.
pub fn settings(g: &GlobalArgs) -> anyhow::Result<Settings> {
    Ok(Settings::resolve(&g.overrides())?)
}

/// Today's date on this computer (the methodologist's local date).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Tell the user (on stderr) when the campaign was chosen by today's date rather than
/// named, so that nobody checks December's returns against May's form by accident.
pub fn note_campaign_choice(settings: &Settings, campaign: &profplan::campaign::Campaign<'_>) {
    if settings.campaign_origin() == CampaignOrigin::Today {
        eprintln!(
            "profplan: кампания не указана — взята ближайшая по сроку: {} ({}); \
             другую можно указать ключом --campaign или в profplan.toml",
            campaign.id(),
            campaign.def.title
        );
    }
}

/// Russian plural: `plural(21, "школа", "школы", "школ")` → «школа».
pub fn plural<'a>(n: usize, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}
