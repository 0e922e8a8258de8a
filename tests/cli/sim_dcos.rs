//! `podctl sim --dcos`: the simulator as a small DC/OS cluster, driven with raw requests. Admin
//! Router's prefix and refusals, the IAM's login for users and service accounts, tokens that
//! expire on the simulator's (manual) clock, and the metadata endpoints.

use std::time::Duration;

use serde_json::{json, Value};

use crate::keys::{claims, dcos_sim, login_token, other_key, service_account_key, unix_now};
use crate::support::{minimal, Podctl, Sim};

/// Where the manual clock starts (2026-01-01T00:00:00Z), in seconds since the epoch.
const START: u64 = 1_767_225_600;

const LOGIN: &str = "/acs/api/v1/auth/login";

fn login(sim: &Sim, body: &Value) -> (u16, String) {
    let (status, _, text) = sim.send("POST", LOGIN, &[], Some(body));
    (status, text)
}

/// Logs in as `admin` and returns the token.
fn admin_token(sim: &Sim) -> String {
    let (status, text) = login(sim, &json!({"uid": "admin", "password": "s3cret"}));
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    body["token"].as_str().unwrap().to_string()
}

fn get(sim: &Sim, path: &str, token: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let authorization = format!("token={token}");
    sim.send("GET", path, &[("Authorization", &authorization)], None)
}

/// Admin Router's refusal: 401, the `acsjwt` challenge and the UI's HTML page.
#[track_caller]
fn assert_admin_router_401(answer: &(u16, reqwest::header::HeaderMap, String)) {
    let (status, headers, body) = answer;
    assert_eq!(*status, 401, "{body}");
    assert_eq!(headers["WWW-Authenticate"], "acsjwt");
    assert_eq!(headers["Content-Type"], "text/html; charset=UTF-8");
    assert!(body.contains("<h1>Unauthorized</h1>"), "{body}");
    assert!(body.contains("window.location"), "{body}");
    // Admin Router answers itself: Marathon never saw the request.
    assert!(headers.get("X-Marathon-Leader").is_none(), "{headers:?}");
}

/// The IAM's refusal of a login.
#[track_caller]
fn assert_login_refused((status, body): (u16, String)) {
    assert_eq!(status, 401, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({"title": "Unauthorized", "description": "The login credentials are not valid.",
               "code": "ERR_INVALID_CREDENTIALS"})
    );
}

#[test]
fn a_user_logs_in_and_reaches_marathon_under_the_prefix_and_at_the_root() {
    let (sim, _keys) = dcos_sim(&["--token-ttl", "2s", "--deploy-time", "0"]);
    let token = admin_token(&sim);
    // The issued token is a JWT whose claims a client can read.
    assert_eq!(claims(&token), json!({"uid": "admin", "exp": START + 2}));
    let authorization = format!("token={token}");
    let headers = [("Authorization", authorization.as_str())];
    let pod: Value = serde_json::from_str(&minimal("/web")).unwrap();
    let (status, answered, body) =
        sim.send("POST", "/service/marathon/v2/pods", &headers, Some(&pod));
    assert_eq!(status, 201, "{body}");
    // Admin Router's proxy_redirect: Marathon's Location moves under the prefix.
    assert_eq!(answered["Location"], "/service/marathon/web");
    let (status, answered, _) = sim.send(
        "DELETE",
        "/service/marathon/v2/pods/web?force=true",
        &headers,
        None,
    );
    assert_eq!(status, 202);
    let location = answered["Location"].to_str().unwrap();
    assert!(location.starts_with("/service/marathon/"), "{location}");
    let (status, _, body) = sim.send("POST", "/v2/pods", &headers, Some(&pod));
    assert_eq!(status, 201, "{body}");
    for path in ["/service/marathon/v2/pods", "/v2/pods"] {
        let (status, _, body) = get(&sim, path, &token);
        assert_eq!(status, 200, "{path}: {body}");
        let pods: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(pods[0]["id"], "/web", "{path}");
    }
    let (status, _, body) = get(&sim, "/service/marathon/v2/pods/web::status", &token);
    assert_eq!(status, 200, "{body}");
    // Admin Router adds the slash, before it looks at credentials.
    let (status, headers, _) = sim.send("GET", "/service/marathon", &[], None);
    assert_eq!(status, 301);
    assert_eq!(
        headers["Location"],
        format!("{}/service/marathon/", sim.url).as_str()
    );
    // Without a token, nothing of Marathon answers, at either place, /ping included.
    for path in ["/service/marathon/v2/pods", "/v2/pods", "/ping", "/v2/info"] {
        assert_admin_router_401(&sim.send("GET", path, &[], None));
    }
    // The token also works as a bearer token, as Admin Router accepts it.
    let bearer = format!("Bearer {token}");
    let (status, _, _) = sim.send("GET", "/v2/pods", &[("Authorization", &bearer)], None);
    assert_eq!(status, 200);
}

#[test]
fn a_service_account_logs_in_with_a_token_signed_by_its_key() {
    let (sim, _keys) = dcos_sim(&[]);
    let (private, _) = service_account_key();
    let (status, body) = login(
        &sim,
        &json!({"uid": "ci", "token": login_token(&private, "ci", START + 300)}),
    );
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // The default lifetime is five days.
    assert_eq!(
        claims(&token),
        json!({"uid": "ci", "exp": START + 5 * 24 * 3600})
    );
    let (status, _, body) = get(&sim, "/service/marathon/v2/pods", &token);
    assert_eq!((status, body.as_str()), (200, "[]"));
}

#[test]
fn wrong_credentials_are_refused_by_the_iam() {
    let (sim, _keys) = dcos_sim(&[]);
    let (private, _) = service_account_key();
    let (other, _) = other_key();
    assert_login_refused(login(&sim, &json!({"uid": "admin", "password": "wrong"})));
    assert_login_refused(login(&sim, &json!({"uid": "nobody", "password": "s3cret"})));
    // A user is no service account, and a service account has no password.
    let user_token = login_token(&private, "admin", START + 300);
    assert_login_refused(login(&sim, &json!({"uid": "admin", "token": user_token})));
    assert_login_refused(login(&sim, &json!({"uid": "ci", "password": ""})));
    // Signed with another key.
    let wrong_key = login_token(&other, "ci", START + 300);
    assert_login_refused(login(&sim, &json!({"uid": "ci", "token": wrong_key})));
    // Expired: `exp` is now, on the simulator's clock.
    let expired = login_token(&private, "ci", START);
    assert_login_refused(login(&sim, &json!({"uid": "ci", "token": expired})));
    // The token's uid is not the one logging in.
    let mismatch = login_token(&private, "admin", START + 300);
    assert_login_refused(login(&sim, &json!({"uid": "ci", "token": mismatch})));
    // Not RS256: an HS256 token "signed" with the public key as a secret.
    let (_, public) = service_account_key();
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"uid": "ci", "exp": START + 300}),
        &jsonwebtoken::EncodingKey::from_secret(public.as_bytes()),
    )
    .unwrap();
    assert_login_refused(login(&sim, &json!({"uid": "ci", "token": forged})));
    assert_login_refused(login(&sim, &json!({"uid": "ci", "token": "not.a.jwt"})));
    // A request the IAM cannot read at all is a 400.
    for body in [
        json!({"uid": "ci"}),
        json!({"uid": "admin", "password": "s3cret", "token": "x"}),
        json!({"password": "s3cret"}),
        json!(["admin"]),
    ] {
        let (status, text) = login(&sim, &body);
        assert_eq!(status, 400, "{body}: {text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["code"], "ERR_INVALID_DATA", "{text}");
    }
    // Nothing refused was a login: still no way in.
    assert_admin_router_401(&sim.send("GET", "/v2/pods", &[], None));
}

#[test]
fn issued_tokens_expire_on_the_simulators_clock() {
    let (sim, _keys) = dcos_sim(&["--token-ttl", "2s"]);
    let token = admin_token(&sim);
    assert_eq!(get(&sim, "/v2/pods", &token).0, 200);
    sim.advance(Duration::from_millis(1999));
    assert_eq!(get(&sim, "/v2/pods", &token).0, 200);
    sim.advance(Duration::from_millis(1));
    assert_admin_router_401(&get(&sim, "/v2/pods", &token));
    assert_admin_router_401(&get(&sim, "/service/marathon/v2/pods", &token));
    // A new login gives a new token that works again.
    let fresh = admin_token(&sim);
    assert_eq!(claims(&fresh)["exp"], START + 4);
    assert_eq!(get(&sim, "/v2/pods", &fresh).0, 200);
}

#[test]
fn unknown_tokens_are_refused_as_admin_router_does() {
    let (sim, _keys) = dcos_sim(&[]);
    let (other_sim, _other_keys) = dcos_sim(&[]);
    let (private, _) = service_account_key();
    let foreign = admin_token(&other_sim);
    assert_eq!(get(&other_sim, "/v2/pods", &foreign).0, 200);
    // A login token is no authentication token.
    let login_jwt = login_token(&private, "ci", START + 300);
    for token in [foreign.as_str(), login_jwt.as_str(), "s3cret", "a.b.c"] {
        assert_admin_router_401(&get(&sim, "/v2/pods", token));
    }
    assert_admin_router_401(&sim.send("GET", "/v2/pods", &[("Authorization", "token=")], None));
    assert_admin_router_401(&sim.send("GET", "/v2/pods", &[("Authorization", "Basic YTpi")], None));
}

#[test]
fn metadata_as_a_small_cluster_serves_it() {
    let (sim, _keys) = dcos_sim(&[]);
    let token = admin_token(&sim);
    let (status, headers, body) = get(&sim, "/dcos-metadata/dcos-version.json", &token);
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["Content-Type"], "application/json");
    assert!(headers.get("X-Marathon-Leader").is_none(), "{headers:?}");
    let version: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(version["version"], "2.2.0");
    assert_eq!(version["dcos-variant"], "open");
    assert_eq!(
        version["dcos-image-commit"].as_str().map(str::len),
        Some(40)
    );
    assert_eq!(version["bootstrap-id"].as_str().map(str::len), Some(40));
    let (status, _, body) = get(&sim, "/metadata", &token);
    assert_eq!(status, 200, "{body}");
    let metadata: Value = serde_json::from_str(&body).unwrap();
    // The cluster id is the first id of the manual clock; Marathon's framework id derives from it.
    assert_eq!(
        metadata,
        json!({"PUBLIC_IPV4": "127.0.0.1", "CLUSTER_ID": "00000000-0000-4000-8000-000000000001"})
    );
    let (_, _, info) = get(&sim, "/service/marathon/v2/info", &token);
    let info: Value = serde_json::from_str(&info).unwrap();
    assert_eq!(
        info["frameworkId"],
        "00000000-0000-4000-8000-000000000001-0001"
    );
    // Both sit behind Admin Router's authentication; the login providers do not.
    for path in ["/dcos-metadata/dcos-version.json", "/metadata"] {
        assert_admin_router_401(&sim.send("GET", path, &[], None));
    }
    let (status, _, body) = sim.send("GET", "/acs/api/v1/auth/providers", &[], None);
    assert_eq!(status, 200);
    let providers: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        providers["dcos-users"]["config"]["start_flow_url"],
        "/acs/api/v1/auth/login"
    );
}

#[test]
fn a_fixed_token_also_opens_the_door_and_never_expires() {
    let (sim, _keys) = dcos_sim(&["--require-token", "fixed", "--token-ttl", "1s"]);
    let issued = admin_token(&sim);
    assert_eq!(get(&sim, "/v2/pods", "fixed").0, 200);
    assert_eq!(get(&sim, "/v2/pods", &issued).0, 200);
    sim.advance(Duration::from_secs(3600));
    assert_eq!(get(&sim, "/service/marathon/v2/pods", "fixed").0, 200);
    assert_admin_router_401(&get(&sim, "/v2/pods", &issued));
    // With DC/OS in front, a wrong token is a 401 too, not plain --require-token's 403.
    assert_admin_router_401(&get(&sim, "/v2/pods", "wrong"));
}

#[test]
fn without_dcos_there_are_no_dcos_routes() {
    let sim = Sim::start();
    for (method, path) in [
        ("POST", LOGIN),
        ("GET", "/acs/api/v1/auth/providers"),
        ("GET", "/service/marathon/v2/pods"),
        ("GET", "/dcos-metadata/dcos-version.json"),
        ("GET", "/metadata"),
    ] {
        let body = json!({"uid": "admin", "password": "s3cret"});
        let (status, _, text) = sim.send(method, path, &[], Some(&body));
        assert_eq!(status, 500, "{method} {path}: {text}");
        assert_eq!(text, r#"{"message":"URI not found"}"#, "{method} {path}");
    }
    // Marathon itself is open as before.
    assert_eq!(sim.send("GET", "/v2/pods", &[], None).0, 200);
}

#[test]
fn dcos_options_are_checked_before_listening() {
    let podctl = Podctl::new();
    let missing = podctl.dir().join("missing.pem");
    let not_pem = podctl.dir().join("not.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let (private_pem, public) = service_account_key();
    let good = podctl.dir().join("good.pem");
    std::fs::write(&good, public).unwrap();
    let private = podctl.dir().join("private.pem");
    std::fs::write(&private, private_pem).unwrap();
    let empty_key = podctl.dir().join("empty.pem");
    std::fs::write(
        &empty_key,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let account = |path: &std::path::Path| format!("ci={}", path.display());
    for (args, expected) in [
        (vec!["--user", "a:b"], "--dcos"),
        (vec!["--token-ttl", "2s"], "--dcos"),
        (vec!["--dcos", "--require-basic", "a:b"], "--require-basic"),
        (vec!["--dcos", "--token-ttl", "soon"], "--token-ttl"),
    ] {
        let mut all = vec!["sim", "--port", "0"];
        all.extend(args.iter().copied());
        let stderr = podctl.run(&all).fails(2).to_string();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    for (args, expected) in [
        (vec!["--user".to_string(), "nocolon".into()], "ID:PASSWORD"),
        (
            vec!["--service-account".to_string(), "ci".into()],
            "ID=PUBLIC_KEY.pem",
        ),
        (
            vec!["--service-account".to_string(), account(&missing)],
            "cannot read the public key of \"ci\"",
        ),
        (
            vec!["--service-account".to_string(), account(&not_pem)],
            "holds no PEM public key",
        ),
        (
            vec!["--service-account".to_string(), account(&private)],
            "never the private one",
        ),
        (
            vec!["--service-account".to_string(), account(&empty_key)],
            "is not a PEM RSA public key",
        ),
        (
            vec![
                "--user".to_string(),
                "ci:pw".into(),
                "--service-account".to_string(),
                account(&good),
            ],
            "given more than once",
        ),
        (
            vec!["--token-ttl".to_string(), "500ms".into()],
            "at least 1s",
        ),
    ] {
        let mut all = vec!["sim", "--port", "0", "--dcos"];
        all.extend(args.iter().map(String::as_str));
        let out = podctl.run(&all);
        assert_ne!(out.code, 0, "{args:?}: {out:?}");
        assert!(out.stderr.contains(expected), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
    }
    // A good key file is accepted, and on the system clock a login token that expires in five
    // minutes (as the DC/OS CLI makes them) logs in.
    let sim = Sim::with_args(&["--dcos", "--service-account", &account(&good)]);
    let (private, _) = service_account_key();
    let token = login_token(&private, "ci", unix_now() + 300);
    let (status, body) = login(&sim, &json!({"uid": "ci", "token": token}));
    assert_eq!(status, 200, "{body}");
    let expired = login_token(&private, "ci", unix_now() - 1);
    assert_login_refused(login(&sim, &json!({"uid": "ci", "token": expired})));
}

#[test]
fn the_event_stream_is_behind_dcos_too_under_the_prefix_and_at_the_root() {
    let (sim, _dir) = dcos_sim(&[]);
    let token = admin_token(&sim);
    let authorization = format!("token={token}");
    let stream = [
        ("Authorization", authorization.as_str()),
        ("Accept", "text/event-stream"),
    ];
    for path in ["/service/marathon/v2/events", "/v2/events"] {
        // HEAD: the headers of the stream, without a body that never ends.
        let (status, headers, _) = sim.send("HEAD", path, &stream, None);
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            headers["Content-Type"], "text/event-stream;charset=UTF-8",
            "{path}"
        );
        let refused = sim.send("HEAD", path, &[("Accept", "text/event-stream")], None);
        assert_eq!(refused.0, 401, "{path} without a token");
        let unknown = [
            ("Authorization", "token=forged"),
            ("Accept", "text/event-stream"),
        ];
        assert_eq!(sim.send("HEAD", path, &unknown, None).0, 401, "{path}");
    }
}
