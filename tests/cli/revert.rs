//! `pod revert` and `pod versions` (the current version marked, `--show VERSION`), against the
//! simulator on the manual clock with instant deployments.

use std::time::Duration;

use crate::support::{deployment_id, Podctl, Sim};

/// A simulator whose deployments finish at once, on the manual clock.
fn sim() -> Sim {
    Sim::manual(&["--deploy-time", "0"])
}

/// `/web` from examples/web.json, then updated to examples/web-v2.json; returns the versions,
/// oldest first.
fn two_versions(sim: &Sim, podctl: &Podctl) -> Vec<String> {
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    sim.advance(Duration::from_secs(60));
    podctl
        .run(&["pod", "update", "/web", "examples/web-v2.json"])
        .ok();
    sim.advance(Duration::from_secs(60));
    versions(podctl)
}

fn versions(podctl: &Podctl) -> Vec<String> {
    let out = podctl.run(&["pod", "versions", "/web", "-q"]);
    out.ok().lines().map(str::to_string).collect()
}

/// The deployed definition of `/web`.
fn spec(podctl: &Podctl) -> serde_json::Value {
    podctl.run(&["pod", "show", "/web", "--json"]).json()["spec"].clone()
}

fn writes(sim: &Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.contains("PUT ") || r.contains("POST /v2/pods"))
        .count()
}

#[test]
fn revert_restores_the_earlier_containers() {
    let sim = sim();
    let podctl = sim.podctl();
    let before = two_versions(&sim, &podctl);
    assert_eq!(before.len(), 2, "{before:?}");
    assert_eq!(spec(&podctl)["containers"][0]["image"]["id"], "nginx:1.28");

    let out = podctl.run(&["pod", "revert", "/web"]);
    let mut lines = out.ok().lines();
    assert_eq!(
        lines.next(),
        Some(
            format!(
                "/web: back to version {}: restart: containers[0].image.id changed",
                before[0]
            )
            .as_str()
        ),
        "{out:#?}"
    );
    deployment_id(lines.next().unwrap_or_default());

    let now = spec(&podctl);
    assert_eq!(now["containers"][0]["image"]["id"], "nginx:1.27");
    assert_eq!(now["scaling"]["instances"], 2);
    // The containers as a whole are those of the first version again.
    let first = podctl
        .run(&["pod", "versions", "/web", "--show", &before[0]])
        .json();
    assert_eq!(now["containers"], first["containers"]);
    // A revert is a new version, the current one.
    let after = versions(&podctl);
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(now["version"].as_str(), after.last().map(String::as_str));
}

#[test]
fn revert_to_a_named_version_in_any_spelling() {
    let sim = sim();
    let podctl = sim.podctl();
    let mut v = two_versions(&sim, &podctl);
    // A third version: the instances of the second, scaled.
    let scaled = std::fs::read_to_string("examples/web-v2.json")
        .unwrap()
        .replace("\"instances\": 3", "\"instances\": 5");
    podctl
        .run_with_stdin(&["pod", "update", "/web"], &scaled)
        .ok();
    v = {
        let all = versions(&podctl);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(all[..2], v[..]);
        all
    };
    // The first version was written at the start of 2026: `2026-01-01T00:00:00Z` is it too.
    assert!(v[0].starts_with("2026-01-01T00:00"), "{v:?}");
    let out = podctl.run(&[
        "pod",
        "revert",
        "/web",
        "--to",
        "2026-01-01T00:00:00Z",
        "-q",
    ]);
    deployment_id(&format!("Created deployment {}", out.ok().trim()));
    let now = spec(&podctl);
    assert_eq!(now["containers"][0]["image"]["id"], "nginx:1.27");
    assert_eq!(now["scaling"]["instances"], 2);

    // Back to the scaled one: only the instance count differs from the second.
    let out = podctl.run(&["pod", "revert", "/web", "--to", &v[2], "--json"]);
    let report = out.json();
    assert_eq!(report["podId"], "/web");
    assert_eq!(report["version"], v[2]);
    assert_eq!(report["change"], "restart");
    assert!(report["deploymentId"].is_string(), "{report}");
    assert_eq!(spec(&podctl)["scaling"]["instances"], 5);
}

#[test]
fn revert_to_the_current_definition_sends_nothing() {
    let sim = sim();
    let podctl = sim.podctl();
    let v = two_versions(&sim, &podctl);
    let writes_before = writes(&sim);
    let out = podctl.run(&["pod", "revert", "/web", "--to", &v[1]]);
    assert_eq!(out.ok(), "", "{out:#?}");
    assert!(out.stderr.contains("nothing sent"), "{out:#?}");
    assert_eq!(writes(&sim), writes_before, "{:#?}", sim.requests());
}

#[test]
fn revert_refuses_unknown_versions_and_a_pod_with_one_version() {
    let sim = sim();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let writes_before = writes(&sim);

    let err = podctl.run(&["pod", "revert", "/web"]);
    let err = err.fails(4);
    assert!(err.contains("only one version"), "{err}");
    assert!(err.contains("nothing to revert to"), "{err}");

    let out = podctl.run(&["pod", "revert", "/web", "--to", "2020-02-02T00:00:00.000Z"]);
    let err = out.fails(4);
    assert!(
        err.contains("pod /web has no version 2020-02-02T00:00:00.000Z"),
        "{err}"
    );
    let out = podctl.run(&["pod", "versions", "/web", "--show", "2020-02-02T00:00:00Z"]);
    assert!(out.fails(4).contains("no version 2020-02-02T00:00:00Z"));

    // Not a version at all: a usage error, before any request.
    let out = podctl.run(&["pod", "revert", "/web", "--to", "yesterday"]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("not a version"), "{out:#?}");

    let out = podctl.run(&["pod", "revert", "/nope"]);
    out.fails(4);
    assert_eq!(writes(&sim), writes_before, "{:#?}", sim.requests());
}

#[test]
fn versions_marks_the_current_one_and_shows_any() {
    let sim = sim();
    let podctl = sim.podctl();
    let v = two_versions(&sim, &podctl);
    let table = podctl.run(&["pod", "versions", "/web"]);
    let lines: Vec<&str> = table.ok().lines().collect();
    assert_eq!(lines.len(), 3, "{table:#?}");
    assert!(
        lines[1].starts_with("   ") && lines[1].contains(&v[0]),
        "{table:#?}"
    );
    assert!(
        lines[2].starts_with("*  ") && lines[2].contains(&v[1]),
        "{table:#?}"
    );
    // -q and --json stay lists of versions only.
    assert_eq!(
        podctl.run(&["pod", "versions", "/web", "--json"]).json(),
        serde_json::json!(v)
    );

    podctl.run(&["pod", "revert", "/web"]).ok();
    let table = podctl.run(&["pod", "versions", "/web"]);
    let marked: Vec<&str> = table.ok().lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(marked.len(), 1, "{table:#?}");
    let newest = versions(&podctl).pop().unwrap();
    assert!(marked[0].contains(&newest), "{table:#?}");

    for mode in [&[][..], &["--json"], &["-q"]] {
        let mut args = vec!["pod", "versions", "/web", "--show", &v[0]];
        args.extend(mode);
        let shown = podctl.run(&args).json();
        assert_eq!(shown["id"], "/web");
        assert_eq!(shown["version"], v[0]);
        assert_eq!(shown["containers"][0]["image"]["id"], "nginx:1.27");
        assert_eq!(shown["scaling"]["instances"], 2);
    }
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.contains("GET /v2/pods/web::versions/")));
}

#[test]
fn revert_waits_for_its_deployment() {
    let sim = Sim::manual(&["--deploy-time", "2s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    sim.advance(Duration::from_secs(60));
    podctl
        .run(&["pod", "update", "/web", "examples/web-v2.json", "--force"])
        .ok();
    sim.advance(Duration::from_secs(60));
    let since = sim.request_count();
    let running = podctl.spawn(&[
        "pod",
        "revert",
        "/web",
        "--wait",
        "--interval",
        "50ms",
        "--timeout",
        "60s",
    ]);
    let out = running.drive_since(&sim, since, Duration::from_millis(500), 50);
    let stdout = out.ok();
    assert!(stdout.contains("Created deployment "), "{out:#?}");
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(status["spec"]["containers"][0]["image"]["id"], "nginx:1.27");
    assert_eq!(status["status"], "STABLE", "{status}");
    assert!(podctl
        .run(&["deployment", "list", "-q"])
        .ok()
        .trim()
        .is_empty());
}

/// A server that answers a version with another pod's definition, carrying terminal escapes:
/// nothing is sent, and what it said is shown escaped.
#[test]
fn a_version_of_another_pod_is_not_sent() {
    use crate::loopback::{respond, Server, JSON};
    let server = Server::start(|request, _, stream| {
        let body = match request.path() {
            "/v2/pods/web" => {
                r#"{"id":"/web","version":"2026-01-02T00:00:00.000Z","containers":[{"name":"a","resources":{"cpus":0.1,"mem":32}}]}"#
            }
            "/v2/pods/web::versions" => {
                r#"["2026-01-01T00:00:00.000Z","2026-01-02T00:00:00.000Z"]"#
            }
            _ => {
                r#"{"id":"/other\u001b]0;x\u0007","containers":[{"name":"b","resources":{"cpus":0.1,"mem":32}}]}"#
            }
        };
        respond(stream, 200, &[JSON], body.as_bytes());
    });
    let out = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "revert", "/web"]);
    let err = out.fails(1);
    assert!(
        err.contains("a definition of pod /other\\u{1b}]0;x\\u{7}; nothing sent"),
        "{err}"
    );
    let lines = server.lines();
    assert!(lines.iter().all(|l| l.starts_with("GET ")), "{lines:?}");
    assert!(
        lines.iter().any(
            |l| l.contains("/v2/pods/web::versions/2026-01-01T00%3A00%3A00.000Z")
                || l.contains("/v2/pods/web::versions/2026-01-01T00:00:00.000Z")
        ),
        "{lines:?}"
    );
}

/// Asks podctl for candidates the way the fish script does at Tab: values and their help.
fn complete(sim: &Sim, words: &[&str]) -> Vec<(String, String)> {
    let podctl = Podctl::new()
        .env("COMPLETE", "fish")
        .env("PODCTL_URL", &sim.url);
    let mut args = vec!["--", "podctl"];
    args.extend(words);
    let out = podctl.run(&args);
    out.ok()
        .lines()
        .map(|l| {
            let (value, help) = l.split_once('\t').unwrap_or((l, ""));
            (value.to_string(), help.to_string())
        })
        .filter(|(v, _)| !v.starts_with('-'))
        .collect()
}

#[test]
fn tab_completes_versions_of_the_pod_on_the_line() {
    let sim = sim();
    let podctl = sim.podctl();
    let v = two_versions(&sim, &podctl);
    let newest_first = vec![
        (v[1].clone(), "current".to_string()),
        (v[0].clone(), String::new()),
    ];
    assert_eq!(
        complete(&sim, &["pod", "revert", "/web", "--to", ""]),
        newest_first
    );
    assert_eq!(
        complete(&sim, &["pod", "versions", "web", "--show", ""]),
        newest_first
    );
    let ids: Vec<String> = complete(&sim, &["pod", "edit", ""])
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    assert_eq!(ids, ["web"]);
}
