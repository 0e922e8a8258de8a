//! podctl's exit codes, and the one function that maps an error to its code.

use std::fmt;

use crate::http::{Kind, SetupError, TransportError};
use crate::marathon::ApiError;
use crate::pod::validate::Invalid;

/// The documented exit codes (README, `podctl --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
    Invalid = 3,
    NotFound = 4,
    Conflict = 5,
    Unreachable = 6,
    Unauthorized = 7,
    Timeout = 8,
    Interrupted = 130,
}

/// An error that carries its own exit code, for failures that are not an [`ApiError`].
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The exit code for an error: the first typed error in its chain decides.
pub fn code_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.exit;
        }
        if cause.downcast_ref::<Invalid>().is_some() {
            return Exit::Invalid;
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return code_for_api(api);
        }
        if let Some(t) = cause.downcast_ref::<TransportError>() {
            return code_for_transport(t);
        }
        if let Some(setup) = cause.downcast_ref::<SetupError>() {
            return match setup {
                SetupError::CaFile { .. } | SetupError::Credentials => Exit::Usage,
                SetupError::Runtime(_) | SetupError::Client(_) => Exit::Failure,
            };
        }
    }
    Exit::Failure
}

fn code_for_api(err: &ApiError) -> Exit {
    match err {
        ApiError::Transport { error, .. } => code_for_transport(error),
        ApiError::Decode { .. } | ApiError::Redirect { .. } => Exit::Failure,
        ApiError::Status {
            status, message, ..
        } => match status {
            400 | 422 => Exit::Invalid,
            404 => Exit::NotFound,
            409 => Exit::Conflict,
            // Marathon 1.5+ answers 403 when too many deployments run: a conflict, not auth.
            403 if message.contains("running deployments") => Exit::Conflict,
            401 | 403 => Exit::Unauthorized,
            502..=504 => Exit::Unreachable,
            _ => Exit::Failure,
        },
    }
}

/// Ctrl-C is 130 as for any interrupted program; every other transport failure (a response over
/// the size limit included: the server sent what podctl cannot take) is "cannot reach".
fn code_for_transport(err: &TransportError) -> Exit {
    match err.kind {
        Kind::Interrupted => Exit::Interrupted,
        Kind::Refused
        | Kind::Dns
        | Kind::Timeout
        | Kind::Tls
        | Kind::Reset
        | Kind::Body
        | Kind::TooLarge { .. }
        | Kind::NotHttp
        | Kind::Other => Exit::Unreachable,
    }
}

/// Whether the error is only a closed stdout (`podctl pod list | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, message: &str) -> anyhow::Error {
        anyhow::Error::new(ApiError::Status {
            method: "GET".into(),
            url: "http://x".into(),
            status: code,
            message: message.into(),
            details: vec![],
            deployments: vec![],
        })
        .context("doing something")
    }

    #[test]
    fn http_statuses_map_to_documented_codes() {
        assert_eq!(code_for(&status(422, "Object is not valid")), Exit::Invalid);
        assert_eq!(code_for(&status(400, "Invalid JSON")), Exit::Invalid);
        assert_eq!(
            code_for(&status(404, "Pod '/x' does not exist")),
            Exit::NotFound
        );
        assert_eq!(code_for(&status(409, "App is locked")), Exit::Conflict);
        assert_eq!(code_for(&status(401, "HTTP 401")), Exit::Unauthorized);
        assert_eq!(code_for(&status(403, "Not Authorized")), Exit::Unauthorized);
        assert_eq!(
            code_for(&status(
                403,
                "Max number (100) of running deployments is achieved."
            )),
            Exit::Conflict
        );
        assert_eq!(code_for(&status(502, "HTTP 502")), Exit::Unreachable);
        assert_eq!(code_for(&status(500, "boom")), Exit::Failure);
    }

    #[test]
    fn typed_failures_and_plain_errors() {
        let e = anyhow::Error::new(Failure::new(Exit::NotFound, "no such instance"));
        assert_eq!(code_for(&e), Exit::NotFound);
        assert_eq!(code_for(&anyhow::anyhow!("whatever")), Exit::Failure);
        let transport = |kind| {
            anyhow::Error::new(ApiError::Transport {
                method: "GET".into(),
                url: "http://127.0.0.1:1".into(),
                error: Box::new(TransportError {
                    kind,
                    sent: false,
                    detail: String::new(),
                    hint: None,
                    timeout: std::time::Duration::from_secs(1),
                }),
            })
        };
        assert_eq!(code_for(&transport(Kind::Refused)), Exit::Unreachable);
        assert_eq!(
            code_for(&transport(Kind::TooLarge {
                limit: 1,
                announced: None
            })),
            Exit::Unreachable
        );
        assert_eq!(code_for(&transport(Kind::Body)), Exit::Unreachable);
        assert_eq!(code_for(&transport(Kind::Interrupted)), Exit::Interrupted);
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let e = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing");
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&anyhow::anyhow!("x")));
    }
}
