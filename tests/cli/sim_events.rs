//! The simulator's event stream, `GET /v2/events`, read the way clients read it: a small
//! server-sent-events reader over a raw socket (frames split across reads, chunked transfer),
//! and, for Marathon's own `test_event_channel_for_pods`, a third-party one.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::Sim;

/// How long a test waits for the next event before failing.
const PATIENCE: Duration = Duration::from_secs(10);

/// A subscriber over a raw socket that reads a few bytes at a time, so that frames, lines and
/// chunks arrive split at every possible place.
struct Subscriber {
    socket: TcpStream,
    status: u16,
    head: String,
    /// Bytes read but not yet decoded from the chunked transfer.
    raw: Vec<u8>,
    /// Decoded stream text not yet parsed into events.
    text: Vec<u8>,
    /// The size of the next read, varied from 1 to 13 bytes.
    read_size: usize,
}

impl Subscriber {
    fn connect(sim: &Sim, target: &str, accept: &str) -> Subscriber {
        let socket = TcpStream::connect(sim.addr()).unwrap();
        Subscriber::over(socket, sim, target, accept)
    }

    fn over(mut socket: TcpStream, sim: &Sim, target: &str, accept: &str) -> Subscriber {
        socket.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            socket,
            "GET {target} HTTP/1.1\r\nHost: {}\r\nAccept: {accept}\r\n\r\n",
            sim.addr()
        )
        .unwrap();
        let mut raw = Vec::new();
        let mut byte = [0u8; 1];
        while !raw.ends_with(b"\r\n\r\n") {
            let n = socket.read(&mut byte).unwrap();
            assert_eq!(
                n,
                1,
                "the head ended early: {:?}",
                String::from_utf8_lossy(&raw)
            );
            raw.push(byte[0]);
        }
        let head = String::from_utf8(raw).unwrap();
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
        Subscriber {
            socket,
            status,
            head,
            raw: Vec::new(),
            text: Vec::new(),
            read_size: 1,
        }
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }

    /// Reads a little more and decodes whatever whole chunks have arrived.
    fn read_more(&mut self) {
        let mut buf = vec![0u8; self.read_size];
        self.read_size = self.read_size % 13 + 1;
        let n = self.socket.read(&mut buf).expect("the stream goes on");
        assert!(n > 0, "the stream ended");
        self.raw.extend_from_slice(&buf[..n]);
        loop {
            let Some(line_end) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                return;
            };
            let size_text = String::from_utf8_lossy(&self.raw[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.trim(), 16).expect("a chunk size");
            assert!(size > 0, "the stream ended");
            let needed = line_end + 2 + size + 2;
            if self.raw.len() < needed {
                return;
            }
            self.text
                .extend_from_slice(&self.raw[line_end + 2..line_end + 2 + size]);
            self.raw.drain(..needed);
        }
    }

    /// The next event: its `event:` name and its `data:` as JSON; empty lines between frames
    /// (Jetty's heartbeat) are skipped, as the SSE rules say.
    fn next(&mut self) -> (String, Value) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            // Heartbeats keep reads going: the deadline is for a whole event.
            assert!(Instant::now() < deadline, "no event within {PATIENCE:?}");
            if let Some(end) = self.text.windows(4).position(|w| w == b"\r\n\r\n") {
                let frame = String::from_utf8(self.text.drain(..end + 4).collect()).unwrap();
                let mut name = None;
                let mut data = Vec::new();
                for line in frame.split("\r\n") {
                    if let Some(value) = line.strip_prefix("event: ") {
                        name = Some(value.to_string());
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data.push(value.to_string());
                    }
                }
                let Some(name) = name else { continue };
                let data: Value = serde_json::from_str(&data.join("\n")).unwrap();
                assert_eq!(data["eventType"], name.as_str(), "{data}");
                assert!(data["timestamp"].is_string(), "{data}");
                return (name, data);
            }
            // A heartbeat alone is an empty line: drop it.
            if self.text.starts_with(b"\r\n") {
                self.text.drain(..2);
                continue;
            }
            self.read_more();
        }
    }

    /// Events up to and including the first of type `last` whose data has `id` (when given).
    fn until(&mut self, last: &str, id: Option<&str>) -> Vec<(String, Value)> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            assert!(Instant::now() < deadline, "no {last} in {:?}", names(&seen));
            let (name, data) = self.next();
            let done = name == last && id.is_none_or(|id| data["id"] == id);
            seen.push((name, data));
            if done {
                return seen;
            }
        }
    }
}

fn names(events: &[(String, Value)]) -> Vec<String> {
    events.iter().map(|(n, _)| n.clone()).collect()
}

/// Events in a compact form: `status TASK_RUNNING`, `instance Running`, `deployment_info
/// ScalePod`, or the bare type.
fn brief(events: &[(String, Value)]) -> Vec<String> {
    events
        .iter()
        .map(|(name, data)| {
            let detail = match name.as_str() {
                "status_update_event" => format!("status {}", data["taskStatus"]),
                "instance_changed_event" => format!("instance {}", data["condition"]),
                "instance_health_changed_event" => format!("health {}", data["healthy"]),
                "deployment_info" | "deployment_step_success" => {
                    format!("{name} {}", data["currentStep"]["actions"][0]["action"])
                }
                _ => name.clone(),
            };
            detail.replace('"', "")
        })
        .collect()
}

fn pod(instances: u32, image: &str) -> Value {
    json!({
        "id": "/web",
        "scaling": {"kind": "fixed", "instances": instances},
        "containers": [{"name": "app", "resources": {"cpus": 0.1, "mem": 32},
                        "image": {"kind": "DOCKER", "id": image}}]
    })
}

/// Sends a write and answers its `Marathon-Deployment-Id`.
fn write(sim: &Sim, method: &str, path: &str, body: Option<&Value>) -> String {
    let (status, headers, text) = sim.send(method, path, &[], body);
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {text}"
    );
    headers
        .get("Marathon-Deployment-Id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_stream_answers_and_frames_as_marathon_and_filters_by_type() {
    let sim = Sim::manual(&[]);
    let mut all = Subscriber::connect(&sim, "/v2/events", "text/event-stream");
    assert_eq!(all.status, 200);
    assert_eq!(
        all.header("Content-Type").as_deref(),
        Some("text/event-stream;charset=UTF-8")
    );
    let (name, data) = all.next();
    assert_eq!(name, "event_stream_attached");
    assert_eq!(data["remoteAddress"], "127.0.0.1");
    assert_eq!(data["timestamp"], "2026-01-01T00:00:00.000Z");
    let target = "/v2/events?event_type=pod_created_event&event_type=deployment_success";
    let mut some = Subscriber::connect(&sim, target, "text/event-stream");
    // Everyone sees a new subscriber.
    assert_eq!(all.next().0, "event_stream_attached");
    let id = write(&sim, "POST", "/v2/pods", Some(&pod(1, "nginx")));
    sim.advance(Duration::from_secs(3));
    let seen = all.until("deployment_success", Some(&id));
    let created = &seen[0].1;
    assert_eq!(seen[0].0, "pod_created_event");
    assert_eq!(created["clientIp"], "127.0.0.1");
    assert_eq!(created["uri"], "/v2/pods");
    // The filter applies to every event, a subscriber's own attach included.
    assert_eq!(some.next().0, "pod_created_event");
    let (name, data) = some.next();
    assert_eq!(
        (name.as_str(), &data["id"]),
        ("deployment_success", &json!(id))
    );
    // Anything but exactly `text/event-stream` is a plain GET, which the servlet refuses.
    for accept in ["application/json", "text/event-stream, */*", "*/*"] {
        let (status, _, body) = sim.send("GET", "/v2/events", &[("Accept", accept)], None);
        assert_eq!(status, 405, "{accept}");
        assert!(body.contains("HTTP method GET is not supported"), "{body}");
    }
    let (status, _, _) = sim.send("POST", "/v2/events", &[], Some(&json!({})));
    assert_eq!(status, 405);
    let (status, headers, _) = sim.send("OPTIONS", "/v2/events", &[], None);
    assert_eq!(status, 200);
    assert_eq!(headers["Allow"], "GET, HEAD, OPTIONS");
    let accept = [("Accept", "text/event-stream")];
    let (status, headers, body) = sim.send("HEAD", "/v2/events", &accept, None);
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(headers["Content-Type"], "text/event-stream;charset=UTF-8");
}

#[test]
fn without_events_the_stream_is_not_found() {
    let sim = Sim::with_args(&["--no-events"]);
    let accept = [("Accept", "text/event-stream")];
    let (status, _, body) = sim.send("GET", "/v2/events", &accept, None);
    assert_eq!(status, 404);
    assert!(body.contains("HTTP ERROR 404"), "{body}");
    // Everything else works as before.
    let (status, _, _) = sim.send("POST", "/v2/pods", &[], Some(&pod(1, "nginx")));
    assert_eq!(status, 201);
}

#[test]
fn credentials_are_needed_for_the_stream_too() {
    let sim = Sim::with_args(&["--require-token", "s3cret"]);
    let accept = ("Accept", "text/event-stream");
    let (status, _, _) = sim.send("GET", "/v2/events", &[accept], None);
    assert_eq!(status, 401);
    let socket = TcpStream::connect(sim.addr()).unwrap();
    let mut sub = Subscriber::over(
        socket,
        &sim,
        "/v2/events",
        "text/event-stream\r\nAuthorization: token=s3cret",
    );
    assert_eq!(sub.status, 200);
    assert_eq!(sub.next().0, "event_stream_attached");
}

#[test]
fn create_scale_restart_and_remove_in_marathons_order() {
    let sim = Sim::manual(&["--deploy-time", "2s"]);
    let mut sub = Subscriber::connect(&sim, "/v2/events", "text/event-stream");
    sub.next();
    let created = write(&sim, "POST", "/v2/pods", Some(&pod(1, "nginx")));
    sim.advance(Duration::from_secs(5));
    let seen = sub.until("deployment_success", Some(&created));
    assert_eq!(
        brief(&seen),
        [
            "pod_created_event",
            "deployment_info StartPod",
            "instance Provisioned",
            "status TASK_STAGING",
            "instance Staging",
            "deployment_step_success StartPod",
            "deployment_info ScalePod",
            "status TASK_STARTING",
            "instance Starting",
            "status TASK_RUNNING",
            "instance Running",
            "deployment_step_success ScalePod",
            "deployment_success",
        ]
    );
    // Each at its own moment of the advance, not at its end.
    assert_eq!(seen[3].1["timestamp"], "2026-01-01T00:00:00.400Z");
    assert_eq!(seen[10].1["timestamp"], "2026-01-01T00:00:02.000Z");
    let instance = seen[2].1["instanceId"].as_str().unwrap().to_string();
    assert_eq!(seen[3].1["taskId"], format!("{instance}.app.1"));
    assert_eq!(seen[2].1["runSpecId"], "/web");

    let scaled = write(&sim, "PUT", "/v2/pods/web", Some(&pod(2, "nginx")));
    sim.advance(Duration::from_secs(5));
    let seen = sub.until("deployment_success", Some(&scaled));
    let brief_scale = brief(&seen);
    assert_eq!(brief_scale[0], "pod_updated_event");
    assert_eq!(seen[0].1["uri"], "/v2/pods/web");
    assert_eq!(brief_scale[1], "deployment_info ScalePod");
    assert_eq!(
        brief_scale
            .iter()
            .filter(|b| *b == "instance Running")
            .count(),
        1,
        "only the new instance starts: {brief_scale:?}"
    );

    let restarted = write(&sim, "PUT", "/v2/pods/web", Some(&pod(2, "httpd")));
    sim.advance(Duration::from_secs(5));
    let seen = sub.until("deployment_success", Some(&restarted));
    let b = brief(&seen);
    assert_eq!(b[1], "deployment_info RestartPod");
    assert_eq!(b.iter().filter(|x| *x == "instance Running").count(), 2);
    assert_eq!(b.iter().filter(|x| *x == "instance Killed").count(), 2);
    // An old instance goes once its replacement runs.
    let first_running = b.iter().position(|x| x == "instance Running").unwrap();
    let first_killing = b.iter().position(|x| x == "instance Killing").unwrap();
    assert!(first_running < first_killing, "{b:?}");

    let removed = write(&sim, "DELETE", "/v2/pods/web", None);
    sim.advance(Duration::from_secs(5));
    let seen = sub.until("deployment_success", Some(&removed));
    let b = brief(&seen);
    assert_eq!(b[0], "pod_deleted_event");
    assert_eq!(b[1], "deployment_info StopPod");
    assert_eq!(b.iter().filter(|x| *x == "instance Killed").count(), 2);
    assert_eq!(b[b.len() - 2], "deployment_step_success StopPod");
}

#[test]
fn kill_forced_update_rollback_and_forced_stop() {
    let sim = Sim::manual(&["--deploy-time", "2s"]);
    let mut sub = Subscriber::connect(&sim, "/v2/events", "text/event-stream");
    sub.next();
    let created = write(&sim, "POST", "/v2/pods", Some(&pod(1, "nginx")));
    sim.advance(Duration::from_secs(3));
    let seen = sub.until("deployment_success", Some(&created));
    let instance = seen[2].1["instanceId"].as_str().unwrap().to_string();

    // A kill: the instance is killed and relaunched under its next incarnation; no deployment.
    let (status, _, _) = sim.send(
        "DELETE",
        &format!("/v2/pods/web::instances/{instance}"),
        &[],
        None,
    );
    assert_eq!(status, 200);
    sim.advance(Duration::from_secs(3));
    let seen = sub.until("instance_changed_event", None);
    assert_eq!(brief(&seen), ["status TASK_KILLING", "instance Killing"]);
    let seen = sub.until("instance_changed_event", None);
    assert_eq!(brief(&seen), ["status TASK_KILLED", "instance Killed"]);
    assert_eq!(seen[0].1["taskId"], format!("{instance}.app.1"));
    assert_eq!(sub.next().1["condition"], "Provisioned");
    let (_, staging) = sub.next();
    assert_eq!(staging["taskId"], format!("{instance}.app.2"));

    // A forced update cancels the running deployment: deployment_failed, with Marathon's reason.
    let pending = write(&sim, "PUT", "/v2/pods/web", Some(&pod(1, "httpd")));
    let forced = write(
        &sim,
        "PUT",
        "/v2/pods/web?force=true",
        Some(&pod(1, "caddy")),
    );
    let seen = sub.until("deployment_failed", Some(&pending));
    let (_, failed) = seen.last().unwrap();
    assert_eq!(failed["reason"], "The upgrade has been cancelled");
    assert_eq!(failed["plan"]["id"], pending.as_str());
    assert_eq!(
        failed["plan"]["steps"][0]["actions"][0]["action"],
        "RestartPod"
    );
    sim.advance(Duration::from_secs(3));
    sub.until("deployment_success", Some(&forced));

    // A rollback fails the deployment it reverts and starts its own.
    let doomed = write(&sim, "PUT", "/v2/pods/web", Some(&pod(1, "nginx")));
    let rollback = write(&sim, "DELETE", &format!("/v2/deployments/{doomed}"), None);
    assert_ne!(rollback, doomed);
    sub.until("deployment_failed", Some(&doomed));
    let (name, info) = sub.next();
    assert_eq!(name, "deployment_info");
    assert_eq!(info["plan"]["id"], rollback.as_str());
    sim.advance(Duration::from_secs(3));
    sub.until("deployment_success", Some(&rollback));

    // A forced stop fails it too, and nothing follows from it.
    let stopped = write(&sim, "PUT", "/v2/pods/web", Some(&pod(3, "caddy")));
    let (status, _, _) = sim.send(
        "DELETE",
        &format!("/v2/deployments/{stopped}?force=true"),
        &[],
        None,
    );
    assert_eq!(status, 202);
    sub.until("deployment_failed", Some(&stopped));
    // An unchanged definition is an empty plan: it succeeds at once.
    let same = write(&sim, "PUT", "/v2/pods/web", Some(&pod(3, "caddy")));
    let seen = sub.until("deployment_success", Some(&same));
    assert_eq!(names(&seen), ["pod_updated_event", "deployment_success"]);
    assert_eq!(seen[1].1["plan"]["steps"], json!([]));
}

#[test]
fn a_failing_image_fails_and_is_replaced_again_and_again() {
    let sim = Sim::manual(&["--deploy-time", "1s", "--fail-image", "crash*"]);
    let mut sub = Subscriber::connect(&sim, "/v2/events", "text/event-stream");
    sub.next();
    let created = write(&sim, "POST", "/v2/pods", Some(&pod(1, "crash:1")));
    // Running at 1 s, failed at 1.5 s, relaunched after a 1 s back-off, failed again at 4 s.
    for _ in 0..10 {
        sim.advance(Duration::from_millis(500));
    }
    // The deployment hangs until it is stopped: then it fails, and never succeeds.
    let path = format!("/v2/deployments/{created}?force=true");
    let (status, _, _) = sim.send("DELETE", &path, &[], None);
    assert_eq!(status, 202);
    let seen = sub.until("deployment_failed", Some(&created));
    let b = brief(&seen);
    assert!(!b.contains(&"deployment_success".to_string()), "{b:?}");
    let failed: Vec<&Value> = seen
        .iter()
        .map(|(_, d)| d)
        .filter(|d| d["taskStatus"] == "TASK_FAILED")
        .collect();
    assert_eq!(failed.len(), 2, "{b:?}");
    assert!(failed[0]["taskId"].as_str().unwrap().ends_with(".app.1"));
    assert!(failed[1]["taskId"].as_str().unwrap().ends_with(".app.2"));
    assert_eq!(failed[0]["message"], "Container exited with status 1");
    assert_eq!(failed[0]["timestamp"], "2026-01-01T00:00:01.500Z");
    let at = b.iter().position(|x| x == "status TASK_FAILED").unwrap();
    assert_eq!(
        b[at + 1..at + 3],
        ["instance Failed", "instance Provisioned"]
    );
}

#[test]
fn many_subscribers_and_a_slow_one_is_dropped_without_holding_up_the_rest() {
    let sim = Sim::start();
    // A subscriber that never reads, with a small receive window so that its backlog piles up
    // on the server's side.
    let slow_socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    slow_socket.set_recv_buffer_size(4096).unwrap();
    let addr: std::net::SocketAddr = sim.addr().parse().unwrap();
    slow_socket.connect(&addr.into()).unwrap();
    let mut slow = Subscriber::over(slow_socket.into(), &sim, "/v2/events", "text/event-stream");
    assert_eq!(slow.status, 200);
    // Readers that keep up, each in its own thread, until the pod /fresh has been deployed.
    let readers: Vec<std::thread::JoinHandle<Vec<String>>> = (0..5)
        .map(|_| {
            let mut reader = Subscriber::connect(&sim, "/v2/events", "text/event-stream");
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut created = 0;
                loop {
                    let (name, data) = reader.next();
                    let line = match name.as_str() {
                        "event_stream_attached" => continue,
                        "status_update_event" => format!("{name} {}", data["taskId"]),
                        _ => format!("{name} {}", data["instanceId"]),
                    };
                    // The second pod created is /fresh.
                    created += usize::from(name == "pod_created_event");
                    seen.push(line);
                    if created == 2 && name == "deployment_success" {
                        return seen;
                    }
                }
            })
        })
        .collect();
    let mut many = pod(40, "nginx");
    many["id"] = json!("/many");
    write(&sim, "POST", "/v2/pods", Some(&many));
    // Every kill of 40 instances makes hundreds of events; the slow one falls behind and is cut
    // off, which the simulator's log cannot show, so the rounds go on to a bound and the readers
    // say afterwards whether they heard of it.
    for round in 0..60 {
        let (_, _, status) = sim.send("GET", "/v2/pods/many::status", &[], None);
        let status: Value = serde_json::from_str(&status).unwrap();
        let ids: Vec<Value> = status["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].clone())
            .collect();
        let body = Value::Array(ids);
        let (code, _, _) = sim.send("DELETE", "/v2/pods/many::instances", &[], Some(&body));
        assert_eq!(code, 200, "round {round}");
    }
    write(&sim, "POST", "/v2/pods", Some(&pod(1, "nginx")));
    let logs: Vec<Vec<String>> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    let detached = logs[0]
        .iter()
        .filter(|l| l.starts_with("event_stream_detached"))
        .count();
    assert_eq!(detached, 1, "the slow subscriber is dropped, once");
    assert!(logs[0].len() > 2 * 1024, "{}", logs[0].len());
    // The others got every event, in the same order.
    for log in &logs[1..] {
        assert_eq!(log, &logs[0]);
    }
    // The slow one's connection is closed: reading it ends (after what was already delivered)
    // instead of waiting for more.
    let mut rest = Vec::new();
    let ended = slow.socket.read_to_end(&mut rest);
    match ended {
        Ok(_) => {}
        Err(e) => assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "still open"),
    }
}

/// Marathon's `test_event_channel_for_pods` (tests/system/marathon_pods_tests.py), with podctl
/// as the client that writes and a third-party SSE parser as the reader: `event_stream_attached`
/// first, then `pod_created_event` and `deployment_step_success`; after a scale to 3,
/// `pod_updated_event`.
#[test]
fn marathons_event_channel_for_pods_scenario() {
    use eventsource_stream::Eventsource as _;
    use futures_util::StreamExt as _;

    let sim = Sim::start();
    let p = sim.podctl();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("{}/v2/events", sim.url);
    let mut events = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(url)
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.bytes_stream().eventsource()
    });
    // `common.assert_event`: read on until an event of that type comes, within 10 s.
    let mut assert_event = |wanted: &str| {
        runtime.block_on(async {
            let find = async {
                while let Some(event) = events.next().await {
                    let event = event.unwrap();
                    let data: Value = serde_json::from_str(&event.data).unwrap();
                    assert_eq!(data["eventType"], event.event.as_str());
                    if event.event == wanted {
                        return;
                    }
                }
                panic!("the stream ended before {wanted}");
            };
            tokio::time::timeout(PATIENCE, find)
                .await
                .unwrap_or_else(|_| panic!("no {wanted} within {PATIENCE:?}"));
        });
    };
    assert_event("event_stream_attached");
    let mut definition = json!({
        "id": "/simple-pod",
        "scaling": {"kind": "fixed", "instances": 1},
        "containers": [{"name": "simple-container", "exec": {"command": {"shell": "sleep 1000"}},
                        "resources": {"cpus": 0.1, "mem": 32}, "image": {"kind": "DOCKER", "id": "busybox"}}],
        "networks": [{"mode": "host"}]
    });
    let file = p.dir().join("simple-pod.json");
    std::fs::write(&file, definition.to_string()).unwrap();
    p.run(&["pod", "add", file.to_str().unwrap(), "--wait"])
        .ok();
    assert_event("pod_created_event");
    assert_event("deployment_step_success");
    definition["scaling"]["instances"] = json!(3);
    std::fs::write(&file, definition.to_string()).unwrap();
    p.run(&[
        "pod",
        "update",
        "/simple-pod",
        file.to_str().unwrap(),
        "--wait",
    ])
    .ok();
    assert_event("pod_updated_event");
}

#[test]
fn a_stop_ends_open_streams_and_the_simulator_exits() {
    let mut sim = Sim::start();
    let mut subs: Vec<Subscriber> = (0..3)
        .map(|_| Subscriber::connect(&sim, "/v2/events", "text/event-stream"))
        .collect();
    for sub in &mut subs {
        assert_eq!(sub.next().0, "event_stream_attached");
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &sim.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut exit = None;
    crate::support::eventually("the simulator to exit", || {
        exit = sim.process().try_wait().unwrap();
        exit.is_some()
    });
    assert_eq!(exit.and_then(|e| e.code()), Some(0));
    // Each stream ends (closed or reset) rather than hanging on.
    for sub in &mut subs {
        let mut rest = Vec::new();
        if let Err(e) = sub.socket.read_to_end(&mut rest) {
            assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "still open");
        }
    }
}

#[test]
fn health_changes_and_a_wiping_kill() {
    let sim = Sim::manual(&["--deploy-time", "1s"]);
    let mut sub = Subscriber::connect(&sim, "/v2/events", "text/event-stream");
    sub.next();
    let mut checked = pod(1, "nginx");
    checked["containers"][0]["endpoints"] = json!([{"name": "http", "hostPort": 0}]);
    checked["containers"][0]["healthCheck"] = json!({"http": {"endpoint": "http"}});
    let created = write(&sim, "POST", "/v2/pods", Some(&checked));
    sim.advance(Duration::from_secs(2));
    let seen = sub.until("deployment_success", Some(&created));
    let b = brief(&seen);
    let running = b.iter().position(|x| x == "instance Running").unwrap();
    assert_eq!(b[running + 1], "health true", "{b:?}");
    let (_, health) = &seen[running + 1];
    let instance = health["instanceId"].as_str().unwrap().to_string();
    assert_eq!(health["runSpecId"], "/web");
    assert!(seen[running - 1].1["ports"][0].as_u64().is_some(), "{b:?}");

    // With wipe=true the instance is replaced by one with a new id.
    let path = format!("/v2/pods/web::instances/{instance}?wipe=true");
    let (status, _, _) = sim.send("DELETE", &path, &[], None);
    assert_eq!(status, 200);
    let seen = sub.until("instance_changed_event", None);
    assert_eq!(seen.last().unwrap().1["condition"], "Killing");
    let seen = sub.until("instance_changed_event", None);
    assert_eq!(seen.last().unwrap().1["condition"], "Killed");
    assert_eq!(seen.last().unwrap().1["instanceId"], instance.as_str());
    let (_, provisioned) = sub.next();
    assert_eq!(provisioned["condition"], "Provisioned");
    assert_ne!(provisioned["instanceId"], instance.as_str());
    sim.advance(Duration::from_secs(2));
    let seen = sub.until("instance_health_changed_event", None);
    assert_eq!(seen.last().unwrap().1["healthy"], true);
}
