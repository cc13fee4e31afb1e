use std::process::ExitCode;

fn main() -> ExitCode {
    gitlabcli::cli::run()
}
