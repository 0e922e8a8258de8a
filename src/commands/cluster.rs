//! `podctl cluster add|list|use|remove`: the named clusters in the config file (`import` and
//! `login` have their own files).

use std::path::Path;

use anyhow::Result;

use super::{Ctx, Mode};
use crate::cli::{ClusterAddArgs, ClusterCommand};
use crate::config::{self, ClusterEntry, ConfigFile, Origin};
use crate::error::UsageError;
use crate::render::{self, ClusterRow};

pub fn run(ctx: &mut Ctx, cmd: &ClusterCommand) -> Result<()> {
    let path = config::config_path(&config::process_env)?;
    let (mut file, warnings) = ConfigFile::load_with_warnings(&path)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    match cmd {
        ClusterCommand::Add(args) => add(ctx, &mut file, &path, args),
        ClusterCommand::List => list(ctx, &file),
        ClusterCommand::Import(args) => super::import::run(ctx, &mut file, &path, args),
        ClusterCommand::Login(args) => super::login::run(ctx, &mut file, &path, args),
        ClusterCommand::Use(args) => {
            known(&file, &args.name)?;
            file.current = Some(args.name.clone());
            file.save(&path)?;
            say(ctx, &format!("Now using cluster {}", args.name))
        }
        ClusterCommand::Remove(args) => {
            known(&file, &args.name)?;
            file.clusters.remove(&args.name);
            let was_current = file.current.as_deref() == Some(args.name.as_str());
            if was_current {
                file.current = None;
            }
            file.save(&path)?;
            say(ctx, &format!("Removed cluster {}", args.name))?;
            if was_current {
                eprintln!(
                    "note: {} was the current cluster; no cluster is current now, so commands \
                     go to {} unless told otherwise (`podctl cluster use NAME`)",
                    args.name,
                    config::DEFAULT_URL
                );
            }
            Ok(())
        }
    }
}

/// `cluster add`: stores the global flags given (`--url`, `--token`, TLS, limits) under a name.
fn add(ctx: &mut Ctx, file: &mut ConfigFile, path: &Path, args: &ClusterAddArgs) -> Result<()> {
    let Some(url) = &ctx.global.url else {
        return Err(UsageError::Usage(format!(
            "cluster add needs --url, e.g. `podctl cluster add {} --url http://127.0.0.1:8080`",
            args.name
        ))
        .into());
    };
    let url = config::check_url(url, &Origin::Flag("--url"))?;
    // Credentials are kept as fields, so the URL can be shown without them.
    let (url, basic) = config::split_credentials(&url);
    check_name(&args.name)?;
    let ca_cert = match &ctx.global.ca_cert {
        Some(path) => Some(
            std::fs::canonicalize(path).map_err(|source| UsageError::File {
                flag: "--ca-cert",
                path: path.clone(),
                source,
            })?,
        ),
        None => None,
    };
    let entry = ClusterEntry {
        url,
        token: ctx.global.token.clone(),
        username: basic.as_ref().map(|b| b.username.clone()),
        password: basic.map(|b| b.password),
        request_timeout: ctx
            .global
            .request_timeout
            .map(|t| humantime::format_duration(t).to_string()),
        ca_cert,
        insecure: ctx.global.insecure,
        max_response: ctx.global.max_response.map(crate::size::show),
        ..ClusterEntry::default()
    };
    let replaced = file.clusters.insert(args.name.clone(), entry).is_some();
    if file.current.is_none() || args.make_current {
        file.current = Some(args.name.clone());
    }
    file.save(path)?;
    let verb = if replaced { "Updated" } else { "Added" };
    let current = if file.current.as_deref() == Some(args.name.as_str()) {
        " (current)"
    } else {
        ""
    };
    say(ctx, &format!("{verb} cluster {}{current}", args.name))
}

fn list(ctx: &mut Ctx, file: &ConfigFile) -> Result<()> {
    let rows: Vec<ClusterRow> = file
        .clusters
        .iter()
        .map(|(name, c)| ClusterRow {
            name: name.clone(),
            // A hand-written URL may hold a password.
            url: config::without_userinfo(&c.url),
            current: file.current.as_deref() == Some(name.as_str()),
            has_token: c.token.is_some(),
        })
        .collect();
    if rows.is_empty() && ctx.mode != Mode::Json {
        eprintln!("No clusters. Add one with `podctl cluster add NAME --url URL`.");
        let dcos = config::dcos::list(&config::process_env).unwrap_or_default();
        if !dcos.is_empty() {
            let names: Vec<String> = dcos
                .iter()
                .map(|c| crate::pod::text::printable(c.label()).into_owned())
                .collect();
            eprintln!(
                "The DC/OS CLI has {}: use them as `--cluster dcos:NAME`, or copy them with \
                 `podctl cluster import`.",
                names.join(", ")
            );
        }
        return Ok(());
    }
    render::write_clusters(ctx.out, &rows, ctx.mode, ctx.style)?;
    Ok(())
}

/// A confirmation for people; `--json` and `-q` print nothing on success.
fn say(ctx: &mut Ctx, line: &str) -> Result<()> {
    if ctx.mode == Mode::Human {
        writeln!(ctx.out, "{line}")?;
    }
    Ok(())
}

fn known(file: &ConfigFile, name: &str) -> Result<()> {
    if file.clusters.contains_key(name) {
        return Ok(());
    }
    let known = file.clusters.keys().cloned().collect::<Vec<_>>().join(", ");
    let hint = if known.is_empty() {
        "no clusters are configured".to_string()
    } else {
        format!("known: {known}")
    };
    Err(UsageError::Usage(format!("no cluster named {name:?} ({hint})")).into())
}

/// Names become TOML keys and shell words: keep them simple.
pub(super) fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(UsageError::Usage(format!(
            "cluster name {name:?} may only contain letters, digits, '-', '_' and '.'"
        ))
        .into())
    }
}
