//! The HTTP face of the simulator: faults, authentication, routing to the model, response
//! headers and the request log.
//!
//! [`serve_one`] turns one hyper request into a response (or a reset, which `net` carries out).
//! Each request is answered from the model under one lock, at the current time. Nothing here may
//! panic on what a client sends: bad input becomes a Marathon error body, a poisoned lock is
//! recovered, and a panic in a handler still answers 500 instead of killing the connection. A
//! request that falls under a `--fault` rule is broken before anything else looks at it; a `slow`
//! fault waits asynchronously, and a `huge` body is generated as it is sent, so neither holds up
//! other requests.

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use http_body_util::{BodyExt as _, Either, Full};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::Auth;
use super::body::{check_definition, check_instance_ids, parse_instance_ids, parse_pod};
use super::clock::Clock;
use super::dcos::{self, Dcos, Gate};
use super::error::{jetty_page, proxy_page, reason_phrase, SimError, JETTY_CONTENT_TYPE};
use super::events::{self, Bus};
use super::fault::{FaultKind, Faults, HugeBody};
use super::net::Peer;
use super::route::{flag, Method, Route};
use super::state::{Cluster, PodChange};
use crate::pod::time::format_timestamp;
use crate::pod::PodId;

/// Largest request body read; Marathon's own limit is in the same range.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The version this simulator imitates.
pub const MARATHON_VERSION: &str = "1.10.26";

/// What every connection shares.
pub struct Context {
    pub cluster: Mutex<Cluster>,
    /// `now` for every request; the manual one also answers `/_sim/clock`.
    pub clock: Arc<Clock>,
    /// `host:port` of this "leader".
    pub leader: String,
    /// `http` or `https`, for `X-Marathon-Leader`.
    pub scheme: &'static str,
    pub auth: Auth,
    pub faults: Faults,
    pub quiet: bool,
    pub framework_id: String,
    /// `--dcos`: DC/OS in front of Marathon; `auth` is then open.
    pub dcos: Option<Dcos>,
    /// The subscribers of `/v2/events`; `None` with `--no-events`.
    pub events: Option<Arc<Bus>>,
}

/// A response body: whole, the endless one of a `huge` fault, or an event stream.
pub type Body = Either<Full<Bytes>, Either<HugeStream, events::Stream>>;

/// What becomes of one request.
pub enum Outcome {
    Respond(Response<Body>),
    /// Drop the connection without a byte of answer, as a crashed server or proxy does.
    Reset,
}

/// A response before it is turned into hyper's type.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
    /// Answered by DC/OS itself (`--dcos`), not by Marathon: no `X-Marathon-Leader`.
    by_dcos: bool,
}

impl Reply {
    fn json(status: u16, value: &impl Serialize) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply::raw_json(status, body),
            Err(e) => Reply::error(&SimError::Internal(e.to_string())),
        }
    }

    /// JSON that is already serialized.
    fn raw_json(status: u16, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type: Some("application/json"),
            body,
            headers: Vec::new(),
            by_dcos: false,
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
            by_dcos: false,
        }
    }

    fn html(status: u16, content_type: &'static str, body: String) -> Reply {
        Reply {
            status,
            content_type: Some(content_type),
            body: body.into_bytes(),
            headers: Vec::new(),
            by_dcos: false,
        }
    }

    fn error(e: &SimError) -> Reply {
        let r = e.response();
        Reply {
            status: r.status,
            content_type: Some(r.content_type),
            body: r.body.into_bytes(),
            headers: r.headers,
            by_dcos: false,
        }
    }

    fn by_dcos(mut self) -> Reply {
        self.by_dcos = true;
        self
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// What the handlers look at in a request: its head, and its body read up to [`MAX_BODY`].
struct Asked {
    method: hyper::Method,
    /// The request target as sent, query included.
    url: String,
    headers: HeaderMap,
    body: Vec<u8>,
    /// Who asked, when `net` says (it always does, but tests may build requests by hand).
    peer: Option<Peer>,
}

impl Asked {
    fn path(&self) -> &str {
        self.url
            .split_once('?')
            .map_or(self.url.as_str(), |(p, _)| p)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Answers one request, or breaks it as a `--fault` says, and logs it.
pub async fn serve_one(ctx: &Context, request: Request<Incoming>) -> Outcome {
    let (head, body) = request.into_parts();
    let peer = head.extensions.get::<Peer>().cloned();
    let mut asked = Asked {
        method: head.method,
        url: head.uri.to_string(),
        headers: head.headers,
        body: Vec::new(),
        peer,
    };
    let Some(fault) = ctx.faults.take(asked.method.as_str(), asked.path()) else {
        if is_event_stream(ctx, &asked) {
            return Outcome::Respond(event_stream(ctx, &asked, ""));
        }
        asked.body = read_body(body).await;
        let reply = answer(ctx, &asked);
        return Outcome::Respond(send(ctx, &asked, reply, ""));
    };
    let reply = match fault {
        FaultKind::Html(status) => {
            if status == 500 {
                Reply::html(
                    status,
                    JETTY_CONTENT_TYPE,
                    jetty_page(status, reason_phrase(status), asked.path()),
                )
            } else {
                Reply::html(status, "text/html", proxy_page(status))
            }
        }
        FaultKind::NonJson => Reply::html(200, "text/html", "<html>hello</html>".to_string()),
        FaultKind::Redirect(location) => {
            Reply::html(307, "text/html", proxy_page(307)).header("Location", location)
        }
        FaultKind::Truncated => {
            asked.body = read_body(body).await;
            let mut reply = answer(ctx, &asked);
            let half = reply.body.len() / 2;
            reply.body.truncate(half);
            reply.status = 200;
            reply.content_type = Some("application/json");
            reply
        }
        FaultKind::WrongType => {
            asked.body = read_body(body).await;
            let mut reply = answer(ctx, &asked);
            reply.content_type = Some("text/plain");
            reply
        }
        FaultKind::Reset => {
            log(ctx, &asked, "reset (fault)");
            return Outcome::Reset;
        }
        FaultKind::Slow(delay) => {
            tokio::time::sleep(delay).await;
            if is_event_stream(ctx, &asked) {
                return Outcome::Respond(event_stream(ctx, &asked, " (fault)"));
            }
            asked.body = read_body(body).await;
            answer(ctx, &asked)
        }
        FaultKind::Huge(size) => {
            log(ctx, &asked, "200 (fault)");
            let mut headers = common_headers(ctx);
            headers.push(("Content-Type", "application/json".to_string()));
            let body = HugeStream::new(size);
            headers.push(("Content-Length", body.left.to_string()));
            let body = Either::Right(Either::Left(body));
            return Outcome::Respond(response(200, headers, body));
        }
    };
    Outcome::Respond(send(ctx, &asked, reply, " (fault)"))
}

/// The body of a `huge` fault as hyper sends it: generated a piece at a time, with its size
/// announced up front in a `Content-Length`, so a client can refuse it before reading a byte.
pub struct HugeStream {
    body: HugeBody,
    /// Bytes not yet sent.
    left: u64,
}

impl HugeStream {
    fn new(size: u64) -> HugeStream {
        HugeStream {
            body: HugeBody::new(size),
            left: size.max(2),
        }
    }
}

/// Each piece of a `huge` body.
const HUGE_PIECE: usize = 64 * 1024;

impl hyper::body::Body for HugeStream {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let stream = self.get_mut();
        let generator = &mut stream.body;
        let mut piece = vec![0u8; HUGE_PIECE];
        let mut filled = 0;
        while filled < piece.len() {
            match generator.read(&mut piece[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
        if filled == 0 {
            return Poll::Ready(None);
        }
        piece.truncate(filled);
        stream.left = stream.left.saturating_sub(filled as u64);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(piece)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.left)
    }
}

/// Reads the request body up to [`MAX_BODY`]. A broken upload reads as whatever arrived; the
/// JSON parser then says what is wrong.
async fn read_body(mut body: Incoming) -> Vec<u8> {
    let mut read = Vec::new();
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            let room = MAX_BODY - read.len();
            read.extend_from_slice(&data[..data.len().min(room)]);
            if read.len() == MAX_BODY {
                break;
            }
        }
    }
    read
}

/// The answer of the simulated Marathon, faults aside.
fn answer(ctx: &Context, asked: &Asked) -> Reply {
    catch_unwind(AssertUnwindSafe(|| handle(ctx, asked)))
        .unwrap_or_else(|_| Reply::error(&SimError::Internal("internal error".into())))
}

fn log(ctx: &Context, asked: &Asked, outcome: &str) {
    if !ctx.quiet {
        // The whole request target, query included: `?force=true` is part of what was asked.
        let _ = writeln!(
            std::io::stderr(),
            "{} {} {outcome}",
            asked.method.as_str(),
            asked.url
        );
    }
}

fn common_headers(ctx: &Context) -> Vec<(&'static str, String)> {
    vec![(
        "X-Marathon-Leader",
        format!("{}://{}", ctx.scheme, ctx.leader),
    )]
}

/// hyper's response; a header value that cannot be sent (a control character, say) is left out.
fn response(status: u16, headers: Vec<(&'static str, String)>, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn send(ctx: &Context, asked: &Asked, reply: Reply, note: &str) -> Response<Body> {
    log(ctx, asked, &format!("{}{note}", reply.status));
    let mut headers = if reply.by_dcos {
        Vec::new()
    } else {
        common_headers(ctx)
    };
    if let Some(ct) = reply.content_type {
        headers.push(("Content-Type", ct.to_string()));
    }
    headers.extend(reply.headers);
    if asked.method == hyper::Method::HEAD {
        // hyper sends no body to a HEAD, and says nothing of its length unless told.
        headers.push(("Content-Length", reply.body.len().to_string()));
    }
    let body = Either::Left(Full::new(Bytes::from(reply.body)));
    response(reply.status, headers, body)
}

fn handle(ctx: &Context, asked: &Asked) -> Reply {
    let method = Method::parse(asked.method.as_str());
    let (mut path, query) = asked.url.split_once('?').unwrap_or((&asked.url, ""));
    let asked_path = path;
    if let Some(dcos) = &ctx.dcos {
        let now = ctx.clock.now();
        let authorization = asked.header("Authorization");
        match dcos.admit(asked.method.as_str(), path, authorization, &asked.body, now) {
            Gate::Marathon(inner) => path = inner,
            Gate::Json(status, value) => return Reply::json(status, &value).by_dcos(),
            Gate::Moved(to) => {
                return Reply::html(301, "text/html", proxy_page(301))
                    .header("Location", absolute(ctx, asked, to))
                    .by_dcos()
            }
            Gate::Refused(e) => return Reply::error(&e).by_dcos(),
        }
    } else if path != "/ping" {
        if let Err(e) = ctx.auth.check(asked.header("Authorization"), path) {
            return Reply::error(&e);
        }
    }
    if ctx.clock.is_manual() && path.starts_with(CLOCK_PATH) {
        return clock_admin(ctx, method, path, query);
    }
    let route = match Route::parse(path) {
        Ok(route) => route,
        Err(e) => return Reply::error(&e),
    };
    if !route.allows(method) {
        return Reply::error(&SimError::MethodNotAllowed);
    }
    let mut reply = match dispatch(ctx, &route, method, query, asked) {
        Ok(reply) => reply,
        Err(e) => Reply::error(&e),
    };
    if method == Method::Head {
        reply.body.clear();
    }
    if path.len() != asked_path.len() {
        // Admin Router's `proxy_redirect`: Marathon's own URLs become ones under the prefix.
        let origin = absolute(ctx, asked, "/");
        for (name, value) in &mut reply.headers {
            if *name == "Location" {
                *value = dcos::proxied_location(value, &origin);
            }
        }
    }
    reply
}

/// Whether the request is for the event stream: `/v2/events`, or with `--dcos` also
/// `/service/marathon/v2/events`, once DC/OS has let it through (a refused request goes the
/// usual way, and is refused there as on every other path).
fn is_event_stream(ctx: &Context, asked: &Asked) -> bool {
    let path = asked.path();
    match &ctx.dcos {
        None => path == events::PATH,
        Some(dcos) => {
            let authorization = asked.header("Authorization");
            let gate = dcos.admit(
                asked.method.as_str(),
                path,
                authorization,
                &[],
                ctx.clock.now(),
            );
            matches!(gate, Gate::Marathon(inner) if inner == events::PATH)
        }
    }
}

/// `GET /v2/events` as Marathon's `HttpEventStreamServlet` (a Jetty `EventSourceServlet`)
/// answers it: a stream only for an `Accept` header that is exactly `text/event-stream`, 405 for
/// any other GET (the servlet falls back to `HttpServlet.doGet`), and the subscriber registered
/// before the first byte goes out, so nothing that happens after the answer is missed.
fn event_stream(ctx: &Context, asked: &Asked, note: &str) -> Response<Body> {
    let path = asked.path();
    if let Err(e) = ctx.auth.check(asked.header("Authorization"), path) {
        return send(ctx, asked, Reply::error(&e), note);
    }
    let Some(bus) = &ctx.events else {
        // Marathon 1.10 cannot turn its stream off; a proxy in front that does not route it
        // answers like a server without the path.
        let page = jetty_page(404, "Not Found", path);
        return send(ctx, asked, Reply::html(404, JETTY_CONTENT_TYPE, page), note);
    };
    let not_supported = |method: &str| {
        let reason = format!("HTTP method {method} is not supported by this URL");
        Reply::html(405, JETTY_CONTENT_TYPE, jetty_page(405, &reason, path))
    };
    let wants_stream = asked
        .headers
        .get_all("Accept")
        .iter()
        .any(|v| v.as_bytes() == b"text/event-stream");
    match asked.method {
        hyper::Method::GET | hyper::Method::HEAD if wants_stream => {}
        hyper::Method::GET | hyper::Method::HEAD => {
            return send(ctx, asked, not_supported(asked.method.as_str()), note)
        }
        hyper::Method::OPTIONS => {
            let reply = Reply::empty(200).header("Allow", "GET, HEAD, OPTIONS");
            return send(ctx, asked, reply, note);
        }
        ref other => return send(ctx, asked, not_supported(other.as_str()), note),
    }
    log(ctx, asked, &format!("200{note}"));
    let mut headers = common_headers(ctx);
    headers.push((
        "Content-Type",
        "text/event-stream;charset=UTF-8".to_string(),
    ));
    // Jetty sends the stream without a length and closes the connection at its end.
    headers.push(("Connection", "close".to_string()));
    if asked.method == hyper::Method::HEAD {
        return response(200, headers, Either::Left(Full::new(Bytes::new())));
    }
    let (addr, drop) = match &asked.peer {
        Some(peer) => (peer.addr, Arc::clone(&peer.drop)),
        None => (
            std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
            Arc::new(tokio::sync::Notify::new()),
        ),
    };
    let (_, query) = asked.url.split_once('?').unwrap_or((&asked.url, ""));
    let stream = bus.subscribe(addr, events::event_types(query), drop);
    response(200, headers, Either::Right(Either::Right(stream)))
}

/// The simulator's own admin paths, outside Marathon's API (which has no `/_sim`). They exist only
/// under the manual clock; otherwise they are unknown paths like any other.
const CLOCK_PATH: &str = "/_sim/clock";

/// The longest single step of the manual clock, as for `--deploy-time`.
const MAX_ADVANCE: Duration = Duration::from_secs(30 * 24 * 3600);

/// `GET /_sim/clock` tells the time; `POST /_sim/clock/advance?by=2s` moves it forward.
fn clock_admin(ctx: &Context, method: Method, path: &str, query: &str) -> Reply {
    let now = match (path.strip_prefix(CLOCK_PATH).unwrap_or(path), method) {
        ("", Method::Get) => ctx.clock.now(),
        ("/advance", Method::Post) => {
            let by = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("by="))
                .map(|by| humantime::parse_duration(by).map_err(|e| format!("by={by}: {e}")));
            match by {
                Some(Ok(by)) if by > MAX_ADVANCE => {
                    let message = "by: at most 30 days at a time";
                    return Reply::json(400, &json!({ "message": message }));
                }
                Some(Ok(by)) => {
                    let now = ctx.clock.advance(by).unwrap_or_else(|| ctx.clock.now());
                    // Under the manual clock, what happens with time happens now.
                    let mut cluster = ctx.cluster.lock().unwrap_or_else(PoisonError::into_inner);
                    cluster.observe(now);
                    publish(ctx, &mut cluster);
                    now
                }
                Some(Err(message)) => return Reply::json(400, &json!({ "message": message })),
                None => {
                    let message = "expected ?by=DURATION, e.g. ?by=2s";
                    return Reply::json(400, &json!({ "message": message }));
                }
            }
        }
        ("" | "/advance", _) => return Reply::error(&SimError::MethodNotAllowed),
        _ => return Reply::error(&SimError::UriNotFound(path.to_string())),
    };
    Reply::json(200, &json!({ "now": format_timestamp(now) }))
}

/// A `Location` as Jersey writes it: the relative URI Marathon gives, resolved against the base
/// URI of the request (scheme and `Host` as asked, this leader's address without a `Host`).
fn absolute(ctx: &Context, asked: &Asked, path: &str) -> String {
    let host = asked.header("Host").unwrap_or(&ctx.leader);
    format!("{}://{host}{path}", ctx.scheme)
}

/// `/ping` as `SystemResource` answers it: the variant the `Accept` header prefers among
/// text/plain, text/html, application/json and text/* (earlier wins a tie; none means `*/*`):
/// `"pong"` for JSON, `pong` for text (text/plain for a wildcard), and 204 when none is acceptable.
fn ping(accept: Option<&str>) -> Reply {
    const VARIANTS: [&str; 4] = ["text/plain", "text/html", "application/json", "text/*"];
    let accept = accept.filter(|a| !a.trim().is_empty()).unwrap_or("*/*");
    let ranges: Vec<(String, f64)> = accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f64>().ok())
                .unwrap_or(1.0);
            Some((range, q))
        })
        .collect();
    let fits = |variant: &str, range: &str| {
        let (vt, vs) = variant.split_once('/').unwrap_or((variant, ""));
        let (rt, rs) = range.split_once('/').unwrap_or((range, ""));
        (rt == "*" || rt == vt) && (rs == "*" || vs == "*" || rs == vs)
    };
    let mut best: Option<(&str, f64)> = None;
    for variant in VARIANTS {
        let q = ranges
            .iter()
            .filter(|(range, _)| fits(variant, range))
            .map(|(_, q)| *q)
            .fold(0.0, f64::max);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((variant, q));
        }
    }
    let (content_type, body): (&'static str, &[u8]) = match best {
        None => return Reply::empty(204),
        Some(("application/json", _)) => ("application/json", b"\"pong\""),
        Some(("text/html", _)) => ("text/html", b"pong"),
        Some(_) => ("text/plain", b"pong"),
    };
    Reply {
        status: 200,
        content_type: Some(content_type),
        body: body.to_vec(),
        headers: Vec::new(),
        by_dcos: false,
    }
}

/// POST and PUT must declare JSON, as Marathon's resources only consume `application/json`.
fn require_json(asked: &Asked) -> Result<(), SimError> {
    let media = asked
        .header("Content-Type")
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(SimError::UnsupportedMediaType)
    }
}

fn dispatch(
    ctx: &Context,
    route: &Route,
    method: Method,
    query: &str,
    asked: &Asked,
) -> Result<Reply, SimError> {
    let now = ctx.clock.now();
    // Parse before taking the lock: bodies can be large and need no state.
    let pod = match (route, method) {
        (Route::Pods, Method::Post) | (Route::Pod(_), Method::Put) => {
            require_json(asked)?;
            let mut pod = parse_pod(&asked.body)?;
            let id = check_definition(&pod)?;
            if let Route::Pod(path_id) = route {
                if *path_id != id {
                    return Err(SimError::IdMismatch {
                        path: path_id.clone(),
                        body: pod.id,
                    });
                }
            }
            // Marathon keeps the PathId, which drops empty segments: `/a//b` is `/a/b`.
            pod.id = id.to_string();
            Some(pod)
        }
        _ => None,
    };
    let ids = match route {
        Route::Instances(_) => Some(parse_instance_ids(&asked.body)?),
        Route::Instance(_, instance) => Some(vec![instance.clone()]),
        _ => None,
    };
    if let Some(ids) = &ids {
        check_instance_ids(ids)?;
    }
    let mut cluster = ctx.cluster.lock().unwrap_or_else(PoisonError::into_inner);
    // What happened by itself since the last look goes out before what this request does.
    cluster.observe(now);
    let mark = cluster.events_mark();
    let reply = answer_with(
        ctx,
        &mut cluster,
        route,
        method,
        query,
        asked,
        pod,
        ids,
        now,
    );
    let change = match (route, method) {
        (Route::Pods, Method::Post) => Some(PodChange::Created),
        (Route::Pod(_), Method::Put) => Some(PodChange::Updated),
        (Route::Pod(_), Method::Delete) => Some(PodChange::Deleted),
        _ => None,
    };
    if let (Some(change), Ok(_)) = (change, &reply) {
        let client = asked.peer.as_ref().map(|p| p.addr.ip().to_string());
        let uri = asked.path();
        cluster.pod_event(
            change,
            client.as_deref().unwrap_or_default(),
            uri,
            now,
            mark,
        );
    }
    cluster.observe(now);
    publish(ctx, &mut cluster);
    reply
}

/// Hands the model's new events to the subscribers, under the model's lock so that they go out
/// in the order they happened.
fn publish(ctx: &Context, cluster: &mut Cluster) {
    let events = cluster.take_events();
    if let Some(bus) = &ctx.events {
        bus.publish(events);
    }
}

/// How often the system clock's events are looked for: what happens with time (an instance
/// running, a deployment ending) reaches subscribers at most this late, stamped with its own time.
const TICK: Duration = Duration::from_millis(20);

/// Reports what happens with time, for as long as the simulator runs (system clock only: the
/// manual one moves when advanced). Costs little when nothing is due.
pub async fn tick(ctx: std::sync::Arc<Context>) {
    let mut every = tokio::time::interval(TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let now = ctx.clock.now();
        let mut cluster = ctx.cluster.lock().unwrap_or_else(PoisonError::into_inner);
        cluster.observe(now);
        publish(&ctx, &mut cluster);
    }
}

/// The model's part of [`dispatch`], under its lock.
#[allow(clippy::too_many_arguments)]
fn answer_with(
    ctx: &Context,
    cluster: &mut Cluster,
    route: &Route,
    method: Method,
    query: &str,
    asked: &Asked,
    pod: Option<crate::pod::PodDefinition>,
    ids: Option<Vec<String>>,
    now: std::time::SystemTime,
) -> Result<Reply, SimError> {
    let force = flag(query, "force");
    let wipe = flag(query, "wipe");
    let reply = match (route, method, pod) {
        (Route::Ping, ..) => ping(asked.header("Accept")),
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
                .header("Location", absolute(ctx, asked, &location))
                .header("Marathon-Deployment-Id", written.deployment_id)
        }
        (Route::Pods, Method::Head, _) => Reply::empty(200),
        (Route::Pods, ..) => Reply::json(200, &cluster.pods()),
        (Route::AllStatus, ..) => match cluster.statuses_json(now) {
            Ok(body) => Reply::raw_json(200, body),
            Err(e) => return Err(SimError::Internal(e.to_string())),
        },
        (Route::Pod(_), Method::Put, Some(pod)) => {
            let written = cluster.update(pod, force, now)?;
            Reply::json(200, &written.definition)
                .header("Marathon-Deployment-Id", written.deployment_id)
        }
        (Route::Pod(id), Method::Delete, _) => {
            let deployment = cluster.remove(id, force, now)?;
            Reply::empty(202)
                .header("Location", absolute(ctx, asked, &format!("/{deployment}")))
                .header("Marathon-Deployment-Id", deployment)
        }
        (Route::Pod(id), ..) => match cluster.pod(id) {
            Some(pod) => Reply::json(200, &pod),
            None => return Err(SimError::PodDefinitionNotFound(id.clone())),
        },
        (Route::Status(id), ..) => match cluster.status_json(id, now) {
            Some(Ok(body)) => Reply::raw_json(200, body),
            Some(Err(e)) => return Err(SimError::Internal(e.to_string())),
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
            "default_network_name": crate::pod::normalize::DEFAULT_NETWORK_NAME,
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::blocking::{Client, RequestBuilder, Response};
    use serde_json::{json, Value};

    use crate::sim::{SimOptions, Simulator};

    /// A simulator on a free port, serving on a background thread; returns its base URL.
    fn start(deploy_secs: u64, token: Option<&str>) -> String {
        start_with(SimOptions {
            deploy_time: Duration::from_secs(deploy_secs),
            token: token.map(str::to_string),
            ..SimOptions::default()
        })
    }

    fn start_with(opts: SimOptions) -> String {
        let sim = Simulator::bind(SimOptions {
            quiet: true,
            ..opts
        })
        .expect("binds on 127.0.0.1:0");
        let url = sim.base_url();
        std::thread::spawn(move || sim.run());
        url
    }

    fn client() -> Client {
        Client::builder().no_proxy().build().expect("client")
    }

    #[test]
    fn ping_answers_by_accept() {
        let answer = |accept: Option<&str>| {
            let r = super::ping(accept);
            (
                r.status,
                r.content_type,
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        };
        let text = (200, Some("text/plain"), "pong".to_string());
        assert_eq!(answer(None), text);
        assert_eq!(answer(Some("*/*")), text);
        assert_eq!(answer(Some("text/*")), text);
        assert_eq!(answer(Some("text/csv")), text);
        assert_eq!(
            answer(Some("application/json")),
            (200, Some("application/json"), "\"pong\"".to_string())
        );
        assert_eq!(
            answer(Some("text/plain;q=0.5, application/json")),
            (200, Some("application/json"), "\"pong\"".to_string())
        );
        assert_eq!(
            answer(Some("text/html")),
            (200, Some("text/html"), "pong".to_string())
        );
        assert_eq!(answer(Some("image/png")).0, 204);
        assert_eq!(answer(Some("image/png")).2, "");
    }

    fn json_body(r: Response) -> Value {
        let bytes = r.bytes().expect("body");
        serde_json::from_slice(&bytes).expect("JSON body")
    }

    fn send_json(req: RequestBuilder, body: &Value) -> Response {
        req.header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .expect("request")
    }

    fn pod(id: &str, image: &str) -> Value {
        json!({"id": id, "containers": [{"name": "app", "resources": {"cpus": 0.1, "mem": 32},
               "image": {"kind": "DOCKER", "id": image}}]})
    }

    fn deployment_id(r: &Response) -> String {
        r.headers()
            .get("Marathon-Deployment-Id")
            .and_then(|v| v.to_str().ok())
            .expect("Marathon-Deployment-Id header")
            .to_string()
    }

    #[test]
    fn create_get_list_and_conflict() {
        let base = start(0, None);
        let c = client();
        let r = send_json(
            c.post(format!("{base}/v2/pods")),
            &pod("/prod/web", "nginx"),
        );
        assert_eq!(r.status(), 201);
        let leader = r
            .headers()
            .get("X-Marathon-Leader")
            .and_then(|v| v.to_str().ok());
        assert_eq!(leader, Some(base.as_str()));
        assert_eq!(
            r.headers().get("Location").and_then(|v| v.to_str().ok()),
            Some(format!("{base}/prod/web").as_str())
        );
        assert!(!deployment_id(&r).is_empty());
        assert_eq!(
            r.headers()
                .get("Content-Type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        let created = json_body(r);
        assert!(created["version"].is_string());
        assert_eq!(created["scaling"]["instances"], 1);

        let got = json_body(
            c.get(format!("{base}/v2/pods/prod/web/"))
                .send()
                .expect("get"),
        );
        assert_eq!(got, created);
        let list = json_body(c.get(format!("{base}/v2/pods")).send().expect("list"));
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        let status = json_body(
            c.get(format!("{base}/v2/pods/prod/web::status"))
                .send()
                .expect("status"),
        );
        assert_eq!(status["status"], "STABLE");
        assert_eq!(
            status["instances"][0]["containers"][0]["status"],
            "TASK_RUNNING"
        );
        let all = json_body(
            c.get(format!("{base}/v2/pods/::status"))
                .send()
                .expect("all"),
        );
        assert_eq!(all[0]["id"], "/prod/web");

        let head = c.head(format!("{base}/v2/pods")).send().expect("head");
        assert_eq!(head.status(), 200);
        let ping = c.get(format!("{base}/ping")).send().expect("ping");
        assert_eq!(ping.text().ok().as_deref(), Some("pong"));

        let again = send_json(
            c.post(format!("{base}/v2/pods")),
            &pod("/prod/web", "nginx"),
        );
        assert_eq!(again.status(), 409);
        assert_eq!(
            json_body(again)["message"],
            "A pod with id [/prod/web] already exists."
        );
    }

    #[test]
    fn locked_then_forced() {
        let base = start(60, None);
        let c = client();
        let r = send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "a"));
        let first = deployment_id(&r);
        let locked = send_json(c.put(format!("{base}/v2/pods/web")), &pod("/web", "b"));
        assert_eq!(locked.status(), 409);
        let body = json_body(locked);
        assert_eq!(body["deployments"], json!([{"id": first}]));
        assert!(body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("App is locked by one or more deployments.")));
        // A bare `?force` does not count.
        let bare = send_json(
            c.put(format!("{base}/v2/pods/web?force")),
            &pod("/web", "b"),
        );
        assert_eq!(bare.status(), 409);
        let forced = send_json(
            c.put(format!("{base}/v2/pods/web?force=true")),
            &pod("/web", "b"),
        );
        assert_eq!(forced.status(), 200);
        let second = deployment_id(&forced);
        let deployments = json_body(
            c.get(format!("{base}/v2/deployments"))
                .send()
                .expect("list"),
        );
        assert_eq!(deployments.as_array().map(Vec::len), Some(1));
        assert_eq!(deployments[0]["id"], second.as_str());
        assert_eq!(deployments[0]["affectedPods"], json!(["/web"]));
        let delete = c
            .delete(format!("{base}/v2/pods/web"))
            .send()
            .expect("delete");
        assert_eq!(delete.status(), 409);
    }

    #[test]
    fn not_found_bodies() {
        let base = start(0, None);
        let c = client();
        let r = c.get(format!("{base}/v2/pods/x")).send().expect("get");
        assert_eq!(r.status(), 404);
        assert_eq!(
            r.text().ok().as_deref(),
            Some(r#"{"message":"{\"message\": \"pod with /x does not exist\"}","details":[]}"#)
        );
        let r = c
            .get(format!("{base}/v2/pods/x::status"))
            .send()
            .expect("status");
        assert_eq!(r.status(), 404);
        assert_eq!(
            json_body(r),
            json!({"message": "Pod '/x' does not exist", "details": []})
        );
        let r = c
            .delete(format!("{base}/v2/pods/x"))
            .send()
            .expect("delete");
        assert_eq!(r.status(), 404);
        let r = c
            .delete(format!("{base}/v2/deployments/abc"))
            .send()
            .expect("deployment");
        assert_eq!(json_body(r)["message"], "DeploymentPlan abc does not exist");
        let r = send_json(c.delete(format!("{base}/v2/pods/x::instances")), &json!([]));
        assert_eq!(r.status(), 404);
        assert_eq!(json_body(r)["message"], "Path '/x' does not exist");
        let r = c.get(format!("{base}/v2/nothing")).send().expect("unknown");
        assert_eq!(r.status(), 500);
        assert_eq!(json_body(r), json!({"message": "URI not found"}));
        let r = c
            .get(format!("{base}/v2/deployments/abc"))
            .send()
            .expect("wrong method");
        assert_eq!(r.status(), 405);
        assert_eq!(json_body(r)["message"], "Method Not Allowed");
        let r = c
            .get(format!("{base}/v2/pods/Bad_Id"))
            .send()
            .expect("bad id");
        assert_eq!(r.status(), 422);
        assert_eq!(json_body(r)["message"], "Object is not valid");
    }

    #[test]
    fn bad_bodies() {
        let base = start(0, None);
        let c = client();
        let r = send_json(c.put(format!("{base}/v2/pods/a")), &pod("/b", "x"));
        assert_eq!(r.status(), 400);
        assert_eq!(
            json_body(r)["message"],
            "'/a' does not match definition's id ('/b')"
        );
        let r = c
            .post(format!("{base}/v2/pods"))
            .header("Content-Type", "application/json")
            .body("{\"id\": ")
            .send()
            .expect("malformed");
        assert_eq!(r.status(), 400);
        let body = json_body(r);
        assert_eq!(body["message"], "Invalid JSON");
        assert!(body["details"].is_string());
        let r = c
            .post(format!("{base}/v2/pods"))
            .header("Content-Type", "application/json")
            .send()
            .expect("empty");
        assert_eq!(r.status(), 400);
        assert_eq!(
            json_body(r)["message"],
            "Please specify data in JSON format"
        );
        let r = send_json(
            c.post(format!("{base}/v2/pods")),
            &json!({"id": "/a", "containers": [{"name": 5, "resources": {}}]}),
        );
        assert_eq!(r.status(), 422);
        assert_eq!(
            json_body(r),
            json!({"message": "Invalid JSON", "details": [
                {"path": "/containers(0)/name", "errors": ["error.expected.jsstring"]}]})
        );
        let r = send_json(c.post(format!("{base}/v2/pods")), &pod("relative", "x"));
        assert_eq!(r.status(), 422);
        assert_eq!(
            json_body(r)["details"],
            json!([{"path": "/id", "errors": ["Path needs to be absolute"]}])
        );
        let r = c
            .post(format!("{base}/v2/pods"))
            .header("Content-Type", "text/plain")
            .body(pod("/a", "x").to_string())
            .send()
            .expect("415");
        assert_eq!(r.status(), 415);
        assert_eq!(json_body(r)["message"], "Unsupported Media Type");
    }

    #[test]
    fn kill_instances() {
        let base = start(0, None);
        let c = client();
        send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "a"));
        let status = json_body(
            c.get(format!("{base}/v2/pods/web::status"))
                .send()
                .expect("status"),
        );
        let iid = status["instances"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(iid.starts_with("web.instance-"));
        let r = send_json(
            c.delete(format!("{base}/v2/pods/web::instances")),
            &json!([iid, "web.instance-00000000-0000-4000-8000-00000000ffff"]),
        );
        assert_eq!(r.status(), 200);
        let killed = json_body(r);
        assert_eq!(killed.as_array().map(Vec::len), Some(1));
        assert_eq!(killed[0]["instanceId"], iid.as_str());
        assert!(killed[0]["agentInfo"]["host"].is_string());
        let status = json_body(
            c.get(format!("{base}/v2/pods/web::status"))
                .send()
                .expect("status"),
        );
        assert_eq!(
            status["instances"][0]["containers"][0]["containerId"],
            format!("{iid}.app.2")
        );
        let r = c
            .delete(format!("{base}/v2/pods/web::instances/{iid}?wipe=true"))
            .send()
            .expect("kill one");
        assert_eq!(r.status(), 200);
        assert_eq!(json_body(r)["instanceId"], iid.as_str());
        let r = c
            .delete(format!("{base}/v2/pods/web::instances/{iid}"))
            .send()
            .expect("kill gone");
        assert_eq!(r.status(), 404);
        assert_eq!(
            json_body(r)["message"],
            format!("Task '{iid}' does not exist")
        );
    }

    #[test]
    fn rollback_and_stop() {
        let base = start(60, None);
        let c = client();
        let r = send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "a"));
        let created = deployment_id(&r);
        let r = c
            .delete(format!("{base}/v2/deployments/{created}"))
            .send()
            .expect("rollback");
        assert_eq!(r.status(), 200);
        let rollback = deployment_id(&r);
        let body = json_body(r);
        assert_eq!(body["deploymentId"], rollback.as_str());
        assert!(body["version"].is_string());
        assert_eq!(
            c.get(format!("{base}/v2/pods/web"))
                .send()
                .map(|r| r.status().as_u16())
                .ok(),
            Some(404)
        );
        let listed = json_body(
            c.get(format!("{base}/v2/deployments"))
                .send()
                .expect("list"),
        );
        assert_eq!(listed[0]["id"], rollback.as_str());
        assert_eq!(listed[0]["steps"][0]["actions"][0]["action"], "StopPod");

        let r = send_json(
            c.post(format!("{base}/v2/pods?force=true")),
            &pod("/other", "a"),
        );
        let other = deployment_id(&r);
        let r = c
            .delete(format!("{base}/v2/deployments/{other}?force=true"))
            .send()
            .expect("stop");
        assert_eq!(r.status(), 202);
        assert_eq!(r.text().ok().as_deref(), Some(""));
        assert_eq!(
            c.get(format!("{base}/v2/pods/other"))
                .send()
                .map(|r| r.status().as_u16())
                .ok(),
            Some(200)
        );
    }

    #[test]
    fn versions_survive_delete() {
        let base = start(0, None);
        let c = client();
        let v1 = json_body(send_json(
            c.post(format!("{base}/v2/pods")),
            &pod("/web", "a"),
        ));
        let r = send_json(c.put(format!("{base}/v2/pods/web")), &pod("/web", "b"));
        assert_eq!(r.status(), 200);
        let v2 = json_body(r);
        let versions = json_body(
            c.get(format!("{base}/v2/pods/web::versions"))
                .send()
                .expect("versions"),
        );
        assert_eq!(versions, json!([v1["version"], v2["version"]]));
        let v1_url = format!(
            "{base}/v2/pods/web::versions/{}",
            v1["version"].as_str().unwrap_or_default()
        );
        let old = json_body(c.get(v1_url).send().expect("v1"));
        assert_eq!(old["containers"][0]["image"]["id"], "a");
        let r = c
            .delete(format!("{base}/v2/pods/web"))
            .send()
            .expect("delete");
        assert_eq!(r.status(), 202);
        assert!(r.headers().get("Location").is_some());
        deployment_id(&r);
        assert_eq!(
            c.get(format!("{base}/v2/pods/web::versions"))
                .send()
                .map(|r| r.status().as_u16())
                .ok(),
            Some(404)
        );
        send_json(c.put(format!("{base}/v2/pods/web")), &pod("/web", "c"));
        let versions = json_body(
            c.get(format!("{base}/v2/pods/web::versions"))
                .send()
                .expect("versions"),
        );
        assert_eq!(versions.as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn token_is_required() {
        let base = start(0, Some("secret"));
        let c = client();
        let r = c.get(format!("{base}/v2/pods")).send().expect("no token");
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()
                .get("WWW-Authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("acsjwt")
        );
        let r = c
            .get(format!("{base}/v2/pods"))
            .header("Authorization", "token=wrong")
            .send()
            .expect("wrong token");
        assert_eq!(r.status(), 403);
        assert_eq!(
            json_body(r)["message"],
            "Not Authorized to perform this action!"
        );
        let r = c
            .get(format!("{base}/v2/pods"))
            .header("Authorization", "token=secret")
            .send()
            .expect("good token");
        assert_eq!(r.status(), 200);
        assert_eq!(
            c.get(format!("{base}/ping"))
                .send()
                .map(|r| r.status().as_u16())
                .ok(),
            Some(200)
        );
    }

    #[test]
    fn info_and_queue() {
        let base = start(60, None);
        let c = client();
        let info = json_body(c.get(format!("{base}/v2/info")).send().expect("info"));
        assert_eq!(info["name"], "marathon");
        assert_eq!(info["marathon_config"]["default_network_name"], "dcos");
        let leader = json_body(c.get(format!("{base}/v2/leader")).send().expect("leader"));
        assert_eq!(
            format!("http://{}", leader["leader"].as_str().unwrap_or_default()),
            base
        );
        send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "a"));
        let queue = json_body(c.get(format!("{base}/v2/queue")).send().expect("queue"));
        assert_eq!(queue["queue"][0]["count"], 1);
        assert_eq!(queue["queue"][0]["pod"]["id"], "/web");
        assert_eq!(queue["queue"][0]["delay"]["overdue"], false);
    }

    #[test]
    fn failing_image_hangs_its_deployment_until_stopped() {
        let base = start_with(SimOptions {
            fail_images: vec!["crash*".into()],
            manual_clock: true,
            ..SimOptions::default()
        });
        let c = client();
        let r = send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "crash:1"));
        assert_eq!(r.status(), 201);
        let created = deployment_id(&r);
        // Instant deployments are the default, but this one cannot finish.
        let listed = json_body(
            c.get(format!("{base}/v2/deployments"))
                .send()
                .expect("list"),
        );
        assert_eq!(listed[0]["id"], created.as_str());
        assert_eq!(listed[0]["currentStep"], 2);
        assert_eq!(listed[0]["totalSteps"], 2);
        // The container runs for half a second, then fails.
        let status = || {
            json_body(
                c.get(format!("{base}/v2/pods/web::status"))
                    .send()
                    .expect("status"),
            )
        };
        let running = status();
        // No health check: STABLE while it runs, as on Marathon (`PodStatusConversion.scala`).
        assert_eq!(running["status"], "STABLE", "{running}");
        assert_eq!(
            running["instances"][0]["containers"][0]["status"], "TASK_RUNNING",
            "{running}"
        );
        advance(&c, &base, "600ms");
        let failed = status();
        assert_eq!(failed["status"], "DEGRADED", "{failed}");
        assert_eq!(
            failed["instances"][0]["containers"][0]["status"], "TASK_FAILED",
            "{failed}"
        );
        let instance = &failed["instances"][0];
        assert_eq!(instance["status"], "TERMINAL");
        let app = &instance["containers"][0];
        assert_eq!(app["message"], "Container exited with status 1");
        assert_eq!(app["termination"]["exitCode"], 1);
        let iid = instance["id"].as_str().unwrap_or_default();
        assert_eq!(app["containerId"], format!("{iid}.app.1"));
        assert_eq!(failed["terminationHistory"][0]["instanceID"], iid);
        let queue = json_body(c.get(format!("{base}/v2/queue")).send().expect("queue"));
        assert_eq!(queue["queue"][0]["pod"]["id"], "/web");
        assert_eq!(queue["queue"][0]["count"], 1);
        assert!(queue["queue"][0]["delay"]["timeLeftSeconds"].as_u64() <= Some(1));
        // Still listed; a forced stop removes it and leaves the pod.
        let listed = json_body(
            c.get(format!("{base}/v2/deployments"))
                .send()
                .expect("list"),
        );
        assert_eq!(listed[0]["id"], created.as_str());
        let r = c
            .delete(format!("{base}/v2/deployments/{created}?force=true"))
            .send()
            .expect("stop");
        assert_eq!(r.status(), 202);
        let listed = json_body(
            c.get(format!("{base}/v2/deployments"))
                .send()
                .expect("list"),
        );
        assert_eq!(listed, json!([]));
        let s = json_body(
            c.get(format!("{base}/v2/pods/web::status"))
                .send()
                .expect("status"),
        );
        assert_eq!(s["status"], "DEGRADED");
    }

    fn advance(c: &Client, base: &str, by: &str) -> Value {
        let r = c
            .post(format!("{base}/_sim/clock/advance?by={by}"))
            .send()
            .expect("advance");
        assert_eq!(r.status(), 200);
        json_body(r)
    }

    #[test]
    fn the_manual_clock_moves_only_when_told_and_its_path_exists_only_with_it() {
        let base = start_with(SimOptions {
            manual_clock: true,
            ..SimOptions::default()
        });
        let c = client();
        let now = || json_body(c.get(format!("{base}/_sim/clock")).send().expect("clock"));
        assert_eq!(now(), json!({"now": "2026-01-01T00:00:00.000Z"}));
        assert_eq!(
            advance(&c, &base, "2s"),
            json!({"now": "2026-01-01T00:00:02.000Z"})
        );
        assert_eq!(now(), json!({"now": "2026-01-01T00:00:02.000Z"}));
        let r = send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "nginx"));
        // Ids follow each other: the cluster (1), the instance (2), the deployment (3).
        assert_eq!(deployment_id(&r), "00000000-0000-4000-8000-000000000003");
        let definition = json_body(r);
        assert_eq!(definition["version"], "2026-01-01T00:00:02.000Z");
        for (method, path, status) in [
            ("POST", "/_sim/clock/advance?by=soon", 400),
            ("POST", "/_sim/clock/advance", 400),
            ("GET", "/_sim/clock/advance?by=1s", 405),
            ("POST", "/_sim/clock/advance?by=18446744073709551615s", 400),
            ("POST", "/_sim/clock/advance?by=31days", 400),
            ("GET", "/_sim/clock/other", 500),
        ] {
            let r = c
                .request(method.parse().expect("method"), format!("{base}{path}"))
                .send()
                .expect("answer");
            assert_eq!(r.status(), status, "{method} {path}");
        }
        // Without the manual clock the admin path is an unknown path, answered like Marathon.
        let system = start(0, None);
        for path in ["/_sim/clock", "/_sim/clock/advance?by=1s"] {
            let r = c.post(format!("{system}{path}")).send().expect("answer");
            assert_eq!(r.status(), 500, "{path}");
            assert_eq!(json_body(r), json!({"message": "URI not found"}));
        }
    }

    fn header(r: &Response, name: &str) -> String {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    fn faulty(faults: &[&str]) -> String {
        start_with(SimOptions {
            faults: faults.iter().map(|f| f.to_string()).collect(),
            ..SimOptions::default()
        })
    }

    #[test]
    fn https_with_a_self_signed_certificate() {
        let dir = tempfile::tempdir().expect("temp dir");
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
                .expect("certificate");
        let cert_pem = certified.cert.pem();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert, &cert_pem).expect("write cert");
        std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
        let base = start_with(SimOptions {
            tls: Some((cert, key)),
            ..SimOptions::default()
        });
        assert!(base.starts_with("https://127.0.0.1:"), "{base}");
        let trusted = Client::builder()
            .no_proxy()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("PEM"))
            .build()
            .expect("client");
        let r = send_json(
            trusted.post(format!("{base}/v2/pods")),
            &pod("/web", "nginx"),
        );
        assert_eq!(r.status(), 201);
        assert_eq!(header(&r, "X-Marathon-Leader"), base);
        // Several requests on the one kept-alive TLS connection.
        for _ in 0..3 {
            let status = json_body(
                trusted
                    .get(format!("{base}/v2/pods/web::status"))
                    .send()
                    .expect("status over TLS"),
            );
            assert_eq!(status["status"], "STABLE");
        }
        // Without trusting the certificate, or without TLS, nothing gets through.
        let untrusting = Client::builder()
            .no_proxy()
            .tls_built_in_root_certs(false)
            .build()
            .expect("client");
        assert!(untrusting.get(format!("{base}/ping")).send().is_err());
        let plain = base.replacen("https://", "http://", 1);
        let answer = client()
            .get(format!("{plain}/ping"))
            .timeout(Duration::from_secs(5))
            .send();
        assert!(
            answer.as_ref().map_or(true, |r| !r.status().is_success()),
            "{answer:?}"
        );
    }

    #[test]
    fn basic_auth_is_required_everywhere_but_ping() {
        let base = start_with(SimOptions {
            basic: Some("admin:s3cret".into()),
            ..SimOptions::default()
        });
        let c = client();
        let r = c.get(format!("{base}/v2/pods")).send().expect("no auth");
        assert_eq!(r.status(), 401);
        assert_eq!(header(&r, "WWW-Authenticate"), "Basic realm=\"Mesosphere\"");
        assert!(header(&r, "Content-Type").starts_with("text/html"));
        assert!(r
            .text()
            .is_ok_and(|t| t.contains("HTTP ERROR 401") && t.contains("/v2/pods")));
        let r = c
            .get(format!("{base}/v2/pods"))
            .basic_auth("admin", Some("wrong"))
            .send()
            .expect("wrong password");
        assert_eq!(r.status(), 401);
        let r = c
            .get(format!("{base}/v2/pods"))
            .header("Authorization", "token=s3cret")
            .send()
            .expect("a token is no basic auth");
        assert_eq!(r.status(), 401);
        let r = c
            .get(format!("{base}/v2/pods"))
            .basic_auth("admin", Some("s3cret"))
            .send()
            .expect("right password");
        assert_eq!(r.status(), 200);
        assert_eq!(json_body(r), json!([]));
        let ping = c.get(format!("{base}/ping")).send().expect("ping");
        assert_eq!(ping.status(), 200);
    }

    #[test]
    fn html_faults_come_first_and_a_count_runs_out() {
        let base = faulty(&[
            "GET /v2/pods=503x2",
            "GET /v2/deployments=502",
            "GET /v2/queue=504",
            "GET /v2/info=500html",
            "POST /v2/pods=503",
        ]);
        let c = client();
        for _ in 0..2 {
            let r = c.get(format!("{base}/v2/pods")).send().expect("503");
            assert_eq!(r.status(), 503);
            assert_eq!(header(&r, "Content-Type"), "text/html");
            assert!(r.text().is_ok_and(|t| t.contains("<h1>503 ")));
        }
        let r = c.get(format!("{base}/v2/pods")).send().expect("recovered");
        assert_eq!(r.status(), 200);
        assert_eq!(json_body(r), json!([]));
        let r = c.get(format!("{base}/v2/deployments")).send().expect("502");
        assert_eq!(r.status(), 502);
        assert!(r.text().is_ok_and(|t| t.contains("502 Bad Gateway")));
        let r = c.get(format!("{base}/v2/queue")).send().expect("504");
        assert_eq!(r.status(), 504);
        let r = c.get(format!("{base}/v2/info")).send().expect("500");
        assert_eq!(r.status(), 500);
        assert!(header(&r, "Content-Type").starts_with("text/html"));
        assert!(r.text().is_ok_and(|t| t.contains("HTTP ERROR 500")));
        // The broken request never reached the model.
        let r = send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "a"));
        assert_eq!(r.status(), 503);
        let r = c.get(format!("{base}/v2/pods/web")).send().expect("get");
        assert_eq!(r.status(), 404);
    }

    #[test]
    fn faults_that_spoil_the_real_answer() {
        let base = faulty(&[
            "GET /v2/pods/::status=truncatedx1",
            "GET /v2/info=wrongtype",
            "GET /v2/leader=nonjson",
        ]);
        let c = client();
        send_json(c.post(format!("{base}/v2/pods")), &pod("/web", "a"));
        let r = c
            .get(format!("{base}/v2/pods/::status"))
            .send()
            .expect("truncated");
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "Content-Type"), "application/json");
        let cut = r.bytes().expect("body");
        assert!(serde_json::from_slice::<Value>(&cut).is_err());
        let whole = c
            .get(format!("{base}/v2/pods/::status"))
            .send()
            .and_then(|r| r.bytes())
            .expect("whole");
        // The timestamps in it have a fixed width, so the lengths compare.
        assert_eq!(cut.len(), whole.len() / 2);
        assert_eq!(&cut[..], &whole[..cut.len()]);
        let r = c.get(format!("{base}/v2/info")).send().expect("wrongtype");
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "Content-Type"), "text/plain");
        assert_eq!(json_body(r)["name"], "marathon");
        let r = c.get(format!("{base}/v2/leader")).send().expect("nonjson");
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "Content-Type"), "text/html");
        assert_eq!(r.text().ok().as_deref(), Some("<html>hello</html>"));
    }

    #[test]
    fn reset_closes_without_an_answer_and_slow_waits() {
        let base = faulty(&["GET /v2/pods=resetx1", "GET /v2/queue=slow=400ms"]);
        let c = client();
        let reset = c.get(format!("{base}/v2/pods")).send();
        let error = reset.expect_err("no answer at all");
        assert!(error.status().is_none(), "{error}");
        let r = c.get(format!("{base}/v2/pods")).send().expect("recovered");
        assert_eq!(r.status(), 200);
        let started = std::time::Instant::now();
        let r = c.get(format!("{base}/v2/queue")).send().expect("slow");
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert_eq!(r.status(), 200);
        assert_eq!(json_body(r), json!({"queue": []}));
    }

    #[test]
    fn redirect_to_another_host_name() {
        let target = start(0, None);
        let c = client();
        send_json(c.post(format!("{target}/v2/pods")), &pod("/there", "a"));
        let port = target.rsplit(':').next().unwrap_or_default();
        let location = format!("http://localhost:{port}/v2/pods");
        let base = faulty(&[&format!("GET /v2/pods=redirect={location}")]);
        let manual = Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = manual.get(format!("{base}/v2/pods")).send().expect("307");
        assert_eq!(r.status(), 307);
        assert_eq!(header(&r, "Location"), location);
        let followed = json_body(c.get(format!("{base}/v2/pods")).send().expect("followed"));
        assert_eq!(followed[0]["id"], "/there");
    }

    #[test]
    fn huge_bodies_stream() {
        use std::io::Read;
        let base = faulty(&["GET /v2/pods/::status=huge=20MB"]);
        let mut r = client()
            .get(format!("{base}/v2/pods/::status"))
            .send()
            .expect("huge");
        assert_eq!(r.status(), 200);
        // The size is announced up front (issue 13: "huge streams a body with a Content-Length").
        assert_eq!(header(&r, "Content-Length"), "20000000");
        assert_eq!(header(&r, "Transfer-Encoding"), "");
        let mut buf = vec![0u8; 64 * 1024];
        let (mut total, mut first, mut last) = (0usize, None, 0u8);
        loop {
            let n = r.read(&mut buf).expect("reads");
            if n == 0 {
                break;
            }
            first = first.or(Some(buf[0]));
            last = buf[n - 1];
            total += n;
        }
        assert_eq!(total, 20_000_000);
        assert_eq!((first, last), (Some(b'['), b']'));
    }
}
