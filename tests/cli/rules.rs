//! Where `pod validate` draws the line: an error only where Marathon 1.10 refuses, a warning where
//! it accepts something that will not work (`--strict` makes it an error), and a warning that
//! says so where only the cluster can tell (never an error). The simulator answers as Marathon.

use serde_json::{json, Value};

use crate::support::{Podctl, Sim};

fn write(dir: &std::path::Path, name: &str, v: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    path.display().to_string()
}

/// A definition that relies on nothing from the cluster.
fn plain(id: &str) -> Value {
    json!({
        "id": id,
        "containers": [{"name": "app", "resources": {"cpus": 0.1, "mem": 32}}]
    })
}

#[test]
fn refused_as_marathon_refuses() {
    let podctl = Podctl::new();
    let dir = podctl.dir().to_path_buf();
    let mut secret_without_map = plain("/web");
    secret_without_map["environment"] = json!({"TOKEN": {"secret": "token"}});
    let mut bad_version = plain("/web");
    bad_version["version"] = json!("2024-02-30T12:00:00Z");
    let cases = [
        (
            "dotdot.json",
            plain("/a/../b"),
            "/id: must not contain a '..' segment",
        ),
        (
            "dot.json",
            plain("/a/./b"),
            "/id: must not contain a '.' segment",
        ),
        (
            "secret.json",
            secret_without_map,
            "/environment/TOKEN/secret: names secret \"token\", but the pod declares no secrets",
        ),
        (
            "version.json",
            bad_version,
            "/version: must be a date and time with an offset",
        ),
    ];
    for (name, definition, says) in cases {
        let file = write(&dir, name, &definition);
        let out = podctl.run(&["pod", "validate", &file]);
        assert_eq!(out.code, 3, "{name}: {out:#?}");
        assert!(
            out.stdout.contains(&format!("{file}: {says}")),
            "{name}: {out:#?}"
        );
    }
}

#[test]
fn warned_where_marathon_accepts_and_strict_refuses() {
    let podctl = Podctl::new();
    let dir = podctl.dir().to_path_buf();
    let file = write(
        &dir,
        "odd.json",
        &json!({
            "id": "/a//b",
            "volumes": [{"name": "data", "host": ""}],
            "scheduling": {"unreachableStrategy": {"inactiveAfterSeconds": 600, "expungeAfterSeconds": 60}},
            "containers": [{
                "name": "app",
                "user": "",
                "resources": {"cpus": 0.1, "mem": 32},
                "exec": {"command": {"shell": "sleep 1000", "argv": ["sleep", "1000"]}},
                "check": {"tcp": {"endpoint": "nope"}},
                "volumeMounts": [{"name": "data", "mountPath": "/data"}]
            }]
        }),
    );
    let out = podctl.run(&["pod", "validate", &file]);
    let text = out.ok();
    for (pointer, says) in [
        ("/id", "stores the pod as \"/a/b\""),
        ("/volumes/0/host", "empty host path"),
        (
            "/scheduling/unreachableStrategy/inactiveAfterSeconds",
            "expunged after 60 seconds",
        ),
        ("/containers/0/user", "empty user name"),
        ("/containers/0/exec/command", "drops argv"),
        ("/containers/0/check", "never stores or runs it"),
    ] {
        let line = format!("{file}: {pointer}: warning: ");
        let found = text.lines().find(|l| l.starts_with(&line));
        assert!(found.is_some_and(|l| l.contains(says)), "{pointer}: {text}");
    }
    assert!(text.contains(&format!("{file}: valid")), "{text}");
    let strict = podctl.run(&["pod", "validate", "--strict", &file]);
    assert_eq!(strict.code, 3, "{strict:#?}");
    assert!(!strict.stdout.contains("warning:"), "{strict:#?}");
}

#[test]
fn cluster_dependent_rules_warn_and_stay_warnings_under_strict() {
    let podctl = Podctl::new();
    let dir = podctl.dir().to_path_buf();
    let file = write(
        &dir,
        "cluster.json",
        &json!({
            "id": "/web",
            "role": "web",
            "secrets": {"token": {"source": "web/token"}},
            "environment": {"TOKEN": {"secret": "token"}},
            "networks": [{"mode": "container"}],
            "containers": [{
                "name": "app",
                "resources": {"cpus": 0.1, "mem": 32},
                "endpoints": [{"name": "http", "containerPort": 80}],
                "healthCheck": {"exec": {"command": {"shell": "true"}}}
            }]
        }),
    );
    for args in [vec!["pod", "validate"], vec!["pod", "validate", "--strict"]] {
        let mut args = args.clone();
        args.push(&file);
        let out = podctl.run(&args);
        let text = out.ok();
        for (pointer, says) in [
            ("/role", "--mesos_role"),
            ("/secrets", "`secrets` feature"),
            ("/networks/0", "--default_network_name"),
            (
                "/containers/0/healthCheck/exec",
                "Mesos master is 1.3 or later",
            ),
        ] {
            let line = format!("{file}: {pointer}: warning: depends on the cluster: ");
            let found = text.lines().find(|l| l.starts_with(&line));
            assert!(found.is_some_and(|l| l.contains(says)), "{pointer}: {text}");
        }
        assert!(text.contains(&format!("{file}: valid")), "{text}");
    }
    // A definition that relies on nothing says nothing.
    let quiet = write(&dir, "plain.json", &plain("/web"));
    let out = podctl.run(&["pod", "validate", "--strict", &quiet]);
    assert_eq!(out.ok().trim(), format!("{quiet}: valid"));
}

/// Warnings never make the simulator refuse; what Marathon refuses, it refuses with 422.
#[test]
fn the_simulator_takes_warnings_and_refuses_errors() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().to_path_buf();
    let odd = write(
        &dir,
        "odd.json",
        &json!({
            "id": "/web",
            "containers": [{
                "name": "app",
                "user": "",
                "resources": {"cpus": 0.1, "mem": 32},
                "check": {"http": {"endpoint": "nope"}, "tcp": {"endpoint": "nope"}}
            }]
        }),
    );
    let out = podctl.run(&["pod", "add", &odd]);
    out.ok();
    assert!(
        out.stderr.contains("warning:") && out.stderr.contains("/containers/0/check"),
        "{out:#?}"
    );

    // Marathon drops the empty segment: the pod is /a/b.
    let empty_segment = write(&dir, "empty-segment.json", &plain("/a//b"));
    let out = podctl.run(&["pod", "add", &empty_segment]);
    out.ok();
    assert!(out.stderr.contains("stores the pod as"), "{out:#?}");
    podctl.run(&["pod", "show", "/a/b"]).ok();

    let mut secret = plain("/secret");
    secret["environment"] = json!({"TOKEN": {"secret": "token"}});
    let mut version = plain("/version");
    version["version"] = json!("yesterday");
    for (name, definition, says) in [
        ("secret.json", secret, "references an undefined secret"),
        ("version.json", version, "error.expected.date.isoformat"),
    ] {
        let file = write(&dir, name, &definition);
        let local = podctl.run(&["pod", "add", &file]);
        local.fails(3);
        let before = sim.requests().len();
        let remote = podctl.run(&["pod", "add", "--no-validate", &file]);
        let err = remote.fails(3);
        assert!(
            err.contains("HTTP 422") && err.contains(says),
            "{name}: {remote:#?}"
        );
        assert!(
            sim.requests().len() > before,
            "{name}: sent with --no-validate"
        );
    }
}
