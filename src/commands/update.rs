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
    let current = match client.pod(&args.id) {
        Ok(current) => current,
        Err(e) if e.status() == Some(404) => {
            return Err(NotFound(format!(
                "Pod '{}' does not exist (create it with `podctl pod add`)",
                args.id
            )))
            .with_context(|| format!("updating pod {}", args.id));
        }
        Err(e) => return Err(e).with_context(|| format!("updating pod {}", args.id)),
    };
    if args.diff {
        show_diff(ctx, args, current, &def.value)?;
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

/// `--diff`: the diff and verdict before sending, on stdout (stderr with `--json` or `-q`, which
/// keep stdout for their own output).
fn show_diff(
    ctx: &mut Ctx,
    args: &UpdateArgs,
    current: crate::pod::PodDefinition,
    local: &serde_json::Value,
) -> Result<()> {
    let current = serde_json::to_value(current).context("encoding the deployed definition")?;
    let comparison = crate::pod::diff::compare(&current, local);
    let source = args.file.as_deref().unwrap_or("stdin");
    let to_stdout = ctx.mode == super::Mode::Human;
    let colour = if to_stdout {
        ctx.style.color
    } else {
        std::io::stderr().is_terminal()
            && !ctx.global.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    };
    let text = format!(
        "{}{}: {}\n",
        comparison.unified_labelled(colour, &format!("{} (deployed)", args.id), source),
        args.id,
        comparison.verdict.summary()
    );
    if to_stdout {
        ctx.out.write_all(text.as_bytes())?;
        ctx.out.flush()?;
    } else {
        eprint!("{text}");
    }
    Ok(())
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
