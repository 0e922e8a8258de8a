//! [`ApiError`]: everything that can go wrong talking to Marathon, already in words a user can act on.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::http::{Kind, TransportError};
use crate::pod::text::printable;

/// How much of a server's message is shown; the rest is counted, not printed.
pub const MESSAGE_CHARS: usize = 300;

/// One entry of a 422 body's `details`: a JSON path and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub path: String,
    pub errors: Vec<String>,
}

#[derive(Debug)]
pub enum ApiError {
    /// No complete HTTP answer.
    Transport {
        method: String,
        url: String,
        error: Box<TransportError>,
    },
    /// Marathon (or something in front of it) answered with an error status.
    Status {
        method: String,
        url: String,
        status: u16,
        /// Marathon's own `message`, or the status line when the body says nothing usable.
        message: String,
        details: Vec<Detail>,
        /// Ids of the deployments that lock the pod (409).
        deployments: Vec<String>,
    },
    /// A success status whose body is not what the API promises.
    Decode { url: String, reason: String },
    /// A 3xx answer; podctl does not follow redirects.
    Redirect {
        url: String,
        status: u16,
        location: String,
    },
    /// Logging in again to renew the token failed.
    Login(Box<super::auth::LoginError>),
}

impl ApiError {
    /// Whether this is Marathon's own 404 (it always says what is missing, in JSON), not the
    /// page of some other server at a wrong URL.
    pub fn is_marathons_not_found(&self) -> bool {
        matches!(self, ApiError::Status { status: 404, message, .. } if !message.starts_with("HTTP 404"))
    }

    /// For a 404 that is not Marathon's own, at a base URL with no path (the request went to
    /// `<root>/v2/...`): that root, where on DC/OS Marathon is not.
    fn foreign_not_found_at_root(&self, url: &str) -> Option<String> {
        if self.status() != Some(404) || self.is_marathons_not_found() {
            return None;
        }
        let parsed = reqwest::Url::parse(url).ok()?;
        // A Marathon without its event stream answers `/v2/events` with a bare 404 too.
        if !parsed.path().starts_with("/v2/") || parsed.path().starts_with("/v2/events") {
            return None;
        }
        let root = parsed.origin().ascii_serialization();
        (root != "null").then_some(root)
    }

    /// The HTTP status, if Marathon answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Transport { method, url, error } => {
                let url = printable(url);
                let write = !matches!(method.as_str(), "GET" | "HEAD");
                match &error.kind {
                    Kind::Interrupted => write!(f, "interrupted: {method} {url} was cancelled")?,
                    Kind::TooLarge { .. } => write!(f, "the answer of Marathon at {url}: {error}")?,
                    Kind::Timeout if write && error.sent => write!(f, "{method} {url}: {error}")?,
                    _ => write!(f, "cannot reach Marathon at {url}: {error}")?,
                }
                if error.kind == Kind::Refused {
                    write!(f, "; is it running? (try `podctl sim` for a local one)")?;
                }
                if write && error.sent && !matches!(error.kind, Kind::TooLarge { .. }) {
                    write!(
                        f,
                        "; the {method} may or may not have been applied: check with \
                         `podctl deployment list` (and `podctl pod show ID`)"
                    )?;
                } else if write && error.kind == Kind::Interrupted {
                    write!(f, "; nothing was sent")?;
                }
                Ok(())
            }
            ApiError::Status {
                url,
                status,
                message,
                details,
                deployments,
                ..
            } => {
                write!(f, "{}", clip(message))?;
                if !message.contains(&status.to_string()) {
                    write!(f, " (HTTP {status})")?;
                }
                if let Some(root) = self.foreign_not_found_at_root(url) {
                    write!(
                        f,
                        "; not Marathon's own answer: if this is DC/OS, Marathon is under \
                         /service/marathon (--url {}/service/marathon)",
                        printable(&root)
                    )?;
                }
                if *status == 409 && !deployments.is_empty() {
                    let plural = if deployments.len() == 1 { "" } else { "s" };
                    write!(
                        f,
                        "; held by deployment{plural} {}: wait for it, or use --force to cancel it",
                        printable(&deployments.join(", "))
                    )?;
                }
                // A 401 the client already explained (an expired token, how to log in) needs
                // no second hint.
                let explained = message.contains("podctl cluster login");
                if matches!(status, 401 | 403)
                    && !message.contains("running deployments")
                    && !explained
                {
                    write!(
                        f,
                        "; set a token with --token, PODCTL_TOKEN, DCOS_ACS_TOKEN or \
                         `podctl cluster add NAME --url URL --token TOKEN`"
                    )?;
                }
                for d in details {
                    write!(f, "\n  {}: {}", clip(&d.path), clip(&d.errors.join("; ")))?;
                }
                Ok(())
            }
            ApiError::Redirect {
                url,
                status,
                location,
            } => write!(
                f,
                "Marathon at {} answered HTTP {status}, a redirect to \"{}\"; podctl does \
                 not follow redirects (credentials must not go to another host): if that server \
                 is the right one, point --url at it",
                printable(url),
                clip(location)
            ),
            ApiError::Decode { url, reason } => write!(
                f,
                "response from Marathon ({}) was not in the expected JSON format: {}",
                printable(url),
                clip(reason)
            ),
            ApiError::Login(error) => {
                // The login's own causes (a key file that cannot be read) are part of the one
                // line: this error has no source of its own for a chain to follow.
                write!(f, "renewing the token: {error}")?;
                let mut cause = std::error::Error::source(error);
                while let Some(e) = cause {
                    write!(f, ": {}", printable(&e.to_string()))?;
                    cause = e.source();
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ApiError {}

/// A server's text made safe and short for a terminal: control characters and bidi overrides
/// escaped, and only the first [`MESSAGE_CHARS`] characters, saying how many were cut.
pub fn clip(text: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(MESSAGE_CHARS) {
        None => printable(text).into_owned(),
        Some((end, _)) => {
            let cut = text[end..].chars().count();
            format!(
                "{}… ({cut} more characters not shown)",
                printable(&text[..end])
            )
        }
    }
}

/// Marathon's error body: `{"message", "details"?, "deployments"?}`.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<Value>,
    #[serde(default)]
    deployments: Option<Vec<Value>>,
}

/// Turns an error response into (message, details, deployment ids). Copes with HTML, empty
/// bodies, `details` as an array or one string, and the double-encoded 404 of `GET /v2/pods/{id}`.
pub(crate) fn parse_error_body(
    status: u16,
    reason: &str,
    body: &[u8],
) -> (String, Vec<Detail>, Vec<String>) {
    let status_line = format!("HTTP {status} {reason}").trim_end().to_string();
    let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
        return (status_line, Vec::new(), Vec::new());
    };
    let mut message = parsed.message.unwrap_or_default();
    // `GET /v2/pods/{id}` wraps a JSON text in the message; unwrap it (Marathon quirk).
    if let Ok(inner) = serde_json::from_str::<ErrorBody>(&message) {
        if let Some(m) = inner.message {
            message = m;
        }
    }
    if message.trim().is_empty() {
        message = status_line;
    }
    let mut details = Vec::new();
    match parsed.details {
        Some(Value::Array(items)) => {
            for item in items {
                let path = item
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or("/")
                    .to_string();
                let errors = match item.get("errors") {
                    Some(Value::Array(es)) => es
                        .iter()
                        .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                        .collect(),
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => Vec::new(),
                };
                details.push(Detail { path, errors });
            }
        }
        Some(Value::String(s)) if !s.is_empty() => details.push(Detail {
            path: "/".to_string(),
            errors: vec![s],
        }),
        _ => {}
    }
    let deployments = parsed
        .deployments
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    (message, details, deployments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_details_are_listed_by_path() {
        let body = br#"{"message":"Object is not valid","details":[{"path":"/containers(0)/resources/cpus","errors":["got -1.0, expected 0.0 or more"]}]}"#;
        let (message, details, _) = parse_error_body(422, "Unprocessable Entity", body);
        assert_eq!(message, "Object is not valid");
        assert_eq!(details[0].path, "/containers(0)/resources/cpus");
        assert_eq!(details[0].errors, vec!["got -1.0, expected 0.0 or more"]);
    }

    #[test]
    fn string_details_and_double_encoded_messages() {
        let (m, d, _) = parse_error_body(
            400,
            "Bad Request",
            br#"{"message":"Invalid JSON","details":"Unexpected end-of-input"}"#,
        );
        assert_eq!(m, "Invalid JSON");
        assert_eq!(d[0].errors, vec!["Unexpected end-of-input"]);
        let (m, _, _) = parse_error_body(
            404,
            "Not Found",
            br#"{"message":"{\"message\": \"pod with /x does not exist\"}","details":[]}"#,
        );
        assert_eq!(m, "pod with /x does not exist");
    }

    #[test]
    fn locked_pods_name_their_deployments() {
        let body = br#"{"message":"App is locked by one or more deployments.","deployments":[{"id":"d1"},{"id":"d2"}]}"#;
        let (_, _, deployments) = parse_error_body(409, "Conflict", body);
        assert_eq!(deployments, vec!["d1", "d2"]);
    }

    #[test]
    fn html_and_empty_bodies_fall_back_to_the_status_line() {
        let (m, d, _) = parse_error_body(
            502,
            "Bad Gateway",
            b"<html>Could not determine the current leader</html>",
        );
        assert_eq!(m, "HTTP 502 Bad Gateway");
        assert!(d.is_empty());
        let (m, _, _) = parse_error_body(401, "Unauthorized", b"");
        assert_eq!(m, "HTTP 401 Unauthorized");
    }

    #[test]
    fn display_lists_details_one_per_line() {
        let err = ApiError::Status {
            method: "POST".into(),
            url: "http://x/v2/pods".into(),
            status: 422,
            message: "Object is not valid".into(),
            details: vec![Detail {
                path: "/id".into(),
                errors: vec!["Path needs to be absolute".into()],
            }],
            deployments: vec![],
        };
        assert_eq!(
            err.to_string(),
            "Object is not valid (HTTP 422)\n  /id: Path needs to be absolute"
        );
    }

    #[test]
    fn server_text_is_escaped_and_long_messages_are_cut() {
        let err = ApiError::Status {
            method: "POST".into(),
            url: "http://x/v2/pods".into(),
            status: 422,
            message: format!("bad\u{1b}]0;owned\u{7}{}", "m".repeat(1000)),
            details: vec![Detail {
                path: "/id\r".into(),
                errors: vec!["\u{1b}[2Jgone".into()],
            }],
            deployments: vec![],
        };
        let text = err.to_string();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(!text.contains('\r'), "{text:?}");
        assert!(text.contains("more characters not shown"), "{text}");
        assert!(text.len() < 600, "{}", text.len());
    }

    #[test]
    fn clip_keeps_short_text_and_counts_what_it_cuts() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(MESSAGE_CHARS + 5);
        let cut = clip(&long);
        assert!(cut.starts_with(&"é".repeat(MESSAGE_CHARS)), "{cut}");
        assert!(cut.ends_with("(5 more characters not shown)"), "{cut}");
    }

    #[test]
    fn an_unfinished_write_may_have_been_applied() {
        let timeout = |method: &str, sent| ApiError::Transport {
            method: method.into(),
            url: "http://x/v2/pods".into(),
            error: Box::new(TransportError {
                kind: Kind::Timeout,
                sent,
                detail: String::new(),
                hint: None,
                timeout: std::time::Duration::from_secs(3),
            }),
        };
        let write = timeout("POST", true).to_string();
        assert!(!write.contains("cannot reach"), "{write}");
        assert!(
            write.contains("may or may not have been applied"),
            "{write}"
        );
        assert!(write.contains("podctl deployment list"), "{write}");
        let read = timeout("GET", true).to_string();
        assert!(
            read.contains("cannot reach") && read.contains("3s"),
            "{read}"
        );
        assert!(!read.contains("applied"), "{read}");
        let unsent = timeout("POST", false).to_string();
        assert!(!unsent.contains("applied"), "{unsent}");
    }

    fn not_found(url: &str, message: &str) -> ApiError {
        ApiError::Status {
            method: "GET".into(),
            url: url.into(),
            status: 404,
            message: message.into(),
            details: vec![],
            deployments: vec![],
        }
    }

    #[test]
    fn a_foreign_404_at_a_url_with_no_path_hints_at_service_marathon() {
        let root = not_found(
            "https://dcos.example.com/v2/pods/::status",
            "HTTP 404 Not Found",
        );
        let text = root.to_string();
        assert!(
            text.starts_with("HTTP 404 Not Found; ")
                && text.contains("https://dcos.example.com/service/marathon"),
            "{text}"
        );
        // Marathon's own 404 says what is missing: no hint.
        let own = not_found(
            "https://dcos.example.com/v2/pods/web::status",
            "pod with /web does not exist",
        );
        assert!(!own.to_string().contains("service/marathon"), "{own}");
        // A URL with a path already: the hint would be wrong.
        let under = not_found(
            "https://dcos.example.com/service/marathon/v2/pods/::status",
            "HTTP 404 Not Found",
        );
        assert_eq!(under.to_string(), "HTTP 404 Not Found");
        let events = not_found("http://127.0.0.1:8080/v2/events", "HTTP 404 Not Found");
        assert_eq!(events.to_string(), "HTTP 404 Not Found");
    }
}
