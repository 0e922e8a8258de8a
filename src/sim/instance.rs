//! One pod instance's life as a function of time, and how it looks at a given moment: its
//! `PodInstanceStatus` and the 1.10 `Instance` object the kill endpoints answer with.
//!
//! An instance is launched at `launched`, becomes STABLE at `stable_at` (PENDING, then STAGING
//! with its containers TASK_STAGING and TASK_STARTING in between), and may be scheduled to stop:
//! TASK_KILLING from `kill_from`, gone at `gone_at`. Nothing ticks: every view takes `now`.
//!
//! An instance with a crashing container (`podctl sim --fail-image`) never becomes STABLE: each
//! incarnation starts like any other, runs for [`RUN_BEFORE_FAILING`], then the crashing container
//! is TASK_FAILED and its siblings TASK_KILLED (the instance is TERMINAL) until the pod's launch
//! back-off has passed, when the next incarnation starts, forever. Which incarnation runs at `now`
//! is computed from `launched`, like every other phase.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use super::agents::Agent;
use crate::pod::definition::NetworkMode;
use crate::pod::status::{Condition, ContainerStatus, EndpointStatus, InstanceStatus};
use crate::pod::time::{format_java, format_timestamp, parse_timestamp};
use crate::pod::{PodDefinition, PodId};

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    /// Launch order across the cluster; the highest is the youngest.
    pub seq: u64,
    pub incarnation: u32,
    /// The definition this instance runs (its `specReference`).
    pub spec: Arc<PodDefinition>,
    pub agent: usize,
    /// Allocated host port per endpoint, in `spec.endpoints()` order.
    pub ports: Vec<Option<u32>>,
    pub address: Option<String>,
    pub launched: SystemTime,
    pub stable_at: SystemTime,
    pub kill_from: Option<SystemTime>,
    pub gone_at: Option<SystemTime>,
    /// Names of the containers whose image crashes; empty for a healthy instance.
    pub crashing: Vec<String>,
}

/// How long a crashing container runs before it exits.
pub const RUN_BEFORE_FAILING: Duration = Duration::from_millis(500);

/// The exit of a crashing container, as Mesos reports it.
pub const EXIT_MESSAGE: &str = "Container exited with status 1";

/// What Marathon says about a running instance with an unhealthy container.
pub const UNHEALTHY_MESSAGE: &str = "at least one container is not healthy";

/// The default executor's cpus, mem, disk and gpus, which Marathon adds to every instance's
/// `resources` (`PodDefinition.DefaultExecutorResources`).
const DEFAULT_EXECUTOR: [f64; 4] = [0.1, 32.0, 10.0, 0.0];

/// After this many consecutive failures the back-off is taken as constant (it only still changes
/// for a factor below 1, shrinking towards nothing).
const BACKOFF_STEPS: u32 = 1000;

/// Marathon's launch back-off (`scheduling.backoff`): after the n-th consecutive failure the next
/// launch waits `backoff * backoffFactor^(n-1)` seconds, at most `maxLaunchDelay`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub initial: f64,
    pub factor: f64,
    pub max: f64,
}

impl Backoff {
    /// The back-off of `spec`, with Marathon's defaults (1 s, 1.15, 300 s) for what is missing.
    pub fn of(spec: &PodDefinition) -> Backoff {
        let b = spec
            .scheduling
            .as_ref()
            .and_then(|s| s.get("backoff"))
            .cloned()
            .unwrap_or(Value::Null);
        let number = |key: &str, default: f64| {
            b.get(key)
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite() && *v >= 0.0)
                .unwrap_or(default)
        };
        Backoff {
            initial: number("backoff", 1.0),
            factor: number("backoffFactor", 1.15),
            max: number("maxLaunchDelay", 300.0),
        }
    }

    /// The wait before the next launch after `failures` (at least 1) consecutive failures.
    pub fn delay(&self, failures: u32) -> Duration {
        let exponent = i32::try_from(failures.saturating_sub(1)).unwrap_or(i32::MAX);
        let secs = (self.initial * self.factor.powi(exponent)).min(self.max);
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::ZERO)
    }
}

/// One incarnation of an instance: when it was launched, when it runs and, for a crashing one,
/// when it fails and when the back-off lets the next one start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub incarnation: u32,
    pub launched: SystemTime,
    pub running: SystemTime,
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub at: SystemTime,
    pub relaunch: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Staging,
    Starting,
    Running,
    /// TASK_RUNNING, but a container is about to crash: never counted as STABLE.
    Failing,
    /// A container has crashed; waiting for the back-off to relaunch.
    Failed,
    Killing,
    Gone,
}

impl Phase {
    /// The instance state Marathon derives from its tasks; a running one is then STABLE or
    /// DEGRADED by its containers' health (see [`Instance::status`]).
    fn instance_state(self) -> &'static str {
        match self {
            Phase::Pending => "PENDING",
            Phase::Staging | Phase::Starting => "STAGING",
            Phase::Running => "STABLE",
            Phase::Failing => "DEGRADED",
            Phase::Failed | Phase::Killing | Phase::Gone => "TERMINAL",
        }
    }

    fn task_state(self) -> &'static str {
        match self {
            Phase::Pending | Phase::Staging => "TASK_STAGING",
            Phase::Starting => "TASK_STARTING",
            Phase::Running | Phase::Failing => "TASK_RUNNING",
            Phase::Killing => "TASK_KILLING",
            Phase::Failed | Phase::Gone => "TASK_KILLED",
        }
    }

    /// The `condition` of a 1.10 `Instance` object.
    pub(crate) fn condition(self) -> &'static str {
        match self {
            Phase::Pending => "Provisioned",
            Phase::Staging => "Staging",
            Phase::Starting => "Starting",
            Phase::Running | Phase::Failing => "Running",
            Phase::Failed => "Failed",
            Phase::Killing => "Killing",
            Phase::Gone => "Killed",
        }
    }
}

/// The host ports an instance of `spec` asks for, per endpoint.
pub fn requested_ports(spec: &PodDefinition) -> Vec<Option<u32>> {
    spec.endpoints().map(|(_, e)| e.host_port).collect()
}

impl Instance {
    /// The phase at `now` and since when it holds.
    pub fn phase(&self, now: SystemTime) -> (Phase, SystemTime) {
        if let Some(gone) = self.gone_at.filter(|g| *g <= now) {
            return (Phase::Gone, gone);
        }
        if let Some(kill) = self.kill_from.filter(|k| *k <= now) {
            return (Phase::Killing, kill);
        }
        let run = self.run(now);
        if let Some(failure) = run.failure {
            if now >= failure.at {
                return (Phase::Failed, failure.at);
            }
            if now >= run.running {
                return (Phase::Failing, run.running);
            }
        } else if now >= run.running {
            return (Phase::Running, run.running);
        }
        let window = run.running.duration_since(run.launched).unwrap_or_default();
        let elapsed = now.duration_since(run.launched).unwrap_or_default();
        let at = |fraction: f64| run.launched + window.mul_f64(fraction);
        if elapsed < window.mul_f64(0.2) {
            (Phase::Pending, run.launched)
        } else if elapsed < window.mul_f64(0.6) {
            (Phase::Staging, at(0.2))
        } else {
            (Phase::Starting, at(0.6))
        }
    }

    pub fn is_visible(&self, now: SystemTime) -> bool {
        self.phase(now).0 != Phase::Gone
    }

    /// Still part of the pod's future: not being killed and not scheduled to be.
    pub fn is_live(&self) -> bool {
        self.kill_from.is_none() && self.gone_at.is_none()
    }

    pub fn is_stable(&self, now: SystemTime) -> bool {
        self.phase(now).0 == Phase::Running
    }

    /// The incarnation running at `now`. A healthy instance has one; a crashing one goes through
    /// launch, a brief run, failure and back-off again and again, starting at `launched`.
    pub fn run(&self, now: SystemTime) -> Run {
        self.runs(now).0
    }

    /// The incarnation at `now` and the one before it, if any.
    fn runs(&self, now: SystemTime) -> (Run, Option<Run>) {
        let window = self
            .stable_at
            .duration_since(self.launched)
            .unwrap_or_default();
        let mut run = Run {
            incarnation: self.incarnation,
            launched: self.launched,
            running: self.stable_at,
            failure: None,
        };
        if self.crashing.is_empty() {
            return (run, None);
        }
        let backoff = Backoff::of(&self.spec);
        let mut previous = None;
        // Consecutive failures before the current incarnation.
        let mut failures: u32 = 0;
        loop {
            let at = run.running + RUN_BEFORE_FAILING;
            let delay = backoff.delay(failures + 1);
            let failure = Failure {
                at,
                relaunch: at + delay,
            };
            run.failure = Some(failure);
            if now < failure.relaunch {
                return (run, previous);
            }
            let mut next = Run {
                incarnation: run.incarnation.saturating_add(1),
                launched: failure.relaunch,
                running: failure.relaunch + window,
                failure: None,
            };
            failures = failures.saturating_add(1);
            // Once the delay no longer changes, skip whole cycles instead of walking them.
            if failures >= BACKOFF_STEPS || backoff.delay(failures + 1) == delay {
                let period = window + RUN_BEFORE_FAILING + delay;
                let ahead = now.duration_since(next.launched).unwrap_or_default();
                let skip = if period.is_zero() {
                    0
                } else {
                    (ahead.as_secs_f64() / period.as_secs_f64()).floor() as u32
                };
                if skip > 1 {
                    // Keep one cycle to walk so that `previous` is right.
                    let skip = skip - 1;
                    let jump = period.saturating_mul(skip);
                    next.incarnation = next.incarnation.saturating_add(skip);
                    next.launched += jump;
                    next.running += jump;
                    failures = failures.saturating_add(skip);
                }
            }
            previous = Some(run);
            run = next;
        }
    }

    /// The last failure that happened by `now` (and before the instance was being killed).
    pub fn last_failure(&self, now: SystemTime) -> Option<Run> {
        let cut = self.kill_from.map_or(now, |k| k.min(now));
        let (run, previous) = self.runs(cut);
        match run.failure {
            Some(f) if f.at <= cut => Some(run),
            _ => previous,
        }
    }

    /// The `terminationHistory` entry of the failure of `run`.
    pub fn termination(&self, run: &Run) -> Option<Value> {
        let failure = run.failure?;
        let containers: Vec<Value> = self
            .spec
            .containers
            .iter()
            .map(|c| {
                let state = if self.crashing.contains(&c.name) {
                    "TASK_FAILED"
                } else {
                    "TASK_KILLED"
                };
                json!({
                    "containerId": format!("{}.{}.{}", self.id, c.name, run.incarnation),
                    "lastKnownState": state,
                })
            })
            .collect();
        Some(json!({
            "instanceID": self.id,
            "startedAt": format_timestamp(run.running),
            "terminatedAt": format_timestamp(failure.at),
            "message": EXIT_MESSAGE,
            "containers": containers,
        }))
    }

    /// When the back-off of a failed instance ends, if it is in one at `now`.
    pub fn backoff_until(&self, now: SystemTime) -> Option<SystemTime> {
        if self.phase(now).0 != Phase::Failed {
            return None;
        }
        self.run(now).failure.map(|f| f.relaunch)
    }

    /// Starts the instance again from the beginning, as Marathon relaunches a killed instance.
    pub fn relaunch(&mut self, now: SystemTime, time_to_stable: Duration) {
        self.incarnation = self.run(now).incarnation.saturating_add(1);
        self.launched = now;
        self.stable_at = now + time_to_stable;
        self.kill_from = None;
        self.gone_at = None;
    }

    /// `/v2/pods/web::versions/<version>`, the version in Java's default text, as Marathon
    /// writes it (`…T12:34Z` on a whole minute).
    fn spec_reference(&self) -> String {
        let raw = self.spec.version.as_deref().unwrap_or_default();
        let version = parse_timestamp(raw).map_or_else(|| raw.to_string(), format_java);
        format!("/v2/pods{}::versions/{version}", self.spec.id)
    }

    /// The `PodInstanceStatus` at `now`, built as `PodStatusConversion.scala` builds it.
    pub fn status(&self, agent: Option<&Agent>, now: SystemTime) -> InstanceStatus {
        let (phase, since) = self.phase(now);
        let since = format_timestamp(since);
        // Marathon's "active" task conditions: endpoints are only reported for these.
        let active = !matches!(phase, Phase::Gone | Phase::Failed);
        // Resources are reported for staging, starting, running and killing tasks: not for a
        // provisioned one (PENDING) nor a terminal one.
        let holds_resources = active && phase != Phase::Pending;
        let running = matches!(phase, Phase::Running | Phase::Failing);
        let incarnation = self.run(now).incarnation;
        // Marathon adds the *default* executor's resources, whatever the pod asks for.
        let mut total = DEFAULT_EXECUTOR;
        let mut port_index = 0;
        let mut containers = Vec::new();
        for c in &self.spec.containers {
            let r = &c.resources;
            let res = [
                r.cpus.unwrap_or(0.0),
                r.mem.unwrap_or(0.0),
                r.disk.unwrap_or(0.0),
                r.gpus.unwrap_or(0) as f64,
            ];
            if holds_resources {
                for (t, v) in total.iter_mut().zip(res) {
                    *t += v;
                }
            }
            let checked = c.health_check.as_ref().and_then(|h| {
                h.http
                    .as_ref()
                    .or(h.tcp.as_ref())
                    .map(|e| e.endpoint.clone())
            });
            let crashing = self.crashing.contains(&c.name);
            // A crashing container never passes its health check.
            let healthy = running && c.health_check.is_some() && !crashing;
            let reports_health = running && c.health_check.is_some();
            let mut with_port = Vec::new();
            let mut without_port = Vec::new();
            for e in c.endpoints.iter().flatten() {
                let port = self.ports.get(port_index).copied().flatten();
                port_index += 1;
                let status = EndpointStatus {
                    name: e.name.clone(),
                    allocated_host_port: port,
                    ..Default::default()
                };
                if e.host_port.is_some() {
                    with_port.push(status);
                } else {
                    without_port.push(status);
                }
            }
            // Host-port endpoints first, then the others; the health-checked one goes last.
            let mut endpoints = with_port;
            endpoints.append(&mut without_port);
            if let Some(at) = endpoints
                .iter()
                .position(|e| checked.as_deref() == Some(e.name.as_str()))
            {
                let mut endpoint = endpoints.remove(at);
                endpoint.healthy = reports_health.then_some(healthy);
                endpoints.push(endpoint);
            }
            if !active {
                endpoints.clear();
            }
            let conditions = if reports_health {
                let mut extra = serde_json::Map::new();
                extra.insert("reason".into(), json!("health-reported-by-mesos"));
                extra.insert("lastChanged".into(), json!(since));
                extra.insert("lastUpdated".into(), json!(since));
                vec![Condition {
                    name: "healthy".into(),
                    value: healthy.to_string(),
                    extra,
                }]
            } else {
                Vec::new()
            };
            let (status, message, termination) = match phase {
                Phase::Failed if crashing => (
                    "TASK_FAILED",
                    Some(EXIT_MESSAGE.to_string()),
                    Some(json!({"exitCode": 1, "message": EXIT_MESSAGE})),
                ),
                Phase::Failed => (
                    "TASK_KILLED",
                    Some(format!(
                        "Killed because another container of the instance failed: {}",
                        self.crashing.join(", ")
                    )),
                    None,
                ),
                _ => (phase.task_state(), None, None),
            };
            containers.push(ContainerStatus {
                name: c.name.clone(),
                status: status.into(),
                status_since: Some(since.clone()),
                message,
                conditions,
                container_id: Some(format!("{}.{}.{}", self.id, c.name, incarnation)),
                endpoints,
                termination,
                resources: holds_resources.then(
                    || json!({"cpus": res[0], "mem": res[1], "disk": res[2], "gpus": res[3]}),
                ),
                last_updated: Some(since.clone()),
                last_changed: Some(since.clone()),
                ..Default::default()
            });
        }
        // A running instance is DEGRADED only when a container reports itself unhealthy; one
        // without a health check reports nothing and counts as STABLE while it runs.
        let unhealthy = containers.iter().any(|c| {
            c.conditions
                .iter()
                .any(|k| k.name == "healthy" && k.value == "false")
        });
        let (state, message) = match phase {
            Phase::Running | Phase::Failing if unhealthy => {
                ("DEGRADED", Some(UNHEALTHY_MESSAGE.to_string()))
            }
            Phase::Running | Phase::Failing => ("STABLE", None),
            _ => (phase.instance_state(), None),
        };
        let networks = match (self.spec.network_mode(), &self.address) {
            (NetworkMode::Container, Some(address)) => self
                .spec
                .networks
                .iter()
                .flatten()
                .map(|n| json!({"name": n.name, "addresses": [address]}))
                .collect(),
            (NetworkMode::Bridge, Some(address)) => {
                vec![json!({"name": "mesos-bridge", "addresses": [address]})]
            }
            _ => Vec::new(),
        };
        let mut extra = serde_json::Map::new();
        extra.insert("localVolumes".into(), json!([]));
        extra.insert("role".into(), json!("*"));
        InstanceStatus {
            id: self.id.clone(),
            status: state.into(),
            status_since: Some(since.clone()),
            message,
            conditions: Vec::new(),
            agent_hostname: agent.map(|a| a.hostname.clone()),
            agent_id: agent.map(|a| a.id.clone()),
            resources: Some(json!({
                "cpus": total[0], "mem": total[1], "disk": total[2], "gpus": total[3]
            })),
            networks,
            containers,
            spec_reference: Some(self.spec_reference()),
            last_updated: Some(since.clone()),
            last_changed: Some(since),
            extra,
        }
    }

    /// The 1.10 `Instance` object of the kill endpoints, as the instance was when killed.
    pub fn killed(&self, agent: Option<&Agent>, now: SystemTime, wipe: bool) -> Value {
        let (phase, since) = self.phase(now);
        let mut state = json!({
            "condition": phase.condition(),
            "since": format_timestamp(since),
            "goal": if wipe { "Decommissioned" } else { "Running" },
        });
        if matches!(phase, Phase::Running | Phase::Failing) {
            state["activeSince"] = json!(format_timestamp(self.run(now).running));
            if self
                .spec
                .containers
                .iter()
                .any(|c| c.health_check.is_some())
            {
                state["healthy"] = json!(phase == Phase::Running);
            }
        }
        let unreachable = self
            .spec
            .scheduling
            .as_ref()
            .and_then(|s| s.get("unreachableStrategy"))
            .cloned()
            .unwrap_or_else(|| json!({"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0}));
        json!({
            "instanceId": self.id,
            "state": state,
            "agentInfo": {
                "host": agent.map(|a| a.hostname.clone()),
                "agentId": agent.map(|a| a.id.clone()),
                "attributes": []
            },
            "runSpecVersion": self.spec.version,
            "unreachableStrategy": unreachable
        })
    }
}

/// A new instance id: `<segments joined by _>.instance-<uuid>`.
pub fn new_instance_id(pod: &PodId, uuid: &str) -> String {
    format!("{}.instance-{uuid}", pod.instance_prefix())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::normalize::normalize;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    fn instance(spec: &str) -> Instance {
        let spec: PodDefinition = serde_json::from_str(spec).expect("test spec");
        let spec = normalize(spec, "2023-11-14T22:13:20.000Z");
        Instance {
            id: "web.instance-1".into(),
            seq: 1,
            incarnation: 1,
            ports: vec![Some(31000), None],
            spec: Arc::new(spec),
            agent: 0,
            address: Some("9.0.0.1".into()),
            launched: at(0),
            stable_at: at(10),
            kill_from: None,
            gone_at: None,
            crashing: Vec::new(),
        }
    }

    const SPEC: &str = r#"{"id":"/web","networks":[{"mode":"container"}],"containers":[
        {"name":"app","resources":{"cpus":0.5,"mem":64},
         "endpoints":[{"name":"http","containerPort":80,"hostPort":0},{"name":"admin","containerPort":81}],
         "healthCheck":{"http":{"endpoint":"http"}}}]}"#;

    #[test]
    fn timeline() {
        let i = instance(SPEC);
        assert_eq!(i.phase(at(1)).0, Phase::Pending);
        assert_eq!(i.phase(at(3)), (Phase::Staging, at(2)));
        assert_eq!(i.phase(at(7)).0, Phase::Starting);
        assert_eq!(i.phase(at(10)), (Phase::Running, at(10)));
        let mut k = i.clone();
        k.kill_from = Some(at(20));
        k.gone_at = Some(at(30));
        assert_eq!(k.phase(at(25)).0, Phase::Killing);
        assert!(!k.is_visible(at(30)));
    }

    #[test]
    fn status_while_starting_and_when_stable() {
        let i = instance(SPEC);
        let s = i.status(None, at(3));
        assert_eq!(s.status, "STAGING");
        assert_eq!(s.containers[0].status, "TASK_STAGING");
        assert!(s.containers[0].conditions.is_empty());
        let s = i.status(None, at(11));
        assert_eq!(s.status, "STABLE");
        let c = &s.containers[0];
        assert_eq!(c.status, "TASK_RUNNING");
        assert_eq!(c.container_id.as_deref(), Some("web.instance-1.app.1"));
        assert_eq!(c.conditions[0].value, "true");
        // The health-checked endpoint comes last (`PodStatusConversion.endpointStatuses`).
        assert_eq!(c.endpoints[1].name, "http");
        assert_eq!(c.endpoints[1].allocated_host_port, Some(31000));
        assert_eq!(c.endpoints[1].healthy, Some(true));
        assert_eq!(c.endpoints[0].name, "admin");
        assert_eq!(c.endpoints[0].allocated_host_port, None);
        assert_eq!(c.endpoints[0].healthy, None);
        assert_eq!(
            s.networks,
            vec![json!({"name": "dcos", "addresses": ["9.0.0.1"]})]
        );
        assert_eq!(
            s.spec_reference.as_deref(),
            Some("/v2/pods/web::versions/2023-11-14T22:13:20Z")
        );
        // executor 0.1 + container 0.5
        let cpus = s.resources.as_ref().and_then(|r| r["cpus"].as_f64());
        assert!(cpus.is_some_and(|c| (c - 0.6).abs() < 1e-9), "{cpus:?}");
    }

    #[test]
    fn provisioned_containers_hold_no_resources_and_the_executor_is_the_default() {
        let mut i = instance(SPEC);
        let mut spec = (*i.spec).clone();
        if let Some(ex) = spec.executor_resources.as_mut() {
            ex.cpus = Some(2.0);
        }
        i.spec = Arc::new(spec);
        let s = i.status(None, at(1));
        assert_eq!(s.status, "PENDING");
        assert_eq!(s.containers[0].resources, None);
        assert_eq!(
            s.resources,
            Some(json!({"cpus": 0.1, "mem": 32.0, "disk": 10.0, "gpus": 0.0}))
        );
        let cpus = i
            .status(None, at(11))
            .resources
            .and_then(|r| r["cpus"].as_f64());
        assert!(cpus.is_some_and(|c| (c - 0.6).abs() < 1e-9), "{cpus:?}");
        // Failed: no resources, no endpoints (Marathon reports them for active tasks only).
        i.crashing = vec!["app".into()];
        let failed = i.status(None, at(11));
        assert_eq!(failed.status, "TERMINAL");
        assert_eq!(failed.containers[0].resources, None);
        assert!(failed.containers[0].endpoints.is_empty());
    }

    #[test]
    fn relaunch_bumps_the_incarnation() {
        let mut i = instance(SPEC);
        i.relaunch(at(20), Duration::from_secs(5));
        assert_eq!(i.phase(at(20)).0, Phase::Pending);
        let s = i.status(None, at(26));
        assert_eq!(
            s.containers[0].container_id.as_deref(),
            Some("web.instance-1.app.2")
        );
        let killed = i.killed(None, at(26), false);
        assert_eq!(killed["instanceId"], "web.instance-1");
        assert_eq!(killed["state"]["condition"], "Running");
        assert_eq!(killed["runSpecVersion"], "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn backoff_grows_by_the_factor_up_to_the_maximum() {
        let mut i = instance(SPEC);
        let mut spec = (*i.spec).clone();
        spec.scheduling =
            Some(json!({"backoff": {"backoff": 2, "backoffFactor": 2, "maxLaunchDelay": 5}}));
        i.spec = Arc::new(spec);
        let b = Backoff::of(&i.spec);
        let delays: Vec<f64> = (1..=4).map(|n| b.delay(n).as_secs_f64()).collect();
        assert_eq!(delays, vec![2.0, 4.0, 5.0, 5.0]);
        let defaults = Backoff::of(&instance(r#"{"id":"/web","containers":[]}"#).spec);
        assert_eq!(defaults.delay(1), Duration::from_secs(1));
        assert_eq!(defaults.delay(2), Duration::from_millis(1150));
        // Crashing with it: running at 10, failed at 10.5, relaunched at 12.5.
        i.crashing = vec!["app".into()];
        assert_eq!(i.phase(at(10)).0, Phase::Failing);
        assert_eq!(i.status(None, at(10)).status, "DEGRADED");
        let s = i.status(None, at(11));
        assert_eq!(s.status, "TERMINAL");
        assert_eq!(s.containers[0].status, "TASK_FAILED");
        assert_eq!(s.containers[0].conditions, Vec::new());
        assert_eq!(
            i.backoff_until(at(11)),
            Some(at(12) + Duration::from_millis(500))
        );
        assert_eq!(i.run(at(13)).incarnation, 2);
        assert_eq!(
            i.killed(None, at(11), false)["state"]["condition"],
            "Failed"
        );
        // A kill relaunches with the next incarnation after the one running.
        i.relaunch(at(13), Duration::from_secs(5));
        assert_eq!(i.run(at(13)).incarnation, 3);
        assert_eq!(i.phase(at(13)).0, Phase::Pending);
    }
}
