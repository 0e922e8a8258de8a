//! `pod validate` and the local checks made by `pod add` and `pod update`.

use serde_json::{json, Value};

use crate::support::{example_files, Podctl, Sim};

fn write(dir: &std::path::Path, name: &str, v: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn every_example_is_valid() {
    let mut files: Vec<String> = example_files()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.extend(
        [
            "examples/web.json",
            "examples/web-v2.json",
            "examples/api.json",
        ]
        .map(String::from),
    );
    let mut args = vec!["pod", "validate"];
    args.extend(files.iter().map(String::as_str));
    let out = Podctl::new().run(&args);
    let text = out.ok();
    for f in &files {
        assert!(text.contains(&format!("{f}: valid")), "{f}: {text}");
    }
}

/// One rule broken at a time in a copy of every example: each is refused with the right path.
#[test]
fn a_broken_copy_of_each_example_is_rejected_with_its_path() {
    type Break = (&'static str, fn(&mut Value));
    let breaks: [Break; 6] = [
        ("/id", |v| v["id"] = json!("relative/id")),
        ("/containers/0/name", |v| {
            v["containers"][0]["name"] = json!("Not_Valid")
        }),
        ("/containers/0/resources/cpus", |v| {
            v["containers"][0]["resources"]["cpus"] = json!(-1)
        }),
        ("/containers/0/resources", |v| {
            v["containers"][0]
                .as_object_mut()
                .unwrap()
                .remove("resources");
        }),
        ("/scaling/instances", |v| {
            v["scaling"] = json!({"kind": "fixed", "instances": -2})
        }),
        ("/containers", |v| v["containers"] = json!([])),
    ];
    let podctl = Podctl::new();
    let dir = podctl.dir().to_path_buf();
    for example in example_files() {
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
        for (i, (pointer, break_it)) in breaks.iter().enumerate() {
            let mut broken = original.clone();
            break_it(&mut broken);
            let name = format!(
                "{}-{i}.json",
                example.file_stem().unwrap().to_string_lossy()
            );
            let file = write(&dir, &name, &broken);
            let out = podctl.run(&["pod", "validate", &file]);
            assert_eq!(out.code, 3, "{name}: {out:#?}");
            assert!(
                out.stdout
                    .lines()
                    .any(|l| l.starts_with(&format!("{file}: {pointer}: "))),
                "{name} should fail at {pointer}: {out:#?}"
            );
            assert!(!out.stdout.contains(": valid"), "{out:#?}");
        }
    }
}

#[test]
fn json_output_lists_errors_and_warnings() {
    let podctl = Podctl::new();
    let dir = podctl.dir().to_path_buf();
    let bad = write(
        &dir,
        "bad.json",
        &json!({"id": "/web", "containers": [{"name": "app", "resources": {"cpus": 0.0001, "mem": 32}, "healthcheck": {}}]}),
    );
    let out = podctl.run(&["pod", "validate", "--json", &bad, "examples/web.json"]);
    assert_eq!(out.code, 3, "{out:#?}");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v[0]["file"], bad.as_str());
    assert_eq!(v[0]["valid"], false);
    assert_eq!(v[0]["errors"][0]["path"], "/containers/0/resources/cpus");
    assert!(
        v[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("0.001"),
        "{v}"
    );
    assert_eq!(v[0]["warnings"][0]["path"], "/containers/0/healthcheck");
    assert!(
        v[0]["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("healthCheck"),
        "{v}"
    );
    assert_eq!(v[1]["valid"], true);
    assert_eq!(v[1]["errors"], json!([]));
}

#[test]
fn unknown_fields_warn_and_strict_makes_them_errors() {
    let podctl = Podctl::new();
    let file = example_files()
        .into_iter()
        .find(|p| p.ends_with("multi-container-virtual-network.json"))
        .unwrap()
        .display()
        .to_string();
    let lenient = podctl.run(&["pod", "validate", &file]);
    let text = lenient.ok();
    assert!(
        text.contains("/scaling/maxInstances: warning: unknown field"),
        "{text}"
    );
    assert!(text.contains(&format!("{file}: valid")), "{text}");
    let strict = podctl.run(&["pod", "validate", "--strict", &file]);
    assert_eq!(strict.code, 3, "{strict:#?}");
    assert!(
        strict
            .stdout
            .contains("/scaling/maxInstances: unknown field"),
        "{strict:#?}"
    );
}

#[test]
fn validate_reads_stdin_needs_no_cluster_and_names_syntax_errors() {
    // No URL, no config, no server: validation is offline.
    let podctl = Podctl::new().env("PODCTL_URL", "http://127.0.0.1:1");
    let out = podctl.run_with_stdin(
        &["pod", "validate", "-"],
        "{\"id\": \"/x\",\n \"containers\": [}\n",
    );
    assert_eq!(out.code, 3, "{out:#?}");
    assert!(
        out.stdout.starts_with("stdin: invalid JSON:") && out.stdout.contains("line 2 column"),
        "{out:#?}"
    );
    let quiet = podctl.run(&["pod", "validate", "-q", "examples/web.json"]);
    assert_eq!(quiet.ok(), "");
    let missing = podctl.run(&["pod", "validate", "examples/web.json", "missing.json"]);
    assert_eq!(missing.code, 1, "{missing:#?}");
    assert!(
        missing
            .stdout
            .contains("missing.json: No such file or directory"),
        "{missing:#?}"
    );
    assert!(
        missing.stdout.contains("examples/web.json: valid"),
        "{missing:#?}"
    );
}

#[test]
fn add_sends_nothing_when_invalid_and_warns_about_unknown_fields() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().to_path_buf();
    let bad = write(
        &dir,
        "bad.json",
        &json!({"id": "/web", "containers": [{"name": "app", "resources": {"cpus": -1, "mem": 32}}, {"name": "app", "resources": {"cpus": 1, "mem": 32}}]}),
    );
    let err = podctl.run(&["pod", "add", &bad]).fails(3).to_string();
    let lines: Vec<&str> = err.trim().lines().collect();
    assert_eq!(lines.len(), 2, "one line per problem: {err}");
    assert!(lines[0].contains("/containers/0/resources/cpus"), "{err}");
    assert!(
        lines[1].contains("/containers/1/name") && lines[1].contains("unique"),
        "{err}"
    );
    assert!(
        sim.requests().is_empty(),
        "nothing was sent: {:?}",
        sim.requests()
    );

    let typo = write(
        &dir,
        "typo.json",
        &json!({"id": "/typo", "contaners": [], "containers": [{"name": "app", "resources": {"cpus": 1, "mem": 32}}]}),
    );
    let out = podctl.run(&["pod", "add", &typo]);
    out.ok();
    assert!(
        out.stderr.contains("warning:")
            && out.stderr.contains("/contaners")
            && out.stderr.contains("did you mean containers?"),
        "{out:#?}"
    );
    let strict = podctl.run(&["pod", "update", "/typo", &typo, "--strict"]);
    strict.fails(3);
    assert!(
        !sim.requests().iter().any(|r| r.contains("PUT")),
        "{:?}",
        sim.requests()
    );
}

#[test]
fn no_validate_lets_the_server_judge_with_marathons_words() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dup = json!({"id": "/dup", "containers": [
        {"name": "app", "resources": {"cpus": 1, "mem": 32}},
        {"name": "app", "resources": {"cpus": 1, "mem": 32}}]});
    let file = write(podctl.dir(), "dup.json", &dup);
    let local = podctl.run(&["pod", "add", &file]).fails(3).to_string();
    assert!(local.contains("/containers/1/name"), "{local}");
    let remote = podctl
        .run(&["pod", "add", &file, "--no-validate"])
        .fails(3)
        .to_string();
    let lines: Vec<&str> = remote.trim().lines().collect();
    assert!(
        lines[0].contains("Object is not valid") && lines[0].contains("422"),
        "{remote}"
    );
    assert!(
        lines[1].contains("/containers: container names must be unique"),
        "{remote}"
    );
    assert!(
        sim.requests()
            .iter()
            .any(|r| r.starts_with("POST /v2/pods 422")),
        "{:?}",
        sim.requests()
    );
}

#[test]
fn deep_nesting_and_huge_arrays_get_an_answer() {
    let podctl = Podctl::new();
    let dir = podctl.dir().to_path_buf();
    let deep = dir.join("deep.json");
    let nested = format!(
        "{{\"id\": \"/deep\", \"labels\": {{\"x\": {}{}}}, \"containers\": []}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(&deep, nested).unwrap();
    let out = podctl.run(&["pod", "validate", deep.to_str().unwrap()]);
    assert_eq!(out.code, 3, "{out:#?}");
    assert!(out.stdout.contains("deep.json: invalid JSON"), "{out:#?}");

    let containers: Vec<Value> = (0..20_000)
        .map(|i| json!({"name": format!("c{i}"), "resources": {"cpus": 0.01, "mem": 1}}))
        .collect();
    let huge = write(
        &dir,
        "huge.json",
        &json!({"id": "/huge", "containers": containers}),
    );
    let out = podctl.run(&["pod", "validate", &huge]);
    assert_eq!(out.ok().trim(), format!("{huge}: valid"));
}
