//! `podctl pod add`: create a pod (POST /v2/pods).

use anyhow::{Context, Result};

use super::wait::Target;
use super::wait::{follow_with, prepare};
use super::{input, Ctx};
use crate::cli::{AddArgs, Source};
use crate::pod::progress::Goal;

pub fn run(ctx: &mut Ctx, args: &AddArgs) -> Result<()> {
    let def = input::load(
        ctx,
        &Source::from_arg(args.file.as_deref()),
        None,
        &args.checks,
    )?;
    let client = ctx.client()?;
    // Subscribed before the write: no event of the deployment it starts is missed.
    let early = prepare(&client, &args.wait);
    let deployment = client
        .create_pod(def.body()?)
        .with_context(|| format!("creating pod {}", def.id))?;
    ctx.report_deployment(&def.id, deployment.as_deref())?;
    let target = Target {
        deployment,
        pods: vec![(
            def.id,
            Some(Goal::Running {
                current_version: true,
            }),
        )],
    };
    follow_with(ctx, &client, &args.wait, target, early)
}
