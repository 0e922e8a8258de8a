//! `podctl pod show`: one pod's status (GET /v2/pods/{id}::status).

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::cli::PodShowArgs;
use crate::pod::text::printable;
use crate::render;

pub fn run(ctx: &mut Ctx, args: &PodShowArgs) -> Result<()> {
    let client = ctx.client()?;
    let showing = || format!("showing pod {}", args.id);
    if ctx.mode == Mode::Json {
        let json = client.pod_status_json(&args.id).with_context(showing)?;
        return super::write_json_text(ctx, &json);
    }
    let status = client.pod_status_shown(&args.id).with_context(showing)?;
    if ctx.mode == Mode::Quiet {
        writeln!(ctx.out, "{}", printable(&status.id))?;
        return Ok(());
    }
    let layout = super::layout(&args.table);
    // Deployments only appear in the summary, which the flat form leaves out.
    let deployments: Vec<_> = if layout.flat {
        Vec::new()
    } else {
        client
            .deployments()
            .context("listing deployments")?
            .into_iter()
            .filter(|d| d.affects_pod(args.id.as_str()))
            .collect()
    };
    let text = render::pod_show(&status, &deployments, super::now(), ctx.style, layout);
    ctx.out.write_all(text.as_bytes())?;
    Ok(())
}
