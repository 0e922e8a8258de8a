//! Issue 15: `pod list` decodes on a second thread and `--json` checks the body while it
//! arrives. What reaches stdout must not change: `--json` writes the bytes as they came, and
//! only a whole, valid array; a retried request starts the decoding over.

use std::io::Write;

use crate::loopback::Server;
use crate::support::Podctl;

/// One pod's status with `n` instances of two containers each.
fn pod(i: usize, n: usize) -> String {
    let instances: Vec<String> = (0..n)
        .map(|k| {
            format!(
                r#"{{"id":"p{i}.instance-{k}","status":"STABLE","containers":[
                {{"name":"app","status":"TASK_RUNNING"}},{{"name":"log","status":"TASK_STAGING"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"id":"/p/{i:05}","status":"STABLE","statusSince":"2024-01-01T00:00:00Z",
        "spec":{{"id":"/p/{i:05}","scaling":{{"instances":{n}}},"containers":[{{"name":"app"}},{{"name":"log"}}]}},
        "instances":[{}]}}"#,
        instances.join(",")
    )
}

fn array(count: usize) -> String {
    let pods: Vec<String> = (0..count).map(|i| pod(i, 2)).collect();
    format!("[{}]", pods.join(",\n"))
}

/// Answers every request with `body` in pieces of `piece` bytes, without a length.
fn serve(body: String, piece: usize) -> Server {
    let body = std::sync::Arc::new(body.into_bytes());
    Server::start(move |_, _, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        for p in body.chunks(piece) {
            if stream.write_all(p).is_err() || stream.flush().is_err() {
                return;
            }
        }
    })
}

#[test]
fn json_is_the_body_byte_for_byte_in_any_pieces() {
    let body = array(300);
    for piece in [5, 4096, 1 << 20] {
        let server = serve(body.clone(), piece);
        let out = Podctl::new()
            .env("PODCTL_URL", &server.url)
            .run(&["pod", "list", "--json"]);
        assert_eq!(out.ok(), format!("{body}\n"), "pieces of {piece}");
    }
}

#[test]
fn json_of_a_cut_or_broken_array_writes_nothing() {
    let body = array(50);
    let first = pod(1, 1);
    for broken in [
        body[..body.len() - 1].to_string(),
        body[..body.len() / 2].to_string(),
        format!("{body} x"),
        format!("[{first},,{first}]"),
        format!("[{first}, {{\"id\":\"/x\",\"status\":7}}]"),
        format!("{{\"pods\":[{first}]}}"),
    ] {
        let server = serve(broken.clone(), 1000);
        let out = Podctl::new()
            .env("PODCTL_URL", &server.url)
            .run(&["pod", "list", "--json"]);
        let err = out.fails(1);
        assert!(err.contains("listing pods"), "{err}");
        assert_eq!(out.stdout, "", "{}", &broken[..broken.len().min(80)]);
    }
}

/// The first answer breaks off half-way (a reset, which is retried); the second is whole.
/// What the first attempt fed the decoder must not show up twice.
#[test]
fn a_retried_list_is_decoded_from_the_start_again() {
    let body = std::sync::Arc::new(array(400).into_bytes());
    let server = {
        let body = body.clone();
        Server::start(move |_, n, stream| {
            let head = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let end = if n % 2 == 0 {
                body.len() / 2
            } else {
                body.len()
            };
            let _ = stream.write_all(&body[..end]);
            let _ = stream.flush();
        })
    };
    let ids: String = (0..400).map(|i| format!("/p/{i:05}\n")).collect();
    let out = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list", "-q"]);
    assert_eq!(out.ok(), ids);
    let out = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list", "--json"]);
    assert_eq!(out.ok().as_bytes(), [&body[..], b"\n"].concat());
    let out = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list"]);
    let table = out.ok();
    assert_eq!(table.matches("/p/00399").count(), 1, "{table}");
    assert!(table.contains("2 running"), "{table}");
}
