//! Resolves flags > environment > config file > defaults into one [`Settings`] value, and reads
//! and writes the config file (TOML, mode 0600) that holds named clusters.
//!
//! Nothing here talks to the network or prints; `commands/cluster.rs` and `commands/config.rs`
//! present what this module decides.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Marathon's (and `podctl sim`'s) default address.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";
/// How long one HTTP request may take unless a flag or the cluster says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The config file: named clusters and which one is current.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterEntry {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// HTTP basic auth for plain Marathon (`--http_credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Request timeout as a duration string (`30s`, `2m`).
    #[serde(default, alias = "timeout", skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<String>,
    /// A PEM file of CA certificates to trust for this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// Skip TLS verification for this cluster (never the default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
}

/// Where a setting's value came from, for `podctl config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Cluster(String),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "env {var}"),
            Origin::Cluster(name) => write!(f, "cluster {name:?} in the config file"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// Everything a command needs to reach Marathon.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Marathon base URL without a trailing slash.
    pub url: String,
    pub url_origin: Origin,
    pub token: Option<String>,
    pub token_origin: Option<Origin>,
    /// HTTP basic auth (from the URL's `user:pass@` or the cluster); sent when there is no token.
    pub basic: Option<Basic>,
    pub timeout: Duration,
    pub tls: Tls,
    /// The named cluster in use, if any.
    pub cluster: Option<String>,
    pub config_path: PathBuf,
}

/// HTTP basic auth credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Basic {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print a password, not even in a debug dump.
        write!(f, "Basic({}, ********)", self.username)
    }
}

/// How TLS certificates are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls {
    /// Extra CA certificates (PEM) to trust besides the system's.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate. Only when asked for, and podctl warns.
    pub insecure: bool,
}

/// The command-line flags that take part in resolution.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub url: Option<String>,
    pub cluster: Option<String>,
    pub token: Option<String>,
    pub request_timeout: Option<Duration>,
    pub ca_cert: Option<PathBuf>,
    pub insecure: bool,
}

/// Reads environment variables; a trait object so tests can supply their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, treating empty values as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The config file's path: `PODCTL_CONFIG`, else `<config dir>/podctl/config.toml`.
pub fn config_path(env: Env) -> Result<PathBuf> {
    if let Some(path) = env("PODCTL_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    let dir = dirs::config_dir()
        .context("cannot find the user's config directory; set PODCTL_CONFIG to a file path")?;
    Ok(dir.join("podctl").join("config.toml"))
}

impl ConfigFile {
    /// Loads the file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => return Err(e).with_context(|| format!("reading config {}", path.display())),
        };
        let config: ConfigFile = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "reading config {}: {}",
                path.display(),
                e.message().trim_end()
            )
        })?;
        for (name, entry) in &config.clusters {
            if let Some(t) = &entry.request_timeout {
                crate::cli::parse_duration(t).map_err(|e| {
                    anyhow::anyhow!(
                        "reading config {}: clusters.{name}.request_timeout: {e}",
                        path.display()
                    )
                })?;
            }
        }
        Ok(config)
    }

    /// Writes the file atomically, readable by the owner only (it may hold tokens).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).context("encoding the config")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating config directory {}", dir.display()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        write_private(&tmp, text.as_bytes())
            .with_context(|| format!("writing config {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("writing config {}", path.display()))?;
        Ok(())
    }

    fn cluster(&self, name: &str, origin: &str) -> Result<&ClusterEntry> {
        match self.clusters.get(name) {
            Some(c) => Ok(c),
            None if self.clusters.is_empty() => bail!(
                "{origin}: no cluster named {name:?}: no clusters are configured \
                 (add one with `podctl cluster add {name} --url URL`)"
            ),
            None => bail!(
                "{origin}: no cluster named {name:?} (known: {})",
                self.clusters.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // The mode above only applies to new files.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Resolves the settings. Precedence, highest first:
/// URL: `--url`, `--cluster`'s url, `PODCTL_URL`, `DCOS_MARATHON_URL`, `DCOS_URL` +
/// `/service/marathon`, `PODCTL_CLUSTER`'s url, the current cluster's url, the default.
/// Token: `--token`, the `--cluster`'s token, `PODCTL_TOKEN`, `DCOS_ACS_TOKEN`, then the token of
/// the cluster the URL came from. A cluster's token is only sent to that cluster's URL.
pub fn resolve(
    flags: &Flags,
    env: Env,
    file: &ConfigFile,
    config_path: PathBuf,
) -> Result<Settings> {
    let flag_cluster = match &flags.cluster {
        Some(name) => Some((name.clone(), file.cluster(name, "--cluster")?)),
        None => None,
    };
    let env_cluster = match env("PODCTL_CLUSTER") {
        Some(name) => Some((name.clone(), file.cluster(&name, "PODCTL_CLUSTER")?)),
        None => None,
    };
    let current = match &file.current {
        Some(name) => Some((name.clone(), file.cluster(name, "config `current`")?)),
        None => None,
    };

    let (url, url_origin, url_cluster) = if let Some(url) = &flags.url {
        (url.clone(), Origin::Flag("--url"), None)
    } else if let Some((name, c)) = &flag_cluster {
        (
            c.url.clone(),
            Origin::Cluster(name.clone()),
            Some((name, *c)),
        )
    } else if let Some(url) = env("PODCTL_URL") {
        (url, Origin::Env("PODCTL_URL"), None)
    } else if let Some(url) = env("DCOS_MARATHON_URL") {
        (url, Origin::Env("DCOS_MARATHON_URL"), None)
    } else if let Some(url) = env("DCOS_URL") {
        let url = format!("{}/service/marathon", url.trim_end_matches('/'));
        (url, Origin::Env("DCOS_URL"), None)
    } else if let Some((name, c)) = env_cluster.as_ref().or(current.as_ref()) {
        (
            c.url.clone(),
            Origin::Cluster(name.clone()),
            Some((name, *c)),
        )
    } else {
        (DEFAULT_URL.to_string(), Origin::Default, None)
    };
    let (url, url_basic) = split_credentials(&check_url(&url, &url_origin)?);

    let (token, token_origin) = if let Some(t) = &flags.token {
        (Some(t.clone()), Some(Origin::Flag("--token")))
    } else if let Some((name, c)) = flag_cluster.as_ref().filter(|(_, c)| c.token.is_some()) {
        (c.token.clone(), Some(Origin::Cluster(name.clone())))
    } else if let Some(t) = env("PODCTL_TOKEN") {
        (Some(t), Some(Origin::Env("PODCTL_TOKEN")))
    } else if let Some(t) = env("DCOS_ACS_TOKEN") {
        (Some(t), Some(Origin::Env("DCOS_ACS_TOKEN")))
    } else if let Some((name, c)) = url_cluster.filter(|(_, c)| c.token.is_some()) {
        (c.token.clone(), Some(Origin::Cluster(name.clone())))
    } else {
        (None, None)
    };

    // Credentials in the URL win; a cluster's only go to that cluster's URL.
    let basic = url_basic.or_else(|| {
        url_cluster.and_then(|(_, c)| match (&c.username, &c.password) {
            (Some(u), p) => Some(Basic {
                username: u.clone(),
                password: p.clone().unwrap_or_default(),
            }),
            _ => None,
        })
    });

    let cluster = url_cluster.map(|(name, _)| name.clone());
    let timeout = match flags.request_timeout {
        Some(t) => t,
        None => url_cluster
            .and_then(|(_, c)| c.request_timeout.as_deref())
            .and_then(|t| crate::cli::parse_duration(t).ok())
            .unwrap_or(DEFAULT_TIMEOUT),
    };
    let tls = resolve_tls(flags, env, url_cluster.map(|(_, c)| c))?;

    Ok(Settings {
        url,
        url_origin,
        token,
        token_origin,
        basic,
        timeout,
        tls,
        cluster,
        config_path,
    })
}

/// TLS settings: `--insecure` / `--ca-cert`, then `DCOS_SSL_VERIFY` (`false`, `true` or a CA
/// file, as the DC/OS CLI reads it), then the cluster's `insecure` / `ca_cert`.
fn resolve_tls(flags: &Flags, env: Env, cluster: Option<&ClusterEntry>) -> Result<Tls> {
    let mut tls = Tls::default();
    if flags.insecure || flags.ca_cert.is_some() {
        tls.insecure = flags.insecure;
        tls.ca_cert = flags.ca_cert.clone();
    } else if let Some(v) = env("DCOS_SSL_VERIFY") {
        match v.to_ascii_lowercase().as_str() {
            "false" => tls.insecure = true,
            "true" => {}
            _ => tls.ca_cert = Some(PathBuf::from(v)),
        }
    } else if let Some(c) = cluster {
        tls.insecure = c.insecure;
        tls.ca_cert = c.ca_cert.clone();
    }
    Ok(tls)
}

/// Splits `http://user:pass@host/...` into the URL without credentials (safe to show) and the
/// credentials.
pub fn split_credentials(url: &str) -> (String, Option<Basic>) {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return (url.to_string(), None);
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return (url.to_string(), None);
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let basic = Basic {
        username: decode(parsed.username()),
        password: decode(parsed.password().unwrap_or_default()),
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    (
        parsed.as_str().trim_end_matches('/').to_string(),
        Some(basic),
    )
}

/// A warning when the config file (which may hold tokens) is readable by others.
#[cfg(unix)]
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "config {} is readable by others (mode {mode:04o}) and may hold tokens; \
             run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
pub fn permission_warning(_path: &Path) -> Option<String> {
    None
}

/// Checks a Marathon base URL and drops trailing slashes.
pub fn check_url(url: &str, origin: &Origin) -> Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => {}
        _ => bail!(
            "{origin}: {url:?} is not a Marathon URL (expected http://HOST[:PORT][/PATH] or https://...)"
        ),
    }
    reqwest::Url::parse(trimmed)
        .map_err(|e| anyhow::anyhow!("{origin}: {url:?} is not a valid URL: {e}"))?;
    Ok(trimmed.to_string())
}

/// A token for display: enough to recognise it, not enough to use it.
pub fn redact(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 8 {
        "********".to_string()
    } else {
        format!(
            "{}…{}",
            chars[..4].iter().collect::<String>(),
            "*".repeat(8)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn file() -> ConfigFile {
        let mut clusters = BTreeMap::new();
        clusters.insert(
            "prod".to_string(),
            ClusterEntry {
                url: "https://prod.example.com/service/marathon/".into(),
                token: Some("prod-token".into()),
                request_timeout: Some("5s".into()),
                ..ClusterEntry::default()
            },
        );
        clusters.insert(
            "local".to_string(),
            ClusterEntry {
                url: "http://127.0.0.1:9999".into(),
                username: Some("admin".into()),
                password: Some("s3cret".into()),
                ca_cert: Some("/etc/local-ca.pem".into()),
                ..ClusterEntry::default()
            },
        );
        ConfigFile {
            current: Some("prod".into()),
            clusters,
        }
    }

    fn resolve_with(
        flags: Flags,
        env: &dyn Fn(&str) -> Option<String>,
        file: &ConfigFile,
    ) -> Settings {
        resolve(&flags, env, file, PathBuf::from("/x")).unwrap()
    }

    #[test]
    fn defaults_when_nothing_is_configured() {
        let s = resolve_with(Flags::default(), &env_of(&[]), &ConfigFile::default());
        assert_eq!(s.url, DEFAULT_URL);
        assert_eq!(s.url_origin, Origin::Default);
        assert_eq!(s.token, None);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn current_cluster_supplies_url_token_and_timeout() {
        let s = resolve_with(Flags::default(), &env_of(&[]), &file());
        assert_eq!(s.url, "https://prod.example.com/service/marathon");
        assert_eq!(s.token.as_deref(), Some("prod-token"));
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert_eq!(s.cluster.as_deref(), Some("prod"));
    }

    #[test]
    fn env_beats_file_and_flag_beats_env() {
        let env = env_of(&[
            ("PODCTL_URL", "http://env:1"),
            ("PODCTL_TOKEN", "env-token"),
        ]);
        let s = resolve_with(Flags::default(), &env, &file());
        assert_eq!(s.url, "http://env:1");
        assert_eq!(s.token.as_deref(), Some("env-token"));
        let flags = Flags {
            url: Some("http://flag:2".into()),
            token: Some("flag-token".into()),
            ..Flags::default()
        };
        let s = resolve_with(flags, &env, &file());
        assert_eq!(s.url, "http://flag:2");
        assert_eq!(s.url_origin, Origin::Flag("--url"));
        assert_eq!(s.token.as_deref(), Some("flag-token"));
    }

    #[test]
    fn cluster_flag_beats_env_url() {
        let env = env_of(&[("PODCTL_URL", "http://env:1")]);
        let flags = Flags {
            cluster: Some("local".into()),
            ..Flags::default()
        };
        let s = resolve_with(flags, &env, &file());
        assert_eq!(s.url, "http://127.0.0.1:9999");
        assert_eq!(s.cluster.as_deref(), Some("local"));
    }

    #[test]
    fn a_clusters_token_never_goes_to_another_url() {
        let env = env_of(&[("PODCTL_URL", "http://elsewhere:1")]);
        let s = resolve_with(Flags::default(), &env, &file());
        assert_eq!(s.url, "http://elsewhere:1");
        assert_eq!(s.token, None);
    }

    #[test]
    fn dcos_variables() {
        let env = env_of(&[
            ("DCOS_URL", "https://dcos.example.com/"),
            ("DCOS_ACS_TOKEN", "acs"),
        ]);
        let s = resolve_with(Flags::default(), &env, &ConfigFile::default());
        assert_eq!(s.url, "https://dcos.example.com/service/marathon");
        assert_eq!(s.token.as_deref(), Some("acs"));
        let env = env_of(&[
            ("DCOS_URL", "https://dcos.example.com"),
            ("DCOS_MARATHON_URL", "http://marathon:8080"),
        ]);
        let s = resolve_with(Flags::default(), &env, &ConfigFile::default());
        assert_eq!(s.url, "http://marathon:8080");
    }

    #[test]
    fn podctl_cluster_env_picks_a_cluster() {
        let env = env_of(&[("PODCTL_CLUSTER", "local")]);
        let s = resolve_with(Flags::default(), &env, &file());
        assert_eq!(s.url, "http://127.0.0.1:9999");
        assert_eq!(s.token, None);
    }

    #[test]
    fn unknown_cluster_and_bad_url_are_errors_that_name_the_setting() {
        let flags = Flags {
            cluster: Some("nope".into()),
            ..Flags::default()
        };
        let err = resolve(&flags, &env_of(&[]), &file(), PathBuf::new()).unwrap_err();
        assert!(
            err.to_string()
                .contains("--cluster: no cluster named \"nope\""),
            "{err}"
        );
        let env = env_of(&[("PODCTL_URL", "localhost:8080")]);
        let err = resolve(&Flags::default(), &env, &file(), PathBuf::new()).unwrap_err();
        assert!(err.to_string().starts_with("env PODCTL_URL:"), "{err}");
    }

    #[test]
    fn save_and_load_round_trip_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        file().save(&path).unwrap();
        assert_eq!(ConfigFile::load(&path).unwrap(), file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            ConfigFile::load(&dir.path().join("missing.toml")).unwrap(),
            ConfigFile::default()
        );
    }

    #[test]
    fn bad_config_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "current = 3\n").unwrap();
        let err = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("config.toml"), "{err}");
        std::fs::write(
            &path,
            "[clusters.a]\nurl = \"http://x\"\nrequest_timeout = \"soon\"\n",
        )
        .unwrap();
        let err = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("clusters.a.request_timeout"), "{err}");
    }

    #[test]
    fn credentials_in_the_url_become_basic_auth() {
        let env = env_of(&[(
            "PODCTL_URL",
            "http://ad%40min:p%3Ass@marathon.example:8080/",
        )]);
        let s = resolve_with(Flags::default(), &env, &ConfigFile::default());
        assert_eq!(s.url, "http://marathon.example:8080");
        let basic = s.basic.unwrap();
        assert_eq!(
            (basic.username.as_str(), basic.password.as_str()),
            ("ad@min", "p:ss")
        );
        assert!(!format!("{basic:?}").contains("p:ss"));
    }

    #[test]
    fn a_clusters_basic_auth_and_ca_stay_with_it() {
        let flags = Flags {
            cluster: Some("local".into()),
            ..Flags::default()
        };
        let s = resolve_with(flags, &env_of(&[]), &file());
        assert_eq!(s.basic.as_ref().map(|b| b.username.as_str()), Some("admin"));
        assert_eq!(
            s.tls.ca_cert.as_deref(),
            Some(Path::new("/etc/local-ca.pem"))
        );
        let env = env_of(&[
            ("PODCTL_CLUSTER", "local"),
            ("PODCTL_URL", "http://other:1"),
        ]);
        let s = resolve_with(Flags::default(), &env, &file());
        assert_eq!(s.basic, None);
        assert_eq!(s.tls, Tls::default());
    }

    #[test]
    fn tls_settings_by_precedence() {
        let env = env_of(&[("DCOS_SSL_VERIFY", "false")]);
        assert!(
            resolve_with(Flags::default(), &env, &ConfigFile::default())
                .tls
                .insecure
        );
        let env = env_of(&[("DCOS_SSL_VERIFY", "/ca.pem")]);
        let s = resolve_with(Flags::default(), &env, &ConfigFile::default());
        assert_eq!(s.tls.ca_cert.as_deref(), Some(Path::new("/ca.pem")));
        let flags = Flags {
            insecure: true,
            ..Flags::default()
        };
        let s = resolve_with(flags, &env, &ConfigFile::default());
        assert!(s.tls.insecure && s.tls.ca_cert.is_none());
    }

    #[test]
    fn request_timeout_flag_beats_the_cluster() {
        let flags = Flags {
            request_timeout: Some(Duration::from_secs(2)),
            ..Flags::default()
        };
        assert_eq!(
            resolve_with(flags, &env_of(&[]), &file()).timeout,
            Duration::from_secs(2)
        );
        let old = toml::from_str::<ClusterEntry>("url = \"http://x\"\ntimeout = \"9s\"\n").unwrap();
        assert_eq!(
            old.request_timeout.as_deref(),
            Some("9s"),
            "the old key still reads"
        );
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_configs_are_flagged() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        file().save(&path).unwrap();
        assert_eq!(permission_warning(&path), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(permission_warning(&path).unwrap().contains("chmod 600"));
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("short"), "********");
        assert!(!redact("eyJhbGciOiJIUzI1NiJ9.secret").contains("secret"));
    }
}
