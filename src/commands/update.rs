//! `podctl pod update`: replace a pod's definition (PUT /v2/pods/{id}).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result};

use super::wait::Target;
use super::wait::{follow_with, prepare};
use super::{input, Ctx};
use crate::cli::{Source, UpdateArgs};
use crate::error::{NotFound, UsageError};

pub fn run(ctx: &mut Ctx, args: &UpdateArgs) -> Result<()> {
    if args.file.is_none() {
        if let Some(file) = id_is_a_file(args.id.as_str()) {
            return Err(UsageError::Usage(format!(
                "the pod id is missing: {file} is a file (usage: podctl pod update ID {file})"
            ))
            .into());
        }
    }
    let def = input::load(
        ctx,
        &Source::from_arg(args.file.as_deref()),
        Some(&args.id),
        &args.checks,
    )?;
    let client = ctx.client()?;
    // Marathon's PUT creates a missing pod; like the original CLI we refuse, so a typo in the id
    // never deploys a second pod. `pod add` creates.
    if let Err(e) = client.pod(&args.id) {
        if e.status() == Some(404) {
            return Err(NotFound(format!(
                "Pod '{}' does not exist (create it with `podctl pod add`)",
                args.id
            )))
            .with_context(|| format!("updating pod {}", args.id));
        }
        return Err(e).with_context(|| format!("updating pod {}", args.id));
    }
    // Subscribed before the write: no event of the deployment it starts is missed.
    let early = prepare(&client, &args.wait);
    let deployment = client
        .update_pod(&args.id, def.body()?, args.force)
        .with_context(|| format!("updating pod {}", args.id))?;
    ctx.report_deployment(&args.id, deployment.as_deref())?;
    // The goal (restart or scale) is read from the deployment's steps while waiting.
    let target = Target {
        deployment,
        pods: vec![(args.id.clone(), None)],
    };
    follow_with(ctx, &client, &args.wait, target, early)
}

/// `pod update web.json` (the id forgotten) would take the path as the id and wait on stdin.
/// When the id names an existing file and no file follows, that file is what was meant. A
/// definition piped to `pod update /web` is still read when a file `web` happens to exist,
/// unless the id ends in `.json`.
fn id_is_a_file(id: &str) -> Option<String> {
    let relative = id.trim_start_matches('/');
    let likely = id.ends_with(".json") || std::io::stdin().is_terminal();
    if !likely {
        return None;
    }
    [relative, id]
        .into_iter()
        .find(|path| Path::new(path).is_file())
        .map(str::to_string)
}
