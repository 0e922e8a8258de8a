//! `podctl deployment list|watch|rollback|stop`: Marathon's deployments (`/v2/deployments`).

use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use super::wait::{self, Target, Timing};
use super::{Ctx, Mode};
use crate::cli::DeploymentCommand;
use crate::error::NotFound;
use crate::marathon::Client;
use crate::pod::text::printable;
use crate::pod::{Deployment, PodId};
use crate::render;

pub fn run(ctx: &mut Ctx, cmd: &DeploymentCommand) -> Result<()> {
    let client = ctx.client()?;
    match cmd {
        DeploymentCommand::List => list(ctx, &client),
        DeploymentCommand::Watch(args) => {
            let timing = Timing {
                timeout: args.watch.timeout,
                interval: args.watch.interval,
            };
            // Looking the deployment up is part of the watch: `--timeout` bounds it too.
            let start = Instant::now();
            // Subscribed before the look-up: its end cannot fall between the two.
            let early = wait::prepare_for(&client, timing.timeout);
            let d = find(&client.until(start + timing.timeout), &args.id).map_err(|e| {
                if wait::is_deadline(&e, start + timing.timeout) {
                    wait::lookup_timed_out(&args.id, timing.timeout)
                } else {
                    e
                }
            })?;
            let target = target(Some(args.id.clone()), &d);
            wait::wait_with(ctx, &client, &target, timing, start, Some(early))
        }
        DeploymentCommand::Rollback(args) => {
            let original = find(&client, &args.id)?;
            let early = wait::prepare(&client, &args.wait);
            let rollback = client
                .delete_deployment(&args.id, false)
                .with_context(|| format!("rolling back deployment {}", args.id))?;
            match (ctx.mode, &rollback) {
                (Mode::Json, _) => render::write_json(
                    ctx.out,
                    &json!({"deploymentId": rollback, "rollbackOf": args.id}),
                )?,
                (Mode::Quiet, Some(id)) => writeln!(ctx.out, "{}", printable(id))?,
                (Mode::Human, Some(id)) => {
                    writeln!(ctx.out, "Created deployment {}", printable(id))?
                }
                (_, None) => eprintln!(
                    "warning: Marathon did not say which deployment rolls back {}",
                    printable(&args.id)
                ),
            }
            // Like add, update and remove: the line comes before a `--wait` that may take
            // minutes (stdout is buffered; progress goes to stderr at once).
            ctx.out.flush()?;
            wait::follow_with(ctx, &client, &args.wait, target(rollback, &original), early)
        }
        DeploymentCommand::Stop(args) => {
            client
                .delete_deployment(&args.id, true)
                .with_context(|| format!("stopping deployment {}", args.id))?;
            match ctx.mode {
                Mode::Json => {
                    render::write_json(ctx.out, &json!({"deploymentId": args.id, "stopped": true}))?
                }
                Mode::Quiet => writeln!(ctx.out, "{}", printable(&args.id))?,
                Mode::Human => writeln!(ctx.out, "Stopped deployment {}", printable(&args.id))?,
            }
            Ok(())
        }
    }
}

fn list(ctx: &mut Ctx, client: &Client) -> Result<()> {
    let mut deployments = client.deployments().context("listing deployments")?;
    // Oldest first, by instant: the text of a version varies in its fraction digits.
    let at = |v: &Option<String>| v.as_deref().and_then(crate::pod::time::parse_timestamp);
    deployments.sort_by(|a, b| at(&a.version).cmp(&at(&b.version)).then(a.id.cmp(&b.id)));
    match ctx.mode {
        Mode::Json => render::write_json(ctx.out, &deployments)?,
        _ if deployments.is_empty() => eprintln!("No deployments."),
        Mode::Quiet => {
            for d in &deployments {
                writeln!(ctx.out, "{}", printable(&d.id))?;
            }
        }
        Mode::Human => {
            let text = render::deployments(&deployments, super::now(), ctx.style);
            ctx.out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// Looks a running deployment up; Marathon has no `GET /v2/deployments/{id}`.
fn find(client: &Client, id: &str) -> Result<Deployment> {
    client
        .deployments()
        .context("listing deployments")?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| {
            NotFound(format!(
                "deployment {} is not running (unknown, or already finished)",
                printable(id)
            ))
            .into()
        })
}

/// Follows `deployment` and the pods `affected` touches; goals come from the plan's steps.
/// A pod id the server sends that is no valid id is not followed: it could not be addressed
/// safely, and Marathon never sends one.
fn target(deployment: Option<String>, affected: &Deployment) -> Target {
    Target {
        deployment,
        pods: affected
            .affected_pods
            .iter()
            .filter_map(|p| PodId::parse(p).ok())
            .map(|p| (p, None))
            .collect(),
    }
}
