//! What `--help` shows, and usage errors of the simulator's own options.

use crate::support::Podctl;

/// The client options every Marathon command takes.
const CLIENT_OPTIONS: [&str; 10] = [
    "--url",
    "--cluster",
    "--token",
    "--json",
    "--quiet",
    "--no-color",
    "--verbose",
    "--request-timeout",
    "--ca-cert",
    "--insecure",
];

/// Whether `text` names the option itself (`--quiet`, not `--quiet-log`).
fn mentions(text: &str, option: &str) -> bool {
    text.match_indices(option).any(|(i, _)| {
        !text[i + option.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[test]
fn sim_help_shows_only_the_simulators_options() {
    let podctl = Podctl::new();
    let help = podctl.run(&["sim", "--help"]);
    let text = help.ok();
    for option in CLIENT_OPTIONS {
        assert!(!mentions(text, option), "{option} in `sim --help`:\n{text}");
    }
    assert!(
        text.contains("--require-token") && text.contains("--fault"),
        "{text}"
    );
    for args in [
        &["sim", "--url", "http://127.0.0.1:1"][..],
        &["--json", "sim"],
        &["sim", "--token", "t"],
        &["-q", "sim"],
    ] {
        let err = podctl.run(args).fails(2).to_string();
        assert!(err.contains("podctl sim"), "{args:?}: {err}");
    }
}

#[test]
fn global_options_have_their_own_heading() {
    let podctl = Podctl::new();
    for args in [
        &["--help"][..],
        &["pod", "add", "--help"],
        &["cluster", "list", "--help"],
    ] {
        let help = podctl.run(args);
        let text = help.ok();
        let (own, global) = text
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{args:?}: no Global options heading:\n{text}"));
        for option in CLIENT_OPTIONS {
            assert!(
                mentions(global, option),
                "{args:?}: {option} not global:\n{text}"
            );
            assert!(
                !mentions(own, option),
                "{args:?}: {option} mixed in:\n{text}"
            );
        }
    }
    let add = podctl.run(&["pod", "add", "--help"]);
    let (own, _) = add.ok().split_once("Global options:").unwrap();
    assert!(
        own.contains("--wait") && own.contains("--no-validate"),
        "{own}"
    );
}

#[test]
fn a_bad_fault_spec_is_a_usage_error() {
    let podctl = Podctl::new();
    for spec in ["bogus", "GET /v2/pods=teapot", "GET nopath=503"] {
        let out = podctl.run(&["sim", "--port", "0", "--fault", spec]);
        let err = out.fails(2);
        assert!(err.contains("--fault") && err.contains(spec), "{out:#?}");
    }
}
