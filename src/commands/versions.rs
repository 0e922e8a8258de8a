//! `podctl pod versions`: the definition versions Marathon keeps (GET /v2/pods/{id}::versions).

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::cli::ShowArgs;
use crate::pod::text::printable;
use crate::render;

pub fn run(ctx: &mut Ctx, args: &ShowArgs) -> Result<()> {
    let versions = ctx
        .client()?
        .pod_versions(&args.id)
        .with_context(|| format!("listing versions of pod {}", args.id))?;
    match ctx.mode {
        Mode::Json => render::write_json(ctx.out, &versions)?,
        Mode::Quiet => {
            for v in &versions {
                writeln!(ctx.out, "{}", printable(v))?;
            }
        }
        Mode::Human => {
            let text = render::versions(&versions, super::now(), ctx.style);
            ctx.out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
