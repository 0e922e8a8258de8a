//! Found by trying `podctl events` and the waits that follow the event stream as a careless
//! user would.

use crate::support::Sim;

/// A mistyped `--type` is a type Marathon never sends: without a word, `podctl events` would
/// stay silent until Ctrl-C.
#[test]
fn events_warns_of_a_type_marathon_never_sends() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let since = sim.request_count();
    let running = podctl.spawn(&[
        "events",
        "--type",
        "deployment_sucess",
        "--type",
        "pod_created_event",
    ]);
    crate::support::eventually("the subscription", || {
        sim.requests()
            .get(since..)
            .unwrap_or_default()
            .iter()
            .any(|r| r.starts_with("GET /v2/events"))
    });
    running.interrupt();
    let out = running.finish();
    let stderr = out.fails(130);
    assert!(
        stderr.contains("warning: Marathon sends no event of type deployment_sucess"),
        "{stderr}"
    );
    assert!(!stderr.contains("pod_created_event"), "{stderr}");
}

/// A `--type` that is refused is shown escaped, like a refused pod id: the terminal never gets
/// its control characters.
#[test]
fn a_refused_event_type_is_shown_escaped() {
    let out = crate::support::Podctl::new().run(&["events", "--type", "x\u{1b}[31mred"]);
    let stderr = out.fails(2);
    assert!(
        stderr.contains("invalid value 'x\\u{1b}[31mred'"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

/// Ctrl-C ends `podctl events` (exit 130) even while its output is stuck: a reader that stopped
/// reading (a paused pager) holds its writes, and with them the loop that looks at Ctrl-C.
#[test]
fn ctrl_c_ends_events_whose_output_nobody_reads() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head);
        let attach = "event: event_stream_attached\r\ndata: {\"eventType\":\"event_stream_attached\"}\r\n\r\n";
        let event = format!(
            "event: deployment_info\r\ndata: {{\"eventType\":\"deployment_info\",\"pad\":\"{}\"}}\r\n\r\n",
            "a".repeat(64 * 1024)
        );
        let mut answer =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n{attach}");
        while stream.write_all(answer.as_bytes()).is_ok() {
            counter.fetch_add(answer.len() as u64, Ordering::SeqCst);
            answer = event.clone();
        }
    });
    let podctl = crate::support::Podctl::new();
    let mut cmd = podctl.command(crate::support::BIN);
    cmd.args(["--url", &url, "events", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Far more than a pipe holds: podctl is stuck writing.
    crate::support::eventually("the output to fill up", || {
        sent.load(Ordering::SeqCst) > 4 * 1024 * 1024
    });
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut ended = None;
    crate::support::eventually("podctl events to end after Ctrl-C", || {
        ended = child.try_wait().unwrap();
        ended.is_some()
    });
    let status = ended.expect("ended");
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
}
