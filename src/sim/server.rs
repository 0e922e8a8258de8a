//! The HTTP face of the simulator: authentication, routing to the model, response headers and
//! the request log.
//!
//! Each request is answered from the model under one lock, at the current time. Nothing here may
//! panic on what a client sends: bad input becomes a Marathon error body, a poisoned lock is
//! recovered, and a panic in a handler still answers 500 instead of killing a worker.

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::{json, Value};

use super::body::{check_definition, parse_instance_ids, parse_pod};
use super::error::SimError;
use super::route::{flag, Method, Route};
use super::state::Cluster;
use crate::pod::PodId;

/// Largest request body read; Marathon's own limit is in the same range.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// The version this simulator imitates.
pub const MARATHON_VERSION: &str = "1.10.26";

/// What every worker shares.
pub struct Context {
    pub cluster: Mutex<Cluster>,
    /// `host:port` of this "leader".
    pub leader: String,
    pub token: Option<String>,
    pub quiet: bool,
    pub framework_id: String,
}

/// A response before it is turned into tiny_http's type.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, value: &impl Serialize) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status,
                content_type: Some("application/json"),
                body,
                headers: Vec::new(),
            },
            Err(e) => Reply::error(&SimError::Internal(e.to_string())),
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }

    fn error(e: &SimError) -> Reply {
        let r = e.response();
        Reply {
            status: r.status,
            content_type: Some(r.content_type),
            body: r.body.into_bytes(),
            headers: r.headers,
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// Answers one request and logs it.
pub fn serve_one(ctx: &Context, mut request: tiny_http::Request) {
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let reply = catch_unwind(AssertUnwindSafe(|| handle(ctx, &mut request)))
        .unwrap_or_else(|_| Reply::error(&SimError::Internal("internal error".into())));
    if !ctx.quiet {
        let path = url.split('?').next().unwrap_or_default();
        let _ = writeln!(std::io::stderr(), "{method} {path} {}", reply.status);
    }
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let leader = format!("http://{}", ctx.leader);
    let mut headers: Vec<(&str, String)> = vec![("X-Marathon-Leader", leader)];
    if let Some(ct) = reply.content_type {
        headers.push(("Content-Type", ct.to_string()));
    }
    headers.extend(reply.headers);
    for (name, value) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // The client may have gone away; there is nobody left to tell.
    let _ = request.respond(response);
}

fn handle(ctx: &Context, request: &mut tiny_http::Request) -> Reply {
    let method = Method::parse(request.method().as_str());
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    if path != "/ping" {
        if let Err(e) = authorize(ctx, request) {
            return Reply::error(&e);
        }
    }
    let route = match Route::parse(path) {
        Ok(route) => route,
        Err(e) => return Reply::error(&e),
    };
    if !route.allows(method) {
        return Reply::error(&SimError::MethodNotAllowed);
    }
    let mut reply = match dispatch(ctx, &route, method, query, request) {
        Ok(reply) => reply,
        Err(e) => Reply::error(&e),
    };
    if method == Method::Head {
        reply.body.clear();
    }
    reply
}

fn authorize(ctx: &Context, request: &tiny_http::Request) -> Result<(), SimError> {
    let Some(token) = &ctx.token else {
        return Ok(());
    };
    match header(request, "Authorization") {
        None => Err(SimError::NotAuthenticated),
        Some(value) if value.trim() == format!("token={token}") => Ok(()),
        Some(_) => Err(SimError::NotAuthorized),
    }
}

fn header<'r>(request: &'r tiny_http::Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// POST and PUT must declare JSON, as Marathon's resources only consume `application/json`.
fn require_json(request: &tiny_http::Request) -> Result<(), SimError> {
    let media = header(request, "Content-Type")
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(SimError::UnsupportedMediaType)
    }
}

fn read_body(request: &mut tiny_http::Request) -> Vec<u8> {
    let mut body = Vec::new();
    // A broken upload reads as whatever arrived; the JSON parser then says what is wrong.
    let _ = request.as_reader().take(MAX_BODY).read_to_end(&mut body);
    body
}

fn dispatch(
    ctx: &Context,
    route: &Route,
    method: Method,
    query: &str,
    request: &mut tiny_http::Request,
) -> Result<Reply, SimError> {
    let now = SystemTime::now();
    let force = flag(query, "force");
    let wipe = flag(query, "wipe");
    // Parse before taking the lock: bodies can be large and need no state.
    let pod = match (route, method) {
        (Route::Pods, Method::Post) | (Route::Pod(_), Method::Put) => {
            require_json(request)?;
            let pod = parse_pod(&read_body(request))?;
            let id = check_definition(&pod)?;
            if let Route::Pod(path_id) = route {
                if *path_id != id {
                    return Err(SimError::IdMismatch {
                        path: path_id.clone(),
                        body: pod.id,
                    });
                }
            }
            Some(pod)
        }
        _ => None,
    };
    let ids = match route {
        Route::Instances(_) => Some(parse_instance_ids(&read_body(request))?),
        _ => None,
    };
    let mut cluster = ctx.cluster.lock().unwrap_or_else(PoisonError::into_inner);
    let reply = match (route, method, pod) {
        (Route::Ping, ..) => Reply {
            status: 200,
            content_type: Some("text/plain"),
            body: b"pong\n".to_vec(),
            headers: Vec::new(),
        },
        (Route::Info, ..) => Reply::json(200, &info(ctx)),
        (Route::Leader, ..) => Reply::json(200, &json!({"leader": ctx.leader})),
        (Route::Queue, ..) => Reply::json(200, &cluster.queue(now)),
        (Route::Deployments, ..) => Reply::json(200, &cluster.deployments(now)),
        (Route::Deployment(id), ..) => match cluster.cancel_deployment(id, force, now)? {
            Some((rollback, version)) => {
                Reply::json(200, &json!({"deploymentId": rollback, "version": version}))
                    .header("Marathon-Deployment-Id", rollback)
            }
            None => Reply::empty(202),
        },
        (Route::Pods, Method::Post, Some(pod)) => {
            let written = cluster.create(pod, force, now)?;
            let location = PodId::lenient(&written.definition.id).to_string();
            Reply::json(201, &written.definition)
                .header("Location", location)
                .header("Marathon-Deployment-Id", written.deployment_id)
        }
        (Route::Pods, Method::Head, _) => Reply::empty(200),
        (Route::Pods, ..) => Reply::json(200, &cluster.pods()),
        (Route::AllStatus, ..) => Reply::json(200, &cluster.statuses(now)),
        (Route::Pod(_), Method::Put, Some(pod)) => {
            let written = cluster.update(pod, force, now)?;
            Reply::json(200, &written.definition)
                .header("Marathon-Deployment-Id", written.deployment_id)
        }
        (Route::Pod(id), Method::Delete, _) => {
            let deployment = cluster.remove(id, force, now)?;
            Reply::empty(202)
                .header("Location", format!("/{deployment}"))
                .header("Marathon-Deployment-Id", deployment)
        }
        (Route::Pod(id), ..) => match cluster.pod(id) {
            Some(pod) => Reply::json(200, &pod),
            None => return Err(SimError::PodDefinitionNotFound(id.clone())),
        },
        (Route::Status(id), ..) => match cluster.status(id, now) {
            Some(status) => Reply::json(200, &status),
            None => return Err(SimError::PodNotFound(id.clone())),
        },
        (Route::Versions(id), ..) => Reply::json(200, &cluster.versions(id)?),
        (Route::Version(id, version), ..) => Reply::json(200, &cluster.version(id, version)?),
        (Route::Instances(id), ..) => {
            let ids = ids.unwrap_or_default();
            Reply::json(200, &cluster.kill(id, &ids, wipe, now)?)
        }
        (Route::Instance(id, instance), ..) => {
            Reply::json(200, &cluster.kill_one(id, instance, wipe, now)?)
        }
    };
    Ok(reply)
}

/// `GET /v2/info`: enough of Marathon's self-description for clients that probe it.
fn info(ctx: &Context) -> Value {
    json!({
        "name": "marathon",
        "version": MARATHON_VERSION,
        "buildref": "podctl-sim",
        "elected": true,
        "leader": ctx.leader,
        "frameworkId": ctx.framework_id,
        "marathon_config": {
            "master": "zk://zk-1.zk:2181,zk-2.zk:2181,zk-3.zk:2181/mesos",
            "failover_timeout": 604800,
            "framework_name": "marathon",
            "ha": true,
            "checkpoint": true,
            "local_port_min": 10000,
            "local_port_max": 20000,
            "executor": "//cmd",
            "hostname": ctx.leader.rsplit_once(':').map_or(ctx.leader.as_str(), |(h, _)| h),
            "mesos_role": "*",
            "task_launch_timeout": 300000,
            "task_reservation_timeout": 20000,
            "reconciliation_initial_delay": 15000,
            "reconciliation_interval": 600000,
            "mesos_user": "root",
            "leader_proxy_connection_timeout_ms": 5000,
            "leader_proxy_read_timeout_ms": 10000,
            "features": ["vips", "task_killing", "external_volumes", "secrets", "gpu_resources"],
            "mesos_leader_ui_url": "/mesos",
            "default_network_name": super::normalize::DEFAULT_NETWORK_NAME,
            "mesos_bridge_name": "mesos-bridge",
            "max_running_deployments": 100
        },
        "zookeeper_config": {
            "zk": "zk://zk-1.zk:2181,zk-2.zk:2181,zk-3.zk:2181/marathon",
            "zk_timeout": 10000,
            "zk_session_timeout": 10000,
            "zk_max_versions": 50
        },
        "http_config": {
            "http_port": ctx.leader.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()),
            "https_port": 8443
        }
    })
}
