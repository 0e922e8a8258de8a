//! `podctl pod revert`: put back a definition Marathon kept (GET ::versions/{version}) with a
//! PUT, saying first what that does to the running instances.

use anyhow::{anyhow, Context, Result};
use serde_json::{json, Value};

use super::versions::find;
use super::wait::{follow_with, prepare, Target};
use super::{Ctx, Mode};
use crate::cli::RevertArgs;
use crate::error::NotFound;
use crate::pod::diff::{compare, Verdict};
use crate::pod::text::printable;
use crate::pod::time::parse_timestamp;
use crate::pod::PodId;

pub fn run(ctx: &mut Ctx, args: &RevertArgs) -> Result<()> {
    let id = &args.id;
    let doing = || format!("reverting pod {id}");
    let client = ctx.client()?;
    let current = client.pod(id).with_context(doing)?;
    let versions = client.pod_versions(id).with_context(doing)?;
    let target = match &args.to {
        Some(wanted) => find(&versions, id, wanted)?,
        None => previous(&versions, current.version.as_deref(), id)?,
    };
    let stored = client.pod_version(id, &target).with_context(doing)?;
    if PodId::lenient(&stored.id) != *id {
        // Sent as it is, it would replace this pod with another's definition.
        return Err(anyhow!(
            "reverting pod {id}: Marathon answered version {} with a definition of pod {}; \
             nothing sent",
            printable(&target),
            printable(&stored.id)
        ));
    }
    let mut old = serde_json::to_value(&stored).context("encoding the pod definition")?;
    if let Value::Object(map) = &mut old {
        // Marathon stamps the version it deploys; the old one is history, not a request.
        map.remove("version");
    }
    let current = serde_json::to_value(&current).context("encoding the pod definition")?;
    let verdict = compare(&current, &old).verdict;
    let shown = printable(&target).into_owned();
    if verdict == Verdict::Unchanged {
        eprintln!("{id}: version {shown} is the same as the current definition; nothing sent");
        if ctx.mode == Mode::Json {
            report_json(ctx, id, &target, &verdict, None)?;
        }
        return Ok(());
    }
    let body = serde_json::to_vec(&old).context("encoding the pod definition")?;
    // Subscribed before the write: no event of the deployment it starts is missed.
    let early = prepare(&client, &args.wait);
    let deployment = client
        .update_pod(id, body, args.force)
        .with_context(doing)?;
    match ctx.mode {
        Mode::Json => report_json(ctx, id, &target, &verdict, deployment.as_deref())?,
        Mode::Human => {
            writeln!(
                ctx.out,
                "{id}: back to version {shown}: {}",
                verdict.summary()
            )?;
            ctx.report_deployment(id, deployment.as_deref())?;
        }
        Mode::Quiet => ctx.report_deployment(id, deployment.as_deref())?,
    }
    let target = Target {
        deployment,
        pods: vec![(id.clone(), None)],
    };
    follow_with(ctx, &client, &args.wait, target, early)
}

/// The newest version older than `current` (by instant). Without a current version (a server
/// that leaves it out), the newest is taken as current.
fn previous(versions: &[String], current: Option<&str>, id: &PodId) -> Result<String> {
    let now = current
        .and_then(parse_timestamp)
        .or_else(|| versions.iter().filter_map(|v| parse_timestamp(v)).max());
    let earlier = versions
        .iter()
        .filter(|v| matches!((parse_timestamp(v), now), (Some(t), Some(n)) if t < n))
        .max_by_key(|v| parse_timestamp(v));
    earlier.cloned().ok_or_else(|| {
        let only = match versions {
            [one] => format!("only one version ({})", printable(one)),
            _ => "no version older than the current one".to_string(),
        };
        NotFound(format!(
            "pod {id} has {only}: there is nothing to revert to"
        ))
        .into()
    })
}

fn report_json(
    ctx: &mut Ctx,
    id: &PodId,
    version: &str,
    verdict: &Verdict,
    deployment: Option<&str>,
) -> Result<()> {
    crate::render::write_json(
        ctx.out,
        &json!({
            "podId": id.as_str(),
            "version": version,
            "change": verdict.kind(),
            "summary": verdict.summary(),
            "deploymentId": deployment,
        }),
    )?;
    ctx.out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> PodId {
        PodId::parse("/web").unwrap()
    }

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_previous_version_is_the_newest_older_one() {
        let v = list(&[
            "2026-01-01T00:00:00.000Z",
            "2026-01-01T00:01Z",
            "2026-01-01T00:02:00.000Z",
        ]);
        // The current version as the pod spells it, a whole minute in Java's short form.
        let got = previous(&v, Some("2026-01-01T00:02:00Z"), &id()).unwrap();
        assert_eq!(got, "2026-01-01T00:01Z");
        let got = previous(&v, Some("2026-01-01T00:01:00.000Z"), &id()).unwrap();
        assert_eq!(got, "2026-01-01T00:00:00.000Z");
        assert_eq!(
            previous(&v, None, &id()).unwrap(),
            "2026-01-01T00:01Z",
            "without a current version the newest is current"
        );
    }

    #[test]
    fn one_version_is_nothing_to_revert_to() {
        let v = list(&["2026-01-01T00:00:00.000Z"]);
        let err = previous(&v, Some("2026-01-01T00:00:00.000Z"), &id()).unwrap_err();
        assert!(err.is::<NotFound>());
        assert_eq!(
            err.to_string(),
            "pod /web has only one version (2026-01-01T00:00:00.000Z): there is nothing to revert to"
        );
        let v = list(&["2026-01-01T00:05:00.000Z", "2026-01-01T00:09:00.000Z"]);
        let err = previous(&v, Some("2026-01-01T00:05:00.000Z"), &id()).unwrap_err();
        assert!(err.to_string().contains("no version older"), "{err}");
    }
}
