//! `pod apply --wait`: every deployment apply starts is followed together, on one event stream
//! opened before the first write (or, without the stream, by one poll for all the pods), with
//! one progress display, until all are done; exit 8 when any fails or runs out of time, naming
//! the pods.

use std::time::Duration;

use crate::support::{eventually, Sim};

const V1: &str = "tests/fixtures/apply/v1";
const PODS: [&str; 3] = ["/api", "/cache", "/db"];

fn apply_wait(timeout: &str) -> Vec<&str> {
    vec![
        "pod",
        "apply",
        V1,
        "--wait",
        "--interval",
        "50ms",
        "--timeout",
        timeout,
    ]
}

/// The requests logged from `since` on, without the test's own clock moves.
fn requests_since(sim: &Sim, since: usize) -> Vec<String> {
    sim.requests()[since..]
        .iter()
        .filter(|r| !r.contains("/_sim/"))
        .cloned()
        .collect()
}

#[test]
fn on_the_stream_three_deployments_cost_one_subscription_and_one_status_each() {
    let sim = Sim::manual(&["--deploy-time", "600ms"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let out =
        podctl
            .spawn(&apply_wait("60s"))
            .drive_since(&sim, since, Duration::from_millis(150), 60);
    assert_eq!(out.ok().lines().count(), 3, "{out:?}");
    let requests = requests_since(&sim, since);
    for id in PODS {
        let status = podctl.run(&["pod", "show", id, "--json"]).json();
        assert_eq!(status["status"], "STABLE", "{id}: {status}");
    }
    // Before the stream: one read per pod. From it on: the subscription (once, before the
    // first write), the three writes, one status request per pod to confirm its end.
    let subscribed = requests
        .iter()
        .position(|r| r.starts_with("GET /v2/events"))
        .unwrap_or_else(|| panic!("no subscription: {requests:#?}"));
    let during = &requests[subscribed..];
    assert!(during[1].starts_with("POST /v2/pods"), "{requests:#?}");
    assert_eq!(during.len(), 7, "{requests:#?}");
    assert_eq!(
        during
            .iter()
            .filter(|r| r.starts_with("GET /v2/events"))
            .count(),
        1,
        "{requests:#?}"
    );
    // One display: each progress line names its pod; the last line gathers them all.
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("Done in "), "{out:?}");
    for id in PODS {
        assert!(last.contains(&format!("{id}: ")), "{last}");
        assert!(
            out.stderr.lines().any(|l| l.contains(&format!("] {id}: "))),
            "{out:?}"
        );
    }
}

#[test]
fn without_the_stream_one_poll_covers_every_pod() {
    let sim = Sim::manual(&["--deploy-time", "600ms", "--no-events"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let mut args = apply_wait("60s");
    args.push("--verbose");
    let out = podctl
        .spawn(&args)
        .drive_since(&sim, since, Duration::from_millis(150), 60);
    assert_eq!(out.ok().lines().count(), 3, "{out:?}");
    let requests = requests_since(&sim, since);
    for id in PODS {
        let status = podctl.run(&["pod", "show", id, "--json"]).json();
        assert_eq!(status["status"], "STABLE", "{id}: {status}");
    }
    assert!(
        out.stderr
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("Done in "),
        "{out:?}"
    );
    // The fallback is decided once for all, not per pod.
    assert_eq!(
        out.stderr.matches("event stream not used").count(),
        1,
        "{out:?}"
    );
    // Each poll lists the deployments once for the three pods: waiting for each on its own
    // would list them once per pod's status.
    let listed = requests
        .iter()
        .filter(|r| r.starts_with("GET /v2/deployments "))
        .count();
    let statuses = requests.iter().filter(|r| r.contains("::status")).count();
    assert!(listed >= 1, "{requests:#?}");
    assert!(
        statuses >= 2 * listed,
        "{listed} lists, {statuses} statuses: {requests:#?}"
    );
}

#[test]
fn a_deployment_cancelled_by_a_forced_update_fails_the_wait_with_8_naming_its_pod() {
    let sim = Sim::manual(&["--deploy-time", "600ms"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let mut running = podctl.spawn(&apply_wait("60s"));
    // All three written, none finished (the clock stands still): /api is replaced by force.
    eventually("the three writes", || {
        requests_since(&sim, since)
            .iter()
            .filter(|r| r.starts_with("POST /v2/pods"))
            .count()
            == 3
            || running.exited()
    });
    assert!(!running.exited(), "returned before the clock moved");
    podctl
        .run(&[
            "pod",
            "update",
            "/api",
            "tests/fixtures/apply/v2/api.json",
            "--force",
        ])
        .ok();
    let out = running.drive_since(&sim, since, Duration::from_millis(150), 60);
    let stderr = out.fails(8);
    assert_eq!(out.stdout.lines().count(), 3, "{out:?}");
    let error = &stderr[stderr.find("error: ").unwrap_or_else(|| panic!("{stderr}"))..];
    assert!(
        error.contains("1 of 3 deployments did not reach their goal"),
        "{error}"
    );
    assert!(error.contains("of /api failed"), "{error}");
    assert!(
        error.contains("cancelled by a forced change to /api"),
        "{error}"
    );
    assert!(
        !error.contains("/db") && !error.contains("/cache"),
        "{error}"
    );
    // The others were followed to their end all the same.
    for id in ["/cache", "/db"] {
        let status = podctl.run(&["pod", "show", id, "--json"]).json();
        assert_eq!(status["status"], "STABLE", "{id}: {status}");
    }
}

#[test]
fn a_pod_that_never_becomes_ready_times_out_with_8_naming_it_and_its_failure() {
    let sim = Sim::manual(&["--deploy-time", "600ms", "--fail-image", "redis:*"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let out =
        podctl
            .spawn(&apply_wait("3s"))
            .drive_since(&sim, since, Duration::from_millis(150), 60);
    let stderr = out.fails(8);
    let error = &stderr[stderr.find("error: ").unwrap_or_else(|| panic!("{stderr}"))..];
    assert!(
        error.contains("1 of 3 deployments did not reach their goal"),
        "{error}"
    );
    assert!(
        error.contains("timed out after 3s waiting for deployment"),
        "{error}"
    );
    assert!(error.contains("of /cache"), "{error}");
    assert!(error.contains("failing: "), "{error}");
    assert!(!error.contains("/api") && !error.contains("/db"), "{error}");
    for id in ["/api", "/db"] {
        let status = podctl.run(&["pod", "show", id, "--json"]).json();
        assert_eq!(status["status"], "STABLE", "{id}: {status}");
    }
}

#[test]
fn ctrl_c_stops_the_wait_for_every_deployment_with_130_naming_them_all() {
    for events in [true, false] {
        let args: &[&str] = if events {
            &["--deploy-time", "600ms"]
        } else {
            &["--deploy-time", "600ms", "--no-events"]
        };
        let sim = Sim::manual(args);
        let podctl = sim.podctl();
        let since = sim.request_count();
        let mut running = podctl.spawn(&apply_wait("60s"));
        // Written and being followed (the clock stands still, so none is over).
        eventually("the three writes and a look at them", || {
            let requests = requests_since(&sim, since);
            let writes = requests.iter().position(|r| r.starts_with("POST /v2/pods"));
            writes.is_some_and(|i| {
                requests[i..]
                    .iter()
                    .filter(|r| r.starts_with("POST /v2/pods"))
                    .count()
                    == 3
            }) || running.exited()
        });
        assert!(!running.exited(), "returned before the clock moved");
        running.interrupt();
        let out = running.finish();
        let stderr = out.fails(130);
        assert!(
            stderr.contains("interrupted: stopped waiting for "),
            "{stderr}"
        );
        for id in PODS {
            assert!(stderr.contains(&format!("of {id}")), "{events}: {stderr}");
        }
        assert!(stderr.contains("podctl deployment watch"), "{stderr}");
    }
}
