//! The in-memory scheduler: pods, their version history, running deployments and instances.
//!
//! Every operation takes `now`, and state is derived from it lazily (an instance knows when it
//! becomes STABLE; a deployment knows when it ends), so nothing ticks in the background and tests
//! can move time by hand. The model speaks `pod` types and [`SimError`]; it knows nothing of
//! HTTP, and definitions reaching it have already been parsed and checked.
//!
//! A deployment ends when its time is up *and* its work is done: the pod runs the target version
//! on enough STABLE instances (or is removed). Instances of an image matching a `--fail-image`
//! pattern never become STABLE, so the deployment that launched them stays listed, on its last
//! step, until it is rolled back, stopped, or cancelled by a forced change.
//!
//! `GET /v2/pods/::status` on tens of thousands of pods must cost little more than copying bytes:
//! a pod whose instances are all STABLE for good looks the same at every later moment except for
//! its `lastUpdated`, so its serialized status is kept, split around that field, until the pod
//! changes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use glob::Pattern;
use serde_json::{json, Value};

mod journal;
mod status;

use journal::Journal;
pub use journal::PodChange;
use status::{failure_entry, latest, CachedStatus};

use super::agents::Agents;
use super::clock::Ids;
use super::error::SimError;
use super::instance::{new_instance_id, requested_ports, Instance, Phase};
use super::seed::{self, Seed};
use crate::pod::definition::NetworkMode;
use crate::pod::deployment::{Action, Step};
use crate::pod::normalize::{is_only_scale_change, is_upgrade, normalize, same_spec};
use crate::pod::time::{format_timestamp, parse_timestamp, same_instant};
use crate::pod::{Deployment, PodDefinition, PodId};

/// How many agents the simulated cluster has.
const AGENTS: usize = 3;

/// Marathon's default `--max_running_deployments`: a change that would start one more is refused.
const MAX_RUNNING_DEPLOYMENTS: usize = 100;

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
    /// Containers whose `image.id` matches one of these crash again and again.
    fail_images: Vec<Pattern>,
    /// Stands for `lastUpdated` in cached statuses; random, so no definition can contain it.
    now_marker: String,
    /// Deployment and instance ids.
    ids: Ids,
    /// The events of every change, for `/v2/events`.
    journal: Journal,
}

#[derive(Debug, Clone)]
struct PodRecord {
    spec: Arc<PodDefinition>,
    instances: Vec<Instance>,
    /// The last failure of an instance that is no longer listed: its time and history entry.
    last_failure: Option<(SystemTime, Value)>,
    /// The serialized status while it cannot change; cleared by every change to the record.
    cached: Option<CachedStatus>,
}

/// A registered deployment, with what it changed so that it can be rolled back.
#[derive(Debug, Clone)]
struct Plan {
    id: String,
    version: String,
    pod: PodId,
    actions: Vec<&'static str>,
    started: SystemTime,
    /// Not finished before this, even when the work is done.
    ends: SystemTime,
    before: Option<Arc<PodDefinition>>,
    /// What the deployment moves the pod to; `None` removes it.
    target: Option<Arc<PodDefinition>>,
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
            fail_images: Vec::new(),
            now_marker: format!("podctl-sim-now-{}", uuid::Uuid::new_v4()),
            ids: Ids::Random,
            journal: Journal::default(),
        }
    }

    /// Draws deployment and instance ids from `ids` (sequential ones under the manual clock).
    pub fn with_ids(mut self, ids: Ids) -> Cluster {
        self.ids = ids;
        self
    }

    /// Preloads `seed.pods` pods whose instances have been STABLE for an hour at `now`, with no
    /// deployments; adds agents so that every instance gets its host ports.
    pub fn seed(&mut self, seed: &Seed, now: SystemTime) {
        if seed.pods == 0 {
            return;
        }
        let ports = seed.pods * seed.instances as usize * seed.containers;
        self.agents.grow(ports.div_ceil(seed::PORTS_PER_AGENT));
        let launched = now.checked_sub(seed::AGE).unwrap_or(now);
        let version = self.next_version(launched);
        for n in 0..seed.pods {
            let spec = Arc::new(normalize(seed::definition(seed, n), &version));
            let id = PodId::lenient(&spec.id);
            let mut instances = self.launch(&id, &spec, spec.instances() as usize, launched);
            for i in &mut instances {
                i.stable_at = launched;
            }
            self.history
                .entry(id.clone())
                .or_default()
                .push(spec.clone());
            self.pods.insert(
                id,
                PodRecord {
                    spec,
                    instances,
                    last_failure: None,
                    cached: None,
                },
            );
        }
    }

    /// Makes containers whose `image.id` matches one of `patterns` crash whenever they start.
    pub fn with_fail_images(mut self, patterns: Vec<Pattern>) -> Cluster {
        self.fail_images = patterns;
        self
    }

    /// The names of the containers of `spec` whose image crashes.
    fn crashing(&self, spec: &PodDefinition) -> Vec<String> {
        spec.containers
            .iter()
            .filter(|c| {
                c.image
                    .as_ref()
                    .is_some_and(|i| self.fail_images.iter().any(|p| p.matches(&i.id)))
            })
            .map(|c| c.name.clone())
            .collect()
    }

    /// `POST /v2/pods`: create, refusing an existing id.
    pub fn create(
        &mut self,
        pod: PodDefinition,
        force: bool,
        now: SystemTime,
    ) -> Result<Written, SimError> {
        self.advance(now);
        self.check_max_running(now)?;
        let id = PodId::lenient(&pod.id);
        if self.pods.contains_key(&id) {
            return Err(SimError::PodExists(id));
        }
        self.lock(&id, force, now)?;
        let version = self.next_version(now);
        self.store(id, normalize(pod, &version), version, now)
    }

    /// `PUT /v2/pods/{id}`: create or update. A change that is neither `isUpgrade` nor a new
    /// instance count keeps the pod's version (`GroupVersioningUtil.scala`), and unless the pod
    /// goes to 0 instances it makes an empty plan (`DeploymentPlan.scala` drops empty steps): it
    /// touches no pod, so no running deployment locks it and none is cancelled, even with
    /// `force`; the pod repository stores nothing, so `::versions` stays as it was, while the
    /// pod reads as sent. The answer carries a fresh version and a deployment id that is never
    /// listed (as Marathon's does). An identical definition is such a change.
    pub fn update(
        &mut self,
        pod: PodDefinition,
        force: bool,
        now: SystemTime,
    ) -> Result<Written, SimError> {
        self.advance(now);
        self.check_max_running(now)?;
        let id = PodId::lenient(&pod.id);
        let version = self.next_version(now);
        let definition = normalize(pod, &version);
        if let Some(kept) = self.keeping_version(&id, &definition) {
            let zero = kept.instances() == 0;
            if let Some(current) = self.pods.get_mut(&id).filter(|c| c.spec != kept) {
                if !zero || same_spec(&current.spec, &kept) {
                    // The empty plan below answers; the pod reads as sent from now on.
                    current.spec = kept;
                    current.cached = None;
                } else {
                    // `isScaledToZero`: a ScalePod, and the repository stores the pod under
                    // the version it keeps.
                    self.lock(&id, force, now)?;
                    let history = self.history.entry(id.clone()).or_default();
                    match history.iter_mut().rev().find(|d| same_version(d, &kept)) {
                        Some(entry) => *entry = kept.clone(),
                        None => history.push(kept.clone()),
                    }
                    let deployment_id = self.transition(&id, Some(kept), version, now);
                    return Ok(Written {
                        definition,
                        deployment_id,
                    });
                }
            }
        }
        if let Some(current) = self.pods.get(&id) {
            if same_spec(&current.spec, &definition) {
                let deployment_id = self.ids.next_id();
                let empty = Plan {
                    id: deployment_id.clone(),
                    version: version.clone(),
                    pod: id.clone(),
                    actions: Vec::new(),
                    started: now,
                    ends: now,
                    before: None,
                    target: None,
                };
                self.journal_plan(&empty, now);
                return Ok(Written {
                    definition,
                    deployment_id,
                });
            }
        }
        self.lock(&id, force, now)?;
        self.store(id, definition, version, now)
    }

    /// `definition` under the version pod `id` has now, when it is neither `isUpgrade` nor
    /// `isOnlyScaleChange` of it (`GroupVersioningUtil.updateVersionInfoForChangedPods` keeps the
    /// old `versionInfo` then); `None` for a new pod or any other change.
    fn keeping_version(
        &self,
        id: &PodId,
        definition: &PodDefinition,
    ) -> Option<Arc<PodDefinition>> {
        let current = &self.pods.get(id)?.spec;
        if is_upgrade(current, definition) || is_only_scale_change(current, definition) {
            return None;
        }
        Some(Arc::new(PodDefinition {
            version: current.version.clone(),
            ..definition.clone()
        }))
    }

    /// Stores `definition` (normalized, stamped with `version`) as a new version of pod `id` and
    /// deploys it.
    fn store(
        &mut self,
        id: PodId,
        definition: PodDefinition,
        version: String,
        now: SystemTime,
    ) -> Result<Written, SimError> {
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
        self.check_max_running(now)?;
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
        self.journal_touch(id, now);
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
            let before = instance.clone();
            self.journal_killed(&before, id, now);
            if wipe {
                let requested = requested_ports(&instance.spec);
                self.agents
                    .release_ports(instance.agent, &instance.ports, &requested);
                instance.agent = self.agents.place();
                instance.ports = self.agents.allocate_ports(instance.agent, &requested);
                if instance.address.is_some() {
                    instance.address = Some(self.agents.address());
                }
                instance.id = new_instance_id(id, &self.ids.next_id());
                self.next_seq += 1;
                instance.seq = self.next_seq;
            }
            instance.relaunch(now, per_instance);
            if wipe {
                instance.incarnation = 1;
            }
        }
        record.cached = None;
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
            .filter(|p| self.is_running(p, now))
            .map(|p| p.view(now))
            .collect()
    }

    /// A deployment runs until its time is up and its work is done.
    fn is_running(&self, plan: &Plan, now: SystemTime) -> bool {
        plan.ends > now || !self.is_done(plan, now)
    }

    /// The pod is removed, or runs the target definition on enough STABLE instances. After a
    /// scale, instances launched earlier still run an older version of the same definition.
    fn is_done(&self, plan: &Plan, now: SystemTime) -> bool {
        let Some(target) = &plan.target else {
            return true;
        };
        let Some(record) = self.pods.get(&plan.pod) else {
            return false;
        };
        if !same_version(&record.spec, target) {
            return false;
        }
        let stable = record
            .instances
            .iter()
            .filter(|i| {
                i.is_live()
                    && i.is_stable(now)
                    && (same_version(&i.spec, target) || !is_upgrade(&i.spec, target))
            })
            .count();
        stable >= target.instances() as usize
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
        if force {
            let stopped = self.plans.remove(index);
            self.journal_cancelled(&[stopped.id], now);
            return Ok(None);
        }
        // The rollback is a change like any other (`groupManager.updateRoot`), so it is refused
        // when too many deployments run.
        self.check_max_running(now)?;
        let plan = self.plans.remove(index);
        self.journal_cancelled(std::slice::from_ref(&plan.id), now);
        let version = self.next_version(now);
        // The restored definition is a new version of the pod (`GroupVersioningUtil.scala`),
        // unless it is what the pod already is.
        let current = self.pods.get(&plan.pod).map(|r| r.spec.clone());
        let target = plan.before.map(|before| match current {
            Some(current) if same_spec(&current, &before) => before,
            _ => {
                let restored = Arc::new(PodDefinition {
                    version: Some(version.clone()),
                    ..(*before).clone()
                });
                self.history
                    .entry(plan.pod.clone())
                    .or_default()
                    .push(restored.clone());
                restored
            }
        });
        let id = self.transition(&plan.pod, target, version.clone(), now);
        Ok(Some((id, version)))
    }

    /// `GET /v2/queue`: pods with instances that are not running yet; `delay` tells how long the
    /// launch back-off of failed instances still holds their relaunch.
    pub fn queue(&self, now: SystemTime) -> Value {
        let entries: Vec<Value> = self
            .pods
            .values()
            .filter_map(|r| {
                // LaunchStats counts only instances not yet launched: scheduled (here a failed
                // one waiting out its back-off) or provisioned (PENDING), not staging ones.
                let waiting: Vec<(&Instance, SystemTime)> = r
                    .instances
                    .iter()
                    .filter(|i| i.is_live())
                    .filter_map(|i| match i.phase(now) {
                        (Phase::Pending | Phase::Failed, since) => Some((i, since)),
                        _ => None,
                    })
                    .collect();
                let since = waiting.iter().map(|(_, since)| *since).min()?;
                let time_left = waiting
                    .iter()
                    .filter_map(|(i, _)| i.backoff_until(now))
                    .filter_map(|until| until.duration_since(now).ok())
                    .max()
                    .unwrap_or_default();
                let role = r
                    .spec
                    .extra
                    .get("role")
                    .and_then(Value::as_str)
                    .unwrap_or("*");
                Some(json!({
                    "pod": *r.spec,
                    "count": waiting.len(),
                    "role": role,
                    "delay": {
                        "timeLeftSeconds": time_left.as_secs_f64().ceil() as u64,
                        "overdue": false,
                    },
                    "since": format_timestamp(since),
                    "processedOffersSummary": no_offers_processed(),
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
            let mut last_failure = record.last_failure.take();
            let before = record.instances.len();
            record.instances.retain(|i| {
                let keep = i.is_visible(now);
                if !keep {
                    agents.release_ports(i.agent, &i.ports, &requested_ports(&i.spec));
                    last_failure = latest(last_failure.take(), failure_entry(i, now));
                }
                keep
            });
            record.last_failure = last_failure;
            if record.instances.len() != before {
                record.cached = None;
            }
        }
        let running: Vec<bool> = self.plans.iter().map(|p| self.is_running(p, now)).collect();
        let mut running = running.into_iter();
        self.plans.retain(|_| running.next().unwrap_or(false));
    }

    /// Refuses any change while [`MAX_RUNNING_DEPLOYMENTS`] deployments run
    /// (`GroupManagerImpl.checkMaxRunningDeployments`, before the change is even computed).
    fn check_max_running(&self, now: SystemTime) -> Result<(), SimError> {
        let running = self
            .plans
            .iter()
            .filter(|p| self.is_running(p, now))
            .count();
        if running >= MAX_RUNNING_DEPLOYMENTS {
            return Err(SimError::TooManyDeployments(MAX_RUNNING_DEPLOYMENTS));
        }
        Ok(())
    }

    /// Refuses a change to a pod that a running deployment touches, unless `force`, which
    /// cancels those deployments.
    fn lock(&mut self, id: &PodId, force: bool, now: SystemTime) -> Result<(), SimError> {
        let running: Vec<String> = self
            .plans
            .iter()
            .filter(|p| &p.pod == id && self.is_running(p, now))
            .map(|p| p.id.clone())
            .collect();
        if running.is_empty() {
            return Ok(());
        }
        if !force {
            return Err(SimError::Locked(running));
        }
        self.plans.retain(|p| &p.pod != id);
        self.journal_cancelled(&running, now);
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
        self.journal_touch(id, now);
        let before = self.pods.get(id).map(|r| r.spec.clone());
        let actions = self.apply(id, target.clone(), now);
        let deployment_id = self.ids.next_id();
        let plan = Plan {
            id: deployment_id.clone(),
            version,
            pod: id.clone(),
            actions,
            started: now,
            ends: now + self.deploy_time,
            before,
            target,
        };
        self.journal_plan(&plan, now);
        if !plan.actions.is_empty() && self.is_running(&plan, now) {
            self.plans.push(plan);
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
                self.pods.insert(
                    id.clone(),
                    PodRecord {
                        spec,
                        instances,
                        last_failure: None,
                        cached: None,
                    },
                );
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
                // Scaling to 0 is a ScalePod whatever else changes; a change that is no
                // upgrade under the same version needs no action (`DeploymentPlan.scala`).
                let changed = !same_spec(&record.spec, &spec);
                let actions = if !changed {
                    Vec::new()
                } else if is_only_scale_change(&record.spec, &spec) || spec.instances() == 0 {
                    self.scale(id, &mut record, &spec, now);
                    vec!["ScalePod"]
                } else if is_upgrade(&record.spec, &spec) || !same_version(&record.spec, &spec) {
                    self.restart(id, &mut record, &spec, now);
                    vec!["RestartPod"]
                } else {
                    Vec::new()
                };
                if changed {
                    record.spec = spec;
                }
                record.cached = None;
                self.pods.insert(id.clone(), record);
                actions
            }
        }
    }

    /// Only the instance count changed (or the pod goes to 0): launch the missing instances, or
    /// stop the surplus (youngest first unless `killSelection` says otherwise). The survivors
    /// keep the definition they were launched with, and so their `specReference`
    /// (`DeploymentActor.scala` only starts or stops instances).
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
        let wanted = spec.instances() as usize;
        let fresh = self.launch(id, spec, wanted, now);
        // Every instance whose goal is still Running: the live ones, and those an earlier
        // deployment (say, the one a rollback cancels) meant to kill only later.
        let mut old: Vec<&mut Instance> = record
            .instances
            .iter_mut()
            .filter(|i| i.gone_at.is_none_or(|g| g > now) && i.kill_from.is_none_or(|k| k > now))
            .collect();
        // TaskReplaceActor kills the instances beyond the target count at once, unhealthy
        // (not yet running) ones first; the rest go as replacements become ready.
        old.sort_by_key(|i| (i.is_stable(now), i.seq));
        let excess = old.len().saturating_sub(wanted);
        for instance in old.drain(..excess) {
            instance.kill_from = Some(now);
            instance.gone_at = Some(now + self.deploy_time);
        }
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
        let crashing = self.crashing(spec);
        (0..count)
            .map(|k| {
                let agent = self.agents.place();
                self.next_seq += 1;
                let share = (k + 1) as f64 / count as f64;
                Instance {
                    id: new_instance_id(id, &self.ids.next_id()),
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
                    crashing: crashing.clone(),
                }
            })
            .collect()
    }
}

/// Whether two definitions carry the same version, compared as instants.
fn same_version(a: &PodDefinition, b: &PodDefinition) -> bool {
    match (a.version.as_deref(), b.version.as_deref()) {
        (Some(x), Some(y)) => same_instant(x, y),
        (x, y) => x == y,
    }
}

impl Plan {
    /// The step under way at `now`, from 1; steps advance evenly over the run time.
    fn step(&self, now: SystemTime) -> usize {
        let total = self.actions.len().max(1);
        let run = self.ends.duration_since(self.started).unwrap_or_default();
        let elapsed = now.duration_since(self.started).unwrap_or_default();
        // Just registered, Marathon lists the plan on step 0 with no current actions
        // (`DeploymentManagerActor.startDeployment`) until its first step begins; an instant
        // deployment that is still listed has been through all of its steps at once.
        if run.is_zero() {
            total
        } else if elapsed.is_zero() {
            0
        } else {
            // Whole nanoseconds, so that a step begins exactly at its boundary.
            let done = elapsed.as_nanos() * total as u128 / run.as_nanos();
            usize::try_from(done)
                .unwrap_or(usize::MAX)
                .saturating_add(1)
                .min(total)
        }
    }

    /// The moments at which a later step begins, and the end of the run time.
    fn boundaries(&self) -> Vec<SystemTime> {
        let total = self.actions.len().max(1) as u128;
        let run = self
            .ends
            .duration_since(self.started)
            .unwrap_or_default()
            .as_nanos();
        (1..total)
            .map(|k| (run * k).div_ceil(total))
            .map(|nanos| {
                self.started + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            })
            .chain(std::iter::once(self.ends))
            .collect()
    }

    /// The deployment as listed at `now`: steps advance evenly over its run time.
    fn view(&self, now: SystemTime) -> Deployment {
        let step = self.step(now);
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
            current_actions: step
                .checked_sub(1)
                .and_then(|n| self.actions.get(n))
                .map(|a| vec![action(a, true)])
                .unwrap_or_default(),
            current_step: step as u32,
            total_steps: self.actions.len() as u32,
            ..Default::default()
        }
    }
}

/// The `processedOffersSummary` of a launch that has seen no offer yet: zero counts and every step
/// of `NoOfferMatchReason.reasonFunnel` with nothing declined.
fn no_offers_processed() -> Value {
    const FUNNEL: [&str; 10] = [
        "UnfulfilledRole",
        "UnfulfilledConstraint",
        "NoCorrespondingReservationFound",
        "AgentMaintenance",
        "InsufficientCpus",
        "InsufficientMemory",
        "InsufficientDisk",
        "InsufficientGpus",
        "InsufficientPorts",
        "DeclinedScarceResources",
    ];
    let steps: Vec<Value> = FUNNEL
        .iter()
        .map(|reason| json!({"reason": reason, "declined": 0, "processed": 0}))
        .collect();
    json!({
        "processedOffersCount": 0,
        "unusedOffersCount": 0,
        "rejectSummaryLastOffers": steps,
        "rejectSummaryLaunchAttempt": steps,
    })
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

    /// Whether `instance`'s `specReference` names `version` (as an instant).
    fn runs(instance: &crate::pod::status::InstanceStatus, version: &Option<String>) -> bool {
        let reference = instance.spec_reference.as_deref().unwrap_or_default();
        reference
            .rsplit_once("::versions/")
            .is_some_and(|(_, v)| same_instant(v, version.as_deref().unwrap_or_default()))
    }

    /// `spec` with an HTTP health check on its endpoint `http`.
    fn checked(mut spec: PodDefinition) -> PodDefinition {
        spec.containers[0].health_check =
            Some(serde_json::from_value(json!({"http": {"endpoint": "http"}})).expect("check"));
        spec
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
        // Just registered: step 0, nothing current yet.
        let d = c.deployments(t(0.0));
        assert_eq!((d[0].current_step, d[0].total_steps), (0, 2));
        assert!(d[0].current_actions.is_empty());
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
        assert_eq!(c.queue(t(1.0))["queue"][0]["count"], 3);
        // A staging instance is launched: LaunchStats no longer counts it.
        assert_eq!(c.queue(t(21.0))["queue"], json!([]));
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
        let old = s
            .instances
            .iter()
            .filter(|i| runs(i, &v1.definition.version));
        assert_eq!(old.count(), 2);
        assert_eq!(s.status, "STABLE"); // the old ones still count
                                        // At 25 s the first replacement is STABLE and the first old instance is gone.
        assert_eq!(
            c.status(&id("/web"), t(25.0)).map(|s| s.instances.len()),
            Some(3)
        );
        let done = c.status(&id("/web"), t(30.0)).expect("status");
        assert_eq!(done.instances.len(), 2);
        assert!(done
            .instances
            .iter()
            .all(|i| runs(i, &v2.definition.version)));
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
    fn an_unchanged_update_is_not_locked_and_cancels_nothing() {
        let mut c = cluster(30);
        let first = c
            .create(pod("/web", 1, "a"), false, t(0.0))
            .expect("created");
        for force in [false, true] {
            let same = c
                .update(pod("/web", 1, "a"), force, t(1.0))
                .expect("an empty plan");
            assert_ne!(same.deployment_id, first.deployment_id);
            let listed: Vec<String> = c.deployments(t(1.0)).into_iter().map(|d| d.id).collect();
            assert_eq!(listed, vec![first.deployment_id.clone()], "force={force}");
        }
    }

    #[test]
    fn a_scale_keeps_survivors_on_their_version_and_zero_is_a_scale() {
        let mut c = cluster(10);
        let v1 = c.create(pod("/web", 2, "a"), false, t(0.0)).expect("v1");
        let v2 = c.update(pod("/web", 3, "a"), false, t(20.0)).expect("v2");
        let s = c.status(&id("/web"), t(30.0)).expect("status");
        let on = |v: &Option<String>| s.instances.iter().filter(|i| runs(i, v)).count();
        assert_eq!(
            (on(&v1.definition.version), on(&v2.definition.version)),
            (2, 1)
        );
        assert_eq!(s.spec.and_then(|p| p.version), v2.definition.version);
        assert!(c.deployments(t(30.0)).is_empty(), "the scale finishes");
        // Scaling to 0 with another change is still a scale (`DeploymentPlan.scala`).
        let zero = c.update(pod("/web", 0, "b"), false, t(40.0)).expect("zero");
        let d = c.deployments(t(41.0));
        assert_eq!(d[0].id, zero.deployment_id);
        let actions: Vec<&str> = d[0]
            .steps
            .iter()
            .flat_map(|s| &s.actions)
            .map(|a| a.action.as_str())
            .collect();
        assert_eq!(actions, vec!["ScalePod"]);
        assert!(c.deployments(t(50.0)).is_empty());
        assert_eq!(
            c.status(&id("/web"), t(50.0)).map(|s| s.instances.len()),
            Some(0)
        );
    }

    /// `spec` with the fields outside `PodDefinition.isUpgrade` changed.
    fn retuned(mut spec: PodDefinition) -> PodDefinition {
        spec.executor_resources =
            Some(serde_json::from_value(json!({"cpus": 0.5})).expect("resources"));
        spec.scheduling = Some(json!({"killSelection": "OLDEST_FIRST",
            "unreachableStrategy": "disabled"}));
        spec.extra.insert("legacySharedCgroups".into(), json!(true));
        spec
    }

    fn executor_cpus(p: &PodDefinition) -> Option<f64> {
        p.executor_resources.as_ref().and_then(|r| r.cpus)
    }

    #[test]
    fn a_change_outside_is_upgrade_is_stored_under_the_old_version_and_restarts_nothing() {
        let mut c = cluster(10);
        let v1 = c.create(pod("/web", 2, "a"), false, t(0.0)).expect("v1");
        let before = c.status(&id("/web"), t(20.0)).expect("status").instances;
        let put = c
            .update(retuned(pod("/web", 2, "a")), false, t(20.0))
            .expect("stored");
        // The answer is the request, stamped now (`PodsResource.update`).
        assert_ne!(put.definition.version, v1.definition.version);
        assert_eq!(executor_cpus(&put.definition), Some(0.5));
        // An empty plan (`DeploymentPlan.dependencyOrderedSteps`: no action when neither
        // `isUpgrade` nor the version differs); the pod keeps its versionInfo
        // (`GroupVersioningUtil.updateVersionInfoForChangedPods`).
        assert!(c.deployments(t(20.0)).is_empty());
        let stored = c.pod(&id("/web")).expect("pod");
        assert_eq!(stored.version, v1.definition.version);
        assert_eq!(executor_cpus(&stored), Some(0.5));
        assert_eq!(
            stored.scheduling.as_ref().map(|s| &s["killSelection"]),
            Some(&json!("OLDEST_FIRST"))
        );
        // No pod is stored in the repository: `::versions` is unchanged, and the version
        // entry still holds what was deployed with it.
        let versions = c.versions(&id("/web")).expect("versions");
        assert_eq!(versions.len(), 1);
        let old = c
            .version(&id("/web"), &versions[0])
            .expect("the old version");
        assert_eq!(executor_cpus(&old), Some(0.1));
        // Nothing restarts.
        let after = c.status(&id("/web"), t(21.0)).expect("status").instances;
        let ids = |v: &[crate::pod::status::InstanceStatus]| {
            v.iter().map(|i| i.id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&after), ids(&before));
        assert!(after.iter().all(|i| i.status == "STABLE"));
    }

    #[test]
    fn a_change_outside_is_upgrade_is_not_locked_by_a_running_deployment() {
        let mut c = cluster(10);
        let v1 = c.create(pod("/web", 1, "a"), false, t(0.0)).expect("v1");
        c.update(retuned(pod("/web", 1, "a")), false, t(1.0))
            .expect("an empty plan conflicts with nothing");
        let listed: Vec<String> = c.deployments(t(1.0)).into_iter().map(|d| d.id).collect();
        assert_eq!(listed, vec![v1.deployment_id]);
    }

    #[test]
    fn a_scale_with_changes_outside_is_upgrade_is_a_scale() {
        let mut c = cluster(10);
        let v1 = c.create(pod("/web", 2, "a"), false, t(0.0)).expect("v1");
        let v2 = c
            .update(retuned(pod("/web", 3, "a")), false, t(20.0))
            .expect("v2");
        let d = c.deployments(t(21.0));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].steps[0].actions[0].action, "ScalePod");
        // `isOnlyScaleChange`: a new version (`withScaleOrRestartChange`).
        let stored = c.pod(&id("/web")).expect("pod");
        assert_eq!(stored.version, v2.definition.version);
        assert_eq!(c.versions(&id("/web")).map(|v| v.len()), Ok(2));
        assert!(c.deployments(t(30.0)).is_empty(), "the scale finishes");
        let s = c.status(&id("/web"), t(30.0)).expect("status");
        let on = |v: &Option<String>| s.instances.iter().filter(|i| runs(i, v)).count();
        assert_eq!(
            (on(&v1.definition.version), on(&v2.definition.version)),
            (2, 1)
        );
    }

    #[test]
    fn a_change_outside_is_upgrade_at_zero_instances_is_a_scale_under_the_old_version() {
        let mut c = cluster(10);
        let v1 = c.create(pod("/web", 0, "a"), false, t(0.0)).expect("v1");
        let put = c
            .update(retuned(pod("/web", 0, "a")), false, t(20.0))
            .expect("stored");
        // `newSpec.isScaledToZero` makes a ScaleApplication of any changed spec.
        let d = c.deployments(t(20.0));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id, put.deployment_id);
        assert_eq!(d[0].steps[0].actions[0].action, "ScalePod");
        // The pod keeps its version, and the repository stores it under that version.
        let stored = c.pod(&id("/web")).expect("pod");
        assert_eq!(stored.version, v1.definition.version);
        let versions = c.versions(&id("/web")).expect("versions");
        assert_eq!(versions.len(), 1);
        let entry = c.version(&id("/web"), &versions[0]).expect("entry");
        assert_eq!(executor_cpus(&entry), Some(0.5));
        assert!(c.deployments(t(30.0)).is_empty(), "the scale finishes");
    }

    #[test]
    fn reordered_placement_sets_are_no_change() {
        let mut c = cluster(10);
        let placed = |roles: Value| {
            let mut p = pod("/web", 1, "a");
            p.scheduling = Some(json!({"placement": {"acceptedResourceRoles": roles}}));
            p
        };
        let v1 = c
            .create(placed(json!(["*", "slave_public"])), false, t(0.0))
            .expect("v1");
        c.update(placed(json!(["slave_public", "*"])), false, t(20.0))
            .expect("same set");
        assert!(c.deployments(t(20.0)).is_empty());
        // Set equality makes no change and no new version, but the group keeps the new
        // object, so the sets read in the order given last (Scala's small sets keep it).
        let stored = c.pod(&id("/web")).expect("pod");
        assert_eq!(stored.version, v1.definition.version);
        assert_eq!(
            stored.scheduling.as_ref().map(|s| &s["placement"]),
            Some(&json!({"acceptedResourceRoles": ["slave_public", "*"]}))
        );
        assert_eq!(c.versions(&id("/web")).map(|v| v.len()), Ok(1));
    }

    #[test]
    fn a_hundred_running_deployments_refuse_every_change() {
        let mut c = cluster(10);
        for n in 0..100 {
            c.create(pod(&format!("/p{n}"), 1, "a"), false, t(0.0))
                .expect("created");
        }
        let refused = Err(SimError::TooManyDeployments(100));
        let created = c.create(pod("/more", 1, "a"), false, t(1.0));
        assert_eq!(created.map(|_| ()), refused);
        let same = c.update(pod("/p0", 1, "a"), true, t(1.0));
        assert_eq!(same.map(|_| ()), refused, "even an empty plan");
        assert_eq!(c.remove(&id("/p0"), true, t(1.0)).map(|_| ()), refused);
        let first = c.deployments(t(1.0))[0].id.clone();
        assert_eq!(
            c.cancel_deployment(&first, false, t(1.0)).map(|_| ()),
            refused,
            "a rollback is a change"
        );
        assert_eq!(c.cancel_deployment(&first, true, t(1.0)), Ok(None));
        assert!(c.create(pod("/more", 1, "a"), false, t(1.0)).is_ok());
        assert_eq!(
            SimError::TooManyDeployments(100).response().status,
            403,
            "Marathon's mapper"
        );
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
        let (_, restored) = c
            .cancel_deployment(&v2.deployment_id, false, t(41.0))
            .expect("rolled back")
            .expect("a rollback deployment");
        // The old definition comes back as a new version (`GroupVersioningUtil.scala`).
        let now = c.pod(&id("/web")).expect("restored");
        assert_eq!(now.version.as_deref(), Some(restored.as_str()));
        assert_ne!(now.version, v1.definition.version);
        assert_eq!(
            now.containers[0].image.as_ref().map(|i| i.id.as_str()),
            Some("a")
        );
        let versions = c.versions(&id("/web")).expect("versions");
        assert_eq!(versions.last(), Some(&restored));
        assert_eq!(versions.len(), 4, "{versions:?}");

        let removal = c.remove(&id("/web"), true, t(42.0)).expect("removed");
        let (_, again) = c
            .cancel_deployment(&removal, false, t(43.0))
            .expect("rolled back")
            .expect("a rollback deployment");
        let back = c.pod(&id("/web")).expect("restored");
        assert_eq!(back.version.as_deref(), Some(again.as_str()));
        assert_eq!(
            back.containers[0].image.as_ref().map(|i| i.id.as_str()),
            Some("a")
        );
        assert_eq!(c.versions(&id("/web")).map(|v| v.len()), Ok(5));

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

    fn failing(secs: u64) -> Cluster {
        let pattern = Pattern::new("crash*").expect("pattern");
        cluster(secs).with_fail_images(vec![pattern])
    }

    fn container(c: &Cluster, pod: &str, now: SystemTime) -> crate::pod::status::ContainerStatus {
        let s = c.status(&id(pod), now).expect("pod exists");
        s.instances[0].containers[0].clone()
    }

    #[test]
    fn failing_image_crashes_and_relaunches_after_the_backoff_forever() {
        // One instance, 3 s to start: running at 3, fails at 3.5, relaunched at 4.5 (1 s
        // back-off), running at 7.5, fails at 8, relaunched at 9.15 (1.15 s), ...
        let mut c = failing(3);
        let w = c
            .create(checked(pod("/web", 1, "crash:1")), false, t(0.0))
            .expect("created");
        let running = c.status(&id("/web"), t(3.2)).expect("status");
        assert_eq!(running.instances[0].status, "DEGRADED");
        assert_eq!(
            running.instances[0].message.as_deref(),
            Some("at least one container is not healthy")
        );
        assert_eq!(running.instances[0].containers[0].status, "TASK_RUNNING");
        assert_eq!(running.status, "DEGRADED");

        let failed = c.status(&id("/web"), t(4.0)).expect("status");
        let iid = failed.instances[0].id.clone();
        assert_eq!(failed.instances[0].status, "TERMINAL");
        let app = &failed.instances[0].containers[0];
        assert_eq!(app.status, "TASK_FAILED");
        assert_eq!(
            app.message.as_deref(),
            Some("Container exited with status 1")
        );
        assert_eq!(
            app.termination.as_ref().map(|t| &t["exitCode"]),
            Some(&json!(1))
        );
        assert_eq!(app.container_id, Some(format!("{iid}.app.1")));
        assert_eq!(app.resources, None);
        let history = failed.termination_history.expect("terminationHistory");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0]["instanceID"], iid.as_str());
        assert_eq!(history[0]["terminatedAt"], format_timestamp(t(3.5)));
        assert_eq!(
            history[0]["containers"][0]["containerId"],
            format!("{iid}.app.1")
        );
        assert_eq!(history[0]["containers"][0]["lastKnownState"], "TASK_FAILED");

        let queue = c.queue(t(4.0));
        assert_eq!(queue["queue"][0]["count"], 1);
        assert_eq!(queue["queue"][0]["delay"]["timeLeftSeconds"], 1);

        // Relaunched under the same id with the next incarnation.
        let again = container(&c, "/web", t(6.0));
        assert_eq!(again.status, "TASK_STAGING");
        assert_eq!(again.container_id, Some(format!("{iid}.app.2")));
        // Relaunched and staging: no longer waiting to launch, so no longer queued.
        assert_eq!(c.queue(t(6.0))["queue"], json!([]));
        let second = c.status(&id("/web"), t(8.5)).expect("status");
        assert_eq!(second.instances[0].id, iid);
        assert_eq!(
            second.instances[0].containers[0].container_id,
            Some(format!("{iid}.app.2"))
        );
        assert_eq!(second.instances[0].containers[0].status, "TASK_FAILED");
        let history = second.termination_history.expect("terminationHistory");
        assert_eq!(history[0]["terminatedAt"], format_timestamp(t(8.0)));
        // The back-off grew by the factor: relaunch at 9.15, not 9.0.
        assert_eq!(container(&c, "/web", t(9.1)).status, "TASK_FAILED");
        assert_eq!(container(&c, "/web", t(9.2)).status, "TASK_STAGING");

        // Never STABLE, and the deployment stays listed on its last step.
        for tenth in 0..600 {
            let now = t(f64::from(tenth) / 10.0);
            let s = c.status(&id("/web"), now).expect("status");
            assert_eq!(s.status, "DEGRADED", "at {tenth}/10 s");
            assert_ne!(s.instances[0].status, "STABLE", "at {tenth}/10 s");
        }
        for now in [t(4.0), t(60.0), t(100_000.0)] {
            let d = c.deployments(now);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].id, w.deployment_id);
            assert_eq!((d[0].current_step, d[0].total_steps), (2, 2));
            assert_eq!(d[0].current_actions[0].action, "ScalePod");
        }
        // Time moving on does not end it either, and the pod stays locked.
        assert!(matches!(
            c.update(pod("/web", 1, "crash:2"), false, t(100_000.0)),
            Err(SimError::Locked(_))
        ));
    }

    #[test]
    fn constant_backoff_counts_incarnations_far_ahead() {
        // Instant start, 0.5 s run, 1 s back-off: incarnation n+1 launches at 1.5 n s.
        let mut c = failing(0);
        let mut spec = pod("/web", 1, "crash:1");
        spec.scheduling = Some(json!({"backoff": {"backoff": 1, "backoffFactor": 1}}));
        c.create(spec, false, t(0.0)).expect("created");
        let iid = c.status(&id("/web"), t(0.0)).expect("status").instances[0]
            .id
            .clone();
        let at = |secs: f64| container(&c, "/web", t(secs));
        assert_eq!(at(1500.25).container_id, Some(format!("{iid}.app.1001")));
        assert_eq!(at(1500.25).status, "TASK_RUNNING");
        assert_eq!(at(1500.75).status, "TASK_FAILED");
        assert_eq!(at(1500.75).container_id, Some(format!("{iid}.app.1001")));
        assert_eq!(at(1501.5).container_id, Some(format!("{iid}.app.1002")));
    }

    #[test]
    fn sibling_containers_are_killed_when_one_fails() {
        let mut c = failing(0);
        let mut spec = pod("/web", 1, "nginx");
        let mut crashing = spec.containers[0].clone();
        crashing.name = "worker".into();
        crashing.endpoints = None;
        if let Some(image) = crashing.image.as_mut() {
            image.id = "crashloop/app:2".into();
        }
        spec.containers.push(crashing);
        c.create(spec, false, t(0.0)).expect("created");
        let s = c.status(&id("/web"), t(0.2)).expect("status");
        let states: Vec<&str> = s.instances[0]
            .containers
            .iter()
            .map(|c| c.status.as_str())
            .collect();
        assert_eq!(states, vec!["TASK_RUNNING", "TASK_RUNNING"]);
        let s = c.status(&id("/web"), t(0.7)).expect("status");
        let containers = &s.instances[0].containers;
        assert_eq!(containers[0].status, "TASK_KILLED");
        assert_eq!(containers[0].termination, None);
        assert_eq!(containers[1].status, "TASK_FAILED");
        let history = s.termination_history.expect("terminationHistory");
        let last: Vec<&Value> = history[0]["containers"]
            .as_array()
            .map(|a| a.iter().map(|c| &c["lastKnownState"]).collect())
            .unwrap_or_default();
        assert_eq!(last, vec!["TASK_KILLED", "TASK_FAILED"]);
    }

    #[test]
    fn rollback_of_an_update_to_a_failing_image_restores_the_old_definition() {
        let mut c = failing(10);
        let v1 = c
            .create(pod("/web", 2, "nginx"), false, t(0.0))
            .expect("v1");
        assert!(c.deployments(t(10.0)).is_empty(), "a healthy pod deploys");
        let v2 = c
            .update(pod("/web", 2, "crash:1"), false, t(20.0))
            .expect("v2");
        assert_eq!(c.deployments(t(500.0))[0].id, v2.deployment_id);
        assert_eq!(
            c.status(&id("/web"), t(500.0)).map(|s| s.status),
            Some("DEGRADED".into())
        );
        let (rollback, restored) = c
            .cancel_deployment(&v2.deployment_id, false, t(500.0))
            .expect("rolled back")
            .expect("a rollback deployment");
        assert_eq!(
            c.pod(&id("/web")).and_then(|p| p.version),
            Some(restored.clone())
        );
        let listed: Vec<String> = c.deployments(t(501.0)).into_iter().map(|d| d.id).collect();
        assert_eq!(listed, vec![rollback]);
        assert_eq!(
            c.deployments(t(501.0))[0].steps[0].actions[0].action,
            "RestartPod"
        );
        assert!(c.deployments(t(510.0)).is_empty(), "the rollback finishes");
        let s = c.status(&id("/web"), t(510.0)).expect("status");
        assert_eq!(s.status, "STABLE");
        assert_eq!(s.instances.len(), 2);
        assert_ne!(Some(restored.clone()), v1.definition.version);
        for i in &s.instances {
            assert_eq!(i.status, "STABLE");
            assert!(runs(i, &Some(restored.clone())));
            assert_eq!(i.containers[0].status, "TASK_RUNNING");
        }
        // The failures of the rolled-back instances stay in the history.
        assert_eq!(
            s.termination_history.map(|h| h.len()),
            Some(1),
            "last failure kept"
        );
    }

    #[test]
    fn forced_stop_of_a_hanging_deployment_leaves_the_pod_failing() {
        let mut c = failing(0);
        let w = c
            .create(pod("/web", 1, "crash:1"), false, t(0.0))
            .expect("created");
        // Even with instant deployments, this one cannot finish.
        assert_eq!(c.deployments(t(0.0))[0].id, w.deployment_id);
        assert_eq!(c.deployments(t(0.0))[0].current_step, 2);
        assert_eq!(container(&c, "/web", t(0.6)).status, "TASK_FAILED");
        assert_eq!(c.deployments(t(30.0)).len(), 1);
        assert_eq!(
            c.cancel_deployment(&w.deployment_id, true, t(30.0)),
            Ok(None)
        );
        assert!(c.deployments(t(30.0)).is_empty());
        assert!(c.deployments(t(300.0)).is_empty());
        // Still failing afterwards: find a moment it is down and one it runs again.
        let states: Vec<String> = (0..100)
            .map(|n| container(&c, "/web", t(30.0 + f64::from(n) / 10.0)).status)
            .collect();
        assert!(states.iter().any(|s| s == "TASK_FAILED"), "{states:?}");
        assert!(states.iter().any(|s| s == "TASK_RUNNING"), "{states:?}");
        assert_eq!(
            c.status(&id("/web"), t(40.0)).map(|s| s.status),
            Some("DEGRADED".into())
        );
        // Not locked any more; a healthy image then deploys and finishes.
        let fixed = c
            .update(pod("/web", 1, "nginx"), false, t(40.0))
            .expect("unlocked");
        assert!(c.deployments(t(40.0)).is_empty(), "{}", fixed.deployment_id);
        assert_eq!(
            c.status(&id("/web"), t(40.0)).map(|s| s.status),
            Some("STABLE".into())
        );
    }

    #[test]
    fn forced_change_cancels_a_hanging_deployment() {
        let mut c = failing(5);
        let w = c
            .create(pod("/web", 1, "crash:1"), false, t(0.0))
            .expect("created");
        let fixed = c
            .update(pod("/web", 1, "nginx"), true, t(100.0))
            .expect("forced");
        let listed: Vec<String> = c.deployments(t(101.0)).into_iter().map(|d| d.id).collect();
        assert_eq!(listed, vec![fixed.deployment_id]);
        assert!(!listed.contains(&w.deployment_id));
        assert!(c.deployments(t(105.0)).is_empty());
        // Scaling a failing pod to 0 is work that can finish.
        let crash = c
            .update(pod("/web", 2, "crash:1"), false, t(110.0))
            .expect("crash again");
        let zero = c
            .update(pod("/web", 0, "crash:1"), true, t(200.0))
            .expect("scale to 0");
        assert_ne!(zero.deployment_id, crash.deployment_id);
        assert!(c.deployments(t(205.0)).is_empty());
    }
}
