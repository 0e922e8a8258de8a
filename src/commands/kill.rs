//! `podctl pod kill`: kill instances (DELETE /v2/pods/{id}::instances); Marathon replaces them.

use anyhow::{Context, Result};
use serde_json::Value;

use super::wait::Target;
use super::wait::{follow_with, prepare};
use super::{Ctx, Mode};
use crate::cli::KillArgs;
use crate::error::NotFound;
use crate::pod::progress::Goal;
use crate::pod::text::printable;

pub fn run(ctx: &mut Ctx, args: &KillArgs) -> Result<()> {
    let client = ctx.client()?;
    // Subscribed before the kill: the replacements' events are all seen.
    let early = prepare(&client, &args.wait);
    let killed = client
        .kill_instances(&args.id, &args.instances, args.wipe)
        .with_context(|| format!("killing instances of pod {}", args.id))?;
    let killed_ids: Vec<String> = killed.iter().filter_map(instance_id).collect();
    match ctx.mode {
        Mode::Json => crate::render::write_json(ctx.out, &killed)?,
        Mode::Quiet => {
            for id in &killed_ids {
                writeln!(ctx.out, "{}", printable(id))?;
            }
        }
        Mode::Human => {
            for id in &killed_ids {
                writeln!(ctx.out, "Killed instance {}", printable(id))?;
            }
        }
    }
    // Marathon skips ids it does not know without a word; we do not.
    let missing: Vec<String> = args
        .instances
        .iter()
        .filter(|wanted| !killed_ids.contains(wanted))
        .map(|id| printable(id).into_owned())
        .collect();
    if !missing.is_empty() {
        return Err(NotFound(format!(
            "pod {} has no instance {} (see `podctl pod show {}`)",
            args.id,
            missing.join(", "),
            args.id
        ))
        .into());
    }
    ctx.out.flush()?;
    // Marathon starts no deployment for a kill: wait for the replacements to be ready.
    let target = Target {
        deployment: None,
        pods: vec![(
            args.id.clone(),
            Some(Goal::Running {
                current_version: false,
            }),
        )],
    };
    follow_with(ctx, &client, &args.wait, target, early)
}

/// The id of a killed instance: a string in 1.8+, `{"idString": ..}` in 1.4 to 1.7.
fn instance_id(instance: &Value) -> Option<String> {
    match instance.get("instanceId")? {
        Value::String(s) => Some(s.clone()),
        other => other.get("idString")?.as_str().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instance_ids_in_both_shapes() {
        assert_eq!(
            instance_id(&json!({"instanceId": "web.instance-1"})).as_deref(),
            Some("web.instance-1")
        );
        assert_eq!(
            instance_id(&json!({"instanceId": {"idString": "web.instance-2"}})).as_deref(),
            Some("web.instance-2")
        );
        assert_eq!(instance_id(&json!({})), None);
    }
}
