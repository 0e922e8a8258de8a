//! The event stream on the client side: `podctl events`, waits that end on the stream's verdict
//! (`deployment_success`, `deployment_failed`), the fallback to polling, reconnecting, and the
//! leader redirect that only the stream follows.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::loopback::{respond, Request, Server, JSON};
use crate::support::{deployment_id, eventually, Podctl, Sim, BIN, HANG_GUARD};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `podctl ARGS` with its stdout read line by line as it comes, as `| jq` reads it.
struct Piped {
    child: Child,
    lines: mpsc::Receiver<String>,
    err: Option<std::thread::JoinHandle<String>>,
}

impl Piped {
    fn start(podctl: &Podctl, args: &[&str]) -> Piped {
        let mut child = podctl
            .command(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let err = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        Piped {
            child,
            lines,
            err: Some(err),
        }
    }

    /// The next line, failing the test if none comes within the hang guard.
    #[track_caller]
    fn line(&self) -> String {
        self.lines
            .recv_timeout(HANG_GUARD)
            .expect("podctl events printed nothing more")
    }

    /// Lines until one satisfies `done` (included).
    #[track_caller]
    fn until(&self, mut done: impl FnMut(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self.line();
            let stop = done(&line);
            seen.push(line);
            if stop {
                return seen;
            }
        }
    }

    /// Ctrl-C, then its exit code and stderr.
    fn interrupt(mut self) -> (i32, String) {
        let status = std::process::Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        (code, self.err.take().unwrap().join().unwrap())
    }
}

impl Drop for Piped {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

#[test]
fn events_json_is_one_document_per_line_for_a_reader() {
    let sim = Sim::with_args(&["--deploy-time", "200ms"]);
    let podctl = sim.podctl();
    let events = Piped::start(&podctl, &["events", "--json"]);
    let first = json(&events.line());
    assert_eq!(first["eventType"], "event_stream_attached", "{first}");
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let lines = events.until(|l| json(l)["eventType"] == "deployment_success");
    let kinds: Vec<String> = lines
        .iter()
        .map(|l| json(l)["eventType"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds[0], "pod_created_event", "{kinds:?}");
    assert!(
        kinds.contains(&"deployment_step_success".to_string()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"instance_changed_event".to_string()),
        "{kinds:?}"
    );
    assert_eq!(json(lines.last().unwrap())["id"], id.as_str());
    let (code, stderr) = events.interrupt();
    assert_eq!(code, 130, "{stderr}");
    assert!(
        stderr.contains("stopped following the event stream"),
        "{stderr}"
    );
}

#[test]
fn events_are_filtered_by_type_and_pod_and_read_as_lines() {
    let sim = Sim::with_args(&["--deploy-time", "100ms"]);
    let podctl = sim.podctl();
    let args = [
        "events",
        "--pod",
        "web",
        "--type",
        "deployment_success",
        "--type",
        "deployment_info",
    ];
    let events = Piped::start(&podctl, &args);
    // Subscribed once the simulator logged the stream.
    eventually("the subscription", || {
        sim.requests()
            .iter()
            .any(|r| r.starts_with("GET /v2/events"))
    });
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.contains("event_type=deployment_success&event_type=deployment_info&")));
    deployment_id(podctl.run(&["pod", "add", "examples/api.json"]).ok());
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let lines = events.until(|l| l.contains("  deployment_success  "));
    let first = &lines[0];
    assert!(
        first.contains(&format!(
            "  deployment_info  pod=/web  deployment={id}  state=step 1/2"
        )),
        "the other pod and the attach event are left out: {lines:#?}"
    );
    assert!(first.starts_with("20"), "the time first: {first}");
    assert!(lines.iter().all(|l| l.contains("pod=/web")), "{lines:#?}");
    assert!(
        lines.last().unwrap().contains(&format!("deployment={id}")),
        "{lines:#?}"
    );
    podctl.run(&["events", "--type", "Bad Type"]).fails(2);
}

#[test]
fn a_wait_on_the_stream_sends_a_handful_of_requests_and_polling_many_more() {
    let count = |sim: &Sim| {
        let podctl = sim.podctl();
        let since = sim.request_count();
        let args = [
            "pod",
            "add",
            "examples/web.json",
            "--wait",
            "--interval",
            "50ms",
        ];
        let out = podctl.spawn(&args).drive_since(sim, since, ms(100), 30);
        out.ok();
        assert!(out.stderr.contains("Done in"), "{out:#?}");
        sim.requests()[since..]
            .iter()
            .filter(|r| !r.contains("/_sim/"))
            .count()
    };
    let streamed = Sim::manual(&["--deploy-time", "600ms"]);
    let requests = count(&streamed);
    // The subscription, the POST, and one status request to confirm the end.
    assert_eq!(requests, 3, "{:#?}", streamed.requests());
    let polled = Sim::manual(&["--deploy-time", "600ms", "--no-events"]);
    let polling = count(&polled);
    assert!(
        polling >= 4 * requests,
        "{polling} requests: {:#?}",
        polled.requests()
    );
}

#[test]
fn without_the_stream_a_wait_polls_and_says_so_only_when_verbose() {
    let sim = Sim::manual(&["--deploy-time", "300ms", "--no-events"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let args = [
        "pod",
        "add",
        "examples/web.json",
        "--wait",
        "--interval",
        "50ms",
    ];
    let out = podctl.spawn(&args).drive_since(&sim, since, ms(100), 50);
    out.ok();
    assert!(!out.stderr.contains("event"), "{out:#?}");
    assert!(out.stderr.contains("Done in"), "{out:#?}");
    let since = sim.request_count();
    let args = [
        "pod",
        "remove",
        "/web",
        "--wait",
        "--interval",
        "50ms",
        "-v",
    ];
    let out = podctl.spawn(&args).drive_since(&sim, since, ms(100), 50);
    out.ok();
    assert!(
        out.stderr
            .contains("verbose: event stream not used: HTTP 404 Not Found; polling every 50ms"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("pod removed"), "{out:#?}");
}

/// Starts `pod add --wait` on a simulator whose deployments take a minute, and waits until it
/// follows the stream.
fn waiting_add(sim: &Sim, podctl: &Podctl) -> crate::support::Running {
    let since = sim.request_count();
    let mut running = podctl.spawn(&["pod", "add", "examples/web.json", "--wait"]);
    running.await_started(sim, since);
    sim.advance(ms(100));
    running
}

#[test]
fn a_forced_update_during_the_wait_fails_it_with_exit_8() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let podctl = sim.podctl();
    let running = waiting_add(&sim, &podctl);
    let forced = podctl.run(&["pod", "update", "/web", "examples/web-v2.json", "--force"]);
    let next = deployment_id(forced.ok());
    let out = running.finish();
    let first = deployment_id(&out.stdout);
    let err = out.fails(8);
    let last = err.lines().last().unwrap();
    assert!(
        last.contains(&format!("deployment {first} of /web failed"))
            && last.contains("(The upgrade has been cancelled)"),
        "{err}"
    );
    assert!(
        last.contains(&format!(
            "cancelled by a forced change to /web; deployment {next} took its place"
        )),
        "{err}"
    );
    assert!(
        last.contains(&format!("podctl deployment watch {next}")),
        "{err}"
    );
}

#[test]
fn a_rollback_during_the_wait_fails_it_and_names_the_rollback() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let podctl = sim.podctl();
    let running = waiting_add(&sim, &podctl);
    let listed = podctl.run(&["deployment", "list", "-q"]);
    let first = listed.ok().trim().to_string();
    let rollback = deployment_id(podctl.run(&["deployment", "rollback", &first]).ok());
    let out = running.finish();
    let err = out.fails(8);
    let last = err.lines().last().unwrap();
    assert!(
        last.contains(&format!(
            "deployment {first} of /web failed (The upgrade has been cancelled): \
             cancelled and rolled back by deployment {rollback}"
        )),
        "{err}"
    );
}

#[test]
fn a_stopped_deployment_fails_the_wait_and_names_failing_containers() {
    let sim = Sim::manual(&["--deploy-time", "0", "--fail-image", "crash*"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let mut running = podctl.spawn(&["pod", "add", "examples/crash.json", "--wait"]);
    running.await_started(&sim, since);
    sim.advance(ms(1000));
    let id = podctl
        .run(&["deployment", "list", "-q"])
        .ok()
        .trim()
        .to_string();
    podctl.run(&["deployment", "stop", &id]).ok();
    let out = running.finish();
    let err = out.fails(8);
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: container app failed (TASK_FAILED")),
        "{err}"
    );
    let last = err.lines().last().unwrap();
    assert!(
        last.contains("cancelled with no deployment after it") && last.contains("failing: app ("),
        "{err}"
    );
}

#[test]
fn deployment_watch_ends_on_the_stream() {
    let sim = Sim::manual(&["--deploy-time", "400ms"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let since = sim.request_count();
    let out = podctl
        .spawn(&["deployment", "watch", &id])
        .drive_since(&sim, since, ms(100), 30);
    out.ok();
    assert!(out.stderr.contains("2/2 instances ready"), "{out:#?}");
    assert!(
        out.stderr
            .lines()
            .any(|l| l.contains("step 2/2 ScalePod /web")),
        "progress from the events: {out:#?}"
    );
    let ours: Vec<String> = sim.requests()[since..]
        .iter()
        .filter(|r| !r.contains("/_sim/"))
        .cloned()
        .collect();
    assert_eq!(ours.len(), 3, "stream, look-up, confirmation: {ours:#?}");
}

/// An SSE answer's head.
const SSE_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";

fn frame(kind: &str, fields: &str) -> String {
    format!(
        "event: {kind}\r\ndata: {{{fields}\"eventType\":\"{kind}\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}}\r\n\r\n"
    )
}

fn send(stream: &mut TcpStream, text: &str) {
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

#[test]
fn a_dropped_stream_is_reopened_and_the_gap_is_named() {
    // The first connection attaches, sends one event and is cut; the second goes on.
    let server = Server::start(|_: &Request, n, stream| {
        let _ = stream.write_all(SSE_HEAD);
        send(
            stream,
            &frame("event_stream_attached", "\"remoteAddress\":\"x\","),
        );
        // An event split across writes, as a network may deliver it.
        let event = frame(
            "pod_created_event",
            &format!("\"clientIp\":\"x\",\"uri\":\"/v2/pods/p{n}\","),
        );
        let (a, b) = event.split_at(20);
        send(stream, a);
        send(stream, b);
        if n > 0 {
            // Held open until podctl goes.
            let mut buf = [0u8; 1];
            let _ = std::io::Read::read(stream, &mut buf);
        }
    });
    let podctl = Podctl::new().env("PODCTL_URL", &server.url);
    let events = Piped::start(&podctl, &["events"]);
    let lines = events.until(|l| l.contains("pod=/p1"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("pod_created_event  pod=/p0")),
        "{lines:?}"
    );
    let (_, stderr) = events.interrupt();
    assert!(
        stderr.contains(
            "warning: lost the event stream: the server closed the stream; reconnecting in "
        ) && stderr.contains("events until then are lost"),
        "{stderr}"
    );
    assert!(
        stderr.contains("reconnected to the event stream; events sent while it was down are lost"),
        "{stderr}"
    );
    assert!(server.count() >= 2);
    for r in server.requests() {
        assert_eq!(r.header("accept"), Some("text/event-stream"), "{}", r.head);
    }
}

#[test]
fn only_the_stream_follows_the_leader_redirect_and_credentials_stay_home() {
    let leader = Server::start(|_: &Request, _, stream| {
        let _ = stream.write_all(SSE_HEAD);
        send(
            stream,
            &frame("event_stream_attached", "\"remoteAddress\":\"x\","),
        );
        send(
            stream,
            &frame(
                "pod_deleted_event",
                "\"clientIp\":\"x\",\"uri\":\"/v2/pods/web\",",
            ),
        );
        let mut buf = [0u8; 1];
        let _ = std::io::Read::read(stream, &mut buf);
    });
    let to = format!("{}/v2/events", leader.url);
    let follower = Server::start(move |r: &Request, _, stream| {
        let query = r
            .target
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        let location = format!("{to}{query}");
        respond(stream, 307, &[("Location", location.as_str()), JSON], b"{}")
    });
    let podctl = Podctl::new();
    podctl.write_config(&format!(
        "current = \"prod\"\n[clusters.prod]\nurl = \"{}\"\ntoken = \"secret-token\"\n",
        follower.url
    ));
    let events = Piped::start(&podctl, &["events", "--type", "pod_deleted_event", "-v"]);
    let line = events.line();
    assert!(line.contains("pod_deleted_event  pod=/web"), "{line}");
    let (_, stderr) = events.interrupt();
    assert!(
        stderr.contains("following the leader's redirect to http://127.0.0.1:")
            && stderr.contains("without credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret-token"), "{stderr}");
    let asked = follower.requests();
    assert_eq!(asked[0].header("authorization"), Some("token=secret-token"));
    let redirected = leader.requests();
    assert!(redirected[0]
        .target
        .starts_with("/v2/events?event_type=pod_deleted_event"));
    assert_eq!(
        redirected[0].header("authorization"),
        None,
        "{}",
        redirected[0].head
    );
    // Any other request is not redirected: the redirect is an answer (exit 1).
    follower.take();
    podctl.run(&["pod", "list"]).fails(1);
    assert_eq!(follower.count(), 1);
    assert_eq!(leader.requests().len(), 1);
}

#[test]
fn a_redirect_elsewhere_than_the_stream_is_refused() {
    let server = Server::start(|_: &Request, _, stream| {
        respond(
            stream,
            302,
            &[("Location", "http://127.0.0.1:1/v2/pods"), JSON],
            b"{}",
        )
    });
    let podctl = Podctl::new().env("PODCTL_URL", &server.url);
    let err = podctl.run(&["events"]).fails(1).to_string();
    assert!(
        err.contains("following the event stream") && err.contains("/v2/pods"),
        "{err}"
    );
    assert_eq!(server.count(), 1);
}

#[test]
fn events_from_nowhere_is_an_error_not_an_endless_retry() {
    let port = crate::support::RefusingPort::new();
    let podctl = Podctl::new().env("PODCTL_URL", &port.url);
    let err = podctl.run(&["events"]).fails(6).to_string();
    assert!(
        err.contains("following the event stream") && err.contains("connection refused"),
        "{err}"
    );
    let sim = Sim::with_args(&["--no-events"]);
    let err = sim.podctl().run(&["events"]).fails(4).to_string();
    assert!(err.contains("/v2/events") && err.contains("404"), "{err}");
}

#[test]
fn events_into_a_closed_pipe_ends_quietly() {
    let sim = Sim::with_args(&["--deploy-time", "0"]);
    let podctl = sim.podctl();
    let mut cmd = podctl.command(BIN);
    cmd.args(["events", "--json"]);
    let running = crate::support::Running::start_with_stdout_closed(cmd);
    // The first event (attached) finds stdout closed: podctl ends, with no error.
    let out = running.finish();
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(out.stderr, "", "{out:#?}");
}

#[test]
fn a_stream_that_is_refused_or_reset_leaves_the_wait_to_polling() {
    for fault in ["GET /v2/events=503", "GET /v2/events=reset"] {
        let sim = Sim::manual(&["--deploy-time", "300ms", "--fault", fault]);
        let since = sim.request_count();
        let args = [
            "pod",
            "add",
            "examples/web.json",
            "--wait",
            "--interval",
            "50ms",
        ];
        let out = sim
            .podctl()
            .spawn(&args)
            .drive_since(&sim, since, ms(100), 50);
        out.ok();
        assert!(out.stderr.contains("Done in"), "{fault}: {out:#?}");
        assert!(!out.stderr.contains("warning"), "silent: {fault}: {out:#?}");
        let polls = sim.requests()[since..]
            .iter()
            .filter(|r| r.starts_with("GET /v2/deployments"))
            .count();
        assert!(polls >= 2, "{fault}: polled: {:#?}", sim.requests());
    }
}
