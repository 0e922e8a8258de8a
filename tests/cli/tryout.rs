//! Found by trying podctl as a new user and as a hostile server would, after the hardening of
//! issues 11 and 12: each test pins one defect that was found that way.

use crate::support::{Podctl, Sim};

/// A base URL with a query or a fragment cannot be a Marathon base URL: podctl appended the
/// API path after the `?` (`GET /a?x=1/v2/pods/web::status`) or dropped it after the `#`, so
/// `pod remove web` sent `DELETE` to the base URL itself. It is refused before any request.
#[test]
fn a_base_url_with_a_query_or_fragment_is_refused_before_any_request() {
    let sim = Sim::start();
    for suffix in ["#x", "/?x=1", "?token=hunter2"] {
        let url = format!("{}{suffix}", sim.url);
        let out = sim.podctl().run(&["--url", &url, "pod", "remove", "web"]);
        let err = out.fails(2);
        assert!(err.contains("query or fragment"), "{out:#?}");
        assert!(!err.contains("hunter2"), "{out:#?}");
        assert_eq!(err.lines().count(), 1, "{out:#?}");
    }
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

/// `pod validate URL` named the URL twice (`URL: fetching pod definition from URL: ...`), as it
/// once did files: the line starts with the URL, so the rest says only what went wrong.
#[test]
fn validate_names_an_unreachable_url_once() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/web.json", listener.local_addr().unwrap());
    drop(listener);
    let out = Podctl::new().run(&["pod", "validate", &url]);
    out.fails(1);
    assert_eq!(out.stdout.matches(&url).count(), 1, "{out:#?}");
    assert!(out.stdout.starts_with(&format!("{url}: ")), "{out:#?}");
}

/// `deployment watch --timeout` bounded the polls but not the first look-up of the deployment,
/// so a slow `GET /v2/deployments` held it for the whole request timeout (20 s here, 60 s by
/// default) and it then failed as unreachable. The look-up is part of the watch.
#[test]
fn deployment_watch_bounds_its_first_lookup_by_its_timeout() {
    let sim = Sim::with_args(&["--fault", "GET /v2/deployments=slow=600s"]);
    let out = sim
        .podctl()
        .spawn(&[
            "deployment",
            "watch",
            "00000000-0000-4000-8000-000000000001",
            "--timeout",
            "1s",
            "--request-timeout",
            "20s",
        ])
        .finish();
    let err = out.fails(8);
    assert!(err.contains("timed out after 1s"), "{out:#?}");
    assert_eq!(err.lines().count(), 1, "{out:#?}");
}

/// Ctrl-C exits 130 during a request too, not only while waiting (README's exit codes), but
/// `podctl --help` said "while waiting", so a script author could not tell why a plain
/// `pod remove` exited 130 or that the write may have been applied.
#[test]
fn help_says_ctrl_c_also_cancels_a_request() {
    let out = Podctl::new().run(&["--help"]);
    let line = out
        .ok()
        .lines()
        .find(|l| l.starts_with("130"))
        .unwrap_or_default()
        .to_string();
    assert!(line.contains("request"), "{out:#?}");
}

/// `--insecure` (or `DCOS_SSL_VERIFY=false`) skipped verification of a definition fetched over
/// https without the warning the README promises "every time"; only Marathon's URL got one.
#[test]
fn an_unverified_definition_url_gets_the_insecure_warning() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/web.json", listener.local_addr().unwrap());
    drop(listener);
    let flag = Podctl::new().run(&["pod", "validate", "--insecure", &url]);
    let env = Podctl::new()
        .env("DCOS_SSL_VERIFY", "false")
        .run(&["pod", "validate", &url]);
    for out in [flag, env] {
        let warning = out
            .stderr
            .lines()
            .find(|l| l.starts_with("warning: TLS certificates are not verified"))
            .unwrap_or_else(|| panic!("no warning: {out:#?}"))
            .to_string();
        assert!(warning.contains(&url), "{out:#?}");
    }
}

/// An id of 200 characters typed without its leading `/` was refused as "201 characters long":
/// the limit counts the `/`, and the message must say so, or the count looks wrong.
#[test]
fn the_id_length_message_says_the_slash_counts() {
    let id = "a".repeat(200);
    let out = Podctl::new().run(&["--url", "http://127.0.0.1:9", "pod", "show", &id]);
    let err = out.fails(2);
    assert!(
        err.contains("201 characters long with its leading '/'"),
        "{out:#?}"
    );
}

/// A server whose answer has headers without end was reported as "it seems to speak HTTPS: use
/// an https:// URL", sending the user to change a URL that was right. Too large a header
/// section is said as such.
#[test]
fn endless_headers_are_not_taken_for_https() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n");
                let line = format!("X-Filler: {}\r\n", "a".repeat(10_000));
                while stream.write_all(line.as_bytes()).is_ok() {}
            });
        }
    });
    let out = Podctl::new().run(&["--url", &url, "pod", "list"]);
    let err = out.fails(6);
    assert!(!err.contains("HTTPS"), "{out:#?}");
    assert!(err.contains("headers are too large"), "{out:#?}");
}

/// Removing the current cluster silently left none current, so the next command went to the
/// default `http://127.0.0.1:8080` without a word. podctl now says so and how to pick one.
#[test]
fn removing_the_current_cluster_says_none_is_current() {
    let p = Podctl::new();
    p.run(&["cluster", "add", "a", "--url", "http://127.0.0.1:9"])
        .ok();
    p.run(&["cluster", "add", "b", "--url", "http://127.0.0.1:10"])
        .ok();
    let out = p.run(&["cluster", "remove", "b"]);
    assert!(!out.stderr.contains("current"), "{out:#?}");
    let out = p.run(&["cluster", "remove", "a"]);
    assert_eq!(out.ok(), "Removed cluster a\n");
    assert!(
        out.stderr.contains("no cluster is current") && out.stderr.contains("cluster use"),
        "{out:#?}"
    );
}

/// `pod validate - -` read stdin twice and reported the second, empty read as an invalid
/// definition: `-` may be given once, and more is a usage error before anything is read.
#[test]
fn validate_takes_stdin_once() {
    let out = Podctl::new().run_with_stdin(
        &["pod", "validate", "-", "-"],
        &std::fs::read_to_string("examples/web.json").unwrap(),
    );
    let err = out.fails(2);
    assert!(err.contains("stdin") && err.contains("once"), "{out:#?}");
    assert!(out.stdout.is_empty(), "{out:#?}");
}
