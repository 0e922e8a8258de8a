//! Bad input to `pod add`, `pod update` and `pod validate`: every case is one line naming the
//! file, exit 3 (1 when the file cannot be read), no panic, and nothing sent to the cluster.
//! Small cases live in `tests/corpus/bad/`; big ones are generated here into a temp dir.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use podctl::pod::progress::{assess, Goal, Snapshot};
use podctl::pod::status::PodSummary;
use podctl::pod::text::{parse_definition, MAX_DEFINITION_BYTES};
use podctl::pod::{validate, PodStatus};
use podctl::render::{pod_list, pod_show, Layout, Style};

use crate::loopback::Server;
use crate::support::{minimal, Out, Podctl, Running, Sim, BIN};

fn corpus(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n != "README.md" && !n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// The message expected for each file in `tests/corpus/bad/`, after `FILE: `.
fn expected(name: &str) -> &'static str {
    match name {
        "empty.json" | "whitespace.json" => "is empty; expected a JSON pod definition",
        "null.json" => "a pod definition must be a JSON object, got null",
        "array.json" => "a pod definition must be a JSON object, got an array",
        "string.json" => "a pod definition must be a JSON object, got a string",
        "number.json" => "a pod definition must be a JSON object, got a number",
        "number-too-big.json" | "number-too-small.json" => {
            "invalid JSON: number out of range at line 1 column"
        }
        "integer-too-big.json" => {
            "/scaling/instances: out of range: must fit a signed 32-bit integer"
        }
        "invalid-utf8.json" => "is not UTF-8 text: invalid byte at line 1 column 13",
        "duplicate-key.json" => "/containers/0: duplicate key \"name\" at line 1 column 87",
        "duplicate-id.json" => "duplicate key \"id\" at line 1 column 87",
        other => panic!("tests/corpus/bad/{other} has no expected message here"),
    }
}

/// Asserts the run failed with `code` and said exactly one `error:` line, `error: {line}...`.
#[track_caller]
fn one_error_line(out: &Out, code: i32, line: &str) {
    let stderr = out.fails(code);
    let errors: Vec<&str> = stderr.lines().collect();
    assert_eq!(errors.len(), 1, "one line: {out:#?}");
    assert!(
        errors[0].starts_with(&format!("error: {line}")),
        "expected `error: {line}...`: {out:#?}"
    );
    assert!(!stderr.contains("panicked"), "{out:#?}");
}

/// Asserts nothing was written to the cluster.
#[track_caller]
fn nothing_sent(sim: &Sim) {
    let writes: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.contains("POST ") || r.contains("PUT "))
        .collect();
    assert!(writes.is_empty(), "nothing may be sent: {writes:?}");
}

/// `pod validate`, `pod add` and `pod update` all refuse `file` with `code`, and one line that
/// starts with `FILE: {message}` (validate) or `error: FILE: {message}`; an I/O error's message
/// names the file itself (`reading pod definition from FILE: ...`), so add and update say only it.
#[track_caller]
fn refused_everywhere(sim: &Sim, podctl: &Podctl, file: &str, code: i32, message: &str) {
    // `pod validate` starts its line with the file's name, so it names it only there.
    let reason = message
        .strip_prefix(&format!("reading pod definition from {file}: "))
        .unwrap_or(message);
    let line = format!("{file}: {reason}");
    let out = podctl.run(&["pod", "validate", file]);
    assert_eq!(out.code, code, "{out:#?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{out:#?}");
    assert!(
        lines[0].starts_with(&line),
        "expected `{line}...`: {out:#?}"
    );
    assert!(!out.stderr.contains("panicked"), "{out:#?}");

    let error = if code == 1 {
        message.to_string()
    } else {
        format!("{file}: {message}")
    };
    one_error_line(&podctl.run(&["pod", "add", file]), code, &error);
    one_error_line(&podctl.run(&["pod", "update", "/x", file]), code, &error);
    nothing_sent(sim);
}

#[test]
fn each_small_bad_input_is_one_line_and_nothing_is_sent() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let files = corpus("bad");
    assert!(files.len() >= 12, "{files:?}");
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let file = format!("tests/corpus/bad/{name}");
        refused_everywhere(&sim, &podctl, &file, 3, expected(name));
    }
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[test]
fn a_utf8_bom_is_skipped_as_marathon_does() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let file = "tests/corpus/good/bom.json";
    assert!(std::fs::read(file).unwrap().starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(
        podctl.run(&["pod", "validate", file]).ok(),
        format!("{file}: valid\n")
    );
    podctl.run(&["pod", "add", file]).ok();
    let shown = podctl.run(&["pod", "show", "/bom", "--json"]).json();
    assert_eq!(shown["id"], "/bom");
    podctl.run(&["pod", "update", "/bom", file]).ok();
}

#[test]
fn deep_nesting_is_refused_at_serde_jsons_limit() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let depth = 10_000;
    let objects = format!(
        "{{\"id\": \"/deep\", \"labels\": {}1{}}}",
        "{\"a\": ".repeat(depth),
        "}".repeat(depth)
    );
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    for (name, text) in [("objects.json", objects), ("arrays.json", arrays)] {
        let path = podctl.dir().join(name);
        std::fs::write(&path, text).unwrap();
        let file = path.display().to_string();
        refused_everywhere(
            &sim,
            &podctl,
            &file,
            3,
            "invalid JSON: nested too deeply (more than 127 levels) at line 1",
        );
    }
}

#[test]
fn definitions_over_10_mib_are_refused_before_parsing() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    // 50 MiB of valid JSON: refused for its size alone.
    let path = podctl.dir().join("huge.json");
    let mut body = minimal("/huge").into_bytes();
    body.resize(50 * 1024 * 1024, b' ');
    std::fs::write(&path, &body).unwrap();
    let file = path.display().to_string();
    refused_everywhere(
        &sim,
        &podctl,
        &file,
        3,
        "is 50.0 MiB; pod definitions are limited to 10 MiB",
    );

    // Stdin cannot say its size: it is read up to the limit and refused.
    let text = String::from_utf8(body).unwrap();
    for args in [
        &["pod", "add", "-"][..],
        &["pod", "update", "/huge", "-"],
        &["pod", "validate", "-"],
    ] {
        let out = podctl.run_with_stdin(args, &text);
        let line = "stdin: is more than 10 MiB; pod definitions are limited to 10 MiB";
        if args[1] == "validate" {
            assert_eq!(out.code, 3, "{out:#?}");
            assert_eq!(out.stdout, format!("{line}\n"), "{out:#?}");
        } else {
            one_error_line(&out, 3, line);
        }
    }
    // Neither can a device; an endless one is not slurped.
    refused_everywhere(
        &sim,
        &podctl,
        "/dev/zero",
        3,
        "is more than 10 MiB; pod definitions are limited to 10 MiB",
    );

    // Exactly at the limit is fine.
    let path = podctl.dir().join("limit.json");
    let mut body = minimal("/limit").into_bytes();
    body.resize(MAX_DEFINITION_BYTES, b'\n');
    std::fs::write(&path, &body).unwrap();
    let file = path.display().to_string();
    assert_eq!(
        podctl.run(&["pod", "validate", &file]).ok(),
        format!("{file}: valid\n")
    );
    nothing_sent(&sim);
}

/// A loopback server whose answer is `head` (status line and headers), then `body_len` spaces,
/// as fast as the client reads them; returns the URL of `/pod.json` on it.
fn serve_once(head: String, body_len: usize) -> String {
    let server = Server::start(move |_, _, stream| {
        let _ = stream.write_all(head.as_bytes());
        let chunk = vec![b' '; 64 * 1024];
        let mut left = body_len;
        while left > 0 {
            let n = left.min(chunk.len());
            if stream.write_all(&chunk[..n]).is_err() {
                return; // the client stopped reading, as it should
            }
            left -= n;
        }
    });
    format!("{}/pod.json", server.url)
}

#[test]
fn urls_are_bounded_like_files() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let declared = serve_once(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            50 * 1024 * 1024
        ),
        0,
    );
    one_error_line(
        &podctl.run(&["pod", "add", &declared]),
        3,
        &format!("{declared}: is 50.0 MiB; pod definitions are limited to 10 MiB"),
    );
    // No length given: the body is read up to the limit and no further.
    let endless = serve_once(
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_string(),
        1 << 30,
    );
    one_error_line(
        &podctl.run(&["pod", "add", &endless]),
        3,
        &format!("{endless}: is more than 10 MiB; pod definitions are limited to 10 MiB"),
    );
    nothing_sent(&sim);
}

#[test]
fn a_directory_or_a_missing_file_is_an_io_error() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().join("defs.json");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.display().to_string();
    refused_everywhere(
        &sim,
        &podctl,
        &file,
        1,
        &format!("reading pod definition from {file}: is a directory, not a file"),
    );
    let missing = podctl.dir().join("missing.json").display().to_string();
    refused_everywhere(
        &sim,
        &podctl,
        &missing,
        1,
        &format!("reading pod definition from {missing}: No such file or directory"),
    );
}

/// Runs podctl without the right to read root's files: as `nobody` through `setpriv` when the
/// tests run as root (root ignores file modes), directly otherwise. `dir` is its home.
fn run_unprivileged(dir: &Path, url: &str, args: &[&str]) -> Out {
    let probe = dir.join(".uid");
    std::fs::write(&probe, "").unwrap();
    let root = std::fs::metadata(&probe).unwrap().uid() == 0;
    let mut cmd = if root {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            BIN,
        ]);
        cmd
    } else {
        Command::new(BIN)
    };
    cmd.args(args)
        .env_clear()
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("PODCTL_URL", url)
        .current_dir(dir);
    Running::start(cmd, None).finish()
}

#[test]
fn an_unreadable_file_is_an_io_error() {
    let sim = Sim::start();
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = home.path().join("secret.json");
    std::fs::write(&path, minimal("/secret")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let file = path.display().to_string();
    let line = format!("{file}: Permission denied");

    let out = run_unprivileged(home.path(), &sim.url, &["pod", "validate", &file]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stdout.starts_with(&line), "{out:#?}");
    assert_eq!(out.stdout.lines().count(), 1, "{out:#?}");
    let line = format!("reading pod definition from {file}: Permission denied");
    let add = run_unprivileged(home.path(), &sim.url, &["pod", "add", &file]);
    one_error_line(&add, 1, &line);
    let update = run_unprivileged(home.path(), &sim.url, &["pod", "update", "/secret", &file]);
    one_error_line(&update, 1, &line);
    nothing_sent(&sim);
}

#[test]
fn a_closed_or_empty_stdin_is_an_empty_definition() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let line = "stdin: is empty; expected a JSON pod definition";
    // Closed at once (the harness writes nothing and closes the pipe).
    for args in [
        &["pod", "add", "-"][..],
        &["pod", "add"],
        &["pod", "update", "/x", "-"],
    ] {
        one_error_line(&podctl.run(args), 3, line);
    }
    // Not even a pipe: /dev/null.
    let out = podctl.spawn(&["pod", "add", "-"]).finish();
    one_error_line(&out, 3, line);
    let validate = podctl.run(&["pod", "validate", "-"]);
    assert_eq!(validate.code, 3, "{validate:#?}");
    assert_eq!(validate.stdout, format!("{line}\n"));
    nothing_sent(&sim);
}

#[test]
fn duplicate_keys_anywhere_are_refused_with_their_object() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let text = r#"{"id": "/dup", "labels": {"a": "1"},
  "containers": [{"name": "c", "resources": {"cpus": 1, "mem": 32},
    "env": {"X": "1", "Y": "2", "X": "3"}}]}"#;
    let path = podctl.dir().join("dup.json");
    std::fs::write(&path, text).unwrap();
    let file = path.display().to_string();
    refused_everywhere(
        &sim,
        &podctl,
        &file,
        3,
        "/containers/0/env: duplicate key \"X\" at line 3 column 35",
    );
}

/// Every input the fuzzers ever crashed on, through the code paths they crashed in: parsing and
/// validating a definition (also through the binary), and a status through the tables and the
/// progress judgement. None may panic; each gets a definite answer.
#[test]
fn fuzz_findings_stay_fixed() {
    let podctl = Podctl::new();
    let definitions = corpus("fuzz/definition");
    let statuses = corpus("fuzz/status");
    // An empty corpus would pass with no cases at all.
    assert!(!definitions.is_empty() && !statuses.is_empty());
    for path in definitions {
        let bytes = std::fs::read(&path).unwrap();
        match parse_definition("f.json", &bytes) {
            Ok(value) => {
                let _ = validate::validate(&value);
            }
            Err(invalid) => {
                assert_eq!(invalid.problems.len(), 1, "{invalid}");
                assert_eq!(invalid.to_string().lines().count(), 1, "{invalid}");
            }
        }
        let file = path.to_str().unwrap();
        let out = podctl.run(&["pod", "validate", file]);
        assert!(matches!(out.code, 0 | 3), "{file}: {out:#?}");
        assert!(!out.stderr.contains("panicked"), "{out:#?}");
        // One line per problem, each naming the file: no key or value may break a line.
        for line in out.stdout.lines() {
            assert!(line.starts_with(&format!("{file}: ")), "{line:?}");
        }
    }
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut parsed = 0;
    for path in statuses {
        let bytes = std::fs::read(&path).unwrap();
        // `pod list` reads the lean summary, `pod show` the full status.
        if let Ok(pods) = serde_json::from_slice::<Vec<PodSummary>>(&bytes) {
            parsed += 1;
            if !pods.is_empty() {
                assert!(!pod_list(&pods, now, Style::PLAIN, Layout::DEFAULT).is_empty());
            }
        }
        if let Ok(pod) = serde_json::from_slice::<PodStatus>(&bytes) {
            parsed += 1;
            assert!(!pod_show(&pod, &[], now, Style::PLAIN, Layout::DEFAULT).is_empty());
            for goal in [
                Goal::Running {
                    current_version: true,
                },
                Goal::Removed,
            ] {
                let snapshot = Snapshot {
                    deployment: None,
                    status: Some(&pod),
                };
                assert!(!assess(goal, snapshot).summary.is_empty());
            }
        }
    }
    // The seeds are real simulator answers: they must reach the renderers, not just fail to parse.
    assert!(parsed >= 5, "only {parsed} status inputs parsed");
}
