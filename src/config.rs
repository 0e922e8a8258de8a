//! Resolves flags > environment > config file > defaults into one [`Settings`] value, and reads
//! and writes the config file (TOML, mode 0600, in a 0700 directory) that holds named clusters.
//! [`load`] is the one way to the settings, for commands and tab completion alike.
//!
//! Two rules live here: a cluster's stored credentials go only to the URL they were stored with
//! ([`resolve`]), and the config file is read only when it is a small regular file
//! ([`MAX_CONFIG_BYTES`]), unknown keys becoming warnings rather than errors.
//!
//! The DC/OS CLI's own configuration (`~/.dcos`) is one more source, after podctl's own file:
//! [`dcos`] reads it (and never writes it); [`resolve_with_dcos`] ranks it.
//!
//! Nothing here talks to the network or prints; `commands/cluster.rs` and `commands/config.rs`
//! present what this module decides, warnings included.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::{duration, size};

pub mod dcos;

use dcos::DcosCluster;

/// Marathon's (and `podctl sim`'s) default address.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";
/// How long one HTTP request may take unless a flag or the cluster says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest success response read unless a flag, the environment or the cluster says
/// otherwise (`http::MAX_BODY`).
pub const DEFAULT_MAX_RESPONSE: u64 = 256 * 1024 * 1024;

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
    /// The largest response read from this cluster, as a size string (`512MiB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response: Option<String>,
    /// Skip TLS verification for this cluster (never the default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// The DC/OS address logins go to (`<dcos_url>/acs/api/v1/auth/login`); by default the
    /// cluster's URL without a final `/service/marathon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcos_url: Option<String>,
    /// How `podctl cluster login` logged in, kept to log in again when the token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<Login>,
}

/// The credentials `podctl cluster login` keeps for renewing a cluster's token: a service
/// account's private key as a path (the key itself is never copied), or a password only when
/// the user asked for it (`--remember`).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never a password, not even in a debug dump.
        f.debug_struct("Login")
            .field("uid", &self.uid)
            .field("private_key", &self.private_key)
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl ClusterEntry {
    /// Where this cluster's logins go: `<dcos_url>/acs/api/v1/auth/login`.
    pub fn login_url(&self) -> Option<String> {
        let base = match &self.dcos_url {
            Some(url) => check_url(url, &Origin::Default).ok()?,
            None => {
                let url = stored_url(self)?;
                match url.strip_suffix("/service/marathon") {
                    Some(base) => base.to_string(),
                    None => url,
                }
            }
        };
        Some(format!("{base}/acs/api/v1/auth/login"))
    }
}

/// Where a setting's value came from, for `podctl config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Cluster(String),
    /// A cluster of the DC/OS CLI (its label and its `dcos.toml`).
    Dcos {
        cluster: String,
        path: PathBuf,
    },
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "env {var}"),
            Origin::Cluster(name) => write!(f, "cluster {name:?} in the config file"),
            Origin::Dcos { cluster, path } => {
                write!(f, "DC/OS CLI cluster {cluster:?} ({})", path.display())
            }
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
    /// The largest successful response read, in bytes.
    pub max_response: u64,
    pub max_response_origin: Origin,
    pub tls: Tls,
    /// Where `tls.ca_cert` was set, as an error names it (`DC/OS CLI config PATH:
    /// core.ssl_verify`); `None` for `--ca-cert`, which the user just typed.
    pub ca_cert_origin: Option<String>,
    /// The named cluster in use, if any (`dcos:NAME` for one of the DC/OS CLI's).
    pub cluster: Option<String>,
    /// How to log in again when the token expires, for a cluster `podctl cluster login` set up
    /// (only when the token in effect is that cluster's own).
    pub renewal: Option<Renewal>,
    /// A cluster chosen with `--cluster` or `PODCTL_CLUSTER` whose stored settings are not used,
    /// because the URL in effect is not its URL; worth a warning.
    pub ignored_cluster: Option<String>,
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

/// Credentials to log in again with, and where: the login URL is the one stored with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Renewal {
    /// The podctl cluster they belong to, whose stored token a new one replaces.
    pub cluster: String,
    /// `<dcos_url>/acs/api/v1/auth/login`.
    pub login_url: String,
    pub login: Login,
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
    pub max_response: Option<u64>,
    pub ca_cert: Option<PathBuf>,
    pub insecure: bool,
}

/// What goes wrong reading the config file or resolving the settings. The file's problems and
/// the settings' (a cluster that is not there, a URL or a value that does not parse) are told
/// apart: `exit::code_for` maps the latter to a usage error.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot find the user's config directory; set PODCTL_CONFIG to a file path")]
    NoConfigDir,
    /// The file exists but reading it failed.
    #[error("reading config {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not one podctl reads: not regular, too large, not UTF-8, not valid TOML.
    #[error("reading config {}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// `--cluster`, `PODCTL_CLUSTER` or `current` names a cluster the file does not have.
    #[error("{origin}: no cluster named {name:?}{}", known_hint(name, known))]
    UnknownCluster {
        origin: &'static str,
        name: String,
        known: Vec<String>,
    },
    #[error(
        "{origin}: {shown:?} is not a Marathon URL (expected http://HOST[:PORT][/PATH] or https://...)"
    )]
    NotAUrl { origin: Origin, shown: String },
    #[error("{origin}: {shown:?} is not a valid URL")]
    BadUrl {
        origin: Origin,
        shown: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The API path is appended to the base URL, so a query or fragment would swallow it.
    #[error(
        "{origin}: {shown:?} has a query or fragment (`?`, `#`); a Marathon URL is \
         http(s)://HOST[:PORT][/PATH]"
    )]
    QueryOrFragment { origin: Origin, shown: String },
    /// A setting whose value does not parse (`clusters.a.request_timeout`, `PODCTL_MAX_RESPONSE`).
    #[error("{setting}: {reason}")]
    BadValue { setting: String, reason: String },
}

impl ConfigError {
    /// Whether the settings asked for are at fault, rather than the file or the system.
    pub fn is_usage(&self) -> bool {
        match self {
            ConfigError::NoConfigDir | ConfigError::Io { .. } | ConfigError::Unreadable { .. } => {
                false
            }
            ConfigError::UnknownCluster { .. }
            | ConfigError::NotAUrl { .. }
            | ConfigError::BadUrl { .. }
            | ConfigError::QueryOrFragment { .. }
            | ConfigError::BadValue { .. } => true,
        }
    }
}

fn known_hint(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!(": no clusters are configured (add one with `podctl cluster add {name} --url URL`)")
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

/// Reads environment variables; a trait object so tests can supply their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, treating empty values as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The config file's path: `PODCTL_CONFIG`, else `<config dir>/podctl/config.toml`.
pub fn config_path(env: Env) -> Result<PathBuf, ConfigError> {
    if let Some(path) = env("PODCTL_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    let dir = dirs::config_dir().ok_or(ConfigError::NoConfigDir)?;
    Ok(dir.join("podctl").join("config.toml"))
}

/// The largest config file podctl reads; a config is a few lines per cluster.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The keys of the config file's top level.
const FILE_KEYS: &[&str] = &["current", "clusters"];
/// The keys of a `[clusters.NAME]` table (`timeout` is the old name of `request_timeout`).
const CLUSTER_KEYS: &[&str] = &[
    "url",
    "token",
    "username",
    "password",
    "request_timeout",
    "timeout",
    "ca_cert",
    "insecure",
    "max_response",
    "dcos_url",
    "login",
];

impl ConfigFile {
    /// Loads the file; a missing file is an empty config. Unknown keys are dropped silently: use
    /// [`ConfigFile::load_with_warnings`] where they can be reported.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        Ok(ConfigFile::load_with_warnings(path)?.0)
    }

    /// Loads the file, and says which unknown keys were ignored (one message per key, naming the
    /// file). Only a regular file of at most [`MAX_CONFIG_BYTES`] is read, so a FIFO or a device
    /// given as `PODCTL_CONFIG` cannot hang podctl or fill its memory.
    pub fn load_with_warnings(path: &Path) -> Result<(ConfigFile, Vec<String>), ConfigError> {
        let Some(text) = read_config_text(path)? else {
            return Ok((ConfigFile::default(), Vec::new()));
        };
        // Only TOML's message: its rendering of the offending line could show a token.
        let bad = |e: toml::de::Error| ConfigError::Unreadable {
            path: path.to_path_buf(),
            reason: e.message().trim_end().to_string(),
        };
        let mut table: toml::Table = text.parse().map_err(bad)?;
        let mut warnings = Vec::new();
        let mut unknown = |key: String| {
            warnings.push(format!(
                "config {}: unknown key `{key}` ignored (podctl rewrites the file without it when \
                 it saves a change)",
                path.display()
            ))
        };
        table.retain(|key, _| {
            let known = FILE_KEYS.contains(&key);
            if !known {
                unknown(key.to_string());
            }
            known
        });
        if let Some(toml::Value::Table(clusters)) = table.get_mut("clusters") {
            for (name, cluster) in clusters.iter_mut() {
                if let toml::Value::Table(cluster) = cluster {
                    cluster.retain(|key, _| {
                        let known = CLUSTER_KEYS.contains(&key);
                        if !known {
                            unknown(format!("clusters.{name}.{key}"));
                        }
                        known
                    });
                }
            }
        }
        let config = toml::Value::Table(table).try_into().map_err(bad)?;
        Ok((config, warnings))
    }

    /// Writes the file atomically, readable by the owner only (it may hold tokens), in a
    /// directory only the owner can enter when podctl creates it. A failed write removes its
    /// temporary file, which may hold a token too.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).context("encoding the config")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)
                .with_context(|| format!("creating config directory {}", dir.display()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        if let Err(e) = write_private(&tmp, text.as_bytes()) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("writing config {}", tmp.display()));
        }
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("writing config {}", path.display()));
        }
        Ok(())
    }

    fn cluster(&self, name: &str, origin: &'static str) -> Result<&ClusterEntry, ConfigError> {
        self.clusters
            .get(name)
            .ok_or_else(|| ConfigError::UnknownCluster {
                origin,
                name: name.to_string(),
                known: self.clusters.keys().cloned().collect(),
            })
    }
}

/// Reads the config file's text: `None` when there is no file; an error for anything but a
/// regular UTF-8 file of at most [`MAX_CONFIG_BYTES`].
fn read_config_text(path: &Path) -> Result<Option<String>, ConfigError> {
    use std::io::Read;
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let unreadable = |reason: &str| ConfigError::Unreadable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
        Ok(meta) if !meta.is_file() => return Err(unreadable("not a regular file")),
        Ok(_) => {}
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The path may have been replaced since it was looked at.
    if !file.metadata().map_err(io)?.is_file() {
        return Err(unreadable("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(unreadable("larger than 1 MiB, the most podctl reads"));
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text"))?;
    Ok(Some(text))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    // The mode is given here, not left to the umask: the directory holds tokens.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
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
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The settings in effect, and what is worth a warning about how they were found.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    /// Unknown keys in the config file, a file others can read, a cluster chosen but not used.
    pub warnings: Vec<String>,
}

/// The one way settings are found, for commands and tab completion alike: the config file's
/// path from `env`, the file, the DC/OS CLI's cluster when it is a source ([`dcos_source`]),
/// then [`resolve_with_dcos`] over flags > env > file > DC/OS CLI > defaults.
pub fn load(flags: &Flags, env: Env) -> Result<Loaded, ConfigError> {
    let path = config_path(env)?;
    let (file, mut warnings) = ConfigFile::load_with_warnings(&path)?;
    warnings.extend(permission_warning(&path));
    let dcos = dcos_source(flags, env, &file)?;
    if let Some(cluster) = &dcos {
        warnings.extend(dcos::permission_warning(cluster));
    }
    let settings = resolve_with_dcos(flags, env, &file, dcos.as_ref(), path)?;
    if let Some(name) = &settings.ignored_cluster {
        warnings.push(format!(
            "cluster {name:?} is not used: the URL in effect (from {}) is not its URL, so none \
             of its stored settings are sent",
            settings.url_origin
        ));
    }
    Ok(Loaded { settings, warnings })
}

/// The DC/OS CLI's cluster, read only when it may be used: asked for by name
/// (`--cluster dcos:NAME` or `PODCTL_CLUSTER=dcos:NAME`), or when podctl's own settings name
/// neither a cluster nor a URL (then `DCOS_CLUSTER`, the attached cluster, the older file).
pub fn dcos_source(
    flags: &Flags,
    env: Env,
    file: &ConfigFile,
) -> Result<Option<DcosCluster>, ConfigError> {
    let (chosen, origin) = match (&flags.cluster, env("PODCTL_CLUSTER")) {
        (Some(name), _) => (Some(name.clone()), "--cluster"),
        (None, Some(name)) => (Some(name), "PODCTL_CLUSTER"),
        (None, None) => (None, ""),
    };
    if let Some(wanted) = chosen.as_deref().and_then(|c| c.strip_prefix(DCOS_PREFIX)) {
        return dcos::select(env, Some((wanted, origin)));
    }
    let own = chosen.is_some()
        || flags.url.is_some()
        || file.current.is_some()
        || ["PODCTL_URL", "DCOS_URL", "DCOS_MARATHON_URL"]
            .iter()
            .any(|var| env(var).is_some());
    if own {
        return Ok(None);
    }
    dcos::select(env, None)
}

/// How a DC/OS CLI cluster is named where a podctl cluster name goes: `dcos:NAME`.
pub const DCOS_PREFIX: &str = "dcos:";

/// A cluster whose stored settings may apply: one of podctl's, or one of the DC/OS CLI's.
#[derive(Clone)]
struct Named<'a> {
    name: String,
    entry: std::borrow::Cow<'a, ClusterEntry>,
    /// The DC/OS CLI file it was read from; `None` for podctl's own.
    dcos: Option<PathBuf>,
}

impl<'a> Named<'a> {
    fn own(name: &str, entry: &'a ClusterEntry) -> Named<'a> {
        Named {
            name: name.to_string(),
            entry: std::borrow::Cow::Borrowed(entry),
            dcos: None,
        }
    }

    /// `None` when the DC/OS CLI's file says nowhere to go (no `core.dcos_url`).
    fn dcos(cluster: &DcosCluster) -> Option<Named<'static>> {
        Some(Named {
            name: format!("{DCOS_PREFIX}{}", cluster.label()),
            entry: std::borrow::Cow::Owned(cluster.entry()?),
            dcos: Some(cluster.path.clone()),
        })
    }

    fn origin(&self) -> Origin {
        match &self.dcos {
            Some(path) => Origin::Dcos {
                cluster: self.name[DCOS_PREFIX.len()..].to_string(),
                path: path.clone(),
            },
            None => Origin::Cluster(self.name.clone()),
        }
    }

    /// How a setting of this cluster is named in an error.
    fn setting(&self, key: &str, config_path: &Path) -> String {
        match &self.dcos {
            Some(path) => format!("DC/OS CLI config {}: {key}", path.display()),
            None => format!(
                "config {}: clusters.{}.{key}",
                config_path.display(),
                self.name
            ),
        }
    }
}

/// [`resolve_with_dcos`] without the DC/OS CLI's configuration.
pub fn resolve(
    flags: &Flags,
    env: Env,
    file: &ConfigFile,
    config_path: PathBuf,
) -> Result<Settings, ConfigError> {
    resolve_with_dcos(flags, env, file, None, config_path)
}

/// Resolves the settings. Precedence, highest first:
/// URL: `--url`, `--cluster`'s url, `PODCTL_URL`, `DCOS_MARATHON_URL`, `DCOS_URL` +
/// `/service/marathon`, `PODCTL_CLUSTER`'s url, the current cluster's url, the DC/OS CLI
/// cluster's, the default.
/// Token: `--token`, the `--cluster`'s token, `PODCTL_TOKEN`, `DCOS_ACS_TOKEN`, then the token of
/// the cluster in use.
///
/// The cluster in use is `--cluster`, else `PODCTL_CLUSTER`, else the current one, else `dcos`
/// (the DC/OS CLI's, see [`dcos_source`]); its stored settings (token, basic auth, TLS trust,
/// timeout, login) apply only when the URL in effect is the URL it was stored with: a stored
/// credential never goes to a URL given by a flag or a variable.
pub fn resolve_with_dcos(
    flags: &Flags,
    env: Env,
    file: &ConfigFile,
    dcos: Option<&DcosCluster>,
    config_path: PathBuf,
) -> Result<Settings, ConfigError> {
    let from_dcos = dcos.and_then(Named::dcos);
    let pick = |name: &str, origin: &'static str| -> Result<Named, ConfigError> {
        let Some(wanted) = name.strip_prefix(DCOS_PREFIX) else {
            return Ok(Named::own(name, file.cluster(name, origin)?));
        };
        match (dcos.filter(|c| c.is(wanted)), &from_dcos) {
            (Some(_), Some(named)) => Ok(named.clone()),
            (Some(c), None) => Err(ConfigError::BadValue {
                setting: format!("DC/OS CLI config {}", c.path.display()),
                reason: "core.dcos_url is not set: the DC/OS CLI cluster has no address".into(),
            }),
            (None, _) => Err(ConfigError::UnknownCluster {
                origin,
                name: name.to_string(),
                known: Vec::new(),
            }),
        }
    };
    let flag_cluster = match &flags.cluster {
        Some(name) => Some(pick(name, "--cluster")?),
        None => None,
    };
    let env_cluster = match env("PODCTL_CLUSTER") {
        Some(name) => Some(pick(&name, "PODCTL_CLUSTER")?),
        None => None,
    };
    let current = match &file.current {
        Some(name) => Some(Named::own(name, file.cluster(name, "config `current`")?)),
        None => None,
    };
    let named = flag_cluster
        .as_ref()
        .or(env_cluster.as_ref())
        .or(current.as_ref())
        .or(from_dcos.as_ref());

    let (url, url_origin) = if let Some(url) = &flags.url {
        (url.clone(), Origin::Flag("--url"))
    } else if let Some(n) = &flag_cluster {
        (n.entry.url.clone(), n.origin())
    } else if let Some(url) = env("PODCTL_URL") {
        (url, Origin::Env("PODCTL_URL"))
    } else if let Some(url) = env("DCOS_MARATHON_URL") {
        (url, Origin::Env("DCOS_MARATHON_URL"))
    } else if let Some(url) = env("DCOS_URL") {
        let url = format!("{}/service/marathon", url.trim_end_matches('/'));
        (url, Origin::Env("DCOS_URL"))
    } else if let Some(n) = named {
        (n.entry.url.clone(), n.origin())
    } else {
        (DEFAULT_URL.to_string(), Origin::Default)
    };
    let (url, url_basic) = split_credentials(&check_url(&url, &url_origin)?);

    // The cluster whose stored settings go with this URL, if any.
    let stored = named.filter(|n| stored_url(&n.entry).is_some_and(|u| u == url));
    let from_flag = stored.is_some() && flag_cluster.is_some();

    let (token, token_origin) = if let Some(t) = &flags.token {
        (Some(t.clone()), Some(Origin::Flag("--token")))
    } else if let Some(n) = stored.filter(|n| from_flag && n.entry.token.is_some()) {
        (n.entry.token.clone(), Some(n.origin()))
    } else if let Some(t) = env("PODCTL_TOKEN") {
        (Some(t), Some(Origin::Env("PODCTL_TOKEN")))
    } else if let Some(t) = env("DCOS_ACS_TOKEN") {
        (Some(t), Some(Origin::Env("DCOS_ACS_TOKEN")))
    } else if let Some(n) = stored.filter(|n| n.entry.token.is_some()) {
        (n.entry.token.clone(), Some(n.origin()))
    } else {
        (None, None)
    };

    // Credentials in the URL win; a cluster's only go to that cluster's URL.
    let basic = url_basic.or_else(|| {
        stored.and_then(|n| match (&n.entry.username, &n.entry.password) {
            (Some(u), p) => Some(Basic {
                username: u.clone(),
                password: p.clone().unwrap_or_default(),
            }),
            _ => None,
        })
    });

    // A stored login renews only the cluster's own token, never one given some other way.
    let renewal = stored
        .filter(|n| n.dcos.is_none())
        .filter(|n| token_origin.is_none() || token_origin == Some(n.origin()))
        .and_then(|n| {
            Some(Renewal {
                cluster: n.name.clone(),
                login_url: n.entry.login_url()?,
                login: n
                    .entry
                    .login
                    .clone()
                    .filter(|l| l.private_key.is_some() || l.password.is_some())?,
            })
        });

    let cluster = stored.map(|n| n.name.clone());
    let chosen = flag_cluster.as_ref().or(env_cluster.as_ref());
    let ignored_cluster = chosen.filter(|_| stored.is_none()).map(|n| n.name.clone());
    let timeout = match (flags.request_timeout, stored) {
        (Some(t), _) => t,
        (None, Some(n)) => match &n.entry.request_timeout {
            Some(t) => duration::parse_positive(t).map_err(|reason| ConfigError::BadValue {
                setting: n.setting("request_timeout", &config_path),
                reason,
            })?,
            None => DEFAULT_TIMEOUT,
        },
        (None, None) => DEFAULT_TIMEOUT,
    };
    let (max_response, max_response_origin) =
        resolve_max_response(flags, env, stored, &config_path)?;
    let (tls, ca_cert_origin) = resolve_tls(flags, env, stored, &config_path);

    Ok(Settings {
        url,
        url_origin,
        token,
        token_origin,
        basic,
        timeout,
        max_response,
        max_response_origin,
        tls,
        ca_cert_origin,
        cluster,
        renewal,
        ignored_cluster,
        config_path,
    })
}

/// A cluster's URL as [`resolve`] would use it (checked, without credentials), for comparing
/// with the URL in effect; `None` when it is not a valid URL.
fn stored_url(cluster: &ClusterEntry) -> Option<String> {
    let url = check_url(&cluster.url, &Origin::Default).ok()?;
    Some(split_credentials(&url).0)
}

/// The response size limit: `--max-response`, then `PODCTL_MAX_RESPONSE`, then the cluster's
/// `max_response`, then [`DEFAULT_MAX_RESPONSE`].
fn resolve_max_response(
    flags: &Flags,
    env: Env,
    stored: Option<&Named>,
    config_path: &Path,
) -> Result<(u64, Origin), ConfigError> {
    if let Some(limit) = flags.max_response {
        return Ok((limit, Origin::Flag("--max-response")));
    }
    if let Some(v) = env("PODCTL_MAX_RESPONSE") {
        let limit = size::parse_response_limit(&v).map_err(|reason| ConfigError::BadValue {
            setting: "PODCTL_MAX_RESPONSE".to_string(),
            reason,
        })?;
        return Ok((limit, Origin::Env("PODCTL_MAX_RESPONSE")));
    }
    if let Some(n) = stored {
        if let Some(v) = &n.entry.max_response {
            let limit = size::parse_response_limit(v).map_err(|reason| ConfigError::BadValue {
                setting: n.setting("max_response", config_path),
                reason,
            })?;
            return Ok((limit, n.origin()));
        }
    }
    Ok((DEFAULT_MAX_RESPONSE, Origin::Default))
}

/// TLS settings: `--insecure` / `--ca-cert`, then `DCOS_SSL_VERIFY` (`false`, `true` or a CA
/// file, as the DC/OS CLI reads it), then the cluster's `insecure` / `ca_cert`; with where the
/// CA file was named, when not by `--ca-cert`.
fn resolve_tls(
    flags: &Flags,
    env: Env,
    cluster: Option<&Named>,
    config_path: &Path,
) -> (Tls, Option<String>) {
    let mut tls = Tls::default();
    let mut origin = None;
    if flags.insecure || flags.ca_cert.is_some() {
        tls.insecure = flags.insecure;
        tls.ca_cert = flags.ca_cert.clone();
    } else if let Some(v) = env("DCOS_SSL_VERIFY") {
        match v.to_ascii_lowercase().as_str() {
            "false" => tls.insecure = true,
            "true" => {}
            _ => {
                tls.ca_cert = Some(PathBuf::from(v));
                origin = Some("DCOS_SSL_VERIFY".to_string());
            }
        }
    } else if let Some(n) = cluster {
        tls.insecure = n.entry.insecure;
        tls.ca_cert = n.entry.ca_cert.clone();
        let key = if n.dcos.is_some() {
            "core.ssl_verify"
        } else {
            "ca_cert"
        };
        origin = tls.ca_cert.as_ref().map(|_| n.setting(key, config_path));
    }
    (tls, origin)
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

/// Checks a Marathon base URL and drops trailing slashes. Errors show the URL without any
/// `user:password@`.
pub fn check_url(url: &str, origin: &Origin) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"));
    let shown = without_userinfo(url);
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => {}
        _ => {
            return Err(ConfigError::NotAUrl {
                origin: origin.clone(),
                shown,
            })
        }
    }
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| ConfigError::BadUrl {
        origin: origin.clone(),
        shown: shown.clone(),
        source: Box::new(e),
    })?;
    // The API path is appended to the base URL: after a `?` it would become part of the query,
    // and after a `#` it would never be sent, so `DELETE` would go to the base URL itself.
    if parsed.query().is_some() || parsed.fragment().is_some() {
        let end = shown.find(['?', '#']).unwrap_or(shown.len());
        return Err(ConfigError::QueryOrFragment {
            origin: origin.clone(),
            shown: shown[..end].to_string(),
        });
    }
    Ok(trimmed.to_string())
}

/// A URL as text, with anything before an `@` in its authority replaced by `***`, so a
/// password is not shown even when the URL does not parse.
pub fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_string(),
    }
}

/// What is shown in place of a token: that there is one, not a single character of it.
pub const REDACTED: &str = "********";

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
    fn the_response_limit_comes_from_flag_env_cluster_or_default() {
        let file: ConfigFile = toml::from_str(
            "current = \"a\"\n[clusters.a]\nurl = \"http://a\"\nmax_response = \"1 GiB\"\n",
        )
        .unwrap();
        let s = resolve_with(Flags::default(), &env_of(&[]), &ConfigFile::default());
        assert_eq!(s.max_response, DEFAULT_MAX_RESPONSE);
        assert_eq!(s.max_response_origin, Origin::Default);
        let s = resolve_with(Flags::default(), &env_of(&[]), &file);
        assert_eq!(s.max_response, 1 << 30);
        assert_eq!(s.max_response_origin, Origin::Cluster("a".into()));
        let env = env_of(&[("PODCTL_MAX_RESPONSE", "512MiB")]);
        let s = resolve_with(Flags::default(), &env, &file);
        assert_eq!(s.max_response, 512 << 20);
        let flags = Flags {
            max_response: Some(2 << 30),
            ..Flags::default()
        };
        let s = resolve_with(flags, &env, &file);
        assert_eq!(s.max_response, 2 << 30);
        assert_eq!(s.max_response_origin, Origin::Flag("--max-response"));

        let bad: ConfigFile = toml::from_str(
            "current = \"a\"\n[clusters.a]\nurl = \"http://a\"\nmax_response = \"huge\"\n",
        )
        .unwrap();
        let err = resolve(&Flags::default(), &env_of(&[]), &bad, PathBuf::from("/x")).unwrap_err();
        assert!(err.to_string().contains("clusters.a.max_response"), "{err}");
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
        // A bad setting fails only the commands that use its cluster, and names it.
        std::fs::write(
            &path,
            "current = \"a\"\n[clusters.a]\nurl = \"http://x\"\nrequest_timeout = \"soon\"\n",
        )
        .unwrap();
        let config = ConfigFile::load(&path).unwrap();
        let err = resolve(&Flags::default(), &env_of(&[]), &config, path.clone()).unwrap_err();
        assert!(
            err.to_string().contains("clusters.a.request_timeout"),
            "{err}"
        );
        for (value, message) in [
            ("18446744073709551615s", "longest"),
            ("0s", "more than zero"),
        ] {
            let mut config = config.clone();
            if let Some(a) = config.clusters.get_mut("a") {
                a.request_timeout = Some(value.into());
            }
            let err = resolve(&Flags::default(), &env_of(&[]), &config, path.clone())
                .unwrap_err()
                .to_string();
            assert!(err.contains(message), "{err}");
        }
    }

    #[test]
    fn unknown_keys_are_dropped_with_a_warning_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "current = \"a\"\nextra = 1\n[clusters.a]\nurl = \"http://x\"\nzone = \"z\"\n",
        )
        .unwrap();
        let (config, warnings) = ConfigFile::load_with_warnings(&path).unwrap();
        assert_eq!(config.clusters["a"].url, "http://x");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("`extra`") && warnings[0].contains("config.toml"));
        assert!(warnings[1].contains("`clusters.a.zone`"), "{warnings:?}");
    }

    #[test]
    fn the_known_keys_are_the_fields() {
        let full = ClusterEntry {
            url: "u".into(),
            token: Some("t".into()),
            username: Some("u".into()),
            password: Some("p".into()),
            request_timeout: Some("1s".into()),
            ca_cert: Some("c".into()),
            insecure: true,
            max_response: Some("1 GiB".into()),
            dcos_url: Some("d".into()),
            login: Some(Login::default()),
        };
        let value = toml::Value::try_from(&full).unwrap();
        let keys: Vec<&String> = value.as_table().unwrap().keys().collect();
        assert_eq!(
            keys.len(),
            CLUSTER_KEYS.len() - 1,
            "every field but the alias"
        );
        assert!(keys.iter().all(|k| CLUSTER_KEYS.contains(&k.as_str())));
        let file = toml::Value::try_from(file()).unwrap();
        assert!(file
            .as_table()
            .unwrap()
            .keys()
            .all(|k| FILE_KEYS.contains(&k.as_str())));
    }

    #[test]
    fn stored_credentials_apply_only_at_the_stored_url() {
        let with = |flags: Flags, env: &'static [(&'static str, &'static str)]| {
            resolve_with(flags, &env_of(env), &file())
        };
        let other = Flags {
            url: Some("http://other:1".into()),
            cluster: Some("prod".into()),
            ..Flags::default()
        };
        let s = with(other, &[]);
        assert_eq!(
            (s.token, s.cluster, s.timeout),
            (None, None, DEFAULT_TIMEOUT)
        );
        assert_eq!(s.ignored_cluster.as_deref(), Some("prod"));
        let same = Flags {
            url: Some("https://prod.example.com/service/marathon".into()),
            cluster: Some("prod".into()),
            ..Flags::default()
        };
        let s = with(same, &[]);
        assert_eq!(s.token.as_deref(), Some("prod-token"));
        assert_eq!(s.ignored_cluster, None);
        let s = with(
            Flags::default(),
            &[("PODCTL_URL", "https://prod.example.com/service/marathon/")],
        );
        assert_eq!(s.token.as_deref(), Some("prod-token"));
        let s = with(
            Flags {
                url: Some("http://127.0.0.1:9999".into()),
                ..Flags::default()
            },
            &[],
        );
        assert_eq!(s.basic, None, "the current cluster is prod, not local");
    }

    #[test]
    fn load_reads_the_file_the_env_names_and_gathers_the_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut config = file();
        config.current = Some("prod".into());
        config.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("colour = true\n{text}")).unwrap();
        let shown = path.display().to_string();
        let env = move |name: &str| (name == "PODCTL_CONFIG").then(|| shown.clone());
        let flags = Flags {
            url: Some("http://other:1".into()),
            cluster: Some("prod".into()),
            ..Flags::default()
        };
        let loaded = load(&flags, &env).unwrap();
        assert_eq!(loaded.settings.config_path, path);
        assert_eq!(loaded.settings.url, "http://other:1");
        assert_eq!(
            loaded.settings.token, None,
            "prod's token stays with prod's URL"
        );
        assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
        assert!(loaded.warnings[0].contains("unknown key `colour`"));
        assert!(loaded.warnings[1].starts_with("cluster \"prod\" is not used"));
        let unknown = Flags {
            cluster: Some("staging".into()),
            ..Flags::default()
        };
        let err = load(&unknown, &env).unwrap_err();
        assert!(err.is_usage(), "{err}");
        assert!(err.to_string().contains("known: "), "{err}");
    }

    #[test]
    fn passwords_are_cut_from_urls_in_errors() {
        assert_eq!(
            without_userinfo("http://admin:hunter2@[::1"),
            "http://***@[::1"
        );
        assert_eq!(without_userinfo("a:b@c:1/x@y"), "***@c:1/x@y");
        assert_eq!(without_userinfo("http://h/p@q"), "http://h/p@q");
        for url in ["http://admin:hunter2@[::1", "admin:hunter2@host"] {
            let err = check_url(url, &Origin::Flag("--url"))
                .unwrap_err()
                .to_string();
            assert!(!err.contains("hunter2") && err.contains("--url"), "{err}");
        }
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

    fn dcos_cluster(token: &str) -> DcosCluster {
        dcos::parse(
            "id-1",
            Path::new("/home/u/.dcos/clusters/id-1/dcos.toml"),
            &format!(
                "[core]\ndcos_url = \"https://dcos.example.com\"\ndcos_acs_token = \"{token}\"\n\
                 ssl_verify = \"false\"\ntimeout = 9\n[cluster]\nname = \"east\"\n"
            ),
        )
        .unwrap()
    }

    #[test]
    fn the_dcos_cli_cluster_comes_after_podctls_own() {
        let dcos = dcos_cluster("dcos-token");
        let none = ConfigFile::default();
        let s = resolve_with_dcos(
            &Flags::default(),
            &env_of(&[]),
            &none,
            Some(&dcos),
            "/x".into(),
        )
        .unwrap();
        assert_eq!(s.url, "https://dcos.example.com/service/marathon");
        assert_eq!(s.token.as_deref(), Some("dcos-token"));
        assert!(s.tls.insecure);
        assert_eq!(s.timeout, Duration::from_secs(9));
        assert_eq!(s.cluster.as_deref(), Some("dcos:east"));
        assert!(s
            .url_origin
            .to_string()
            .contains("DC/OS CLI cluster \"east\""));
        assert_eq!(
            s.renewal, None,
            "the DC/OS CLI keeps no credentials to renew with"
        );
        // podctl's current cluster wins; the DC/OS token never goes to another URL.
        let s = resolve_with_dcos(
            &Flags::default(),
            &env_of(&[]),
            &file(),
            Some(&dcos),
            "/x".into(),
        )
        .unwrap();
        assert_eq!(s.token.as_deref(), Some("prod-token"));
        let env = env_of(&[("PODCTL_URL", "http://other:1")]);
        let s =
            resolve_with_dcos(&Flags::default(), &env, &none, Some(&dcos), "/x".into()).unwrap();
        assert_eq!((s.url.as_str(), s.token), ("http://other:1", None));
        // Chosen by name, it beats the current cluster.
        let flags = Flags {
            cluster: Some("dcos:east".into()),
            ..Flags::default()
        };
        let s = resolve_with_dcos(&flags, &env_of(&[]), &file(), Some(&dcos), "/x".into()).unwrap();
        assert_eq!(s.token.as_deref(), Some("dcos-token"));
        let flags = Flags {
            cluster: Some("dcos:west".into()),
            ..Flags::default()
        };
        let err =
            resolve_with_dcos(&flags, &env_of(&[]), &file(), Some(&dcos), "/x".into()).unwrap_err();
        assert!(
            err.is_usage() && err.to_string().contains("dcos:west"),
            "{err}"
        );
    }

    #[test]
    fn the_dcos_cli_is_read_only_when_nothing_of_podctls_names_a_cluster() {
        let dir = tempfile::tempdir().unwrap();
        let cluster = dir.path().join("clusters/id-1");
        std::fs::create_dir_all(&cluster).unwrap();
        std::fs::write(cluster.join("dcos.toml"), "[core]\ntimeout = \"never\"\n").unwrap();
        std::fs::write(cluster.join("attached"), "").unwrap();
        let shown = dir.path().display().to_string();
        let env = move |name: &str| (name == "DCOS_DIR").then(|| shown.clone());
        let err = dcos_source(&Flags::default(), &env, &ConfigFile::default()).unwrap_err();
        assert!(err.to_string().contains("core.timeout"), "{err}");
        assert_eq!(dcos_source(&Flags::default(), &env, &file()).unwrap(), None);
        let flags = Flags {
            url: Some("http://x:1".into()),
            ..Flags::default()
        };
        assert_eq!(
            dcos_source(&flags, &env, &ConfigFile::default()).unwrap(),
            None
        );
    }

    #[test]
    fn renewal_goes_with_the_clusters_own_token_only() {
        let mut config = file();
        if let Some(prod) = config.clusters.get_mut("prod") {
            prod.login = Some(Login {
                uid: "ci".into(),
                private_key: Some("/keys/ci.pem".into()),
                password: None,
            });
        }
        let s = resolve_with(Flags::default(), &env_of(&[]), &config);
        let renewal = s.renewal.unwrap();
        assert_eq!(
            renewal.login_url,
            "https://prod.example.com/acs/api/v1/auth/login"
        );
        assert_eq!(renewal.cluster, "prod");
        let env = env_of(&[("PODCTL_TOKEN", "other")]);
        assert_eq!(resolve_with(Flags::default(), &env, &config).renewal, None);
        let env = env_of(&[("PODCTL_URL", "http://elsewhere:1")]);
        assert_eq!(resolve_with(Flags::default(), &env, &config).renewal, None);
        let mut entry = config.clusters["prod"].clone();
        entry.dcos_url = Some("https://login.example.com/".into());
        assert_eq!(
            entry.login_url().as_deref(),
            Some("https://login.example.com/acs/api/v1/auth/login")
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
}
