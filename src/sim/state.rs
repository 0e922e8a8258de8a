//! The in-memory scheduler: pods, their version history, running deployments and instances.
//!
//! Every operation takes `now`, and state is derived from it lazily (an instance knows when it
//! becomes STABLE; a deployment knows when it ends), so nothing ticks in the background and tests
//! can move time by hand. The model speaks `pod` types and [`SimError`]; it knows nothing of
//! HTTP, and definitions reaching it have already been parsed and checked.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::agents::Agents;
use super::error::SimError;
use super::instance::{new_instance_id, requested_ports, Instance};
use super::normalize::{normalize, only_scaling_differs, same_spec};
use crate::pod::definition::NetworkMode;
use crate::pod::deployment::{Action, Step};
use crate::pod::time::{format_timestamp, parse_timestamp};
use crate::pod::{Deployment, PodDefinition, PodId, PodStatus};

/// How many agents the simulated cluster has.
const AGENTS: usize = 3;

#[derive(Debug)]
pub struct Cluster {
    deploy_time: Duration,
    pods: BTreeMap<PodId, PodRecord>,
    /// Every stored version per id, oldest first; kept when a pod is removed.
    history: BTreeMap<PodId, Vec<Arc<PodDefinition>>>,
    plans: Vec<Plan>,
    agents: Agents,
    last_version_ms: u128,
    next_seq: u64,
}

#[derive(Debug, Clone)]
struct PodRecord {
    spec: Arc<PodDefinition>,
    instances: Vec<Instance>,
}

/// A registered deployment, with what it changed so that it can be rolled back.
#[derive(Debug, Clone)]
struct Plan {
    id: String,
    version: String,
    pod: PodId,
    actions: Vec<&'static str>,
    started: SystemTime,
    ends: SystemTime,
    before: Option<Arc<PodDefinition>>,
}

/// The outcome of an accepted POST or PUT.
#[derive(Debug, Clone)]
pub struct Written {
    pub definition: PodDefinition,
    pub deployment_id: String,
}

impl Cluster {
    /// An empty cluster whose deployments each take `deploy_time`; `cluster_id` seeds agent ids.
    pub fn new(deploy_time: Duration, cluster_id: &str) -> Cluster {
        Cluster {
            deploy_time,
            pods: BTreeMap::new(),
            history: BTreeMap::new(),
            plans: Vec::new(),
            agents: Agents::new(AGENTS, cluster_id),
            last_version_ms: 0,
            next_seq: 0,
        }
    }

    /// `POST /v2/pods`: create, refusing an existing id.
    pub fn create(
        &mut self,
        pod: PodDefinition,
        force: bool,
        now: SystemTime,
    ) -> Result<Written, SimError> {
        self.advance(now);
        let id = PodId::lenient(&pod.id);
        if self.pods.contains_key(&id) {
            return Err(SimError::PodExists(id));
        }
        self.lock(&id, force, now)?;
        self.store(id, pod, now)
    }

    /// `PUT /v2/pods/{id}`: create or update. A definition equal to the stored one starts no
    /// deployment and keeps the stored version, though the answer carries a fresh one (as
    /// Marathon's does).
    pub fn update(
        &mut self,
        pod: PodDefinition,
        force: bool,
        now: SystemTime,
    ) -> Result<Written, SimError> {
        self.advance(now);
        let id = PodId::lenient(&pod.id);
        self.lock(&id, force, now)?;
        if let Some(current) = self.pods.get(&id).map(|r| r.spec.clone()) {
            let version = self.next_version(now);
            let definition = normalize(pod.clone(), &version);
            if same_spec(&current, &definition) {
                return Ok(Written {
                    definition,
                    deployment_id: uuid::Uuid::new_v4().to_string(),
                });
            }
        }
        self.store(id, pod, now)
    }

    fn store(
        &mut self,
        id: PodId,
        pod: PodDefinition,
        now: SystemTime,
    ) -> Result<Written, SimError> {
        let version = self.next_version(now);
        let definition = normalize(pod, &version);
        let spec = Arc::new(definition.clone());
        self.history
            .entry(id.clone())
            .or_default()
            .push(spec.clone());
        let deployment_id = self.transition(&id, Some(spec), version, now);
        Ok(Written {
            definition,
            deployment_id,
        })
    }

    /// `DELETE /v2/pods/{id}`: the pod is gone at once; its StopPod deployment runs on.
    pub fn remove(&mut self, id: &PodId, force: bool, now: SystemTime) -> Result<String, SimError> {
        self.advance(now);
        if !self.pods.contains_key(id) {
            return Err(SimError::PodNotFound(id.clone()));
        }
        self.lock(id, force, now)?;
        let version = self.next_version(now);
        Ok(self.transition(id, None, version, now))
    }

    pub fn pod(&self, id: &PodId) -> Option<PodDefinition> {
        self.pods.get(id).map(|r| (*r.spec).clone())
    }

    pub fn pods(&self) -> Vec<PodDefinition> {
        self.pods.values().map(|r| (*r.spec).clone()).collect()
    }

    pub fn status(&self, id: &PodId, now: SystemTime) -> Option<PodStatus> {
        self.pods.get(id).map(|r| self.pod_status(id, r, now))
    }

    pub fn statuses(&self, now: SystemTime) -> Vec<PodStatus> {
        self.pods
            .iter()
            .map(|(id, r)| self.pod_status(id, r, now))
            .collect()
    }

    /// `::versions`: every stored version, also those from before a delete; 404 while the pod
    /// does not exist.
    pub fn versions(&self, id: &PodId) -> Result<Vec<String>, SimError> {
        if !self.pods.contains_key(id) {
            return Err(SimError::PodNotFound(id.clone()));
        }
        Ok(self
            .history
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|d| d.version.clone())
            .collect())
    }

    /// `::versions/{version}`; versions compare as instants, not strings.
    pub fn version(&self, id: &PodId, version: &str) -> Result<PodDefinition, SimError> {
        let wanted = parse_timestamp(version)
            .ok_or_else(|| SimError::InvalidTimestamp(version.to_string()))?;
        if !self.pods.contains_key(id) {
            return Err(SimError::PodNotFound(id.clone()));
        }
        self.history
            .get(id)
            .into_iter()
            .flatten()
            .find(|d| d.version.as_deref().and_then(parse_timestamp) == Some(wanted))
            .map(|d| (**d).clone())
            .ok_or_else(|| SimError::PodNotFound(id.clone()))
    }

    /// `DELETE ::instances`: kills the known ids (unknown ones are skipped) and relaunches them,
    /// with the same id and a higher incarnation, or with a new id when `wipe` is set.
    pub fn kill(
        &mut self,
        id: &PodId,
        instance_ids: &[String],
        wipe: bool,
        now: SystemTime,
    ) -> Result<Vec<Value>, SimError> {
        self.advance(now);
        let Some(mut record) = self.pods.remove(id) else {
            return Err(SimError::PathNotFound(id.clone()));
        };
        let per_instance = self
            .deploy_time
            .div_f64(f64::from(record.spec.instances().max(1)));
        let mut killed = Vec::new();
        for wanted in instance_ids {
            let Some(instance) = record
                .instances
                .iter_mut()
                .find(|i| &i.id == wanted && i.is_visible(now))
            else {
                continue;
            };
            killed.push(instance.killed(self.agents.get(instance.agent), now, wipe));
            if !instance.is_live() {
                continue;
            }
            if wipe {
                let requested = requested_ports(&instance.spec);
                self.agents
                    .release_ports(instance.agent, &instance.ports, &requested);
                instance.agent = self.agents.place();
                instance.ports = self.agents.allocate_ports(instance.agent, &requested);
                if instance.address.is_some() {
                    instance.address = Some(self.agents.address());
                }
                instance.id = new_instance_id(id);
                instance.incarnation = 0;
                self.next_seq += 1;
                instance.seq = self.next_seq;
            }
            instance.relaunch(now, per_instance);
        }
        self.pods.insert(id.clone(), record);
        Ok(killed)
    }

    /// `DELETE ::instances/{instanceId}`.
    pub fn kill_one(
        &mut self,
        id: &PodId,
        instance_id: &str,
        wipe: bool,
        now: SystemTime,
    ) -> Result<Value, SimError> {
        self.kill(id, &[instance_id.to_string()], wipe, now)?
            .pop()
            .ok_or_else(|| SimError::TaskNotFound(instance_id.to_string()))
    }

    /// `GET /v2/deployments`: the deployments still running at `now`.
    pub fn deployments(&self, now: SystemTime) -> Vec<Deployment> {
        self.plans
            .iter()
            .filter(|p| p.ends > now)
            .map(|p| p.view(now))
            .collect()
    }

    /// `DELETE /v2/deployments/{id}`: with `force`, just stop it (`None`); otherwise start a
    /// deployment that reverts its change and return that one's id and version.
    pub fn cancel_deployment(
        &mut self,
        deployment_id: &str,
        force: bool,
        now: SystemTime,
    ) -> Result<Option<(String, String)>, SimError> {
        self.advance(now);
        let Some(index) = self.plans.iter().position(|p| p.id == deployment_id) else {
            return Err(SimError::DeploymentNotFound(deployment_id.to_string()));
        };
        let plan = self.plans.remove(index);
        if force {
            return Ok(None);
        }
        let version = self.next_version(now);
        let id = self.transition(&plan.pod, plan.before, version.clone(), now);
        Ok(Some((id, version)))
    }

    /// `GET /v2/queue`: pods with instances that are not running yet.
    pub fn queue(&self, now: SystemTime) -> Value {
        let entries: Vec<Value> = self
            .pods
            .values()
            .filter_map(|r| {
                let waiting: Vec<&Instance> = r
                    .instances
                    .iter()
                    .filter(|i| i.is_live() && !i.is_stable(now))
                    .collect();
                let since = waiting.iter().map(|i| i.launched).min()?;
                Some(json!({
                    "pod": *r.spec,
                    "count": waiting.len(),
                    "delay": {"timeLeftSeconds": 0, "overdue": false},
                    "since": format_timestamp(since),
                }))
            })
            .collect();
        json!({ "queue": entries })
    }

    /// Forgets what has finished by `now`: stopped instances (giving back their ports) and
    /// ended deployments.
    fn advance(&mut self, now: SystemTime) {
        for record in self.pods.values_mut() {
            let agents = &mut self.agents;
            record.instances.retain(|i| {
                let keep = i.is_visible(now);
                if !keep {
                    agents.release_ports(i.agent, &i.ports, &requested_ports(&i.spec));
                }
                keep
            });
        }
        self.plans.retain(|p| p.ends > now);
    }

    /// Refuses a change to a pod that a running deployment touches, unless `force`, which
    /// cancels those deployments.
    fn lock(&mut self, id: &PodId, force: bool, now: SystemTime) -> Result<(), SimError> {
        let running: Vec<String> = self
            .plans
            .iter()
            .filter(|p| &p.pod == id && p.ends > now)
            .map(|p| p.id.clone())
            .collect();
        if running.is_empty() {
            return Ok(());
        }
        if !force {
            return Err(SimError::Locked(running));
        }
        self.plans.retain(|p| &p.pod != id);
        Ok(())
    }

    /// Version timestamps strictly increase, even for writes within one millisecond.
    fn next_version(&mut self, now: SystemTime) -> String {
        let ms = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .max(self.last_version_ms + 1);
        self.last_version_ms = ms;
        let ms = u64::try_from(ms).unwrap_or(u64::MAX);
        format_timestamp(UNIX_EPOCH + Duration::from_millis(ms))
    }

    /// Moves pod `id` to `target` and registers the deployment doing it; returns its id.
    fn transition(
        &mut self,
        id: &PodId,
        target: Option<Arc<PodDefinition>>,
        version: String,
        now: SystemTime,
    ) -> String {
        let before = self.pods.get(id).map(|r| r.spec.clone());
        let actions = self.apply(id, target, now);
        let deployment_id = uuid::Uuid::new_v4().to_string();
        if !actions.is_empty() && !self.deploy_time.is_zero() {
            self.plans.push(Plan {
                id: deployment_id.clone(),
                version,
                pod: id.clone(),
                actions,
                started: now,
                ends: now + self.deploy_time,
                before,
            });
        }
        deployment_id
    }

    /// Changes the instances for the new target and says which actions that takes.
    fn apply(
        &mut self,
        id: &PodId,
        target: Option<Arc<PodDefinition>>,
        now: SystemTime,
    ) -> Vec<&'static str> {
        match (self.pods.remove(id), target) {
            (None, None) => Vec::new(),
            (None, Some(spec)) => {
                let instances = self.launch(id, &spec, spec.instances() as usize, now);
                self.pods.insert(id.clone(), PodRecord { spec, instances });
                vec!["StartPod", "ScalePod"]
            }
            (Some(record), None) => {
                for i in &record.instances {
                    self.agents
                        .release_ports(i.agent, &i.ports, &requested_ports(&i.spec));
                }
                vec!["StopPod"]
            }
            (Some(mut record), Some(spec)) => {
                let actions = if same_spec(&record.spec, &spec) {
                    Vec::new()
                } else if only_scaling_differs(&record.spec, &spec) {
                    self.scale(id, &mut record, &spec, now);
                    vec!["ScalePod"]
                } else {
                    self.restart(id, &mut record, &spec, now);
                    vec!["RestartPod"]
                };
                if !actions.is_empty() {
                    record.spec = spec;
                }
                self.pods.insert(id.clone(), record);
                actions
            }
        }
    }

    /// Only the instance count changed: launch the missing instances, or stop the surplus
    /// (youngest first unless `killSelection` says otherwise). The survivors are reported on the
    /// new version, since nothing but the count differs.
    fn scale(
        &mut self,
        id: &PodId,
        record: &mut PodRecord,
        spec: &Arc<PodDefinition>,
        now: SystemTime,
    ) {
        let wanted = spec.instances() as usize;
        let mut live: Vec<&mut Instance> = record
            .instances
            .iter_mut()
            .filter(|i| i.is_live())
            .collect();
        for i in live.iter_mut() {
            i.spec = spec.clone();
        }
        let have = live.len();
        if wanted > have {
            let more = self.launch(id, spec, wanted - have, now);
            record.instances.extend(more);
            return;
        }
        let oldest_first = spec
            .scheduling
            .as_ref()
            .and_then(|s| s.get("killSelection"))
            .and_then(Value::as_str)
            == Some("OLDEST_FIRST");
        live.sort_by_key(|i| i.seq);
        if !oldest_first {
            live.reverse();
        }
        for victim in live.into_iter().take(have - wanted) {
            victim.kill_from = Some(now);
            victim.gone_at = Some(now + self.deploy_time);
        }
    }

    /// The definition changed: launch a full new set; each old instance stays up until its
    /// replacement is STABLE.
    fn restart(
        &mut self,
        id: &PodId,
        record: &mut PodRecord,
        spec: &Arc<PodDefinition>,
        now: SystemTime,
    ) {
        let fresh = self.launch(id, spec, spec.instances() as usize, now);
        let mut old: Vec<&mut Instance> = record
            .instances
            .iter_mut()
            .filter(|i| i.is_live())
            .collect();
        old.sort_by_key(|i| i.seq);
        for (n, instance) in old.into_iter().enumerate() {
            match fresh.get(n).or(fresh.last()) {
                Some(replacement) => {
                    instance.kill_from = Some(replacement.stable_at);
                    instance.gone_at = Some(replacement.stable_at);
                }
                None => {
                    instance.kill_from = Some(now);
                    instance.gone_at = Some(now + self.deploy_time);
                }
            }
        }
        record.instances.extend(fresh);
    }

    /// `count` new instances; the k-th of N becomes STABLE after `deploy_time * (k+1) / N`.
    fn launch(
        &mut self,
        id: &PodId,
        spec: &Arc<PodDefinition>,
        count: usize,
        now: SystemTime,
    ) -> Vec<Instance> {
        let requested = requested_ports(spec);
        let networked = spec.network_mode() != NetworkMode::Host;
        (0..count)
            .map(|k| {
                let agent = self.agents.place();
                self.next_seq += 1;
                let share = (k + 1) as f64 / count as f64;
                Instance {
                    id: new_instance_id(id),
                    seq: self.next_seq,
                    incarnation: 1,
                    spec: spec.clone(),
                    agent,
                    ports: self.agents.allocate_ports(agent, &requested),
                    address: networked.then(|| self.agents.address()),
                    launched: now,
                    stable_at: now + self.deploy_time.mul_f64(share),
                    kill_from: None,
                    gone_at: None,
                }
            })
            .collect()
    }

    fn pod_status(&self, id: &PodId, record: &PodRecord, now: SystemTime) -> PodStatus {
        let visible: Vec<&Instance> = record
            .instances
            .iter()
            .filter(|i| i.is_visible(now))
            .collect();
        let stable = visible.iter().filter(|i| i.is_stable(now)).count();
        let since = visible.iter().map(|i| i.phase(now).1).max().unwrap_or(now);
        let since = format_timestamp(since);
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
                .map(|i| i.status(self.agents.get(i.agent), now))
                .collect(),
            termination_history: Some(Vec::new()),
            last_updated: Some(format_timestamp(now)),
            last_changed: Some(since),
            ..Default::default()
        }
    }
}

impl Plan {
    /// The deployment as listed at `now`: steps advance evenly over its run time.
    fn view(&self, now: SystemTime) -> Deployment {
        let total = self.actions.len().max(1);
        let run = self.ends.duration_since(self.started).unwrap_or_default();
        let elapsed = now.duration_since(self.started).unwrap_or_default();
        let step = if run.is_zero() {
            total
        } else {
            ((elapsed.as_secs_f64() / run.as_secs_f64() * total as f64) as usize + 1).min(total)
        };
        let pod = self.pod.to_string();
        let action = |name: &str, results: bool| Action {
            action: name.to_string(),
            pod: Some(pod.clone()),
            app: None,
            readiness_check_results: results.then(Vec::new),
        };
        Deployment {
            id: self.id.clone(),
            version: Some(self.version.clone()),
            affected_apps: Vec::new(),
            affected_pods: vec![pod.clone()],
            steps: self
                .actions
                .iter()
                .map(|a| Step {
                    actions: vec![action(a, false)],
                })
                .collect(),
            current_actions: self
                .actions
                .get(step - 1)
                .map(|a| vec![action(a, true)])
                .unwrap_or_default(),
            current_step: step as u32,
            total_steps: self.actions.len() as u32,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: f64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_secs_f64(secs)
    }

    fn pod(id: &str, instances: u32, image: &str) -> PodDefinition {
        serde_json::from_value(json!({
            "id": id,
            "scaling": {"kind": "fixed", "instances": instances},
            "containers": [{"name": "app", "resources": {"cpus": 0.1, "mem": 32},
                            "image": {"kind": "DOCKER", "id": image},
                            "endpoints": [{"name": "http", "hostPort": 0}]}]
        }))
        .expect("test pod")
    }

    fn id(s: &str) -> PodId {
        PodId::lenient(s)
    }

    fn cluster(secs: u64) -> Cluster {
        Cluster::new(Duration::from_secs(secs), "sim-cluster")
    }

    fn states(c: &Cluster, pod: &str, now: SystemTime) -> Vec<String> {
        let s = c.status(&id(pod), now).expect("pod exists");
        s.instances.iter().map(|i| i.status.clone()).collect()
    }

    #[test]
    fn instant_deployments_are_stable_at_once() {
        let mut c = cluster(0);
        let w = c
            .create(pod("/web", 2, "nginx"), false, t(0.0))
            .expect("created");
        assert_eq!(
            w.definition.version.as_deref(),
            Some("2023-11-14T22:13:20.000Z")
        );
        assert!(c.deployments(t(0.0)).is_empty());
        let s = c.status(&id("/web"), t(0.0)).expect("status");
        assert_eq!(s.status, "STABLE");
        assert_eq!(s.instances.len(), 2);
        assert!(s.instances[0].id.starts_with("web.instance-"));
        // Round-robin placement puts the two on different agents with their own pools.
        let hosts: Vec<_> = s
            .instances
            .iter()
            .map(|i| i.agent_hostname.clone())
            .collect();
        assert_eq!(
            hosts,
            vec![Some("sim-agent-1".into()), Some("sim-agent-2".into())]
        );
        assert_eq!(
            s.instances[1].containers[0].endpoints[0].allocated_host_port,
            Some(31000)
        );
        assert!(matches!(
            c.create(pod("/web", 1, "x"), false, t(0.0)),
            Err(SimError::PodExists(_))
        ));
    }

    #[test]
    fn create_rolls_out_over_deploy_time() {
        let mut c = cluster(30);
        let w = c
            .create(pod("/web", 3, "nginx"), false, t(0.0))
            .expect("created");
        let d = c.deployments(t(1.0));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].id, w.deployment_id);
        assert_eq!((d[0].current_step, d[0].total_steps), (1, 2));
        assert_eq!(d[0].current_actions[0].action, "StartPod");
        assert_eq!(c.deployments(t(16.0))[0].current_step, 2);
        assert_eq!(states(&c, "/web", t(1.0)), vec!["PENDING"; 3]);
        assert_eq!(
            c.status(&id("/web"), t(1.0)).map(|s| s.status),
            Some("DEGRADED".into())
        );
        // Instance k of 3 is STABLE at 10 s * (k+1).
        assert_eq!(
            states(&c, "/web", t(21.0)),
            vec!["STABLE", "STABLE", "STAGING"]
        );
        assert_eq!(c.queue(t(21.0))["queue"][0]["count"], 1);
        assert_eq!(
            c.status(&id("/web"), t(30.0)).map(|s| s.status),
            Some("STABLE".into())
        );
        assert!(c.deployments(t(30.0)).is_empty());
        assert_eq!(c.queue(t(30.0))["queue"], json!([]));
    }

    #[test]
    fn locked_unless_forced() {
        let mut c = cluster(30);
        let first = c
            .create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        match c.update(pod("/web", 1, "b"), false, t(1.0)) {
            Err(SimError::Locked(ids)) => assert_eq!(ids, vec![first.deployment_id.clone()]),
            other => panic!("expected lock, got {other:?}"),
        }
        assert!(matches!(
            c.remove(&id("/web"), false, t(1.0)),
            Err(SimError::Locked(_))
        ));
        let second = c.update(pod("/web", 1, "b"), true, t(2.0)).expect("forced");
        let d = c.deployments(t(2.0));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].id, second.deployment_id);
        assert_eq!(d[0].steps[0].actions[0].action, "RestartPod");
        // Another pod is not locked.
        assert!(c.create(pod("/other", 1, "a"), false, t(2.0)).is_ok());
    }

    #[test]
    fn restart_keeps_old_instances_until_replacements_are_stable() {
        let mut c = cluster(10);
        let v1 = c.create(pod("/web", 2, "a"), false, t(0.0)).expect("v1");
        let v2 = c.update(pod("/web", 2, "b"), false, t(20.0)).expect("v2");
        let s = c.status(&id("/web"), t(21.0)).expect("status");
        assert_eq!(s.instances.len(), 4);
        let v1_ref = format!(
            "/v2/pods/web::versions/{}",
            v1.definition.version.unwrap_or_default()
        );
        let old = s
            .instances
            .iter()
            .filter(|i| i.spec_reference.as_deref() == Some(&v1_ref));
        assert_eq!(old.count(), 2);
        assert_eq!(s.status, "STABLE"); // the old ones still count
                                        // At 25 s the first replacement is STABLE and the first old instance is gone.
        assert_eq!(
            c.status(&id("/web"), t(25.0)).map(|s| s.instances.len()),
            Some(3)
        );
        let done = c.status(&id("/web"), t(30.0)).expect("status");
        assert_eq!(done.instances.len(), 2);
        let v2_version = v2.definition.version.unwrap_or_default();
        assert!(done.instances.iter().all(|i| i
            .spec_reference
            .as_deref()
            .is_some_and(|r| r.ends_with(&v2_version))));
        assert_eq!(c.versions(&id("web")).map(|v| v.len()), Ok(2));
    }

    #[test]
    fn scale_down_stops_the_youngest() {
        let mut c = cluster(10);
        c.create(pod("/web", 3, "a"), false, t(0.0))
            .expect("created");
        let all = c.status(&id("/web"), t(10.0)).expect("status");
        let w = c
            .update(pod("/web", 1, "a"), false, t(20.0))
            .expect("scaled");
        let d = c.deployments(t(20.0));
        assert_eq!(d[0].id, w.deployment_id);
        assert_eq!(d[0].steps[0].actions[0].action, "ScalePod");
        let mid = c.status(&id("/web"), t(21.0)).expect("status");
        let killing: Vec<_> = mid
            .instances
            .iter()
            .filter(|i| i.status == "TERMINAL")
            .collect();
        assert_eq!(killing.len(), 2);
        assert_eq!(killing[0].containers[0].status, "TASK_KILLING");
        let after = c.status(&id("/web"), t(31.0)).expect("status");
        assert_eq!(after.instances.len(), 1);
        assert_eq!(after.instances[0].id, all.instances[0].id);
        assert_eq!(after.status, "STABLE");
    }

    #[test]
    fn noop_update_keeps_the_stored_version() {
        let mut c = cluster(10);
        let v1 = c
            .create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        let same = c
            .update(pod("/web", 1, "a"), false, t(20.0))
            .expect("no-op");
        assert!(c.deployments(t(20.0)).is_empty());
        assert_ne!(same.definition.version, v1.definition.version);
        assert_eq!(
            c.pod(&id("/web")).and_then(|p| p.version),
            v1.definition.version
        );
        assert_eq!(c.versions(&id("/web")).map(|v| v.len()), Ok(1));
    }

    #[test]
    fn versions_strictly_increase_and_survive_delete() {
        let mut c = cluster(0);
        let a = c.create(pod("/web", 1, "a"), false, t(0.0)).expect("a");
        let b = c.update(pod("/web", 1, "b"), false, t(0.0)).expect("b");
        assert!(a.definition.version < b.definition.version);
        c.remove(&id("/web"), false, t(1.0)).expect("removed");
        assert_eq!(
            c.versions(&id("/web")),
            Err(SimError::PodNotFound(id("/web")))
        );
        c.create(pod("/web", 1, "c"), false, t(2.0)).expect("again");
        let versions = c.versions(&id("/web")).expect("versions");
        assert_eq!(versions.len(), 3);
        let old = c
            .version(&id("/web"), "2023-11-14T22:13:20Z")
            .expect("first version");
        assert_eq!(
            old.containers[0].image.as_ref().map(|i| i.id.as_str()),
            Some("a")
        );
        assert!(matches!(
            c.version(&id("/web"), "garbage"),
            Err(SimError::InvalidTimestamp(_))
        ));
        assert!(matches!(
            c.version(&id("/web"), "2001-01-01T00:00:00.000Z"),
            Err(SimError::PodNotFound(_))
        ));
    }

    #[test]
    fn removed_pod_is_gone_but_its_deployment_runs() {
        let mut c = cluster(10);
        c.create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        let d = c.remove(&id("/web"), false, t(20.0)).expect("removed");
        assert!(c.pod(&id("/web")).is_none());
        assert!(c.status(&id("/web"), t(20.0)).is_none());
        let listed = c.deployments(t(25.0));
        assert_eq!(listed[0].id, d);
        assert_eq!(listed[0].steps[0].actions[0].action, "StopPod");
        assert!(c.deployments(t(30.0)).is_empty());
        assert!(matches!(
            c.remove(&id("/web"), false, t(31.0)),
            Err(SimError::PodNotFound(_))
        ));
    }

    #[test]
    fn kill_relaunches_and_wipe_renames() {
        let mut c = cluster(0);
        c.create(pod("/a/web", 1, "a"), false, t(0.0))
            .expect("created");
        let before = c.status(&id("/a/web"), t(0.0)).expect("status");
        let iid = before.instances[0].id.clone();
        assert!(iid.starts_with("a_web.instance-"));
        let killed = c
            .kill(
                &id("/a/web"),
                &[iid.clone(), "nope.instance-1".into()],
                false,
                t(1.0),
            )
            .expect("killed");
        assert_eq!(killed.len(), 1);
        assert_eq!(killed[0]["instanceId"], iid.as_str());
        let after = c.status(&id("/a/web"), t(1.0)).expect("status");
        assert_eq!(after.instances[0].id, iid);
        let cid = after.instances[0].containers[0]
            .container_id
            .clone()
            .unwrap_or_default();
        assert!(cid.ends_with(".app.2"), "{cid}");
        c.kill_one(&id("/a/web"), &iid, true, t(2.0))
            .expect("wiped");
        let wiped = c.status(&id("/a/web"), t(2.0)).expect("status");
        assert_ne!(wiped.instances[0].id, iid);
        assert_eq!(
            c.kill_one(&id("/a/web"), &iid, false, t(3.0)),
            Err(SimError::TaskNotFound(iid.clone()))
        );
        assert_eq!(
            c.kill(&id("/nope"), &[], false, t(3.0)),
            Err(SimError::PathNotFound(id("/nope")))
        );
    }

    #[test]
    fn killed_instance_starts_over() {
        let mut c = cluster(10);
        c.create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        let iid = c.status(&id("/web"), t(10.0)).expect("status").instances[0]
            .id
            .clone();
        c.kill_one(&id("/web"), &iid, false, t(20.0))
            .expect("killed");
        assert_eq!(states(&c, "/web", t(21.0)), vec!["PENDING"]);
        assert!(
            c.deployments(t(21.0)).is_empty(),
            "a kill starts no deployment"
        );
        assert_eq!(states(&c, "/web", t(30.0)), vec!["STABLE"]);
    }

    #[test]
    fn rollback_of_create_update_and_remove() {
        let mut c = cluster(10);
        let created = c
            .create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        let (rb, _) = c
            .cancel_deployment(&created.deployment_id, false, t(1.0))
            .expect("rolled back")
            .expect("a rollback deployment");
        assert!(c.pod(&id("/web")).is_none());
        assert_eq!(c.deployments(t(1.0))[0].id, rb);
        assert_eq!(
            c.deployments(t(1.0))[0].steps[0].actions[0].action,
            "StopPod"
        );

        let v1 = c
            .create(pod("/web", 1, "a"), true, t(20.0))
            .expect("created");
        let v2 = c
            .update(pod("/web", 1, "b"), false, t(40.0))
            .expect("updated");
        c.cancel_deployment(&v2.deployment_id, false, t(41.0))
            .expect("rolled back");
        assert_eq!(
            c.pod(&id("/web")).and_then(|p| p.version),
            v1.definition.version
        );

        let removal = c.remove(&id("/web"), true, t(42.0)).expect("removed");
        c.cancel_deployment(&removal, false, t(43.0))
            .expect("rolled back");
        assert_eq!(
            c.pod(&id("/web")).and_then(|p| p.version),
            v1.definition.version
        );

        assert_eq!(
            c.cancel_deployment("nope", false, t(44.0)),
            Err(SimError::DeploymentNotFound("nope".into()))
        );
    }

    #[test]
    fn forced_stop_keeps_the_pod() {
        let mut c = cluster(10);
        let created = c
            .create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        assert_eq!(
            c.cancel_deployment(&created.deployment_id, true, t(1.0)),
            Ok(None)
        );
        assert!(c.deployments(t(1.0)).is_empty());
        assert!(c.pod(&id("/web")).is_some());
        assert!(
            c.update(pod("/web", 1, "b"), false, t(2.0)).is_ok(),
            "no longer locked"
        );
    }
}
