//! `podctl pod versions`: the definition versions Marathon keeps (GET /v2/pods/{id}::versions),
//! the current one marked, or the definition stored as one of them (`--show`,
//! GET /v2/pods/{id}::versions/{version}).

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::cli::VersionsArgs;
use crate::error::NotFound;
use crate::marathon::Client;
use crate::pod::text::printable;
use crate::pod::time::same_instant;
use crate::pod::PodId;
use crate::render;

pub fn run(ctx: &mut Ctx, args: &VersionsArgs) -> Result<()> {
    let client = ctx.client()?;
    if let Some(wanted) = &args.show {
        return show(ctx, &client, &args.id, wanted);
    }
    let listing = || format!("listing versions of pod {}", args.id);
    let versions = client.pod_versions(&args.id).with_context(listing)?;
    match ctx.mode {
        // Marathon's own list, as scripts already read it.
        Mode::Json => render::write_json(ctx.out, &versions)?,
        Mode::Quiet => {
            for v in &versions {
                writeln!(ctx.out, "{}", printable(v))?;
            }
        }
        Mode::Human => {
            let current = client.pod(&args.id).with_context(listing)?.version;
            let text = render::versions(&versions, current.as_deref(), super::now(), ctx.style);
            ctx.out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// `--show VERSION`: the stored definition as pretty JSON, in every mode.
fn show(ctx: &mut Ctx, client: &Client, id: &PodId, wanted: &str) -> Result<()> {
    let doing = || format!("showing version {} of pod {id}", printable(wanted));
    let versions = client.pod_versions(id).with_context(doing)?;
    let version = find(&versions, id, wanted)?;
    let definition = client.pod_version(id, &version).with_context(doing)?;
    ctx.out
        .write_all(render::json_text(&definition)?.as_bytes())?;
    Ok(())
}

/// The version in `versions` that names the same instant as `wanted`, spelled as Marathon lists
/// it. Marathon's own answer for an unknown version is "Pod '/web' does not exist", which would
/// mislead: the pod exists, the version does not.
pub(super) fn find(versions: &[String], id: &PodId, wanted: &str) -> Result<String> {
    versions
        .iter()
        .find(|v| same_instant(v, wanted))
        .cloned()
        .ok_or_else(|| {
            NotFound(format!(
                "pod {id} has no version {} (`podctl pod versions {id}` lists them)",
                printable(wanted)
            ))
            .into()
        })
}
