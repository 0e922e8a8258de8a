//! podctl: a command-line client for Marathon pods, and a Marathon simulator to try it on.
//!
//! The binary (`main.rs`) is a thin shell around [`commands::run`]; the integration tests drive
//! that binary. The modules below are listed in the order data flows through a command:
//!
//! - [`cli`]: every clap type ([`duration`] and [`size`] parse its bounded values);
//! - [`config`]: flags > env > config file > defaults, resolved one way ([`config::load`]) for
//!   commands and tab completion;
//! - [`http`]: the one HTTP client builder (TLS, deadlines, limits, retries), used by
//!   [`marathon`], definitions fetched from URLs and [`complete`];
//! - [`marathon`]: the only code that speaks to Marathon, one typed method per endpoint;
//! - [`pod`]: the pure domain: definitions, their validation (a schema table and rules by
//!   section, `pod::validate`), Marathon's defaults (`pod::normalize`), status and progress;
//! - [`render`]: tables, JSON and report lines, to a `String` or a `Write`.
//!
//! [`commands`] wires them together, one thin file per subcommand; they raise typed errors
//! (their own in [`error`], and each layer's) and [`exit::code_for`] alone turns an error into an
//! exit code. Beside the flow: [`sim`], the simulator, which uses only `pod`; [`complete`], tab
//! completion; [`docs`], the completion scripts.

pub mod cli;
pub mod duration;
pub mod size;

pub mod config;
pub mod http;
pub mod marathon;
pub mod pod;
pub mod render;

pub mod commands;
pub mod error;
pub mod exit;

pub mod complete;
pub mod docs;
pub mod sim;

/// The published pod examples under `tests/fixtures/`, shared with the end-to-end suite.
#[cfg(test)]
#[path = "../tests/fixtures/pod_examples.rs"]
pub(crate) mod fixtures;
