//! Stored credentials follow the URL they were stored with, in every combination of flags,
//! environment and config file: loopback servers record the `Authorization` header they get.

use crate::loopback::Server;
use crate::support::Podctl;

/// A server that answers every request with `200 []`; [`taken`] gives the `Authorization`
/// headers it got since last asked (`-` for none).
fn recorder() -> Server {
    Server::always(200, "[]")
}

/// The `Authorization` header of each request `server` got since last asked (`-` for none).
fn taken(server: &Server) -> Vec<String> {
    server
        .take()
        .iter()
        .map(|r| r.header("authorization").unwrap_or("-").to_string())
        .collect()
}

/// Flags, environment, the server that must be asked, the `Authorization` it must get.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a Server, &'a str);

#[test]
fn stored_credentials_go_only_to_their_clusters_url() {
    let sec = recorder();
    let plain = recorder();
    let other = recorder();
    let basic = format!("Basic {}", "YWRtaW46cHc="); // admin:pw
    let mut podctl = Podctl::new();
    podctl.write_config(&format!(
        "current = \"sec\"\n\
             [clusters.sec]\nurl = \"{}\"\ntoken = \"sec-token\"\n\
             [clusters.plain]\nurl = \"{}\"\nusername = \"admin\"\npassword = \"pw\"\n",
        sec.url, plain.url
    ));
    let (s, p, o) = (sec.url.as_str(), plain.url.as_str(), other.url.as_str());
    let o_with_user = o.replace("http://", "http://u:p@");
    let slash = format!("{s}/");
    let dcos_url = format!("{o}/dcos"); // Marathon is then at .../dcos/service/marathon

    let table: Vec<Case> = vec![
        (vec![], vec![], &sec, "token=sec-token"),
        (vec!["--cluster", "sec"], vec![], &sec, "token=sec-token"),
        (vec!["--cluster", "sec", "--url", o], vec![], &other, "-"),
        (vec!["--cluster", "plain", "--url", o], vec![], &other, "-"),
        (vec!["--url", o], vec![], &other, "-"),
        // Another cluster's URL, while that cluster is not the one in use.
        (vec!["--url", p], vec![], &plain, "-"),
        (vec![], vec![("PODCTL_URL", o)], &other, "-"),
        (vec![], vec![("DCOS_MARATHON_URL", o)], &other, "-"),
        (vec![], vec![("DCOS_URL", &dcos_url)], &other, "-"),
        (
            vec!["--url", o],
            vec![("PODCTL_CLUSTER", "sec")],
            &other,
            "-",
        ),
        (
            vec![],
            vec![("PODCTL_CLUSTER", "sec"), ("PODCTL_URL", o)],
            &other,
            "-",
        ),
        (vec![], vec![("PODCTL_CLUSTER", "plain")], &plain, &basic),
        (
            vec!["--cluster", "plain"],
            vec![("PODCTL_URL", o)],
            &plain,
            &basic,
        ),
        (
            vec!["--cluster", "sec"],
            vec![("PODCTL_URL", o)],
            &sec,
            "token=sec-token",
        ),
        // The URL in effect is the stored one: its credentials apply, however it was given.
        (
            vec!["--cluster", "sec", "--url", s],
            vec![],
            &sec,
            "token=sec-token",
        ),
        (
            vec!["--cluster", "sec", "--url", &slash],
            vec![],
            &sec,
            "token=sec-token",
        ),
        (vec![], vec![("PODCTL_URL", s)], &sec, "token=sec-token"),
        // Credentials given with the URL, or as a flag or variable, go where they are given.
        (
            vec!["--cluster", "sec", "--url", &o_with_user],
            vec![],
            &other,
            "Basic dTpw",
        ),
        (
            vec!["--cluster", "sec", "--url", o, "--token", "T"],
            vec![],
            &other,
            "token=T",
        ),
        (
            vec!["--url", o],
            vec![("PODCTL_TOKEN", "E")],
            &other,
            "token=E",
        ),
        (vec![], vec![("PODCTL_TOKEN", "E")], &sec, "token=E"),
        (
            vec!["--cluster", "sec"],
            vec![("PODCTL_TOKEN", "E")],
            &sec,
            "token=sec-token",
        ),
        (
            vec![],
            vec![("DCOS_URL", &dcos_url), ("DCOS_ACS_TOKEN", "D")],
            &other,
            "token=D",
        ),
    ];
    let all = [&sec, &plain, &other];
    for (flags, env, server, auth) in &table {
        for (k, v) in env {
            podctl = podctl.env(k, v);
        }
        let mut args = flags.clone();
        args.extend(["pod", "list", "-q"]);
        let out = podctl.run(&args);
        let case = format!("{flags:?} {env:?}");
        out.ok();
        // Naming a cluster whose credentials are then not sent is worth a warning.
        let named = flags.contains(&"--cluster") || env.iter().any(|(k, _)| *k == "PODCTL_CLUSTER");
        let ignored = named && std::ptr::eq(*server, &other);
        assert_eq!(
            out.stderr.contains("is not used"),
            ignored,
            "{case}: {out:#?}"
        );
        for r in all {
            let seen = taken(r);
            if std::ptr::eq(r, *server) {
                assert!(!seen.is_empty(), "{case}: {} was not asked", r.url);
                assert!(
                    seen.iter().all(|a| a == auth),
                    "{case}: {} got {seen:?}, not {auth}",
                    r.url
                );
            } else {
                assert!(seen.is_empty(), "{case}: {} was asked too: {seen:?}", r.url);
            }
        }
        for (k, _) in env {
            podctl = podctl.env(k, "");
        }
    }
}

#[test]
fn proxies_come_from_the_environment() {
    let proxy = recorder();
    let podctl = Podctl::new()
        .env("HTTP_PROXY", &proxy.url)
        .env("PODCTL_URL", "http://marathon.invalid:8080");
    podctl.run(&["pod", "list", "-q"]).ok();
    let lines = proxy.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET http://marathon.invalid:8080/v2/pods")),
        "{lines:?}"
    );
    taken(&proxy);
    // NO_PROXY sends matching hosts direct: here to a closed port, so the proxy sees nothing.
    let direct = podctl
        .env("PODCTL_URL", "http://127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1");
    direct.run(&["pod", "list"]).fails(6);
    assert!(taken(&proxy).is_empty());
}
