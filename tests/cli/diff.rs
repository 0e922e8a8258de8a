//! `pod diff`: the normalised deployed definition against a local one; exit 0 same, 1 different,
//! 2 and up on errors.

use crate::support::{example_files, id_of, minimal, Podctl, Sim};

#[test]
fn a_pod_just_created_from_a_file_shows_no_difference_for_every_example() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    for file in example_files() {
        let path = file.to_str().unwrap();
        podctl.run(&["pod", "add", path]).ok();
        let id = id_of(&file);
        let out = podctl.run(&["pod", "diff", path]);
        assert_eq!(out.ok(), format!("{id}: no change\n"), "{path}: {out:?}");
        // The id form too, and the file through stdin.
        let text = std::fs::read_to_string(&file).unwrap();
        let out = podctl.run_with_stdin(&["pod", "diff", &id], &text);
        assert_eq!(out.ok(), format!("{id}: no change\n"), "{path}: {out:?}");
    }
    // And all of them at once, as a directory.
    let out = podctl.run(&["pod", "diff", "tests/fixtures/pod-examples", "-q"]);
    assert_eq!(out.ok(), "");
}

#[test]
fn exit_codes_say_same_different_or_error() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl
        .run(&["pod", "apply", "tests/fixtures/apply/v1"])
        .ok();

    let same = podctl.run(&["pod", "diff", "/api", "tests/fixtures/apply/v1/api.json"]);
    assert_eq!(same.ok(), "/api: no change\n");

    let changed = podctl.run(&["pod", "diff", "/api", "tests/fixtures/apply/v2/api.json"]);
    assert_eq!(changed.code, 1, "{changed:?}");
    assert_eq!(changed.stderr, "", "a difference is no error");
    assert!(
        changed
            .stdout
            .starts_with("--- /api (deployed)\n+++ tests/fixtures/apply/v2/api.json\n@@ "),
        "{changed:?}"
    );
    assert!(
        changed
            .stdout
            .ends_with("\n/api: restart: containers[0].image.id changed\n"),
        "{changed:?}"
    );

    let scaled = podctl.run(&["pod", "diff", "tests/fixtures/apply/v2/db.json"]);
    assert_eq!(scaled.code, 1, "{scaled:?}");
    assert!(
        scaled
            .stdout
            .ends_with("\n/db: scale only: no restart (2 → 3 instances)\n"),
        "{scaled:?}"
    );

    // The whole directory: the unchanged cache says so, the rest differ; -q prints nothing.
    let all = podctl.run(&["pod", "diff", "tests/fixtures/apply/v2"]);
    assert_eq!(all.code, 1, "{all:?}");
    assert!(all.stdout.contains("\n/cache: no change\n"), "{all:?}");
    assert!(
        all.stdout.contains("\n/web: new pod: would be created\n"),
        "{all:?}"
    );
    let quiet = podctl.run(&["-q", "pod", "diff", "tests/fixtures/apply/v2"]);
    assert_eq!((quiet.code, quiet.stdout.as_str()), (1, ""), "{quiet:?}");

    // Errors: never 0 or 1.
    let missing = podctl.run(&["pod", "diff", "/api", "no-such-file.json"]);
    assert!(
        missing.fails(2).contains("no-such-file.json"),
        "{missing:?}"
    );
    let bad = podctl.run_with_stdin(&["pod", "diff", "/api", "-"], "{ not json");
    assert!(bad.fails(3).contains("invalid JSON"), "{bad:?}");
    let other = podctl.run_with_stdin(&["pod", "diff", "/api"], &minimal("/db"));
    other.fails(3);
    let neither = podctl.run(&["pod", "diff", "Not_An_Id"]);
    assert!(
        neither.fails(2).contains("neither a file nor a pod id"),
        "{neither:?}"
    );
    let too_many = podctl.run(&["pod", "diff", "/api", "a.json", "b.json"]);
    too_many.fails(2);
    let unreachable = Podctl::new().env("PODCTL_URL", "http://127.0.0.1:9").run(&[
        "pod",
        "diff",
        "tests/fixtures/apply/v1/api.json",
    ]);
    unreachable.fails(6);
}

#[test]
fn json_gives_each_verdict_and_the_plain_diff() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl
        .run(&["pod", "apply", "tests/fixtures/apply/v1"])
        .ok();
    let out = podctl.run(&["--json", "pod", "diff", "tests/fixtures/apply/v2"]);
    assert_eq!(out.code, 1, "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let verdicts: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["restart", "unchanged", "scale", "create", "create"]
    );
    assert_eq!(json[1]["diff"], "");
    assert_eq!(json[2]["to"], 3);
    assert!(json[0]["diff"]
        .as_str()
        .unwrap()
        .contains("+        \"id\": \"example/api:1.1\","));
}

#[test]
fn hostile_text_in_a_definition_reaches_the_terminal_escaped() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl
        .run(&["pod", "add", "tests/fixtures/apply/v1/cache.json"])
        .ok();
    let text = std::fs::read_to_string("tests/fixtures/apply/v1/cache.json")
        .unwrap()
        .replace(
            "\"platform\"",
            "\"\\u001b]0;owned\\u0007\\u009b31m\\u202e\"",
        );
    let out = podctl.run_with_stdin(&["pod", "diff", "/cache", "-"], &text);
    assert_eq!(out.code, 1, "{out:?}");
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!out.stdout.contains(c), "{c:?} in {out:?}");
    }
}

/// Tab after `pod diff` offers pod ids and paths, as the fish script asks for them.
#[test]
fn tab_completes_pod_ids_and_files() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    let complete = |word: &str| -> Vec<String> {
        let out = sim
            .podctl()
            .env("COMPLETE", "fish")
            .run(&["--", "podctl", "pod", "diff", word]);
        out.ok()
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect()
    };
    let ids = complete("we");
    assert!(ids.iter().any(|c| c == "web"), "{ids:?}");
    let ids = complete("/w");
    assert!(ids.iter().any(|c| c == "/web"), "{ids:?}");
    let files = complete("examples/we");
    assert!(files.iter().any(|c| c == "examples/web.json"), "{files:?}");
    assert!(!files.iter().any(|c| c == "web"), "{files:?}");
}
