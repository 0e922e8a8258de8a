//! A pod's status as `::status` writes it (`PodStatusConversion.scala`), and the byte cache that
//! keeps `GET /v2/pods/::status` cheap for pods that cannot change by themselves.

use std::time::SystemTime;

use serde_json::Value;

use super::{Cluster, PodRecord};
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

impl Cluster {
    /// The typed form of [`Cluster::status_json`].
    #[cfg(test)]
    pub fn status(&self, id: &PodId, now: SystemTime) -> Option<PodStatus> {
        self.pods
            .get(id)
            .map(|r| pod_status(&self.agents, id, r, now))
    }

    /// The typed form of [`Cluster::statuses_json`].
    #[cfg(test)]
    pub fn statuses(&self, now: SystemTime) -> Vec<PodStatus> {
        self.pods
            .iter()
            .map(|(id, r)| pod_status(&self.agents, id, r, now))
            .collect()
    }

    /// `GET /v2/pods/{id}::status`, serialized: what [`Cluster::status`] gives.
    pub fn status_json(
        &mut self,
        id: &PodId,
        now: SystemTime,
    ) -> Option<serde_json::Result<Vec<u8>>> {
        let stamp = format_timestamp(now);
        let record = self.pods.get_mut(id)?;
        let mut out = Vec::new();
        Some(
            write_status(
                &self.agents,
                &self.now_marker,
                id,
                record,
                now,
                &stamp,
                &mut out,
            )
            .map(|()| out),
        )
    }

    /// `GET /v2/pods/::status`, serialized: what [`Cluster::statuses`] gives, from the cache for
    /// the pods that cannot change by themselves.
    pub fn statuses_json(&mut self, now: SystemTime) -> serde_json::Result<Vec<u8>> {
        let stamp = format_timestamp(now);
        let mut out = Vec::with_capacity(self.pods.len() * 4096);
        out.push(b'[');
        for (n, (id, record)) in self.pods.iter_mut().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            write_status(
                &self.agents,
                &self.now_marker,
                id,
                record,
                now,
                &stamp,
                &mut out,
            )?;
        }
        out.push(b']');
        Ok(out)
    }
}

/// Serializes the status of `record` at `now` (`stamp` formatted) onto `out`, filling or using
/// its cache when the pod cannot change by itself.
fn write_status(
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

fn pod_status(agents: &Agents, id: &PodId, record: &PodRecord, now: SystemTime) -> PodStatus {
    let visible: Vec<&Instance> = record
        .instances
        .iter()
        .filter(|i| i.is_visible(now))
        .collect();
    let instances: Vec<_> = visible
        .iter()
        .map(|i| i.status(agents.get(i.agent), now))
        .collect();
    // As `AppInfoBaseData.podState` counts: instances whose status says STABLE.
    let stable = instances.iter().filter(|i| i.status == "STABLE").count();
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
        instances,
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
