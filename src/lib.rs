//! podctl: a command-line client for Marathon pods, and a Marathon simulator to try it on.
//!
//! The binary (`main.rs`) is a thin shell around [`commands::run`]; the integration tests drive
//! that binary. Data flows one way: `commands` uses `config`, `marathon`, `pod` and `render`;
//! `marathon`, definitions fetched from URLs and tab completion speak HTTP through `http`;
//! `sim` uses only `pod`. `pod` is the shared domain: definitions, their validation (a schema
//! table and rules by section, `pod::validate`) and Marathon's defaults (`pod::normalize`), which
//! the client and the simulator both apply.

pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod docs;
pub mod duration;
pub mod error;
pub mod exit;
pub mod http;
pub mod marathon;
pub mod pod;
pub mod render;
pub mod sim;
pub mod size;

/// The published pod examples under `tests/fixtures/`, shared with the end-to-end suite.
#[cfg(test)]
#[path = "../tests/fixtures/pod_examples.rs"]
pub(crate) mod fixtures;
