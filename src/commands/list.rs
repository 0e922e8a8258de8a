//! `podctl pod list`: every pod with its instances and containers (GET /v2/pods/::status).

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::cli::ListArgs;
use crate::pod::text::printable;
use crate::render;

pub fn run(ctx: &mut Ctx, args: &ListArgs) -> Result<()> {
    let client = ctx.client()?;
    if ctx.mode == Mode::Json {
        // Marathon's JSON as it came: no decoding and re-encoding of megabytes.
        let chunks = client.all_pod_status_json().context("listing pods")?;
        for chunk in &chunks {
            ctx.out.write_all(chunk)?;
        }
        ctx.out.write_all(b"\n")?;
        return Ok(());
    }
    let mut pods = client.all_pod_summaries().context("listing pods")?;
    pods.sort_by(|a, b| a.id.cmp(&b.id));
    if pods.is_empty() {
        eprintln!("No pods.");
    } else if ctx.mode == Mode::Quiet {
        for pod in &pods {
            writeln!(ctx.out, "{}", printable(&pod.id))?;
        }
    } else {
        let layout = super::layout(&args.table);
        let text = render::pod_list(&pods, super::now(), ctx.style, layout);
        ctx.out.write_all(text.as_bytes())?;
    }
    Ok(())
}
