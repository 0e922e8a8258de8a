//! [`Client`]: one method per Marathon endpoint that podctl uses.

use std::time::Instant;

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{parse_error_body, ApiError};
use super::split::{ArrayReader, Decoded};
use crate::config::{Basic, Settings};
use crate::http::{self, Http, Log, Options, Reply, Request, SetupError, Sink};
use crate::pod::id::encode_segment;
use crate::pod::status::PodSummary;
use crate::pod::{Deployment, PodDefinition, PodId, PodStatus};

/// Marathon's header naming the deployment a write started.
const DEPLOYMENT_HEADER: &str = "Marathon-Deployment-Id";

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

/// A Marathon client over one reused connection pool; cheap to clone.
#[derive(Clone)]
pub struct Client {
    base: String,
    auth: Option<HeaderValue>,
    http: Http,
    /// No request ends later than this (the time a wait has left).
    deadline: Option<Instant>,
}

impl Client {
    /// A client for the resolved settings; `log` receives one line per request and retry.
    pub fn new(settings: &Settings, log: Option<Log>) -> Result<Client, SetupError> {
        let mut options = Options::new(&settings.url, settings.tls.clone(), settings.timeout);
        options.log = log;
        options.max_body = settings.max_response;
        Client::with_options(settings, options)
    }

    /// A client with its own HTTP options (tab completion: no retries, a short deadline).
    pub fn with_options(settings: &Settings, options: Options) -> Result<Client, SetupError> {
        let value = match (&settings.token, &settings.basic) {
            (Some(token), _) => Some(format!("token={token}")),
            (None, Some(basic)) => Some(basic_header(basic)),
            (None, None) => None,
        };
        let auth = match value {
            Some(v) => {
                // The credential itself is never part of the message.
                let mut header = HeaderValue::from_str(&v).map_err(|_| SetupError::Credentials)?;
                header.set_sensitive(true);
                Some(header)
            }
            None => None,
        };
        Ok(Client {
            base: settings.url.clone(),
            auth,
            http: Http::new(options)?,
            deadline: None,
        })
    }

    /// The same client, but every request ends by `deadline` at the latest.
    pub fn until(&self, deadline: Instant) -> Client {
        Client {
            deadline: Some(deadline),
            ..self.clone()
        }
    }

    /// `POST /v2/pods`; returns the deployment it started. The body (the normalised
    /// definition) is not needed: the write has happened, and a proxy may drop it anyway.
    pub fn create_pod(&self, body: Vec<u8>) -> Result<Option<String>, ApiError> {
        let reply = self.send(Method::POST, "/v2/pods", Some(body))?;
        Ok(deployment_id(&reply.headers))
    }

    /// `PUT /v2/pods/{id}[?force=true]`.
    pub fn update_pod(
        &self,
        id: &PodId,
        body: Vec<u8>,
        force: bool,
    ) -> Result<Option<String>, ApiError> {
        let path = format!("/v2/pods/{}{}", id.url_path(), force_query(force));
        let reply = self.send(Method::PUT, &path, Some(body))?;
        Ok(deployment_id(&reply.headers))
    }

    /// `DELETE /v2/pods/{id}[?force=true]`; returns the deployment id.
    pub fn delete_pod(&self, id: &PodId, force: bool) -> Result<Option<String>, ApiError> {
        let path = format!("/v2/pods/{}{}", id.url_path(), force_query(force));
        let reply = self.send(Method::DELETE, &path, None)?;
        Ok(deployment_id(&reply.headers))
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
        let path = "/v2/pods/::status";
        let reply = self.send(Method::GET, path, None)?;
        Ok(Body {
            url: self.url(path),
            bytes: reply.body,
        })
    }

    /// `GET /v2/pods/::status` read as it arrives: each pod's status is decoded into its
    /// summary as soon as its bytes are in, so the body is never held whole.
    pub fn all_pod_summaries(&self) -> Result<Vec<PodSummary<'static>>, ApiError> {
        let path = "/v2/pods/::status";
        let mut sink = SummarySink::default();
        self.send_to(Method::GET, path, None, Some(&mut sink))?;
        let decode = |reason: String| ApiError::Decode {
            url: self.url(path),
            reason,
        };
        if let Some(reason) = sink.error {
            return Err(decode(reason));
        }
        sink.reader
            .finish(&mut sink.pods, decode_summary)
            .map_err(decode)?;
        Ok(sink.pods)
    }

    /// `GET /v2/pods/::status` as Marathon sent it, for `--json`: not re-encoded, but checked
    /// to be what the table reads (an array of pod statuses).
    pub fn all_pod_status_json(&self) -> Result<Vec<u8>, ApiError> {
        let body = self.all_pod_status_body()?;
        body.summaries()?;
        Ok(body.bytes)
    }

    /// `GET /v2/pods/{id}::status` as Marathon sent it, checked to be one pod status.
    pub fn pod_status_json(&self, id: &PodId) -> Result<Vec<u8>, ApiError> {
        let path = format!("/v2/pods/{}::status", id.url_path());
        let reply = self.send(Method::GET, &path, None)?;
        serde_json::from_slice::<PodStatus>(&reply.body).map_err(|e| ApiError::Decode {
            url: self.url(&path),
            reason: e.to_string(),
        })?;
        Ok(reply.body)
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
        let reply = self.send(Method::DELETE, &path, Some(body))?;
        self.decode(&path, &reply)
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
        let reply = self.send(Method::DELETE, &path, None)?;
        let header = deployment_id(&reply.headers);
        let body = serde_json::from_slice::<Value>(&reply.body).ok();
        let from_body = body
            .as_ref()
            .and_then(|b| b.get("deploymentId"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(from_body.or(header))
    }

    /// What the event stream needs to open `GET /v2/events` on its own runtime: the base URL,
    /// the credentials (meant for that URL's host only) and the HTTP options.
    pub(super) fn stream_parts(&self) -> (&str, Option<HeaderValue>, &Options) {
        (&self.base, self.auth.clone(), self.http.options())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let reply = self.send(Method::GET, path, None)?;
        self.decode(path, &reply)
    }

    fn decode<T: DeserializeOwned>(&self, path: &str, reply: &Reply) -> Result<T, ApiError> {
        serde_json::from_slice(&reply.body).map_err(|e| ApiError::Decode {
            url: self.url(path),
            reason: e.to_string(),
        })
    }

    /// Sends a request (see [`Http::send`] for deadlines, size caps and retries); any status
    /// >= 300 becomes an error.
    fn send(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<Reply, ApiError> {
        self.send_to(method, path, body, None)
    }

    /// As [`send`](Client::send), a success body going to `sink` as it arrives.
    fn send_to(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        sink: Option<&mut dyn Sink>,
    ) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(auth) = &self.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        if body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let reply = self
            .http
            .send_to(
                Request {
                    method: method.clone(),
                    url: &url,
                    headers,
                    body,
                    deadline: self.deadline,
                },
                sink,
            )
            .map_err(|error| ApiError::Transport {
                method: method.to_string(),
                url: url.clone(),
                error: Box::new(error),
            })?;
        let status = reply.status;
        if status.is_redirection() {
            let location = reply
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            return Err(ApiError::Redirect {
                url,
                status: status.as_u16(),
                location,
            });
        }
        if status.is_client_error() || status.is_server_error() {
            let reason = status.canonical_reason().unwrap_or("").to_string();
            let (mut message, details, deployments) =
                parse_error_body(status.as_u16(), &reason, &reply.body);
            if reply.cut {
                message.push_str(&format!(
                    " (an error body over {} was not read to the end)",
                    crate::size::show(http::MAX_ERROR_BODY)
                ));
            }
            return Err(ApiError::Status {
                method: method.to_string(),
                url,
                status: status.as_u16(),
                message,
                details,
                deployments,
            });
        }
        Ok(reply)
    }
}

/// Decodes the pods of a `::status` list as their bytes arrive; keeps the first error.
#[derive(Default)]
struct SummarySink {
    reader: ArrayReader,
    pods: Vec<PodSummary<'static>>,
    error: Option<String>,
}

impl Sink for SummarySink {
    fn restart(&mut self) {
        *self = SummarySink::default();
    }

    fn write(&mut self, chunk: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.reader.feed(chunk, &mut self.pods, decode_summary) {
                self.error = Some(e);
            }
        }
    }
}

/// One pod's summary from the start of `bytes`, its strings copied out (the bytes are about
/// to be dropped).
fn decode_summary(bytes: &[u8]) -> Result<Decoded<PodSummary<'static>>, String> {
    let mut pods = serde_json::Deserializer::from_slice(bytes).into_iter::<PodSummary<'_>>();
    match pods.next() {
        Some(Ok(pod)) => Ok(Decoded::Element(pod.into_owned(), pods.byte_offset())),
        Some(Err(e)) if e.is_eof() => Ok(Decoded::Incomplete),
        None => Ok(Decoded::Incomplete),
        Some(Err(e)) => Err(e.to_string()),
    }
}

/// `Authorization: Basic ...` for a user and password.
fn basic_header(basic: &Basic) -> String {
    let pair = format!("{}:{}", basic.username, basic.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
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
