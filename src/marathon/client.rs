//! [`Client`]: one method per Marathon endpoint that podctl uses.

use std::time::{Duration, Instant};

use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{parse_error_body, ApiError, Reach};
use crate::config::{Basic, Settings};
use crate::exit::{Exit, Failure};
use crate::pod::id::encode_segment;
use crate::pod::status::PodSummary;
use crate::pod::{Deployment, PodDefinition, PodId, PodStatus};

/// Marathon's header naming the deployment a write started.
const DEPLOYMENT_HEADER: &str = "Marathon-Deployment-Id";
/// Connecting should be quick even when a request may take long (as the DC/OS CLI did).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Reads (GET) are tried at most this often on connection errors and 502/503/504.
const MAX_ATTEMPTS: u32 = 4;
/// The first pause between attempts; it doubles each time, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// All pauses of one request together stay below this.
const RETRY_BUDGET: Duration = Duration::from_secs(5);

/// A response body held in memory, to be read in place.
pub struct Body {
    url: String,
    bytes: Vec<u8>,
}

impl Body {
    /// The pods of a `::status` list, borrowing from the body.
    pub fn summaries(&self) -> Result<Vec<PodSummary<'_>>, ApiError> {
        serde_json::from_slice(&self.bytes).map_err(|e| ApiError::Decode {
            url: self.url.clone(),
            reason: e.to_string(),
        })
    }
}

/// A blocking Marathon client over one reused connection pool.
pub struct Client {
    base: String,
    auth: Auth,
    http: Http,
    log: Option<Log>,
}

/// Where `--verbose` lines go; the client itself never prints.
pub type Log = fn(&str);

/// What goes into the `Authorization` header: a DC/OS token wins over basic auth.
enum Auth {
    None,
    Token(String),
    Basic(Basic),
}

impl Client {
    /// A client for the resolved settings; `log` receives one line per request and retry.
    pub fn new(settings: &Settings, log: Option<Log>) -> anyhow::Result<Client> {
        let mut builder = Http::builder()
            .user_agent(concat!("podctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT.min(settings.timeout))
            .timeout(settings.timeout)
            // Marathon's API never redirects (non-leaders proxy); following one could carry
            // credentials to another host, so a redirect is reported instead.
            .redirect(Policy::none());
        if let Some(path) = &settings.tls.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    format!("reading CA certificates from {}: {e}", path.display()),
                )
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    Failure::new(
                        Exit::Usage,
                        format!("{}: no PEM certificates found", path.display()),
                    )
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if settings.tls.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if settings.url.starts_with("http://") {
            // Plain HTTP needs no trust store; loading the system's costs a few ms per run.
            builder = builder.tls_built_in_root_certs(false);
        }
        let http = builder
            .build()
            .map_err(|e| anyhow::anyhow!("setting up the HTTP client: {e}"))?;
        let auth = match (&settings.token, &settings.basic) {
            (Some(token), _) => Auth::Token(token.clone()),
            (None, Some(basic)) => Auth::Basic(basic.clone()),
            (None, None) => Auth::None,
        };
        Ok(Client {
            base: settings.url.clone(),
            auth,
            http,
            log,
        })
    }

    /// `POST /v2/pods`; returns the deployment it started. The body (the normalised
    /// definition) is not needed: the write has happened, and a proxy may drop it anyway.
    pub fn create_pod(&self, body: Vec<u8>) -> Result<Option<String>, ApiError> {
        let resp = self.send(Method::POST, "/v2/pods", Some(body))?;
        Ok(deployment_id(resp.headers()))
    }

    /// `PUT /v2/pods/{id}[?force=true]`.
    pub fn update_pod(
        &self,
        id: &PodId,
        body: Vec<u8>,
        force: bool,
    ) -> Result<Option<String>, ApiError> {
        let path = format!("/v2/pods/{}{}", id.url_path(), force_query(force));
        let resp = self.send(Method::PUT, &path, Some(body))?;
        Ok(deployment_id(resp.headers()))
    }

    /// `DELETE /v2/pods/{id}[?force=true]`; returns the deployment id.
    pub fn delete_pod(&self, id: &PodId, force: bool) -> Result<Option<String>, ApiError> {
        let path = format!("/v2/pods/{}{}", id.url_path(), force_query(force));
        let resp = self.send(Method::DELETE, &path, None)?;
        Ok(deployment_id(resp.headers()))
    }

    /// `GET /v2/pods`: every definition the caller may see.
    pub fn pods(&self) -> Result<Vec<PodDefinition>, ApiError> {
        self.get_json("/v2/pods")
    }

    /// `GET /v2/pods/{id}`: the current definition.
    pub fn pod(&self, id: &PodId) -> Result<PodDefinition, ApiError> {
        self.get_json(&format!("/v2/pods/{}", id.url_path()))
    }

    /// `GET /v2/pods/{id}::status`.
    pub fn pod_status(&self, id: &PodId) -> Result<PodStatus, ApiError> {
        self.get_json(&format!("/v2/pods/{}::status", id.url_path()))
    }

    /// `GET /v2/pods/::status` as a [`Body`]; [`Body::summaries`] reads what `pod list` shows
    /// without copying the strings out of it.
    pub fn all_pod_status_body(&self) -> Result<Body, ApiError> {
        let resp = self.send(Method::GET, "/v2/pods/::status", None)?;
        let url = resp.url().to_string();
        let bytes = read_body(resp).map_err(|e| transport_error(&url, &e))?;
        Ok(Body { url, bytes })
    }

    /// `GET /v2/pods/::status` as Marathon sent it, for `--json` (checked, not re-encoded).
    pub fn all_pod_status_json(&self) -> Result<Vec<u8>, ApiError> {
        self.get_json_text("/v2/pods/::status")
    }

    /// `GET /v2/pods/{id}::status` as Marathon sent it.
    pub fn pod_status_json(&self, id: &PodId) -> Result<Vec<u8>, ApiError> {
        self.get_json_text(&format!("/v2/pods/{}::status", id.url_path()))
    }

    /// `GET /v2/pods/{id}::versions`, sorted oldest first (Marathon does not sort).
    pub fn pod_versions(&self, id: &PodId) -> Result<Vec<String>, ApiError> {
        let mut versions: Vec<String> =
            self.get_json(&format!("/v2/pods/{}::versions", id.url_path()))?;
        versions.sort_by_key(|v| crate::pod::time::parse_timestamp(v));
        Ok(versions)
    }

    /// `DELETE /v2/pods/{id}::instances[?wipe=true]`: the killed instances, as Marathon wrote them.
    pub fn kill_instances(
        &self,
        id: &PodId,
        instances: &[String],
        wipe: bool,
    ) -> Result<Vec<Value>, ApiError> {
        let path = format!(
            "/v2/pods/{}::instances{}",
            id.url_path(),
            if wipe { "?wipe=true" } else { "" }
        );
        let body = serde_json::to_vec(instances).map_err(|e| ApiError::Decode {
            url: self.url(&path),
            reason: e.to_string(),
        })?;
        let resp = self.send(Method::DELETE, &path, Some(body))?;
        self.decode(resp)
    }

    /// `GET /v2/deployments`: the deployments still running.
    pub fn deployments(&self) -> Result<Vec<Deployment>, ApiError> {
        self.get_json("/v2/deployments")
    }

    /// `DELETE /v2/deployments/{id}`: cancel and roll back; returns the rollback deployment's id.
    /// With `force`, stop the deployment where it is; there is no new deployment then.
    pub fn delete_deployment(&self, id: &str, force: bool) -> Result<Option<String>, ApiError> {
        let path = format!(
            "/v2/deployments/{}{}",
            encode_segment(id),
            force_query(force)
        );
        let resp = self.send(Method::DELETE, &path, None)?;
        let header = deployment_id(resp.headers());
        let url = resp.url().to_string();
        let bytes = resp.bytes().map_err(|e| transport_error(&url, &e))?;
        let body = serde_json::from_slice::<Value>(&bytes).ok();
        let from_body = body
            .as_ref()
            .and_then(|b| b.get("deploymentId"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(from_body.or(header))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let resp = self.send(Method::GET, path, None)?;
        self.decode(resp)
    }

    /// A body that is one complete JSON document, as received (a body cut short or an HTML
    /// page is an [`ApiError::Decode`]).
    fn get_json_text(&self, path: &str) -> Result<Vec<u8>, ApiError> {
        let resp = self.send(Method::GET, path, None)?;
        let url = resp.url().to_string();
        let bytes = read_body(resp).map_err(|e| transport_error(&url, &e))?;
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(|e| ApiError::Decode {
            url,
            reason: e.to_string(),
        })?;
        Ok(bytes)
    }

    fn decode<T: DeserializeOwned>(&self, resp: Response) -> Result<T, ApiError> {
        let url = resp.url().to_string();
        let bytes = read_body(resp).map_err(|e| transport_error(&url, &e))?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode {
            url,
            reason: e.to_string(),
        })
    }

    /// Sends a request; any status >= 300 becomes an error. Reads are retried on connection
    /// errors and 502/503/504 with capped, jittered back-off; writes never are, since each one
    /// starts a deployment.
    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response, ApiError> {
        let url = self.url(path);
        let retry = method == Method::GET || method == Method::HEAD;
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let result = self.send_once(&method, &url, body.clone());
            let pause = backoff(attempt);
            let again = retry
                && attempt < MAX_ATTEMPTS
                && waited + pause <= RETRY_BUDGET
                && result.as_ref().err().is_some_and(is_retryable);
            if !again {
                return result;
            }
            if let (Some(log), Err(e)) = (self.log, &result) {
                log(&format!("{e}; retrying in {} ms", pause.as_millis()));
            }
            std::thread::sleep(pause);
            waited += pause;
            attempt += 1;
        }
    }

    fn send_once(
        &self,
        method: &Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response, ApiError> {
        let started = Instant::now();
        let mut req = self
            .http
            .request(method.clone(), url)
            .header(ACCEPT, "application/json");
        req = self.authorize(req);
        if let Some(body) = body {
            req = req.header(CONTENT_TYPE, "application/json").body(body);
        }
        let sent = req.send();
        if let Some(log) = self.log {
            let outcome = match &sent {
                Ok(resp) => resp.status().to_string(),
                Err(e) => transport_error(url, e).to_string(),
            };
            log(&format!(
                "{method} {url} -> {outcome} ({} ms)",
                started.elapsed().as_millis()
            ));
        }
        let resp = sent.map_err(|e| transport_error(url, &e))?;
        let status = resp.status();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            return Err(ApiError::Redirect {
                url: url.to_string(),
                status: status.as_u16(),
                location,
            });
        }
        if status.is_client_error() || status.is_server_error() {
            let reason = status.canonical_reason().unwrap_or("").to_string();
            let bytes = resp.bytes().unwrap_or_default();
            let (message, details, deployments) =
                parse_error_body(status.as_u16(), &reason, &bytes);
            return Err(ApiError::Status {
                method: method.to_string(),
                url: url.to_string(),
                status: status.as_u16(),
                message,
                details,
                deployments,
            });
        }
        Ok(resp)
    }

    fn authorize(&self, req: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Auth::None => req,
            Auth::Token(token) => req.header(AUTHORIZATION, format!("token={token}")),
            Auth::Basic(b) => req.basic_auth(&b.username, Some(&b.password)),
        }
    }
}

/// Connection trouble and gateway errors pass; TLS and DNS failures and real answers do not.
fn is_retryable(e: &ApiError) -> bool {
    match e {
        ApiError::Unreachable { reach, .. } => {
            matches!(reach, Reach::Refused | Reach::Timeout | Reach::Other)
        }
        ApiError::Status { status, .. } => matches!(status, 502..=504),
        _ => false,
    }
}

/// The pause before attempt `attempt + 1`: doubling from 250 ms, capped at 2 s, with up to 50 %
/// jitter so that many clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = FIRST_BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    base + base.mul_f64(fastrand::f64() * 0.5)
}

/// Reads a whole body into one buffer sized from `Content-Length` when the server sent one.
fn read_body(mut resp: Response) -> Result<Vec<u8>, reqwest::Error> {
    use std::io::Read;
    let hint = resp.content_length().unwrap_or(0).min(1 << 30) as usize;
    let mut buf = Vec::with_capacity(hint);
    match resp.read_to_end(&mut buf) {
        Ok(_) => Ok(buf),
        // Read errors of a reqwest body are reqwest errors; get the typed one back.
        Err(_) => resp.bytes().map(|b| b.to_vec()),
    }
}

fn force_query(force: bool) -> &'static str {
    // Marathon reads a bare `?force` as false: always send the value.
    if force {
        "?force=true"
    } else {
        ""
    }
}

fn deployment_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(DEPLOYMENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Classifies a transport failure by walking its causes.
fn transport_error(url: &str, err: &reqwest::Error) -> ApiError {
    let mut causes = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(err);
    while let Some(e) = source {
        causes.push(e.to_string());
        source = e.source();
    }
    let all = causes.join(": ").to_ascii_lowercase();
    let reach = if err.is_timeout() || all.contains("timed out") {
        Reach::Timeout
    } else if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        Reach::Tls
    } else if all.contains("dns")
        || all.contains("failed to lookup")
        || all.contains("name or service")
    {
        Reach::Dns
    } else if all.contains("refused") {
        Reach::Refused
    } else {
        Reach::Other
    };
    let reason = causes.last().cloned().unwrap_or_else(|| err.to_string());
    ApiError::Unreachable {
        url: url.to_string(),
        reach,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        for _ in 0..100 {
            let first = backoff(1);
            assert!(
                first >= FIRST_BACKOFF && first <= FIRST_BACKOFF.mul_f64(1.5),
                "{first:?}"
            );
            let second = backoff(2);
            assert!(second >= 2 * FIRST_BACKOFF && second <= (2 * FIRST_BACKOFF).mul_f64(1.5));
            let late = backoff(30);
            assert!(
                late >= MAX_BACKOFF && late <= MAX_BACKOFF.mul_f64(1.5),
                "{late:?}"
            );
        }
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let unreachable = |reach| ApiError::Unreachable {
            url: "u".into(),
            reach,
            reason: String::new(),
        };
        assert!(is_retryable(&unreachable(Reach::Refused)));
        assert!(is_retryable(&unreachable(Reach::Timeout)));
        assert!(!is_retryable(&unreachable(Reach::Tls)));
        assert!(!is_retryable(&unreachable(Reach::Dns)));
        let status = |status| ApiError::Status {
            method: "GET".into(),
            url: "u".into(),
            status,
            message: String::new(),
            details: vec![],
            deployments: vec![],
        };
        for code in [502, 503, 504] {
            assert!(is_retryable(&status(code)));
        }
        for code in [400, 401, 404, 409, 500] {
            assert!(!is_retryable(&status(code)));
        }
    }
}
