//! The one way the tests run profplan: a builder for the command line — working folder,
//! registry, campaign, plan, the subcommand and its returns folder, options, environment —
//! and the finished run (exit code, stdout, stderr) with the checks the tests make on it.
//! A failed check prints the whole command line and both streams, so a red test says why.
//!
//! ```ignore
//! Cli::new().in_dir(w.path()).registry(w.registry_path()).campaign("2025-12-20")
//!     .cmd("check").returns(w.returns()).today("2025-12-25").run()
//!     .code(1).stdout_has("Не сдали отчёт");
//! ```

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the examples, the README, the default plan live there).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A profplan command line to run. The global options (`--schools`, `--campaign`,
/// `--plan`) come first, then the subcommand, its returns folder and the other options,
/// in the order they were given.
#[derive(Clone, Debug, Default)]
pub struct Cli {
    dir: Option<PathBuf>,
    global: Vec<OsString>,
    command: Vec<OsString>,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    under: Vec<OsString>,
}

impl Cli {
    pub fn new() -> Cli {
        Cli::default()
    }

    /// Run in `dir` (default: the test's own working directory, the repository root).
    pub fn in_dir(mut self, dir: impl AsRef<Path>) -> Cli {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// `--schools <path>`.
    pub fn registry(self, path: impl AsRef<OsStr>) -> Cli {
        self.global_opt("--schools", path)
    }

    /// `--campaign <id>`.
    pub fn campaign(self, id: &str) -> Cli {
        self.global_opt("--campaign", id)
    }

    /// `--plan <path>`.
    pub fn plan(self, path: impl AsRef<OsStr>) -> Cli {
        self.global_opt("--plan", path)
    }

    fn global_opt(mut self, name: &str, value: impl AsRef<OsStr>) -> Cli {
        self.global.push(name.into());
        self.global.push(value.as_ref().to_owned());
        self
    }

    /// The subcommand: `check`, `collect`, `template`…
    pub fn cmd(mut self, name: &str) -> Cli {
        self.command.insert(0, name.into());
        self
    }

    /// The folder of returns (the positional argument of `check` and `collect`).
    pub fn returns(mut self, folder: impl AsRef<OsStr>) -> Cli {
        self.command.push(folder.as_ref().to_owned());
        self
    }

    /// `--as-of <date>`: the day profplan takes for today.
    pub fn today(self, date: &str) -> Cli {
        self.args(["--as-of", date])
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cli {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cli {
        self.env.push((key.into(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: &str) -> Cli {
        self.env.push((key.into(), None));
        self
    }

    /// Run profplan through another program that takes it as its last arguments:
    /// `under(["/usr/bin/prlimit", "--as=…", "--"])`, `under(["/usr/bin/setpriv", …])`.
    pub fn under<I, S>(mut self, wrapper: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.under = wrapper.into_iter().map(|a| a.as_ref().to_owned()).collect();
        self
    }

    /// `NO_COLOR=1`: plain text whatever the terminal.
    pub fn no_color(self) -> Cli {
        self.env("NO_COLOR", "1")
    }

    /// The command line as a `std::process::Command`, for the tests that spawn it
    /// themselves (a signal in the middle, a pipe that closes early, another user).
    pub fn command(&self) -> Command {
        let bin = env!("CARGO_BIN_EXE_profplan");
        let mut cmd = match self.under.split_first() {
            None => Command::new(bin),
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(bin);
                cmd
            }
        };
        cmd.args(self.argv());
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd
    }

    /// The arguments after the program name.
    pub fn argv(&self) -> Vec<OsString> {
        let mut argv = self.global.clone();
        argv.extend(self.command.iter().cloned());
        argv.extend(self.args.iter().cloned());
        argv
    }

    /// Run to the end (stdin empty), keeping the raw output.
    pub fn output(&self) -> Output {
        self.command().output().unwrap_or_else(|e| panic!("cannot run profplan: {e}"))
    }

    /// Run to the end (stdin empty).
    pub fn run(&self) -> Run {
        let out = self.output();
        Run {
            line: self.to_string(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Cli {
    /// `profplan --schools … check …` (for failure messages).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "profplan")?;
        for a in self.argv() {
            write!(f, " {}", a.to_string_lossy())?;
        }
        if let Some(dir) = &self.dir {
            write!(f, "   (in {})", dir.display())?;
        }
        Ok(())
    }
}

/// A finished run of profplan.
#[derive(Clone, Debug)]
pub struct Run {
    /// The command line, for failure messages.
    pub line: String,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The checks take the run and give it back, so that they chain:
/// `cli.run().code(2).stderr_has("…")`, and `let run = cli.run().success();`.
impl Run {
    /// Panics, with the whole run, unless the exit code is `code`.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        if self.code != code {
            panic!("expected exit code {code}, got {}\n{self}", self.code);
        }
        self
    }

    /// Exit code 0.
    #[track_caller]
    pub fn success(self) -> Run {
        self.code(0)
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        if !self.stdout.contains(needle) {
            panic!("stdout lacks «{needle}»\n{self}");
        }
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        if !self.stderr.contains(needle) {
            panic!("stderr lacks «{needle}»\n{self}");
        }
        self
    }

    /// stdout parsed as JSON; panics with the run when it is not.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }

    /// What a user saw — exit code, stdout, stderr — with every `(path, label)` written as
    /// its label (temporary folders, the repository), for snapshots that do not depend on
    /// where the test ran.
    pub fn transcript(&self, redact: &[(&Path, &str)]) -> String {
        let mut text = format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        );
        // Longest first: a temporary folder may sit inside another redacted one.
        let mut redact = redact.to_vec();
        redact.sort_by_key(|(p, _)| std::cmp::Reverse(p.as_os_str().len()));
        for (path, label) in redact {
            text = text.replace(&path.display().to_string(), label);
        }
        text
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ {}\nexit code {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.line, self.code, self.stdout, self.stderr
        )
    }
}
