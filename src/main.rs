//! The `podctl` binary: parse, run, report the error, exit with its documented code.

use std::process::ExitCode;

use clap::Parser;
use podctl::cli::Cli;
use podctl::exit::{self, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match podctl::commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            let code = exit::code_for(&err);
            debug_assert_ne!(code, Exit::Success);
            ExitCode::from(code as u8)
        }
    }
}
