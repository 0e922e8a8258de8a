//! What podctl puts on the wire, checked against a recording loopback server that follows the
//! contract but is not our simulator.

use crate::loopback::{respond, Server};
use crate::support::Podctl;

/// A canned answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// A recording server that gives the answers in order, one per request; a request beyond them
/// gets a 500 that says so (and shows in the recorded requests).
fn serve(answers: Vec<Answer>) -> (String, Server) {
    let server = Server::start(move |_, n, stream| match answers.get(n) {
        Some((status, headers, body)) => respond(stream, *status, headers, body.as_bytes()),
        None => respond(stream, 500, &[], b"no answer left for this request"),
    });
    (server.url.clone(), server)
}

#[test]
fn add_posts_json_with_the_token_behind_a_path_prefix() {
    let (url, server) = serve(vec![(
        201,
        vec![
            ("Marathon-Deployment-Id", "dep-1"),
            ("Content-Type", "application/json"),
        ],
        r#"{"id":"/web","containers":[]}"#,
    )]);
    let out = Podctl::new()
        .env("DCOS_MARATHON_URL", &format!("{url}/service/marathon/"))
        .env("DCOS_ACS_TOKEN", "tok")
        .run(&["pod", "add", "examples/web.json"]);
    assert_eq!(out.ok(), "Created deployment dep-1\n");
    let reqs = server.requests();
    assert_eq!(reqs[0].line(), "POST /service/marathon/v2/pods HTTP/1.1");
    assert_eq!(reqs[0].header("authorization"), Some("token=tok"));
    assert_eq!(reqs[0].header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_str(reqs[0].text()).unwrap();
    assert_eq!(sent["id"], "/web");
    assert_eq!(sent["containers"][0]["name"], "nginx");
}

#[test]
fn update_checks_existence_then_puts_with_force() {
    let (url, server) = serve(vec![
        (200, vec![], r#"{"id":"/prod/api","containers":[]}"#),
        (
            200,
            vec![("Marathon-Deployment-Id", "dep-2")],
            r#"{"id":"/prod/api"}"#,
        ),
    ]);
    let out = Podctl::new().env("PODCTL_URL", &url).run(&[
        "pod",
        "update",
        "prod/api/",
        "examples/api.json",
        "--force",
        "-q",
    ]);
    assert_eq!(out.ok(), "dep-2\n");
    let reqs = server.requests();
    assert_eq!(reqs[0].line(), "GET /v2/pods/prod/api HTTP/1.1");
    assert_eq!(reqs[1].line(), "PUT /v2/pods/prod/api?force=true HTTP/1.1");
    assert!(
        reqs[0].header("authorization").is_none(),
        "no token configured, none sent"
    );
}

#[test]
fn kill_sends_the_ids_in_a_delete_body_and_reads_old_instance_shapes() {
    let (url, server) = serve(vec![(
        200,
        vec![],
        r#"[{"instanceId":{"idString":"web.instance-a"}},{"instanceId":"web.instance-b"}]"#,
    )]);
    let out = Podctl::new().env("PODCTL_URL", &url).run(&[
        "pod",
        "kill",
        "/web",
        "web.instance-a",
        "web.instance-b",
        "--wipe",
    ]);
    assert_eq!(
        out.ok(),
        "Killed instance web.instance-a\nKilled instance web.instance-b\n"
    );
    let reqs = server.requests();
    assert_eq!(
        reqs[0].line(),
        "DELETE /v2/pods/web::instances?wipe=true HTTP/1.1"
    );
    assert_eq!(reqs[0].header("content-type"), Some("application/json"));
    let body: Vec<String> = serde_json::from_str(reqs[0].text()).unwrap();
    assert_eq!(body, vec!["web.instance-a", "web.instance-b"]);
}

#[test]
fn update_of_a_missing_pod_is_refused_on_a_quirky_404() {
    let (url, _server) = serve(vec![(
        404,
        vec![],
        r#"{"message":"{\"message\": \"pod with /x does not exist\"}","details":[]}"#,
    )]);
    let out = Podctl::new()
        .env("PODCTL_URL", &url)
        .run_with_stdin(&["pod", "update", "/x"], &crate::support::minimal("/x"));
    let err = out.fails(4);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!err.contains("\\\"message"), "{err}");
}

#[test]
fn html_errors_and_missing_headers_are_handled() {
    const LEADERLESS: &str = "<html><body>Could not determine the current leader</body></html>";
    // A read is tried 4 times on 502; the write after it is never retried.
    let mut answers: Vec<Answer> = (0..4)
        .map(|_| (502, vec![("Content-Type", "text/html")], LEADERLESS))
        .collect();
    answers.push((503, vec![("Content-Type", "text/html")], LEADERLESS));
    answers.push((202, vec![], ""));
    let (url, server) = serve(answers);
    let podctl = Podctl::new().env("PODCTL_URL", &url);
    let err = podctl.run(&["pod", "list"]).fails(6).to_string();
    assert!(err.contains("HTTP 502"), "{err}");
    assert!(!err.contains("<html>"), "{err}");
    podctl.run(&["pod", "remove", "/web"]).fails(6);
    let out = podctl.run(&["pod", "remove", "/web"]);
    assert_eq!(out.ok(), "");
    assert!(out.stderr.contains("Marathon-Deployment-Id"), "{out:#?}");
    let reqs = server.requests();
    let lines: Vec<&str> = reqs.iter().map(|r| r.line()).collect();
    assert_eq!(
        lines,
        [
            "GET /v2/pods/::status HTTP/1.1",
            "GET /v2/pods/::status HTTP/1.1",
            "GET /v2/pods/::status HTTP/1.1",
            "GET /v2/pods/::status HTTP/1.1",
            "DELETE /v2/pods/web HTTP/1.1",
            "DELETE /v2/pods/web HTTP/1.1",
        ]
    );
}

#[test]
fn reads_recover_from_a_passing_gateway_error() {
    let (url, server) = serve(vec![
        (
            503,
            vec![("Content-Type", "text/html")],
            "<html>busy</html>",
        ),
        (200, vec![("Content-Type", "application/json")], "[]"),
    ]);
    let out = Podctl::new()
        .env("PODCTL_URL", &url)
        .run(&["pod", "list", "--json", "--verbose"]);
    assert_eq!(out.ok(), "[]\n");
    assert!(
        out.stderr.contains("503") && out.stderr.contains("retrying"),
        "{out:#?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn basic_auth_comes_from_the_url_and_is_never_shown() {
    let (url, server) = serve(vec![(200, vec![], "[]")]);
    let with_credentials = url.replace("http://", "http://admin:s3cr%3At@");
    let podctl = Podctl::new().env("PODCTL_URL", &with_credentials);
    let out = podctl.run(&["pod", "list", "--verbose"]);
    out.ok();
    assert!(!out.stderr.contains("s3cr"), "{out:#?}");
    assert!(
        out.stderr.contains(&format!("GET {url}/v2/pods/::status")),
        "{out:#?}"
    );
    let shown = podctl.run(&["config", "show"]);
    assert!(
        !shown.ok().contains("s3cr") && shown.stdout.contains("admin / ********"),
        "{shown:#?}"
    );
    let reqs = server.requests();
    // admin:s3cr:t in base64
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Basic YWRtaW46czNjcjp0")
    );
}

#[test]
fn redirects_are_reported_not_followed() {
    let (url, server) = serve(vec![(
        307,
        vec![("Location", "http://localhost:1/v2/pods/::status")],
        "",
    )]);
    let err = Podctl::new()
        .env("PODCTL_URL", &url)
        .env("PODCTL_TOKEN", "secret-token")
        .run(&["pod", "list"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("redirect") && err.contains("localhost:1"),
        "{err}"
    );
    assert!(!err.contains("secret-token"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn locked_pods_name_the_blocking_deployment() {
    let (url, _server) = serve(vec![(
        409,
        vec![],
        r#"{"message":"App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.","deployments":[{"id":"5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43"}]}"#,
    )]);
    let err = Podctl::new()
        .env("PODCTL_URL", &url)
        .run(&["pod", "remove", "/web"])
        .fails(5)
        .to_string();
    assert!(
        err.contains("5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43") && err.contains("--force"),
        "{err}"
    );
    assert!(
        err.contains("App is locked"),
        "Marathon's message is shown: {err}"
    );
}

#[test]
fn definitions_can_come_from_a_url() {
    let definition = r#"{"id": "/from-url", "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}]}"#;
    let (url, server) = serve(vec![
        (200, vec![("Content-Type", "application/json")], definition),
        (201, vec![("Marathon-Deployment-Id", "dep-url")], "{}"),
    ]);
    let out = Podctl::new().env("PODCTL_URL", &url).run(&[
        "pod",
        "add",
        &format!("{url}/pods/from-url.json"),
    ]);
    assert_eq!(out.ok(), "Created deployment dep-url\n");
    let reqs = server.requests();
    assert_eq!(reqs[0].line(), "GET /pods/from-url.json HTTP/1.1");
    assert_eq!(reqs[1].line(), "POST /v2/pods HTTP/1.1");
    let sent: serde_json::Value = serde_json::from_str(reqs[1].text()).unwrap();
    assert_eq!(sent["id"], "/from-url");
}

#[test]
fn a_url_that_fails_names_the_url() {
    let (url, _server) = serve(vec![(404, vec![], "nope")]);
    let source = format!("{url}/missing.json");
    let err = Podctl::new()
        .env("PODCTL_URL", &url)
        .run(&["pod", "add", &source])
        .fails(1)
        .to_string();
    assert!(err.contains(&source) && err.contains("404"), "{err}");
}

#[test]
fn text_from_the_server_cannot_drive_the_terminal() {
    let body = r#"[{"id":"/evil\u001b[2J\nfake","status":"STABLE","instances":[],
        "spec":{"id":"/x","containers":[{"name":"c\u0007","resources":{}}]}}]"#;
    let (url, _server) = serve(vec![(200, vec![], body), (200, vec![], body)]);
    let podctl = Podctl::new().env("PODCTL_URL", &url);
    let table = podctl.run(&["pod", "list"]);
    let text = table.ok();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains(r"/evil\u{1b}[2J\nfake"), "{text}");
    assert_eq!(
        text.lines().count(),
        3,
        "a header, the pod and its container: {text}"
    );
    let quiet = podctl.run(&["pod", "list", "-q"]);
    assert_eq!(quiet.ok(), "/evil\\u{1b}[2J\\nfake\n");
}
