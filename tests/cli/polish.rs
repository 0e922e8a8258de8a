//! Defects a new user met trying DC/OS logins, DC/OS CLI configs and waits: a login at a DC/OS
//! root URL, a CA file named by a `dcos.toml`, a long polling interval with a short timeout, and
//! `--json` for `cluster login` and `cluster import`.

use serde_json::{json, Value};

use crate::support::{Podctl, Sim};

/// `podctl sim --dcos` on the manual clock with user `admin` (password `s3cret`).
fn dcos_sim() -> Sim {
    Sim::manual(&["--dcos", "--user", "admin:s3cret", "--deploy-time", "0"])
}

/// The URL stored for `cluster` in podctl's config.
fn stored_url(podctl: &Podctl, cluster: &str) -> String {
    let text = std::fs::read_to_string(podctl.config_path()).unwrap();
    let config: toml::Table = text.parse().unwrap();
    config["clusters"][cluster]["url"]
        .as_str()
        .unwrap()
        .to_string()
}

fn login_args<'a>(name: &'a str, url: &'a str) -> Vec<&'a str> {
    vec![
        "cluster",
        "login",
        name,
        "--url",
        url,
        "--username",
        "admin",
        "--password-env",
        "DCOS_PASSWORD",
    ]
}

#[test]
fn a_login_at_a_dcos_root_stores_marathon_under_service_marathon() {
    let sim = dcos_sim();
    let podctl = Podctl::new().env("DCOS_PASSWORD", "s3cret");
    let root = format!("{}/", sim.url);
    let out = podctl.run(&login_args("lab", &root));
    let marathon = format!("{}/service/marathon", sim.url);
    let said = out.ok();
    assert!(
        said.contains("Logged in to cluster lab as admin") && said.contains(&marathon),
        "the success line says where Marathon is: {out:?}"
    );
    assert_eq!(stored_url(&podctl, "lab"), marathon);
    let before = sim.requests().len();
    podctl.run(&["pod", "list", "-q"]).ok();
    let requests = sim.requests();
    assert!(
        requests[before..]
            .iter()
            .any(|r| r.contains("/service/marathon/v2/pods")),
        "{requests:?}"
    );
    // Logging in again at the root keeps the same cluster (and its URL under the prefix).
    podctl.run(&login_args("lab", &sim.url)).ok();
    assert_eq!(stored_url(&podctl, "lab"), marathon);
    // A URL with a path is taken as given.
    podctl.run(&login_args("lab", &marathon)).ok();
    assert_eq!(stored_url(&podctl, "lab"), marathon);
}

#[test]
fn a_404_page_at_a_root_url_hints_that_marathon_is_under_service_marathon() {
    use crate::loopback::{respond, Server};
    let server = Server::start(|_, _, stream| {
        let page = b"<html><body><h1>404 Not Found</h1></body></html>";
        respond(stream, 404, &[("Content-Type", "text/html")], page);
    });
    let podctl = Podctl::new();
    for args in [vec!["pod", "list"], vec!["pod", "show", "/web"]] {
        let mut all = vec!["--url", server.url.as_str()];
        all.extend(args);
        let out = podctl.run(&all);
        assert_ne!(out.code, 0, "{out:?}");
        let err = out.stderr.as_str();
        assert!(
            err.contains("HTTP 404 Not Found")
                && err.contains(&format!("{}/service/marathon", server.url)),
            "{out:?}"
        );
    }
}

#[test]
fn a_wait_with_a_long_interval_polls_once_more_at_its_deadline() {
    // Polling (no event stream): the first poll sees the deployment running; the next, an hour
    // later, would be past the deadline, so the pause ends at the deadline with a last poll.
    let sim = Sim::manual(&["--no-events", "--deploy-time", "1s"]);
    let podctl = sim.podctl();
    let file = podctl.dir().join("web.json");
    std::fs::write(&file, crate::support::minimal("/web")).unwrap();
    let since = sim.request_count();
    let mut running = podctl.spawn(&[
        "pod",
        "add",
        file.to_str().unwrap(),
        "--wait",
        "--interval",
        "1h",
        "--timeout",
        "2s",
    ]);
    // The write and a first poll (the deployments and the pod's status).
    running.await_requests(&sim, since, 3);
    sim.advance(std::time::Duration::from_secs(5));
    let out = running.finish();
    let said = out.ok();
    assert!(said.contains("Created deployment"), "{out:?}");
    assert!(out.stderr.contains("Done in"), "{out:?}");
}

#[test]
fn cluster_login_json_says_where_as_whom_and_until_when_never_the_token() {
    let sim = dcos_sim();
    let podctl = Podctl::new().env("DCOS_PASSWORD", "s3cret");
    let mut args = login_args("lab", &sim.url);
    args.push("--json");
    let out = podctl.run(&args);
    let answer: Value = out.json();
    assert_eq!(
        answer,
        json!({
            "cluster": "lab",
            "url": format!("{}/service/marathon", sim.url),
            "uid": "admin",
            "tokenExpires": answer["tokenExpires"].clone(),
        }),
        "{out:?}"
    );
    let expires = answer["tokenExpires"].as_str().unwrap_or_default();
    assert!(expires.starts_with("2026-01-0"), "{out:?}");
    let config = std::fs::read_to_string(podctl.config_path()).unwrap();
    let table: toml::Table = config.parse().unwrap();
    let token = table["clusters"]["lab"]["token"].as_str().unwrap();
    assert!(!out.stdout.contains(token) && !out.stderr.contains(token));
}

#[test]
fn cluster_import_json_lists_the_clusters_imported() {
    let dcos = tempfile::tempdir().unwrap();
    for (id, name, attached) in [("1111", "east", true), ("2222", "west", false)] {
        let dir = dcos.path().join("clusters").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("dcos.toml"),
            format!(
                "[core]\ndcos_url = \"https://{name}.example.com\"\n\
                 dcos_acs_token = \"secret-{name}\"\n[cluster]\nname = \"{name}\"\n"
            ),
        )
        .unwrap();
        if attached {
            std::fs::write(dir.join("attached"), "").unwrap();
        }
    }
    let podctl = Podctl::new().env("DCOS_DIR", &dcos.path().display().to_string());
    let out = podctl.run(&["cluster", "import", "--json"]);
    let answer = out.json();
    let from = |id: &str| {
        dcos.path()
            .join("clusters")
            .join(id)
            .join("dcos.toml")
            .display()
            .to_string()
    };
    assert_eq!(
        answer,
        json!({
            "imported": [
                {"cluster": "east", "url": "https://east.example.com/service/marathon",
                 "from": from("1111"), "updated": false},
                {"cluster": "west", "url": "https://west.example.com/service/marathon",
                 "from": from("2222"), "updated": false},
            ],
            "current": "east",
        }),
        "{out:?}"
    );
    assert!(!out.stdout.contains("secret-"), "{out:?}");
    let again = podctl.run(&["cluster", "import", "west", "--json"]).json();
    assert_eq!(again["imported"][0]["updated"], true, "{again}");
    assert_eq!(again["current"], "east", "{again}");
}

#[test]
fn a_ca_file_from_a_dcos_toml_that_cannot_be_read_names_the_file_and_the_key() {
    let dcos = tempfile::tempdir().unwrap();
    let dir = dcos.path().join("clusters").join("1111");
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("dcos.toml");
    std::fs::write(
        &toml,
        "[core]\ndcos_url = \"https://127.0.0.1:9\"\nssl_verify = \"no-such-ca.pem\"\n\
         [cluster]\nname = \"east\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("attached"), "").unwrap();
    let podctl = Podctl::new().env("DCOS_DIR", &dcos.path().display().to_string());
    let out = podctl.run(&["pod", "list"]);
    let err = out.fails(2);
    assert!(
        err.contains("no-such-ca.pem")
            && err.contains(&toml.display().to_string())
            && err.contains("core.ssl_verify"),
        "{out:?}"
    );
    // So does a login to that cluster, which copies it first.
    let out = podctl.env("DCOS_PASSWORD", "pw").run(&[
        "cluster",
        "login",
        "--username",
        "alice",
        "--password-env",
        "DCOS_PASSWORD",
    ]);
    let err = out.fails(2);
    assert!(
        err.contains(&toml.display().to_string()) && err.contains("core.ssl_verify"),
        "{out:?}"
    );
}
