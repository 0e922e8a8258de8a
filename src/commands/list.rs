//! `podctl pod list`: every pod with its instances and containers (GET /v2/pods/::status).

use std::time::SystemTime;

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::render;

pub fn run(ctx: &mut Ctx) -> Result<()> {
    let mut pods = ctx.client()?.all_pod_status().context("listing pods")?;
    pods.sort_by(|a, b| a.id.cmp(&b.id));
    match ctx.mode {
        Mode::Json => render::write_json(ctx.out, &pods)?,
        _ if pods.is_empty() => eprintln!("No pods."),
        Mode::Quiet => {
            for pod in &pods {
                writeln!(ctx.out, "{}", pod.id)?;
            }
        }
        Mode::Human => {
            let text = render::pod_list(&pods, SystemTime::now(), ctx.style);
            ctx.out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
