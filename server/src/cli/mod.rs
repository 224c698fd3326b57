//! The command line: `dols check`, `dols explain`, `dols rules`. This layer
//! knows about terminals and output formats; all analysis is in the engine.

pub mod check;
pub mod github;
pub mod output;
pub mod sarif;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "dols",
    version,
    about = "Durable Objects language server and checker for Cloudflare Workers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check every Worker under the given paths and print diagnostics.
    Check(CheckArgs),
    /// Print the documentation of a rule, or find the rule that prevents a
    /// pasted error message.
    Explain {
        /// Rule id (`class-not-exported`) or an error message in quotes.
        rule: String,
    },
    /// List every rule with its default severity.
    Rules,
    /// Run the language server on stdin/stdout.
    Lsp {
        /// Accepted and ignored: clients such as vscode-languageclient append it.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with status 1 when there are warnings, not only errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also list files that were skipped and why.
    #[arg(long, short)]
    pub verbose: bool,
    /// Apply the safe fixes, write the files, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`: also apply fixes marked unsafe (suggested
    /// names, new migrations, code rewrites).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exits 1
    /// when there is something to fix.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE", conflicts_with = "diff")]
    pub output: Option<PathBuf>,
    /// Print paths relative to this folder (the SARIF `%SRCROOT%`). Default:
    /// the folder checked, or the current folder when several paths are.
    #[arg(long, value_name = "DIR")]
    pub relative_to: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames for a terminal.
    Human,
    /// The stable JSON report (version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Explain { rule } => explain(&rule),
        Command::Lsp { .. } => crate::lsp::run_stdio(),
        Command::Rules => {
            let mut listing = String::new();
            for rule in crate::rules::ALL {
                listing.push_str(&format!(
                    "{:<26} {:<8} {}\n",
                    rule.id,
                    rule.severity.as_str(),
                    rule.summary
                ));
            }
            write_stdout(&listing)
        }
    }
}

/// Writes `text` to stdout. A closed pipe (`dols rules | head`) ends the
/// command quietly, as the reader asked; any other failure (a full disk) is
/// said on stderr with exit status 2, never a panic.
fn write_stdout(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dols: cannot write to stdout: {e}");
            ExitCode::from(2)
        }
    }
}

fn explain(query: &str) -> ExitCode {
    if let Some(rule) = crate::rules::by_id(query.trim()) {
        return write_stdout(&crate::rules::render_doc_page(rule));
    }
    match crate::rules::rule_for_message(query) {
        Some((rule, known)) => write_stdout(&format!(
            "This error is what `{}` catches before deploy (it matches \"{known}\").\n\n{}",
            rule.id,
            crate::rules::render_doc_page(rule)
        )),
        None => {
            eprintln!(
                "dols: `{query}` is neither a rule id nor an error message dols knows; `dols rules` lists the rules"
            );
            ExitCode::from(1)
        }
    }
}
