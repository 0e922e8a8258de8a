//! Choosing the cluster: config file, environment and flags, and the `cluster`/`config` commands.

use crate::support::{Podctl, Sim};

#[test]
fn clusters_are_added_listed_used_and_removed() {
    let podctl = Podctl::new();
    assert_eq!(
        podctl
            .run(&["cluster", "add", "local", "--url", "http://127.0.0.1:8080/"])
            .ok(),
        "Added cluster local (current)\n"
    );
    podctl
        .run(&[
            "cluster",
            "add",
            "prod",
            "--url",
            "https://dcos.example.com/service/marathon",
            "--token",
            "abcdefghijkl",
        ])
        .ok();
    let list = podctl.run(&["cluster", "list"]);
    let text = list.ok();
    let local = text.lines().find(|l| l.contains("local")).expect(text);
    assert!(local.trim_start().starts_with('*'), "{text}");
    assert!(local.contains("http://127.0.0.1:8080"), "{text}");
    let prod = text.lines().find(|l| l.contains("prod")).expect(text);
    assert!(
        !prod.trim_start().starts_with('*') && prod.contains("yes"),
        "{text}"
    );
    assert!(!text.contains("abcdefghijkl"), "tokens are never listed");

    assert_eq!(
        podctl.run(&["cluster", "use", "prod"]).ok(),
        "Now using cluster prod\n"
    );
    let json = podctl.run(&["cluster", "list", "--json"]).json();
    assert_eq!(json[1]["name"], "prod");
    assert_eq!(json[1]["current"], true);
    assert_eq!(podctl.run(&["cluster", "list", "-q"]).ok(), "local\nprod\n");

    podctl.run(&["cluster", "use", "nope"]).fails(2);
    podctl.run(&["cluster", "remove", "prod"]).ok();
    assert_eq!(podctl.run(&["cluster", "list", "-q"]).ok(), "local\n");
    podctl.run(&["cluster", "remove", "prod"]).fails(2);
    podctl.run(&["cluster", "add", "x"]).fails(2);
    podctl
        .run(&["cluster", "add", "bad name", "--url", "http://x"])
        .fails(2);
    podctl
        .run(&["cluster", "add", "y", "--url", "localhost:8080"])
        .fails(2);
}

#[cfg(unix)]
#[test]
fn the_config_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let podctl = Podctl::new();
    podctl
        .run(&[
            "cluster",
            "add",
            "prod",
            "--url",
            "https://x.example.com",
            "--token",
            "t",
        ])
        .ok();
    let path = podctl.config_path();
    assert_eq!(
        podctl.run(&["config", "path"]).ok().trim(),
        path.display().to_string()
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("current = \"prod\""), "{text}");
}

#[test]
fn podctl_config_points_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.toml");
    let podctl = Podctl::new().env("PODCTL_CONFIG", file.to_str().unwrap());
    podctl
        .run(&["cluster", "add", "a", "--url", "http://127.0.0.1:1"])
        .ok();
    assert!(file.exists());
    assert_eq!(
        podctl.run(&["config", "path"]).ok().trim(),
        file.display().to_string()
    );
}

#[test]
fn precedence_is_flag_then_env_then_file_then_default() {
    let podctl = Podctl::new();
    let show = |p: &Podctl, extra: &[&str]| {
        let mut args = vec!["config", "show", "--json"];
        args.extend_from_slice(extra);
        p.run(&args).json()
    };
    let v = show(&podctl, &[]);
    assert_eq!(v["url"], "http://127.0.0.1:8080");
    assert_eq!(v["urlFrom"], "default");
    assert_eq!(v["token"], serde_json::Value::Null);

    podctl
        .run(&[
            "cluster",
            "add",
            "file",
            "--url",
            "http://file.example:1",
            "--token",
            "file-token-123",
        ])
        .ok();
    let v = show(&podctl, &[]);
    assert_eq!(v["url"], "http://file.example:1");
    assert_eq!(v["cluster"], "file");
    assert!(v["tokenFrom"].as_str().unwrap().contains("cluster"), "{v}");
    assert!(
        !v.to_string().contains("file-token-123"),
        "token is redacted: {v}"
    );

    let podctl = podctl.env("PODCTL_URL", "http://env.example:2");
    let v = show(&podctl, &[]);
    assert_eq!(v["url"], "http://env.example:2");
    assert_eq!(v["urlFrom"], "env PODCTL_URL");
    assert_eq!(
        v["token"],
        serde_json::Value::Null,
        "a cluster's token stays with its URL"
    );

    let v = show(&podctl, &["--url", "http://flag.example:3"]);
    assert_eq!(v["url"], "http://flag.example:3");
    assert_eq!(v["urlFrom"], "flag --url");
    let v = show(&podctl, &["--cluster", "file"]);
    assert_eq!(v["url"], "http://file.example:1");

    let text = podctl.run(&["config", "show"]);
    assert!(
        text.ok()
            .contains("url:          http://env.example:2 (from env PODCTL_URL)"),
        "{text:#?}"
    );
}

#[test]
fn dcos_variables_are_honoured() {
    let podctl = Podctl::new()
        .env("DCOS_URL", "https://dcos.example.com/")
        .env("DCOS_ACS_TOKEN", "acs-token-0123456789");
    let v = podctl.run(&["config", "show", "--json"]).json();
    assert_eq!(v["url"], "https://dcos.example.com/service/marathon");
    assert_eq!(v["tokenFrom"], "env DCOS_ACS_TOKEN");
    let v = podctl
        .env("DCOS_MARATHON_URL", "http://marathon.example:8080")
        .run(&["config", "show", "--json"])
        .json();
    assert_eq!(v["url"], "http://marathon.example:8080");
}

#[test]
fn the_current_cluster_is_used_for_requests() {
    let sim = Sim::start();
    let podctl = Podctl::new();
    podctl
        .run(&["cluster", "add", "sim", "--url", &sim.url])
        .ok();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    assert_eq!(podctl.run(&["pod", "list", "-q"]).ok(), "/web\n");
    let other = Podctl::new().env("PODCTL_CLUSTER", "missing");
    let err = other.run(&["pod", "list"]).fails(2).to_string();
    assert!(
        err.contains("PODCTL_CLUSTER") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn a_broken_config_file_is_named() {
    let podctl = Podctl::new();
    let path = podctl.config_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "clusters = 3\n").unwrap();
    let err = podctl.run(&["pod", "list"]).fails(1).to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
}
