//! Fidelity of updates to Marathon 1.10.26: a change outside `PodDefinition.isUpgrade` keeps the
//! pod's version and restarts nothing, an identical PUT is an empty plan, scaling to 0 is a scale,
//! and the defaults Marathon writes back are in what the simulator answers; `pod apply` and
//! `pod diff` tell these cases apart against the simulator.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{Podctl, Sim};

const WEB: &str = "examples/web.json";

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `examples/web.json` with `change` applied, written to `name` in podctl's directory.
fn web_with(podctl: &Podctl, name: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut pod = parse(&std::fs::read_to_string(WEB).unwrap());
    change(&mut pod);
    let path = podctl.dir().join(name);
    std::fs::write(&path, pod.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

/// Changes only fields that `isUpgrade` leaves out.
fn retune(pod: &mut Value) {
    pod["executorResources"] = json!({"cpus": 0.5, "mem": 64});
    pod["scheduling"] = json!({"killSelection": "OLDEST_FIRST", "unreachableStrategy": "disabled"});
}

fn get(sim: &Sim, path: &str) -> Value {
    let (status, _, body) = sim.send("GET", path, &[], None);
    assert_eq!(status, 200, "{body}");
    parse(&body)
}

fn instance_ids(sim: &Sim) -> Vec<String> {
    let status = get(sim, "/v2/pods/web::status");
    let mut ids: Vec<String> = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn deployments(sim: &Sim) -> Value {
    get(sim, "/v2/deployments")
}

#[test]
fn apply_of_a_change_outside_is_upgrade_restarts_nothing_and_keeps_the_version() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "apply", WEB]).ok();
    sim.advance(Duration::from_secs(11));
    let before = get(&sim, "/v2/pods/web");
    let instances = instance_ids(&sim);
    assert_eq!(instances.len(), 2);

    let retuned = web_with(&podctl, "retuned.json", retune);
    let out = podctl.run(&["pod", "apply", &retuned]);
    let line = out.ok().trim().to_string();
    assert!(
        line.starts_with("/web: updated, no restart (deployment "),
        "{line}"
    );
    // An empty plan: never listed, nothing restarted, no new version stored.
    assert_eq!(deployments(&sim), json!([]));
    assert_eq!(instance_ids(&sim), instances);
    let after = get(&sim, "/v2/pods/web");
    assert_eq!(after["version"], before["version"]);
    assert_eq!(
        after["executorResources"],
        json!({"cpus": 0.5, "mem": 64.0, "disk": 10.0})
    );
    assert_eq!(after["scheduling"]["killSelection"], "OLDEST_FIRST");
    assert_eq!(after["scheduling"]["unreachableStrategy"], "disabled");
    let versions = get(&sim, "/v2/pods/web::versions");
    assert_eq!(versions.as_array().map(Vec::len), Some(1), "{versions}");

    // What is deployed now is what the file says.
    let again = podctl.run(&["pod", "apply", &retuned]);
    assert_eq!(again.ok(), "/web: unchanged\n");
    let diff = podctl.run(&["pod", "diff", &retuned]);
    assert_eq!(diff.code, 0, "{diff:?}");
}

#[test]
fn update_wait_of_a_change_outside_is_upgrade_ends_without_the_clock_moving() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", WEB]).ok();
    sim.advance(Duration::from_secs(11));
    let retuned = web_with(&podctl, "retuned.json", retune);
    // The answer's version is newer than the pod's; the wait must not look for it.
    let out = podctl.run(&[
        "pod",
        "update",
        "/web",
        &retuned,
        "--wait",
        "--interval",
        "50ms",
        "--timeout",
        "20s",
    ]);
    out.ok();
}

#[test]
fn a_put_outside_is_upgrade_answers_the_request_under_a_new_version() {
    let sim = Sim::manual(&["--deploy-time", "0"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", WEB]).ok();
    sim.advance(Duration::from_secs(1));
    let stored = get(&sim, "/v2/pods/web");
    let mut body = parse(&std::fs::read_to_string(WEB).unwrap());
    retune(&mut body);
    let (status, headers, text) = sim.send("PUT", "/v2/pods/web", &[], Some(&body));
    assert_eq!(status, 200, "{text}");
    let deployment = headers
        .get("Marathon-Deployment-Id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(!deployment.is_empty());
    // `PodsResource.update` answers the request as normalised, stamped now; the pod itself
    // keeps its version (`GroupVersioningUtil.updateVersionInfoForChangedPods`).
    let answer = parse(&text);
    let version = answer["version"].as_str().unwrap_or_default();
    assert!(version.starts_with("2026-01-01T00:00:01"), "{version}");
    assert_eq!(answer["executorResources"]["cpus"], 0.5);
    let now = get(&sim, "/v2/pods/web");
    assert_eq!(now["version"], stored["version"]);
    assert_ne!(now["version"], answer["version"]);
    assert_eq!(deployments(&sim), json!([]));
}

#[test]
fn apply_of_a_scale_with_changes_outside_is_upgrade_is_a_scale() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "apply", WEB]).ok();
    sim.advance(Duration::from_secs(11));
    let instances = instance_ids(&sim);
    let more = web_with(&podctl, "more.json", |p| {
        retune(p);
        p["scaling"]["instances"] = json!(3);
    });
    let out = podctl.run(&["pod", "apply", &more]);
    let line = out.ok().trim().to_string();
    assert!(
        line.starts_with("/web: updated, scale 2 → 3 (deployment "),
        "{line}"
    );
    let plans = deployments(&sim);
    assert_eq!(
        plans[0]["steps"],
        json!([{"actions": [{"action": "ScalePod", "pod": "/web"}]}]),
        "{plans}"
    );
    // The two running instances stay; the scale ends once the third is up.
    let now = instance_ids(&sim);
    assert!(instances.iter().all(|i| now.contains(i)), "{now:?}");
    sim.advance(Duration::from_secs(11));
    assert_eq!(deployments(&sim), json!([]));
    assert_eq!(instance_ids(&sim).len(), 3);
}

#[test]
fn apply_of_scale_to_zero_with_a_new_image_is_a_scale() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "apply", WEB]).ok();
    sim.advance(Duration::from_secs(11));
    let zero = web_with(&podctl, "zero.json", |p| {
        p["scaling"]["instances"] = json!(0);
        p["containers"][0]["image"]["id"] = json!("nginx:1.28");
    });
    let out = podctl.run(&["pod", "apply", &zero]);
    let line = out.ok().trim().to_string();
    assert!(
        line.starts_with("/web: updated, scale 2 → 0 (deployment "),
        "{line}"
    );
    let plans = deployments(&sim);
    assert_eq!(
        plans[0]["steps"],
        json!([{"actions": [{"action": "ScalePod", "pod": "/web"}]}]),
        "{plans}"
    );
    // `isUpgrade`: a new version is stored.
    let versions = get(&sim, "/v2/pods/web::versions");
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
}

#[test]
fn an_identical_put_is_an_empty_plan_with_an_id_and_a_fresh_version_in_the_answer() {
    let sim = Sim::manual(&["--deploy-time", "0"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", WEB]).ok();
    sim.advance(Duration::from_secs(1));
    let stored = get(&sim, "/v2/pods/web");
    let body = parse(&std::fs::read_to_string(WEB).unwrap());
    let (status, headers, text) = sim.send("PUT", "/v2/pods/web", &[], Some(&body));
    assert_eq!(status, 200, "{text}");
    assert!(headers.contains_key("Marathon-Deployment-Id"));
    let answer = parse(&text);
    let version = answer["version"].as_str().unwrap_or_default();
    assert!(version.starts_with("2026-01-01T00:00:01"), "{version}");
    let now = get(&sim, "/v2/pods/web");
    assert_eq!(now, stored);
    assert_eq!(deployments(&sim), json!([]));
    assert_eq!(podctl.run(&["pod", "apply", WEB]).ok(), "/web: unchanged\n");
}

#[test]
fn defaults_marathon_writes_back_are_in_the_stored_definition() {
    let sim = Sim::manual(&["--deploy-time", "0"]);
    let podctl = sim.podctl();
    let file = web_with(&podctl, "artifacts.json", |p| {
        let c = &mut p["containers"][0];
        c["artifacts"] = json!([{"uri": "https://example.com/site.tgz"},
            {"uri": "https://example.com/run.sh", "executable": true, "extract": false}]);
        c["check"] = json!({"http": {"endpoint": "http", "path": "/ready"}});
        c["linuxInfo"] = json!({"seccomp": {"profileName": "default.json"}});
    });
    podctl.run(&["pod", "apply", &file]).ok();
    let pod = get(&sim, "/v2/pods/web");
    let c = &pod["containers"][0];
    assert_eq!(
        c["artifacts"],
        json!([
            {"uri": "https://example.com/site.tgz", "extract": true, "executable": false, "cache": false},
            {"uri": "https://example.com/run.sh", "extract": false, "executable": true, "cache": false}
        ])
    );
    assert_eq!(c["volumeMounts"][0]["readOnly"], false);
    assert_eq!(pod["containers"][1]["volumeMounts"][0]["readOnly"], true);
    assert_eq!(
        c["linuxInfo"]["seccomp"],
        json!({"profileName": "default.json", "unconfined": false})
    );
    assert!(c.get("check").is_none(), "{c}");
    // The file and what came back compare equal, so nothing is sent again.
    let diff = podctl.run(&["pod", "diff", &file]);
    assert_eq!(diff.code, 0, "{diff:?}");
    let before = sim.request_count();
    assert_eq!(
        podctl.run(&["pod", "apply", &file]).ok(),
        "/web: unchanged\n"
    );
    let writes = sim.requests()[before..]
        .iter()
        .filter(|l| l.contains("PUT ") || l.contains("POST "))
        .filter(|l| !l.contains("/_sim/"))
        .count();
    assert_eq!(writes, 0);
}
