//! The simulator's own serving: many connections at once, a real reset, a graceful stop on
//! SIGTERM and SIGINT. Spoken to over raw sockets, so that what is on the wire is what is seen.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use crate::support::{eventually, Sim};

/// Connections held open at once by the concurrency test.
const CLIENTS: usize = 200;

/// A generous bound on any one read, so that a broken simulator fails the test instead of
/// hanging it.
const READ_BOUND: Duration = Duration::from_secs(30);

/// `podctl sim --port 0` with `args`, deployments instant, its request log off.
fn spawn_sim(args: &[&str]) -> Sim {
    let mut all = vec!["--quiet-log", "--deploy-time", "0"];
    all.extend(args);
    Sim::with_args(&all)
}

fn connect(addr: &str) -> BufReader<TcpStream> {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_BOUND)).unwrap();
    BufReader::new(stream)
}

/// Sends `GET path` on a kept-alive connection and reads the answer: status and body. Never
/// panics: anything unexpected is an error.
fn get(conn: &mut BufReader<TcpStream>, path: &str) -> std::io::Result<(u16, String)> {
    let invalid = |what: String| std::io::Error::new(ErrorKind::InvalidData, what);
    write!(conn.get_mut(), "GET {path} HTTP/1.1\r\nHost: sim\r\n\r\n")?;
    let mut status_line = String::new();
    if conn.read_line(&mut status_line)? == 0 {
        return Err(ErrorKind::UnexpectedEof.into());
    }
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("not a status line: {status_line:?}")))?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        conn.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| invalid(format!("bad length: {line:?}")))?;
            }
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body)?;
    let body = String::from_utf8(body).map_err(|e| invalid(e.to_string()))?;
    Ok((status, body))
}

/// How many threads the process runs, on Linux (where `/proc` says).
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> Option<usize> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()
        .map(|tasks| tasks.count())
}

#[test]
fn two_hundred_connections_at_once_are_all_answered_on_few_threads() {
    let sim = spawn_sim(&[]);
    let addr = sim.addr().to_string();
    // Every client holds its connection open until all have been answered once, then asks again
    // on the same connection: all 200 are open and served at the same time.
    let all_answered = Arc::new(Barrier::new(CLIENTS + 1));
    let all_asked_again = Arc::new(Barrier::new(CLIENTS + 1));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let addr = addr.clone();
            let (all_answered, all_asked_again) =
                (Arc::clone(&all_answered), Arc::clone(&all_asked_again));
            std::thread::spawn(move || {
                // No panic before the barriers, which would leave the others waiting forever.
                let mut conn = TcpStream::connect(&addr).map(|stream| {
                    let _ = stream.set_read_timeout(Some(READ_BOUND));
                    BufReader::new(stream)
                });
                let first = conn.as_mut().ok().map(|c| get(c, "/v2/pods"));
                all_answered.wait();
                all_asked_again.wait();
                let second = conn.as_mut().ok().map(|c| get(c, "/v2/deployments"));
                (first.and_then(Result::ok), second.and_then(Result::ok))
            })
        })
        .collect();
    all_answered.wait();
    #[cfg(target_os = "linux")]
    {
        // Not a thread per connection: far fewer threads than open connections.
        let threads = threads(sim.pid()).unwrap();
        assert!(threads < 50, "{threads} threads for {CLIENTS} connections");
    }
    all_asked_again.wait();
    let answers: Vec<_> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let expected = (Some((200, "[]".to_string())), Some((200, "[]".to_string())));
    let wrong: Vec<_> = answers.iter().filter(|a| **a != expected).collect();
    assert!(wrong.is_empty(), "{} wrong answers: {wrong:?}", wrong.len());
    assert_eq!(answers.len(), CLIENTS);
}

#[test]
fn a_reset_fault_resets_the_connection_without_an_answer() {
    let _sim = spawn_sim(&["--fault", "GET /v2/pods=resetx1"]);
    let addr = _sim.addr().to_string();
    let mut conn = connect(&addr);
    let answer = get(&mut conn, "/v2/pods");
    let error = answer.expect_err("no answer at all");
    // A real RST, not an orderly close nor an empty answer.
    assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
    // The next connection is answered as usual.
    let mut conn = connect(&addr);
    assert_eq!(get(&mut conn, "/v2/pods").unwrap(), (200, "[]".to_string()));
}

/// Sends `signal` to the simulator while a client holds an idle kept-alive connection and another
/// waits on a slow answer: the simulator exits 0, and the idle connection is closed.
fn stops_on(signal: &str) {
    let mut sim = spawn_sim(&["--fault", "GET /v2/queue=slow=1h"]);
    let addr = sim.addr().to_string();
    let mut idle = connect(&addr);
    assert_eq!(get(&mut idle, "/v2/pods").unwrap(), (200, "[]".to_string()));
    let mut waiting = connect(&addr);
    write!(
        waiting.get_mut(),
        "GET /v2/queue HTTP/1.1\r\nHost: sim\r\n\r\n"
    )
    .unwrap();
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &sim.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut exit = None;
    eventually("the simulator to exit", || {
        exit = sim.process().try_wait().unwrap();
        exit.is_some()
    });
    assert_eq!(exit.and_then(|e| e.code()), Some(0), "{signal}: {exit:?}");
    // Closed, not left hanging: the read ends at once.
    let mut rest = Vec::new();
    let read = idle.read_to_end(&mut rest);
    assert!(read.is_ok_and(|n| n == 0), "{signal}: {rest:?}");
}

#[test]
fn sigterm_and_sigint_stop_the_simulator_gracefully() {
    stops_on("TERM");
    stops_on("INT");
}

#[test]
fn a_client_that_shuts_its_sending_side_still_gets_the_answer() {
    // As `printf 'GET ...' | nc` does: the request, then end of input, then the answer is read.
    let _sim = spawn_sim(&["--fault", "GET /v2/queue=slow=200ms"]);
    let addr = _sim.addr().to_string();
    for path in ["/v2/pods", "/v2/queue"] {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream.set_read_timeout(Some(READ_BOUND)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: sim\r\n\r\n").unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200 OK\r\n"),
            "{path}: {answer:?}"
        );
    }
}

#[test]
fn a_head_answer_states_its_length_and_has_no_body() {
    let _sim = spawn_sim(&[]);
    let addr = _sim.addr().to_string();
    for (path, status, length) in [
        ("/v2/pods", "200 OK", "0"),
        ("/v2/nothing", "500 Internal Server Error", "27"),
    ] {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream.set_read_timeout(Some(READ_BOUND)).unwrap();
        write!(
            stream,
            "HEAD {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}\r\n")),
            "{head}"
        );
        let declared = head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .map(|(_, value)| value.trim().to_string())
        });
        assert_eq!(declared.as_deref(), Some(length), "{path}: {head}");
        assert_eq!(body, "", "{path}");
    }
}
