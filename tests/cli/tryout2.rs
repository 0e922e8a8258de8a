//! Found by trying `pod apply`, `pod diff`, `cluster login` and the DC/OS CLI's configuration
//! (issues 16 and 17) as a careless user would: each test pins one defect found that way.

use crate::keys::{key_login, service_account_key, write_dcos_cluster};
use crate::support::{minimal, Podctl, RefusingPort, Sim};

fn toml_for(name: &str, url: &str) -> String {
    format!(
        "[core]\ndcos_url = \"{url}\"\n[marathon]\nurl = \"{url}\"\n[cluster]\nname = \"{name}\"\n"
    )
}

/// Two clusters with an `attached` file (a hand edit, or a DC/OS CLI interrupted while
/// attaching): `pod list` silently used the first by id while `cluster import` made the last
/// one current. The DC/OS CLI refuses (`multiple clusters are attached`); so does podctl now,
/// naming both, and `cluster import` makes neither current.
#[test]
fn two_attached_dcos_clusters_are_refused_not_guessed() {
    let sim = Sim::start();
    let dcos = tempfile::tempdir().unwrap();
    let other = RefusingPort::new();
    write_dcos_cluster(dcos.path(), "id-a", &toml_for("one", &sim.url), true);
    write_dcos_cluster(dcos.path(), "id-b", &toml_for("two", &other.url), true);
    let podctl = Podctl::new().env("DCOS_DIR", &dcos.path().display().to_string());
    let out = podctl.run(&["pod", "list"]);
    let err = out.fails(2);
    assert!(err.contains("one") && err.contains("two"), "{out:#?}");
    assert!(err.contains("DCOS_CLUSTER"), "{out:#?}");
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
    let out = Podctl::new()
        .env("DCOS_DIR", &dcos.path().display().to_string())
        .env("DCOS_CLUSTER", "two")
        .run(&["config", "show"]);
    assert!(out.ok().contains(&other.url), "{out:#?}");
    let out = podctl.run(&["cluster", "import"]);
    assert!(!out.ok().contains("Now using"), "{out:#?}");
    let config = std::fs::read_to_string(podctl.config_path()).unwrap();
    assert!(!config.contains("current"), "{config}");
    let out = podctl.run(&["cluster", "import", "--use"]);
    out.ok();
    assert!(out.stderr.contains("podctl cluster use"), "{out:#?}");
}

/// The DC/OS CLI uses its only cluster even without an `attached` file; podctl ignored it and
/// went to http://127.0.0.1:8080.
#[test]
fn the_only_dcos_cluster_is_used_even_when_not_attached() {
    let sim = Sim::start();
    let dcos = tempfile::tempdir().unwrap();
    write_dcos_cluster(dcos.path(), "id-a", &toml_for("one", &sim.url), false);
    let podctl = Podctl::new().env("DCOS_DIR", &dcos.path().display().to_string());
    let out = podctl.run(&["pod", "list", "-q"]);
    out.ok();
    assert_eq!(sim.requests().len(), 1, "{:?}", sim.requests());
}

/// An attached cluster without `core.dcos_url` (a half-finished `dcos cluster setup`) was
/// skipped without a word, so podctl went to http://127.0.0.1:8080 and suggested `podctl sim`.
#[test]
fn an_attached_dcos_cluster_without_a_url_is_an_error_naming_it() {
    let dcos = tempfile::tempdir().unwrap();
    write_dcos_cluster(
        dcos.path(),
        "id-a",
        "[core]\ndcos_acs_token = \"t\"\n[cluster]\nname = \"half\"\n",
        true,
    );
    let podctl = Podctl::new().env("DCOS_DIR", &dcos.path().display().to_string());
    let out = podctl.run(&["pod", "list"]);
    let err = out.fails(1);
    assert!(err.contains("core.dcos_url"), "{out:#?}");
    assert!(err.contains("id-a"), "{out:#?}");
    assert!(!err.contains("127.0.0.1:8080"), "{out:#?}");
}

/// A `*.json` entry of a directory that is a broken link (a definition removed but its link
/// kept) was skipped without a word, so `pod apply deploy/` left that pod alone and exited 0.
#[cfg(unix)]
#[test]
fn apply_refuses_a_broken_link_in_a_directory() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let dir = podctl.dir().join("deploy");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.json"), minimal("/a")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone.json"), dir.join("b.json")).unwrap();
    let out = podctl.run(&["pod", "apply", &dir.display().to_string()]);
    let err = out.fails(1);
    assert!(err.contains("b.json"), "{out:#?}");
    assert!(
        !sim.requests().iter().any(|r| r.starts_with("POST")),
        "{:?}",
        sim.requests()
    );
}

/// A public key given as `--private-key` was said to be "an RSA key of at least 2048 bits",
/// sending the user to make a bigger key.
#[test]
fn login_with_a_public_key_says_it_is_the_public_key() {
    let podctl = Podctl::new();
    let (_, public) = service_account_key();
    let path = podctl.dir().join("ci-public.pem");
    std::fs::write(&path, public).unwrap();
    let refusing = RefusingPort::new();
    let out = podctl.run(&key_login(
        "ci",
        &refusing.url,
        "ci",
        &path.display().to_string(),
    ));
    let err = out.fails(2);
    assert!(err.contains("public key"), "{out:#?}");
    assert!(!err.contains("2048"), "{out:#?}");
}

/// An empty password file sent an empty password, and the cluster's 401 then blamed the
/// account; an empty `--password-env` was already refused before any request.
#[test]
fn login_refuses_an_empty_password_file_before_any_request() {
    let podctl = Podctl::new();
    let path = podctl.dir().join("pw");
    std::fs::write(&path, "\n").unwrap();
    let refusing = RefusingPort::new();
    let out = podctl.run(&[
        "cluster",
        "login",
        "c",
        "--url",
        &refusing.url,
        "--username",
        "alice",
        "--password-file",
        &path.display().to_string(),
    ]);
    let err = out.fails(2);
    assert!(err.contains("empty"), "{out:#?}");
    assert!(!err.contains("cannot reach"), "{out:#?}");
}

/// The id of a definition sent with `--no-validate` (or compared by `pod diff`, which does not
/// validate) reached the terminal raw in the error line: `reading pod /we<ESC>[31mb...`.
#[test]
fn an_unvalidated_hostile_id_is_escaped_in_errors() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let file = podctl.dir().join("h.json");
    std::fs::write(
        &file,
        r#"{"id": "/we\u001b[31mb\u202e", "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}]}"#,
    )
    .unwrap();
    let file = file.display().to_string();
    for args in [
        vec!["pod", "apply", "--no-validate", file.as_str()],
        vec!["pod", "apply", "--no-validate", "--dry-run", file.as_str()],
        vec!["pod", "diff", file.as_str()],
    ] {
        let out = podctl.run(&args);
        assert_ne!(out.code, 0, "{out:#?}");
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains('\u{1b}'), "{args:?}: {out:#?}");
            assert!(!text.contains('\u{202e}'), "{args:?}: {out:#?}");
        }
        assert!(out.stderr.contains(r"\u{1b}"), "{args:?}: {out:#?}");
    }
}

/// When a write was refused, `pod apply --json` listed the pods up to the refused one and left
/// out the ones not attempted, so a script reading it took them for never asked about.
#[test]
fn apply_json_lists_the_pods_not_attempted_after_a_failure() {
    // A deployment of /a still running makes its update a 409.
    let sim = Sim::with_args(&["--deploy-time", "10m"]);
    let podctl = sim.podctl();
    let dir = podctl.dir().join("deploy");
    std::fs::create_dir_all(&dir).unwrap();
    podctl
        .run_with_stdin(&["pod", "add", "-"], &minimal("/a"))
        .ok();
    let changed = minimal("/a").replace("\"mem\": 32", "\"mem\": 64");
    std::fs::write(dir.join("a.json"), changed).unwrap();
    std::fs::write(dir.join("b.json"), minimal("/b")).unwrap();
    let out = podctl.run(&["pod", "apply", &dir.display().to_string(), "--json"]);
    out.fails(5);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let pods = json["pods"].as_array().unwrap();
    let actions: Vec<(&str, &str)> = pods
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [("/a", "failed"), ("/b", "not-attempted")],
        "{out:#?}"
    );
}

/// When a renewal could not read the service account's key (moved, deleted), the error said
/// `renewing the token: reading the private key FILE` and stopped there: not why.
#[test]
fn a_renewal_that_cannot_read_the_key_says_why() {
    let keys = tempfile::tempdir().unwrap();
    let public = keys.path().join("ci-public.pem");
    std::fs::write(&public, service_account_key().1).unwrap();
    let account = format!("ci={}", public.display());
    let sim = Sim::manual(&["--dcos", "--service-account", &account, "--token-ttl", "2s"]);
    let podctl = Podctl::new();
    let key = podctl.dir().join("ci.pem");
    std::fs::write(&key, service_account_key().0).unwrap();
    let key_arg = key.display().to_string();
    podctl.run(&key_login("ci", &sim.url, "ci", &key_arg)).ok();
    std::fs::remove_file(&key).unwrap();
    sim.advance(std::time::Duration::from_secs(3));
    let out = podctl.run(&["pod", "list"]);
    let err = out.fails(7);
    assert!(err.contains("renewing the token"), "{out:#?}");
    assert!(err.contains("No such file"), "{out:#?}");
}

/// A login answered with a token whose `exp` is already past (a cluster whose clock, or this
/// machine's, is wrong) was reported as a success "expiring at 1970-...", and every later
/// command then logged in again first, without a word about why.
#[test]
fn a_token_already_expired_at_login_is_warned_about() {
    use crate::loopback::{respond, Server};
    let server = Server::start(|_, _, stream| {
        let token = br#"{"token": "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"}"#;
        respond(stream, 200, &[("Content-Type", "application/json")], token);
    });
    let podctl = Podctl::new();
    let pw = podctl.dir().join("pw");
    std::fs::write(&pw, "secret\n").unwrap();
    let out = podctl.run(&[
        "cluster",
        "login",
        "c",
        "--url",
        &server.url,
        "--username",
        "u",
        "--password-file",
        &pw.display().to_string(),
    ]);
    out.ok();
    assert!(out.stderr.contains("already expired"), "{out:#?}");
    assert!(out.stderr.contains("clock"), "{out:#?}");
}

/// A CI job retried after its `pod apply --wait` timed out: the pod is unchanged now, so apply
/// sent nothing and exited 0 at once, though the first deployment was still running (a pod
/// failing to start, say): the retry turned the job green. `--wait` follows a deployment that
/// holds an unchanged pod as well.
#[test]
fn apply_wait_follows_a_deployment_still_running_for_an_unchanged_pod() {
    let sim = Sim::with_args(&["--deploy-time", "10m"]);
    let podctl = sim.podctl();
    let file = podctl.dir().join("a.json");
    std::fs::write(&file, minimal("/a")).unwrap();
    let file = file.display().to_string();
    let out = podctl.run(&["pod", "apply", &file, "--wait", "--timeout", "1s"]);
    out.fails(8);
    let writes = |sim: &Sim| {
        sim.requests()
            .iter()
            .filter(|r| !r.starts_with("GET"))
            .count()
    };
    let before = writes(&sim);
    let out = podctl.run(&["pod", "apply", &file, "--wait", "--timeout", "1s"]);
    let err = out.fails(8);
    assert!(out.stdout.contains("/a: unchanged"), "{out:#?}");
    assert!(err.contains("/a"), "{out:#?}");
    assert_eq!(writes(&sim), before, "{:?}", sim.requests());
    // Without --wait nothing is looked at beyond the comparison.
    podctl.run(&["pod", "apply", &file]).ok();
}

/// `cluster login --username ''` (an unset variable in a CI script) went to the cluster and
/// came back as a 401 blaming the credentials.
#[test]
fn login_refuses_an_empty_username_before_any_request() {
    let podctl = Podctl::new();
    let path = podctl.dir().join("pw");
    std::fs::write(&path, "secret\n").unwrap();
    let refusing = RefusingPort::new();
    let out = podctl.run(&[
        "cluster",
        "login",
        "c",
        "--url",
        &refusing.url,
        "--username",
        " ",
        "--password-file",
        &path.display().to_string(),
    ]);
    let err = out.fails(2);
    assert!(err.contains("--username"), "{out:#?}");
    assert!(
        !err.contains("cannot reach") && !err.contains("refused"),
        "{out:#?}"
    );
}

/// A plain-HTTP server whose answer has a malformed header (a control character in a value) was
/// said to "seem to speak HTTPS", sending the user to change the URL's scheme.
#[test]
fn a_malformed_header_is_not_taken_for_https() {
    use crate::loopback::{respond, Server};
    let server = Server::start(|_, _, stream| {
        respond(stream, 200, &[("X-Bad", "a\u{1b}[31mb")], b"[]");
    });
    let out = Podctl::new().run(&["--url", &server.url, "pod", "list"]);
    let err = out.fails(6);
    assert!(!err.contains("HTTPS"), "{out:#?}");
    assert!(err.contains("header"), "{out:#?}");
    assert!(!err.contains('\u{1b}'), "{out:#?}");
}

/// `pod diff ID FILE` with a file of another pod said "the pod being updated", making a user
/// wonder whether diff had updated something.
#[test]
fn diff_of_a_file_with_another_id_does_not_speak_of_an_update() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let out = podctl.run_with_stdin(&["pod", "diff", "/b", "-"], &minimal("/a"));
    let err = out.fails(3);
    assert!(!err.contains("updated"), "{out:#?}");
    assert!(err.contains("\"/a\"") && err.contains("\"/b\""), "{out:#?}");
}

/// A 404 that is not Marathon's (a wrong URL: the DC/OS root instead of .../service/marathon,
/// answered by a web server's HTML page) was taken for "no such pod": `pod diff` and
/// `pod apply --dry-run` said every pod would be created.
#[test]
fn a_404_that_is_not_marathons_is_not_taken_for_a_missing_pod() {
    use crate::loopback::{respond, Server};
    let server = Server::start(|_, _, stream| {
        let page = b"<html><body><h1>404 Not Found</h1></body></html>";
        respond(stream, 404, &[("Content-Type", "text/html")], page);
    });
    let podctl = Podctl::new();
    let out = podctl.run_with_stdin(
        &["--url", &server.url, "pod", "apply", "--dry-run", "-"],
        &minimal("/a"),
    );
    let err = out.fails(4);
    assert!(!out.stdout.contains("would be created"), "{out:#?}");
    assert!(err.contains("service/marathon"), "{out:#?}");
    let out = podctl.run_with_stdin(&["--url", &server.url, "pod", "diff", "-"], &minimal("/a"));
    assert_eq!(out.code, 4, "{out:#?}");
}

/// An editor that saved the definition in Latin-1 (one `é` in a label) ended `pod edit` at once
/// with "not UTF-8 text" and removed the file: the whole edit was lost. It is now reopened,
/// the bytes that were not UTF-8 shown as U+FFFD, so the rest of the edit stays.
#[cfg(unix)]
#[test]
fn an_edit_saved_as_latin1_is_reopened_not_lost() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Sim::start();
    let podctl = sim.podctl();
    podctl
        .run_with_stdin(&["pod", "add", "-"], &minimal("/web"))
        .ok();
    let dir = podctl.dir().to_path_buf();
    let script = dir.join("editor.sh");
    let body = format!(
        "#!/bin/sh\nD='{}'\necho x >> \"$D/rounds\"\n\
         if grep -q 'not UTF-8' \"$1\"; then\n  sed -i 's/\\xef\\xbf\\xbd//' \"$1\"\n\
         else\n  sed -i 's/\"mem\": 32/\"mem\": 64/' \"$1\"\n  printf '\\351' >> \"$1\"\nfi\n",
        dir.display()
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let podctl = podctl.env("EDITOR", &script.display().to_string());
    let out = podctl.run(&["pod", "edit", "/web"]);
    out.ok();
    let rounds = std::fs::read_to_string(dir.join("rounds")).unwrap();
    assert_eq!(rounds.lines().count(), 2, "{out:#?}");
    let spec = sim.podctl().run(&["pod", "show", "/web", "--json"]).json()["spec"].clone();
    assert_eq!(
        spec["containers"][0]["resources"]["mem"].as_f64(),
        Some(64.0),
        "{spec}"
    );
}

/// `podctl sim --dcos --user alice` (no `:PASSWORD`) or `--service-account ci` (no `=FILE`)
/// exited 1, as a failure to run would, though it is a bad argument like any clap refuses
/// (exit 2); so was an account given twice.
#[test]
fn malformed_sim_accounts_are_usage_errors() {
    for args in [
        vec!["--user", "alice"],
        vec!["--user", ":pw"],
        vec!["--service-account", "ci"],
        vec!["--service-account", "=key.pem"],
        vec!["--user", "a:b", "--user", "a:c"],
    ] {
        let mut all = vec!["sim", "--port", "0", "--dcos"];
        all.extend(&args);
        let out = Podctl::new().run(&all);
        let err = out.fails(2);
        assert!(err.contains(args[0]), "{args:?}: {out:#?}");
    }
}
