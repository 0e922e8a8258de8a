//! [`Client`]: one method per Marathon endpoint that podctl uses.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::Instant;

use hyper::body::Bytes;

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::auth::Auth;
use super::error::{parse_error_body, ApiError};
use super::split::{ArrayReader, Decoded};
use crate::config::{Basic, Settings};
use crate::http::{self, Http, Log, Options, Reply, Request, SetupError, Sink};
use crate::pod::id::encode_segment;
use crate::pod::status::{PodSummary, ShownStatus};
use crate::pod::{Deployment, PodDefinition, PodId, PodStatus};

/// Marathon's header naming the deployment a write started.
const DEPLOYMENT_HEADER: &str = "Marathon-Deployment-Id";

/// A Marathon client over one reused connection pool; cheap to clone.
#[derive(Clone)]
pub struct Client {
    base: String,
    /// The `Authorization` header, shared by every clone so that a renewed token is used by all.
    auth: Auth,
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
        let log = options.log;
        Ok(Client {
            base: settings.url.clone(),
            auth: Auth::new(settings, auth, log),
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

    /// `GET /v2/pods/{id}::status` read for `pod show`: only what its table draws (see
    /// [`ShownStatus`]), which is much quicker for a pod of thousands of instances.
    pub fn pod_status_shown(&self, id: &PodId) -> Result<PodStatus, ApiError> {
        let shown: ShownStatus = self.get_json(&format!("/v2/pods/{}::status", id.url_path()))?;
        Ok(shown.into_status())
    }

    /// `GET /v2/pods/::status` read as it arrives: a second thread decodes each pod's status
    /// into its summary as soon as its bytes are in, while this one reads the socket, so the
    /// body is never held whole and decoding overlaps the download.
    pub fn all_pod_summaries(&self) -> Result<Vec<PodSummary<'static>>, ApiError> {
        let (pods, _) = self.read_status_array("/v2/pods/::status", false, decode_summary)?;
        Ok(pods)
    }

    /// `GET /v2/pods/::status` as Marathon sent it, for `--json`: not re-encoded, but checked
    /// to be what the table reads (an array of pod statuses). The check runs on a second
    /// thread while the bytes arrive; the bytes are handed back only once all of them are in
    /// and checked, so a cut or broken answer never reaches the output.
    pub fn all_pod_status_json(&self) -> Result<Vec<Bytes>, ApiError> {
        let (_, body) = self.read_status_array("/v2/pods/::status", true, check_summary)?;
        Ok(body)
    }

    /// GETs a JSON array, each element decoded by `decode` on a second thread as soon as its
    /// bytes are in (on this thread if no thread can be started); with `keep`, also the body's
    /// chunks as they came.
    fn read_status_array<T: Send>(
        &self,
        path: &str,
        keep: bool,
        decode: DecodeFn<T>,
    ) -> Result<(Vec<T>, Vec<Bytes>), ApiError> {
        let fail = |reason: String| ApiError::Decode {
            url: self.url(path),
            reason,
        };
        let (tx, rx) = mpsc::sync_channel(QUEUED_CHUNKS);
        let (decoder, kept, sent) = std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("decode".to_string())
                .spawn_scoped(scope, move || {
                    let mut decoder = ArrayDecoder::new(decode);
                    decoder.drain(&rx);
                    decoder
                });
            let mut sink = match thread {
                Ok(_) => FeedSink::Thread(tx),
                Err(_) => FeedSink::Inline(ArrayDecoder::new(decode)),
            };
            let mut kept = KeepSink {
                inner: &mut sink,
                kept: keep.then(Vec::new),
            };
            let sent = self.send_to(Method::GET, path, None, Some(&mut kept));
            let kept = kept.kept.unwrap_or_default();
            let decoder = match (sink, thread) {
                (FeedSink::Inline(decoder), _) => Ok(decoder),
                // Dropping the sender ends the thread's input.
                (FeedSink::Thread(tx), Ok(thread)) => {
                    drop(tx);
                    thread
                        .join()
                        .map_err(|_| "the decoding thread failed".to_string())
                }
                (FeedSink::Thread(_), Err(_)) => Err("the decoding thread failed".to_string()),
            };
            (decoder, kept, sent)
        });
        sent?;
        let decoder = decoder.map_err(fail)?;
        let out = decoder.finish().map_err(fail)?;
        Ok((out, kept))
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

    /// `GET /v2/pods/{id}::versions/{version}`: the definition stored as that version. Marathon
    /// reads the version as an instant, so any spelling of it finds it.
    pub fn pod_version(&self, id: &PodId, version: &str) -> Result<PodDefinition, ApiError> {
        self.get_json(&format!(
            "/v2/pods/{}::versions/{}",
            id.url_path(),
            encode_segment(version)
        ))
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
        (&self.base, self.auth.header(), self.http.options())
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

    /// As [`send`](Client::send), a success body going to `sink` as it arrives. With renewal
    /// credentials, the token is renewed first when it is about to expire, and after a 401 the
    /// request is sent once more with a new token: DC/OS's admin router answers 401 before the
    /// request reaches Marathon, so even a write was not done.
    fn send_to<'s>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        mut sink: Option<&mut (dyn Sink + 's)>,
    ) -> Result<Reply, ApiError> {
        let renew = || {
            self.auth
                .renew(&self.http, self.deadline)
                .map_err(|e| ApiError::Login(Box::new(e)))
        };
        if self.auth.due() {
            renew()?;
        }
        let again = if self.auth.can_renew() {
            Some(body.clone())
        } else {
            None
        };
        let first = self.send_once(method.clone(), path, body, sink.as_deref_mut());
        match (first, again) {
            (Err(e), Some(body)) if e.status() == Some(401) => {
                renew()?;
                self.send_once(method, path, body, sink)
            }
            (result, _) => result,
        }
    }

    fn send_once<'s>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        sink: Option<&mut (dyn Sink + 's)>,
    ) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(auth) = self.auth.header() {
            headers.insert(AUTHORIZATION, auth);
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
                sink.map(|s| s as &mut dyn Sink),
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
            if status.as_u16() == 401 && !self.auth.can_renew() {
                if let Some(hint) = self.auth.unauthorized_hint() {
                    message.push_str(&format!("; {hint}"));
                }
            }
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

/// How many body chunks (of up to about 400 KiB) may wait for the decoding thread: the
/// reading thread waits beyond that, so memory stays bounded when decoding is the slower side.
const QUEUED_CHUNKS: usize = 4;

/// Decodes one element from the start of the bytes, also given as checked text (see
/// [`ArrayReader`]).
type DecodeFn<T> = fn(&[u8], &str) -> Result<Decoded<T>, String>;

/// What the reading thread tells the decoding thread.
enum Feed {
    /// The next bytes of the body.
    Chunk(Bytes),
    /// A new attempt starts: forget the bytes of the earlier one.
    Restart,
}

/// Decodes the elements of an array as its chunks come; keeps the first error.
struct ArrayDecoder<T> {
    decode: DecodeFn<T>,
    reader: ArrayReader,
    out: Vec<T>,
    error: Option<String>,
}

impl<T> ArrayDecoder<T> {
    fn new(decode: DecodeFn<T>) -> ArrayDecoder<T> {
        ArrayDecoder {
            decode,
            reader: ArrayReader::new(),
            out: Vec::new(),
            error: None,
        }
    }

    fn restart(&mut self) {
        *self = ArrayDecoder::new(self.decode);
    }

    fn feed(&mut self, chunk: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.reader.feed(chunk, &mut self.out, self.decode) {
                self.error = Some(e);
            }
        }
    }

    /// Takes in what the reading thread sends until it hangs up.
    fn drain(&mut self, rx: &Receiver<Feed>) {
        while let Ok(feed) = rx.recv() {
            match feed {
                Feed::Restart => self.restart(),
                Feed::Chunk(chunk) => self.feed(&chunk),
            }
        }
    }

    /// The elements, once the whole body is in: an error unless the array was complete.
    fn finish(mut self) -> Result<Vec<T>, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.reader.finish(&mut self.out, self.decode)?;
        Ok(self.out)
    }
}

/// Where the body's chunks go: to the decoding thread, or, without one, straight into a
/// decoder on the reading thread.
enum FeedSink<T> {
    Thread(SyncSender<Feed>),
    Inline(ArrayDecoder<T>),
}

impl<T> Sink for FeedSink<T> {
    fn restart(&mut self) {
        match self {
            // A thread that has gone (it cannot, short of a bug) simply hears nothing more.
            FeedSink::Thread(tx) => {
                let _ = tx.send(Feed::Restart);
            }
            FeedSink::Inline(decoder) => decoder.restart(),
        }
    }

    fn write(&mut self, chunk: &[u8]) {
        self.write_shared(Bytes::copy_from_slice(chunk));
    }

    fn write_shared(&mut self, chunk: Bytes) {
        match self {
            FeedSink::Thread(tx) => {
                let _ = tx.send(Feed::Chunk(chunk));
            }
            FeedSink::Inline(decoder) => decoder.feed(&chunk),
        }
    }
}

/// Passes chunks on, keeping them too when asked (the shared buffers, not copies).
struct KeepSink<'a> {
    inner: &'a mut dyn Sink,
    kept: Option<Vec<Bytes>>,
}

impl Sink for KeepSink<'_> {
    fn restart(&mut self) {
        if let Some(kept) = &mut self.kept {
            kept.clear();
        }
        self.inner.restart();
    }

    fn write(&mut self, chunk: &[u8]) {
        self.write_shared(Bytes::copy_from_slice(chunk));
    }

    fn write_shared(&mut self, chunk: Bytes) {
        if let Some(kept) = &mut self.kept {
            kept.push(chunk.clone());
        }
        self.inner.write_shared(chunk);
    }
}

/// One pod's summary from the start of `bytes`, its strings copied out (the bytes are about
/// to be dropped).
fn decode_summary(bytes: &[u8], text: &str) -> Result<Decoded<PodSummary<'static>>, String> {
    Ok(match first_value::<PodSummary<'_>>(bytes, text)? {
        Decoded::Element(pod, n) => Decoded::Element(pod.into_owned(), n),
        Decoded::Incomplete => Decoded::Incomplete,
    })
}

/// Checks that one pod's status at the start of `bytes` reads as the table would read it;
/// keeps nothing.
fn check_summary(bytes: &[u8], text: &str) -> Result<Decoded<()>, String> {
    Ok(match first_value::<PodSummary<'_>>(bytes, text)? {
        Decoded::Element(_, n) => Decoded::Element((), n),
        Decoded::Incomplete => Decoded::Incomplete,
    })
}

/// The JSON value at the start of `bytes`, read from `text` (their start already checked to be
/// UTF-8, so serde_json need not check each string again). Where that fails (the value is cut
/// short, wrong, or runs past the checked text) the bytes are read again the ordinary way, so
/// incomplete values and errors are told apart, and worded, exactly as serde_json words them.
fn first_value<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    text: &'de str,
) -> Result<Decoded<T>, String> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<T>();
    if let Some(Ok(value)) = values.next() {
        return Ok(Decoded::Element(value, values.byte_offset()));
    }
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<T>();
    match values.next() {
        Some(Ok(value)) => Ok(Decoded::Element(value, values.byte_offset())),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `decode` as the array reader would: `text` the longest UTF-8 start of `bytes`.
    fn run<T>(decode: DecodeFn<T>, bytes: &[u8]) -> Result<Decoded<T>, String> {
        let valid = match std::str::from_utf8(bytes) {
            Ok(_) => bytes.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&bytes[..valid]).unwrap();
        decode(bytes, text)
    }

    #[test]
    fn a_summary_is_read_from_the_checked_text() {
        let pod = r#"{"id":"/crème/brûlée","status":"STABLE","instances":[{"status":"STABLE","containers":[{"name":"日本","status":"TASK_RUNNING"}]}]} ,{"id":"/next"}"#;
        let Ok(Decoded::Element(summary, n)) = run(decode_summary, pod.as_bytes()) else {
            panic!("not decoded");
        };
        assert_eq!(summary.id, "/crème/brûlée");
        assert_eq!(summary.instances[0].containers[0].name, "日本");
        assert_eq!(&pod[n..], " ,{\"id\":\"/next\"}");
        assert!(
            matches!(run(check_summary, pod.as_bytes()), Ok(Decoded::Element((), m)) if m == n)
        );
    }

    /// A pod cut short is incomplete, also when the cut splits a character; a pod that is
    /// wrong is refused with serde_json's own words, also when the bad part is a byte that is
    /// not UTF-8 (which the checked text stops before).
    #[test]
    fn cut_and_broken_pods_are_told_apart_as_before() {
        let pod = "{\"id\":\"/caf\u{e9}\",\"status\":\"STABLE\"}".as_bytes();
        for end in 0..pod.len() {
            assert!(
                matches!(run(decode_summary, &pod[..end]), Ok(Decoded::Incomplete)),
                "cut at {end}"
            );
        }
        for (bytes, words) in [
            (
                &b"{\"id\":\"/a\xff\",\"status\":\"STABLE\"}"[..],
                "invalid unicode code point at line 1 column 10",
            ),
            (
                b"{\"id\":7}",
                "invalid type: integer `7`, expected a string at line 1 column 7",
            ),
            (
                b"{\"status\":\"STABLE\"}",
                "missing field `id` at line 1 column 19",
            ),
            (b"{\"id\":\"/a\",}", "trailing comma at line 1 column 12"),
        ] {
            for decoded in [
                run(decode_summary, bytes).map(|_| ()),
                run(check_summary, bytes).map(|_| ()),
            ] {
                assert_eq!(decoded.err().as_deref(), Some(words), "{bytes:?}");
            }
        }
    }
}
