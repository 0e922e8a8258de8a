//! `podctl pod show`: one pod's status (GET /v2/pods/{id}::status).

use std::time::SystemTime;

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::cli::ShowArgs;
use crate::pod::text::printable;
use crate::render;

pub fn run(ctx: &mut Ctx, args: &ShowArgs) -> Result<()> {
    let client = ctx.client()?;
    if ctx.mode == Mode::Json {
        let resp = client
            .pod_status_raw(&args.id)
            .with_context(|| format!("showing pod {}", args.id))?;
        return super::copy_json_response(ctx, resp)
            .with_context(|| format!("showing pod {}", args.id));
    }
    let status = client
        .pod_status(&args.id)
        .with_context(|| format!("showing pod {}", args.id))?;
    match ctx.mode {
        Mode::Quiet => writeln!(ctx.out, "{}", printable(&status.id))?,
        Mode::Human | Mode::Json => {
            let deployments: Vec<_> = client
                .deployments()
                .context("listing deployments")?
                .into_iter()
                .filter(|d| d.affects_pod(args.id.as_str()))
                .collect();
            let text = render::pod_show(&status, &deployments, SystemTime::now(), ctx.style);
            ctx.out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
