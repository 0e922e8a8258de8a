//! Hostile and broken servers: a body that drips, never ends, is cut, or is huge; error
//! messages that go on forever; answers of the wrong shape; TLS the usual self-signed way;
//! Ctrl-C while a request is in flight. podctl must stay within its deadlines and limits, say
//! what happened, and exit with the documented code.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::loopback::{respond, Server, JSON};
use crate::support::{eventually, Podctl, Sim};

/// A loopback server answering request `n` (from 0) with `answer(stream, n)`, after reading the
/// request; returns its URL and the server (for the requests it got: `count()`, `heads()`).
pub fn hostile(answer: impl Fn(&mut TcpStream, usize) + Send + Sync + 'static) -> (String, Server) {
    let server = Server::start(move |_, n, stream| answer(stream, n));
    (server.url.clone(), server)
}

/// Writes a whole JSON answer with this status (`"200 OK"`; the number is what counts).
pub fn reply(stream: &mut TcpStream, status: &str, body: &[u8]) {
    let code = status
        .split(' ')
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not a status: {status:?}"));
    respond(stream, code, &[JSON], body);
}

/// The pace of a deliberately slow server (not a test waiting): sends a header promising 1000
/// bytes, then one byte every 100 ms until the client leaves.
pub fn drip(stream: &mut TcpStream) {
    const PACE: Duration = Duration::from_millis(100);
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n[");
    for _ in 0..6000 {
        std::thread::sleep(PACE);
        if stream.write_all(b" ").is_err() {
            return;
        }
    }
}

/// Holds the connection open without answering, until the client leaves (or 10 minutes).
pub fn silent(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(600)));
    let mut buf = [0u8; 64];
    let _ = stream.read(&mut buf);
}

fn podctl(url: &str) -> Podctl {
    Podctl::new().env("PODCTL_URL", url)
}

#[test]
fn a_dripping_body_is_bounded_by_the_request_timeout() {
    let (url, _) = hostile(|s, _| drip(s));
    for args in [
        &["pod", "list", "--request-timeout", "1s"][..],
        &["pod", "show", "/web", "--request-timeout", "1s"],
        &["pod", "list", "--json", "--request-timeout", "1s"],
    ] {
        let err = podctl(&url).run(args).fails(6).to_string();
        assert!(err.contains("timed out") && err.contains("1s"), "{err}");
    }
    // A definition fetched from a URL has the same deadline.
    let out = Podctl::new().run(&[
        "pod",
        "add",
        &format!("{url}/pod.json"),
        "--request-timeout",
        "1s",
    ]);
    let err = out.fails(6);
    assert!(err.contains("timed out"), "{err}");
}

#[test]
fn huge_bodies_are_refused_at_the_limit() {
    // Announced: refused before reading.
    let (url, _) = hostile(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n[");
    });
    let err = podctl(&url).run(&["pod", "list"]).fails(6).to_string();
    assert!(err.contains("larger than 256 MiB"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // Not announced: podctl stops reading at the limit instead of growing without bound.
    let (url, _) = hostile(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n[");
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..300 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let out = podctl(&url).run(&["deployment", "list"]);
    let err = out.fails(6);
    assert!(err.contains("larger than 256 MiB"), "{err}");
}

#[test]
fn long_server_messages_are_cut_and_escaped() {
    let message = format!("bad\u{1b}[31m\u{202e}\u{9b}{}", "x".repeat(100_000));
    let body = serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap();
    let (url, _) = hostile(move |s, _| reply(s, "500 Internal Server Error", &body));
    let err = podctl(&url).run(&["pod", "list"]).fails(1).to_string();
    assert!(err.len() < 1000, "{} bytes: {}", err.len(), &err[..300]);
    assert!(err.contains("more characters not shown"), "{err}");
    for raw in ['\u{1b}', '\u{202e}', '\u{9b}'] {
        assert!(!err.contains(raw), "{raw:?} in {err:?}");
    }

    // An error body over the 1 MiB error limit is not read to the end.
    let (url, _) = hostile(|s, _| {
        let _ = s.write_all(
            b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n{\"message\":\"",
        );
        let chunk = vec![b'y'; 1 << 20];
        for _ in 0..100 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let err = podctl(&url).run(&["pod", "list"]).fails(1).to_string();
    assert!(err.contains("HTTP 500") && err.contains("1 MiB"), "{err}");
    assert!(err.len() < 1000, "{err}");
}

#[test]
fn a_body_cut_midway_is_a_transport_error_retried_for_reads() {
    // The first answer breaks off; the second is whole.
    let (url, count) = hostile(|s, n| {
        if n == 0 {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{\"id\":");
        } else {
            reply(s, "200 OK", b"[]");
        }
    });
    let out = podctl(&url).run(&["pod", "list"]);
    assert!(out.stderr.contains("No pods."), "{out:#?}");
    out.ok();
    assert_eq!(count.count(), 2);

    // Always cut: exit 6 (not "bad JSON", exit 1).
    let (url, count) = hostile(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{\"id\":");
    });
    let err = podctl(&url).run(&["pod", "list"]).fails(6).to_string();
    assert!(
        err.contains("closed before the answer was complete"),
        "{err}"
    );
    assert!(count.count() >= 2, "retried");

    // A write is never retried, and the message says it may have been applied.
    let (url, count) = hostile(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{");
    });
    let err = podctl(&url)
        .run(&["pod", "add", "examples/web.json"])
        .fails(6)
        .to_string();
    assert!(err.contains("may or may not have been applied"), "{err}");
    assert!(err.contains("podctl deployment list"), "{err}");
    assert_eq!(count.count(), 1, "writes are never retried");
}

#[test]
fn a_write_that_times_out_may_have_been_applied() {
    let (url, _) = hostile(|s, _| silent(s));
    let out = podctl(&url).run(&["pod", "add", "examples/web.json", "--request-timeout", "1s"]);
    let err = out.fails(6);
    assert!(!err.contains("cannot reach"), "{err}");
    assert!(err.contains("may or may not have been applied"), "{err}");
    assert!(err.contains("podctl deployment list"), "{err}");
}

#[test]
fn ctrl_c_cancels_a_request_in_flight() {
    for (args, write) in [
        (&["pod", "list"][..], false),
        (&["pod", "add", "examples/web.json"][..], true),
    ] {
        let (url, count) = hostile(|s, _| silent(s));
        let running = podctl(&url).spawn(args);
        eventually("the request to arrive", || count.count() > 0);
        running.interrupt();
        let out = running.finish();
        let err = out.fails(130);
        assert!(err.contains("interrupted"), "{err}");
        assert_eq!(
            err.contains("may or may not have been applied")
                && err.contains("podctl deployment list"),
            write,
            "{err}"
        );
    }
}

#[test]
fn json_output_has_the_shape_the_table_reads() {
    for (body, args) in [
        (&b"5"[..], &["pod", "list", "--json"][..]),
        (b"{}", &["pod", "list", "--json"]),
        (b"[null]", &["pod", "list", "--json"]),
        (b"[{\"id\": \"/a\xff\"}]", &["pod", "list", "--json"]),
        (b"[{\"id\": \"/web\"}]", &["pod", "show", "/web", "--json"]),
        (b"{}", &["pod", "show", "/web", "--json"]),
    ] {
        let body = body.to_vec();
        let (url, _) = hostile(move |s, _| reply(s, "200 OK", &body));
        let out = podctl(&url).run(args);
        let err = out.fails(1);
        assert!(err.contains("expected JSON format"), "{args:?}: {err}");
        assert_eq!(out.stdout, "", "nothing half-checked on stdout");
    }
    let (url, _) = hostile(|s, _| reply(s, "200 OK", b"[{\"id\": \"/web\"}]"));
    assert_eq!(
        podctl(&url).run(&["pod", "list", "--json"]).json()[0]["id"],
        "/web"
    );
    let (url, _) = hostile(|s, _| reply(s, "200 OK", b"{\"id\": \"/web\"}"));
    assert_eq!(
        podctl(&url).run(&["pod", "show", "/web", "--json"]).json()["id"],
        "/web"
    );
}

/// A self-signed certificate for 127.0.0.1 marked as a CA, as `openssl req -x509` makes it.
fn self_signed(dir: &std::path::Path, name: &str) -> (String, String) {
    certificate(dir, name, false)
}

fn certificate(dir: &std::path::Path, name: &str, expired: bool) -> (String, String) {
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    if expired {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    }
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (
        cert_path.display().to_string(),
        key_path.display().to_string(),
    )
}

#[test]
fn a_self_signed_certificate_given_with_ca_cert_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path(), "server");
    let (other, _) = self_signed(dir.path(), "other");
    let sim = Sim::with_args(&["--deploy-time", "0", "--tls-cert", &cert, "--tls-key", &key]);
    let podctl = sim.podctl();

    assert_eq!(
        podctl.run(&["pod", "list", "-q", "--ca-cert", &cert]).ok(),
        ""
    );
    let trusted = sim.podctl().env("DCOS_SSL_VERIFY", &cert);
    trusted.run(&["pod", "add", "examples/web.json"]).ok();
    assert_eq!(trusted.run(&["pod", "list", "-q"]).ok(), "/web\n");

    // Not given: the hint says how to trust it.
    let err = podctl.run(&["pod", "list"]).fails(6).to_string();
    assert!(
        err.contains("CA certificate") && err.contains("--ca-cert"),
        "{err}"
    );

    // Another certificate given: why it failed, without telling to pass the flag again.
    let err = podctl
        .run(&["pod", "list", "--ca-cert", &other])
        .fails(6)
        .to_string();
    assert!(err.contains(&other), "{err}");
    assert!(!err.contains("--ca-cert"), "{err}");
    assert!(!err.contains("CaUsedAsEndEntity"), "{err}");

    // The right certificate for another name is still refused.
    let by_name = sim.url.replace("127.0.0.1", "localhost");
    let err = podctl
        .run(&["pod", "list", "--ca-cert", &cert, "--url", &by_name])
        .fails(6)
        .to_string();
    assert!(err.contains("not valid for this host name"), "{err}");

    // Given, but expired: refused, and said so.
    let (expired, expired_key) = certificate(dir.path(), "expired", true);
    let old = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--tls-cert",
        &expired,
        "--tls-key",
        &expired_key,
    ]);
    let err = old
        .podctl()
        .run(&["pod", "list", "--ca-cert", &expired])
        .fails(6)
        .to_string();
    assert!(err.contains("expired"), "{err}");
}

#[test]
fn plain_http_to_an_https_server_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path(), "server");
    let sim = Sim::with_args(&["--deploy-time", "0", "--tls-cert", &cert, "--tls-key", &key]);
    let plain = sim.url.replacen("https://", "http://", 1);
    let err = podctl(&plain).run(&["pod", "list"]).fails(6).to_string();
    assert!(err.contains("HTTPS") && err.contains("https://"), "{err}");
    assert!(!err.contains("invalid HTTP version"), "{err}");
}

#[test]
fn completion_tries_once_within_its_deadline() {
    // A server that never answers: completion gives up by itself, silently, after one try.
    let (url, count) = hostile(|s, _| silent(s));
    let complete = |url: &str| {
        podctl(url)
            .env("COMPLETE", "fish")
            .run(&["--", "podctl", "pod", "show", ""])
    };
    let out = complete(&url);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(out.stderr, "");
    assert!(out.stdout.lines().all(|l| l.starts_with('-')), "{out:#?}");
    assert_eq!(count.count(), 1);

    // A cut answer would be retried by commands; completion does not retry.
    let (url, count) = hostile(|s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[");
    });
    assert_eq!(complete(&url).code, 0);
    assert_eq!(count.count(), 1);
}

#[test]
fn definitions_from_urls_use_the_tls_settings_and_never_follow_redirects() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path(), "server");
    let sim = Sim::with_args(&["--deploy-time", "0", "--tls-cert", &cert, "--tls-key", &key]);
    // `GET /v2/pods` answers `[]`, not a definition: what matters here is the TLS handshake.
    let url = format!("{}/v2/pods", sim.url);
    let err = Podctl::new()
        .run(&["pod", "add", &url])
        .fails(6)
        .to_string();
    assert!(err.contains("TLS") && err.contains("--ca-cert"), "{err}");
    let out = Podctl::new().run(&["pod", "add", &url, "--ca-cert", &cert]);
    let err = out.fails(3);
    assert!(!err.contains("TLS"), "{out:#?}");

    let (target, hits) = hostile(|s, _| reply(s, "200 OK", b"{}"));
    let location = format!("{target}/pod.json");
    let (redirecting, _) = hostile(move |s, _| {
        let head =
            format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
        let _ = s.write_all(head.as_bytes());
    });
    let err = Podctl::new()
        .run(&["pod", "add", &format!("{redirecting}/pod.json")])
        .fails(1)
        .to_string();
    assert!(err.contains("redirect"), "{err}");
    assert_eq!(hits.count(), 0, "the redirect was not followed");
}

#[test]
fn a_wait_never_overshoots_its_timeout() {
    // Every status poll would take a minute: the wait still ends at its own deadline.
    let sim = Sim::with_args(&[
        "--deploy-time",
        "60s",
        "--fault",
        "GET /v2/pods/web::status=slow=60s",
    ]);
    let args = [
        "pod",
        "add",
        "examples/web.json",
        "--wait",
        "--timeout",
        "2s",
        "--interval",
        "100ms",
    ];
    let out = sim.podctl().run(&args);
    let err = out.fails(8);
    let last = err.lines().last().unwrap();
    assert!(last.contains("timed out after 2s"), "{err}");

    let id = sim
        .podctl()
        .run(&["deployment", "list", "-q"])
        .ok()
        .trim()
        .to_string();
    let args = [
        "deployment",
        "watch",
        &id,
        "--timeout",
        "2s",
        "--interval",
        "100ms",
    ];
    let out = sim.podctl().run(&args);
    assert!(out.fails(8).contains("timed out after 2s"), "{out:#?}");
}

#[test]
fn a_deployment_over_at_once_needs_no_whole_interval() {
    let sim = Sim::start();
    // The interval is longer than the hang guard: waiting one would fail the test.
    let args = [
        "pod",
        "add",
        "examples/web.json",
        "--wait",
        "--interval",
        "10m",
        "--timeout",
        "20m",
    ];
    let out = sim.podctl().run(&args);
    out.ok();
    assert!(out.stderr.contains("Done in"), "{out:#?}");
}

#[test]
fn a_wait_out_of_time_never_reports_the_goal_as_pending() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for (i, timeout) in ["1ms", "20ms", "100ms"].iter().enumerate() {
        let path = podctl.dir().join("pod.json");
        std::fs::write(&path, crate::support::minimal(&format!("/p{i}"))).unwrap();
        let out = podctl.run(&[
            "pod",
            "add",
            path.to_str().unwrap(),
            "--wait",
            "--timeout",
            timeout,
            "--interval",
            "10ms",
        ]);
        if out.code == 8 {
            let last = out.stderr.lines().last().unwrap();
            assert!(!last.contains("deployment finished"), "{out:#?}");
            assert!(!last.contains("instances ready;"), "{out:#?}");
        } else {
            out.ok();
        }
    }
}

#[test]
fn proxies_come_from_the_environment() {
    let (proxy, seen) = hostile(|s, _| reply(s, "200 OK", b"[]"));
    let out = Podctl::new()
        .env("PODCTL_URL", "http://marathon.example:8080")
        .env("HTTP_PROXY", &proxy)
        .run(&["pod", "list"]);
    out.ok();
    let heads = seen.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("GET http://marathon.example:8080/v2/pods/::status "),
        "{heads:?}"
    );

    // NO_PROXY names the hosts reached directly.
    let (direct, direct_seen) = hostile(|s, _| reply(s, "200 OK", b"[]"));
    Podctl::new()
        .env("PODCTL_URL", &direct)
        .env("HTTP_PROXY", &proxy)
        .env("NO_PROXY", "127.0.0.1")
        .run(&["pod", "list"])
        .ok();
    assert_eq!(direct_seen.count(), 1);
    assert_eq!(seen.count(), 1, "the proxy was not used");
}

#[test]
fn a_token_that_cannot_be_a_header_is_refused_without_being_shown() {
    let (url, seen) = hostile(|s, _| reply(s, "200 OK", b"[]"));
    let err = podctl(&url)
        .run(&["pod", "list", "--token", "secret\nvalue"])
        .fails(2)
        .to_string();
    assert!(err.contains("token"), "{err}");
    assert!(!err.contains("secret"), "{err}");
    assert_eq!(seen.count(), 0, "nothing was sent without the credential");
}

#[test]
fn a_deployment_id_from_the_server_is_escaped_in_wait_messages() {
    // The rollback's id comes from the server's body; it never finishes, so the wait times out
    // and names it in its last line.
    let evil = "d\u{1b}]0;owned\u{7}\u{202e}";
    let deployment = |id: &str| {
        serde_json::json!({
            "id": id, "version": "2026-01-01T00:00:00.000Z", "affectedPods": [],
            "affectedApps": [], "steps": [], "currentActions": [], "currentStep": 1,
            "totalSteps": 1
        })
    };
    let listed =
        serde_json::to_vec(&serde_json::json!([deployment("d1"), deployment(evil)])).unwrap();
    let rollback = serde_json::to_vec(&serde_json::json!({ "deploymentId": evil })).unwrap();
    // The rollback looks the deployment up, deletes it, then polls the list.
    let server = Server::start(move |request, _, s| match request.method.as_str() {
        "DELETE" => respond(s, 200, &[JSON], &rollback),
        _ => respond(s, 200, &[JSON], &listed),
    });
    let args = [
        "deployment",
        "rollback",
        "d1",
        "--wait",
        "--timeout",
        "1s",
        "--interval",
        "50ms",
    ];
    let out = podctl(&server.url).run(&args);
    let err = out.fails(8);
    for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!err.contains(raw), "{raw:?} in {err:?}");
        assert!(!out.stdout.contains(raw), "{raw:?} in {:?}", out.stdout);
    }
    assert!(err.contains("owned"), "{err}");
}

#[test]
fn the_response_limit_can_be_raised_or_lowered() {
    // A 200 KiB list of (empty) deployments.
    let mut body = b"[".to_vec();
    body.extend(std::iter::repeat_n(b' ', 200 * 1024));
    body.push(b']');
    let body = std::sync::Arc::new(body);
    let served = body.clone();
    let (url, _) = hostile(move |s, _| reply(s, "200 OK", &served));

    let err = podctl(&url)
        .run(&["deployment", "list", "--max-response", "64KiB"])
        .fails(6)
        .to_string();
    assert!(err.contains("larger than 64 KiB"), "{err}");
    let err = podctl(&url)
        .env("PODCTL_MAX_RESPONSE", "100KiB")
        .run(&["deployment", "list"])
        .fails(6)
        .to_string();
    assert!(err.contains("larger than 100 KiB"), "{err}");
    podctl(&url)
        .env("PODCTL_MAX_RESPONSE", "100KiB")
        .run(&["deployment", "list", "--max-response", "1MiB"])
        .ok();

    let err = podctl(&url)
        .run(&["deployment", "list", "--max-response", "lots"])
        .fails(2)
        .to_string();
    assert!(
        err.contains("--max-response") && err.contains("not a size"),
        "{err}"
    );
    let err = podctl(&url)
        .env("PODCTL_MAX_RESPONSE", "1KiB")
        .run(&["deployment", "list"])
        .fails(2)
        .to_string();
    assert!(
        err.contains("PODCTL_MAX_RESPONSE") && err.contains("out of range"),
        "{err}"
    );
}
