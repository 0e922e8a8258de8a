//! Error paths: each one a single clear line on stderr and a documented exit code.

use crate::support::{minimal, Podctl, Running, Sim};

#[test]
fn unknown_pods_exit_4() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let err = podctl.run(&["pod", "show", "/nope"]).fails(4).to_string();
    assert!(err.contains("Pod '/nope' does not exist"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    podctl.run(&["pod", "remove", "/nope"]).fails(4);
    podctl.run(&["pod", "versions", "/nope"]).fails(4);
    let err = podctl
        .run_with_stdin(&["pod", "update", "/nope"], &minimal("/nope"))
        .fails(4)
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        !sim.requests().iter().any(|r| r.contains("PUT")),
        "update of a missing pod sends no PUT"
    );
}

#[test]
fn adding_an_existing_pod_is_a_conflict() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let err = podctl
        .run(&["pod", "add", "examples/web.json"])
        .fails(5)
        .to_string();
    assert!(
        err.contains("A pod with id [/web] already exists."),
        "{err}"
    );
}

#[test]
fn malformed_definitions_are_refused_before_sending() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().to_path_buf();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\n  \"id\": \"/x\"\n  \"containers\": []\n}\n").unwrap();
    let err = podctl
        .run(&["pod", "add", broken.to_str().unwrap()])
        .fails(3)
        .to_string();
    assert!(
        err.contains("broken.json") && err.contains("line 3 column"),
        "{err}"
    );

    let relative = dir.join("relative.json");
    std::fs::write(&relative, minimal("web")).unwrap();
    let err = podctl
        .run(&["pod", "add", relative.to_str().unwrap()])
        .fails(3)
        .to_string();
    assert!(
        err.contains("relative.json: /id: must be absolute"),
        "{err}"
    );

    let err = podctl
        .run_with_stdin(&["pod", "add"], "")
        .fails(3)
        .to_string();
    assert!(err.contains("stdin: is empty"), "{err}");

    let other = dir.join("other.json");
    std::fs::write(&other, minimal("/other")).unwrap();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let err = podctl
        .run(&["pod", "update", "/web", other.to_str().unwrap()])
        .fails(3)
        .to_string();
    assert!(err.contains("/id") && err.contains("/other"), "{err}");

    let requests = sim.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("POST") || r.contains("PUT"))
            .count(),
        1,
        "only the valid add reached the server: {requests:?}"
    );
}

#[test]
fn missing_files_name_the_file() {
    let sim = Sim::start();
    let err = sim
        .podctl()
        .run(&["pod", "add", "no-such-file.json"])
        .fails(1)
        .to_string();
    assert!(err.contains("no-such-file.json"), "{err}");
    assert!(sim.requests().is_empty());
}

#[test]
fn server_side_validation_errors_exit_3_with_paths() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let def =
        r#"{"id": "/typo", "containers": [{"name": 7, "resources": {"cpus": 1, "mem": 32}}]}"#;
    let err = podctl
        .run_with_stdin(&["pod", "add", "-", "--no-validate"], def)
        .fails(3)
        .to_string();
    let lines: Vec<&str> = err.trim().lines().collect();
    assert!(
        lines[0].contains("Invalid JSON") && lines[0].contains("422"),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .skip(1)
            .any(|l| l.contains("/containers(0)/name")),
        "{err}"
    );
}

#[test]
fn bad_ids_are_usage_errors() {
    let sim = Sim::start();
    let out = sim.podctl().run(&["pod", "show", "My_Pod"]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("My_Pod"), "{out:#?}");
    assert!(sim.requests().is_empty());
    let out = sim.podctl().run(&["pod", "list", "--json", "-q"]);
    assert_eq!(out.code, 2, "{out:#?}");
    let out = sim.podctl().run(&["pod", "kill", "/web"]);
    assert_eq!(out.code, 2, "{out:#?}");
}

#[test]
fn a_refused_connection_exits_6() {
    let port = crate::support::RefusingPort::new();
    let url = port.url.clone();
    let err = Podctl::new()
        .env("PODCTL_URL", &url)
        .run(&["pod", "list"])
        .fails(6)
        .to_string();
    assert!(
        err.contains("cannot reach Marathon") && err.contains(&url),
        "{err}"
    );
    assert!(err.contains("refused"), "{err}");
}

#[test]
fn tokens_are_sent_and_missing_ones_explained() {
    let sim = Sim::with_args(&["--deploy-time", "0", "--require-token", "s3cret"]);
    let err = sim.podctl().run(&["pod", "list"]).fails(7).to_string();
    assert!(err.contains("401"), "{err}");
    assert!(
        err.contains("--token") && err.contains("PODCTL_TOKEN"),
        "{err}"
    );
    let err = sim
        .podctl()
        .run(&["pod", "list", "--token", "wrong"])
        .fails(7)
        .to_string();
    assert!(err.contains("403"), "{err}");
    sim.podctl().run(&["pod", "list", "--token", "s3cret"]).ok();
    sim.podctl()
        .env("PODCTL_TOKEN", "s3cret")
        .run(&["pod", "list"])
        .ok();
    sim.podctl()
        .env("DCOS_ACS_TOKEN", "s3cret")
        .run(&["pod", "list"])
        .ok();
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let sim = Sim::start();
    sim.podctl().run(&["pod", "add", "examples/web.json"]).ok();
    let mut cmd = sim.podctl().command(crate::support::BIN);
    cmd.args(["pod", "list"]);
    let out = Running::start_with_stdout_closed(cmd).finish();
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stderr.is_empty(), "{out:#?}");
}

#[test]
fn every_command_has_an_example_and_help_lists_exit_codes() {
    let podctl = Podctl::new();
    let top = podctl.run(&["--help"]);
    assert!(top.ok().contains("Exit codes:"), "{top:#?}");
    for code in 0..=7 {
        assert!(
            top.stdout.contains(&format!("  {code}  ")),
            "exit code {code} missing"
        );
    }
    for code in ["8", "130"] {
        assert!(
            top.stdout.contains(&format!("{code}  ")),
            "exit code {code} missing"
        );
    }
    let commands = [
        "pod",
        "pod add",
        "pod list",
        "pod show",
        "pod update",
        "pod remove",
        "pod kill",
        "pod versions",
        "pod validate",
        "deployment",
        "deployment list",
        "deployment watch",
        "deployment rollback",
        "deployment stop",
        "cluster",
        "cluster add",
        "cluster list",
        "cluster use",
        "cluster remove",
        "config",
        "config show",
        "config path",
        "completion",
        "sim",
    ];
    for cmd in commands {
        let mut args: Vec<&str> = cmd.split(' ').collect();
        args.push("--help");
        let help = podctl.run(&args);
        let text = help.ok();
        let examples = text
            .split_once("Example")
            .unwrap_or_else(|| panic!("`podctl {cmd} --help` has no example:\n{text}"))
            .1;
        assert!(
            examples.contains("podctl "),
            "`podctl {cmd} --help`: {examples}"
        );
    }
}
