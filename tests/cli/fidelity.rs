//! Fidelity to Marathon 1.10.26's source: the simulator behaves as Marathon does in the places a
//! script notices (empty plans, scaling, rollbacks, pod status details, deployment limits), and
//! podctl reads the timestamps Java writes.
//!
//! Every test runs the simulator on the manual clock (2026-01-01T00:00:00Z, a whole minute), so
//! versions written at the start or after whole seconds come out in Java's short forms.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{deployment_id, Podctl, Sim};

const WEB: &str = "examples/web.json";

/// Quick polling, and a bound so that a broken wait fails the test instead of hanging it.
const FAST: [&str; 4] = ["--interval", "50ms", "--timeout", "20s"];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One raw request to the simulator: its status and body.
fn http(sim: &Sim, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let (status, _, text) = sim.send(method, path, &[], body);
    (status, text)
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `examples/web.json` with `change` applied, written to a file in podctl's directory.
fn web_with(podctl: &Podctl, name: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut pod = parse(&std::fs::read_to_string(WEB).unwrap());
    change(&mut pod);
    let path = podctl.dir().join(name);
    std::fs::write(&path, pod.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

fn status(podctl: &Podctl, id: &str) -> Value {
    podctl.run(&["pod", "show", id, "--json"]).json()
}

/// The version at the end of each instance's `specReference`, sorted.
fn references(status: &Value) -> Vec<String> {
    let mut refs: Vec<String> = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let r = i["specReference"].as_str().unwrap_or_default();
            r.rsplit_once("::versions/").unwrap().1.to_string()
        })
        .collect();
    refs.sort();
    refs
}

fn listed(podctl: &Podctl) -> String {
    podctl.run(&["deployment", "list", "-q"]).ok().to_string()
}

/// Runs a waiting command while moving the clock by `step` after each poll, until it exits.
fn waited(sim: &Sim, podctl: &Podctl, args: &[&str], step: Duration) -> crate::support::Out {
    let mut all = args.to_vec();
    all.extend(FAST);
    let since = sim.request_count();
    let running = podctl.spawn(&all);
    running.drive_since(sim, since, step, 100)
}

#[test]
fn an_unchanged_put_is_an_empty_plan_even_while_the_pod_deploys() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    let first = deployment_id(podctl.run(&["pod", "add", WEB]).ok());
    sim.advance(ms(1000));
    // Not locked: 200 with a new deployment id, and the running one carries on.
    let same = podctl.run(&["pod", "update", "/web", WEB, "-q"]);
    let second = same.ok().trim().to_string();
    assert!(!second.is_empty() && second != first, "{same:?}");
    assert_eq!(listed(&podctl), format!("{first}\n"));
    // Forced, it cancels nothing either.
    let forced = podctl.run(&["pod", "update", "/web", WEB, "--force", "-q"]);
    assert_ne!(forced.ok().trim(), first);
    assert_eq!(listed(&podctl), format!("{first}\n"));
    let versions = podctl.run(&["pod", "versions", "/web", "-q"]);
    assert_eq!(versions.ok().lines().count(), 1, "no new version stored");
    // A real change is still locked out.
    let changed = web_with(&podctl, "changed.json", |p| {
        p["containers"][0]["image"]["id"] = json!("nginx:1.28");
    });
    let out = podctl.run(&["pod", "update", "/web", &changed]);
    let err = out.fails(5);
    assert!(err.contains(&first), "{err}");
}

#[test]
fn a_scale_keeps_the_survivors_on_their_version_and_versions_the_pod() {
    let sim = Sim::manual(&["--deploy-time", "0"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", WEB]).ok();
    sim.advance(ms(1000));
    let three = web_with(&podctl, "three.json", |p| {
        p["scaling"]["instances"] = json!(3);
    });
    podctl.run(&["pod", "update", "/web", &three]).ok();
    let s = status(&podctl, "/web");
    assert_eq!(s["spec"]["version"], "2026-01-01T00:00:01.000Z", "{s}");
    // Java's text of the versions: a whole minute, a whole second.
    assert_eq!(
        references(&s),
        vec![
            "2026-01-01T00:00:01Z",
            "2026-01-01T00:00Z",
            "2026-01-01T00:00Z"
        ],
        "{s}"
    );
    assert_eq!(
        podctl
            .run(&["pod", "versions", "/web", "-q"])
            .ok()
            .lines()
            .count(),
        2
    );
    // Scaling down again to 2 keeps two instances; a wait on a scale accepts any version.
    let two = web_with(&podctl, "two.json", |p| {
        p["scaling"]["instances"] = json!(2);
    });
    waited(
        &sim,
        &podctl,
        &["pod", "update", "/web", &two, "--wait"],
        ms(100),
    )
    .ok();
    assert_eq!(
        status(&podctl, "/web")["instances"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn waits_read_versions_written_on_a_whole_minute_and_a_whole_second() {
    let sim = Sim::manual(&["--deploy-time", "600ms"]);
    let podctl = sim.podctl();
    // Created at 00:00:00.000: the instances' specReference says `…T00:00Z`.
    waited(&sim, &podctl, &["pod", "add", WEB, "--wait"], ms(150)).ok();
    let s = status(&podctl, "/web");
    let reference = s["instances"][0]["specReference"].as_str().unwrap();
    assert_eq!(reference, "/v2/pods/web::versions/2026-01-01T00:00Z", "{s}");
    // Moved on to the next whole second, a restart waits for `…T00:00:0NZ`.
    let now = parse(&http(&sim, "GET", "/_sim/clock", None).1);
    let now = now["now"].as_str().unwrap().to_string();
    let millis: u64 = now[20..23].parse().unwrap();
    sim.advance(ms(1000 - millis));
    let changed = web_with(&podctl, "changed.json", |p| {
        p["containers"][0]["image"]["id"] = json!("nginx:1.28");
    });
    let out = waited(
        &sim,
        &podctl,
        &["pod", "update", "/web", &changed, "--wait"],
        ms(150),
    );
    out.ok();
    let s = status(&podctl, "/web");
    let version = s["spec"]["version"].as_str().unwrap();
    assert!(version.ends_with(".000Z"), "after {now}: {s}");
    let whole_second = version.replace(".000Z", "Z");
    assert_eq!(
        references(&s),
        vec![whole_second.clone(), whole_second],
        "{s}"
    );
}

#[test]
fn a_rollback_restores_the_old_definition_under_a_new_version() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", WEB]).ok();
    sim.advance(ms(11_000));
    let changed = web_with(&podctl, "changed.json", |p| {
        p["containers"][0]["image"]["id"] = json!("nginx:1.28");
    });
    let update = deployment_id(podctl.run(&["pod", "update", "/web", &changed]).ok());
    sim.advance(ms(1000));
    podctl.run(&["deployment", "rollback", &update]).ok();
    // Created at 0 s, updated at 11 s, rolled back at 12 s.
    let version = "2026-01-01T00:00:12.000Z";
    let pod = status(&podctl, "/web")["spec"].clone();
    assert_eq!(pod["version"], version, "{pod}");
    assert_eq!(pod["containers"][0]["image"]["id"], "nginx:1.27");
    let versions = podctl.run(&["pod", "versions", "/web", "-q"]);
    let versions: Vec<&str> = versions.ok().lines().collect();
    assert_eq!(versions.len(), 3, "{versions:?}");
    assert_eq!(versions.last(), Some(&version));

    // The same for a remove: the pod comes back under a version of its own.
    sim.advance(ms(11_000));
    let removal = deployment_id(podctl.run(&["pod", "remove", "/web"]).ok());
    sim.advance(ms(1000));
    podctl.run(&["deployment", "rollback", &removal]).ok();
    let again = "2026-01-01T00:00:24.000Z";
    let pod = status(&podctl, "/web")["spec"].clone();
    assert_eq!(pod["version"], again, "{pod}");
    assert_eq!(pod["containers"][0]["image"]["id"], "nginx:1.27");
    let versions = podctl.run(&["pod", "versions", "/web", "-q"]);
    assert_eq!(versions.ok().lines().last(), Some(again));
    assert_eq!(versions.ok().lines().count(), 4);
}

/// A pod on a container network: endpoints with and without host ports, the health check on the
/// first one, executor resources of its own, and a sidecar without a health check that crashes.
fn detailed() -> Value {
    json!({
        "id": "/detail",
        "networks": [{"mode": "container", "name": "dcos"}],
        "executorResources": {"cpus": 1, "mem": 256, "disk": 100},
        "containers": [
            {"name": "app", "resources": {"cpus": 0.5, "mem": 64},
             "image": {"kind": "DOCKER", "id": "nginx:1.27"},
             "endpoints": [
                 {"name": "web", "containerPort": 80, "hostPort": 0},
                 {"name": "internal", "containerPort": 81},
                 {"name": "metrics", "containerPort": 82, "hostPort": 0}
             ],
             "healthCheck": {"http": {"endpoint": "web", "path": "/"}}},
            {"name": "sidecar", "resources": {"cpus": 0.25, "mem": 32},
             "image": {"kind": "DOCKER", "id": "crash/sidecar:1"}}
        ]
    })
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[test]
fn pod_status_details_follow_marathons_conversion() {
    let sim = Sim::manual(&["--deploy-time", "3s", "--fail-image", "crash*"]);
    let podctl = sim.podctl();
    let (code, _) = http(&sim, "POST", "/v2/pods", Some(&detailed()));
    assert_eq!(code, 201);
    // Provisioned: no container holds resources yet, the instance only the default executor's.
    let s = status(&podctl, "/detail");
    let instance = &s["instances"][0];
    assert_eq!(instance["status"], "PENDING", "{s}");
    for c in instance["containers"].as_array().unwrap() {
        assert!(c.get("resources").is_none(), "{c}");
    }
    let r = &instance["resources"];
    assert!(close(&r["cpus"], 0.1) && close(&r["mem"], 32.0), "{r}");
    assert!(close(&r["disk"], 10.0) && close(&r["gpus"], 0.0), "{r}");

    // Running (the sidecar fails at 3.5 s): host-port endpoints first, the checked one last.
    sim.advance(ms(3100));
    let s = status(&podctl, "/detail");
    let instance = &s["instances"][0];
    let app = &instance["containers"][0];
    let names: Vec<&str> = app["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["metrics", "internal", "web"], "{app}");
    assert_eq!(app["endpoints"][2]["healthy"], true, "{app}");
    assert!(app["endpoints"][2]["allocatedHostPort"].is_u64(), "{app}");
    assert!(
        app["endpoints"][1].get("allocatedHostPort").is_none(),
        "{app}"
    );
    // Default executor (not the pod's 1 cpu) plus both containers.
    let r = &instance["resources"];
    assert!(close(&r["cpus"], 0.85) && close(&r["mem"], 128.0), "{r}");
    assert!(close(&r["disk"], 10.0), "{r}");
    // The sidecar has no health check: running, it does not make the instance DEGRADED.
    assert_eq!(instance["containers"][1]["status"], "TASK_RUNNING", "{s}");
    assert_eq!(instance["status"], "STABLE", "{s}");
    assert!(instance.get("message").is_none(), "{s}");
    assert_eq!(s["status"], "STABLE", "{s}");

    // A crashing container with a health check is unhealthy: DEGRADED, with Marathon's words.
    let mut sick = detailed();
    sick["id"] = json!("/sick");
    sick["containers"][0]["image"]["id"] = json!("crash/app:1");
    let (code, _) = http(&sim, "POST", "/v2/pods", Some(&sick));
    assert_eq!(code, 201);
    sim.advance(ms(3100));
    let s = status(&podctl, "/sick");
    let instance = &s["instances"][0];
    assert_eq!(instance["containers"][0]["status"], "TASK_RUNNING", "{s}");
    assert_eq!(instance["status"], "DEGRADED", "{s}");
    assert_eq!(instance["message"], "at least one container is not healthy");
    assert_eq!(s["status"], "DEGRADED", "{s}");
}

#[test]
fn a_just_registered_plan_is_on_step_0_without_current_actions() {
    let sim = Sim::manual(&["--deploy-time", "3s"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", WEB]).ok());
    let plans = podctl.run(&["deployment", "list", "--json"]).json();
    assert_eq!(plans[0]["id"], id.as_str());
    assert_eq!(plans[0]["currentStep"], 0, "{plans}");
    assert_eq!(plans[0]["currentActions"], json!([]), "{plans}");
    assert_eq!(plans[0]["totalSteps"], 2, "{plans}");
    sim.advance(ms(100));
    let plans = podctl.run(&["deployment", "list", "--json"]).json();
    assert_eq!(plans[0]["currentStep"], 1, "{plans}");
    assert_eq!(plans[0]["currentActions"][0]["action"], "StartPod");
}

#[test]
fn a_hundred_running_deployments_refuse_the_next_change() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    for n in 0..100 {
        let pod = json!({"id": format!("/load/p{n}"),
                         "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}]});
        let (code, body) = http(&sim, "POST", "/v2/pods", Some(&pod));
        assert_eq!(code, 201, "{n}: {body}");
    }
    let (code, body) = http(
        &sim,
        "PUT",
        "/v2/pods/load/p0",
        Some(&json!({"id": "/load/p0",
                     "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}]})),
    );
    assert_eq!(code, 403, "{body}");
    let message = parse(&body)["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("Max number (100) of running deployments is achieved."),
        "{message}"
    );
    let out = podctl.run(&["pod", "add", WEB]);
    let err = out.fails(5);
    assert!(
        err.contains("Max number (100) of running deployments"),
        "{err}"
    );
    // Once some finish, changes go through again.
    sim.advance(ms(10_000));
    podctl.run(&["pod", "add", WEB]).ok();
}

#[test]
fn scaling_to_zero_with_other_changes_is_a_scale() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", WEB]).ok();
    sim.advance(ms(11_000));
    let zero = web_with(&podctl, "zero.json", |p| {
        p["scaling"]["instances"] = json!(0);
        p["containers"][0]["image"]["id"] = json!("nginx:1.28");
    });
    let id = deployment_id(podctl.run(&["pod", "update", "/web", &zero]).ok());
    let plans = podctl.run(&["deployment", "list", "--json"]).json();
    assert_eq!(plans[0]["id"], id.as_str());
    assert_eq!(
        plans[0]["steps"],
        json!([{"actions": [{"action": "ScalePod", "pod": "/web"}]}]),
        "{plans}"
    );
}

#[test]
fn a_kill_on_an_unknown_pod_has_no_details() {
    let sim = Sim::manual(&[]);
    let instance = "nope.instance-00000000-0000-4000-8000-000000000001";
    let (code, body) = http(
        &sim,
        "DELETE",
        "/v2/pods/nope::instances",
        Some(&json!([instance])),
    );
    assert_eq!(code, 404, "{body}");
    assert_eq!(
        parse(&body),
        json!({"message": "Path '/nope' does not exist"})
    );
    let (code, body) = http(
        &sim,
        "DELETE",
        &format!("/v2/pods/nope::instances/{instance}"),
        None,
    );
    assert_eq!(code, 404, "{body}");
    assert_eq!(
        parse(&body),
        json!({"message": "Path '/nope' does not exist"})
    );
    let out = sim.podctl().run(&["pod", "kill", "/nope", instance]);
    let err = out.fails(4);
    assert!(err.contains("Path '/nope' does not exist"), "{err}");
}
