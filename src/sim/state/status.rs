//! A pod's status as `GET /v2/pods/{id}::status` reports it, derived from its record at `now`,
//! and the cache that lets a settled pod's status be copied as bytes (see the parent module).

use std::time::SystemTime;

use serde_json::Value;

use super::PodRecord;
use crate::pod::time::format_timestamp;
use crate::pod::{PodId, PodStatus};
use crate::sim::agents::Agents;
use crate::sim::instance::Instance;

/// A pod's status JSON, split where its `lastUpdated` timestamp goes.
#[derive(Debug, Clone)]
pub(super) struct CachedStatus {
    before: Vec<u8>,
    after: Vec<u8>,
}

/// Serializes the status of `record` at `now` (`stamp` formatted) onto `out`, filling or using
/// its cache when the pod cannot change by itself.
pub(super) fn write_status(
    agents: &Agents,
    marker: &str,
    id: &PodId,
    record: &mut PodRecord,
    now: SystemTime,
    stamp: &str,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    if record.cached.is_none() && is_settled(record, now) {
        let mut status = pod_status(agents, id, record, now);
        status.last_updated = Some(marker.to_string());
        let json = serde_json::to_vec(&status)?;
        if let Some(at) = json
            .windows(marker.len())
            .position(|w| w == marker.as_bytes())
        {
            record.cached = Some(CachedStatus {
                before: json[..at].to_vec(),
                after: json[at + marker.len()..].to_vec(),
            });
        }
    }
    match &record.cached {
        Some(cached) => {
            out.extend_from_slice(&cached.before);
            out.extend_from_slice(stamp.as_bytes());
            out.extend_from_slice(&cached.after);
            Ok(())
        }
        None => serde_json::to_writer(out, &pod_status(agents, id, record, now)),
    }
}

/// Every instance is STABLE at `now` and stays so until someone changes the pod: nothing in its
/// status but `lastUpdated` depends on the time any more.
fn is_settled(record: &PodRecord, now: SystemTime) -> bool {
    !record.instances.is_empty()
        && record
            .instances
            .iter()
            .all(|i| i.is_live() && i.crashing.is_empty() && i.stable_at <= now && i.is_stable(now))
}

pub(super) fn pod_status(
    agents: &Agents,
    id: &PodId,
    record: &PodRecord,
    now: SystemTime,
) -> PodStatus {
    let visible: Vec<&Instance> = record
        .instances
        .iter()
        .filter(|i| i.is_visible(now))
        .collect();
    let stable = visible.iter().filter(|i| i.is_stable(now)).count();
    let since = visible.iter().map(|i| i.phase(now).1).max().unwrap_or(now);
    let since = format_timestamp(since);
    let last_failure = record
        .instances
        .iter()
        .fold(record.last_failure.clone(), |last, i| {
            latest(last, failure_entry(i, now))
        });
    let status = if stable >= record.spec.instances() as usize {
        "STABLE"
    } else {
        "DEGRADED"
    };
    PodStatus {
        id: id.to_string(),
        spec: Some((*record.spec).clone()),
        status: status.to_string(),
        status_since: Some(since.clone()),
        instances: visible
            .iter()
            .map(|i| i.status(agents.get(i.agent), now))
            .collect(),
        termination_history: Some(last_failure.map(|(_, entry)| entry).into_iter().collect()),
        last_updated: Some(format_timestamp(now)),
        last_changed: Some(since),
        ..Default::default()
    }
}

/// The time and `terminationHistory` entry of `instance`'s last failure by `now`.
pub(super) fn failure_entry(instance: &Instance, now: SystemTime) -> Option<(SystemTime, Value)> {
    let run = instance.last_failure(now)?;
    let at = run.failure?.at;
    Some((at, instance.termination(&run)?))
}

/// The later of two failures.
pub(super) fn latest(
    a: Option<(SystemTime, Value)>,
    b: Option<(SystemTime, Value)>,
) -> Option<(SystemTime, Value)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}
