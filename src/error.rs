//! The typed errors that podctl's commands raise themselves: bad arguments, a definition that
//! cannot be read, an id that matched nothing, a wait that ended without its goal, a validation
//! run that found problems. The other layers own theirs (`config::ConfigError`,
//! `http::TransportError`, `marathon::ApiError`, `pod::validate::Invalid`).
//!
//! None of these decides an exit code: `exit::code_for` maps every kind, in one place.
//! Context (what was being done) is added on the way up with `anyhow::Context`.

use std::path::PathBuf;

/// The command line asks for something that cannot be done as written.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A missing or conflicting argument, or a value podctl does not take.
    #[error("{0}")]
    Usage(String),
    /// A file named by an argument that cannot be used (`--ca-cert FILE`).
    #[error("{flag} {}", path.display())]
    File {
        flag: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A pod definition that cannot be read or fetched (the definition itself may be fine).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading a file or stdin failed.
    #[error("reading pod definition from {name}")]
    Read {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("reading pod definition from {name}: is a directory, not a file")]
    Directory { name: String },
    /// A definition URL answered with a redirect, which podctl does not follow.
    #[error(
        "fetching pod definition from {url}: HTTP {status}, a redirect to \"{location}\"; \
         podctl does not follow redirects: give the final URL"
    )]
    Redirect {
        url: String,
        status: reqwest::StatusCode,
        location: String,
    },
    /// A definition URL answered with an error status.
    #[error("fetching pod definition from {url}: HTTP {status}")]
    Status {
        url: String,
        status: reqwest::StatusCode,
    },
}

/// Something the user named (an instance, a running deployment, a pod to update) is not there.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotFound(pub String);

/// A wait that ended before its goal was reached: the deployment goes on, or Marathon gave up
/// on it.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Interrupted(String),
    /// Marathon reported the deployment failed (`deployment_failed`): cancelled by a forced
    /// change, rolled back or stopped.
    #[error("{0}")]
    Failed(String),
}

/// `pod diff` found a difference: exit 1, like diff(1). The diff and the verdicts are already
/// on stdout, so nothing more is printed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Differs(pub String);

/// What `pod diff` was doing when it failed. Under it, a failure that is exit 1 elsewhere is 2,
/// since 1 means "different" (diff(1) does the same).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Comparing(pub String);

/// The verdict of `pod validate` over all its files, once the report is written.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("some files could not be read")]
    Unreadable,
    /// "1 of 6 definitions invalid", "1 of 1 definition invalid".
    #[error("{invalid} of {total} definition{} invalid", if *total == 1 { "" } else { "s" })]
    Invalid { invalid: usize, total: usize },
}
