//! Deployments: `--wait`, `deployment list|watch|rollback|stop`, time-outs and Ctrl-C.

//!
//! The simulator runs on the manual clock: a deployment moves only when a test advances the clock,
//! so waiting commands are started in the background and the clock is moved while they poll.

use std::time::Duration;

use crate::support::{deployment_id, Podctl, Sim};

/// Quick polling, and a bound so that a broken wait fails the test instead of hanging it.
const FAST: [&str; 4] = ["--interval", "50ms", "--timeout", "60s"];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Runs a waiting command while moving the clock by `step` after each poll, until it exits.
fn waited(sim: &Sim, podctl: &Podctl, args: &[&str], step: Duration) -> crate::support::Out {
    let mut all = args.to_vec();
    all.extend(FAST);
    let since = sim.request_count();
    let mut running = podctl.spawn(&all);
    // With the clock still nothing can have finished, so it must still be waiting: after one
    // poll, or with its request sent on the event stream.
    if sim.events {
        running.await_started(sim, since);
    } else {
        running.await_requests(sim, since, 3);
    }
    assert!(!running.exited(), "returned before the clock moved");
    running.drive_since(sim, since, step, 50)
}

#[test]
fn add_wait_returns_when_every_instance_is_ready() {
    let sim = Sim::manual(&["--deploy-time", "600ms"]);
    let podctl = sim.podctl();
    let out = waited(
        &sim,
        &podctl,
        &["pod", "add", "examples/web.json", "--wait"],
        ms(150),
    );
    let id = deployment_id(out.ok());
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(status["status"], "STABLE", "{status}");
    for instance in status["instances"].as_array().unwrap() {
        assert_eq!(instance["status"], "STABLE");
    }
    assert!(!podctl.run(&["deployment", "list", "-q"]).ok().contains(&id));
    // Not a terminal: plain lines, one per change, no control characters.
    let log = &out.stderr;
    assert!(!log.contains('\u{1b}') && !log.contains('\r'), "{log:?}");
    assert!(
        log.lines().any(|l| l.contains("step 1/2 StartPod /web")),
        "{log}"
    );
    assert!(log.lines().any(|l| l.contains("staging")), "{log}");
    assert!(log.lines().last().unwrap().starts_with("Done in "), "{log}");
    let lines: Vec<&str> = log.lines().collect();
    for pair in lines.windows(2) {
        assert_ne!(
            pair[0].split("] ").nth(1),
            pair[1].split("] ").nth(1),
            "repeated line: {log}"
        );
    }
}

#[test]
fn quiet_wait_prints_only_the_id() {
    let sim = Sim::manual(&["--deploy-time", "200ms"]);
    let args = ["pod", "add", "examples/web.json", "--wait", "-q"];
    let out = waited(&sim, &sim.podctl(), &args, ms(100));
    assert!(!out.ok().trim().contains(' '), "{out:#?}");
    assert_eq!(out.stderr, "");
}

#[test]
fn update_and_remove_wait_for_their_goal() {
    let sim = Sim::manual(&["--deploy-time", "300ms"]);
    let podctl = sim.podctl();
    let add = ["pod", "add", "examples/web.json", "--wait"];
    waited(&sim, &podctl, &add, ms(100)).ok();
    let update = ["pod", "update", "/web", "examples/web-v2.json", "--wait"];
    waited(&sim, &podctl, &update, ms(100)).ok();
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    let version = status["spec"]["version"].as_str().unwrap().to_string();
    let ready = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["status"] == "STABLE" && i["specReference"].as_str().unwrap().ends_with(&version)
        })
        .count();
    assert!(ready >= 3, "{status}");

    let remove = ["pod", "remove", "/web", "--wait"];
    let out = waited(&sim, &podctl, &remove, ms(100));
    out.ok();
    assert!(out.stderr.contains("pod removed"), "{out:#?}");
    assert_eq!(podctl.run(&["deployment", "list", "-q"]).ok(), "");
}

#[test]
fn kill_wait_returns_when_replacements_are_ready() {
    let sim = Sim::manual(&["--deploy-time", "300ms"]);
    let podctl = sim.podctl();
    let add = ["pod", "add", "examples/web.json", "--wait"];
    waited(&sim, &podctl, &add, ms(100)).ok();
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    let instance = status["instances"][0]["id"].as_str().unwrap().to_string();
    let kill = ["pod", "kill", "/web", instance.as_str(), "--wait"];
    waited(&sim, &podctl, &kill, ms(100)).ok();
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(status["status"], "STABLE", "{status}");
}

#[test]
fn a_wait_that_times_out_exits_8_and_says_what_is_pending() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let args = vec![
        "pod",
        "add",
        "examples/web.json",
        "--wait",
        "--timeout",
        "300ms",
        "--interval",
        "50ms",
    ];
    let out = sim.podctl().run(&args);
    let id = deployment_id(&out.stdout);
    let err = out.fails(8);
    let last = err.lines().last().unwrap();
    assert!(last.contains("timed out after 300ms"), "{err}");
    // The clock never moved: the plan is still as Marathon lists it when just registered, or,
    // as its events tell, on its first step.
    let pending = if sim.events {
        "still pending: step 1/2 StartPod /web"
    } else {
        "still pending: deployment"
    };
    assert!(last.contains(pending), "{err}");
    assert!(
        last.contains(&format!("podctl deployment watch {id}")),
        "{err}"
    );
    // The deployment goes on.
    assert!(sim
        .podctl()
        .run(&["deployment", "list", "-q"])
        .ok()
        .contains(&id));
}

#[test]
fn deployment_list_shows_running_deployments() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let podctl = sim.podctl();
    let empty = podctl.run(&["deployment", "list"]);
    assert_eq!(empty.ok(), "");
    assert_eq!(empty.stderr.trim(), "No deployments.");
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    // Past step 0, which a just-registered plan shows.
    sim.advance(ms(1000));
    let table = podctl.run(&["deployment", "list"]);
    let text = table.ok();
    assert!(text.starts_with("ID"), "{text}");
    let row = text.lines().find(|l| l.starts_with(&id)).expect(text);
    assert!(
        row.contains("/web") && row.contains("/2") && row.contains("Pod"),
        "{row}"
    );
    assert_eq!(
        podctl.run(&["deployment", "list", "-q"]).ok(),
        format!("{id}\n")
    );
    let json = podctl.run(&["deployment", "list", "--json"]).json();
    assert_eq!(json[0]["id"], id.as_str());
    assert_eq!(json[0]["affectedPods"][0], "/web");
}

#[test]
fn watch_follows_a_deployment_and_unknown_ids_exit_4() {
    let sim = Sim::manual(&["--deploy-time", "500ms"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let out = waited(
        &sim,
        &podctl,
        &["deployment", "watch", id.as_str()],
        ms(100),
    );
    out.ok();
    assert!(out.stderr.contains("2/2 instances ready"), "{out:#?}");
    assert_eq!(
        podctl.run(&["pod", "show", "/web", "--json"]).json()["status"],
        "STABLE"
    );
    let err = podctl
        .run(&["deployment", "watch", &id])
        .fails(4)
        .to_string();
    assert!(err.contains(&id), "{err}");
    podctl.run(&["deployment", "rollback", "nope"]).fails(4);
    podctl.run(&["deployment", "stop", "nope"]).fails(4);
}

#[test]
fn rollback_reverts_a_create() {
    let sim = Sim::manual(&["--deploy-time", "30s"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let out = podctl.run(&["deployment", "rollback", &id]);
    let rollback = deployment_id(out.ok());
    assert_ne!(rollback, id);
    let listed = podctl.run(&["deployment", "list", "-q"]).ok().to_string();
    assert!(
        listed.contains(&rollback) && !listed.contains(&id),
        "{listed}"
    );
    podctl.run(&["pod", "show", "/web"]).fails(4);
    let json = {
        let id = deployment_id(podctl.run(&["pod", "add", "examples/api.json"]).ok());
        podctl
            .run(&["deployment", "rollback", &id, "--json"])
            .json()
    };
    assert!(
        json["deploymentId"].is_string() && json["rollbackOf"].is_string(),
        "{json}"
    );
}

#[test]
fn rollback_can_wait_for_the_revert() {
    let sim = Sim::manual(&["--deploy-time", "400ms"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let args = ["deployment", "rollback", id.as_str(), "--wait"];
    let out = waited(&sim, &podctl, &args, ms(100));
    out.ok();
    assert!(out.stderr.contains("pod removed"), "{out:#?}");
    assert_eq!(podctl.run(&["deployment", "list", "-q"]).ok(), "");
}

#[test]
fn stop_ends_a_deployment_and_keeps_the_pod() {
    let sim = Sim::manual(&["--deploy-time", "30s"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    assert_eq!(
        podctl.run(&["deployment", "stop", &id]).ok(),
        format!("Stopped deployment {id}\n")
    );
    assert_eq!(podctl.run(&["deployment", "list", "-q"]).ok(), "");
    podctl.run(&["pod", "show", "/web"]).ok();
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.contains(&format!("DELETE /v2/deployments/{id}?force=true"))));
}

#[test]
fn ctrl_c_stops_waiting_not_the_deployment() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let podctl = sim.podctl();
    let mut running = podctl.spawn(&[
        "pod",
        "add",
        "examples/web.json",
        "--wait",
        "--interval",
        "50ms",
    ]);
    // Wait until it is following: the stream and the POST are in the simulator's log.
    running.await_started(&sim, 0);
    assert!(!running.exited());
    running.interrupt();
    let out = running.finish();
    assert_eq!(out.code, 130, "{out:#?}");
    let id = deployment_id(&out.stdout);
    assert!(
        out.stderr
            .contains(&format!("podctl deployment watch {id}")),
        "{out:#?}"
    );
    assert!(sim
        .podctl()
        .run(&["deployment", "list", "-q"])
        .ok()
        .contains(&id));
}

#[test]
fn failing_containers_are_named_and_the_wait_times_out() {
    let sim = Sim::manual(&["--deploy-time", "0", "--fail-image", "crash*"]);
    let podctl = sim.podctl();
    let mut running = podctl.spawn(&[
        "pod",
        "add",
        "examples/crash.json",
        "--wait",
        "--timeout",
        "4s",
        "--interval",
        "50ms",
    ]);
    running.await_started(&sim, 0);
    // Past the brief run before the crash, into the back-off; the clock then stays there, so
    // every later poll sees the failure until the wait times out.
    sim.advance(ms(1000));
    let out = running.finish();
    let id = deployment_id(&out.stdout);
    let err = out.fails(8);
    let warning = err
        .lines()
        .find(|l| l.starts_with("warning: container app failed"))
        .unwrap_or_else(|| panic!("no failure reported: {err}"));
    assert!(
        warning.contains("TASK_FAILED: Container exited with status 1"),
        "{warning}"
    );
    let last = err.lines().last().unwrap();
    assert!(last.contains("timed out after 4s"), "{last}");
    assert!(last.contains("failing: app ("), "{last}");
    assert!(
        last.contains(&format!("podctl deployment watch {id}")),
        "{last}"
    );
    assert!(
        !err.contains("container sidecar failed"),
        "a killed sidecar is not a failure: {err}"
    );
    // The deployment hangs until someone acts: roll it back and wait for the revert.
    assert!(podctl.run(&["deployment", "list", "-q"]).ok().contains(&id));
    roll_back_and_wait(&sim, &podctl, &id);
    podctl.run(&["pod", "show", "/crash"]).fails(4);
}

#[test]
fn a_rollback_of_a_crashing_update_restores_the_old_pod() {
    let sim = Sim::manual(&["--deploy-time", "0", "--fail-image", "crash*"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    sim.advance(ms(100));
    let mut crashing: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("examples/web.json").unwrap()).unwrap();
    crashing["containers"][0]["image"]["id"] = "crashloop/nginx:2".into();
    let out = podctl.run_with_stdin(&["pod", "update", "/web"], &crashing.to_string());
    let id = deployment_id(&out.stdout);
    // Crashing and relaunched again and again, the update never ends on its own.
    for _ in 0..5 {
        sim.advance(ms(1000));
        assert!(podctl.run(&["deployment", "list", "-q"]).ok().contains(&id));
    }
    assert_eq!(
        podctl.run(&["pod", "show", "/web", "--json"]).json()["status"],
        "DEGRADED"
    );
    roll_back_and_wait(&sim, &podctl, &id);
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(status["spec"]["containers"][0]["image"]["id"], "nginx:1.27");
    assert_eq!(status["status"], "STABLE", "{status}");
}

/// `deployment rollback ID --wait`, driven on the manual clock until it is over. With instant
/// deployments the revert may be over before the first poll.
fn roll_back_and_wait(sim: &Sim, podctl: &Podctl, id: &str) {
    let rollback = ["deployment", "rollback", id, "--wait", "--interval", "50ms"];
    let since = sim.request_count();
    podctl
        .spawn(&rollback)
        .drive_since(sim, since, ms(100), 50)
        .ok();
}
