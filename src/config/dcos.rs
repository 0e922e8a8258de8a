//! Reads the DC/OS CLI's configuration, one more source of settings after podctl's own: the
//! clusters under `$DCOS_DIR` (default `~/.dcos`) as `clusters/<id>/dcos.toml`, the attached one
//! (an `attached` file beside it), `DCOS_CLUSTER` (an id or a `cluster.name`), and the older
//! single file (`$DCOS_CONFIG`, else `$DCOS_DIR/dcos.toml`).
//!
//! It only reads: nothing here ever writes under `$DCOS_DIR`, which belongs to the DC/OS CLI
//! (`podctl cluster import` copies into podctl's own file). Only the keys podctl uses are
//! checked; the DC/OS CLI keeps many more, and they are not podctl's to judge. A key podctl uses
//! that has the wrong type is one error naming the file and the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{read_config_text, ClusterEntry, ConfigError, Env};

/// The file of one cluster, as the DC/OS CLI writes it.
const CLUSTER_FILE: &str = "dcos.toml";
/// The marker beside the file of the cluster in use.
const ATTACHED_FILE: &str = "attached";
/// The most cluster directories looked at; a DC/OS CLI set-up has a handful.
const MAX_CLUSTERS: usize = 1000;
/// The id given to the older single-file layout, which has no cluster directory.
pub const LEGACY_ID: &str = "default";

/// One cluster of the DC/OS CLI, with the keys podctl uses.
#[derive(Clone, PartialEq)]
pub struct DcosCluster {
    /// The directory name under `clusters/` ([`LEGACY_ID`] for the single file).
    pub id: String,
    /// `[cluster] name`.
    pub name: Option<String>,
    /// The `dcos.toml` it was read from.
    pub path: PathBuf,
    pub attached: bool,
    /// `[core] dcos_url`, without trailing slashes.
    pub dcos_url: Option<String>,
    /// `[marathon] url`, without trailing slashes.
    pub marathon_url: Option<String>,
    /// `[core] dcos_acs_token`.
    pub token: Option<String>,
    /// `[core] ssl_verify`.
    pub ssl_verify: SslVerify,
    /// `[core] timeout`, in seconds.
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for DcosCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token, not even in a debug dump.
        f.debug_struct("DcosCluster")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("path", &self.path)
            .field("attached", &self.attached)
            .field("dcos_url", &self.dcos_url)
            .field("marathon_url", &self.marathon_url)
            .field("token", &self.token.as_ref().map(|_| super::REDACTED))
            .field("ssl_verify", &self.ssl_verify)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `core.ssl_verify`: `"true"`, `"false"` or the path of a CA bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SslVerify {
    #[default]
    Verify,
    NoVerify,
    Ca(PathBuf),
}

impl DcosCluster {
    /// How the user knows it: its `cluster.name`, else its id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Where Marathon is: `marathon.url`, else `<dcos_url>/service/marathon`.
    pub fn marathon(&self) -> Option<String> {
        self.marathon_url.clone().or_else(|| {
            self.dcos_url
                .as_ref()
                .map(|u| format!("{u}/service/marathon"))
        })
    }

    /// The cluster as a podctl cluster entry (what `cluster import` stores); `None` without a URL.
    pub fn entry(&self) -> Option<ClusterEntry> {
        let (insecure, ca_cert) = match &self.ssl_verify {
            SslVerify::Verify => (false, None),
            SslVerify::NoVerify => (true, None),
            SslVerify::Ca(path) => (false, Some(path.clone())),
        };
        let url = self.marathon()?;
        // As the DC/OS CLI does: the token goes only to the DC/OS host itself (same scheme, host
        // and port as `core.dcos_url`), never to a `marathon.url` elsewhere.
        let same_host = self
            .dcos_url
            .as_deref()
            .is_some_and(|dcos| origin(dcos).is_some() && origin(dcos) == origin(&url));
        Some(ClusterEntry {
            url,
            token: self.token.clone().filter(|_| same_host),
            request_timeout: self.timeout.map(|t| format!("{}s", t.as_secs())),
            ca_cert,
            insecure,
            dcos_url: self.dcos_url.clone(),
            ..ClusterEntry::default()
        })
    }

    /// Whether `wanted` names it (its id or its `cluster.name`).
    pub fn is(&self, wanted: &str) -> bool {
        self.id == wanted || self.name.as_deref() == Some(wanted)
    }
}

/// A URL's scheme, host and port, for telling whether two URLs go to the same server.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let url = reqwest::Url::parse(url).ok()?;
    Some((
        url.scheme().to_string(),
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default()?,
    ))
}

/// `$DCOS_DIR`, else `~/.dcos`.
pub fn dir(env: Env) -> Option<PathBuf> {
    env("DCOS_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".dcos")))
}

/// Every cluster under `$DCOS_DIR/clusters`, sorted by id; else the single older file, if any.
/// A file podctl cannot read fails the whole list: the user asked for all of them.
pub fn list(env: Env) -> Result<Vec<DcosCluster>, ConfigError> {
    let mut clusters = Vec::new();
    for (id, path) in cluster_files(env)? {
        if let Some(cluster) = read(&id, &path)? {
            clusters.push(cluster);
        }
    }
    if clusters.is_empty() {
        clusters.extend(legacy(env)?);
    }
    Ok(clusters)
}

/// The cluster to use: `wanted` (a name or id, and the setting that asked for it, as
/// `--cluster dcos:NAME`), else `DCOS_CLUSTER`, else the attached one, else the older single
/// file. `None` when the DC/OS CLI is not set up; an error when a cluster asked for by name is
/// not there.
pub fn select(
    env: Env,
    wanted: Option<(&str, &'static str)>,
) -> Result<Option<DcosCluster>, ConfigError> {
    let (wanted, origin) = match (wanted, env("DCOS_CLUSTER")) {
        (Some((w, origin)), _) => (Some(w.to_string()), origin),
        (None, Some(w)) => (Some(w), "DCOS_CLUSTER"),
        (None, None) => (None, ""),
    };
    if env("DCOS_CONFIG").is_some() && wanted.is_none() {
        return legacy(env);
    }
    let files = cluster_files(env)?;
    if let Some(wanted) = wanted {
        // An id needs no file read but its own; a name needs them all.
        if let Some((id, path)) = files.iter().find(|(id, _)| *id == wanted) {
            return addressed(read(id, path)?);
        }
        let mut known = Vec::new();
        let mut matches = Vec::new();
        for (id, path) in &files {
            if let Some(cluster) = read(id, path)? {
                if cluster.is(&wanted) {
                    matches.push(cluster);
                } else {
                    known.push(cluster.label().to_string());
                }
            }
        }
        // As the DC/OS CLI does: a name two clusters share chooses neither.
        if matches.len() > 1 {
            let ids: Vec<&str> = matches.iter().map(|c| c.id.as_str()).collect();
            return Err(ConfigError::BadValue {
                setting: origin.to_string(),
                reason: format!(
                    "DC/OS CLI clusters {} are all named {wanted:?}; give one's id instead",
                    ids.join(", ")
                ),
            });
        }
        if let Some(cluster) = matches.pop() {
            return addressed(Some(cluster));
        }
        if let Some(cluster) = legacy(env)?.filter(|c| c.is(&wanted)) {
            return Ok(Some(cluster));
        }
        return Err(ConfigError::UnknownCluster {
            origin,
            name: format!("dcos:{wanted}"),
            known: known.into_iter().map(|k| format!("dcos:{k}")).collect(),
        });
    }
    // As the DC/OS CLI does: the only cluster is in use even unattached, and two attached ones
    // are refused rather than one of them guessed.
    let attached: Vec<&(String, PathBuf)> = files.iter().filter(|(_, p)| is_attached(p)).collect();
    let chosen = match (attached.as_slice(), files.as_slice()) {
        ([one], _) => *one,
        ([], [one]) => one,
        ([], []) => return legacy(env),
        ([], _) => return Ok(None),
        (several, _) => {
            let mut names = Vec::new();
            for (id, path) in several {
                names.push(match read(id, path)? {
                    Some(cluster) => cluster.label().to_string(),
                    None => id.clone(),
                });
            }
            return Err(ConfigError::BadValue {
                setting: "DC/OS CLI configuration".into(),
                reason: format!(
                    "clusters {} are all attached; choose one with DCOS_CLUSTER or \
                     --cluster dcos:NAME",
                    names.join(", ")
                ),
            });
        }
    };
    addressed(read(&chosen.0, &chosen.1)?)
}

/// The cluster chosen, or an error when it has no address: going on would send podctl to the
/// default URL with no word about why.
fn addressed(cluster: Option<DcosCluster>) -> Result<Option<DcosCluster>, ConfigError> {
    match cluster {
        Some(c) if c.marathon().is_none() => Err(ConfigError::Unreadable {
            path: c.path.clone(),
            reason: format!(
                "core.dcos_url is not set, so cluster {} (id {}) has no address; run \
                 `dcos cluster setup` again or choose another cluster",
                c.label(),
                c.id
            ),
        }),
        other => Ok(other),
    }
}

/// A warning when a DC/OS CLI file (which holds a token) is readable by others; the DC/OS CLI
/// itself refuses to run then.
pub fn permission_warning(cluster: &DcosCluster) -> Option<String> {
    super::permission_warning(&cluster.path).map(|w| format!("DC/OS CLI {w}"))
}

/// The `(id, dcos.toml)` of each cluster directory, sorted by id.
fn cluster_files(env: Env) -> Result<Vec<(String, PathBuf)>, ConfigError> {
    let Some(dir) = dir(env) else {
        return Ok(Vec::new());
    };
    let clusters = dir.join("clusters");
    let entries = match std::fs::read_dir(&clusters) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(Vec::new()),
        Err(source) => {
            return Err(ConfigError::Io {
                path: clusters,
                source,
            })
        }
    };
    let mut files = Vec::new();
    for entry in entries.take(MAX_CLUSTERS) {
        let entry = entry.map_err(|source| ConfigError::Io {
            path: clusters.clone(),
            source,
        })?;
        let path = entry.path().join(CLUSTER_FILE);
        if path.is_file() {
            files.push((entry.file_name().to_string_lossy().into_owned(), path));
        }
    }
    files.sort();
    Ok(files)
}

fn is_attached(file: &Path) -> bool {
    // The DC/OS CLI counts only a regular file.
    file.parent()
        .is_some_and(|dir| dir.join(ATTACHED_FILE).is_file())
}

/// The older single file: `$DCOS_CONFIG`, else `$DCOS_DIR/dcos.toml`.
fn legacy(env: Env) -> Result<Option<DcosCluster>, ConfigError> {
    let path = match env("DCOS_CONFIG") {
        Some(path) => PathBuf::from(path),
        None => match dir(env) {
            // `DCOS_DIR` naming a file or nothing: the DC/OS CLI is not set up.
            Some(dir) if dir.is_dir() => dir.join(CLUSTER_FILE),
            _ => return Ok(None),
        },
    };
    let mut cluster = read(LEGACY_ID, &path)?;
    if let Some(c) = &mut cluster {
        c.attached = true;
    }
    Ok(cluster)
}

/// Reads one `dcos.toml`; `None` when it is not there.
fn read(id: &str, path: &Path) -> Result<Option<DcosCluster>, ConfigError> {
    let Some(text) = read_config_text(path)? else {
        return Ok(None);
    };
    parse(id, path, &text).map(Some)
}

/// Parses one `dcos.toml`: only the keys podctl uses are looked at.
pub fn parse(id: &str, path: &Path, text: &str) -> Result<DcosCluster, ConfigError> {
    let bad = |reason: String| ConfigError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    // Only TOML's message and the line: its rendering of the line could show a token.
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map(|span| {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            before.iter().filter(|b| **b == b'\n').count() + 1
        });
        let message = e.message().trim_end().replace('\n', "; ");
        bad(match line {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        })
    })?;
    let section = |name: &str| -> Result<Option<&toml::Table>, ConfigError> {
        match table.get(name) {
            None => Ok(None),
            Some(toml::Value::Table(t)) => Ok(Some(t)),
            Some(_) => Err(bad(format!("`{name}` must be a table ([{name}])"))),
        }
    };
    let core = section("core")?;
    let marathon = section("marathon")?;
    let cluster = section("cluster")?;
    let string = |table: Option<&toml::Table>, section: &str, key: &str| match table
        .and_then(|t| t.get(key))
    {
        None => Ok(None),
        Some(toml::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(bad(format!("{section}.{key} must be a string"))),
    };
    let url = |table: Option<&toml::Table>, section: &str, key: &str| {
        let Some(url) = string(table, section, key)? else {
            return Ok(None);
        };
        super::check_url(&url, &super::Origin::Default)
            .map(Some)
            .map_err(|_| {
                bad(format!(
                    "{section}.{key} is not an http(s) URL without query or fragment: {:?}",
                    super::without_userinfo(&url)
                ))
            })
    };
    let ssl_verify = match core.and_then(|t| t.get("ssl_verify")) {
        None => SslVerify::Verify,
        Some(toml::Value::Boolean(true)) => SslVerify::Verify,
        Some(toml::Value::Boolean(false)) => SslVerify::NoVerify,
        Some(toml::Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "" => SslVerify::Verify,
            "false" => SslVerify::NoVerify,
            _ => SslVerify::Ca(PathBuf::from(s.trim())),
        },
        Some(_) => {
            return Err(bad(
                "core.ssl_verify must be \"true\", \"false\" or the path of a CA file".into(),
            ))
        }
    };
    let timeout_error = || bad("core.timeout must be a whole number of seconds above zero".into());
    let timeout = match core.and_then(|t| t.get("timeout")) {
        None => None,
        Some(toml::Value::Integer(n)) => Some(u64::try_from(*n).map_err(|_| timeout_error())?),
        Some(toml::Value::String(s)) => Some(s.trim().parse::<u64>().map_err(|_| timeout_error())?),
        Some(_) => return Err(timeout_error()),
    };
    if timeout == Some(0) || timeout.is_some_and(|t| t > crate::duration::MAX.as_secs()) {
        return Err(timeout_error());
    }
    Ok(DcosCluster {
        id: id.to_string(),
        name: string(cluster, "cluster", "name")?,
        path: path.to_path_buf(),
        attached: is_attached(path),
        dcos_url: url(core, "core", "dcos_url")?,
        marathon_url: url(marathon, "marathon", "url")?,
        token: string(core, "core", "dcos_acs_token")?,
        ssl_verify,
        timeout: timeout.map(Duration::from_secs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, id: &str, text: &str, attached: bool) {
        let cluster = dir.join("clusters").join(id);
        std::fs::create_dir_all(&cluster).unwrap();
        std::fs::write(cluster.join(CLUSTER_FILE), text).unwrap();
        if attached {
            std::fs::write(cluster.join(ATTACHED_FILE), "").unwrap();
        }
    }

    fn env_for(
        dir: &Path,
        extra: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<String> {
        let dir = dir.display().to_string();
        move |name| {
            if name == "DCOS_DIR" {
                return Some(dir.clone());
            }
            extra
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const A: &str = "[core]\ndcos_url = \"https://a.example.com/\"\ndcos_acs_token = \"tok-a\"\n\
                     ssl_verify = \"false\"\ntimeout = 7\n[cluster]\nname = \"alpha\"\n";
    const B: &str = "[core]\ndcos_url = \"https://b.example.com\"\nssl_verify = \"/ca.pem\"\n\
                     [marathon]\nurl = \"http://marathon.b:8080\"\n[cluster]\nname = \"beta\"\n\
                     [package]\ncosmos_url = 3\n";

    #[test]
    fn the_attached_cluster_is_used_and_dcos_cluster_switches() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "id-a", A, false);
        write(dir.path(), "id-b", B, true);
        let env = env_for(dir.path(), &[]);
        let b = select(&env, None).unwrap().unwrap();
        assert_eq!((b.id.as_str(), b.label()), ("id-b", "beta"));
        assert_eq!(b.marathon().as_deref(), Some("http://marathon.b:8080"));
        assert_eq!(b.ssl_verify, SslVerify::Ca("/ca.pem".into()));
        assert!(b.attached);
        let env = env_for(dir.path(), &[("DCOS_CLUSTER", "alpha")]);
        let a = select(&env, None).unwrap().unwrap();
        assert_eq!(a.id, "id-a");
        assert_eq!(
            a.marathon().as_deref(),
            Some("https://a.example.com/service/marathon")
        );
        assert_eq!(a.token.as_deref(), Some("tok-a"));
        assert_eq!(a.timeout, Some(Duration::from_secs(7)));
        assert_eq!(a.ssl_verify, SslVerify::NoVerify);
        let by_id = select(&env, Some(("id-b", "--cluster"))).unwrap().unwrap();
        assert_eq!(by_id.label(), "beta", "an explicit name beats DCOS_CLUSTER");
        let err = select(&env, Some(("gamma", "--cluster")))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("dcos:gamma") && err.contains("dcos:alpha"),
            "{err}"
        );
        assert!(!format!("{a:?}").contains("tok-a"));
        let all = list(&env).unwrap();
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn nothing_attached_is_none_and_the_older_single_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_for(dir.path(), &[]);
        assert_eq!(select(&env, None).unwrap(), None);
        write(dir.path(), "id-a", A, false);
        let only = select(&env, None).unwrap().unwrap();
        assert_eq!(
            only.id, "id-a",
            "the only cluster is used, as the DC/OS CLI does"
        );
        write(dir.path(), "id-b", B, false);
        assert_eq!(select(&env, None).unwrap(), None, "none of two is attached");
        let legacy_dir = tempfile::tempdir().unwrap();
        std::fs::write(legacy_dir.path().join(CLUSTER_FILE), A).unwrap();
        let env = env_for(legacy_dir.path(), &[]);
        let c = select(&env, None).unwrap().unwrap();
        assert_eq!(
            (c.id.as_str(), c.token.as_deref()),
            (LEGACY_ID, Some("tok-a"))
        );
        let file = legacy_dir.path().join("other.toml");
        std::fs::write(&file, B).unwrap();
        let shown: &'static str = Box::leak(file.display().to_string().into_boxed_str());
        let env = env_for(dir.path(), Box::leak(Box::new([("DCOS_CONFIG", shown)])));
        let c = select(&env, None).unwrap().unwrap();
        assert_eq!(c.label(), "beta");
    }

    /// Two clusters with one `cluster.name`: `DCOS_CLUSTER=NAME` took the first by id; the
    /// DC/OS CLI refuses such a name (`multiple matches found`), and an id still picks one.
    #[test]
    fn a_name_two_clusters_share_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "id-a", A, false);
        write(
            dir.path(),
            "id-b",
            &A.replace("a.example", "b.example"),
            false,
        );
        let env = env_for(dir.path(), &[("DCOS_CLUSTER", "alpha")]);
        let err = select(&env, None).unwrap_err().to_string();
        assert!(err.contains("id-a") && err.contains("id-b"), "{err}");
        let env = env_for(dir.path(), &[("DCOS_CLUSTER", "id-b")]);
        let b = select(&env, None).unwrap().unwrap();
        assert_eq!(b.dcos_url.as_deref(), Some("https://b.example.com"));
    }

    #[test]
    fn a_bad_key_is_one_line_naming_the_file_and_the_key() {
        let path = Path::new("/d/clusters/x/dcos.toml");
        for (text, key) in [
            ("[core]\ntimeout = \"soon\"\n", "core.timeout"),
            ("[core]\ntimeout = -1\n", "core.timeout"),
            ("[core]\ndcos_url = 5\n", "core.dcos_url"),
            ("[core]\ndcos_url = \"ftp://x\"\n", "core.dcos_url"),
            ("[marathon]\nurl = \"http://m/?q\"\n", "marathon.url"),
            ("[core]\nssl_verify = 1\n", "core.ssl_verify"),
            ("core = 1\n", "core"),
            ("[core]\ndcos_acs_token = \"secret-token\"\nx = = 1\n", ""),
        ] {
            let err = parse("x", path, text).unwrap_err().to_string();
            assert!(
                err.contains("/d/clusters/x/dcos.toml") && err.contains(key),
                "{err}"
            );
            assert!(
                !err.contains('\n') && !err.contains("secret-token"),
                "{err}"
            );
        }
    }

    #[test]
    fn an_entry_carries_url_token_tls_and_timeout() {
        let a = parse("id-a", Path::new("/x"), A).unwrap();
        let e = a.entry().unwrap();
        assert_eq!(e.url, "https://a.example.com/service/marathon");
        assert_eq!(e.token.as_deref(), Some("tok-a"));
        assert!(e.insecure);
        assert_eq!(e.request_timeout.as_deref(), Some("7s"));
        assert_eq!(e.dcos_url.as_deref(), Some("https://a.example.com"));
        assert_eq!(parse("y", Path::new("/x"), "").unwrap().entry(), None);
        // The token stays with the DC/OS host: not sent to a Marathon elsewhere.
        let text = "[core]\ndcos_url = \"https://a.example.com\"\ndcos_acs_token = \"t\"\n\
                    [marathon]\nurl = \"https://marathon.example.com\"\n";
        let e = parse("z", Path::new("/x"), text).unwrap().entry().unwrap();
        assert_eq!(
            (e.url.as_str(), e.token),
            ("https://marathon.example.com", None)
        );
        let text = text.replace("marathon.example.com", "A.example.com:443/marathon");
        let e = parse("z", Path::new("/x"), &text).unwrap().entry().unwrap();
        assert_eq!(e.token.as_deref(), Some("t"));
    }
}
