//! DC/OS users: the DC/OS CLI's configuration used as it is (`$DCOS_DIR`, the attached cluster,
//! `DCOS_CLUSTER`), `cluster import`, `cluster login` and tokens that renew themselves. Servers:
//! the simulator, and a loopback server acting as DC/OS's login endpoint.

use std::path::{Path, PathBuf};

use base64::Engine;

use crate::keys::{
    dcos_sim, key_login, other_key, service_account_key, verbose, write_dcos_cluster,
};
use crate::loopback::{respond, Server};
use crate::support::{Podctl, RefusingPort, Sim};

const JSON: (&str, &str) = ("Content-Type", "application/json");

/// A `$DCOS_DIR` laid out as the DC/OS CLI writes it.
struct DcosDir {
    dir: tempfile::TempDir,
}

impl DcosDir {
    fn new() -> DcosDir {
        DcosDir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `clusters/<id>/dcos.toml` (mode 0600, as the DC/OS CLI does), attached or not.
    fn cluster(&self, id: &str, text: &str, attached: bool) -> PathBuf {
        write_dcos_cluster(self.path(), id, text, attached)
    }

    /// Every file under the directory with its content, to see that podctl changed nothing.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.path(), &mut out);
        out.sort();
        out
    }

    fn podctl(&self) -> Podctl {
        Podctl::new().env("DCOS_DIR", &self.path().display().to_string())
    }
}

/// A `dcos.toml` for a cluster whose Marathon is at `marathon` (the plain simulator serves it at
/// `/`, so `marathon.url` says so).
fn cluster_toml(name: &str, marathon: &str, token: Option<&str>) -> String {
    let token = token.map_or(String::new(), |t| format!("dcos_acs_token = \"{t}\"\n"));
    format!(
        "[core]\ndcos_url = \"{marathon}\"\n{token}ssl_verify = \"true\"\ntimeout = 30\n\
         reporting = false\n[marathon]\nurl = \"{marathon}\"\n[cluster]\nname = \"{name}\"\n\
         [package]\ncosmos_url = \"{marathon}/package\"\n"
    )
}

/// A JWT-shaped token with this `exp` (unsigned: podctl reads `exp` without verifying).
fn jwt(uid: &str, exp: u64, n: usize) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.c2lnLW{n}",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(&format!(r#"{{"uid":"{uid}","exp":{exp}}}"#))
    )
}

#[test]
fn the_attached_dcos_cluster_is_used_with_no_podctl_config() {
    let sim = Sim::with_args(&["--deploy-time", "0", "--require-token", "dcos-secret"]);
    let dcos = DcosDir::new();
    let before = {
        dcos.cluster(
            "0f1e",
            &cluster_toml("east", &sim.url, Some("dcos-secret")),
            true,
        );
        dcos.snapshot()
    };
    let podctl = dcos.podctl();
    podctl
        .run_with_stdin(&["pod", "add", "-"], &crate::support::minimal("/web"))
        .ok();
    assert!(podctl.run(&["pod", "list", "-q"]).ok().contains("/web"));
    assert!(
        !podctl.config_path().exists(),
        "nothing written to podctl's config"
    );

    let shown = podctl.run(&["config", "show"]);
    let text = shown.ok();
    assert!(
        text.contains("cluster:      dcos:east") && text.contains("DC/OS CLI cluster \"east\""),
        "{text}"
    );
    let verbose = podctl.run(&["--verbose", "pod", "list"]);
    verbose.ok();
    let json = podctl.run(&["--json", "config", "show"]).json();
    assert_eq!(json["cluster"], "dcos:east");
    for out in [&shown, &verbose] {
        assert!(
            !out.stdout.contains("dcos-secret") && !out.stderr.contains("dcos-secret"),
            "{out:?}"
        );
    }
    assert!(!json.to_string().contains("dcos-secret"));
    assert_eq!(
        dcos.snapshot(),
        before,
        "the DC/OS CLI's files are never changed"
    );
}

#[test]
fn dcos_cluster_and_cluster_dcos_name_switch_clusters() {
    let sim = Sim::start();
    let down = RefusingPort::new();
    let dcos = DcosDir::new();
    dcos.cluster("aaaa", &cluster_toml("down", &down.url, None), true);
    dcos.cluster("bbbb", &cluster_toml("up", &sim.url, None), false);
    let podctl = dcos.podctl();
    podctl.run(&["pod", "list"]).fails(6);
    podctl.run(&["--cluster", "dcos:up", "pod", "list"]).ok();
    podctl.run(&["--cluster", "dcos:bbbb", "pod", "list"]).ok();
    let by_env = podctl.env("DCOS_CLUSTER", "up");
    by_env.run(&["pod", "list"]).ok();
    let by_id = by_env.env("DCOS_CLUSTER", "bbbb");
    by_id.run(&["pod", "list"]).ok();
    let err = by_id
        .run(&["--cluster", "dcos:west", "pod", "list"])
        .fails(2)
        .to_string();
    assert!(
        err.contains("dcos:west") && err.contains("dcos:up"),
        "{err}"
    );
    let unknown = by_id.env("DCOS_CLUSTER", "nowhere");
    let err = unknown.run(&["pod", "list"]).fails(2).to_string();
    assert!(
        err.contains("DCOS_CLUSTER") && err.contains("nowhere"),
        "{err}"
    );
}

#[test]
fn podctls_own_cluster_comes_first() {
    let sim = Sim::start();
    let down = RefusingPort::new();
    let dcos = DcosDir::new();
    dcos.cluster("aaaa", &cluster_toml("down", &down.url, None), true);
    let podctl = dcos.podctl();
    podctl.write_config(&format!(
        "current = \"mine\"\n[clusters.mine]\nurl = \"{}\"\n",
        sim.url
    ));
    podctl.run(&["pod", "list"]).ok();
    // A broken DC/OS file is not read when podctl's own settings say where to go.
    dcos.cluster("aaaa", "[core]\ntimeout = \"soon\"\n", true);
    podctl.run(&["pod", "list"]).ok();
}

#[test]
fn a_bad_dcos_file_is_one_line_naming_the_file_and_the_key() {
    let dcos = DcosDir::new();
    let file = dcos.cluster(
        "cccc",
        "[core]\ndcos_url = \"http://127.0.0.1:1\"\ndcos_acs_token = \"tok-in-bad-file\"\n\
         timeout = \"soon\"\n",
        true,
    );
    let err = dcos.podctl().run(&["pod", "list"]).fails(1).to_string();
    assert!(
        err.contains(&file.display().to_string()) && err.contains("core.timeout"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("tok-in-bad-file"), "{err}");
    dcos.cluster(
        "cccc",
        "[core]\ndcos_acs_token = \"tok-in-bad-file\"\nx = = 1\n",
        true,
    );
    let err = dcos.podctl().run(&["pod", "list"]).fails(1).to_string();
    assert!(
        err.contains("line 3") && !err.contains("tok-in-bad-file"),
        "{err}"
    );
}

#[test]
fn the_older_single_file_layout_is_read() {
    let sim = Sim::start();
    let dcos = DcosDir::new();
    std::fs::write(
        dcos.path().join("dcos.toml"),
        cluster_toml("legacy", &sim.url, None),
    )
    .unwrap();
    dcos.podctl().run(&["pod", "list"]).ok();
    let elsewhere = DcosDir::new();
    let file = elsewhere.path().join("my.toml");
    std::fs::write(&file, cluster_toml("legacy", &sim.url, None)).unwrap();
    DcosDir::new()
        .podctl()
        .env("DCOS_CONFIG", &file.display().to_string())
        .run(&["pod", "list"])
        .ok();
}

#[test]
fn cluster_import_copies_the_dcos_clusters() {
    let sim = Sim::with_args(&["--deploy-time", "0", "--require-token", "tok-east"]);
    let dcos = DcosDir::new();
    dcos.cluster(
        "1111",
        &cluster_toml("east", &sim.url, Some("tok-east")),
        true,
    );
    dcos.cluster(
        "2222",
        &cluster_toml("west coast", "https://west.example.com", None),
        false,
    );
    let before = dcos.snapshot();
    let podctl = dcos.podctl();
    let list = podctl.run(&["cluster", "list"]);
    list.ok();
    assert!(
        list.stderr.contains("The DC/OS CLI has east, west coast")
            && list.stderr.contains("podctl cluster import"),
        "{list:?}"
    );
    let out = podctl.run(&["cluster", "import"]);
    let text = out.ok();
    assert!(
        text.contains("Imported cluster east") && text.contains("Imported cluster west-coast"),
        "{text}"
    );
    assert!(text.contains("Now using cluster east"), "{text}");
    let config = std::fs::read_to_string(podctl.config_path()).unwrap();
    assert!(
        config.contains("[clusters.east]") && config.contains("[clusters.west-coast]"),
        "{config}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(podctl.config_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(dcos.snapshot(), before);
    // The copy is used from now on, even without the DC/OS CLI's directory.
    let copied = Podctl::new().env("PODCTL_CONFIG", &podctl.config_path().display().to_string());
    copied.run(&["pod", "list"]).ok();
    let shown = copied.run(&["config", "show"]);
    assert!(
        shown.ok().contains("cluster \"east\" in the config file"),
        "{shown:?}"
    );
    assert!(!shown.stdout.contains("tok-east"));
    // Again, by name: updated in place.
    let again = podctl.run(&["cluster", "import", "east"]);
    assert!(again.ok().contains("Updated cluster east"), "{again:?}");
    let err = podctl
        .run(&["cluster", "import", "north"])
        .fails(2)
        .to_string();
    assert!(err.contains("north") && err.contains("east"), "{err}");
    let empty = DcosDir::new().podctl().run(&["cluster", "import"]);
    assert!(
        empty.fails(2).contains("no DC/OS CLI clusters"),
        "{empty:?}"
    );
}

/// A DC/OS stand-in: `POST /acs/api/v1/auth/login` gives `jwt(uid, exp, n)` for the n-th
/// login when the password is `pw`; Marathon's `GET /v2/pods/::status` takes only a token of
/// login `accepted_from` or later, answering others with DC/OS's 401.
fn dcos_stand_in(exp: u64, accepted_from: usize) -> Server {
    let logins = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Server::start(move |request, _, stream| {
        if request.path() == "/acs/api/v1/auth/login" {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            if body["password"] != "pw" {
                let refused = r#"{"title":"Unauthorized","description":"Invalid credentials","code":"ERR_INVALID_CREDENTIALS"}"#;
                return respond(stream, 401, &[JSON], refused.as_bytes());
            }
            let n = logins.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let token = jwt(body["uid"].as_str().unwrap(), exp, n);
            return respond(
                stream,
                200,
                &[JSON],
                format!(r#"{{"token":"{token}"}}"#).as_bytes(),
            );
        }
        let ok = (accepted_from..accepted_from + 10).any(|n| {
            request
                .header("authorization")
                .is_some_and(|a| a.ends_with(&format!("c2lnLW{n}")))
        });
        if ok {
            respond(stream, 200, &[JSON], b"[]");
        } else {
            let body =
                r#"{"title":"Unauthorized","description":"The authentication token has expired."}"#;
            respond(
                stream,
                401,
                &[JSON, ("WWW-Authenticate", "acsjwt")],
                body.as_bytes(),
            );
        }
    })
}

#[test]
fn a_remembered_password_renews_a_refused_token_once() {
    // Tokens expire far in the future by this machine's clock, yet the server refuses the
    // first one: only the 401 tells, and one new login answers it.
    let server = dcos_stand_in(4_000_000_000, 2);
    let podctl = Podctl::new().env("DCOS_PASSWORD", "pw");
    let login = podctl.run(&[
        "cluster",
        "login",
        "lab",
        "--url",
        &server.url,
        "--username",
        "alice",
        "--password-env",
        "DCOS_PASSWORD",
        "--remember",
    ]);
    assert!(
        login.ok().contains("Logged in to cluster lab as alice"),
        "{login:?}"
    );
    let first = server.take();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].line(), "POST /acs/api/v1/auth/login HTTP/1.1");
    assert_eq!(first[0].text(), r#"{"uid":"alice","password":"pw"}"#);

    let out = podctl.run(&["--verbose", "pod", "list", "-q"]);
    out.ok();
    let lines: Vec<String> = server.take().iter().map(|r| r.line().to_string()).collect();
    assert_eq!(
        lines,
        [
            "GET /service/marathon/v2/pods/::status HTTP/1.1",
            "POST /acs/api/v1/auth/login HTTP/1.1",
            "GET /service/marathon/v2/pods/::status HTTP/1.1"
        ]
    );
    assert!(out.stderr.contains("the token was renewed"), "{out:?}");
    let config = std::fs::read_to_string(podctl.config_path()).unwrap();
    assert!(
        config.contains("c2lnLW2"),
        "the renewed token is stored: {config}"
    );
    for secret in [
        "pw\"",
        "c2lnLW1",
        "c2lnLW2",
        &jwt("alice", 4_000_000_000, 2),
    ] {
        assert!(
            !out.stderr.contains(secret) && !out.stdout.contains(secret),
            "{out:?}"
        );
    }
    let shown = podctl.run(&["config", "show"]);
    assert!(
        shown
            .ok()
            .contains("renewal:      as \"alice\" with a remembered password"),
        "{shown:?}"
    );
    assert!(!shown.stdout.contains("c2lnLW") && !shown.stdout.contains("\"pw\""));
}

#[test]
fn without_renewal_credentials_a_401_says_the_token_expired_and_how_to_log_in() {
    let server = dcos_stand_in(1_500_000_000, 99);
    let podctl = Podctl::new();
    std::fs::write(podctl.dir().join("pw"), "pw\n").unwrap();
    let pw = podctl.dir().join("pw").display().to_string();
    podctl
        .run(&[
            "cluster",
            "login",
            "lab",
            "--url",
            &server.url,
            "--username",
            "alice",
            "--password-file",
            &pw,
        ])
        .ok();
    let config = std::fs::read_to_string(podctl.config_path()).unwrap();
    assert!(
        !config.contains("password"),
        "no password kept without --remember: {config}"
    );
    server.take();
    let err = podctl.run(&["pod", "list"]).fails(7).to_string();
    assert!(
        err.contains("the token expired at 2017-07-14T02:40:00Z")
            && err.contains("podctl cluster login lab"),
        "{err}"
    );
    assert_eq!(server.take().len(), 1, "no login without credentials");
}

#[test]
fn a_wrong_password_is_refused_with_exit_7_and_nothing_is_stored() {
    let server = dcos_stand_in(4_000_000_000, 1);
    let podctl = Podctl::new().env("DCOS_PASSWORD", "wrong-pw");
    let err = podctl
        .run(&[
            "cluster",
            "login",
            "lab",
            "--url",
            &server.url,
            "--username",
            "alice",
            "--password-env",
            "DCOS_PASSWORD",
        ])
        .fails(7)
        .to_string();
    assert!(
        err.contains("Invalid credentials") && err.contains("alice"),
        "{err}"
    );
    assert!(!err.contains("wrong-pw"), "{err}");
    assert!(!podctl.config_path().exists());
    // A password is never an argument.
    let out = podctl.run(&[
        "cluster",
        "login",
        "lab",
        "--username",
        "a",
        "--password",
        "x",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    let out = podctl.run(&["cluster", "login", "lab", "--username", "a"]);
    assert_eq!(out.code, 2, "one of the secrets is required: {out:?}");
}

/// Writes a private key where podctl can read it; returns its path.
fn key_file(podctl: &Podctl, name: &str, pem: &str) -> String {
    let path = podctl.dir().join(name);
    std::fs::write(&path, pem).unwrap();
    path.display().to_string()
}

/// The lines of a PEM key's body, none of which may ever be shown.
fn key_lines(pem: &str) -> Vec<&str> {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

#[track_caller]
fn assert_no_secret(out: &crate::support::Out, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{secret:?} shown: {out:?}"
        );
    }
}

/// The token stored for `cluster` in podctl's config.
fn stored_token(podctl: &Podctl, cluster: &str) -> String {
    let text = std::fs::read_to_string(podctl.config_path()).unwrap();
    let config: toml::Table = text.parse().unwrap();
    config["clusters"][cluster]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_service_account_logs_in_and_a_polling_wait_outlives_its_tokens() {
    // Without the event stream, the wait polls all along: each poll after an expiry gets a 401,
    // answered by a renewal.
    a_wait_outlives_its_tokens(&["--no-events"]);
}

#[test]
fn a_service_account_logs_in_and_a_wait_on_the_event_stream_outlives_its_tokens() {
    // The stream, opened with a valid token, stays open as DC/OS keeps an open connection; the
    // confirming status request at the end comes after the token expired, and is renewed.
    a_wait_outlives_its_tokens(&[]);
}

fn a_wait_outlives_its_tokens(extra: &[&str]) {
    // Tokens last 2 s of the simulator's clock; the deployment takes 20 s of it.
    let mut args = vec!["--token-ttl", "2s", "--deploy-time", "20s"];
    args.extend(extra);
    let (sim, _keys) = dcos_sim(&args);
    let podctl = Podctl::new();
    let (private, _) = service_account_key();
    let key = key_file(&podctl, "ci.pem", &private);
    let marathon = format!("{}/service/marathon", sim.url);
    let login = podctl.run(&verbose(key_login("ci", &marathon, "ci", &key)));
    assert!(
        login.ok().contains("Logged in to cluster ci as ci"),
        "{login:?}"
    );
    assert!(
        login.stdout.contains("expires at 2026-01-01T00:00:02Z"),
        "{login:?}"
    );
    let token = stored_token(&podctl, "ci");
    let config = std::fs::read_to_string(podctl.config_path()).unwrap();
    assert!(
        config.contains(&format!("private_key = \"{key}\"")),
        "{config}"
    );
    for line in key_lines(&private) {
        assert!(!config.contains(line), "the key itself is never copied");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(podctl.config_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let mut cmd = podctl.command(crate::support::BIN);
    cmd.args(["--verbose", "pod", "add", "--wait", "--timeout", "5m", "-"]);
    let since = sim.request_count();
    let running = crate::support::Running::start(cmd, Some(&crate::support::minimal("/web")));
    let out = running.drive_since(&sim, since, std::time::Duration::from_secs(1), 60);
    out.ok();
    assert!(out.stdout.starts_with("Created deployment "), "{out:?}");
    let renewals = out.stderr.matches("the token was renewed").count();
    // Polling: 20 s of 2 s tokens. The stream: the confirmation after the end.
    let least = if sim.events { 2 } else { 5 };
    assert!(
        renewals >= least,
        "20 s of 2 s tokens: {renewals} renewals: {out:?}"
    );
    // The 401s are in the --verbose log only, each answered by a renewal.
    assert_eq!(
        out.stderr.matches("-> 401 Unauthorized").count(),
        renewals - 1,
        "one renewal before the first request (the clocks disagree), then one per 401: {out:?}"
    );
    assert!(
        !out.stderr.contains("error"),
        "no 401 reached the user: {out:?}"
    );
    let mut secrets = key_lines(&private);
    secrets.push(&token);
    assert_no_secret(&login, &secrets);
    assert_no_secret(&out, &secrets);
    let renewed = stored_token(&podctl, "ci");
    assert_ne!(renewed, token, "the renewed token is stored");
    secrets.push(&renewed);
    let shown = podctl.run(&["config", "show"]);
    assert!(
        shown.ok().contains(&format!(
            "renewal:      as \"ci\" with the private key {key}"
        )),
        "{shown:?}"
    );
    assert_no_secret(&shown, &secrets);
    let json = podctl.run(&["--json", "config", "show"]);
    json.ok();
    assert_no_secret(&json, &secrets);
    assert!(podctl.run(&["pod", "list", "-q"]).ok().contains("/web"));
}

#[test]
fn a_wrong_key_is_refused_with_exit_7() {
    let (sim, _keys) = dcos_sim(&[]);
    let podctl = Podctl::new();
    let (other, _) = other_key();
    let key = key_file(&podctl, "stolen.pem", &other);
    let out = podctl.run(&verbose(key_login("ci", &sim.url, "ci", &key)));
    let err = out.fails(7).to_string();
    assert!(
        err.contains("The login credentials are not valid") && err.contains("\"ci\""),
        "{err}"
    );
    assert_no_secret(&out, &key_lines(&other));
    assert!(!podctl.config_path().exists(), "nothing stored");
    // Not a key at all: named by its path, never shown.
    let not_a_key = key_file(
        &podctl,
        "notes.txt",
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
    );
    let out = podctl.run(&key_login("ci", &sim.url, "ci", &not_a_key));
    let err = out.fails(2).to_string();
    assert!(
        err.contains("notes.txt") && !err.contains("bm90IGEga2V5"),
        "{err}"
    );
    // A stored key that is later replaced by the wrong one fails the renewal with exit 7.
    let (private, _) = service_account_key();
    let good = key_file(&podctl, "ci.pem", &private);
    podctl.run(&key_login("ci", &sim.url, "ci", &good)).ok();
    std::fs::write(&good, &other).unwrap();
    let token = stored_token(&podctl, "ci");
    let mut config = std::fs::read_to_string(podctl.config_path()).unwrap();
    config = config.replace(&token, "expired-or-revoked");
    std::fs::write(podctl.config_path(), config).unwrap();
    let out = podctl.run(&["pod", "list"]);
    let err = out.fails(7).to_string();
    assert!(
        err.contains("renewing the token") && err.contains("not valid"),
        "{err}"
    );
    assert_no_secret(&out, &key_lines(&private));
}

#[test]
fn done_when_an_attached_dcos_cluster_points_at_the_dcos_simulator() {
    let (sim, _keys) = dcos_sim(&["--token-ttl", "2s"]);
    let (status, _, text) = sim.send(
        "POST",
        "/acs/api/v1/auth/login",
        &[],
        Some(&serde_json::json!({"uid": "admin", "password": "s3cret"})),
    );
    assert_eq!(status, 200, "{text}");
    let token = serde_json::from_str::<serde_json::Value>(&text).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let dcos = DcosDir::new();
    // As `dcos cluster setup` writes it: no marathon.url, so Marathon is under /service/marathon.
    dcos.cluster(
        "79a1b2c3-0000-4000-8000-000000000001",
        &format!(
            "[core]\ndcos_url = \"{}\"\ndcos_acs_token = \"{token}\"\nssl_verify = \"false\"\n\
             [cluster]\nname = \"sim\"\n",
            sim.url
        ),
        true,
    );
    let podctl = dcos.podctl();
    let before = sim.requests().len();
    let out = podctl.run(&["--verbose", "pod", "list"]);
    out.ok();
    assert!(
        sim.requests()[before..]
            .iter()
            .any(|r| r.contains("/service/marathon/v2/pods/::status")),
        "{:?}",
        sim.requests()
    );
    assert_no_secret(&out, &[&token]);
    // The DC/OS CLI keeps no credentials to renew with: once expired, say so and how to log in.
    sim.advance(std::time::Duration::from_secs(2));
    let out = podctl.run(&["pod", "list"]);
    let err = out.fails(7).to_string();
    assert!(
        err.contains("the token expired at 2026-01-01T00:00:02Z")
            && err.contains("dcos auth login"),
        "{err}"
    );
    assert_no_secret(&out, &[&token]);
    // `cluster login` copies the DC/OS CLI's cluster into podctl's config and logs in there.
    let (private, _) = service_account_key();
    let key = key_file(&podctl, "ci.pem", &private);
    let login = podctl.run(&[
        "cluster",
        "login",
        "--username",
        "ci",
        "--private-key",
        &key,
    ]);
    assert!(
        login.ok().contains("Logged in to cluster sim as ci"),
        "{login:?}"
    );
    sim.advance(std::time::Duration::from_secs(60));
    podctl.run(&["pod", "list"]).ok();
}

#[test]
fn a_write_refused_with_401_is_sent_once_more_after_a_new_login() {
    // DC/OS's admin router answers 401 before a request reaches Marathon: nothing was done, so
    // even a POST may be sent again, once.
    let server = dcos_stand_in(4_000_000_000, 2);
    let podctl = Podctl::new().env("DCOS_PASSWORD", "pw");
    podctl
        .run(&[
            "cluster",
            "login",
            "lab",
            "--url",
            &server.url,
            "--username",
            "alice",
            "--password-env",
            "DCOS_PASSWORD",
            "--remember",
        ])
        .ok();
    server.take();
    podctl
        .run_with_stdin(&["pod", "add", "-"], &crate::support::minimal("/web"))
        .ok();
    let requests = server.take();
    let lines: Vec<&str> = requests.iter().map(|r| r.line()).collect();
    assert_eq!(
        lines,
        [
            "POST /service/marathon/v2/pods HTTP/1.1",
            "POST /acs/api/v1/auth/login HTTP/1.1",
            "POST /service/marathon/v2/pods HTTP/1.1"
        ]
    );
    assert_eq!(requests[0].body, requests[2].body);
    assert_ne!(
        requests[0].header("authorization"),
        requests[2].header("authorization")
    );
    // Refused again after a new login: the account may not do it; said once, no loop.
    let refusing = dcos_stand_in(4_000_000_000, 99);
    let podctl = Podctl::new().env("DCOS_PASSWORD", "pw");
    podctl
        .run(&[
            "cluster",
            "login",
            "lab",
            "--url",
            &refusing.url,
            "--username",
            "alice",
            "--password-env",
            "DCOS_PASSWORD",
            "--remember",
        ])
        .ok();
    refusing.take();
    podctl.run(&["pod", "list"]).fails(7);
    assert_eq!(
        refusing.take().len(),
        3,
        "one request, one login, one retry"
    );
}
