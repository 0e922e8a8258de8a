//! `pod edit` with scripted editors: small shell scripts written into a temporary directory,
//! given as `EDITOR`, against the simulator on the manual clock with instant deployments.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{deployment_id, eventually, Podctl, Sim};

/// A test's simulator, runner and directory (the scripts, and podctl's `TMPDIR`).
struct Setup {
    sim: Sim,
    dir: tempfile::TempDir,
}

impl Setup {
    /// `/web` from examples/web.json.
    fn new() -> Setup {
        let sim = Sim::manual(&["--deploy-time", "0"]);
        let setup = Setup {
            sim,
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(setup.tmp()).unwrap();
        setup
            .podctl()
            .run(&["pod", "add", "examples/web.json"])
            .ok();
        setup.sim.advance(Duration::from_secs(60));
        setup
    }

    /// Where podctl makes its temporary files.
    fn tmp(&self) -> PathBuf {
        self.dir.path().join("tmp")
    }

    fn podctl(&self) -> Podctl {
        self.sim
            .podctl()
            .env("TMPDIR", &self.tmp().display().to_string())
    }

    /// A runner whose `EDITOR` is a shell script with `body` (`$1` is the file, `$D` the test's
    /// directory).
    fn editing(&self, body: &str) -> Podctl {
        let script = self.script("editor.sh", body);
        self.podctl().env("EDITOR", &script.display().to_string())
    }

    fn script(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join(name);
        let text = format!("#!/bin/sh\nD='{}'\n{body}\n", self.dir.path().display());
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// Requests that would change a pod.
    fn writes(&self) -> Vec<String> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| {
                ["PUT ", "POST /v2/pods", "DELETE "]
                    .iter()
                    .any(|m| r.contains(m))
            })
            .collect()
    }

    fn spec(&self) -> serde_json::Value {
        self.podctl().run(&["pod", "show", "/web", "--json"]).json()["spec"].clone()
    }

    /// podctl's temporary files (and directories) left behind.
    fn leftovers(&self) -> Vec<PathBuf> {
        files(&self.tmp())
    }

    /// The files in podctl's temporary directories left behind.
    fn kept(&self) -> Vec<PathBuf> {
        self.leftovers().iter().flat_map(|d| files(d)).collect()
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[test]
fn an_edited_image_is_deployed_from_a_private_file() {
    let s = Setup::new();
    let writes = s.writes().len();
    let podctl = s.editing(
        r#"stat -c %a "$1" > "$D/mode"
stat -c %a "$(dirname "$1")" > "$D/dir-mode"
basename "$1" > "$D/name"
cp "$1" "$D/opened.json"
sed -i 's/"nginx:1.27"/"nginx:1.29"/' "$1""#,
    );
    let out = podctl.run(&["pod", "edit", "/web"]);
    let mut lines = out.ok().lines();
    assert_eq!(
        lines.next(),
        Some("/web: restart: containers[0].image.id changed"),
        "{out:#?}"
    );
    deployment_id(lines.next().unwrap_or_default());
    assert_eq!(s.read("mode").trim(), "600");
    assert_eq!(s.read("dir-mode").trim(), "700");
    assert_eq!(s.read("name").trim(), "web.json");
    // The file opened: instructions in comments, then the normalised definition.
    let opened = s.read("opened.json");
    assert!(
        opened.starts_with("# Edit the definition of pod /web"),
        "{opened}"
    );
    assert!(opened.contains("\"executorResources\""), "{opened}");
    assert!(!opened.contains("\"version\""), "{opened}");

    let spec = s.spec();
    assert_eq!(spec["containers"][0]["image"]["id"], "nginx:1.29");
    assert_eq!(spec["containers"][1]["image"]["id"], "busybox:1.36");
    assert_eq!(s.writes().len(), writes + 1, "{:#?}", s.writes());
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}

#[test]
fn an_invalid_edit_is_reopened_with_its_problems_until_fixed() {
    let s = Setup::new();
    let writes = s.writes().len();
    // First round: a name Marathon refuses and a new image. Second: seeing the problems, fix
    // the name.
    let podctl = s.editing(
        r#"echo x >> "$D/rounds"
if grep -q '^# The definition is not valid' "$1"; then
  cp "$1" "$D/reopened.json"
  sed -i 's/"name": "NGINX!"/"name": "nginx"/' "$1"
else
  sed -i -e 's/"name": "nginx"/"name": "NGINX!"/' -e 's/"nginx:1.27"/"nginx:1.29"/' "$1"
fi"#,
    );
    let out = podctl.run(&["pod", "edit", "/web"]);
    deployment_id(out.ok().lines().nth(1).unwrap_or_default());
    assert_eq!(s.read("rounds").lines().count(), 2);
    let reopened = s.read("reopened.json");
    let problems: Vec<&str> = reopened.lines().filter(|l| l.starts_with("#   ")).collect();
    assert!(
        problems
            .iter()
            .any(|l| l.starts_with("#   /containers/0/name: ")),
        "{reopened}"
    );
    // The user's edit is kept in the reopened file.
    assert!(reopened.contains("\"nginx:1.29\""), "{reopened}");
    let spec = s.spec();
    assert_eq!(spec["containers"][0]["name"], "nginx");
    assert_eq!(spec["containers"][0]["image"]["id"], "nginx:1.29");
    assert_eq!(s.writes().len(), writes + 1, "{:#?}", s.writes());
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}

#[test]
fn broken_json_saved_again_unchanged_gives_up_and_keeps_the_edit() {
    let s = Setup::new();
    let writes = s.writes().len();
    // Drops the comma after the id; on the second round copies the file and saves it as it is.
    let podctl = s.editing(
        r#"if grep -q '^# The definition is not valid' "$1"; then
  cp "$1" "$D/reopened.json"
else
  sed -i 's|^  "id": "/web",$|  "id": "/web"|' "$1"
fi"#,
    );
    let out = podctl.run(&["pod", "edit", "/web"]);
    let err = out.fails(3);
    assert!(err.contains("still invalid; nothing sent"), "{err}");
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());

    // The position given is the one in the file the editor showed.
    let reopened = s.read("reopened.json");
    let lines: Vec<&str> = reopened.lines().collect();
    let id_line = lines
        .iter()
        .position(|l| *l == "  \"id\": \"/web\"")
        .unwrap()
        + 1;
    let problem = lines
        .iter()
        .find(|l| l.starts_with("#   ") && l.contains(" at line "))
        .unwrap_or_else(|| panic!("{reopened}"));
    assert!(
        problem.contains(&format!(" at line {} column", id_line + 1)),
        "{problem} in\n{reopened}"
    );
    // The edit is kept, without the comments, where the message says.
    let kept = s.kept();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].ends_with("web.json"), "{kept:?}");
    assert!(err.contains(&kept[0].display().to_string()), "{err}");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(
        text.starts_with('{') && text.contains("  \"id\": \"/web\"\n"),
        "{text}"
    );
}

#[test]
fn unchanged_or_only_respelled_sends_nothing() {
    let s = Setup::new();
    let before = s.sim.request_count();
    let writes = s.writes().len();
    let out = s.editing("exit 0").run(&["pod", "edit", "/web"]);
    assert_eq!(out.ok(), "");
    assert!(
        out.stderr.contains("no changes made; nothing sent"),
        "{out:#?}"
    );
    // Only the one read of the definition.
    assert_eq!(s.sim.request_count(), before + 1, "{:#?}", s.sim.requests());

    // Spelled differently, the same definition: an integer as a double, another 0.5.
    let out = s
        .editing(
            r#"sed -i -e 's/"mem": 128,/"mem": 128.0,/' -e 's/"cpus": 0.5,/"cpus": 0.50,/' "$1""#,
        )
        .run(&["pod", "edit", "/web"]);
    assert!(out.stderr.contains("no changes made"), "{out:#?}");
    out.ok();
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());

    // An editor that keeps changing an invalid file is not followed forever.
    let out = s
        .editing(r#"sed -i -e 's/"mem": 128/"mem": 128.0/' -e 's|"id": "/web"|"id": "web"|' "$1""#)
        .run(&["pod", "edit", "/web"]);
    let err = out.fails(3);
    assert!(err.contains("still invalid after 50 attempts"), "{err}");
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());
    assert_eq!(s.kept().len(), 1, "{:?}", s.kept());
    for kept in s.leftovers() {
        std::fs::remove_dir_all(kept).unwrap();
    }
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}

#[test]
fn an_emptied_file_or_a_failing_editor_sends_nothing() {
    let s = Setup::new();
    let writes = s.writes().len();
    let out = s.editing(r#": > "$1""#).run(&["pod", "edit", "/web"]);
    assert_eq!(out.ok(), "");
    assert!(
        out.stderr.contains("the file is empty; nothing sent"),
        "{out:#?}"
    );
    // Only comments left is empty too.
    let out = s
        .editing(r#"sed -i '/^[^#]/d' "$1""#)
        .run(&["pod", "edit", "/web"]);
    assert!(out.stderr.contains("empty"), "{out:#?}");
    out.ok();

    let out = s
        .editing(r#"sed -i 's/1.27/1.29/' "$1"; exit 3"#)
        .run(&["pod", "edit", "/web"]);
    let err = out.fails(1);
    assert!(
        err.contains("failed (exit status 3); nothing sent"),
        "{err}"
    );
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());
    assert_eq!(s.spec()["containers"][0]["image"]["id"], "nginx:1.27");
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}

#[test]
fn a_changed_id_is_refused_by_name() {
    let s = Setup::new();
    let writes = s.writes().len();
    let out = s
        .editing(r#"sed -i 's|"id": "/web"|"id": "/other"|' "$1""#)
        .run(&["pod", "edit", "/web"]);
    let err = out.fails(3);
    assert!(
        err.contains("/id: is \"/other\", but the pod named on the command line is \"/web\""),
        "{err}"
    );
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());
    s.podctl().run(&["pod", "show", "/other"]).fails(4);
}

#[test]
fn the_editor_variable_is_a_shell_command_and_visual_comes_first() {
    let s = Setup::new();
    let script = s.script(
        "with-args.sh",
        r#"[ "$1" = "--wait" ] || exit 9
sed -i 's/"nginx:1.27"/"nginx:1.30"/' "$2""#,
    );
    // `code --wait` style: a program and its arguments in one variable; EDITOR is not used.
    let out = s
        .podctl()
        .env("VISUAL", &format!("{} --wait", script.display()))
        .env("EDITOR", "false")
        .run(&["pod", "edit", "/web"]);
    out.ok();
    assert_eq!(s.spec()["containers"][0]["image"]["id"], "nginx:1.30");
}

#[test]
fn a_missing_pod_is_not_found_before_any_editor_runs() {
    let s = Setup::new();
    let out = s
        .editing(r#"touch "$D/ran""#)
        .run(&["pod", "edit", "/nope"]);
    out.fails(4);
    assert!(!s.dir.path().join("ran").exists());
}

#[test]
fn ctrl_c_while_the_editor_runs_ends_podctl_and_sends_nothing() {
    let s = Setup::new();
    let writes = s.writes().len();
    // An editor that never exits and ignores nothing; only podctl gets the signal.
    let podctl = s.editing(
        r#"touch "$D/started"
exec sleep 600"#,
    );
    let running = podctl.spawn(&["pod", "edit", "/web"]);
    let started = s.dir.path().join("started");
    eventually("the editor to start", || started.exists());
    running.interrupt();
    let out = running.finish();
    let err = out.fails(130);
    assert!(
        err.contains("interrupted while the editor was open; nothing sent"),
        "{err}"
    );
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}

#[test]
fn terminal_controls_in_the_definition_reach_the_editor_escaped() {
    let s = Setup::new();
    let definition = r#"{"id": "/esc", "labels": {"note": "a\u202eb\u001b[31m\u009bc"},
        "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}]}"#;
    s.podctl()
        .run_with_stdin(&["pod", "add", "-"], definition)
        .ok();
    let writes = s.writes().len();
    let out = s
        .editing(r#"cp "$1" "$D/opened.json""#)
        .run(&["pod", "edit", "/esc"]);
    assert!(out.stderr.contains("no changes made"), "{out:#?}");
    out.ok();
    let opened = s.read("opened.json");
    assert!(
        !opened.contains(['\u{202e}', '\u{1b}', '\u{9b}']),
        "{opened:?}"
    );
    assert!(
        opened.contains(r#""note": "a\u202eb\u001b[31m\u009bc""#),
        "{opened}"
    );
    assert_eq!(s.writes().len(), writes, "{:#?}", s.writes());
}

#[test]
fn an_edit_can_be_waited_for_and_reported_in_json() {
    let sim = Sim::manual(&["--deploy-time", "2s"]);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("editor.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i 's/\"nginx:1.27\"/\"nginx:1.29\"/' \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let podctl = sim
        .podctl()
        .env("EDITOR", &script.display().to_string())
        .env("TMPDIR", &dir.path().display().to_string());
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    sim.advance(Duration::from_secs(60));
    let since = sim.request_count();
    let running = podctl.spawn(&[
        "pod",
        "edit",
        "/web",
        "--json",
        "--wait",
        "--interval",
        "50ms",
        "--timeout",
        "60s",
    ]);
    let out = running.drive_since(&sim, since, Duration::from_millis(500), 50);
    let report = out.json();
    assert_eq!(report["podId"], "/web");
    assert!(report["deploymentId"].is_string(), "{report}");
    let status = podctl.run(&["pod", "show", "/web", "--json"]).json();
    assert_eq!(status["spec"]["containers"][0]["image"]["id"], "nginx:1.29");
    assert_eq!(status["status"], "STABLE", "{status}");
    assert!(podctl
        .run(&["deployment", "list", "-q"])
        .ok()
        .trim()
        .is_empty());
}

#[test]
fn a_pod_changed_while_the_editor_was_open_is_not_overwritten_without_force() {
    let s = Setup::new();
    // Someone else updates the pod while the file is open.
    let body = |other: &str, instances: u32| {
        format!(
            r#"'{}' pod update /web {other} > /dev/null
sed -i 's/"instances": {instances}/"instances": 4/' "$1""#,
            crate::support::BIN
        )
    };
    let writes = s.writes().len();
    let out = s
        .editing(&body("examples/web-v2.json", 2))
        .run(&["pod", "edit", "/web"]);
    let err = out.fails(1);
    assert!(
        err.contains("was changed while it was being edited"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    // Only the other update was sent; the edit is kept.
    assert_eq!(s.writes().len(), writes + 1, "{:#?}", s.writes());
    assert_eq!(s.spec()["scaling"]["instances"], 3);
    assert_eq!(s.kept().len(), 1, "{:?}", s.kept());
    for kept in s.leftovers() {
        std::fs::remove_dir_all(kept).unwrap();
    }

    // Opened on the other update's definition (3 instances, nginx:1.28), edited to 4 while the
    // pod goes back to examples/web.json; --force sends the edit anyway.
    let out = s
        .editing(&body("examples/web.json", 3))
        .run(&["pod", "edit", "/web", "--force"]);
    // Said of the pod as it is now: from the opened definition it would be a scale.
    assert_eq!(
        out.ok().lines().next(),
        Some("/web: restart: containers[0].image.id changed"),
        "{out:#?}"
    );
    deployment_id(out.ok().lines().nth(1).unwrap_or_default());
    let spec = s.spec();
    assert_eq!(spec["scaling"]["instances"], 4);
    assert_eq!(spec["containers"][0]["image"]["id"], "nginx:1.28");
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
}
