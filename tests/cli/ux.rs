//! Ids, escaping, tables and messages: what a hostile id, a hostile server or a new user's
//! typo makes of podctl's output and requests.

use crate::loopback::{respond, Request, Server, JSON};
use crate::support::{deployment_id, minimal, Podctl, Running, Sim};

/// A recording server that answers every request with `answer(request)`.
fn recorder(answer: fn(&Request) -> (u16, String)) -> Server {
    Server::start(move |request, _, stream| {
        let (status, body) = answer(request);
        respond(stream, status, &[JSON], body.as_bytes());
    })
}

/// Issue 11.1: `pod remove ../deployments/<id>` sent `DELETE /v2/deployments/<id>`.
#[test]
fn ids_with_dot_segments_are_refused_before_any_request() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for args in [
        &["pod", "remove", "../deployments/5ed4c0c5"][..],
        &["pod", "remove", "/prod/../../deployments/x", "--force"],
        &["pod", "show", "./web"],
        &["pod", "update", "a/./b", "web.json"],
        &["pod", "kill", "../x", "web.instance-1"],
        &["pod", "versions", "web/.."],
        &["deployment", "stop", ".."],
        &["deployment", "stop", "."],
        &["deployment", "rollback", ""],
        &["deployment", "watch", ".."],
    ] {
        let out = podctl.run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:#?}");
    }
    assert_eq!(sim.requests(), Vec::<String>::new());

    // Behind a DC/OS path prefix, `..` would have reached other services with the token.
    let server = recorder(|_| (200, "{}".into()));
    let out = Podctl::new()
        .env("PODCTL_URL", &format!("{}/service/marathon", server.url))
        .env("PODCTL_TOKEN", "secret")
        .run(&["pod", "remove", "../../../../secrets/v1/secret/default/db"]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("'..' segment"), "{out:#?}");
    assert_eq!(server.lines(), Vec::<String>::new());
}

/// Deployment ids are percent-encoded: none of these can leave `/v2/deployments/`.
#[test]
fn deployment_ids_stay_one_path_segment() {
    let server = recorder(|_| (404, r#"{"message":"not found"}"#.into()));
    let podctl = Podctl::new().env("PODCTL_URL", &server.url);
    for id in [
        "%2e%2e",
        "%2E%2e/pods",
        "../pods/web",
        "a?force=true#x",
        "..\\x",
    ] {
        podctl.run(&["deployment", "stop", id]);
    }
    let lines = server.lines();
    assert_eq!(lines.len(), 5, "{lines:?}");
    for line in &lines {
        let path = line.split(' ').nth(1).unwrap();
        let rest = path.strip_prefix("/v2/deployments/").unwrap_or_else(|| {
            panic!("{line} left /v2/deployments/");
        });
        let segment = rest.strip_suffix("?force=true").unwrap();
        assert!(
            !segment.contains('/') && !segment.contains('?') && !segment.contains('#'),
            "{line}"
        );
        assert!(!segment.to_ascii_lowercase().starts_with("%2e"), "{line}");
    }
    assert!(
        lines[0].contains("/v2/deployments/%252e%252e?force=true"),
        "{lines:?}"
    );
}

/// Issue 11.13: `--no-validate` sent `null` and `[]`, and ids Marathon can never address.
#[test]
fn no_validate_still_refuses_non_objects_and_over_long_ids() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for (text, said) in [
        ("null", "a pod definition must be a JSON object, got null"),
        ("[]", "a pod definition must be a JSON object, got an array"),
    ] {
        let out = podctl.run_with_stdin(&["pod", "add", "--no-validate", "-"], text);
        let err = out.fails(3);
        assert!(err.contains(said), "{out:#?}");
    }
    let long = format!("/{}", "a".repeat(100_000));
    let out = podctl.run_with_stdin(&["pod", "add", "--no-validate", "-"], &minimal(&long));
    assert!(
        out.fails(3)
            .contains("pod ids are limited to 200 characters"),
        "{out:#?}"
    );
    for args in [
        &["pod", "remove", long.as_str()][..],
        &["pod", "show", long.as_str()],
        &["pod", "update", long.as_str(), "-"],
    ] {
        let out = podctl.run(args);
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stderr.contains("limited to 200 characters"), "{out:#?}");
    }
    assert_eq!(sim.requests(), Vec::<String>::new());
}

/// Runs podctl with stdout and stderr going to one pipe, to see the order a terminal shows.
fn interleaved(sim: &Sim, args: &[&str]) -> (i32, String) {
    let mut cmd = sim.podctl().command("sh");
    cmd.args(["-c", "exec \"$0\" \"$@\" 2>&1", crate::support::BIN])
        .args(args);
    let out = Running::start(cmd, None).finish();
    (out.code, out.stdout)
}

/// Issue 11.22: `deployment rollback --wait` printed `Created deployment` after `Done`.
#[test]
fn rollback_says_which_deployment_before_waiting() {
    let sim = Sim::with_args(&["--deploy-time", "300ms"]);
    let podctl = sim.podctl();
    let id = deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    let (code, out) = interleaved(
        &sim,
        &[
            "deployment",
            "rollback",
            &id,
            "--wait",
            "--interval",
            "100ms",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let created = out.find("Created deployment").expect(&out);
    let done = out.find("Done in").expect(&out);
    assert!(created < done, "{out}");
}

/// Issue 11.19: `pod update examples/web-v2.json` took the path as the id and read stdin.
#[test]
fn update_with_only_a_file_says_the_id_is_missing() {
    let sim = Sim::start();
    let out = sim.podctl().run(&["pod", "update", "examples/web-v2.json"]);
    let err = out.fails(2);
    assert!(err.contains("the pod id is missing"), "{out:#?}");
    assert!(
        err.contains("podctl pod update ID examples/web-v2.json"),
        "{out:#?}"
    );
    assert_eq!(sim.requests(), Vec::<String>::new());
    // A definition piped in for an id that is not a file is still read.
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let web = std::fs::read_to_string("examples/web.json").unwrap();
    podctl.run_with_stdin(&["pod", "update", "/web"], &web).ok();
}

/// Issue 11.21: `pod show | head -1` printed nothing; `--no-headers` and `--flat` are for
/// scripts.
#[test]
fn tables_for_scripts() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let show = podctl.run(&["pod", "show", "/web"]);
    assert!(show.ok().starts_with("Pod:"), "{show:#?}");

    let list = podctl.run(&["pod", "list", "--no-headers"]);
    assert!(list.ok().starts_with("/web "), "{list:#?}");

    let flat = podctl.run(&["pod", "list", "--flat", "--no-headers"]);
    let rows: Vec<Vec<&str>> = flat
        .ok()
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(!rows.is_empty(), "{flat:#?}");
    for row in &rows {
        assert_eq!(row.len(), 7, "{flat:#?}");
        assert_eq!(row[0], "/web", "{flat:#?}");
    }

    let flat = podctl.run(&["pod", "show", "/web", "--flat"]);
    let lines: Vec<&str> = flat.ok().lines().collect();
    assert!(lines[0].starts_with("POD "), "{flat:#?}");
    assert!(lines.len() > 1, "{flat:#?}");
    for line in &lines[1..] {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 9, "{line}");
        assert_eq!(fields[0], "/web");
        assert!(fields[1].starts_with("web.instance-"), "{line}");
    }
}

/// Issue 11.22: `1 of 6 definition invalid`, and `nonexist.json: reading pod definition from
/// nonexist.json`.
#[test]
fn validate_messages_read_right() {
    let podctl = Podctl::new();
    let out = podctl.run(&[
        "pod",
        "validate",
        "examples/web.json",
        "tests/corpus/bad/null.json",
    ]);
    assert!(
        out.fails(3).contains("1 of 2 definitions invalid"),
        "{out:#?}"
    );
    let out = podctl.run(&["pod", "validate", "tests/corpus/bad/null.json"]);
    assert!(
        out.fails(3).contains("1 of 1 definition invalid"),
        "{out:#?}"
    );

    let out = podctl.run(&["pod", "validate", "nonexist.json"]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(out.stdout.matches("nonexist.json").count(), 1, "{out:#?}");
    assert!(
        out.stdout
            .starts_with("nonexist.json: No such file or directory"),
        "{out:#?}"
    );
}

/// Issue 11.4: tables escaped control characters but not bidi overrides.
#[test]
fn tables_escape_bidi_overrides_from_the_server() {
    let server = recorder(|_| {
        (
            200,
            r#"[{"id":"/web","status":"STABLE","instances":[{"id":"web.instance-1","status":"STABLE",
              "containers":[{"name":"ab\u202ecd\u2066","status":"TASK_RUNNING\u009b2J"}]}]}]"#
                .into(),
        )
    });
    let out = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list"]);
    let text = out.ok();
    assert!(
        !text.contains('\u{202e}') && !text.contains('\u{2066}') && !text.contains('\u{9b}'),
        "{text:?}"
    );
    assert!(text.contains(r"ab\u{202e}cd\u{2066}"), "{text}");
}

/// Issue 11.4: deployment actions and container failure messages reached stderr raw during
/// `deployment watch` and `--wait`.
#[test]
fn progress_from_a_hostile_server_is_escaped() {
    let server = recorder(|request| {
        if request.method == "GET" && request.path().starts_with("/v2/deployments") {
            (
                200,
                r#"[{"id":"d1","affectedPods":["/web"],"currentStep":1,"totalSteps":1,
                  "currentActions":[{"action":"StartPod\u001b]0;x\u0007","pod":"/web\u202e"}],
                  "steps":[{"actions":[{"action":"StartPod","pod":"/web"}]}]}]"#
                    .into(),
            )
        } else {
            (
                200,
                r#"{"id":"/web","status":"DEGRADED","spec":{"id":"/web","containers":[{"name":"app","resources":{}}]},
                  "instances":[{"id":"web.instance-1","status":"DEGRADED","containers":[
                    {"name":"app\u202e","status":"TASK_FAILED","containerId":"t\u0008","message":"boom\u001b[2J\r\u009b"}]}]}"#
                    .into(),
            )
        }
    });
    let out = Podctl::new().env("PODCTL_URL", &server.url).run(&[
        "deployment",
        "watch",
        "d1",
        "--timeout",
        "1s",
        "--interval",
        "100ms",
    ]);
    assert_eq!(out.code, 8, "{out:#?}");
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        !all.chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "{all:?}"
    );
    assert!(all.contains(r"StartPod\u{1b}]0;x\u{7}"), "{all}");
    assert!(all.contains(r"boom\u{1b}[2J\r\u{9b}"), "{all}");
}
