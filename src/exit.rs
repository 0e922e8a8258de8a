//! podctl's exit codes, and the one function that maps an error to its code: no other code
//! picks one. Every layer returns its own typed errors; this is where they meet.

use crate::config::ConfigError;
use crate::error::{CheckError, Comparing, Differs, InputError, NotFound, UsageError, WaitError};
use crate::http::{Kind, SetupError, TransportError};
use crate::marathon::auth::LoginError;
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

/// The exit code for an error: the first typed error in its chain decides. `pod diff` keeps 1
/// for "different": its other failures that would be 1 are 2, as for diff(1).
pub fn code_for(err: &anyhow::Error) -> Exit {
    let code = code_for_chain(err);
    if code == Exit::Failure
        // A context, which `chain` shows only as text: anyhow finds it by type.
        && err.downcast_ref::<Comparing>().is_some()
        && !err.chain().any(|c| c.is::<Differs>())
    {
        return Exit::Usage;
    }
    code
}

/// Whether the error only carries an exit status, its story already told on stdout (`pod diff`
/// found differences): `main` prints nothing for it.
pub fn is_silent(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.is::<Differs>())
}

fn code_for_chain(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<Differs>() {
            return Exit::Failure;
        }
        if cause.is::<UsageError>() {
            return Exit::Usage;
        }
        if let Some(config) = cause.downcast_ref::<ConfigError>() {
            return if config.is_usage() {
                Exit::Usage
            } else {
                Exit::Failure
            };
        }
        if cause.is::<InputError>() {
            return Exit::Failure;
        }
        if cause.is::<NotFound>() {
            return Exit::NotFound;
        }
        if let Some(wait) = cause.downcast_ref::<WaitError>() {
            return match wait {
                // A failed deployment is a wait that did not reach its goal, as a timeout.
                WaitError::Timeout(_) | WaitError::Failed(_) => Exit::Timeout,
                WaitError::Interrupted(_) => Exit::Interrupted,
            };
        }
        if let Some(check) = cause.downcast_ref::<CheckError>() {
            return match check {
                CheckError::Unreadable => Exit::Failure,
                CheckError::Invalid { .. } => Exit::Invalid,
            };
        }
        if cause.is::<Invalid>() {
            return Exit::Invalid;
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return code_for_api(api);
        }
        if let Some(login) = cause.downcast_ref::<LoginError>() {
            return code_for_login(login);
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
        // A stored key that cannot be used any more fails the renewal, not the command line.
        ApiError::Login(login) => match **login {
            LoginError::KeyFile { .. } | LoginError::BadKey { .. } => Exit::Unauthorized,
            ref other => code_for_login(other),
        },
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

/// A login refused is an authorization failure; one that could not reach the server is
/// "cannot reach"; a key file podctl cannot use is the command line's fault.
fn code_for_login(err: &LoginError) -> Exit {
    match err {
        LoginError::Refused { status, .. } => match status {
            401 | 403 => Exit::Unauthorized,
            502..=504 => Exit::Unreachable,
            _ => Exit::Failure,
        },
        LoginError::Transport { error, .. } => code_for_transport(error),
        LoginError::KeyFile { .. } | LoginError::BadKey { .. } => Exit::Usage,
        LoginError::NoToken { .. } => Exit::Failure,
        LoginError::Credentials(_) => Exit::Unauthorized,
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
    fn logins_map_to_documented_codes() {
        let refused = |status| LoginError::Refused {
            url: "http://x/acs/api/v1/auth/login".into(),
            uid: "ci".into(),
            status,
            message: "The login credentials are not valid.".into(),
        };
        let key = || LoginError::BadKey {
            path: "/k.pem".into(),
            reason: "not a key".into(),
        };
        assert_eq!(code_for(&refused(401).into()), Exit::Unauthorized);
        assert_eq!(code_for(&refused(503).into()), Exit::Unreachable);
        assert_eq!(code_for(&refused(500).into()), Exit::Failure);
        assert_eq!(
            code_for(&key().into()),
            Exit::Usage,
            "`cluster login --private-key`"
        );
        let renewal = ApiError::Login(Box::new(key()));
        assert_eq!(
            code_for(&renewal.into()),
            Exit::Unauthorized,
            "a stored key"
        );
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

    /// Each kind, wrapped in context the way commands add it.
    fn code(e: impl std::error::Error + Send + Sync + 'static) -> Exit {
        code_for(&anyhow::Error::new(e).context("doing something"))
    }

    fn io() -> std::io::Error {
        std::io::Error::from(std::io::ErrorKind::PermissionDenied)
    }

    #[test]
    fn pod_diff_keeps_1_for_different() {
        let differs = anyhow::Error::new(Differs("1 pod differs".into()));
        assert_eq!(code_for(&differs), Exit::Failure);
        assert!(is_silent(&differs));
        let unreadable = anyhow::Error::new(InputError::Directory { name: "d".into() })
            .context(Comparing("comparing d".into()));
        assert_eq!(code_for(&unreadable), Exit::Usage);
        assert!(!is_silent(&unreadable));
        let server = status(500, "boom").context(Comparing("comparing /web".into()));
        assert_eq!(code_for(&server), Exit::Usage);
        let missing = status(401, "HTTP 401").context(Comparing("comparing /web".into()));
        assert_eq!(code_for(&missing), Exit::Unauthorized);
        assert_eq!(code_for(&status(500, "boom")), Exit::Failure);
    }

    #[test]
    fn command_errors_map_to_documented_codes() {
        assert_eq!(code(UsageError::Usage("needs --url".into())), Exit::Usage);
        let file = UsageError::File {
            flag: "--ca-cert",
            path: "ca.pem".into(),
            source: io(),
        };
        assert_eq!(code(file), Exit::Usage);
        assert_eq!(code(NotFound("no instance x".into())), Exit::NotFound);
        assert_eq!(code(WaitError::Timeout("t".into())), Exit::Timeout);
        assert_eq!(code(WaitError::Interrupted("i".into())), Exit::Interrupted);
        assert_eq!(code(WaitError::Failed("f".into())), Exit::Timeout);
        assert_eq!(code(CheckError::Unreadable), Exit::Failure);
        let invalid = CheckError::Invalid {
            invalid: 1,
            total: 2,
        };
        assert_eq!(code(invalid), Exit::Invalid);
        let read = InputError::Read {
            name: "web.json".into(),
            source: io(),
        };
        assert_eq!(code(read), Exit::Failure);
        let status = InputError::Status {
            url: "http://x/pod.json".into(),
            status: reqwest::StatusCode::NOT_FOUND,
        };
        assert_eq!(code(status), Exit::Failure);
        let problems = Invalid {
            source: "web.json".into(),
            problems: Vec::new(),
        };
        assert_eq!(code(problems), Exit::Invalid);
    }

    #[test]
    fn config_errors_split_between_the_file_and_the_settings() {
        assert_eq!(code(ConfigError::NoConfigDir), Exit::Failure);
        let io = ConfigError::Io {
            path: "c.toml".into(),
            source: io(),
        };
        assert_eq!(code(io), Exit::Failure);
        let toml = ConfigError::Unreadable {
            path: "c.toml".into(),
            reason: "expected `=`".into(),
        };
        assert_eq!(code(toml), Exit::Failure);
        let cluster = ConfigError::UnknownCluster {
            origin: "--cluster",
            name: "prod".into(),
            known: Vec::new(),
        };
        assert_eq!(code(cluster), Exit::Usage);
        let url = ConfigError::NotAUrl {
            origin: crate::config::Origin::Flag("--url"),
            shown: "ftp://x".into(),
        };
        assert_eq!(code(url), Exit::Usage);
        let value = ConfigError::BadValue {
            setting: "PODCTL_MAX_RESPONSE".into(),
            reason: "not a size".into(),
        };
        assert_eq!(code(value), Exit::Usage);
    }

    #[test]
    fn setup_errors_and_plain_errors() {
        let ca = SetupError::CaFile {
            path: "ca.pem".into(),
            reason: "no PEM certificates found".into(),
        };
        assert_eq!(code(ca), Exit::Usage);
        assert_eq!(code(SetupError::Credentials), Exit::Usage);
        assert_eq!(code(SetupError::Client("x".into())), Exit::Failure);
        assert_eq!(code_for(&anyhow::anyhow!("whatever")), Exit::Failure);
    }

    #[test]
    fn transport_errors_map_to_unreachable_or_interrupted() {
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
