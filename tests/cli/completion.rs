//! Shell completion: the printed scripts match the committed ones, and Tab completes ids from the
//! configured cluster, quickly and silently when it cannot.

use crate::support::{Podctl, Sim};

#[test]
fn printed_scripts_are_the_committed_ones() {
    let podctl = Podctl::new();
    for (shell, file) in [
        ("bash", "podctl.bash"),
        ("zsh", "_podctl"),
        ("fish", "podctl.fish"),
        ("powershell", "_podctl.ps1"),
        ("elvish", "podctl.elv"),
    ] {
        let printed = podctl.run(&["completion", shell]);
        let committed = std::fs::read_to_string(format!("completions/{file}")).unwrap();
        assert_eq!(printed.ok(), committed, "{shell}");
    }
    assert_eq!(podctl.run(&["completion", "tcsh"]).code, 2);
}

/// Asks podctl for candidates the way the fish script does at Tab.
fn complete(env: &[(&str, &str)], words: &[&str]) -> (Vec<String>, String) {
    let mut podctl = Podctl::new().env("COMPLETE", "fish");
    for (k, v) in env {
        podctl = podctl.env(k, v);
    }
    let mut args = vec!["--", "podctl"];
    args.extend(words);
    let out = podctl.run(&args);
    assert_eq!(out.code, 0, "{out:#?}");
    let stdout = out.stdout;
    let values = stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .filter(|v| !v.starts_with('-'))
        .collect();
    (values, out.stderr)
}

#[test]
fn tab_completes_pod_instance_and_deployment_ids() {
    let sim = Sim::manual(&["--deploy-time", "60s"]);
    let env = [("PODCTL_URL", sim.url.as_str())];
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    podctl.run(&["pod", "add", "examples/api.json"]).ok();

    let (pods, _) = complete(&env, &["pod", "show", ""]);
    assert_eq!(pods, vec!["prod/api", "web"]);
    let (pods, _) = complete(&env, &["pod", "remove", "/p"]);
    assert_eq!(pods, vec!["/prod/api"]);

    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    let mut instances: Vec<String> = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    instances.sort();
    let (mut got, _) = complete(&env, &["pod", "kill", "/web", ""]);
    got.sort();
    assert_eq!(got, instances);

    let deployments = podctl.run(&["deployment", "list", "-q"]).ok().to_string();
    let (mut got, _) = complete(&env, &["deployment", "rollback", ""]);
    got.sort();
    let mut want: Vec<String> = deployments.lines().map(String::from).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn tab_completes_cluster_names_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let podctl = Podctl::new().env("PODCTL_CONFIG", config.to_str().unwrap());
    podctl
        .run(&["cluster", "add", "prod", "--url", "http://127.0.0.1:1"])
        .ok();
    podctl
        .run(&["cluster", "add", "staging", "--url", "http://127.0.0.1:2"])
        .ok();
    let env = [("PODCTL_CONFIG", config.to_str().unwrap())];
    let (names, _) = complete(&env, &["cluster", "use", ""]);
    assert_eq!(names, vec!["prod", "staging"]);
    let (names, _) = complete(&env, &["--cluster", "st"]);
    assert_eq!(names, vec!["staging"]);
    let (files, _) = complete(&env, &["pod", "add", "examples/we"]);
    assert!(files.iter().any(|f| f == "examples/web.json"), "{files:?}");
}

#[test]
fn an_unreachable_cluster_completes_nothing_and_quietly() {
    let port = crate::support::RefusingPort::new();
    let (values, stderr) = complete(&[("PODCTL_URL", port.url.as_str())], &["pod", "show", ""]);
    assert!(values.is_empty(), "{values:?}");
    assert_eq!(stderr, "");
}
