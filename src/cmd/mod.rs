//! One module per subcommand, each with the same shape: `run(global, args) -> exit code`.

use crate::cli::{Cli, Command};

pub mod campaigns;
pub mod check;
pub mod collect;
pub mod init;
pub mod plan;
pub mod template;

/// Run a parsed command line; `Ok(code)` is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(a) => init::run(g, a),
        Command::Plan(a) => plan::run(g, a),
        Command::Campaigns(a) => campaigns::run(g, a),
        Command::Template(a) => template::run(g, a),
        Command::Check(a) => check::run(g, a),
        Command::Collect(a) => collect::run(g, a),
    }
}
