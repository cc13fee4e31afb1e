//! The executable's command line. Everything a user or the wrapper does goes through `serve`.

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "gitlabcli", version, about = "Engine of the GitlabCli PowerShell module", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Serve protocol v1: JSON Lines requests on stdin, messages on stdout, until stdin closes.
    Serve,
    /// Print the JSON Schema of every protocol message.
    Schema,
    /// Internal: hold a secret read from stdin on the clipboard until another program replaces it.
    #[command(hide = true)]
    ClipboardHold,
}

/// Parse the command line and run it.
pub fn run() -> ExitCode {
    // Before any secret is read: a core dump of this process must not exist.
    crate::harden::no_core_dumps();
    let cli = Cli::parse();
    match cli.command {
        CliCommand::Serve => crate::protocol::serve::serve_stdio(),
        CliCommand::Schema => print_schema(),
        CliCommand::ClipboardHold => crate::clipboard::hold_main(),
    }
}

fn print_schema() -> ExitCode {
    let schema = crate::protocol::schema();
    let text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
