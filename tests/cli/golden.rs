//! Golden files: what users read, compared byte for byte with `tests/golden/`. Every `--help` text
//! of the command tree, and the tables of `pod list`, `pod show`, `deployment list`,
//! `pod versions` and the lines of `pod validate`. The simulator runs on the manual clock
//! (fixed start, sequential ids) and podctl measures ages from the same instant
//! (`PODCTL_TEST_NOW`), so the output is the same on every run. Refresh after a deliberate change
//! with `UPDATE_GOLDEN=1 cargo test --test cli golden` and review the diff.

use std::collections::BTreeSet;
use std::time::Duration;

use clap::CommandFactory;

use crate::support::{assert_golden, golden_dir, updating_golden, Podctl, Sim};

/// Every visible command path: `[]`, `["pod"]`, `["pod", "add"]`, ...
fn command_paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    out.push(prefix.to_vec());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        command_paths(sub, &path, out);
    }
}

#[test]
fn golden_help_of_every_command() {
    let mut paths = Vec::new();
    command_paths(&podctl::cli::Cli::command(), &[], &mut paths);
    assert!(paths.len() > 20, "{paths:?}");
    let podctl = Podctl::new();
    let mut expected = BTreeSet::new();
    for path in &paths {
        let name = format!(
            "help/{}.txt",
            ["podctl".to_string()]
                .iter()
                .chain(path)
                .cloned()
                .collect::<Vec<_>>()
                .join("-")
        );
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = podctl.run(&args);
        assert_golden(&name, out.ok());
        expected.insert(name);
    }
    // A golden file for a command that no longer exists is stale.
    let dir = golden_dir().join("help");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        let name = format!("help/{}", file.file_name().unwrap().to_string_lossy());
        if !expected.contains(&name) {
            if updating_golden() {
                std::fs::remove_file(&file).unwrap();
            } else {
                panic!(
                    "{}: no such command any more; refresh with UPDATE_GOLDEN=1",
                    file.display()
                );
            }
        }
    }
}

/// Runs podctl against `sim` with ages measured from `now`, and returns stdout.
fn at(sim: &Sim, now: &str, args: &[&str]) -> String {
    sim.podctl()
        .env("PODCTL_TEST_NOW", now)
        .run(args)
        .ok()
        .to_string()
}

#[test]
fn golden_tables_during_and_after_deployments() {
    let sim = Sim::manual(&["--deploy-time", "4s"]);
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    podctl.run(&["pod", "add", "examples/api.json"]).ok();
    // Halfway: some instances running, some still starting.
    sim.advance(Duration::from_secs(2));
    let now = "2026-01-01T00:00:02Z";
    assert_golden("pod-list-deploying.txt", &at(&sim, now, &["pod", "list"]));
    assert_golden(
        "pod-show-deploying.txt",
        &at(&sim, now, &["pod", "show", "/web"]),
    );
    assert_golden(
        "deployment-list.txt",
        &at(&sim, now, &["deployment", "list"]),
    );
    // Done, then an hour later.
    sim.advance(Duration::from_secs(3600));
    let now = "2026-01-01T01:00:02Z";
    podctl
        .run(&["pod", "update", "/web", "examples/web-v2.json"])
        .ok();
    sim.advance(Duration::from_secs(60));
    let now_later = "2026-01-01T01:01:02Z";
    let _ = now;
    assert_golden(
        "pod-list-stable.txt",
        &at(&sim, now_later, &["pod", "list"]),
    );
    assert_golden(
        "pod-show-stable.txt",
        &at(&sim, now_later, &["pod", "show", "/prod/api"]),
    );
    assert_golden(
        "pod-versions.txt",
        &at(&sim, now_later, &["pod", "versions", "/web"]),
    );
}

#[test]
fn golden_validate_lines() {
    let podctl = Podctl::new();
    let out = podctl.run(&[
        "pod",
        "validate",
        "examples/web.json",
        "tests/fixtures/pod-examples/multi-container-virtual-network.json",
        "tests/corpus/bad/duplicate-key.json",
        "tests/corpus/bad/number-too-big.json",
    ]);
    assert_eq!(out.code, 3, "{out:#?}");
    assert_golden(
        "pod-validate.txt",
        &format!("{}--- stderr\n{}", out.stdout, out.stderr),
    );
}
