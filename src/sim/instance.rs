//! One pod instance's life as a function of time, and how it looks at a given moment: its
//! `PodInstanceStatus` and the 1.10 `Instance` object the kill endpoints answer with.
//!
//! An instance is launched at `launched`, becomes STABLE at `stable_at` (PENDING, then STAGING
//! with its containers TASK_STAGING and TASK_STARTING in between), and may be scheduled to stop:
//! TASK_KILLING from `kill_from`, gone at `gone_at`. Nothing ticks: every view takes `now`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use super::agents::Agent;
use crate::pod::definition::NetworkMode;
use crate::pod::status::{Condition, ContainerStatus, EndpointStatus, InstanceStatus};
use crate::pod::time::format_timestamp;
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Staging,
    Starting,
    Running,
    Killing,
    Gone,
}

impl Phase {
    /// The instance state Marathon derives from its tasks.
    fn instance_state(self) -> &'static str {
        match self {
            Phase::Pending => "PENDING",
            Phase::Staging | Phase::Starting => "STAGING",
            Phase::Running => "STABLE",
            Phase::Killing | Phase::Gone => "TERMINAL",
        }
    }

    fn task_state(self) -> &'static str {
        match self {
            Phase::Pending | Phase::Staging => "TASK_STAGING",
            Phase::Starting => "TASK_STARTING",
            Phase::Running => "TASK_RUNNING",
            Phase::Killing => "TASK_KILLING",
            Phase::Gone => "TASK_KILLED",
        }
    }

    /// The `condition` of a 1.10 `Instance` object.
    fn condition(self) -> &'static str {
        match self {
            Phase::Pending => "Provisioned",
            Phase::Staging => "Staging",
            Phase::Starting => "Starting",
            Phase::Running => "Running",
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
        if now >= self.stable_at {
            return (Phase::Running, self.stable_at);
        }
        let window = self
            .stable_at
            .duration_since(self.launched)
            .unwrap_or_default();
        let elapsed = now.duration_since(self.launched).unwrap_or_default();
        let at = |fraction: f64| self.launched + window.mul_f64(fraction);
        if elapsed < window.mul_f64(0.2) {
            (Phase::Pending, self.launched)
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

    /// Starts the instance again from the beginning, as Marathon relaunches a killed instance.
    pub fn relaunch(&mut self, now: SystemTime, time_to_stable: Duration) {
        self.incarnation += 1;
        self.launched = now;
        self.stable_at = now + time_to_stable;
        self.kill_from = None;
        self.gone_at = None;
    }

    fn spec_reference(&self) -> String {
        let version = self.spec.version.as_deref().unwrap_or_default();
        format!("/v2/pods{}::versions/{version}", self.spec.id)
    }

    pub fn status(&self, agent: Option<&Agent>, now: SystemTime) -> InstanceStatus {
        let (phase, since) = self.phase(now);
        let since = format_timestamp(since);
        let active = phase != Phase::Gone;
        let mut total = [0.0f64; 4];
        if let Some(ex) = &self.spec.executor_resources {
            total[0] += ex.cpus.unwrap_or(0.0);
            total[1] += ex.mem.unwrap_or(0.0);
            total[2] += ex.disk.unwrap_or(0.0);
        }
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
            if active {
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
            let healthy = phase == Phase::Running && c.health_check.is_some();
            let mut endpoints = Vec::new();
            for e in c.endpoints.iter().flatten() {
                let port = self.ports.get(port_index).copied().flatten();
                port_index += 1;
                endpoints.push(EndpointStatus {
                    name: e.name.clone(),
                    allocated_host_port: port,
                    healthy: (healthy && checked.as_deref() == Some(e.name.as_str()))
                        .then_some(true),
                    ..Default::default()
                });
            }
            let conditions = if healthy {
                let mut extra = serde_json::Map::new();
                extra.insert("reason".into(), json!("health-reported-by-mesos"));
                extra.insert("lastChanged".into(), json!(since));
                extra.insert("lastUpdated".into(), json!(since));
                vec![Condition {
                    name: "healthy".into(),
                    value: "true".into(),
                    extra,
                }]
            } else {
                Vec::new()
            };
            containers.push(ContainerStatus {
                name: c.name.clone(),
                status: phase.task_state().into(),
                status_since: Some(since.clone()),
                conditions,
                container_id: Some(format!("{}.{}.{}", self.id, c.name, self.incarnation)),
                endpoints,
                resources: active.then(
                    || json!({"cpus": res[0], "mem": res[1], "disk": res[2], "gpus": res[3]}),
                ),
                last_updated: Some(since.clone()),
                last_changed: Some(since.clone()),
                ..Default::default()
            });
        }
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
            status: phase.instance_state().into(),
            status_since: Some(since.clone()),
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
            ..Default::default()
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
        if phase == Phase::Running {
            state["activeSince"] = json!(format_timestamp(self.stable_at));
            if self
                .spec
                .containers
                .iter()
                .any(|c| c.health_check.is_some())
            {
                state["healthy"] = json!(true);
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
pub fn new_instance_id(pod: &PodId) -> String {
    format!(
        "{}.instance-{}",
        pod.instance_prefix(),
        uuid::Uuid::new_v4()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::normalize::normalize;

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
        assert_eq!(c.endpoints[0].allocated_host_port, Some(31000));
        assert_eq!(c.endpoints[0].healthy, Some(true));
        assert_eq!(c.endpoints[1].allocated_host_port, None);
        assert_eq!(c.endpoints[1].healthy, None);
        assert_eq!(
            s.networks,
            vec![json!({"name": "dcos", "addresses": ["9.0.0.1"]})]
        );
        assert_eq!(
            s.spec_reference.as_deref(),
            Some("/v2/pods/web::versions/2023-11-14T22:13:20.000Z")
        );
        // executor 0.1 + container 0.5
        let cpus = s.resources.as_ref().and_then(|r| r["cpus"].as_f64());
        assert!(cpus.is_some_and(|c| (c - 0.6).abs() < 1e-9), "{cpus:?}");
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
}
