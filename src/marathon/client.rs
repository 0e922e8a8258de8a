//! [`Client`]: one method per Marathon endpoint that podctl uses.

use std::time::Duration;

use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{parse_error_body, ApiError, Reach};
use crate::config::Settings;
use crate::pod::id::encode_segment;
use crate::pod::{Deployment, PodDefinition, PodId, PodStatus};

/// Marathon's header naming the deployment a write started.
const DEPLOYMENT_HEADER: &str = "Marathon-Deployment-Id";
/// Connecting should be quick even when a request may take long (as the DC/OS CLI did).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The answer to a write: the deployment it started and, when Marathon sent one, the definition.
#[derive(Debug, Clone)]
pub struct Written {
    pub deployment_id: Option<String>,
    pub pod: Option<PodDefinition>,
}

/// A blocking Marathon client over one reused connection pool.
pub struct Client {
    base: String,
    token: Option<String>,
    http: Http,
}

impl Client {
    pub fn new(settings: &Settings) -> anyhow::Result<Client> {
        let http = Http::builder()
            .user_agent(concat!("podctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| anyhow::anyhow!("setting up the HTTP client: {e}"))?;
        Ok(Client {
            base: settings.url.clone(),
            token: settings.token.clone(),
            http,
        })
    }

    /// `POST /v2/pods`.
    pub fn create_pod(&self, body: Vec<u8>) -> Result<Written, ApiError> {
        let resp = self.send(Method::POST, "/v2/pods", Some(body))?;
        self.written(resp)
    }

    /// `PUT /v2/pods/{id}[?force=true]`.
    pub fn update_pod(&self, id: &PodId, body: Vec<u8>, force: bool) -> Result<Written, ApiError> {
        let path = format!("/v2/pods/{}{}", id.url_path(), force_query(force));
        let resp = self.send(Method::PUT, &path, Some(body))?;
        self.written(resp)
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

    /// `GET /v2/pods/::status`: every pod the caller may see.
    pub fn all_pod_status(&self) -> Result<Vec<PodStatus>, ApiError> {
        self.get_json("/v2/pods/::status")
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

    fn decode<T: DeserializeOwned>(&self, resp: Response) -> Result<T, ApiError> {
        let url = resp.url().to_string();
        let bytes = resp.bytes().map_err(|e| transport_error(&url, &e))?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode {
            url,
            reason: e.to_string(),
        })
    }

    fn written(&self, resp: Response) -> Result<Written, ApiError> {
        let deployment_id = deployment_id(resp.headers());
        let url = resp.url().to_string();
        let bytes = resp.bytes().map_err(|e| transport_error(&url, &e))?;
        // The body is a courtesy; a proxy may drop it, and the write has already happened.
        let pod = serde_json::from_slice(&bytes).ok();
        Ok(Written { deployment_id, pod })
    }

    /// Sends one request; any status >= 400 becomes an [`ApiError::Status`].
    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response, ApiError> {
        let url = self.url(path);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .header(ACCEPT, "application/json");
        if let Some(token) = &self.token {
            req = req.header(AUTHORIZATION, format!("token={token}"));
        }
        if let Some(body) = body {
            req = req.header(CONTENT_TYPE, "application/json").body(body);
        }
        let resp = req.send().map_err(|e| transport_error(&url, &e))?;
        let status = resp.status();
        if status.is_client_error() || status.is_server_error() {
            let reason = status.canonical_reason().unwrap_or("").to_string();
            let bytes = resp.bytes().unwrap_or_default();
            let (message, details, deployments) =
                parse_error_body(status.as_u16(), &reason, &bytes);
            return Err(ApiError::Status {
                method: method.to_string(),
                url,
                status: status.as_u16(),
                message,
                details,
                deployments,
            });
        }
        Ok(resp)
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
