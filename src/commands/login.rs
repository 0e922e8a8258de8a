//! `podctl cluster login`: logs in to a DC/OS cluster with a password or a service account's
//! key and stores the token (and, for renewal, the key's path or a remembered password) with
//! the cluster in podctl's config file.

use std::path::Path;

use anyhow::{Context, Result};

use super::{import, Ctx, Mode};
use crate::cli::ClusterLoginArgs;
use crate::config::{self, dcos, ClusterEntry, ConfigFile, Login, Origin, Tls};
use crate::error::UsageError;
use crate::http::{Http, Options, SetupError};
use crate::marathon::auth::{self, Secret};
use crate::pod::text::printable;

pub fn run(
    ctx: &mut Ctx,
    file: &mut ConfigFile,
    path: &Path,
    args: &ClusterLoginArgs,
) -> Result<()> {
    if args.username.trim().is_empty() {
        // An unset variable in a script: the cluster's 401 would blame the credentials.
        return Err(UsageError::Usage("--username: the account id is empty".into()).into());
    }
    let (name, mut entry, from_dcos) = target(ctx, file, args)?;
    let secret = secret(args)?;
    let login_url = entry.login_url().ok_or_else(|| {
        UsageError::Usage(format!(
            "cluster {name}: its URL {:?} is not one to log in at",
            config::without_userinfo(&entry.url)
        ))
    })?;
    let tls = Tls {
        ca_cert: ctx.global.ca_cert.clone().or(entry.ca_cert.clone()),
        insecure: ctx.global.insecure || entry.insecure,
    };
    super::warn_if_unverified(&login_url, tls.insecure);
    let timeout = ctx
        .global
        .request_timeout
        .unwrap_or(config::DEFAULT_TIMEOUT);
    let mut options = Options::new(&login_url, tls, timeout);
    options.log = ctx.log();
    let http = Http::new(options).map_err(|e| {
        // A CA file the cluster named (not --ca-cert) is told with where it was named.
        let named = match (&e, &from_dcos) {
            (SetupError::CaFile { .. }, _) if ctx.global.ca_cert.is_some() => None,
            (SetupError::CaFile { .. }, Some(path)) => Some(format!(
                "DC/OS CLI config {}: core.ssl_verify",
                path.display()
            )),
            (SetupError::CaFile { .. }, None) => Some(format!("cluster {name}: ca_cert")),
            _ => None,
        };
        match named {
            Some(named) => anyhow::Error::new(e).context(named),
            None => e.into(),
        }
    })?;
    let token = auth::login(&http, &login_url, &args.username, &secret, None)?;
    // A login answered at a URL with no path is DC/OS's IAM at the cluster's root, where
    // Marathon is not: Admin Router serves it under /service/marathon.
    let moved = dcos_marathon(&entry);
    if let Some(marathon) = &moved {
        entry.url = marathon.clone();
    }

    entry.token = Some(token.clone());
    entry.login = Some(Login {
        uid: args.username.clone(),
        private_key: match &secret {
            Secret::Key(key) => Some(key.clone()),
            Secret::Password(_) => None,
        },
        password: match &secret {
            Secret::Password(p) if args.remember => Some(p.clone()),
            _ => None,
        },
    });
    file.clusters.insert(name.clone(), entry);
    if file.current.is_none() {
        file.current = Some(name.clone());
    }
    file.save(path)?;

    if let Some(at) = auth::expiry(&token).filter(|at| *at <= std::time::SystemTime::now()) {
        // Each command would log in again first, and a token refused at once would follow.
        eprintln!(
            "warning: the token the cluster gave has already expired (at {}) by this \
             machine's clock: is this machine's clock, or the cluster's, wrong?",
            humantime::format_rfc3339_seconds(at)
        );
    }
    if ctx.mode == Mode::Json {
        // Never the token: what a script needs to know is where, as whom and until when.
        let expires =
            auth::expiry(&token).map(|at| humantime::format_rfc3339_seconds(at).to_string());
        let stored = &file.clusters[&name];
        crate::render::write_json(
            ctx.out,
            &serde_json::json!({
                "cluster": name,
                "url": config::without_userinfo(&stored.url),
                "uid": args.username,
                "tokenExpires": expires,
            }),
        )?;
    }
    if ctx.mode == Mode::Human {
        let until = match auth::expiry(&token) {
            Some(at) => format!(
                "; the token expires at {}",
                humantime::format_rfc3339_seconds(at)
            ),
            None => String::new(),
        };
        let at = match &moved {
            Some(marathon) => format!(
                " (Marathon at {}, under DC/OS's /service/marathon)",
                printable(&config::without_userinfo(marathon))
            ),
            None => String::new(),
        };
        writeln!(
            ctx.out,
            "Logged in to cluster {name} as {}{at}{until}",
            printable(&args.username)
        )?;
        let renews = match &secret {
            Secret::Key(_) => "podctl renews it with the private key when it expires",
            Secret::Password(_) if args.remember => {
                "podctl renews it with the remembered password when it expires"
            }
            Secret::Password(_) => {
                "run this login again when it expires (or use --remember or a service account)"
            }
        };
        eprintln!("note: {renews}");
    }
    Ok(())
}

/// The cluster to log in to, and its entry as it will be stored: `--url` adds or updates NAME;
/// else NAME (or the cluster in use) is podctl's, or the DC/OS CLI's, copied then.
/// The third value is the DC/OS CLI file a cluster was copied from.
fn target(
    ctx: &Ctx,
    file: &ConfigFile,
    args: &ClusterLoginArgs,
) -> Result<(String, ClusterEntry, Option<std::path::PathBuf>)> {
    if let Some(url) = &ctx.global.url {
        let Some(name) = &args.name else {
            return Err(UsageError::Usage(
                "cluster login --url needs a NAME to store the cluster under".into(),
            )
            .into());
        };
        super::cluster::check_name(name)?;
        let url = config::check_url(url, &Origin::Flag("--url"))?;
        let (url, _) = config::split_credentials(&url);
        let mut entry = file.clusters.get(name).cloned().unwrap_or_default();
        // The root of a cluster stored with Marathon under it is the same cluster.
        let under_root = ClusterEntry {
            url: url.clone(),
            ..ClusterEntry::default()
        };
        if entry.url != url && dcos_marathon(&under_root).as_ref() != Some(&entry.url) {
            // Another cluster now: nothing stored for the old URL goes with it.
            entry = ClusterEntry::default();
            entry.url = url;
        }
        return Ok((name.clone(), entry, None));
    }
    let name =
        match &args.name {
            Some(name) => name.clone(),
            None => match ctx.resolve(false)?.cluster {
                Some(name) => name,
                None => return Err(UsageError::Usage(
                    "no cluster is in use: name one (`podctl cluster login NAME ...`), or give \
                     its address with --url"
                        .into(),
                )
                .into()),
            },
        };
    if let Some(entry) = file.clusters.get(&name) {
        return Ok((name, entry.clone(), None));
    }
    // One of the DC/OS CLI's clusters: copied into podctl's file, never changed in place.
    let wanted = name.strip_prefix(config::DCOS_PREFIX).unwrap_or(&name);
    let cluster = dcos::select(&config::process_env, Some((wanted, "cluster login NAME")))?
        .with_context(|| format!("no cluster named {name:?}"))?;
    let entry = cluster.entry().ok_or_else(|| {
        UsageError::Usage(format!(
            "DC/OS CLI cluster {} ({}) has no core.dcos_url",
            cluster.label(),
            cluster.path.display()
        ))
    })?;
    Ok((import::name_for(&cluster, file), entry, Some(cluster.path)))
}

/// `<url>/service/marathon` when the cluster's URL is a bare DC/OS address (no path) and
/// logins go there (no `dcos_url` of its own).
fn dcos_marathon(entry: &ClusterEntry) -> Option<String> {
    if entry.dcos_url.is_some() {
        return None;
    }
    let url = config::check_url(&entry.url, &Origin::Default).ok()?;
    let parsed = reqwest::Url::parse(&url).ok()?;
    (parsed.path() == "/").then(|| format!("{url}/service/marathon"))
}

/// The secret named by the flags; a password is read here, a key only when signing.
fn secret(args: &ClusterLoginArgs) -> Result<Secret> {
    if let Some(key) = &args.private_key {
        // The path is kept for renewal: make it independent of the directory podctl runs in.
        let key = std::fs::canonicalize(key).map_err(|source| UsageError::File {
            flag: "--private-key",
            path: key.clone(),
            source,
        })?;
        return Ok(Secret::Key(key));
    }
    if let Some(file) = &args.password_file {
        let password = auth::read_password_file(file).map_err(|source| UsageError::File {
            flag: "--password-file",
            path: file.clone(),
            source,
        })?;
        if password.is_empty() {
            return Err(UsageError::Usage(format!(
                "--password-file {}: the first line is empty; it must hold the password",
                printable(&file.display().to_string())
            ))
            .into());
        }
        return Ok(Secret::Password(password));
    }
    if let Some(var) = &args.password_env {
        return match std::env::var(var) {
            Ok(password) if !password.is_empty() => Ok(Secret::Password(password)),
            _ => Err(UsageError::Usage(format!(
                "--password-env {var}: the variable is not set (or empty)"
            ))
            .into()),
        };
    }
    Err(UsageError::Usage("give --private-key, --password-file or --password-env".into()).into())
}
