//! The `podctl` binary: parse, run, report the error, exit with its documented code.

use std::process::ExitCode;

use clap_complete::CompleteEnv;
use podctl::docs::COMPLETE_VAR;
use podctl::exit::{self, Exit};
use podctl::pod::text::printable;

fn main() -> ExitCode {
    // `COMPLETE=bash podctl ...` is the completion script asking for candidates: answer and exit.
    CompleteEnv::with_factory(podctl::cli::command)
        .var(COMPLETE_VAR)
        .bin("podctl")
        .completer("podctl")
        .complete();
    let cli = podctl::cli::parse();
    match podctl::commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if exit::is_silent(&err) => ExitCode::from(exit::code_for(&err) as u8),
        Err(err) => {
            // Every layer escapes what it adds, but a definition sent unvalidated carries
            // text into many of them: escape once more here, line by line, as a last guard.
            let message = format!("{err:#}");
            let lines: Vec<_> = message.split('\n').map(printable).collect();
            eprintln!("error: {}", lines.join("\n"));
            let code = exit::code_for(&err);
            debug_assert_ne!(code, Exit::Success);
            ExitCode::from(code as u8)
        }
    }
}
