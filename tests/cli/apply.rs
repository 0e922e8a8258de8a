//! `pod apply`: creating, updating and leaving alone, judged from the simulator's request log.

use std::time::Duration;

use crate::support::{minimal, Podctl, Sim};

const V1: &str = "tests/fixtures/apply/v1";
const V2: &str = "tests/fixtures/apply/v2";

/// The write requests (POST, PUT, DELETE) the simulator logged after the first `since` lines.
fn writes(sim: &Sim, since: usize) -> Vec<String> {
    sim.requests()
        .into_iter()
        .skip(since)
        .filter(|l| ["POST ", "PUT ", "DELETE "].iter().any(|m| l.contains(m)))
        // The test's own clock moves are not podctl's writes.
        .filter(|l| !l.contains("/_sim/"))
        .collect()
}

/// The deployment id at the end of a line: `/web: created (deployment <id>)`.
fn deployment_of(line: &str) -> &str {
    line.rsplit_once("(deployment ")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no deployment in {line:?}"))
}

#[test]
fn a_mixed_directory_creates_restarts_scales_and_leaves_alone() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let first = podctl.run(&["pod", "apply", V1]);
    let lines: Vec<&str> = first.ok().lines().collect();
    assert_eq!(lines.len(), 3, "{first:?}");
    for (line, id) in lines.iter().zip(["/api", "/cache", "/db"]) {
        assert!(
            line.starts_with(&format!("{id}: created (deployment ")),
            "{line}"
        );
        assert!(!deployment_of(line).is_empty());
    }

    let before = sim.request_count();
    let out = podctl.run(&["pod", "apply", V2]);
    let stdout = out.ok();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{out:?}");
    assert!(
        lines[0].starts_with("/api: updated, restart (deployment "),
        "{stdout}"
    );
    assert_eq!(lines[1], "/cache: unchanged", "{stdout}");
    assert!(
        lines[2].starts_with("/db: updated, scale 2 → 3 (deployment "),
        "{stdout}"
    );
    assert!(
        lines[3].starts_with("/web: created (deployment "),
        "{stdout}"
    );
    assert!(
        lines[4].starts_with("/web-assets: created (deployment "),
        "{stdout}"
    );
    assert_eq!(
        writes(&sim, before)
            .iter()
            .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>(),
        [
            "PUT /v2/pods/api",
            "PUT /v2/pods/db",
            "POST /v2/pods",
            "POST /v2/pods"
        ],
        "{}",
        sim.log()
    );

    // What Marathon made of it: the new image, three db instances, the cache untouched.
    let api = podctl.run(&["pod", "show", "/api", "--json"]).json();
    assert_eq!(
        api["spec"]["containers"][0]["image"]["id"],
        "example/api:1.1"
    );
    let db = podctl.run(&["pod", "show", "/db", "--json"]).json();
    assert_eq!(db["spec"]["scaling"]["instances"], 3);
    let versions = podctl.run(&["pod", "versions", "/cache", "-q"]);
    assert_eq!(versions.ok().lines().count(), 1, "{versions:?}");
}

#[test]
fn a_second_apply_sends_no_write_and_says_unchanged() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "apply", V2]).ok();
    let before = sim.request_count();
    let out = podctl.run(&["pod", "apply", V2, "--wait", "--timeout", "30s"]);
    assert_eq!(
        out.ok(),
        "/api: unchanged\n/cache: unchanged\n/db: unchanged\n/web: unchanged\n\
         /web-assets: unchanged\n"
    );
    assert_eq!(writes(&sim, before), Vec::<String>::new(), "{}", sim.log());
    // One read per pod, and with --wait one look at the deployments (one may still hold an
    // unchanged pod), nothing else.
    assert_eq!(sim.request_count() - before, 6, "{}", sim.log());
}

#[test]
fn dry_run_sends_nothing_and_says_what_would_happen() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "apply", V1]).ok();
    let before = sim.request_count();
    let out = podctl.run(&["pod", "apply", V2, "--dry-run"]);
    assert_eq!(
        out.ok(),
        "/api: would be updated, restart (containers[0].image.id changed)\n\
         /cache: unchanged\n\
         /db: would be updated, scale 2 → 3\n\
         /web: would be created\n\
         /web-assets: would be created\n"
    );
    assert_eq!(writes(&sim, before), Vec::<String>::new());

    // With --diff, each change shows as a unified diff of the normalised definitions.
    let out = podctl.run(&["pod", "apply", V2, "--dry-run", "--diff"]);
    let stdout = out.ok();
    assert!(
        stdout.contains("--- /api (deployed)\n+++ tests/fixtures/apply/v2/api.json\n@@ "),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "\n-        \"id\": \"example/api:1.0\",\n+        \"id\": \"example/api:1.1\",\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n-    \"instances\": 2,\n+    \"instances\": 3,\n"),
        "{stdout}"
    );
    assert!(stdout.contains("--- /web (not deployed)\n"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour into a pipe: {stdout}"
    );
    assert_eq!(writes(&sim, before), Vec::<String>::new());

    let json = podctl
        .run(&["--json", "pod", "apply", V2, "--dry-run"])
        .json();
    assert_eq!(json["dryRun"], true);
    let pods = json["pods"].as_array().unwrap();
    assert_eq!(pods[0]["action"], "update");
    assert_eq!(pods[0]["change"], "restart");
    assert_eq!(pods[2]["change"], "scale");
    assert_eq!(
        (pods[2]["from"].as_u64(), pods[2]["to"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(pods[3]["action"], "create");
    assert_eq!(writes(&sim, before), Vec::<String>::new());
}

#[test]
fn json_reports_each_pod_with_its_deployment() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let json = podctl.run(&["--json", "pod", "apply", V1]).json();
    assert_eq!(json["dryRun"], false);
    let pods = json["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 3);
    for pod in pods {
        assert_eq!(pod["action"], "created", "{json}");
        assert!(pod["deploymentId"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let quiet = podctl.run(&["-q", "pod", "apply", V2]);
    // Only the four deployment ids.
    assert_eq!(quiet.ok().lines().count(), 4, "{quiet:?}");
}

#[test]
fn one_invalid_definition_stops_everything_before_a_request() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().join("deploy");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.json"), minimal("/a")).unwrap();
    std::fs::write(dir.join("b.json"), r#"{"id": "/b", "containers": []}"#).unwrap();
    std::fs::write(
        dir.join("c.json"),
        r#"{"id": "/c", "containers": [{"name": 5}]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a definition").unwrap();
    let before = sim.request_count();
    let out = podctl.run(&["pod", "apply", dir.to_str().unwrap()]);
    let stderr = out.fails(3);
    // Both bad files are named, each with its problem.
    assert!(stderr.contains("b.json: /containers"), "{stderr}");
    assert!(stderr.contains("c.json: /containers/0/name"), "{stderr}");
    assert_eq!(out.stdout, "");
    assert_eq!(sim.request_count(), before, "{}", sim.log());
}

#[test]
fn two_definitions_of_one_pod_are_refused() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let a = podctl.dir().join("a.json");
    let b = podctl.dir().join("b.json");
    std::fs::write(&a, minimal("/same")).unwrap();
    std::fs::write(&b, minimal("/same").replace("0.1", "0.2")).unwrap();
    let before = sim.request_count();
    let out = podctl.run(&["pod", "apply", a.to_str().unwrap(), b.to_str().unwrap()]);
    let stderr = out.fails(3);
    assert!(stderr.contains("pod /same is also defined in"), "{stderr}");
    assert_eq!(sim.request_count(), before);
}

#[test]
fn directories_are_read_in_order_and_recursively_only_when_asked() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().join("deploy");
    std::fs::create_dir_all(dir.join("more")).unwrap();
    std::fs::write(dir.join("b.json"), minimal("/b")).unwrap();
    std::fs::write(dir.join("a.json"), minimal("/a")).unwrap();
    std::fs::write(dir.join(".hidden.json"), "{").unwrap();
    std::fs::write(dir.join("more/c.json"), minimal("/c")).unwrap();
    let out = podctl.run(&["pod", "apply", dir.to_str().unwrap(), "--dry-run"]);
    assert_eq!(out.ok(), "/a: would be created\n/b: would be created\n");
    let out = podctl.run(&["pod", "apply", "-r", dir.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        out.ok(),
        "/a: would be created\n/b: would be created\n/c: would be created\n"
    );
    let empty = podctl.dir().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = podctl.run(&["pod", "apply", empty.to_str().unwrap()]);
    assert!(out.fails(2).contains("holds no *.json file"), "{out:?}");
}

#[test]
fn stdin_is_read_with_a_dash() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let out = podctl.run_with_stdin(&["pod", "apply", "-"], &minimal("/piped"));
    assert!(
        out.ok().starts_with("/piped: created (deployment "),
        "{out:?}"
    );
}

#[test]
fn a_refused_write_exits_with_its_code_and_names_what_was_applied() {
    // On the manual clock deployments never finish, so a pod stays locked by its deployment.
    let sim = Sim::manual(&["--deploy-time", "10s"]);
    let podctl = sim.podctl();
    let dir = podctl.dir().join("deploy");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.json"), minimal("/b")).unwrap();
    podctl.run(&["pod", "apply", dir.to_str().unwrap()]).ok();
    std::fs::write(dir.join("a.json"), minimal("/a")).unwrap();
    std::fs::write(
        dir.join("b.json"),
        minimal("/b").replace("\"cpus\": 0.1", "\"cpus\": 0.2"),
    )
    .unwrap();
    std::fs::write(dir.join("c.json"), minimal("/c")).unwrap();
    let out = podctl.run(&["pod", "apply", dir.to_str().unwrap()]);
    let stderr = out.fails(5);
    assert!(
        out.stdout.starts_with("/a: created (deployment "),
        "{out:?}"
    );
    assert_eq!(out.stdout.lines().count(), 1, "{out:?}");
    assert!(
        stderr.contains("applied before the failure: /a (created); not attempted: /c"),
        "{stderr}"
    );
    assert!(stderr.contains("updating pod /b"), "{stderr}");
    let c = podctl.run(&["pod", "show", "/c"]);
    c.fails(4);

    // The JSON form names the failure too, after what went before it.
    let out = podctl.run(&["--json", "pod", "apply", dir.to_str().unwrap()]);
    assert_eq!(out.code, 5, "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["pods"][0]["action"], "unchanged", "{json}");
    assert_eq!(json["pods"][1]["action"], "failed", "{json}");
    assert!(json["pods"][1]["error"]
        .as_str()
        .unwrap()
        .contains("updating pod /b"));
    assert_eq!(json["pods"][2]["action"], "not-attempted", "{json}");
    assert_eq!(json["pods"].as_array().unwrap().len(), 3, "{json}");

    // --force cancels the deployment that holds /b.
    let out = podctl.run(&["pod", "apply", dir.to_str().unwrap(), "--force"]);
    let stdout = out.ok();
    assert!(
        stdout.starts_with("/a: unchanged\n/b: updated, restart (deployment "),
        "{out:?}"
    );
    assert!(stdout.contains("\n/c: created (deployment "), "{out:?}");
}

#[test]
fn wait_follows_every_deployment_and_fails_with_8_naming_the_pod() {
    let sim = Sim::manual(&["--deploy-time", "600ms"]);
    let podctl = sim.podctl();
    let since = sim.request_count();
    let running = podctl.spawn(&[
        "pod",
        "apply",
        V1,
        "--wait",
        "--interval",
        "50ms",
        "--timeout",
        "60s",
    ]);
    let out = running.drive_since(&sim, since, Duration::from_millis(150), 60);
    assert_eq!(out.ok().lines().count(), 3, "{out:?}");
    for id in ["/api", "/cache", "/db"] {
        let status = podctl.run(&["pod", "show", id, "--json"]).json();
        assert_eq!(status["status"], "STABLE", "{id}: {status}");
    }
    assert!(
        out.stderr.lines().last().unwrap().starts_with("Done in "),
        "{out:?}"
    );

    // A deployment that cannot finish in time: exit 8, and the message names the pod.
    let out = podctl.run(&[
        "pod",
        "apply",
        V2,
        "--wait",
        "--interval",
        "50ms",
        "--timeout",
        "300ms",
    ]);
    let stderr = out.fails(8);
    assert!(
        stderr.contains("timed out after 300ms waiting for deployment"),
        "{stderr}"
    );
    assert!(stderr.contains("of /api"), "{stderr}");
    assert_eq!(out.stdout.lines().count(), 5, "{out:?}");
}

#[test]
fn update_diff_prints_the_diff_before_sending() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl
        .run(&["pod", "add", "tests/fixtures/apply/v1/api.json"])
        .ok();
    let out = podctl.run(&[
        "pod",
        "update",
        "/api",
        "tests/fixtures/apply/v2/api.json",
        "--diff",
    ]);
    let stdout = out.ok();
    let (diff, created) = stdout
        .split_once("/api: restart: containers[0].image.id changed\n")
        .unwrap();
    assert!(
        diff.starts_with("--- /api (deployed)\n+++ tests/fixtures/apply/v2/api.json\n"),
        "{stdout}"
    );
    assert!(created.starts_with("Created deployment "), "{stdout}");
    // With --json the diff goes to stderr and stdout stays one JSON document.
    let out = podctl.run(&[
        "--json",
        "pod",
        "update",
        "/api",
        "tests/fixtures/apply/v1/api.json",
        "--diff",
    ]);
    assert!(out.json()["deploymentId"].is_string());
    assert!(
        out.stderr.contains("+        \"id\": \"example/api:1.0\","),
        "{out:?}"
    );
}

#[test]
fn an_unreachable_marathon_exits_6() {
    let podctl = Podctl::new();
    let out =
        podctl
            .env("PODCTL_URL", "http://127.0.0.1:9")
            .run(&["pod", "apply", V2, "--dry-run"]);
    out.fails(6);
}
