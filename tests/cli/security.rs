//! TLS, authentication, retries and server faults: each failure is one clear line with the right
//! exit code, credentials never show, and reads recover when a fault clears.

use crate::support::{deployment_id, Podctl, Sim};

/// A self-signed certificate for 127.0.0.1 and localhost, written to a temp dir.
struct Certs {
    _dir: tempfile::TempDir,
    cert: String,
    key: String,
}

fn certs() -> Certs {
    let dir = tempfile::tempdir().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert = dir.path().join("ca.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    Certs {
        cert: cert.display().to_string(),
        key: key.display().to_string(),
        _dir: dir,
    }
}

#[test]
fn tls_is_verified_unless_trusted_or_skipped() {
    let c = certs();
    let sim = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--tls-cert",
        &c.cert,
        "--tls-key",
        &c.key,
    ]);
    assert!(sim.url.starts_with("https://127.0.0.1:"), "{}", sim.url);
    let podctl = sim.podctl();

    let err = podctl.run(&["pod", "list"]).fails(6).to_string();
    assert!(err.contains("TLS") && err.contains("--ca-cert"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        sim.requests().is_empty(),
        "the handshake failed before any request"
    );

    podctl
        .run(&["pod", "add", "examples/web.json", "--ca-cert", &c.cert])
        .ok();
    podctl.run(&["pod", "list", "-q"]).fails(6);
    let insecure = podctl.run(&["pod", "list", "-q", "--insecure"]);
    assert_eq!(insecure.ok(), "/web\n");
    assert!(insecure.stderr.contains("not verified"), "{insecure:#?}");

    // The DC/OS CLI's variable: a CA file, or `false`.
    let dcos = sim.podctl().env("DCOS_SSL_VERIFY", &c.cert);
    assert_eq!(dcos.run(&["pod", "list", "-q"]).ok(), "/web\n");
    let off = sim.podctl().env("DCOS_SSL_VERIFY", "false");
    assert_eq!(off.run(&["pod", "list", "-q"]).ok(), "/web\n");

    // A cluster remembers its CA, as an absolute path.
    let configured = Podctl::new();
    configured
        .run(&[
            "cluster",
            "add",
            "tls",
            "--url",
            &sim.url,
            "--ca-cert",
            &c.cert,
        ])
        .ok();
    assert_eq!(configured.run(&["pod", "list", "-q"]).ok(), "/web\n");
    let file = std::fs::read_to_string(configured.config_path()).unwrap();
    assert!(
        file.contains(&format!("ca_cert = \"{}\"", c.cert)),
        "{file}"
    );

    let missing = podctl.run(&["pod", "list", "--ca-cert", "/nonexistent/ca.pem"]);
    assert!(
        missing.fails(2).contains("/nonexistent/ca.pem"),
        "{missing:#?}"
    );
}

#[test]
fn basic_auth_for_plain_marathon() {
    let sim = Sim::with_args(&["--deploy-time", "0", "--require-basic", "admin:pa ss"]);
    let bare = sim.podctl();
    let err = bare.run(&["pod", "list"]).fails(7).to_string();
    assert!(err.contains("401"), "{err}");
    let with_url = Podctl::new().env(
        "PODCTL_URL",
        &sim.url.replace("http://", "http://admin:pa%20ss@"),
    );
    with_url.run(&["pod", "list"]).ok();
    let wrong = Podctl::new().env(
        "PODCTL_URL",
        &sim.url.replace("http://", "http://admin:nope@"),
    );
    wrong.run(&["pod", "list"]).fails(7);

    let configured = Podctl::new();
    let url = sim.url.replace("http://", "http://admin:pa%20ss@");
    configured
        .run(&["cluster", "add", "plain", "--url", &url])
        .ok();
    configured.run(&["pod", "add", "examples/web.json"]).ok();
    let file = std::fs::read_to_string(configured.config_path()).unwrap();
    assert!(
        file.contains("username = \"admin\"") && file.contains(&format!("url = \"{}\"", sim.url)),
        "{file}"
    );
    let listed = configured.run(&["cluster", "list"]);
    assert!(
        !listed.ok().contains("pa ss") && !listed.stdout.contains("pa%20ss"),
        "{listed:#?}"
    );
    let shown = configured.run(&["config", "show", "--json"]);
    assert!(!shown.ok().contains("pa ss"), "{shown:#?}");
}

#[test]
fn tokens_never_show_in_verbose_logs_or_errors() {
    let sim = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--require-token",
        "super-secret-token",
    ]);
    let podctl = sim.podctl().env("PODCTL_TOKEN", "super-secret-token");
    let out = podctl.run(&["pod", "list", "--verbose"]);
    out.ok();
    assert!(
        out.stderr
            .contains(&format!("GET {}/v2/pods/::status -> 200 OK", sim.url)),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("super-secret"), "{out:#?}");
    let shown = podctl.run(&["config", "show"]);
    assert!(!shown.ok().contains("super-secret"), "{shown:#?}");
    let wrong = sim
        .podctl()
        .env("PODCTL_TOKEN", "wrong-token-value")
        .run(&["pod", "list", "-v"]);
    assert!(!wrong.fails(7).contains("wrong-token-value"), "{wrong:#?}");
}

#[test]
fn reads_retry_through_passing_faults_and_writes_never_retry() {
    let sim = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--fault",
        "GET /v2/pods/::status=503x2",
        "--fault",
        "POST /v2/pods=503x1",
        "--fault",
        "GET /v2/deployments=resetx1",
    ]);
    let podctl = sim.podctl();
    assert_eq!(podctl.run(&["pod", "list", "-q"]).ok(), "");
    let statuses = sim
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /v2/pods/::status"))
        .count();
    assert_eq!(statuses, 3, "{:?}", sim.requests());

    let err = podctl
        .run(&["pod", "add", "examples/web.json"])
        .fails(6)
        .to_string();
    assert!(err.contains("503"), "{err}");
    let posts = sim
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "a write is never retried: {:?}", sim.requests());
    deployment_id(podctl.run(&["pod", "add", "examples/web.json"]).ok());
    podctl.run(&["deployment", "list"]).ok();
}

#[test]
fn each_fault_is_one_clear_line_with_its_exit_code() {
    // (fault, exit code, words the message must contain)
    let cases: [(&str, i32, &[&str]); 5] = [
        ("500html", 1, &["HTTP 500"]),
        ("502", 6, &["HTTP 502"]),
        ("truncated", 1, &["not in the expected JSON format"]),
        ("nonjson", 1, &["not in the expected JSON format"]),
        ("reset", 6, &["cannot reach Marathon"]),
    ];
    for (kind, code, words) in cases {
        let spec = format!("GET /v2/pods/::status={kind}");
        let sim = Sim::with_args(&["--deploy-time", "0", "--fault", &spec]);
        let err = sim.podctl().run(&["pod", "list"]).fails(code).to_string();
        assert_eq!(err.trim().lines().count(), 1, "{kind}: {err}");
        for w in words {
            assert!(err.contains(w), "{kind}: {err}");
        }
        assert!(!err.contains("<html"), "{kind}: {err}");
    }
    // A huge answer is read as it streams in.
    let sim = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--fault",
        "GET /v2/pods/::status=huge=20MB",
    ]);
    let listed = sim.podctl().run(&["pod", "list", "-q"]);
    assert!(listed.ok().lines().count() > 100_000, "{listed:?}");
    // A mislabelled but correct answer is still read.
    let sim = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--fault",
        "GET /v2/pods/::status=wrongtype",
    ]);
    assert_eq!(
        sim.podctl().run(&["pod", "list", "--json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn a_slow_server_times_out() {
    let sim = Sim::with_args(&[
        "--deploy-time",
        "0",
        "--fault",
        "GET /v2/pods/::status=slow=5s",
    ]);
    let err = sim
        .podctl()
        .run(&["pod", "list", "--request-timeout", "300ms"])
        .fails(6)
        .to_string();
    assert!(err.contains("timed out"), "{err}");
}

#[test]
fn redirects_to_another_host_are_not_followed() {
    let target = Sim::start();
    let location = format!(
        "{}/v2/pods/::status",
        target.url.replace("127.0.0.1", "localhost")
    );
    let spec = format!("GET /v2/pods/::status=redirect={location}");
    let sim = Sim::with_args(&["--deploy-time", "0", "--fault", &spec]);
    let err = sim
        .podctl()
        .env("PODCTL_TOKEN", "tok-123456789")
        .run(&["pod", "list"])
        .fails(1)
        .to_string();
    assert!(err.contains("redirect") && err.contains(&location), "{err}");
    assert!(
        target.requests().is_empty(),
        "nothing went to the other host"
    );
}

#[test]
fn a_big_cluster_lists_and_shows() {
    let sim = Sim::with_args(&["--seed-pods", "10000", "--quiet-log"]);
    let podctl = sim.podctl();
    let ids = podctl.run(&["pod", "list", "-q"]);
    assert_eq!(ids.ok().lines().count(), 10_000);
    let table = podctl.run(&["pod", "list"]);
    assert_eq!(
        table.ok().lines().count(),
        1 + 10_000 * 4,
        "a header, then pods and containers"
    );
    let first = ids.stdout.lines().next().unwrap();
    let shown = podctl.run(&["pod", "show", first]);
    assert!(shown.ok().contains("3/3 stable"), "{shown:#?}");

    let wide = Sim::with_args(&["--seed-pods", "1", "--instances", "500", "--quiet-log"]);
    let podctl = wide.podctl();
    let id = podctl.run(&["pod", "list", "-q"]).ok().trim().to_string();
    let shown = podctl.run(&["pod", "show", &id]);
    assert!(shown.ok().contains("500/500 stable"), "{shown:#?}");
    let rows = shown
        .stdout
        .lines()
        .filter(|l| l.contains(".instance-"))
        .count();
    assert_eq!(rows, 500);
}
