//! Every refusal the simulator can answer with, and the exact status code and body Marathon 1.10
//! uses for it.
//!
//! The model (`state`) and the request decoding (`body`, `route`) only name *what* went wrong;
//! this module alone knows how Marathon spells it on the wire, quirks included (the double-encoded
//! 404 of `GET /v2/pods/{id}`, the literal `<DEPLOYMENT_ID>` of the lock message). It does no I/O.

use serde_json::{json, Value};

use crate::pod::PodId;

/// One entry of a `details` array: a Marathon-style JSON path and its error keys or messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub errors: Vec<String>,
}

impl Violation {
    pub fn new(path: impl Into<String>, error: impl Into<String>) -> Violation {
        Violation {
            path: path.into(),
            errors: vec![error.into()],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// No `Authorization` header while a token is required (Admin Router's answer).
    NotAuthenticated,
    /// A token that is not the configured one.
    NotAuthorized,
    /// No or wrong HTTP basic credentials (`--require-basic`): Jetty's answer for this path.
    BasicNotAuthenticated(String),
    /// `--dcos`: a missing, unknown or expired token, refused by Admin Router.
    DcosNotAuthenticated,
    /// `--dcos`: a login with a wrong password, key, uid or an expired login token (the IAM).
    LoginRefused,
    /// `--dcos`: a login request the IAM cannot read; what is wrong with it.
    LoginMalformed(String),
    UriNotFound(String),
    MethodNotAllowed,
    UnsupportedMediaType,
    EmptyBody,
    /// JSON that does not parse; the parser's message.
    MalformedJson(String),
    /// Well-formed JSON of the wrong shape (types, required fields).
    InvalidJson(Vec<Violation>),
    /// A definition that parses but breaks Marathon's rules.
    NotValid(Vec<Violation>),
    /// PUT whose body id differs from the URL id; `body` is the id as sent.
    IdMismatch {
        path: PodId,
        body: String,
    },
    PodExists(PodId),
    /// Locked by the running deployments with these ids.
    Locked(Vec<String>),
    PodNotFound(PodId),
    /// The not-found of `GET /v2/pods/{id}`, which Marathon double-encodes.
    PodDefinitionNotFound(PodId),
    /// Kill on an unknown pod: an exception Marathon's mapper turns into a bare `message`.
    PathNotFound(PodId),
    /// A change while this many deployments run (`--max_running_deployments`).
    TooManyDeployments(usize),
    TaskNotFound(String),
    DeploymentNotFound(String),
    InvalidTimestamp(String),
    /// A Java `IllegalArgumentException` (such as a bad UUID): 422 with the exception's message.
    IllegalArgument(String),
    Internal(String),
}

/// What goes on the wire for an error.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

const LOCKED: &str = "App is locked by one or more deployments. Override with the option \
                      '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.";

const UNAUTHORIZED_HTML: &str =
    "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n\
<body bgcolor=\"white\">\r\n<center><h1>401 Authorization Required</h1></center>\r\n\
<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n";

/// The page DC/OS's Admin Router answers a request without a valid token with: the UI's
/// `errorpages/401.html` (dcos/dcos, packages/adminrouter), sent by `ngx.say`, hence the last
/// newline. A page that sends a browser to the login screen.
const DCOS_UNAUTHORIZED_HTML: &str =
    "<!DOCTYPE html>\n\n<html>\n<head>\n  <title>Unauthorized</title>\n  \
<noscript><meta http-equiv=\"refresh\" content=\"5; url=/#/login\"></noscript>\n  <script>\n    \
(function () {\n      var location = window.location;\n      \
location.href = \"/#/login?redirect=\" + encodeURIComponent(location.href);\n    }())\n  \
</script>\n</head>\n<body>\n  <h1>Unauthorized</h1>\n</body>\n</html>\n\n";

/// Marathon's default `--http_realm`.
pub const BASIC_REALM: &str = "Mesosphere";

/// What Jetty labels its error pages with.
pub const JETTY_CONTENT_TYPE: &str = "text/html;charset=iso-8859-1";

/// The error page Jetty (inside Marathon) writes for `status`.
pub fn jetty_page(status: u16, reason: &str, path: &str) -> String {
    // The path is echoed into HTML, so it is escaped as Jetty does.
    let path = path
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n\
         <title>Error {status} {reason}</title>\n</head>\n<body><h2>HTTP ERROR {status}</h2>\n\
         <p>Problem accessing {path}. Reason:\n<pre>    {reason}</pre></p>\n</body>\n</html>\n"
    )
}

/// The page a proxy in front of Marathon (Admin Router, nginx) writes for `status`.
pub fn proxy_page(status: u16) -> String {
    let title = format!("{status} {}", reason_phrase(status));
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n\
         <center><h1>{title}</h1></center>\r\n<hr><center>openresty</center>\r\n\
         </body>\r\n</html>\r\n"
    )
}

/// The reason phrase of the statuses the simulator's fault pages use.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        301 => "Moved Permanently",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        500 => "Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "Error",
    }
}

impl SimError {
    pub fn status(&self) -> u16 {
        match self {
            SimError::NotAuthenticated
            | SimError::BasicNotAuthenticated(_)
            | SimError::DcosNotAuthenticated
            | SimError::LoginRefused => 401,
            SimError::NotAuthorized | SimError::TooManyDeployments(_) => 403,
            SimError::PodNotFound(_)
            | SimError::PodDefinitionNotFound(_)
            | SimError::PathNotFound(_)
            | SimError::TaskNotFound(_)
            | SimError::DeploymentNotFound(_) => 404,
            SimError::MethodNotAllowed => 405,
            // Jersey's NotFoundException, which MarathonExceptionMapper turns into a 500.
            SimError::UriNotFound(_) => 500,
            SimError::UnsupportedMediaType => 415,
            SimError::EmptyBody
            | SimError::MalformedJson(_)
            | SimError::IdMismatch { .. }
            | SimError::LoginMalformed(_) => 400,
            SimError::InvalidJson(_)
            | SimError::NotValid(_)
            | SimError::InvalidTimestamp(_)
            | SimError::IllegalArgument(_) => 422,
            SimError::PodExists(_) | SimError::Locked(_) => 409,
            SimError::Internal(_) => 500,
        }
    }

    pub fn response(&self) -> ErrorResponse {
        let status = self.status();
        let json_body = |v: Value| ErrorResponse {
            status,
            content_type: "application/json",
            body: v.to_string(),
            headers: Vec::new(),
        };
        // Marathon 1.9+ adds an empty `details` to its not-found bodies.
        let not_found = |message: String| json_body(json!({"message": message, "details": []}));
        match self {
            SimError::NotAuthenticated => ErrorResponse {
                status,
                content_type: "text/html",
                body: UNAUTHORIZED_HTML.to_string(),
                headers: vec![("WWW-Authenticate", "acsjwt".to_string())],
            },
            SimError::BasicNotAuthenticated(path) => ErrorResponse {
                status,
                content_type: JETTY_CONTENT_TYPE,
                body: jetty_page(status, "Unauthorized", path),
                headers: vec![("WWW-Authenticate", format!("Basic realm=\"{BASIC_REALM}\""))],
            },
            SimError::DcosNotAuthenticated => ErrorResponse {
                status,
                content_type: "text/html; charset=UTF-8",
                body: DCOS_UNAUTHORIZED_HTML.to_string(),
                headers: vec![("WWW-Authenticate", "acsjwt".to_string())],
            },
            // The IAM's error shape: title, description, code.
            SimError::LoginRefused => json_body(json!({
                "title": "Unauthorized",
                "description": "The login credentials are not valid.",
                "code": "ERR_INVALID_CREDENTIALS"
            })),
            SimError::LoginMalformed(description) => json_body(json!({
                "title": "Bad Request",
                "description": description,
                "code": "ERR_INVALID_DATA"
            })),
            SimError::NotAuthorized => {
                json_body(json!({"message": "Not Authorized to perform this action!"}))
            }
            SimError::UriNotFound(_) => json_body(json!({"message": "URI not found"})),
            SimError::MethodNotAllowed => json_body(json!({"message": "Method Not Allowed"})),
            SimError::UnsupportedMediaType => {
                json_body(json!({"message": "Unsupported Media Type"}))
            }
            SimError::EmptyBody => json_body(json!({
                "message": "Please specify data in JSON format",
                "details": "No content to map due to end-of-input"
            })),
            SimError::MalformedJson(details) => {
                json_body(json!({"message": "Invalid JSON", "details": details}))
            }
            SimError::InvalidJson(violations) => json_body(json!({
                "message": "Invalid JSON",
                "details": details(violations)
            })),
            SimError::NotValid(violations) => json_body(json!({
                "message": "Object is not valid",
                "details": details(violations)
            })),
            SimError::IdMismatch { path, body } => {
                // Marathon writes this body by hand, whitespace and all.
                let message = format!("'{path}' does not match definition's id ('{body}')");
                ErrorResponse {
                    status,
                    content_type: "application/json",
                    body: format!("\n{{\"message\": {}}}\n", Value::String(message)),
                    headers: Vec::new(),
                }
            }
            SimError::PodExists(id) => {
                json_body(json!({"message": format!("A pod with id [{id}] already exists.")}))
            }
            SimError::Locked(ids) => json_body(json!({
                "message": LOCKED,
                "deployments": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()
            })),
            SimError::PodNotFound(id) => not_found(format!("Pod '{id}' does not exist")),
            SimError::PodDefinitionNotFound(id) => {
                let inner = format!(
                    "{{\"message\": {}}}",
                    Value::String(format!("pod with {id} does not exist"))
                );
                not_found(inner)
            }
            // Thrown by `TaskKiller`, so written by the exception mapper: no `details`.
            SimError::PathNotFound(id) => {
                json_body(json!({"message": format!("Path '{id}' does not exist")}))
            }
            SimError::TooManyDeployments(max) => json_body(json!({"message": format!(
                // Marathon's text, the missing space in "oneusing" included (`Exception.scala`).
                "Max number ({max}) of running deployments is achieved. Wait for existing \
                 deployments to complete or cancel oneusing force=true parameter. You can \
                 increase max deployment number by using --max_running_deployments parameter \
                 but be advised that this can have negative effects on the performance."
            )})),
            SimError::TaskNotFound(id) => not_found(format!("Task '{id}' does not exist")),
            SimError::DeploymentNotFound(id) => {
                not_found(format!("DeploymentPlan {id} does not exist"))
            }
            SimError::IllegalArgument(message) => json_body(json!({ "message": message })),
            SimError::InvalidTimestamp(v) => json_body(json!({
                "message": format!(
                    "Invalid timestamp provided '{v}'. Expecting ISO-8601 datetime string."
                )
            })),
            SimError::Internal(message) => json_body(json!({"message": message})),
        }
    }
}

fn details(violations: &[Violation]) -> Value {
    violations
        .iter()
        .map(|v| json!({"path": v.path, "errors": v.errors}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(e: &SimError) -> Value {
        serde_json::from_str(&e.response().body).expect("error bodies are JSON")
    }

    #[test]
    fn get_not_found_is_double_encoded() {
        let e = SimError::PodDefinitionNotFound(PodId::lenient("/x"));
        assert_eq!(e.status(), 404);
        assert_eq!(
            e.response().body,
            r#"{"message":"{\"message\": \"pod with /x does not exist\"}","details":[]}"#
        );
    }

    #[test]
    fn locked_keeps_the_placeholder_and_lists_ids() {
        let b = body(&SimError::Locked(vec!["d1".into()]));
        assert_eq!(b["message"], LOCKED);
        assert!(b["message"]
            .as_str()
            .is_some_and(|m| m.contains("<DEPLOYMENT_ID>")));
        assert_eq!(b["deployments"], json!([{"id": "d1"}]));
    }

    #[test]
    fn mismatch_is_padded_json() {
        let e = SimError::IdMismatch {
            path: PodId::lenient("/a"),
            body: "/b".into(),
        };
        assert_eq!(e.status(), 400);
        assert!(e.response().body.starts_with('\n'));
        assert_eq!(
            body(&e)["message"],
            "'/a' does not match definition's id ('/b')"
        );
    }

    #[test]
    fn basic_challenge_is_a_jetty_page_naming_the_path() {
        let r = SimError::BasicNotAuthenticated("/v2/pods<x>".into()).response();
        assert_eq!(r.status, 401);
        assert_eq!(r.content_type, JETTY_CONTENT_TYPE);
        assert_eq!(
            r.headers,
            vec![("WWW-Authenticate", "Basic realm=\"Mesosphere\"".to_string())]
        );
        assert!(r.body.contains("HTTP ERROR 401"), "{}", r.body);
        assert!(
            r.body.contains("Problem accessing /v2/pods&lt;x&gt;."),
            "{}",
            r.body
        );
        assert!(proxy_page(502).contains("<title>502 Bad Gateway</title>"));
    }

    #[test]
    fn unauthenticated_is_html_with_challenge() {
        let r = SimError::NotAuthenticated.response();
        assert_eq!(r.status, 401);
        assert_eq!(r.content_type, "text/html");
        assert_eq!(r.headers, vec![("WWW-Authenticate", "acsjwt".to_string())]);
    }
}
