//! `podctl pod add`: create a pod (POST /v2/pods).

use anyhow::{Context, Result};

use super::{input, Ctx};
use crate::cli::{AddArgs, Source};

pub fn run(ctx: &mut Ctx, args: &AddArgs) -> Result<()> {
    let def = input::load(&Source::from_arg(args.file.as_deref()), None)?;
    let client = ctx.client()?;
    let written = client
        .create_pod(def.body()?)
        .with_context(|| format!("creating pod {}", def.id))?;
    ctx.report_deployment(&def.id, written.deployment_id.as_deref())
}
