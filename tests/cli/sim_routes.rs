//! The simulator's routes as Marathon 1.10 answers them: malformed ids, unknown paths, headers,
//! `/ping`, the queue, and the bounds on its own admin and fault arguments.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{minimal, Sim};

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Adds a pod from [`minimal`] through the API.
fn add(sim: &Sim, id: &str) {
    let (code, _, body) = sim.send("POST", "/v2/pods", &[], Some(&parse(&minimal(id))));
    assert_eq!(code, 201, "{body}");
}

#[test]
fn a_malformed_instance_id_in_a_kill_is_422() {
    let sim = Sim::start();
    add(&sim, "/web");
    for path in [
        "/v2/pods/web::instances/bogus",
        "/v2/pods/nope::instances/bogus",
    ] {
        let (code, _, body) = sim.send("DELETE", path, &[], None);
        assert_eq!(code, 422, "{path}: {body}");
        let body = parse(&body);
        assert_eq!(body["message"], "Object is not valid", "{body}");
        let error = body["details"][0]["errors"][0].as_str().unwrap();
        assert!(
            error.contains("must fully match regular expression"),
            "{error}"
        );
    }
    let (code, _, body) = sim.send(
        "DELETE",
        "/v2/pods/web::instances",
        &[],
        Some(&json!(["web.instance-1", "bogus"])),
    );
    assert_eq!(code, 422, "{body}");
    // Past the pattern, the UUID part is parsed as Java does: a bad one is an
    // IllegalArgumentException, 422 with its message.
    let (code, _, body) = sim.send(
        "DELETE",
        "/v2/pods/web::instances/web.instance-x",
        &[],
        None,
    );
    assert_eq!(code, 422, "{body}");
    assert_eq!(parse(&body), json!({"message": "Invalid UUID string: x"}));
    // A well-formed id of no instance is still a not-found.
    let unknown = "/v2/pods/web::instances/web.instance-00000000-0000-4000-8000-00000000ffff";
    let (code, _, body) = sim.send("DELETE", unknown, &[], None);
    assert_eq!(code, 404, "{body}");
}

#[test]
fn unknown_routes_are_marathons_500_and_bad_pod_ids_are_422() {
    let sim = Sim::start();
    // Without the manual clock, the admin paths are unknown paths like any other.
    for (method, path) in [
        ("GET", "/v2/nothing"),
        ("GET", "/v2/apps"),
        ("POST", "/_sim/clock/advance?by=1s"),
        ("GET", "/_sim/clock"),
    ] {
        let (code, _, body) = sim.send(method, path, &[], None);
        assert_eq!(code, 500, "{method} {path}: {body}");
        assert_eq!(parse(&body), json!({"message": "URI not found"}));
    }
    let (code, _, body) = sim.send("GET", "/v2/pods/web::bogus", &[], None);
    assert_eq!(code, 422, "{body}");
    assert_eq!(parse(&body)["message"], "Object is not valid");
}

#[test]
fn the_manual_clock_and_slow_faults_are_bounded() {
    let sim = Sim::manual(&[]);
    for by in ["18446744073709551615s", "31days"] {
        let path = format!("/_sim/clock/advance?by={by}");
        let (code, _, body) = sim.send("POST", &path, &[], None);
        assert_eq!(code, 400, "{by}: {body}");
    }
    let (_, _, body) = sim.send("GET", "/_sim/clock", &[], None);
    assert_eq!(parse(&body), json!({"now": "2026-01-01T00:00:00.000Z"}));
    let out =
        crate::support::Podctl::new().run(&["sim", "--fault", "GET /x=slow=99999999999999999s"]);
    let err = out.fails(2);
    assert!(err.contains("at most 30 days"), "{err}");
}

#[test]
fn locations_are_absolute_and_ping_answers_by_accept() {
    let sim = Sim::start();
    let (code, headers, body) = sim.send("POST", "/v2/pods", &[], Some(&parse(&minimal("/a/web"))));
    assert_eq!(code, 201, "{body}");
    let location = headers.get("Location").unwrap().to_str().unwrap();
    assert_eq!(location, format!("{}/a/web", sim.url));
    let (code, headers, _) = sim.send(
        "DELETE",
        "/v2/pods/a/web",
        &[("Host", "marathon.example:8080")],
        None,
    );
    assert_eq!(code, 202);
    let deployment = headers
        .get("Marathon-Deployment-Id")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(
        headers.get("Location").unwrap().to_str().unwrap(),
        format!("http://marathon.example:8080/{deployment}")
    );
    for (accept, code, body) in [
        ("text/plain", 200, "pong"),
        ("application/json", 200, "\"pong\""),
        ("image/png", 204, ""),
    ] {
        let (got, _, text) = sim.send("GET", "/ping", &[("Accept", accept)], None);
        assert_eq!((got, text.as_str()), (code, body), "{accept}");
    }
}

#[test]
fn the_queue_counts_only_instances_not_yet_launched() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    add(&sim, "/web");
    let (_, _, body) = sim.send("GET", "/v2/queue", &[], None);
    let queue = parse(&body);
    let entry = &queue["queue"][0];
    assert_eq!(entry["count"], 1, "{queue}");
    assert_eq!(entry["role"], "*", "{queue}");
    let summary = &entry["processedOffersSummary"];
    assert_eq!(summary["processedOffersCount"], 0, "{queue}");
    assert_eq!(
        summary["rejectSummaryLaunchAttempt"][0]["reason"],
        "UnfulfilledRole"
    );
    // Once staging, the instance is launched: nothing is queued although it is not yet stable.
    sim.advance(Duration::from_secs(4));
    let (_, _, body) = sim.send("GET", "/v2/pods/web::status", &[], None);
    assert_eq!(parse(&body)["instances"][0]["status"], "STAGING", "{body}");
    let (_, _, body) = sim.send("GET", "/v2/queue", &[], None);
    assert_eq!(parse(&body), json!({"queue": []}));
}

#[test]
fn a_host_that_names_no_address_is_a_bad_argument() {
    let out = crate::support::Podctl::new().run(&["sim", "--host", "bogus..", "--port", "0"]);
    let err = out.fails(2);
    assert!(err.contains("--host"), "{err}");
}

#[test]
fn listening_beyond_loopback_without_auth_is_warned_about() {
    // The port is taken, so the simulator never listens: the warning comes before it tries.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = crate::support::Podctl::new().run(&["sim", "--host", "0.0.0.0", "--port", &port]);
    let err = out.fails(1);
    assert!(err.contains("no authentication"), "{err}");
    let out = crate::support::Podctl::new().run(&[
        "sim",
        "--host",
        "0.0.0.0",
        "--port",
        &port,
        "--require-token",
        "secret",
    ]);
    let err = out.fails(1);
    assert!(!err.contains("no authentication"), "{err}");
}

#[test]
fn an_id_is_written_back_as_marathon_normalises_it() {
    let sim = Sim::start();
    let mut pod = parse(&minimal("/a/web"));
    pod["id"] = json!("/a//web/");
    let (code, _, body) = sim.send("POST", "/v2/pods", &[], Some(&pod));
    assert_eq!(code, 201, "{body}");
    assert_eq!(parse(&body)["id"], "/a/web");
    let (_, _, body) = sim.send("GET", "/v2/pods/a/web", &[], None);
    assert_eq!(parse(&body)["id"], "/a/web");
}

#[test]
fn a_rollback_kills_the_cancelled_deployments_new_instances() {
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let mut pod = parse(&minimal("/web"));
    pod["scaling"] = json!({"kind": "fixed", "instances": 2});
    let (code, _, body) = sim.send("POST", "/v2/pods", &[], Some(&pod));
    assert_eq!(code, 201, "{body}");
    sim.advance(Duration::from_secs(20));
    pod["containers"][0]["resources"]["mem"] = json!(64);
    let (code, headers, body) = sim.send("PUT", "/v2/pods/web", &[], Some(&pod));
    assert_eq!(code, 200, "{body}");
    let deployment = headers
        .get("Marathon-Deployment-Id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    sim.advance(Duration::from_secs(1));
    let (code, _, body) = sim.send(
        "DELETE",
        &format!("/v2/deployments/{deployment}"),
        &[],
        None,
    );
    assert_eq!(code, 200, "{body}");
    let (_, _, body) = sim.send("GET", "/v2/pods/web::status", &[], None);
    let status = parse(&body);
    let starting = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| matches!(i["status"].as_str(), Some("PENDING" | "STAGING")))
        .count();
    // Only the rolled-back definition's two new instances start; the cancelled ones are killed.
    assert_eq!(starting, 2, "{status}");
}

#[test]
fn a_put_that_spells_out_defaults_is_no_change() {
    let sim = Sim::manual(&["--deploy-time", "2s"]);
    add(&sim, "/web");
    sim.advance(Duration::from_secs(5));
    let (_, _, before) = sim.send("GET", "/v2/pods/web::status", &[], None);
    let mut pod = parse(&minimal("/web"));
    pod["scheduling"] =
        json!({"backoff": {"backoff": 1.0, "maxLaunchDelay": 300}, "placement": {}});
    let (code, _, body) = sim.send("PUT", "/v2/pods/web", &[], Some(&pod));
    assert_eq!(code, 200, "{body}");
    let written = parse(&body);
    assert_eq!(written["scheduling"]["placement"], json!({}), "{written}");
    assert_eq!(
        written["scheduling"]["backoff"]["maxLaunchDelay"],
        json!(300.0)
    );
    let (_, _, deployments) = sim.send("GET", "/v2/deployments", &[], None);
    assert_eq!(parse(&deployments), json!([]));
    let (_, _, after) = sim.send("GET", "/v2/pods/web::status", &[], None);
    let ids = |s: &str| {
        parse(s)["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn versions_of_a_removed_pod_survive_a_new_pod_of_the_same_id() {
    // Marathon 1.10 deletes only the current pointer of a removed pod (`deleteCurrent`): its
    // versions stay in the repository, and a new pod of the same id lists them next to its own.
    let sim = Sim::manual(&["--deploy-time", "0"]);
    add(&sim, "/web");
    sim.advance(Duration::from_secs(1));
    let (code, _, _) = sim.send("DELETE", "/v2/pods/web", &[], None);
    assert_eq!(code, 202);
    sim.advance(Duration::from_secs(1));
    let (code, _, _) = sim.send("GET", "/v2/pods/web::versions", &[], None);
    assert_eq!(code, 404);
    add(&sim, "/web");
    let (_, _, body) = sim.send("GET", "/v2/pods/web::versions", &[], None);
    assert_eq!(parse(&body).as_array().map(Vec::len), Some(2), "{body}");
}
