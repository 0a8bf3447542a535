use std::process::ExitCode;

use clap::Parser as _;
use outforce::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The cause chain, for an operator; never a backtrace.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
