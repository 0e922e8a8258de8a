//! Tab completion of values: pod, instance and deployment ids from the configured cluster, and
//! cluster names from the config file.
//!
//! Each lookup gets one second in all (connecting included) and one try, and any failure
//! completes nothing: Tab must never hang or print into the prompt. Nothing here writes to
//! stdout or stderr.

use std::ffi::OsStr;
use std::time::Duration;

use clap_complete::engine::{CompletionCandidate, PathCompleter, ValueCompleter};

use crate::config::{self, ConfigFile, Flags};
use crate::http::{Options, Retry};
use crate::marathon::Client;
use crate::pod::PodId;

/// How long one completion may wait for Marathon, from connecting to the last byte.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(1);

/// Pod ids, written the way the user started typing them (with or without the leading `/`).
pub fn pod_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(client) = client() else {
        return Vec::new();
    };
    let Ok(pods) = client.pods() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    let slash = current.starts_with('/');
    let mut ids: Vec<String> = pods
        .into_iter()
        .map(|p| {
            if slash {
                p.id
            } else {
                p.id.trim_start_matches('/').to_string()
            }
        })
        .filter(|id| id.starts_with(current.as_ref()))
        .collect();
    ids.sort();
    ids.into_iter().map(CompletionCandidate::new).collect()
}

/// Instance ids of the pod named earlier on the line (`podctl pod kill ID <Tab>`).
pub fn instance_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let words: Vec<String> = std::env::args().collect();
    let Some(pod) = words
        .iter()
        .position(|w| w == "kill")
        .and_then(|i| words[i + 1..].iter().find(|w| !w.starts_with('-')))
        .and_then(|w| PodId::parse(w).ok())
    else {
        return Vec::new();
    };
    let Some(client) = client() else {
        return Vec::new();
    };
    let Ok(status) = client.pod_status(&pod) else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    status
        .instances
        .into_iter()
        .filter(|i| i.id.starts_with(current.as_ref()))
        .map(|i| {
            let help = match &i.agent_hostname {
                Some(agent) => format!("{} on {agent}", i.status),
                None => i.status.clone(),
            };
            CompletionCandidate::new(i.id).help(Some(help.into()))
        })
        .collect()
}

/// Versions of the pod named earlier on the line (`podctl pod revert ID --to <Tab>`,
/// `pod versions ID --show <Tab>`), newest first, the current one marked in the help.
pub fn pod_versions(current: &OsStr) -> Vec<CompletionCandidate> {
    let words: Vec<String> = std::env::args().collect();
    let Some(pod) = pod_after(&words, &["revert", "versions"]) else {
        return Vec::new();
    };
    let Some(client) = client() else {
        return Vec::new();
    };
    let Ok(mut versions) = client.pod_versions(&pod) else {
        return Vec::new();
    };
    let deployed = client.pod(&pod).ok().and_then(|p| p.version);
    versions.reverse();
    let current = current.to_string_lossy();
    versions
        .into_iter()
        .filter(|v| v.starts_with(current.as_ref()))
        .map(|v| {
            let is_current = deployed
                .as_deref()
                .is_some_and(|d| crate::pod::time::same_instant(d, &v));
            let candidate = CompletionCandidate::new(v);
            if is_current {
                candidate.help(Some("current".into()))
            } else {
                candidate
            }
        })
        .collect()
}

/// The pod id after the first of `commands` on the line: the first word after it that is no
/// option and no option's value.
fn pod_after(words: &[String], commands: &[&str]) -> Option<PodId> {
    /// Options of those commands that take a separate value.
    const WITH_VALUE: [&str; 10] = [
        "--to",
        "--show",
        "--timeout",
        "--interval",
        "--url",
        "--cluster",
        "--token",
        "--request-timeout",
        "--max-response",
        "--ca-cert",
    ];
    let start = words.iter().position(|w| commands.contains(&w.as_str()))?;
    let mut rest = words[start + 1..].iter();
    while let Some(word) = rest.next() {
        if WITH_VALUE.contains(&word.as_str()) {
            rest.next();
        } else if !word.starts_with('-') {
            return PodId::parse(word).ok();
        }
    }
    None
}

/// Ids of running deployments, with the pods they affect as help.
pub fn deployment_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(client) = client() else {
        return Vec::new();
    };
    let Ok(deployments) = client.deployments() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    deployments
        .into_iter()
        .filter(|d| d.id.starts_with(current.as_ref()))
        .map(|d| {
            let help = d.affected();
            CompletionCandidate::new(d.id).help(Some(help.into()))
        })
        .collect()
}

/// For `pod diff`: file and directory paths (a definition), and pod ids when the word does not
/// look like a path. Paths come first and cost nothing; the ids need the cluster.
pub fn pod_ids_and_paths(current: &OsStr) -> Vec<CompletionCandidate> {
    let mut candidates = PathCompleter::any().complete(current);
    let typed = current.to_string_lossy();
    if !typed.starts_with('.') && !typed.starts_with('~') {
        candidates.extend(pod_ids(current));
    }
    candidates
}

/// Cluster names from the config file, with their URLs as help.
pub fn cluster_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let Ok(path) = config::config_path(&config::process_env) else {
        return Vec::new();
    };
    let Ok(file) = ConfigFile::load(&path) else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    let mut names: Vec<(String, String)> = file
        .clusters
        .into_iter()
        .map(|(name, c)| (name, c.url))
        .collect();
    // The DC/OS CLI's clusters too, as `--cluster dcos:NAME` takes them.
    let dcos = config::dcos::list(&config::process_env).unwrap_or_default();
    names.extend(dcos.iter().filter_map(|c| {
        let name = format!("{}{}", config::DCOS_PREFIX, c.label());
        Some((name, c.marathon()?))
    }));
    names
        .into_iter()
        .filter(|(name, _)| name.starts_with(current.as_ref()))
        .map(|(name, url)| {
            let url = config::without_userinfo(&url);
            CompletionCandidate::new(name).help(Some(url.into()))
        })
        .collect()
}

/// A client for the cluster the command line being completed would use, with a short timeout.
fn client() -> Option<Client> {
    let words: Vec<String> = std::env::args().collect();
    let flags = Flags {
        url: flag_value(&words, "--url"),
        cluster: flag_value(&words, "--cluster"),
        token: flag_value(&words, "--token"),
        ca_cert: flag_value(&words, "--ca-cert").map(Into::into),
        insecure: words.iter().any(|w| w == "--insecure"),
        ..Flags::default()
    };
    let mut settings = config::load(&flags, &config::process_env).ok()?.settings;
    // A key press never logs in: an expired token just completes nothing.
    settings.renewal = None;
    let mut options = Options::new(&settings.url, settings.tls.clone(), LOOKUP_TIMEOUT);
    options.retry = Retry::Never;
    Client::with_options(&settings, options).ok()
}

/// The value of `--flag VALUE` or `--flag=VALUE` among the words being completed.
fn flag_value(words: &[String], flag: &str) -> Option<String> {
    let prefix = format!("{flag}=");
    words.iter().enumerate().find_map(|(i, w)| {
        if w == flag {
            words.get(i + 1).cloned()
        } else {
            w.strip_prefix(&prefix).map(str::to_string)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pod_is_found_around_options_and_their_values() {
        let words = |line: &str| line.split(' ').map(str::to_string).collect::<Vec<_>>();
        let found = |line: &str| pod_after(&words(line), &["revert", "versions"]);
        let web = PodId::parse("/web").ok();
        assert_eq!(found("podctl -- podctl pod revert /web --to "), web);
        assert_eq!(
            found("podctl -- podctl pod revert --to 2026 -w web --to "),
            web
        );
        assert_eq!(found("podctl -- podctl pod versions --show x /web"), web);
        assert_eq!(found("podctl -- podctl pod revert --to "), None);
    }

    #[test]
    fn flags_are_found_in_both_forms() {
        let words: Vec<String> = [
            "podctl",
            "--url",
            "http://a",
            "--cluster=prod",
            "pod",
            "show",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(flag_value(&words, "--url").as_deref(), Some("http://a"));
        assert_eq!(flag_value(&words, "--cluster").as_deref(), Some("prod"));
        assert_eq!(flag_value(&words, "--token"), None);
    }
}
