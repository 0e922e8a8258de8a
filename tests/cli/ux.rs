//! Ids, escaping, tables and messages: what a hostile id, a hostile server or a new user's
//! typo makes of podctl's output and requests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::support::{minimal, Podctl, Sim};

/// A loopback server that answers every request with `answer(request line)` and records the
/// request lines; it stops on its own after 20 s so no test hangs.
struct Recorder {
    url: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start(answer: fn(&str) -> (u16, String)) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&lines);
        std::thread::spawn(move || {
            listener.set_nonblocking(true).unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while std::time::Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim_end().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let line = line.trim_end().to_string();
                let (status, body) = answer(&line);
                seen.lock().unwrap().push(line);
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let mut stream = stream;
                let _ = stream.write_all(resp.as_bytes());
            }
        });
        Recorder { url, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

/// Issue 11.1: `pod remove ../deployments/<id>` sent `DELETE /v2/deployments/<id>`.
#[test]
fn ids_with_dot_segments_are_refused_before_any_request() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for args in [
        &["pod", "remove", "../deployments/5ed4c0c5"][..],
        &["pod", "remove", "/prod/../../deployments/x", "--force"],
        &["pod", "show", "./web"],
        &["pod", "update", "a/./b", "web.json"],
        &["pod", "kill", "../x", "web.instance-1"],
        &["pod", "versions", "web/.."],
        &["deployment", "stop", ".."],
        &["deployment", "stop", "."],
        &["deployment", "rollback", ""],
        &["deployment", "watch", ".."],
    ] {
        let out = podctl.run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:#?}");
    }
    assert_eq!(sim.requests(), Vec::<String>::new());

    // Behind a DC/OS path prefix, `..` would have reached other services with the token.
    let server = Recorder::start(|_| (200, "{}".into()));
    let out = Podctl::new()
        .env("PODCTL_URL", &format!("{}/service/marathon", server.url))
        .env("PODCTL_TOKEN", "secret")
        .run(&["pod", "remove", "../../../../secrets/v1/secret/default/db"]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("'..' segment"), "{out:#?}");
    assert_eq!(server.lines(), Vec::<String>::new());
}

/// Deployment ids are percent-encoded: none of these can leave `/v2/deployments/`.
#[test]
fn deployment_ids_stay_one_path_segment() {
    let server = Recorder::start(|_| (404, r#"{"message":"not found"}"#.into()));
    let podctl = Podctl::new().env("PODCTL_URL", &server.url);
    for id in [
        "%2e%2e",
        "%2E%2e/pods",
        "../pods/web",
        "a?force=true#x",
        "..\\x",
    ] {
        podctl.run(&["deployment", "stop", id]);
    }
    let lines = server.lines();
    assert_eq!(lines.len(), 5, "{lines:?}");
    for line in &lines {
        let path = line.split(' ').nth(1).unwrap();
        let rest = path.strip_prefix("/v2/deployments/").unwrap_or_else(|| {
            panic!("{line} left /v2/deployments/");
        });
        let segment = rest.strip_suffix("?force=true").unwrap();
        assert!(
            !segment.contains('/') && !segment.contains('?') && !segment.contains('#'),
            "{line}"
        );
        assert!(!segment.to_ascii_lowercase().starts_with("%2e"), "{line}");
    }
    assert!(
        lines[0].contains("/v2/deployments/%252e%252e?force=true"),
        "{lines:?}"
    );
}

/// Issue 11.13: `--no-validate` sent `null` and `[]`, and ids Marathon can never address.
#[test]
fn no_validate_still_refuses_non_objects_and_over_long_ids() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for (text, said) in [
        ("null", "a pod definition must be a JSON object, got null"),
        ("[]", "a pod definition must be a JSON object, got an array"),
    ] {
        let out = podctl.run_with_stdin(&["pod", "add", "--no-validate", "-"], text);
        let err = out.fails(3);
        assert!(err.contains(said), "{out:#?}");
    }
    let long = format!("/{}", "a".repeat(100_000));
    let out = podctl.run_with_stdin(&["pod", "add", "--no-validate", "-"], &minimal(&long));
    assert!(
        out.fails(3)
            .contains("pod ids are limited to 200 characters"),
        "{out:#?}"
    );
    for args in [
        &["pod", "remove", long.as_str()][..],
        &["pod", "show", long.as_str()],
        &["pod", "update", long.as_str(), "-"],
    ] {
        let out = podctl.run(args);
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stderr.contains("limited to 200 characters"), "{out:#?}");
    }
    assert_eq!(sim.requests(), Vec::<String>::new());
}
