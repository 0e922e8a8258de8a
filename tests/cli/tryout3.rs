//! Found by trying `podctl events` and the waits that follow the event stream as a careless
//! user would.

use crate::support::Sim;

/// A mistyped `--type` is a type Marathon never sends: without a word, `podctl events` would
/// stay silent until Ctrl-C.
#[test]
fn events_warns_of_a_type_marathon_never_sends() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let since = sim.request_count();
    let running = podctl.spawn(&[
        "events",
        "--type",
        "deployment_sucess",
        "--type",
        "pod_created_event",
    ]);
    crate::support::eventually("the subscription", || {
        sim.requests()
            .get(since..)
            .unwrap_or_default()
            .iter()
            .any(|r| r.starts_with("GET /v2/events"))
    });
    running.interrupt();
    let out = running.finish();
    let stderr = out.fails(130);
    assert!(
        stderr.contains("warning: Marathon sends no event of type deployment_sucess"),
        "{stderr}"
    );
    assert!(!stderr.contains("pod_created_event"), "{stderr}");
}

/// A `--type` that is refused is shown escaped, like a refused pod id: the terminal never gets
/// its control characters.
#[test]
fn a_refused_event_type_is_shown_escaped() {
    let out = crate::support::Podctl::new().run(&["events", "--type", "x\u{1b}[31mred"]);
    let stderr = out.fails(2);
    assert!(
        stderr.contains("invalid value 'x\\u{1b}[31mred'"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}
