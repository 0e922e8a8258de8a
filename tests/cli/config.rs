//! Choosing the cluster: config file, environment and flags, and the `cluster`/`config` commands.

use crate::support::{Out, Podctl, Running, Sim};

#[test]
fn clusters_are_added_listed_used_and_removed() {
    let podctl = Podctl::new();
    assert_eq!(
        podctl
            .run(&["cluster", "add", "local", "--url", "http://127.0.0.1:8080/"])
            .ok(),
        "Added cluster local (current)\n"
    );
    podctl
        .run(&[
            "cluster",
            "add",
            "prod",
            "--url",
            "https://dcos.example.com/service/marathon",
            "--token",
            "abcdefghijkl",
        ])
        .ok();
    let list = podctl.run(&["cluster", "list"]);
    let text = list.ok();
    let local = text.lines().find(|l| l.contains("local")).expect(text);
    assert!(local.trim_start().starts_with('*'), "{text}");
    assert!(local.contains("http://127.0.0.1:8080"), "{text}");
    let prod = text.lines().find(|l| l.contains("prod")).expect(text);
    assert!(
        !prod.trim_start().starts_with('*') && prod.contains("yes"),
        "{text}"
    );
    assert!(!text.contains("abcdefghijkl"), "tokens are never listed");

    assert_eq!(
        podctl.run(&["cluster", "use", "prod"]).ok(),
        "Now using cluster prod\n"
    );
    let json = podctl.run(&["cluster", "list", "--json"]).json();
    assert_eq!(json[1]["name"], "prod");
    assert_eq!(json[1]["current"], true);
    assert_eq!(podctl.run(&["cluster", "list", "-q"]).ok(), "local\nprod\n");

    podctl.run(&["cluster", "use", "nope"]).fails(2);
    podctl.run(&["cluster", "remove", "prod"]).ok();
    assert_eq!(podctl.run(&["cluster", "list", "-q"]).ok(), "local\n");
    podctl.run(&["cluster", "remove", "prod"]).fails(2);
    podctl.run(&["cluster", "add", "x"]).fails(2);
    podctl
        .run(&["cluster", "add", "bad name", "--url", "http://x"])
        .fails(2);
    podctl
        .run(&["cluster", "add", "y", "--url", "localhost:8080"])
        .fails(2);
}

#[cfg(unix)]
#[test]
fn the_config_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let podctl = Podctl::new();
    podctl
        .run(&[
            "cluster",
            "add",
            "prod",
            "--url",
            "https://x.example.com",
            "--token",
            "t",
        ])
        .ok();
    let path = podctl.config_path();
    assert_eq!(
        podctl.run(&["config", "path"]).ok().trim(),
        path.display().to_string()
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("current = \"prod\""), "{text}");
}

#[test]
fn podctl_config_points_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.toml");
    let podctl = Podctl::new().env("PODCTL_CONFIG", file.to_str().unwrap());
    podctl
        .run(&["cluster", "add", "a", "--url", "http://127.0.0.1:1"])
        .ok();
    assert!(file.exists());
    assert_eq!(
        podctl.run(&["config", "path"]).ok().trim(),
        file.display().to_string()
    );
}

#[test]
fn precedence_is_flag_then_env_then_file_then_default() {
    let podctl = Podctl::new();
    let show = |p: &Podctl, extra: &[&str]| {
        let mut args = vec!["config", "show", "--json"];
        args.extend_from_slice(extra);
        p.run(&args).json()
    };
    let v = show(&podctl, &[]);
    assert_eq!(v["url"], "http://127.0.0.1:8080");
    assert_eq!(v["urlFrom"], "default");
    assert_eq!(v["token"], serde_json::Value::Null);

    podctl
        .run(&[
            "cluster",
            "add",
            "file",
            "--url",
            "http://file.example:1",
            "--token",
            "file-token-123",
        ])
        .ok();
    let v = show(&podctl, &[]);
    assert_eq!(v["url"], "http://file.example:1");
    assert_eq!(v["cluster"], "file");
    assert!(v["tokenFrom"].as_str().unwrap().contains("cluster"), "{v}");
    assert!(
        !v.to_string().contains("file-token-123"),
        "token is redacted: {v}"
    );

    let podctl = podctl.env("PODCTL_URL", "http://env.example:2");
    let v = show(&podctl, &[]);
    assert_eq!(v["url"], "http://env.example:2");
    assert_eq!(v["urlFrom"], "env PODCTL_URL");
    assert_eq!(
        v["token"],
        serde_json::Value::Null,
        "a cluster's token stays with its URL"
    );

    let v = show(&podctl, &["--url", "http://flag.example:3"]);
    assert_eq!(v["url"], "http://flag.example:3");
    assert_eq!(v["urlFrom"], "flag --url");
    let v = show(&podctl, &["--cluster", "file"]);
    assert_eq!(v["url"], "http://file.example:1");

    let text = podctl.run(&["config", "show"]);
    assert!(
        text.ok()
            .contains("url:          http://env.example:2 (from env PODCTL_URL)"),
        "{text:#?}"
    );
}

#[test]
fn dcos_variables_are_honoured() {
    let podctl = Podctl::new()
        .env("DCOS_URL", "https://dcos.example.com/")
        .env("DCOS_ACS_TOKEN", "acs-token-0123456789");
    let v = podctl.run(&["config", "show", "--json"]).json();
    assert_eq!(v["url"], "https://dcos.example.com/service/marathon");
    assert_eq!(v["tokenFrom"], "env DCOS_ACS_TOKEN");
    let v = podctl
        .env("DCOS_MARATHON_URL", "http://marathon.example:8080")
        .run(&["config", "show", "--json"])
        .json();
    assert_eq!(v["url"], "http://marathon.example:8080");
}

#[test]
fn the_current_cluster_is_used_for_requests() {
    let sim = Sim::start();
    let podctl = Podctl::new();
    podctl
        .run(&["cluster", "add", "sim", "--url", &sim.url])
        .ok();
    podctl.run(&["pod", "add", "examples/web.json"]).ok();
    assert_eq!(podctl.run(&["pod", "list", "-q"]).ok(), "/web\n");
    let other = Podctl::new().env("PODCTL_CLUSTER", "missing");
    let err = other.run(&["pod", "list"]).fails(2).to_string();
    assert!(
        err.contains("PODCTL_CLUSTER") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn a_broken_config_file_is_named() {
    let podctl = Podctl::new();
    let path = podctl.write_config("clusters = 3\n");
    let err = podctl.run(&["pod", "list"]).fails(1).to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
}

/// Runs podctl through `sh -c SCRIPT` (for umask and ulimit), with podctl's path in `$PODCTL`.
#[cfg(unix)]
fn run_in_shell(podctl: &Podctl, script: &str) -> Out {
    let mut cmd = podctl.command("sh");
    cmd.args(["-c", script]).env("PODCTL", crate::support::BIN);
    Running::start(cmd, None).finish()
}

#[test]
fn huge_durations_are_refused_with_the_setting_named() {
    let sim = Sim::start();
    let podctl = sim.podctl();
    let huge = "18446744073709551615s";
    let err = podctl
        .run(&["pod", "list", "--request-timeout", huge])
        .fails(2)
        .to_string();
    assert!(
        err.contains("--request-timeout") && err.contains("30days"),
        "{err}"
    );
    let err = podctl
        .run(&[
            "pod",
            "add",
            "examples/web.json",
            "--wait",
            "--timeout",
            huge,
        ])
        .fails(2)
        .to_string();
    assert!(err.contains("--timeout"), "{err}");
    let err = podctl
        .run(&[
            "pod",
            "add",
            "examples/web.json",
            "--wait",
            "--interval",
            "999999999999h",
        ])
        .fails(2)
        .to_string();
    assert!(err.contains("--interval"), "{err}");
    let err = podctl
        .run(&["deployment", "watch", "x", "--timeout", huge])
        .fails(2)
        .to_string();
    assert!(err.contains("--timeout"), "{err}");
    let err = podctl
        .run(&["pod", "list", "--request-timeout", "0s"])
        .fails(2)
        .to_string();
    assert!(err.contains("more than zero"), "{err}");
    assert!(
        sim.requests().iter().all(|r| !r.contains("POST")),
        "nothing was sent: {:?}",
        sim.requests()
    );
    let err = podctl
        .run(&[
            "cluster",
            "add",
            "x",
            "--url",
            &sim.url,
            "--request-timeout",
            huge,
        ])
        .fails(2)
        .to_string();
    assert!(err.contains("--request-timeout"), "{err}");

    // A saved setting, written by hand.
    let path = podctl.write_config(&format!(
        "current = \"big\"\n[clusters.big]\nurl = \"{}\"\nrequest_timeout = \"{huge}\"\n",
        sim.url
    ));
    let configured = Podctl::new().env("PODCTL_CONFIG", path.to_str().unwrap());
    let err = configured.run(&["pod", "list"]).fails(2).to_string();
    assert!(
        err.contains("clusters.big.request_timeout") && err.contains("30days"),
        "{err}"
    );
    // The file can still be repaired with podctl itself.
    configured.run(&["cluster", "remove", "big"]).ok();
}

#[test]
fn urls_with_passwords_are_never_echoed() {
    let bad = "http://admin:hunter2@[::1";
    let podctl = Podctl::new();
    let out = podctl.run(&["pod", "list", "--url", bad]);
    assert!(!out.fails(2).contains("hunter2"), "{out:#?}");
    assert!(out.stderr.contains("--url"), "{out:#?}");
    let out = podctl.run(&["cluster", "add", "x", "--url", bad]);
    assert!(!out.fails(2).contains("hunter2"), "{out:#?}");
    for var in ["PODCTL_URL", "DCOS_URL", "DCOS_MARATHON_URL"] {
        let out = Podctl::new().env(var, bad).run(&["pod", "list"]);
        assert!(!out.fails(2).contains("hunter2"), "{var}: {out:#?}");
        assert!(out.stderr.contains(var), "{out:#?}");
    }
    let path = podctl.write_config(&format!("current = \"a\"\n[clusters.a]\nurl = \"{bad}\"\n"));
    let out = podctl.run(&["pod", "list"]);
    assert!(!out.fails(2).contains("hunter2"), "{out:#?}");
    assert!(out.stderr.contains("cluster \"a\""), "{out:#?}");
    // A valid URL with a password, written by hand, is not listed with it either.
    std::fs::write(
        &path,
        "current = \"a\"\n[clusters.a]\nurl = \"http://admin:hunter2@127.0.0.1:1\"\n",
    )
    .unwrap();
    for args in [&["cluster", "list"][..], &["cluster", "list", "--json"]] {
        let out = podctl.run(args);
        assert!(!out.ok().contains("hunter2"), "{out:#?}");
        assert!(out.stdout.contains("127.0.0.1:1"), "{out:#?}");
    }
}

#[test]
fn config_show_shows_no_character_of_a_token() {
    let podctl = Podctl::new().env("PODCTL_TOKEN", "SECRETTOKEN0123456789");
    let text = podctl.run(&["config", "show"]);
    let line = text.ok().lines().find(|l| l.starts_with("token:")).unwrap();
    assert!(!line.contains("SECR") && !line.contains("789"), "{line}");
    assert!(line.contains("PODCTL_TOKEN"), "{line}");
    let json = podctl.run(&["config", "show", "--json"]);
    assert!(!json.ok().contains("SECR"), "{json:#?}");
    assert_eq!(json.json()["tokenFrom"], "env PODCTL_TOKEN");
}

#[cfg(unix)]
#[test]
fn a_failed_config_write_leaves_no_copy_of_the_token() {
    let podctl = Podctl::new();
    // No file may grow past 0 bytes, so writing the temporary file fails half way.
    let out = run_in_shell(
        &podctl,
        "trap '' XFSZ; ulimit -f 0; exec \"$PODCTL\" cluster add a --url http://127.0.0.1:1 --token SECRET-TOKEN",
    );
    assert!(out.fails(1).contains("writing config"), "{out:#?}");
    let dir = podctl.config_path().parent().unwrap().to_path_buf();
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.is_empty(),
        "left behind in {}: {left:?}",
        dir.display()
    );
}

#[cfg(unix)]
#[test]
fn the_config_directory_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let podctl = Podctl::new();
    run_in_shell(
        &podctl,
        "umask 000; exec \"$PODCTL\" cluster add a --url http://127.0.0.1:1 --token t",
    )
    .ok();
    let path = podctl.config_path();
    let dir = path.parent().unwrap();
    let mode = std::fs::metadata(dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[cfg(unix)]
#[test]
fn a_config_that_is_not_a_small_regular_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (path, why) in [
        (fifo.to_str().unwrap(), "not a regular file"),
        ("/dev/zero", "not a regular file"),
        (dir.path().to_str().unwrap(), "not a regular file"),
    ] {
        let podctl = Podctl::new().env("PODCTL_CONFIG", path);
        let out = podctl.run(&["pod", "list"]);
        let err = out.fails(1);
        assert!(err.contains(path) && err.contains(why), "{out:#?}");
    }
    let big = dir.path().join("big.toml");
    let mut text = String::from("current = \"a\"\n");
    while text.len() <= 1024 * 1024 {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&big, text).unwrap();
    let podctl = Podctl::new().env("PODCTL_CONFIG", big.to_str().unwrap());
    let out = podctl.run(&["pod", "list"]);
    assert!(out.fails(1).contains("1 MiB"), "{out:#?}");
}

#[test]
fn unknown_keys_in_the_config_are_a_warning() {
    let sim = Sim::start();
    let podctl = Podctl::new();
    let path = podctl.write_config(&format!(
        "current = \"a\"\ncolour = true\n[clusters.a]\nurl = \"{}\"\nnamespace = \"x\"\n",
        sim.url
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = podctl.run(&["pod", "list", "-q"]);
    out.ok();
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    assert_eq!(warnings.len(), 2, "{out:#?}");
    for key in ["colour", "clusters.a.namespace"] {
        assert!(
            warnings.iter().any(|w| w.starts_with("warning: ")
                && w.contains(key)
                && w.contains(&path.display().to_string())),
            "{key}: {out:#?}"
        );
    }
    assert!(!sim.requests().is_empty(), "the command ran");
}

#[test]
fn an_empty_token_is_refused() {
    let podctl = Podctl::new();
    for args in [
        &[
            "cluster",
            "add",
            "prod",
            "--url",
            "http://127.0.0.1:1",
            "--token",
            "",
        ][..],
        &["pod", "list", "--token", ""],
        &["pod", "list", "--token", "  "],
    ] {
        let out = podctl.run(args);
        let err = out.fails(2);
        let first = err.lines().next().unwrap();
        assert!(
            first.contains("--token") && first.contains("empty"),
            "{out:#?}"
        );
    }
    assert!(!podctl.config_path().exists(), "nothing was stored");
}
