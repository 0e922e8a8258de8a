//! `podctl cluster import`: copies the DC/OS CLI's clusters into podctl's config file, named
//! after their `cluster.name`. It only reads the DC/OS CLI's files.

use std::path::Path;

use anyhow::Result;

use super::{Ctx, Mode};
use crate::cli::ClusterImportArgs;
use crate::config::dcos::{self, DcosCluster};
use crate::config::{self, ConfigFile};
use crate::error::UsageError;
use crate::pod::text::printable;

pub fn run(
    ctx: &mut Ctx,
    file: &mut ConfigFile,
    path: &Path,
    args: &ClusterImportArgs,
) -> Result<()> {
    let env = &config::process_env;
    let all = dcos::list(env)?;
    let dir = dcos::dir(env).map_or_else(|| "~/.dcos".to_string(), |d| d.display().to_string());
    if all.is_empty() {
        return Err(UsageError::Usage(format!(
            "no DC/OS CLI clusters in {dir} (set DCOS_DIR to where the DC/OS CLI keeps them)"
        ))
        .into());
    }
    let mut chosen: Vec<&DcosCluster> = Vec::new();
    for wanted in &args.names {
        let wanted = wanted.strip_prefix(config::DCOS_PREFIX).unwrap_or(wanted);
        match all.iter().find(|c| c.is(wanted)) {
            Some(c) => chosen.push(c),
            None => {
                let known: Vec<&str> = all.iter().map(DcosCluster::label).collect();
                return Err(UsageError::Usage(format!(
                    "no DC/OS CLI cluster named {wanted:?} in {dir} (known: {})",
                    known.join(", ")
                ))
                .into());
            }
        }
    }
    if args.names.is_empty() {
        chosen = all.iter().collect();
    }
    // Two attached clusters make neither current: the DC/OS CLI itself refuses to choose.
    let one_attached = all.iter().filter(|c| c.attached).count() == 1;
    let mut lines = Vec::new();
    let mut imported = Vec::new();
    let mut make_current = None;
    for cluster in &chosen {
        let Some(mut entry) = cluster.entry() else {
            eprintln!(
                "warning: DC/OS CLI cluster {} ({}) has no core.dcos_url; skipped",
                printable(cluster.label()),
                cluster.path.display()
            );
            continue;
        };
        let name = name_for(cluster, file);
        let replaced = match file.clusters.get(&name) {
            Some(old) => {
                // A login kept for this very cluster stays with it.
                if old.url == entry.url {
                    entry.login = old.login.clone();
                }
                true
            }
            None => false,
        };
        imported.push(serde_json::json!({
            "cluster": name,
            "url": config::without_userinfo(&entry.url),
            "from": cluster.path.display().to_string(),
            "updated": replaced,
        }));
        file.clusters.insert(name.clone(), entry);
        let verb = if replaced { "Updated" } else { "Imported" };
        lines.push(format!(
            "{verb} cluster {name} from the DC/OS CLI ({})",
            cluster.path.display()
        ));
        if (cluster.attached && one_attached) || chosen.len() == 1 {
            make_current = Some(name);
        }
    }
    if lines.is_empty() {
        return Err(
            UsageError::Usage("no DC/OS CLI cluster with an address to import".into()).into(),
        );
    }
    if let Some(name) = make_current.filter(|_| file.current.is_none() || args.make_current) {
        file.current = Some(name.clone());
        lines.push(format!("Now using cluster {name}"));
    } else if args.make_current {
        eprintln!(
            "warning: --use: no cluster made current, since the DC/OS CLI has none attached or \
             several; choose one with `podctl cluster use NAME`"
        );
    }
    file.save(path)?;
    match ctx.mode {
        Mode::Human => {
            for line in lines {
                writeln!(ctx.out, "{}", printable(&line))?;
            }
        }
        Mode::Json => crate::render::write_json(
            ctx.out,
            &serde_json::json!({"imported": imported, "current": file.current}),
        )?,
        Mode::Quiet => {}
    }
    Ok(())
}

/// The podctl name of a DC/OS CLI cluster: its `cluster.name` with anything but letters,
/// digits, `-`, `_` and `.` made `-`; its id when that name is taken by another URL.
pub fn name_for(cluster: &DcosCluster, file: &ConfigFile) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let mut name = clean(cluster.label());
    if name.trim_matches('-').is_empty() {
        name = clean(&cluster.id);
    }
    let url = cluster.marathon();
    let taken = |n: &str| {
        file.clusters
            .get(n)
            .is_some_and(|e| Some(&e.url) != url.as_ref())
    };
    if taken(&name) {
        let id: String = clean(&cluster.id).chars().take(8).collect();
        name = format!("{name}-{id}");
    }
    name
}
