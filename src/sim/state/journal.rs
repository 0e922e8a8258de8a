//! What the model tells Marathon's event stream: the events of every change, in Marathon's order,
//! at the moment each happened.
//!
//! Changes made by a request (a pod written, a deployment cancelled, an instance killed) are
//! written as they are made. Changes that come with time (an instance staging, running, failing
//! or stopping; a deployment step or a deployment ending) are found by [`Cluster::observe`], which
//! walks from the last moment it looked to `now`, stopping at each moment something changes, and
//! compares what it sees with what it saw: so a manual clock advanced by a minute still yields
//! every state in between, stamped with its own time. The events wait in an outbox until the
//! caller, still holding the model's lock, hands them to the bus. Nothing here knows of HTTP.

use std::collections::{BTreeSet, HashMap};
use std::time::SystemTime;

use serde_json::{json, Value};

use super::{Cluster, Plan};
use crate::pod::PodId;
use crate::sim::agents::Agent;
use crate::sim::events::Event;
use crate::sim::instance::{Instance, Phase, EXIT_MESSAGE};

/// At most this many distinct moments are reported by one [`Cluster::observe`]; beyond (a crash
/// loop across a month-long advance of the manual clock), the rest is reported as of `now`.
const MAX_MOMENTS: usize = 2000;

/// The events side of the model.
#[derive(Debug, Default)]
pub struct Journal {
    on: bool,
    outbox: Vec<Event>,
    /// Up to when changes have been reported; `None` before the first look.
    seen_at: Option<SystemTime>,
    /// The next moment something changes by itself, as of `seen_at`.
    next_due: Option<SystemTime>,
    /// A request changed the model since the last look.
    dirty: bool,
    /// The instances of the active pods, as last reported.
    instances: HashMap<String, Seen>,
    /// Pods a request has changed and that have not settled since: only these are looked at, so
    /// that ten thousand quiet pods cost nothing.
    active: BTreeSet<PodId>,
    plans: Vec<Watched>,
}

/// An instance as last reported.
#[derive(Debug, Clone)]
struct Seen {
    instance: Instance,
    pod: PodId,
    incarnation: u32,
    phase: Phase,
    healthy: Option<bool>,
    /// Found in the model at the latest look.
    present: bool,
}

/// A deployment whose end has not been reported yet.
#[derive(Debug, Clone)]
struct Watched {
    plan: Plan,
    /// Steps announced with `deployment_info`, from 1.
    announced: usize,
}

/// What a pod request did, for its `pod_*_event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodChange {
    Created,
    Updated,
    Deleted,
}

impl PodChange {
    fn kind(self) -> &'static str {
        match self {
            PodChange::Created => "pod_created_event",
            PodChange::Updated => "pod_updated_event",
            PodChange::Deleted => "pod_deleted_event",
        }
    }
}

impl Journal {
    fn emit(&mut self, kind: &str, fields: Value, at: SystemTime) {
        if self.on {
            self.outbox.push(Event::new(kind, fields, at));
        }
    }
}

impl Cluster {
    /// Records events from now on (`podctl sim` without `--no-events`).
    pub fn with_events(mut self) -> Cluster {
        self.journal.on = true;
        self
    }

    /// The events written since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.journal.outbox)
    }

    /// Where the events of a request start, for [`Cluster::pod_event`].
    pub fn events_mark(&self) -> usize {
        self.journal.outbox.len()
    }

    /// `pod_created_event` and the like, from the client at `client_ip` asking for `uri`. Marathon
    /// publishes it from the resource once the deployment is under way; it goes before that
    /// deployment's events (at `mark`), so a subscriber learns of the change before its progress.
    pub fn pod_event(
        &mut self,
        change: PodChange,
        client_ip: &str,
        uri: &str,
        at: SystemTime,
        mark: usize,
    ) {
        if !self.journal.on {
            return;
        }
        let event = Event::new(
            change.kind(),
            json!({ "clientIp": client_ip, "uri": uri }),
            at,
        );
        let mark = mark.min(self.journal.outbox.len());
        self.journal.outbox.insert(mark, event);
    }

    /// Reports what changed by itself up to `now`, moment by moment, and what the last request
    /// changed. The first call only takes note of how things are (a seeded cluster has no past).
    pub fn observe(&mut self, now: SystemTime) {
        if !self.journal.on {
            return;
        }
        let Some(seen_at) = self.journal.seen_at else {
            // Nothing is active yet: seeded pods are quiet until a request changes them.
            self.journal.seen_at = Some(now);
            return;
        };
        let mut moments = 0;
        while let Some(due) = self.journal.next_due.filter(|d| *d <= now) {
            if moments == MAX_MOMENTS || due <= seen_at {
                break;
            }
            moments += 1;
            self.report(due);
            self.journal.next_due = self.next_change(due);
        }
        if moments > 0 || self.journal.dirty || now > seen_at {
            if moments > 0 || self.journal.dirty {
                self.report(now);
            }
            self.journal.dirty = false;
            self.journal.seen_at = Some(now.max(seen_at));
            self.journal.next_due = self.next_change(now);
        }
    }

    /// A deployment has been registered: announce its first step, or its success at once when it
    /// has nothing to do (Marathon runs an empty plan and it finishes immediately).
    pub(super) fn journal_plan(&mut self, plan: &Plan, now: SystemTime) {
        self.journal.dirty = true;
        if !self.journal.on {
            return;
        }
        if plan.actions.is_empty() {
            let fields = json!({ "id": plan.id, "plan": plan_json(plan) });
            self.journal.emit("deployment_success", fields, now);
            return;
        }
        let mut watched = Watched {
            plan: plan.clone(),
            announced: 0,
        };
        announce(&mut self.journal, &mut watched, 1, now);
        self.journal.plans.push(watched);
    }

    /// Deployments stopped before their end (cancelled by a forced change, rolled back, or
    /// stopped): `deployment_failed`, with the reason `DeploymentManagerActor` gives.
    pub(super) fn journal_cancelled(&mut self, ids: &[String], now: SystemTime) {
        self.journal.dirty = true;
        let (cancelled, kept) = std::mem::take(&mut self.journal.plans)
            .into_iter()
            .partition(|w| ids.contains(&w.plan.id));
        self.journal.plans = kept;
        for watched in cancelled {
            let fields = json!({
                "id": watched.plan.id,
                "plan": plan_json(&watched.plan),
                "reason": "The upgrade has been cancelled",
            });
            self.journal.emit("deployment_failed", fields, now);
        }
    }

    /// `instance` (as it is before the kill) is killed by a request: TASK_KILLING, then
    /// TASK_KILLED, before whatever replaces it.
    pub(super) fn journal_killed(&mut self, instance: &Instance, pod: &PodId, now: SystemTime) {
        self.journal.dirty = true;
        if !self.journal.on {
            return;
        }
        let agent = self.agents.get(instance.agent);
        let seen = self
            .journal
            .instances
            .get(&instance.id)
            .cloned()
            .unwrap_or_else(|| first_sight(instance, pod, now));
        let mut seen = Seen {
            instance: instance.clone(),
            ..seen
        };
        for phase in [Phase::Killing, Phase::Gone] {
            if seen.phase != Phase::Gone && seen.phase != phase {
                emit_phase(&mut self.journal, &mut seen, agent, phase, now);
            }
        }
        self.journal.instances.insert(instance.id.clone(), seen);
    }

    /// A request is about to change pod `id`: from now on it is looked at, starting from how it
    /// is at `now` (what a quiet pod looks like has been reported already).
    pub(super) fn journal_touch(&mut self, id: &PodId, now: SystemTime) {
        self.journal.dirty = true;
        if !self.journal.on || !self.journal.active.insert(id.clone()) {
            return;
        }
        let Some(record) = self.pods.get(id) else {
            return;
        };
        for instance in record.instances.iter().filter(|i| i.is_visible(now)) {
            let mut seen = first_sight(instance, id, now);
            seen.phase = instance.phase(now).0;
            seen.healthy = health(instance, seen.phase, None);
            self.journal.instances.insert(instance.id.clone(), seen);
        }
    }

    /// Compares the active pods at `t` with what was last reported and writes the difference;
    /// pods that have settled stop being active.
    fn report(&mut self, t: SystemTime) {
        // Steps that have begun, before the instances they launch.
        let mut plans = std::mem::take(&mut self.journal.plans);
        for watched in &mut plans {
            let step = watched.plan.step(t);
            announce(&mut self.journal, watched, step, t);
        }
        for seen in self.journal.instances.values_mut() {
            seen.present = false;
        }
        // Instances coming up before those going down at the same moment: an old instance is
        // killed because its replacement runs.
        let stopping = |i: &Instance| matches!(i.phase(t).0, Phase::Killing | Phase::Gone);
        let active: Vec<(&PodId, &super::PodRecord)> = self
            .journal
            .active
            .iter()
            .filter_map(|id| self.pods.get_key_value(id))
            .collect();
        let ups = active
            .iter()
            .flat_map(|(pod, r)| r.instances.iter().map(move |i| (*pod, i)))
            .filter(|(_, i)| !stopping(i));
        let downs = active
            .iter()
            .flat_map(|(pod, r)| r.instances.iter().map(move |i| (*pod, i)))
            .filter(|(_, i)| stopping(i));
        for (pod, instance) in ups.chain(downs) {
            let agent = self.agents.get(instance.agent);
            let (phase, _) = instance.phase(t);
            let incarnation = instance.run(t).incarnation;
            let mut seen = match self.journal.instances.remove(&instance.id) {
                Some(seen) => seen,
                None if phase == Phase::Gone => continue,
                None => {
                    let mut fresh = first_sight(instance, pod, t);
                    fresh.phase = Phase::Pending;
                    fresh.incarnation = incarnation;
                    emit_phase(&mut self.journal, &mut fresh, agent, Phase::Pending, t);
                    fresh
                }
            };
            seen.instance = instance.clone();
            seen.present = true;
            if seen.incarnation < incarnation {
                // The earlier incarnation ended: a crash (killed ones were reported when killed).
                finish_run(&mut self.journal, &mut seen, agent, t);
                seen.incarnation = incarnation;
                seen.phase = Phase::Pending;
                emit_phase(&mut self.journal, &mut seen, agent, Phase::Pending, t);
            }
            for step in path(seen.phase, phase, !instance.crashing.is_empty()) {
                emit_phase(&mut self.journal, &mut seen, agent, step, t);
            }
            self.journal.instances.insert(instance.id.clone(), seen);
        }
        // Instances no longer in the model (their pod removed, or replaced under a new id).
        let mut gone: Vec<(String, Seen)> = self
            .journal
            .instances
            .iter()
            .filter(|(_, s)| !s.present)
            .map(|(id, s)| (id.clone(), s.clone()))
            .collect();
        gone.sort_by_key(|(_, s)| s.instance.seq);
        for (id, mut seen) in gone {
            self.journal.instances.remove(&id);
            let agent = self.agents.get(seen.instance.agent);
            for step in path(seen.phase, Phase::Gone, false) {
                emit_phase(&mut self.journal, &mut seen, agent, step, t);
            }
        }
        // Deployments whose work is done, after the instances that did it.
        let mut kept = Vec::new();
        for mut watched in plans {
            if self.is_running(&watched.plan, t) {
                kept.push(watched);
                continue;
            }
            let total = watched.plan.actions.len();
            announce(&mut self.journal, &mut watched, total, t);
            let plan = plan_json(&watched.plan);
            if let Some(step) = watched.plan.actions.last() {
                let current = step_json(step, &watched.plan.pod);
                let fields = json!({ "plan": plan, "currentStep": current });
                self.journal.emit("deployment_step_success", fields, t);
            }
            let fields = json!({ "id": watched.plan.id, "plan": plan });
            self.journal.emit("deployment_success", fields, t);
        }
        // A request may have registered deployments meanwhile: keep them after these.
        kept.append(&mut self.journal.plans);
        self.journal.plans = kept;
        // Settled: nothing of the pod changes by itself any more and no deployment of it is
        // followed. Its instances are forgotten; the next request that touches it looks again.
        let settled: Vec<PodId> = self
            .journal
            .active
            .iter()
            .filter(|id| !self.journal.plans.iter().any(|w| &w.plan.pod == *id))
            .filter(|id| self.pod_next_change(id, t).is_none())
            .cloned()
            .collect();
        for id in settled {
            self.journal.active.remove(&id);
            self.journal.instances.retain(|_, seen| seen.pod != id);
        }
    }

    /// The first moment after `t` at which an instance of pod `id` changes by itself.
    fn pod_next_change(&self, id: &PodId, t: SystemTime) -> Option<SystemTime> {
        let record = self.pods.get(id)?;
        record
            .instances
            .iter()
            .flat_map(|i| changes(i, t))
            .flatten()
            .filter(|moment| *moment > t)
            .min()
    }

    /// The first moment after `t` at which something changes by itself.
    fn next_change(&self, t: SystemTime) -> Option<SystemTime> {
        let instants = self
            .journal
            .active
            .iter()
            .filter_map(|id| self.pod_next_change(id, t));
        let steps = self.journal.plans.iter().flat_map(|w| w.plan.boundaries());
        instants.chain(steps).filter(|moment| *moment > t).min()
    }
}

/// The moments around `t` at which `instance` may change phase.
fn changes(instance: &Instance, t: SystemTime) -> [Option<SystemTime>; 7] {
    let run = instance.run(t);
    let window = run.running.duration_since(run.launched).unwrap_or_default();
    let failure = run.failure.map(|f| [f.at, f.relaunch]);
    [
        Some(run.launched + window.mul_f64(0.2)),
        Some(run.launched + window.mul_f64(0.6)),
        Some(run.running),
        failure.map(|f| f[0]),
        failure.map(|f| f[1]),
        instance.kill_from,
        instance.gone_at,
    ]
}

/// Whether `instance` is healthy in `phase`: only pods with health checks say (Marathon has no
/// health for pods without); a stopping instance keeps what it had (`previous`).
fn health(instance: &Instance, phase: Phase, previous: Option<bool>) -> Option<bool> {
    let checked = instance
        .spec
        .containers
        .iter()
        .any(|c| c.health_check.is_some());
    match phase {
        _ if !checked => None,
        Phase::Running => Some(true),
        Phase::Failing | Phase::Failed => Some(false),
        Phase::Killing | Phase::Gone => previous,
        Phase::Pending | Phase::Staging | Phase::Starting => None,
    }
}

/// A new record for `instance`, not yet reported in any state.
fn first_sight(instance: &Instance, pod: &PodId, t: SystemTime) -> Seen {
    Seen {
        instance: instance.clone(),
        pod: pod.clone(),
        incarnation: instance.run(t).incarnation,
        phase: Phase::Pending,
        healthy: None,
        present: true,
    }
}

/// Ends the reported incarnation of a crashing instance: whatever it had not yet been through on
/// its way to failing.
fn finish_run(journal: &mut Journal, seen: &mut Seen, agent: Option<&Agent>, t: SystemTime) {
    if matches!(seen.phase, Phase::Failed | Phase::Gone) {
        return;
    }
    for step in path(seen.phase, Phase::Failed, true) {
        emit_phase(journal, seen, agent, step, t);
    }
}

/// The phases an instance goes through after `from` to reach `to`, `to` included.
fn path(from: Phase, to: Phase, crashing: bool) -> Vec<Phase> {
    if from == to {
        return Vec::new();
    }
    match to {
        Phase::Killing | Phase::Gone => {
            if from == Phase::Gone {
                return Vec::new();
            }
            // A failed instance has no task left to kill.
            let mut steps = Vec::new();
            if from != Phase::Killing && from != Phase::Failed {
                steps.push(Phase::Killing);
            }
            if to == Phase::Gone {
                steps.push(Phase::Gone);
            }
            steps
        }
        _ => {
            let running = if crashing {
                Phase::Failing
            } else {
                Phase::Running
            };
            let order = [
                Phase::Pending,
                Phase::Staging,
                Phase::Starting,
                running,
                Phase::Failed,
            ];
            let from_at = order.iter().position(|p| *p == from);
            let to_at = order.iter().position(|p| *p == to);
            match (from_at, to_at) {
                (Some(a), Some(b)) if a < b => order[a + 1..=b].to_vec(),
                _ => Vec::new(),
            }
        }
    }
}

/// Announces the steps of `watched` up to `step`: each begun step's `deployment_info`, after the
/// `deployment_step_success` of the one before.
fn announce(journal: &mut Journal, watched: &mut Watched, step: usize, t: SystemTime) {
    let plan = &watched.plan;
    while watched.announced < step.min(plan.actions.len()) {
        if let Some(previous) = watched
            .announced
            .checked_sub(1)
            .and_then(|n| plan.actions.get(n))
        {
            let fields = json!({
                "plan": plan_json(plan),
                "currentStep": step_json(previous, &plan.pod),
            });
            journal.emit("deployment_step_success", fields, t);
        }
        if let Some(action) = plan.actions.get(watched.announced) {
            let fields = json!({
                "plan": plan_json(plan),
                "currentStep": step_json(action, &plan.pod),
            });
            journal.emit("deployment_info", fields, t);
        }
        watched.announced += 1;
    }
}

/// The plan as `DeploymentPlanConversion` writes it into events: id, steps and version.
fn plan_json(plan: &Plan) -> Value {
    let steps: Vec<Value> = plan
        .actions
        .iter()
        .map(|a| step_json(a, &plan.pod))
        .collect();
    json!({ "id": plan.id, "steps": steps, "version": plan.version })
}

fn step_json(action: &str, pod: &PodId) -> Value {
    json!({ "actions": [{ "action": action, "pod": pod.to_string() }] })
}

/// The task state of each container in `phase`, as Mesos reports it.
fn task_state(phase: Phase) -> &'static str {
    match phase {
        Phase::Pending | Phase::Staging => "TASK_STAGING",
        Phase::Starting => "TASK_STARTING",
        Phase::Running | Phase::Failing => "TASK_RUNNING",
        Phase::Failed => "TASK_FAILED",
        Phase::Killing => "TASK_KILLING",
        Phase::Gone => "TASK_KILLED",
    }
}

/// Writes the events of `seen` entering `phase`: each container's `status_update_event`, the
/// instance's `instance_changed_event` right after the first one that changes its condition
/// (`InstanceChangedEventsGenerator`), then `instance_health_changed_event` if its health changed.
fn emit_phase(
    journal: &mut Journal,
    seen: &mut Seen,
    agent: Option<&Agent>,
    phase: Phase,
    t: SystemTime,
) {
    seen.phase = phase;
    let instance = &seen.instance;
    let spec = &instance.spec;
    let version = spec.version.clone().unwrap_or_default();
    let changed = json!({
        "instanceId": instance.id,
        "condition": phase.condition(),
        "runSpecId": seen.pod.to_string(),
        "agentId": agent.map(|a| a.id.clone()),
        "host": agent.map(|a| a.hostname.clone()),
        "runSpecVersion": version,
    });
    if phase == Phase::Pending {
        // Provisioned: no task has a status yet.
        journal.emit("instance_changed_event", changed, t);
    } else {
        // A crashing container's failure comes first and makes the instance Failed; its
        // siblings are then killed.
        let mut containers: Vec<&crate::pod::definition::Container> =
            spec.containers.iter().collect();
        if phase == Phase::Failed {
            containers.sort_by_key(|c| !instance.crashing.contains(&c.name));
        }
        let ports: Vec<(&str, Option<u32>)> = spec
            .endpoints()
            .zip(instance.ports.iter())
            .map(|((c, _), port)| (c.name.as_str(), *port))
            .collect();
        for (n, container) in containers.iter().enumerate() {
            let crashed = phase == Phase::Failed && instance.crashing.contains(&container.name);
            let state = if phase == Phase::Failed && !crashed {
                "TASK_KILLED"
            } else {
                task_state(phase)
            };
            let ip_addresses: Vec<Value> = instance
                .address
                .iter()
                .map(|a| json!({ "ipAddress": a, "protocol": "IPv4" }))
                .collect();
            let container_ports: Vec<u32> = ports
                .iter()
                .filter(|(name, _)| *name == container.name)
                .filter_map(|(_, port)| *port)
                .collect();
            let fields = json!({
                "slaveId": agent.map(|a| a.id.clone()).unwrap_or_default(),
                "taskId": format!("{}.{}.{}", instance.id, container.name, seen.incarnation),
                "taskStatus": state,
                "message": if crashed { EXIT_MESSAGE } else { "" },
                "appId": seen.pod.to_string(),
                "host": agent.map_or_else(|| "unknown".to_string(), |a| a.hostname.clone()),
                "ipAddresses": ip_addresses,
                "ports": container_ports,
                "version": version,
            });
            journal.emit("status_update_event", fields, t);
            if n == 0 {
                journal.emit("instance_changed_event", changed.clone(), t);
            }
        }
    }
    let healthy = health(instance, phase, seen.healthy);
    if healthy != seen.healthy {
        seen.healthy = healthy;
        let fields = json!({
            "instanceId": instance.id,
            "runSpecId": seen.pod.to_string(),
            "healthy": healthy,
            "runSpecVersion": version,
        });
        journal.emit("instance_health_changed_event", fields, t);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use glob::Pattern;

    use super::*;
    use crate::pod::PodDefinition;

    fn t(secs: f64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_secs_f64(secs)
    }

    fn pod(instances: u32, image: &str) -> PodDefinition {
        serde_json::from_value(json!({
            "id": "/web",
            "scaling": {"kind": "fixed", "instances": instances},
            "containers": [{"name": "app", "resources": {"cpus": 0.1, "mem": 32},
                            "image": {"kind": "DOCKER", "id": image},
                            "endpoints": [{"name": "http", "hostPort": 0}]}]
        }))
        .expect("test pod")
    }

    fn cluster(secs: u64) -> Cluster {
        let crash = Pattern::new("crash*").expect("pattern");
        let mut c = Cluster::new(Duration::from_secs(secs), "sim-cluster")
            .with_fail_images(vec![crash])
            .with_events();
        c.observe(t(0.0));
        c
    }

    /// What a request does, as the server drives it: look, act, look.
    fn act<T>(c: &mut Cluster, now: SystemTime, f: impl FnOnce(&mut Cluster) -> T) -> T {
        c.observe(now);
        let out = f(c);
        c.observe(now);
        out
    }

    fn kinds(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                let data = e.data();
                let kind = data["eventType"].as_str().unwrap_or_default().to_string();
                match kind.as_str() {
                    "status_update_event" => format!("status {}", data["taskStatus"]),
                    "instance_changed_event" => format!("instance {}", data["condition"]),
                    "instance_health_changed_event" => format!("health {}", data["healthy"]),
                    "deployment_info" | "deployment_step_success" => {
                        format!("{kind} {}", data["currentStep"]["actions"][0]["action"])
                    }
                    _ => kind,
                }
                .replace('"', "")
            })
            .collect()
    }

    #[test]
    fn a_create_goes_through_every_state_at_its_own_time() {
        let mut c = cluster(10);
        let written =
            act(&mut c, t(0.0), |c| c.create(pod(1, "nginx"), false, t(0.0))).expect("created");
        let first = c.take_events();
        assert_eq!(
            kinds(&first),
            ["deployment_info StartPod", "instance Provisioned"]
        );
        assert_eq!(
            first[0].data()["plan"]["id"],
            written.deployment_id.as_str()
        );
        assert_eq!(
            first[0].data()["plan"]["steps"][1],
            json!({"actions": [{"action": "ScalePod", "pod": "/web"}]})
        );
        c.observe(t(30.0));
        let later = c.take_events();
        assert_eq!(
            kinds(&later),
            [
                "status TASK_STAGING",
                "instance Staging",
                "deployment_step_success StartPod",
                "deployment_info ScalePod",
                "status TASK_STARTING",
                "instance Starting",
                "status TASK_RUNNING",
                "instance Running",
                "deployment_step_success ScalePod",
                "deployment_success",
            ]
        );
        let at = |n: usize| later[n].data()["timestamp"].as_str().map(str::to_string);
        assert_eq!(at(0), Some(crate::pod::time::format_timestamp(t(2.0))));
        assert_eq!(at(3), Some(crate::pod::time::format_timestamp(t(5.0))));
        assert_eq!(at(9), Some(crate::pod::time::format_timestamp(t(10.0))));
        let status = later[0].data();
        let iid = first[1].data()["instanceId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(status["taskId"], format!("{iid}.app.1"));
        assert_eq!(status["appId"], "/web");
        assert_eq!(status["ports"].as_array().map(Vec::len), Some(1));
        assert_eq!(later[9].data()["id"], written.deployment_id.as_str());
        c.observe(t(60.0));
        assert!(c.take_events().is_empty(), "nothing more happens");
    }

    #[test]
    fn a_forced_update_fails_the_deployment_it_cancels() {
        let mut c = cluster(10);
        let first =
            act(&mut c, t(0.0), |c| c.create(pod(1, "nginx"), false, t(0.0))).expect("created");
        c.take_events();
        act(&mut c, t(1.0), |c| c.update(pod(1, "httpd"), true, t(1.0))).expect("forced");
        let events = c.take_events();
        let failed = events
            .iter()
            .map(Event::data)
            .find(|d| d["eventType"] == "deployment_failed")
            .expect("deployment_failed");
        assert_eq!(failed["id"], first.deployment_id.as_str());
        assert_eq!(failed["reason"], "The upgrade has been cancelled");
        assert_eq!(
            failed["plan"]["steps"][0]["actions"][0]["action"],
            "StartPod"
        );
        // The cancelled deployment never succeeds afterwards.
        c.observe(t(100.0));
        let rest = c.take_events();
        let ids: Vec<Value> = rest
            .iter()
            .map(Event::data)
            .filter(|d| d["eventType"] == "deployment_success")
            .map(|d| d["id"].clone())
            .collect();
        assert_eq!(ids.len(), 1);
        assert_ne!(ids[0], first.deployment_id.as_str());
    }

    #[test]
    fn a_crashing_container_fails_and_is_relaunched_under_the_next_incarnation() {
        let mut c = cluster(3);
        act(&mut c, t(0.0), |c| {
            c.create(pod(1, "crash:1"), false, t(0.0))
        })
        .expect("created");
        c.take_events();
        // Running at 3, failed at 3.5, relaunched at 4.5.
        c.observe(t(4.6));
        let events = c.take_events();
        let kinds = kinds(&events);
        let failed = kinds
            .iter()
            .position(|k| k == "status TASK_FAILED")
            .expect("a failure");
        assert_eq!(kinds[failed + 1], "instance Failed");
        assert_eq!(kinds[failed + 2], "instance Provisioned");
        let data = events[failed].data();
        assert_eq!(data["message"], EXIT_MESSAGE);
        assert!(data["taskId"]
            .as_str()
            .is_some_and(|id| id.ends_with(".app.1")));
        assert!(!kinds.contains(&"deployment_success".to_string()));
        c.observe(t(9.0));
        let next = c.take_events();
        let relaunched = next
            .iter()
            .map(Event::data)
            .find(|d| d["eventType"] == "status_update_event")
            .expect("the next incarnation");
        assert!(relaunched["taskId"]
            .as_str()
            .is_some_and(|id| id.ends_with(".app.2")));
    }

    #[test]
    fn health_kill_and_remove() {
        let mut c = cluster(0);
        let mut checked = pod(1, "nginx");
        checked.containers[0].health_check =
            Some(serde_json::from_value(json!({"http": {"endpoint": "http"}})).expect("check"));
        act(&mut c, t(0.0), |c| c.create(checked, false, t(0.0))).expect("created");
        let created = kinds(&c.take_events());
        let running = created
            .iter()
            .position(|k| k == "instance Running")
            .expect("running");
        assert_eq!(created[running + 1], "health true");
        assert_eq!(
            created.last().map(String::as_str),
            Some("deployment_success")
        );
        let iid = c
            .status(&PodId::lenient("/web"), t(1.0))
            .expect("status")
            .instances[0]
            .id
            .clone();
        act(&mut c, t(1.0), |c| {
            c.kill_one(&PodId::lenient("/web"), &iid, false, t(1.0))
        })
        .expect("killed");
        assert_eq!(
            kinds(&c.take_events())[..5],
            [
                "status TASK_KILLING",
                "instance Killing",
                "status TASK_KILLED",
                "instance Killed",
                "instance Provisioned"
            ]
        );
        act(&mut c, t(2.0), |c| {
            c.remove(&PodId::lenient("/web"), false, t(2.0))
        })
        .expect("gone");
        assert_eq!(
            kinds(&c.take_events()),
            [
                "deployment_info StopPod",
                "status TASK_KILLING",
                "instance Killing",
                "status TASK_KILLED",
                "instance Killed",
                "deployment_step_success StopPod",
                "deployment_success",
            ]
        );
    }

    #[test]
    fn seeded_pods_are_quiet_until_a_request_changes_one() {
        let seed = crate::sim::seed::Seed {
            pods: 50,
            instances: 2,
            containers: 1,
        };
        let mut c = Cluster::new(Duration::from_secs(10), "sim-cluster").with_events();
        c.seed(&seed, t(0.0));
        c.observe(t(0.0));
        c.observe(t(100.0));
        assert!(c.take_events().is_empty());
        assert!(c.journal.active.is_empty());
        let id = PodId::lenient("/seed/group-000/pod-0003");
        let mut bigger = c.pod(&id).expect("seeded");
        bigger.scaling = Some(
            serde_json::from_value(json!({"kind": "fixed", "instances": 3})).expect("scaling"),
        );
        act(&mut c, t(100.0), |c| c.update(bigger, false, t(100.0))).expect("scaled");
        c.observe(t(200.0));
        let events = kinds(&c.take_events());
        // Only the one new instance comes up; the two that ran all along say nothing.
        assert_eq!(
            events
                .iter()
                .filter(|k| *k == "instance Provisioned")
                .count(),
            1,
            "{events:?}"
        );
        assert_eq!(
            events.iter().filter(|k| *k == "instance Running").count(),
            1,
            "{events:?}"
        );
        assert_eq!(
            events.last().map(String::as_str),
            Some("deployment_success")
        );
        // Settled again: nothing is looked at any more.
        assert!(c.journal.active.is_empty());
        assert!(c.journal.instances.is_empty());
    }
}
