//! The one HTTP client builder, used by the Marathon client, definitions fetched from URLs and tab
//! completion: TLS trust, one deadline for each whole exchange (body included), response size
//! caps, no redirects, proxies from the environment, the retry policy, `--verbose` logging and
//! Ctrl-C. It never prints (log lines go to a function the caller gives) and never decides exit
//! codes; failures are a typed [`TransportError`].
//!
//! The API is synchronous: each [`Http`] owns a current-thread tokio runtime and blocks on one
//! future per attempt, raced against the deadline and against Ctrl-C.

use std::error::Error as StdError;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::config::Tls;

/// The most a success response may hold unless configured; a bigger one is refused, not read to
/// the end.
pub const MAX_BODY: u64 = crate::config::DEFAULT_MAX_RESPONSE;
/// The most of an error response that is read: more than any real error message needs.
pub const MAX_ERROR_BODY: u64 = 1024 * 1024;
/// Connecting should be quick even when a request may take long (as the DC/OS CLI did).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Reads are tried at most this often on transport errors and 502/503/504.
const MAX_ATTEMPTS: u32 = 4;
/// The first pause between attempts; it doubles each time, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// All pauses of one request together stay below this.
const RETRY_BUDGET: Duration = Duration::from_secs(5);
/// How often a running request looks at the Ctrl-C flag.
const INTERRUPT_CHECK: Duration = Duration::from_millis(20);

/// Where `--verbose` lines go.
pub type Log = fn(&str);

/// Which requests are tried again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// GET and HEAD, which change nothing; never writes, since each one starts a deployment.
    Reads,
    /// Nothing (tab completion: one quick try).
    Never,
}

/// How an [`Http`] behaves.
#[derive(Clone)]
pub struct Options {
    pub tls: Tls,
    /// The deadline of one request, all its attempts and its whole body included.
    pub timeout: Duration,
    pub retry: Retry,
    /// The largest success body read ([`MAX_BODY`] unless configured).
    pub max_body: u64,
    /// The URL is not plain `http://`: load the system's CA certificates (a few ms per run).
    pub https: bool,
    pub log: Option<Log>,
}

impl Options {
    /// The defaults for `url`: reads retried, [`MAX_BODY`], no log.
    pub fn new(url: &str, tls: Tls, timeout: Duration) -> Options {
        Options {
            tls,
            timeout,
            retry: Retry::Reads,
            max_body: MAX_BODY,
            https: !url.starts_with("http://"),
            log: None,
        }
    }
}

/// What went wrong below HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Refused,
    Dns,
    /// The deadline passed before the whole answer was in.
    Timeout,
    Tls,
    /// The connection was closed or reset before the answer was complete.
    Reset,
    /// The body could not be read or decoded.
    Body,
    /// The body is bigger than `limit` bytes (`announced` by its `Content-Length`, if it said).
    TooLarge {
        limit: u64,
        announced: Option<u64>,
    },
    /// Ctrl-C.
    Interrupted,
    /// The answer was not HTTP (for an `http://` URL, most likely TLS).
    NotHttp,
    Other,
}

/// A request that got no complete HTTP answer.
#[derive(Debug, Clone)]
pub struct TransportError {
    pub kind: Kind,
    /// Whether the request may have reached the server (false: it surely did not).
    pub sent: bool,
    /// What the lower layer said, already in words (may be empty).
    pub detail: String,
    /// Advice for the user, when there is something to do.
    pub hint: Option<String>,
    /// The request's deadline, for messages.
    pub timeout: Duration,
}

impl TransportError {
    fn new(kind: Kind, sent: bool, timeout: Duration) -> TransportError {
        TransportError {
            kind,
            sent,
            detail: String::new(),
            hint: None,
            timeout,
        }
    }

    /// Whether trying again may help: connection trouble, not TLS, DNS, size or Ctrl-C.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            Kind::Refused | Kind::Timeout | Kind::Reset | Kind::Body | Kind::Other
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            Kind::Refused => "connection refused".to_string(),
            Kind::Dns => "host not found".to_string(),
            Kind::Timeout => format!(
                "timed out: no complete answer within {} (the request timeout)",
                humantime::format_duration(self.timeout)
            ),
            Kind::Tls => "TLS handshake failed".to_string(),
            Kind::Reset => "the connection was closed before the answer was complete".to_string(),
            Kind::Body => "the response body could not be read".to_string(),
            Kind::TooLarge { limit, .. } => format!(
                "the response is larger than {}, podctl's limit; stopped reading",
                crate::size::show(*limit)
            ),
            Kind::Interrupted => "interrupted (Ctrl-C)".to_string(),
            Kind::NotHttp => "the server's answer is not HTTP".to_string(),
            Kind::Other => "request failed".to_string(),
        };
        f.write_str(&what)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl StdError for TransportError {}

/// Where a success body goes as it arrives, instead of into memory whole.
pub trait Sink {
    /// A new attempt starts: forget what an earlier one wrote.
    fn restart(&mut self);
    /// The next bytes of the body.
    fn write(&mut self, chunk: &[u8]);
    /// The next bytes of the body as the connection's own shared buffer, which a sink may keep
    /// or hand to another thread without copying.
    fn write_shared(&mut self, chunk: hyper::body::Bytes) {
        self.write(&chunk);
    }
}

/// A complete answer: any status, the whole body (or, for an error status, its first
/// [`MAX_ERROR_BODY`] bytes).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// An error body longer than [`MAX_ERROR_BODY`] was cut.
    pub cut: bool,
}

/// One request to make.
pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    /// An earlier end than the client's own timeout (the time a wait has left).
    pub deadline: Option<Instant>,
}

/// An HTTP client with its runtime; cheap to clone.
#[derive(Clone)]
pub struct Http {
    runtime: Arc<tokio::runtime::Runtime>,
    client: reqwest::Client,
    options: Options,
}

impl Http {
    /// Builds the client. Fails only on a CA file that cannot be read or holds no certificate.
    pub fn new(options: Options) -> Result<Http, SetupError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| SetupError::Runtime(e.to_string()))?;
        let client = client_builder(&options)?
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        watch_for_interrupts();
        Ok(Http {
            runtime: Arc::new(runtime),
            client,
            options,
        })
    }

    /// Sends a request and reads the whole answer within the deadline. Reads are retried on
    /// transport errors and 502/503/504 with capped, jittered back-off, while time is left.
    pub fn send(&self, req: Request<'_>) -> Result<Reply, TransportError> {
        self.send_to(req, None)
    }

    /// As [`send`](Http::send), but a success body goes chunk by chunk to `sink` as it arrives
    /// (still counted against the size cap) instead of into [`Reply::body`].
    pub fn send_to(
        &self,
        req: Request<'_>,
        mut sink: Option<&mut dyn Sink>,
    ) -> Result<Reply, TransportError> {
        let start = Instant::now();
        let mut deadline = start + self.options.timeout;
        if let Some(d) = req.deadline {
            deadline = deadline.min(d);
        }
        let retry = self.options.retry == Retry::Reads
            && (req.method == Method::GET || req.method == Method::HEAD);
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let result = self.attempt(&req, deadline, sink.as_deref_mut());
            let pause = backoff(attempt);
            let transient = match &result {
                Ok(reply) => matches!(reply.status.as_u16(), 502..=504),
                Err(e) => e.is_transient(),
            };
            let again = retry
                && transient
                && attempt < MAX_ATTEMPTS
                && waited + pause <= RETRY_BUDGET
                && Instant::now() + pause < deadline;
            if !again {
                return result;
            }
            if let Some(log) = self.options.log {
                let what = match &result {
                    Ok(reply) => reply.status.to_string(),
                    Err(e) => e.to_string(),
                };
                log(&format!("{what}; retrying in {} ms", pause.as_millis()));
            }
            if !pause_unless_interrupted(pause) {
                return Err(self.interrupted(false));
            }
            waited += pause;
            attempt += 1;
        }
    }

    /// The options it was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    fn interrupted(&self, sent: bool) -> TransportError {
        TransportError::new(Kind::Interrupted, sent, self.options.timeout)
    }

    fn attempt(
        &self,
        req: &Request<'_>,
        deadline: Instant,
        sink: Option<&mut (dyn Sink + '_)>,
    ) -> Result<Reply, TransportError> {
        if is_interrupted() {
            return Err(self.interrupted(false));
        }
        let started = Instant::now();
        let left = deadline.saturating_duration_since(started);
        let mut builder = self
            .client
            .request(req.method.clone(), req.url)
            .headers(req.headers.clone());
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let exchange = exchange(builder, self.options.max_body, &self.options, sink);
        let timeout = self.options.timeout;
        let result = self.runtime.block_on(async move {
            tokio::select! {
                r = tokio::time::timeout(left, exchange) => match r {
                    Ok(r) => r,
                    Err(_) => Err(TransportError::new(Kind::Timeout, true, timeout)),
                },
                () = wait_for_interrupt() => Err(TransportError::new(Kind::Interrupted, true, timeout)),
            }
        });
        if let Some(log) = self.options.log {
            let outcome = match &result {
                Ok(reply) => reply.status.to_string(),
                Err(e) => e.to_string(),
            };
            log(&format!(
                "{} {} -> {outcome} ({} ms)",
                req.method,
                req.url,
                started.elapsed().as_millis()
            ));
        }
        result
    }
}

/// The reqwest builder every client of podctl starts from: TLS trust, DNS, connect timeout, user
/// agent, and no redirects (a redirect could carry credentials to another host: it is an answer,
/// not followed). The event stream builds its own client from it, on its own runtime.
pub fn client_builder(options: &Options) -> Result<reqwest::ClientBuilder, SetupError> {
    let tls = tls_config(&options.tls, options.https)?;
    Ok(reqwest::Client::builder()
        .user_agent(concat!("podctl/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT.min(options.timeout))
        .redirect(Policy::none())
        .dns_resolver(Arc::new(Resolver))
        .use_preconfigured_tls(tls))
}

/// Sends one request and reads its body, at most `max_body` bytes of a success (an error
/// body is cut at [`MAX_ERROR_BODY`]).
async fn exchange(
    builder: reqwest::RequestBuilder,
    max_body: u64,
    options: &Options,
    mut sink: Option<&mut (dyn Sink + '_)>,
) -> Result<Reply, TransportError> {
    let timeout = options.timeout;
    let mut resp = builder.send().await.map_err(|e| classify(&e, options))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let success = status.is_success();
    let limit = if success { max_body } else { MAX_ERROR_BODY };
    let announced = resp.content_length().unwrap_or(0);
    let too_large = |announced: Option<u64>| {
        TransportError::new(Kind::TooLarge { limit, announced }, true, timeout)
    };
    if success && announced > limit {
        return Err(too_large(Some(announced)));
    }
    if !success {
        sink = None;
    }
    if let Some(sink) = sink.as_deref_mut() {
        sink.restart();
    }
    let mut body = Vec::new();
    if sink.is_none() {
        body.reserve(announced.min(limit) as usize);
    }
    let mut read: u64 = 0;
    let mut cut = false;
    loop {
        let chunk = resp.chunk().await.map_err(|e| {
            let mut err = classify(&e, options);
            if err.kind == Kind::Other {
                err.kind = Kind::Body;
            }
            err
        })?;
        let Some(chunk) = chunk else { break };
        if let Some(sink) = sink.as_deref_mut() {
            read += chunk.len() as u64;
            if read > limit {
                return Err(too_large(None));
            }
            sink.write_shared(chunk);
            continue;
        }
        let room = (limit as usize).saturating_sub(body.len());
        if chunk.len() > room {
            if success {
                return Err(too_large(None));
            }
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status,
        headers,
        body,
        cut,
    })
}

/// Classifies a reqwest error by its type and its causes' types, never by their text.
pub fn classify(err: &reqwest::Error, options: &Options) -> TransportError {
    let sent = !err.is_connect();
    let mut out = TransportError::new(Kind::Other, sent, options.timeout);
    if err.is_timeout() {
        out.kind = Kind::Timeout;
    } else if err.is_body() || err.is_decode() {
        out.kind = Kind::Body;
    }
    let mut io_kind = None;
    let mut cause: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(dns) = e.downcast_ref::<DnsError>() {
            out.kind = Kind::Dns;
            out.detail = dns.to_string();
            return out;
        }
        let mut tls = e.downcast_ref::<rustls::Error>();
        // An io::Error hides what it wraps from `source()`: look inside, layer by layer.
        let mut io = e.downcast_ref::<std::io::Error>();
        while let Some(inner) = io {
            io_kind = Some(inner.kind());
            let wrapped = inner.get_ref();
            tls = tls.or_else(|| wrapped.and_then(|w| w.downcast_ref::<rustls::Error>()));
            io = wrapped.and_then(|w| w.downcast_ref::<std::io::Error>());
        }
        if let Some(tls) = tls {
            out.kind = Kind::Tls;
            let (detail, hint) = explain_tls(tls, &options.tls);
            out.detail = detail;
            out.hint = hint;
            return out;
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_parse() && !h.is_parse_status() {
                out.kind = Kind::NotHttp;
                // hyper's client has no `is_parse_too_large`; its words are all there is. A
                // header section without end is HTTP gone wrong, not TLS.
                if h.to_string().contains("too large") {
                    out.detail = "its headers are too large".to_string();
                    return out;
                }
                // A status line was read, so this is HTTP with a bad header, not TLS.
                if h.to_string().contains("header") {
                    out.detail = "a header of its answer is malformed".to_string();
                    return out;
                }
                if !options.https {
                    // What a TLS server sends back to plain HTTP is not HTTP at all.
                    out.hint = Some("it seems to speak HTTPS: use an https:// URL".to_string());
                }
                return out;
            }
            if h.is_incomplete_message() {
                out.kind = Kind::Reset;
            }
        }
        cause = e.source();
    }
    use std::io::ErrorKind as Io;
    match io_kind {
        Some(Io::ConnectionRefused) if !err.is_timeout() => out.kind = Kind::Refused,
        Some(Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe | Io::UnexpectedEof)
            if !err.is_timeout() =>
        {
            out.kind = Kind::Reset
        }
        Some(Io::TimedOut) => out.kind = Kind::Timeout,
        _ => {}
    }
    if matches!(out.kind, Kind::Other | Kind::Body) {
        // Not one of the kinds named above (an unreachable network, ...): say what it was.
        out.detail = innermost(err);
    }
    out
}

/// The last cause's words, escaped: what the lowest layer said, for the user to read.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    let mut text = last.to_string();
    if let Some(io) = last.downcast_ref::<std::io::Error>() {
        if let Some(inner) = io.get_ref() {
            text = inner.to_string();
        }
    }
    crate::pod::text::printable(&text).into_owned()
}

/// What a TLS failure means, and what to do about it, without naming a flag already given.
fn explain_tls(err: &rustls::Error, tls: &Tls) -> (String, Option<String>) {
    let given = tls.ca_cert.as_ref().map(|p| p.display().to_string());
    let trust_hint = || match &given {
        None => Some(
            "to trust the cluster's CA use --ca-cert FILE (or `ca_cert` in the cluster config, \
             or DCOS_SSL_VERIFY=FILE); --insecure skips verification"
                .to_string(),
        ),
        Some(file) => Some(format!(
            "{file} holds neither the CA that signed it nor the certificate itself"
        )),
    };
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => (
                "the server's certificate is not signed by a trusted CA".to_string(),
                trust_hint(),
            ),
            CertificateError::Other(_) if is_ca_as_end_entity(err) => (
                "the server presents a CA certificate as its own (a self-signed one?)".to_string(),
                match &given {
                    None => Some(
                        "if you trust it, give that very certificate with --ca-cert FILE"
                            .to_string(),
                    ),
                    Some(file) => Some(format!("it is not one of the certificates in {file}")),
                },
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                (
                    "the server's certificate is not valid for this host name".to_string(),
                    Some("use the host name the certificate was made for in the URL".to_string()),
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                ("the server's certificate has expired".to_string(), None)
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
                "the server's certificate is not valid yet".to_string(),
                None,
            ),
            CertificateError::Revoked => ("the server's certificate is revoked".to_string(), None),
            other => (
                format!("the server's certificate was refused ({other:?})"),
                None,
            ),
        },
        other => (other.to_string(), None),
    }
}

/// Why the client could not be built.
#[derive(Debug)]
pub enum SetupError {
    CaFile {
        path: PathBuf,
        reason: String,
    },
    /// A token (or password) with characters an HTTP header cannot carry, such as a newline.
    Credentials,
    Runtime(String),
    Client(String),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::CaFile { path, reason } => write!(
                f,
                "reading CA certificates from {}: {reason}",
                path.display()
            ),
            SetupError::Credentials => f.write_str(
                "the token or password holds characters an HTTP header cannot carry \
                 (a line break or a control character?)",
            ),
            SetupError::Runtime(e) => write!(f, "starting the HTTP runtime: {e}"),
            SetupError::Client(e) => write!(f, "setting up the HTTP client: {e}"),
        }
    }
}

impl StdError for SetupError {}

/// The rustls configuration: the system's CAs plus `--ca-cert`'s, with [`Trust`] on top.
fn tls_config(tls: &Tls, https: bool) -> Result<rustls::ClientConfig, SetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    let mut pinned = Vec::new();
    if https && !tls.insecure {
        for cert in rustls_native_certs::load_native_certs().certs {
            // A system certificate rustls cannot use is skipped, as curl does.
            let _ = roots.add(cert);
        }
    }
    if let Some(path) = &tls.ca_cert {
        let fail = |reason: String| SetupError::CaFile {
            path: path.clone(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| fail(format!("not PEM certificates ({e})")))?;
            let _ = roots.add(cert.clone());
            pinned.push(cert);
        }
        if pinned.is_empty() {
            return Err(fail("no PEM certificates found".to_string()));
        }
    }
    let webpki = if roots.is_empty() {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| SetupError::Client(e.to_string()))?,
        )
    };
    let verifier = Trust {
        webpki,
        pinned,
        insecure: tls.insecure,
        provider: provider.clone(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError::Client(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

/// Certificate checks: the usual chain to a trusted CA, or, as curl does, a server certificate
/// that is byte for byte one given with `--ca-cert` (a self-signed one made with
/// `openssl req -x509` is marked as a CA, which the chain check refuses as a server's own).
/// Dates, the host name and the handshake signature are checked either way.
#[derive(Debug)]
struct Trust {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<CertificateDer<'static>>,
    insecure: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Trust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        let Some(webpki) = &self.webpki else {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            ));
        };
        let checked =
            webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        let pinned = self
            .pinned
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref());
        match checked {
            // The chain check looks at the dates before it finds the certificate to be a CA
            // (or of no known issuer), so only the host name is left to check.
            Err(e) if pinned && (is_ca_as_end_entity(&e) || is_unknown_issuer(&e)) => {
                let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn is_ca_as_end_entity(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::Other(other))
            if matches!(
                other.0.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::CaUsedAsEndEntity)
            )
    )
}

fn is_unknown_issuer(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
    )
}

/// A host name that did not resolve; a type of its own so that it is recognised as such.
#[derive(Debug)]
struct DnsError {
    host: String,
    source: std::io::Error,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            crate::pod::text::printable(&self.host),
            self.source
        )
    }
}

impl StdError for DnsError {}

/// The system resolver (as reqwest's default), failing with a [`DnsError`].
struct Resolver;

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.clone(), 0)).await;
            match found {
                Ok(addrs) => {
                    let addrs: Vec<SocketAddr> = addrs.collect();
                    Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
                }
                Err(source) => Err(Box::new(DnsError { host, source }) as _),
            }
        })
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

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static HANDLER: Once = Once::new();

/// From the first client on, Ctrl-C sets a flag that requests and waits look at, instead of
/// ending the process: a request stops at once and the command says what state it left.
fn watch_for_interrupts() {
    HANDLER.call_once(|| {
        // If no handler can be installed, Ctrl-C keeps its default effect: the process ends.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

/// Whether Ctrl-C was pressed since the first client was built.
pub fn is_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Sleeps for `total` unless Ctrl-C comes first; false when it did.
pub fn pause_unless_interrupted(total: Duration) -> bool {
    let end = Instant::now() + total;
    loop {
        if is_interrupted() {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(INTERRUPT_CHECK));
    }
}

async fn wait_for_interrupt() {
    while !is_interrupted() {
        tokio::time::sleep(INTERRUPT_CHECK).await;
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
        let err = |kind| TransportError::new(kind, true, Duration::from_secs(1));
        for kind in [Kind::Refused, Kind::Timeout, Kind::Reset, Kind::Body] {
            assert!(err(kind.clone()).is_transient(), "{kind:?}");
        }
        for kind in [
            Kind::Tls,
            Kind::Dns,
            Kind::Interrupted,
            Kind::NotHttp,
            Kind::TooLarge {
                limit: 1,
                announced: None,
            },
        ] {
            assert!(!err(kind.clone()).is_transient(), "{kind:?}");
        }
    }

    #[test]
    fn tls_hints_never_name_a_flag_already_given() {
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let (_, hint) = explain_tls(&unknown, &Tls::default());
        assert!(hint.unwrap().contains("--ca-cert"));
        let given = Tls {
            ca_cert: Some("ca.pem".into()),
            insecure: false,
        };
        let (_, hint) = explain_tls(&unknown, &given);
        let hint = hint.unwrap();
        assert!(
            !hint.contains("--ca-cert") && hint.contains("ca.pem"),
            "{hint}"
        );
        let ca = rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
            Arc::new(webpki::Error::CaUsedAsEndEntity),
        )));
        let (_, hint) = explain_tls(&ca, &given);
        assert!(!hint.unwrap().contains("--ca-cert"));
    }
}
