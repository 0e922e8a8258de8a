//! DC/OS users: the DC/OS CLI's configuration used as it is (`$DCOS_DIR`, the attached cluster,
//! `DCOS_CLUSTER`), `cluster import`, `cluster login` and tokens that renew themselves. Servers:
//! the simulator, and a loopback server acting as DC/OS's login endpoint.

use std::path::{Path, PathBuf};

use base64::Engine;

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
        let dir = self.path().join("clusters").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("dcos.toml");
        std::fs::write(&file, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        if attached {
            std::fs::write(dir.join("attached"), "").unwrap();
        }
        file
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
            "GET /v2/pods/::status HTTP/1.1",
            "POST /acs/api/v1/auth/login HTTP/1.1",
            "GET /v2/pods/::status HTTP/1.1"
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
