//! The one loopback HTTP server for tests that need a server other than the simulator: one that
//! records what podctl sends, answers by path or by order, or misbehaves on purpose.
//!
//! It listens on `127.0.0.1:0` and accepts (blocking) in a background thread; each connection gets
//! its own thread, which reads one request, records it, hands it to the test's `answer` closure
//! with its index (0, 1, ... in the order requests arrived) and the stream, then closes the
//! connection. The closure writes what it likes: a whole answer with [`respond`], or raw bytes
//! for broken servers (a cut body, a huge one, nothing at all).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// The longest request head read; a longer one is dropped (the client is then told nothing).
const MAX_HEAD: u64 = 64 * 1024;

/// One request as received, parsed once.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target as sent: a path with its query, or a whole URL through a proxy.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The request line and headers as they came, up to the blank line.
    pub head: String,
}

impl Request {
    /// The request line without its line end: `GET /v2/pods HTTP/1.1`.
    pub fn line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The first header with this name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8; fails the test when it is not.
    #[track_caller]
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// What a server has received: every request so far, in order, and how many came in all.
#[derive(Default)]
struct Log {
    requests: Vec<Request>,
    total: usize,
}

/// A running loopback server; clones share it. It serves until the test process ends.
#[derive(Clone)]
pub struct Server {
    pub url: String,
    log: Arc<Mutex<Log>>,
}

impl Server {
    /// Starts a server that answers request number `n` (from 0) with `answer(request, n, stream)`.
    pub fn start(
        answer: impl Fn(&Request, usize, &mut TcpStream) + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Log::default()));
        let server = Server {
            url,
            log: log.clone(),
        };
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (answer, log) = (answer.clone(), log.clone());
                std::thread::spawn(move || {
                    let Some(request) = read_request(&mut stream) else {
                        return;
                    };
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.requests.push(request.clone());
                        log.total += 1;
                        log.total - 1
                    };
                    answer(&request, n, &mut stream);
                });
            }
        });
        server
    }

    /// A server that answers every request with this status and JSON body.
    pub fn always(status: u16, body: &'static str) -> Server {
        Server::start(move |_, _, s| respond(s, status, &[JSON], body.as_bytes()))
    }

    /// The requests received so far (since the last [`Server::take`]), in order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().requests.clone()
    }

    /// Their request lines.
    pub fn lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.line().to_string())
            .collect()
    }

    /// Their heads (request line and headers).
    pub fn heads(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.head).collect()
    }

    /// How many requests were received so far (since the last [`Server::take`]).
    pub fn count(&self) -> usize {
        self.log.lock().unwrap().requests.len()
    }

    /// Returns the requests received so far and forgets them; indexes go on counting.
    pub fn take(&self) -> Vec<Request> {
        std::mem::take(&mut self.log.lock().unwrap().requests)
    }
}

/// `Content-Type: application/json`.
pub const JSON: (&str, &str) = ("Content-Type", "application/json");

/// Writes a whole answer and asks the client to close: the status line, `headers`,
/// `Content-Length` and `body`. A client that went away is not an error.
pub fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        302 => "Found",
        307 => "Temporary Redirect",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Reads one request (head and `Content-Length` body); `None` when the client went away first
/// or sent something that is not a request.
fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?.take(MAX_HEAD));
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(Some(0), |(_, v)| v.parse::<u64>().ok())?;
    // The head limit was for the head: now allow the rest of the body beyond what is buffered.
    let buffered = reader.buffer().len() as u64;
    reader.get_mut().set_limit(length.saturating_sub(buffered));
    let mut body = Vec::new();
    reader.read_to_end(&mut body).ok()?;
    body.truncate(usize::try_from(length).ok()?);
    if body.len() as u64 != length {
        return None;
    }
    Some(Request {
        method,
        target,
        headers,
        body,
        head,
    })
}
