//! `config show`: the settings in effect and where each came from. A token is never shown,
//! only that there is one.

use std::io::{self, Write};

use serde_json::json;

use super::{write_json, Mode};
use crate::config::{Settings, REDACTED};

/// Writes the settings as JSON or as aligned `name: value (from origin)` lines. `exists` says
/// whether the config file exists yet.
pub fn write_settings(
    out: &mut dyn Write,
    s: &Settings,
    exists: bool,
    mode: Mode,
) -> io::Result<()> {
    match mode {
        Mode::Json => write_json(out, &settings_json(s, exists)),
        Mode::Human | Mode::Quiet => out.write_all(settings_text(s, exists).as_bytes()),
    }
}

fn settings_json(s: &Settings, exists: bool) -> serde_json::Value {
    json!({
        "configPath": s.config_path,
        "configExists": exists,
        "cluster": s.cluster,
        "url": s.url,
        "urlFrom": s.url_origin.to_string(),
        "token": s.token.as_ref().map(|_| REDACTED),
        "tokenFrom": s.token_origin.as_ref().map(ToString::to_string),
        "basicAuthUser": s.basic.as_ref().map(|b| b.username.clone()),
        "renewal": s.renewal.as_ref().map(|r| json!({
            "uid": r.login.uid,
            "privateKey": r.login.private_key,
            "password": r.login.password.as_ref().map(|_| REDACTED),
            "loginUrl": r.login_url,
        })),
        "requestTimeoutSeconds": s.timeout.as_secs_f64(),
        "maxResponseBytes": s.max_response,
        "caCert": s.tls.ca_cert,
        "insecure": s.tls.insecure,
    })
}

fn settings_text(s: &Settings, exists: bool) -> String {
    let mut lines = Vec::new();
    let file_state = if exists { "" } else { " (not created yet)" };
    lines.push(format!(
        "config file:  {}{file_state}",
        s.config_path.display()
    ));
    lines.push(format!(
        "cluster:      {}",
        s.cluster.as_deref().unwrap_or("-")
    ));
    lines.push(format!("url:          {} (from {})", s.url, s.url_origin));
    match (&s.token, &s.token_origin) {
        (Some(_), Some(origin)) => lines.push(format!("token:        {REDACTED} (from {origin})")),
        _ => lines.push("token:        none".to_string()),
    }
    if let Some(b) = &s.basic {
        lines.push(format!("basic auth:   {} / {REDACTED}", b.username));
    }
    if let Some(r) = &s.renewal {
        let with = match (&r.login.private_key, &r.login.password) {
            (Some(key), _) => format!("the private key {}", key.display()),
            (None, Some(_)) => format!("a remembered password ({REDACTED})"),
            (None, None) => "nothing kept: log in again by hand".to_string(),
        };
        lines.push(format!(
            "renewal:      as {:?} with {with}, at {}",
            r.login.uid, r.login_url
        ));
    }
    lines.push(format!(
        "timeout:      {} per request",
        humantime::format_duration(s.timeout)
    ));
    lines.push(format!(
        "max response: {} (from {})",
        crate::size::show(s.max_response),
        s.max_response_origin
    ));
    let tls = match (&s.tls.ca_cert, s.tls.insecure) {
        (_, true) => "NOT verified (--insecure)".to_string(),
        (Some(ca), false) => format!("verified, also trusting {}", ca.display()),
        (None, false) => "verified against the system's CAs".to_string(),
    };
    lines.push(format!("tls:          {tls}"));
    // Names, paths and URLs come from files podctl may not have written (the DC/OS CLI's).
    let lines: Vec<_> = lines
        .iter()
        .map(|l| crate::pod::text::printable(l))
        .collect();
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Basic, Origin, Tls, DEFAULT_MAX_RESPONSE, DEFAULT_TIMEOUT};

    fn settings() -> Settings {
        Settings {
            url: "https://prod.example.com".into(),
            url_origin: Origin::Cluster("prod".into()),
            token: Some("secret-token".into()),
            token_origin: Some(Origin::Env("PODCTL_TOKEN")),
            basic: Some(Basic {
                username: "ops".into(),
                password: "hunter2".into(),
            }),
            timeout: DEFAULT_TIMEOUT,
            max_response: DEFAULT_MAX_RESPONSE,
            max_response_origin: Origin::Default,
            tls: Tls::default(),
            ca_cert_origin: None,
            cluster: Some("prod".into()),
            renewal: Some(crate::config::Renewal {
                cluster: "prod".into(),
                login_url: "https://prod.example.com/acs/api/v1/auth/login".into(),
                login: crate::config::Login {
                    uid: "ci".into(),
                    private_key: None,
                    password: Some("remembered-pw".into()),
                },
            }),
            ignored_cluster: None,
            config_path: "/home/u/.config/podctl/config.toml".into(),
        }
    }

    #[test]
    fn secrets_are_never_shown() {
        for mode in [Mode::Human, Mode::Json] {
            let mut out = Vec::new();
            write_settings(&mut out, &settings(), false, mode).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.contains("secret-token")
                    && !text.contains("hunter2")
                    && !text.contains("remembered-pw"),
                "{text}"
            );
            assert!(text.contains(REDACTED), "{text}");
        }
    }

    #[test]
    fn lines_say_where_values_came_from() {
        let text = settings_text(&settings(), false);
        assert!(text
            .starts_with("config file:  /home/u/.config/podctl/config.toml (not created yet)\n"));
        assert!(
            text.contains("token:        ******** (from env PODCTL_TOKEN)\n"),
            "{text}"
        );
        assert!(
            text.ends_with("tls:          verified against the system's CAs\n"),
            "{text}"
        );
    }

    /// A DC/OS CLI cluster's `cluster.name` (text from a file podctl did not write) reached
    /// the terminal raw on the `cluster:` line.
    #[test]
    fn names_from_files_are_escaped() {
        let mut s = settings();
        s.cluster = Some("dcos:x\u{1b}[31my\u{202e}".into());
        let text = settings_text(&s, true);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
        assert!(text.contains("cluster:      dcos:x\\u{1b}[31my"), "{text}");
    }
}
