//! `podctl pod remove`: delete a pod (DELETE /v2/pods/{id}).

use anyhow::{Context, Result};

use super::wait::Target;
use super::wait::{follow_with, prepare};
use super::Ctx;
use crate::cli::RemoveArgs;
use crate::pod::progress::Goal;

pub fn run(ctx: &mut Ctx, args: &RemoveArgs) -> Result<()> {
    let client = ctx.client()?;
    // Subscribed before the write: no event of the deployment it starts is missed.
    let early = prepare(&client, &args.wait);
    let deployment = client
        .delete_pod(&args.id, args.force)
        .with_context(|| format!("removing pod {}", args.id))?;
    ctx.report_deployment(&args.id, deployment.as_deref())?;
    let target = Target {
        deployment,
        pods: vec![(args.id.clone(), Some(Goal::Removed))],
    };
    follow_with(ctx, &client, &args.wait, target, early)
}
