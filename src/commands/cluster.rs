//! `podctl cluster add|list|use|remove`: the named clusters in the config file.

use anyhow::Result;
use serde_json::json;

use super::{Ctx, Mode};
use crate::cli::ClusterCommand;
use crate::config::{self, ClusterEntry, ConfigFile, Origin};
use crate::exit::{Exit, Failure};
use crate::render::{self, ClusterRow};

pub fn run(ctx: &mut Ctx, cmd: &ClusterCommand) -> Result<()> {
    let path = config::config_path(&config::process_env)?;
    let (mut file, warnings) = ConfigFile::load_with_warnings(&path)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    match cmd {
        ClusterCommand::Add(args) => {
            let Some(url) = &ctx.global.url else {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("cluster add needs --url, e.g. `podctl cluster add {} --url http://127.0.0.1:8080`", args.name),
                )
                .into());
            };
            let url = config::check_url(url, &Origin::Flag("--url"))
                .map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
            // Credentials are kept as fields, so the URL can be shown without them.
            let (url, basic) = config::split_credentials(&url);
            check_name(&args.name)?;
            let ca_cert = match &ctx.global.ca_cert {
                Some(path) => Some(std::fs::canonicalize(path).map_err(|e| {
                    Failure::new(Exit::Usage, format!("--ca-cert {}: {e}", path.display()))
                })?),
                None => None,
            };
            let replaced = file
                .clusters
                .insert(
                    args.name.clone(),
                    ClusterEntry {
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
                    },
                )
                .is_some();
            if file.current.is_none() || args.make_current {
                file.current = Some(args.name.clone());
            }
            file.save(&path)?;
            let verb = if replaced { "Updated" } else { "Added" };
            let current = if file.current.as_deref() == Some(args.name.as_str()) {
                " (current)"
            } else {
                ""
            };
            if ctx.mode == Mode::Human {
                writeln!(ctx.out, "{verb} cluster {}{current}", args.name)?;
            }
        }
        ClusterCommand::List => {
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
            match ctx.mode {
                Mode::Json => {
                    let list: Vec<_> = rows
                        .iter()
                        .map(|r| {
                            json!({"name": r.name, "url": r.url, "current": r.current, "token": r.has_token})
                        })
                        .collect();
                    render::write_json(ctx.out, &list)?;
                }
                _ if rows.is_empty() => {
                    eprintln!("No clusters. Add one with `podctl cluster add NAME --url URL`.")
                }
                Mode::Quiet => {
                    for r in &rows {
                        writeln!(ctx.out, "{}", r.name)?;
                    }
                }
                Mode::Human => ctx
                    .out
                    .write_all(render::cluster_list(&rows, ctx.style).as_bytes())?,
            }
        }
        ClusterCommand::Use(args) => {
            known(&file, &args.name)?;
            file.current = Some(args.name.clone());
            file.save(&path)?;
            if ctx.mode == Mode::Human {
                writeln!(ctx.out, "Now using cluster {}", args.name)?;
            }
        }
        ClusterCommand::Remove(args) => {
            known(&file, &args.name)?;
            file.clusters.remove(&args.name);
            let was_current = file.current.as_deref() == Some(args.name.as_str());
            if was_current {
                file.current = None;
            }
            file.save(&path)?;
            if ctx.mode == Mode::Human {
                writeln!(ctx.out, "Removed cluster {}", args.name)?;
            }
            if was_current {
                eprintln!(
                    "note: {} was the current cluster; no cluster is current now, so commands \
                     go to {} unless told otherwise (`podctl cluster use NAME`)",
                    args.name,
                    config::DEFAULT_URL
                );
            }
        }
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
    Err(Failure::new(Exit::Usage, format!("no cluster named {name:?} ({hint})")).into())
}

/// Names become TOML keys and shell words: keep them simple.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Usage,
            format!("cluster name {name:?} may only contain letters, digits, '-', '_' and '.'"),
        )
        .into())
    }
}
