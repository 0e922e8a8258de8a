//! `podctl pod remove`: delete a pod (DELETE /v2/pods/{id}).

use anyhow::{Context, Result};

use super::Ctx;
use crate::cli::RemoveArgs;

pub fn run(ctx: &mut Ctx, args: &RemoveArgs) -> Result<()> {
    let deployment = ctx
        .client()?
        .delete_pod(&args.id, args.force)
        .with_context(|| format!("removing pod {}", args.id))?;
    ctx.report_deployment(&args.id, deployment.as_deref())
}
