//! `pod list` decodes `::status` pod by pod as the bytes arrive: the array is still checked
//! whole, and the response limit still counts every byte.

use std::io::Write;

use crate::loopback::Server;
use crate::support::Podctl;

/// One pod's status as the table reads it.
fn pod(i: usize) -> String {
    format!(
        r#"{{"id":"/p/{i:05}","status":"STABLE","statusSince":"2024-01-01T00:00:00Z",
        "spec":{{"id":"/p/{i:05}","containers":[{{"name":"c, [\"x\"]","resources":{{}}}}]}},
        "instances":[]}}"#
    )
}

/// A server answering every request with `body`, written in small pieces and without a
/// `Content-Length`, so that elements are split across reads.
fn serve_in_pieces(body: String) -> Server {
    let body = std::sync::Arc::new(body.into_bytes());
    Server::start(move |_, _, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        for piece in body.chunks(7) {
            if stream.write_all(piece).is_err() || stream.flush().is_err() {
                return;
            }
        }
    })
}

#[test]
fn pods_split_across_reads_are_listed_whole_and_in_order() {
    let pods: Vec<String> = (0..200).rev().map(pod).collect();
    let server = serve_in_pieces(format!("[{}]", pods.join(",\n")));
    let out = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list", "-q"]);
    let expected: String = (0..200).map(|i| format!("/p/{i:05}\n")).collect();
    assert_eq!(out.ok(), expected);
    let table = Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list"]);
    assert!(table.ok().contains(r#"c, ["x"]"#), "{}", table.stdout);
}

#[test]
fn a_broken_array_is_an_error_and_nothing_is_listed() {
    let first = pod(1);
    for body in [
        format!("[{first},"),
        format!("[{first}"),
        format!("[{first}] trailing"),
        format!("[{first},,{first}]"),
        format!("{{\"pods\":[{first}]}}"),
        format!("[{first}, 42]"),
        format!("[{first}, {{\"id\":\"/x\",\"status\":7}}]"),
    ] {
        let server = serve_in_pieces(body.clone());
        for args in [&["pod", "list"][..], &["pod", "list", "-q"][..]] {
            let out = Podctl::new().env("PODCTL_URL", &server.url).run(args);
            let err = out.fails(1);
            assert!(err.contains("listing pods"), "{body}: {err}");
            assert_eq!(out.stdout, "", "{body}");
        }
    }
}

#[test]
fn the_response_limit_counts_a_streamed_list() {
    let pods: Vec<String> = (0..400).map(pod).collect();
    let body = format!("[{}]", pods.join(","));
    assert!(body.len() > 64 * 1024);
    let server = serve_in_pieces(body);
    let out = Podctl::new().env("PODCTL_URL", &server.url).run(&[
        "pod",
        "list",
        "--max-response",
        "64KiB",
    ]);
    let err = out.fails(6);
    assert!(err.contains("larger than 64 KiB"), "{err}");
    assert_eq!(out.stdout, "");
    Podctl::new()
        .env("PODCTL_URL", &server.url)
        .run(&["pod", "list", "--max-response", "1MiB"])
        .ok();
}
