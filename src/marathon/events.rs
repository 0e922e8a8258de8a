//! Marathon's event stream, `GET /v2/events` (server-sent events), read on a thread of its own
//! so that the synchronous commands can wait for the next event with a deadline.
//!
//! It owns the stream's own rules: `Accept: text/event-stream`, the `event_type` filter, the
//! leader redirect that Marathon answers on this endpoint only (every other endpoint is proxied
//! to the leader), credentials only for the host they were stored for, a stall detector (a
//! proxy that buffers the stream, or a connection that died without a word), a size cap per
//! event, and reconnecting with back-off when asked. Frames are parsed by `eventsource-stream`.
//! It never prints: `--verbose` lines go to the client's log function, the rest to the caller
//! as [`Message`]s.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::StreamExt;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::Url;
use serde_json::Value;

use super::error::{parse_error_body, ApiError};
use super::Client;
use crate::http::{self, Log, Options};

/// The path Marathon serves the stream on (and redirects to the leader).
pub const EVENTS_PATH: &str = "/v2/events";
/// A stream that has not even said `event_stream_attached` by then is held back by something
/// in between (a buffering proxy): not usable for following a deployment.
pub const ATTACH_TIMEOUT: Duration = Duration::from_secs(10);
/// Marathon's Jetty writes an empty line every 10 s on an idle stream; three missed ones mean
/// the connection is dead or a proxy holds the bytes back.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The most one event may hold (a deployment plan of a large group is big, but not this big).
/// Kept small because the frame parser scans an unfinished line again with each chunk.
pub const MAX_EVENT: u64 = 4 * 1024 * 1024;
/// How many leader redirects are followed for one connection.
const MAX_REDIRECTS: usize = 3;
/// Reconnecting starts after this pause, doubling up to [`MAX_RECONNECT`].
const FIRST_RECONNECT: Duration = Duration::from_millis(500);
const MAX_RECONNECT: Duration = Duration::from_secs(30);
/// A connection that stayed up this long resets the back-off.
const STABLE: Duration = Duration::from_secs(10);
/// How many messages may wait for a slow reader before reading the stream pauses.
const QUEUE: usize = 4096;
/// How many bytes of events may wait for a slow reader before reading the stream pauses (one
/// event larger than this still passes, alone): big events must not pile up in memory.
const QUEUE_BYTES: u64 = 2 * MAX_EVENT;

/// How to subscribe.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// Event types to ask for (`?event_type=`); empty for all. `event_stream_attached` is added,
    /// since it tells that the stream is live.
    pub types: Vec<String>,
    /// Reconnect when the connection ends (`podctl events`), or stop (a wait falls back to
    /// polling instead).
    pub reconnect: bool,
    pub attach_timeout: Duration,
    pub idle_timeout: Duration,
}

impl StreamOptions {
    pub fn new(types: Vec<String>, reconnect: bool) -> StreamOptions {
        StreamOptions {
            types,
            reconnect,
            attach_timeout: ATTACH_TIMEOUT,
            idle_timeout: IDLE_TIMEOUT,
        }
    }
}

/// One event: its type (the SSE `event:` line, else the JSON's `eventType`), and its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: String,
    pub json: Value,
}

impl Event {
    /// A string field of the event, if present.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.json.get(field).and_then(Value::as_str)
    }
}

/// What the stream's thread reports.
#[derive(Debug)]
pub enum Message {
    /// The server said `event_stream_attached`: events from now on arrive. `again` after a
    /// reconnect (events in between are lost).
    Attached {
        again: bool,
    },
    Event(Event),
    /// An event whose data is not a JSON object; skipped.
    Garbled {
        kind: String,
        reason: String,
    },
    /// The connection ended, stalled or could not be made. `retry`: when the next try starts
    /// (reconnecting streams); without it the stream is over.
    Lost {
        reason: String,
        retry: Option<Duration>,
    },
    /// The server answered, but with no stream (an error status, a redirect elsewhere, not
    /// `text/event-stream`). The stream is over.
    Refused(ApiError),
}

/// A live subscription; dropping it closes the connection.
pub struct Subscription {
    messages: Receiver<(Message, u64)>,
    budget: Arc<Budget>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Subscription {
    /// The next message, waiting at most `timeout`. `Disconnected`: the stream is over and
    /// every message was read.
    pub fn next(&self, timeout: Duration) -> Result<Message, RecvTimeoutError> {
        let (message, size) = self.messages.recv_timeout(timeout)?;
        self.budget.give_back(size);
        Ok(message)
    }
}

/// Where the stream starts and what it may send there.
struct Target {
    url: Url,
    /// The URL the credentials were resolved for: they go to its scheme, host and port only.
    home: Url,
    auth: Option<HeaderValue>,
    options: Options,
}

impl Client {
    /// Opens `GET /v2/events` on a thread of its own; what happens arrives as [`Message`]s.
    pub fn subscribe(&self, options: StreamOptions) -> Result<Subscription, ApiError> {
        let (base, auth, http_options) = self.stream_parts();
        let url = events_url(base, &options.types);
        let bad_url = |reason: String| ApiError::Decode {
            url: url.clone(),
            reason,
        };
        let target = Target {
            url: Url::parse(&url).map_err(|e| bad_url(e.to_string()))?,
            home: Url::parse(base).map_err(|e| bad_url(e.to_string()))?,
            auth,
            options: http_options.clone(),
        };
        let client = http::client_builder(http_options)
            .and_then(|b| {
                b.build()
                    .map_err(|e| http::SetupError::Client(e.to_string()))
            })
            .map_err(|e| bad_url(e.to_string()))?;
        let (sender, messages) = mpsc::sync_channel(QUEUE);
        let budget = Arc::new(Budget::new(QUEUE_BYTES));
        let tx = Queue {
            sender,
            budget: budget.clone(),
        };
        let (stop_tx, stop) = tokio::sync::oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| bad_url(e.to_string()))?;
        std::thread::Builder::new()
            .name("events".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::select! {
                        () = follow(&client, &target, &options, &tx) => {}
                        _ = stop => {}
                    }
                });
            })
            .map_err(|e| bad_url(e.to_string()))?;
        Ok(Subscription {
            messages,
            budget,
            _stop: stop_tx,
        })
    }
}

/// `{base}/v2/events?event_type=..` (with `event_stream_attached` when filtering).
fn events_url(base: &str, types: &[String]) -> String {
    let mut url = format!("{base}{EVENTS_PATH}");
    let mut types: Vec<&str> = types.iter().map(String::as_str).collect();
    if !types.is_empty() && !types.contains(&"event_stream_attached") {
        types.push("event_stream_attached");
    }
    for (i, t) in types.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str("event_type=");
        url.extend(percent_encoding::utf8_percent_encode(t, QUERY_VALUE));
    }
    url
}

/// What is escaped in a query value: everything but letters, digits and `-._~`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Where the stream's thread puts its messages, each with the bytes it holds.
struct Queue {
    sender: mpsc::SyncSender<(Message, u64)>,
    budget: Arc<Budget>,
}

/// Sends a message; false when nobody listens any more. A reader that falls [`QUEUE`] messages
/// or [`QUEUE_BYTES`] behind holds this thread, so the stream is not read either and Marathon
/// drops it as a slow consumer; a reconnecting stream then says so.
fn send(tx: &Queue, message: Message) -> bool {
    send_sized(tx, message, 0)
}

fn send_sized(tx: &Queue, message: Message, size: u64) -> bool {
    if !tx.budget.take(size, || Arc::strong_count(&tx.budget) > 1) {
        return false;
    }
    tx.sender.send((message, size)).is_ok()
}

/// The bytes of events queued for the reader, at most a limit (or one event over it, alone).
struct Budget {
    limit: u64,
    used: std::sync::Mutex<u64>,
    room: std::sync::Condvar,
}

impl Budget {
    fn new(limit: u64) -> Budget {
        Budget {
            limit,
            used: std::sync::Mutex::new(0),
            room: std::sync::Condvar::new(),
        }
    }

    /// Takes `size` bytes when there is room; false at once when there is none.
    fn try_take(&self, size: u64) -> bool {
        let Ok(mut used) = self.used.lock() else {
            return false;
        };
        if *used > 0 && *used + size > self.limit {
            return false;
        }
        *used += size;
        true
    }

    /// Takes `size` bytes, waiting for room while `listening`; false when nobody listens.
    fn take(&self, size: u64, listening: impl Fn() -> bool) -> bool {
        while !self.try_take(size) {
            if !listening() {
                return false;
            }
            let Ok(used) = self.used.lock() else {
                return false;
            };
            // Woken by the reader; the timeout only looks again whether it went away.
            let _ = self.room.wait_timeout(used, Duration::from_millis(100));
        }
        true
    }

    fn give_back(&self, size: u64) {
        if size == 0 {
            return;
        }
        if let Ok(mut used) = self.used.lock() {
            *used = used.saturating_sub(size);
        }
        self.room.notify_all();
    }
}

/// Connects, reads, and (when asked) reconnects until the reader goes away.
async fn follow(client: &reqwest::Client, target: &Target, options: &StreamOptions, tx: &Queue) {
    let mut delay = FIRST_RECONNECT;
    let mut attached_before = false;
    loop {
        let began = Instant::now();
        let outcome = session(client, target, options, tx, attached_before).await;
        let (reason, attached) = match outcome {
            Outcome::Gone => return,
            Outcome::Refused(e) if !(options.reconnect && is_transient(&e, attached_before)) => {
                send(tx, Message::Refused(e));
                return;
            }
            Outcome::Refused(e) => (e.to_string(), false),
            Outcome::Lost { reason, attached } => (reason, attached),
        };
        attached_before |= attached;
        // A connection that lived a while was fine: start over. One cut right after it
        // attached keeps backing off, so a flapping server is not hammered.
        if attached && began.elapsed() >= STABLE {
            delay = FIRST_RECONNECT;
        }
        let retry = options.reconnect.then_some(delay);
        if !send(tx, Message::Lost { reason, retry }) || retry.is_none() {
            return;
        }
        tokio::time::sleep(delay).await;
        let jitter = Duration::from_millis(fastrand::u64(0..=delay.as_millis() as u64 / 4));
        delay = (delay * 2 + jitter).min(MAX_RECONNECT);
    }
}

/// Worth another try: a Marathon without a leader (502 to 504), or, once the stream has
/// worked, the network (a first connection that fails is an error to report, not to retry).
fn is_transient(e: &ApiError, attached_before: bool) -> bool {
    match e {
        ApiError::Transport { error, .. } => attached_before && error.is_transient(),
        _ => matches!(e.status(), Some(502..=504)),
    }
}

enum Outcome {
    /// The reader went away.
    Gone,
    Refused(ApiError),
    Lost {
        reason: String,
        attached: bool,
    },
}

/// Why the bytes stopped.
#[derive(Debug)]
enum Cut {
    Stall(Duration, bool),
    TooLarge,
    Read(String),
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cut::Stall(t, false) => write!(
                f,
                "the stream said nothing within {} (a proxy in between may hold it back)",
                humantime::format_duration(*t)
            ),
            Cut::Stall(t, true) => write!(
                f,
                "the stream went silent for {} (Marathon sends a keep-alive every 10 s)",
                humantime::format_duration(*t)
            ),
            Cut::TooLarge => write!(
                f,
                "an event is larger than {}, podctl's limit",
                crate::size::show(MAX_EVENT)
            ),
            Cut::Read(reason) => f.write_str(reason),
        }
    }
}

/// One connection: open it, then pass events on until it ends.
async fn session(
    client: &reqwest::Client,
    target: &Target,
    options: &StreamOptions,
    tx: &Queue,
    attached_before: bool,
) -> Outcome {
    let response = match open(client, target, options.attach_timeout).await {
        Ok(r) => r,
        Err(Opened::Refused(e)) => return Outcome::Refused(e),
        Err(Opened::Lost(reason)) => {
            return Outcome::Lost {
                reason,
                attached: false,
            }
        }
    };
    let attached = Arc::new(AtomicBool::new(false));
    let pending = Arc::new(AtomicU64::new(0));
    let feed = Feed {
        response,
        attached: attached.clone(),
        pending: pending.clone(),
        attach_timeout: options.attach_timeout,
        idle_timeout: options.idle_timeout,
        http: target.options.clone(),
        held: Vec::new(),
    };
    let bytes = futures_util::stream::unfold(Some(feed), |feed| async move {
        let mut feed = feed?;
        match feed.next().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(feed))),
            Ok(None) => None,
            Err(cut) => Some((Err(cut), None)),
        }
    });
    let mut events = Box::pin(bytes.eventsource());
    while let Some(item) = events.next().await {
        let event = match item {
            Ok(event) => event,
            Err(e) => {
                let reason = match e {
                    EventStreamError::Transport(cut) => cut.to_string(),
                    EventStreamError::Utf8(_) => "the stream is not UTF-8".to_string(),
                    EventStreamError::Parser(_) => "the stream is not server-sent events".into(),
                };
                return Outcome::Lost {
                    reason,
                    attached: attached.load(Ordering::SeqCst),
                };
            }
        };
        pending.store(0, Ordering::SeqCst);
        let size = event.data.len() as u64;
        let parsed = serde_json::from_str::<Value>(&event.data);
        let kind = if event.event.is_empty() || event.event == "message" {
            parsed
                .as_ref()
                .ok()
                .and_then(|v| v.get("eventType"))
                .and_then(Value::as_str)
                .unwrap_or("message")
                .to_string()
        } else {
            event.event
        };
        let message = match parsed {
            Ok(json) if json.is_object() => {
                let first =
                    kind == "event_stream_attached" && !attached.swap(true, Ordering::SeqCst);
                let again = attached_before;
                if first && !send(tx, Message::Attached { again }) {
                    return Outcome::Gone;
                }
                Message::Event(Event { kind, json })
            }
            Ok(_) => Message::Garbled {
                kind,
                reason: "its data is not a JSON object".into(),
            },
            Err(e) => Message::Garbled {
                kind,
                reason: format!("its data is not JSON: {e}"),
            },
        };
        if !send_sized(tx, message, size) {
            return Outcome::Gone;
        }
    }
    Outcome::Lost {
        reason: "the server closed the stream".into(),
        attached: attached.load(Ordering::SeqCst),
    }
}

/// The response body as chunks, each read within the stall limit, and no event over
/// [`MAX_EVENT`] (counted since the last complete event).
struct Feed {
    response: reqwest::Response,
    attached: Arc<AtomicBool>,
    pending: Arc<AtomicU64>,
    attach_timeout: Duration,
    idle_timeout: Duration,
    http: Options,
    /// Bytes of a line not yet ended.
    held: Vec<u8>,
}

impl Feed {
    /// The next bytes for the frame parser, whole lines (or the rest at the end): the parser
    /// scans an unfinished line again each time it gets more, and a line is decoded whole.
    async fn next(&mut self) -> Result<Option<bytes::Bytes>, Cut> {
        loop {
            let attached = self.attached.load(Ordering::SeqCst);
            let limit = if attached {
                self.idle_timeout
            } else {
                self.attach_timeout
            };
            let chunk = match tokio::time::timeout(limit, self.response.chunk()).await {
                Err(_) => return Err(Cut::Stall(limit, attached)),
                Ok(Err(e)) => {
                    let mut error = http::classify(&e, &self.http);
                    if error.kind == http::Kind::Timeout {
                        error.kind = http::Kind::Reset;
                    }
                    return Err(Cut::Read(error.to_string()));
                }
                Ok(Ok(chunk)) => chunk,
            };
            let Some(chunk) = chunk else {
                return Ok((!self.held.is_empty()).then(|| lossy(std::mem::take(&mut self.held))));
            };
            let pending =
                self.pending.fetch_add(chunk.len() as u64, Ordering::SeqCst) + chunk.len() as u64;
            if pending > MAX_EVENT {
                return Err(Cut::TooLarge);
            }
            let before = self.held.len();
            self.held.extend_from_slice(&chunk);
            if let Some(end) = chunk.iter().rposition(|b| *b == b'\n' || *b == b'\r') {
                let rest = self.held.split_off(before + end + 1);
                return Ok(Some(lossy(std::mem::replace(&mut self.held, rest))));
            }
        }
    }
}

/// Whole lines as UTF-8, a byte that is none replaced by U+FFFD: the frame parser would
/// otherwise hold everything after such a byte back for good, and the stream would go quiet.
/// (A line end never falls inside a character, so lines are decoded on their own.)
fn lossy(lines: Vec<u8>) -> bytes::Bytes {
    match String::from_utf8(lines) {
        Ok(text) => text.into(),
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned().into(),
    }
}

enum Opened {
    Refused(ApiError),
    Lost(String),
}

/// Sends the request, following Marathon's leader redirect (this endpoint only), and checks
/// that the answer is an event stream.
async fn open(
    client: &reqwest::Client,
    target: &Target,
    within: Duration,
) -> Result<reqwest::Response, Opened> {
    let log = target.options.log;
    let mut url = target.url.clone();
    for hop in 0..=MAX_REDIRECTS {
        let mut request = client
            .get(url.clone())
            .header(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(auth) = &target.auth {
            if same_origin(&url, &target.home) {
                request = request.header(AUTHORIZATION, auth.clone());
            }
        }
        let started = Instant::now();
        let response = match tokio::time::timeout(within, request.send()).await {
            Err(_) => {
                let error = http::TransportError {
                    kind: http::Kind::Timeout,
                    sent: true,
                    detail: String::new(),
                    hint: None,
                    timeout: within,
                };
                say(log, &format!("GET {url} -> {error}"));
                return Err(transport(&url, error));
            }
            Ok(Err(e)) => {
                let error = http::classify(&e, &target.options);
                say(log, &format!("GET {url} -> {error}"));
                return Err(transport(&url, error));
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        say(
            log,
            &format!(
                "GET {url} -> {status} ({} ms)",
                started.elapsed().as_millis()
            ),
        );
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let redirect = || {
                Opened::Refused(ApiError::Redirect {
                    url: url.to_string(),
                    status: status.as_u16(),
                    location: location.clone(),
                })
            };
            let next = url.join(&location).map_err(|_| redirect())?;
            // Only the leader redirect: the same endpoint on another Marathon, over http(s).
            let leader = matches!(next.scheme(), "http" | "https")
                && next.path().ends_with(EVENTS_PATH)
                && next.username().is_empty()
                && next.password().is_none();
            if !leader || hop == MAX_REDIRECTS {
                return Err(redirect());
            }
            let credentials = if target.auth.is_some() && !same_origin(&next, &target.home) {
                " (without credentials: they belong to another host)"
            } else {
                ""
            };
            say(
                log,
                &format!("following the leader's redirect to {next}{credentials}"),
            );
            url = next;
            continue;
        }
        if !status.is_success() {
            let body = read_error_body(response).await;
            let reason = status.canonical_reason().unwrap_or("").to_string();
            let (message, details, deployments) = parse_error_body(status.as_u16(), &reason, &body);
            return Err(Opened::Refused(ApiError::Status {
                method: "GET".into(),
                url: url.to_string(),
                status: status.as_u16(),
                message,
                details,
                deployments,
            }));
        }
        let kind = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if !kind
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
        {
            return Err(Opened::Refused(ApiError::Decode {
                url: url.to_string(),
                reason: format!(
                    "the answer is {}, not an event stream (text/event-stream)",
                    if kind.is_empty() {
                        "without a Content-Type".to_string()
                    } else {
                        format!("of type {kind:?}")
                    }
                ),
            }));
        }
        return Ok(response);
    }
    Err(Opened::Lost("too many redirects".into()))
}

fn transport(url: &Url, error: http::TransportError) -> Opened {
    Opened::Refused(ApiError::Transport {
        method: "GET".into(),
        url: url.to_string(),
        error: Box::new(error),
    })
}

/// The first [`http::MAX_ERROR_BODY`] bytes of an error answer, within a short time.
async fn read_error_body(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    let read = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() as u64 >= http::MAX_ERROR_BODY {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    body.truncate(http::MAX_ERROR_BODY as usize);
    body
}

/// Same scheme, host and port: where stored credentials may go.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn say(log: Option<Log>, line: &str) {
    if let Some(log) = log {
        log(line);
    }
}

/// Reads messages until `deadline`, Ctrl-C, or `each` says stop; for callers that only need a
/// loop. Returns what ended it.
pub fn pump(
    subscription: &Subscription,
    deadline: Option<Instant>,
    mut each: impl FnMut(Message) -> bool,
) -> Pumped {
    const TICK: Duration = Duration::from_millis(50);
    loop {
        if http::is_interrupted() {
            return Pumped::Interrupted;
        }
        let wait = match deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    return Pumped::Deadline;
                }
                (d - now).min(TICK)
            }
            None => TICK,
        };
        match subscription.next(wait) {
            Ok(message) => {
                if !each(message) {
                    return Pumped::Stopped;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Pumped::Ended,
        }
    }
}

/// Why [`pump`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pumped {
    Stopped,
    Deadline,
    Interrupted,
    Ended,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A client of a one-connection server that writes `answer` and keeps the connection open
    /// until the client goes.
    fn against(answer: Vec<u8>) -> Client {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let _ = stream.write_all(&answer);
            let _ = stream.read(&mut head);
        });
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("none.toml").display().to_string();
        let env = move |name: &str| (name == "PODCTL_CONFIG").then(|| config.clone());
        let flags = crate::config::Flags {
            url: Some(url),
            ..crate::config::Flags::default()
        };
        let settings = crate::config::load(&flags, &env).unwrap().settings;
        Client::new(&settings, None).unwrap()
    }

    /// The messages of a subscription until the stream is over.
    fn messages(client: &Client, attach: Duration) -> Vec<Message> {
        let mut options = StreamOptions::new(Vec::new(), false);
        options.attach_timeout = attach;
        options.idle_timeout = attach;
        let sub = client.subscribe(options).unwrap();
        let mut all = Vec::new();
        while let Ok(m) = sub.next(Duration::from_secs(30)) {
            all.push(m);
        }
        all
    }

    const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";

    #[test]
    fn a_stream_held_back_by_a_proxy_is_given_up() {
        let client = against(HEAD.as_bytes().to_vec());
        let all = messages(&client, Duration::from_millis(200));
        assert!(
            matches!(&all[..], [Message::Lost { reason, retry: None }] if reason.contains("said nothing within 200ms")),
            "{all:?}"
        );
    }

    #[test]
    fn a_silent_stream_after_attaching_is_lost() {
        let attach = "event: event_stream_attached\r\ndata: {\"eventType\":\"event_stream_attached\"}\r\n\r\n";
        let client = against(format!("{HEAD}{attach}").into_bytes());
        let all = messages(&client, Duration::from_millis(200));
        assert!(
            matches!(all[0], Message::Attached { again: false }),
            "{all:?}"
        );
        assert!(matches!(&all[1], Message::Event(e) if e.kind == "event_stream_attached"));
        assert!(
            matches!(&all[2], Message::Lost { reason, .. } if reason.contains("went silent")),
            "{all:?}"
        );
    }

    #[test]
    fn an_event_over_the_limit_ends_the_stream() {
        let mut answer = format!("{HEAD}event: x\r\ndata: ").into_bytes();
        answer.extend(std::iter::repeat_n(b'a', MAX_EVENT as usize + 1));
        let client = against(answer);
        let all = messages(&client, Duration::from_secs(10));
        assert!(
            matches!(&all[..], [Message::Lost { reason, .. }] if reason.contains("larger than 4 MiB")),
            "{all:?}"
        );
    }

    #[test]
    fn an_answer_that_is_no_event_stream_is_refused() {
        let client = against(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                .to_vec(),
        );
        let all = messages(&client, Duration::from_secs(10));
        assert!(
            matches!(&all[..], [Message::Refused(e)] if e.to_string().contains("not an event stream")),
            "{all:?}"
        );
        let client = against(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec());
        let all = messages(&client, Duration::from_secs(10));
        assert!(
            matches!(&all[..], [Message::Refused(e)] if e.status() == Some(403)),
            "{all:?}"
        );
    }

    #[test]
    fn data_that_is_not_json_is_skipped_not_fatal() {
        let body =
            "event: a\r\ndata: {oops\r\n\r\nevent: b\ndata: [1]\n\ndata: {\"eventType\":\"c\"}\n\n";
        let client = against(format!("{HEAD}{body}").into_bytes());
        let all = messages(&client, Duration::from_millis(300));
        assert!(
            matches!(&all[0], Message::Garbled { kind, .. } if kind == "a"),
            "{all:?}"
        );
        assert!(
            matches!(&all[1], Message::Garbled { kind, .. } if kind == "b"),
            "{all:?}"
        );
        // No `event:` line: the type is the JSON's `eventType`.
        assert!(
            matches!(&all[2], Message::Event(e) if e.kind == "c"),
            "{all:?}"
        );
    }

    #[test]
    fn a_byte_that_is_not_utf8_spoils_one_event_not_the_stream() {
        let mut body = b"event: a\r\ndata: {\"uri\":\"/v2/pods/x\xff\"}\r\n\r\n".to_vec();
        body.extend_from_slice(
            "data: {\"eventType\":\"b\",\"uri\":\"/v2/pods/\u{e9}\"}\n\n".as_bytes(),
        );
        let mut answer = HEAD.as_bytes().to_vec();
        answer.extend_from_slice(&body);
        let client = against(answer);
        let all = messages(&client, Duration::from_millis(300));
        assert!(
            matches!(&all[0], Message::Event(e) if e.kind == "a" && e.str("uri") == Some("/v2/pods/x\u{fffd}")),
            "{all:?}"
        );
        assert!(
            matches!(&all[1], Message::Event(e) if e.kind == "b" && e.str("uri") == Some("/v2/pods/\u{e9}")),
            "{all:?}"
        );
    }

    #[test]
    fn big_events_waiting_for_a_slow_reader_are_bounded_in_bytes() {
        let budget = Budget::new(10);
        assert!(budget.try_take(6));
        assert!(budget.try_take(4));
        assert!(!budget.try_take(1), "full");
        budget.give_back(6);
        assert!(budget.try_take(5));
        assert!(!budget.try_take(2));
        budget.give_back(9);
        // An event over the limit passes alone.
        assert!(budget.try_take(25));
        assert!(!budget.try_take(1));
        budget.give_back(25);
        // Nobody reads any more: the stream's thread stops instead of waiting for room.
        assert!(budget.try_take(10));
        assert!(!budget.take(1, || false));
    }

    #[test]
    fn a_filter_always_asks_for_the_attach_event() {
        assert_eq!(events_url("http://m:8080", &[]), "http://m:8080/v2/events");
        assert_eq!(
            events_url("http://m:8080/marathon", &["deployment_success".into()]),
            "http://m:8080/marathon/v2/events?event_type=deployment_success&event_type=event_stream_attached"
        );
        let odd = events_url("http://m", &["a&b=c".into()]);
        assert!(
            odd.ends_with("?event_type=a%26b%3Dc&event_type=event_stream_attached"),
            "{odd}"
        );
    }

    #[test]
    fn credentials_stay_with_their_origin() {
        let home = Url::parse("https://dcos.example.com/service/marathon").unwrap();
        let same = Url::parse("https://dcos.example.com:443/v2/events").unwrap();
        let other_port = Url::parse("https://dcos.example.com:8443/v2/events").unwrap();
        let other_host = Url::parse("https://leader.example.com/v2/events").unwrap();
        let plain = Url::parse("http://dcos.example.com/v2/events").unwrap();
        assert!(same_origin(&same, &home));
        assert!(!same_origin(&other_port, &home));
        assert!(!same_origin(&other_host, &home));
        assert!(!same_origin(&plain, &home));
    }
}
