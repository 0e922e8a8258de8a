//! Stored credentials follow the URL they were stored with, in every combination of flags,
//! environment and config file: loopback servers record the `Authorization` header they get.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::support::Podctl;

/// A server that answers every request with `200 []` and records its `Authorization` header
/// (`-` when there is none), and its request lines.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    lines: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (seen2, stop2, lines2) = (seen.clone(), stop.clone(), lines.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut auth = "-".to_string();
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                lines2.lock().unwrap().push(request.trim_end().to_string());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("authorization") {
                            auth = v.trim().to_string();
                        }
                    }
                }
                seen2.lock().unwrap().push(auth);
                let mut stream = stream;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                      Content-Length: 2\r\nConnection: close\r\n\r\n[]",
                );
            }
        });
        Recorder {
            url,
            seen,
            lines,
            stop,
        }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Flags, environment, the server that must be asked, the `Authorization` it must get.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a Recorder, &'a str);

#[test]
fn stored_credentials_go_only_to_their_clusters_url() {
    let sec = Recorder::start();
    let plain = Recorder::start();
    let other = Recorder::start();
    let basic = format!("Basic {}", "YWRtaW46cHc="); // admin:pw
    let mut podctl = Podctl::new();
    let path = podctl.config_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!(
            "current = \"sec\"\n\
             [clusters.sec]\nurl = \"{}\"\ntoken = \"sec-token\"\n\
             [clusters.plain]\nurl = \"{}\"\nusername = \"admin\"\npassword = \"pw\"\n",
            sec.url, plain.url
        ),
    )
    .unwrap();
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
            let seen = r.take();
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
    let proxy = Recorder::start();
    let podctl = Podctl::new()
        .env("HTTP_PROXY", &proxy.url)
        .env("PODCTL_URL", "http://marathon.invalid:8080");
    podctl.run(&["pod", "list", "-q"]).ok();
    let lines = proxy.lines.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET http://marathon.invalid:8080/v2/pods")),
        "{lines:?}"
    );
    proxy.take();
    // NO_PROXY sends matching hosts direct: here to a closed port, so the proxy sees nothing.
    let direct = podctl
        .env("PODCTL_URL", "http://127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1");
    direct.run(&["pod", "list"]).fails(6);
    assert!(proxy.take().is_empty());
}
