//! Pod status (`GET /v2/pods/{id}::status`) and the summaries podctl draws from it.
//!
//! Every field but `id`, `name` and `status` may be missing on some Marathon version, and new ones
//! appear often: all are optional here, and unknown ones are kept in `extra` so `--json` output
//! stays faithful to what the server said.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::definition::{Extra, PodDefinition};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<PodDefinition>,
    /// `STABLE`, `DEGRADED` or `TERMINAL`.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    pub instances: Vec<InstanceStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_history: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceStatus {
    pub id: String,
    /// `PENDING`, `STAGING`, `STABLE`, `DEGRADED` or `TERMINAL`.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    pub conditions: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
    #[serde(default)]
    pub networks: Vec<Value>,
    #[serde(default)]
    pub containers: Vec<ContainerStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    /// A Mesos task state such as `TASK_RUNNING`.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<EndpointStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A status condition; Marathon only reports `healthy`, and its value is a string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointStatus {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_host_port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a container's health condition says, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Healthy,
    Unhealthy,
    Unknown,
}

impl ContainerStatus {
    pub fn health(&self) -> Health {
        match self.conditions.iter().find(|c| c.name == "healthy") {
            Some(c) if c.value.eq_ignore_ascii_case("true") => Health::Healthy,
            Some(_) => Health::Unhealthy,
            None => Health::Unknown,
        }
    }

    /// The task state without Mesos' `TASK_` prefix, lower case: `running`, `staging`.
    pub fn short_state(&self) -> String {
        short_task_state(&self.status)
    }
}

/// `TASK_RUNNING` -> `running`.
pub fn short_task_state(state: &str) -> String {
    state
        .strip_prefix("TASK_")
        .unwrap_or(state)
        .to_ascii_lowercase()
}

/// What `pod list`, `pod show` and `--wait` read of a pod's status, from the full
/// [`PodStatus`] or the lean [`PodSummary`]: the counts and tallies are written once, here.
pub trait StatusView {
    /// Desired instances (Marathon's default 1 when the spec does not say).
    fn desired_instances(&self) -> u32;
    /// The spec's version, if known.
    fn version(&self) -> Option<&str>;
    /// The state of each instance (`STABLE`, `STAGING`, ...).
    fn instance_states(&self) -> impl Iterator<Item = &str>;
    /// The container names in the spec, in order.
    fn spec_container_names(&self) -> impl Iterator<Item = &str>;
    /// Every container of every instance, as (name, Mesos task state).
    fn tasks(&self) -> impl Iterator<Item = (&str, &str)>;

    /// Instances whose state is `STABLE`: Marathon's own measure of "running".
    fn stable_instances(&self) -> usize {
        self.instance_states().filter(|s| *s == "STABLE").count()
    }

    /// Container names in spec order, followed by any that only appear in status.
    fn container_names(&self) -> Vec<&str> {
        ordered_names(self.spec_container_names(), self.tasks().map(|(n, _)| n))
    }

    /// The state of one container across all instances, most advanced state first:
    /// `[("running", 2), ("staging", 1)]`.
    fn container_states(&self, name: &str) -> Vec<(String, usize)> {
        tally_states(self.tasks().filter(|(n, _)| *n == name).map(|(_, s)| s))
    }

    /// Every container name (as [`container_names`](StatusView::container_names)) with its
    /// states (as [`container_states`](StatusView::container_states)), in one pass over the
    /// tasks: asking per name walked every task once per name, and a pod with 40,000
    /// containers took seconds.
    fn container_tallies(&self) -> Vec<(&str, Vec<(String, usize)>)> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut rows: Vec<(&str, Vec<&str>)> = Vec::new();
        for name in self.spec_container_names() {
            index.entry(name).or_insert_with(|| {
                rows.push((name, Vec::new()));
                rows.len() - 1
            });
        }
        for (name, state) in self.tasks() {
            let i = *index.entry(name).or_insert_with(|| {
                rows.push((name, Vec::new()));
                rows.len() - 1
            });
            rows[i].1.push(state);
        }
        rows.into_iter()
            .map(|(name, states)| (name, tally_states(states.into_iter())))
            .collect()
    }
}

impl StatusView for PodStatus {
    fn desired_instances(&self) -> u32 {
        self.spec.as_ref().map_or(1, PodDefinition::instances)
    }

    fn version(&self) -> Option<&str> {
        self.spec.as_ref().and_then(|s| s.version.as_deref())
    }

    fn instance_states(&self) -> impl Iterator<Item = &str> {
        self.instances.iter().map(|i| i.status.as_str())
    }

    fn spec_container_names(&self) -> impl Iterator<Item = &str> {
        self.spec
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| c.name.as_str()))
    }

    fn tasks(&self) -> impl Iterator<Item = (&str, &str)> {
        self.instances
            .iter()
            .flat_map(|i| i.containers.iter())
            .map(|c| (c.name.as_str(), c.status.as_str()))
    }
}

/// The spec's names in order, then names only seen in status, each once.
fn ordered_names<'a>(
    spec: impl Iterator<Item = &'a str>,
    seen: impl Iterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut known = std::collections::HashSet::new();
    spec.chain(seen)
        .filter(|name| known.insert(*name))
        .collect()
}

/// Counts task states (`TASK_RUNNING`, ...) by their short name, most advanced first (states
/// of equal rank in the order first seen). Linear, even for a server that sends thousands of
/// different states.
fn tally_states<'a>(states: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    // Counted by the state as sent first (no string made per task), then merged by short name
    // in the order first seen.
    let mut raw_index: HashMap<&str, usize> = HashMap::new();
    let mut raw: Vec<(&str, usize)> = Vec::new();
    for state in states {
        match raw_index.get(state) {
            Some(&i) => raw[i].1 += 1,
            None => {
                raw_index.insert(state, raw.len());
                raw.push((state, 1));
            }
        }
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (state, n) in raw {
        let state = short_task_state(state);
        match index.get(&state) {
            Some(&i) => counts[i].1 += n,
            None => {
                index.insert(state.clone(), counts.len());
                counts.push((state, n));
            }
        }
    }
    counts.sort_by_key(|(s, _)| state_rank(s));
    counts
}

/// Just what `pod list` shows of a [`PodStatus`]. Reading `::status` of thousands of pods into
/// this skips everything else, and borrows its strings from the response body (JSON strings
/// without escapes need no copy), which is what keeps `pod list` close to the cost of fetching
/// the bytes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSummary<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(default, borrow)]
    pub status: Cow<'a, str>,
    #[serde(default, borrow)]
    pub status_since: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub spec: Option<SpecSummary<'a>>,
    #[serde(default, borrow)]
    pub instances: Vec<InstanceSummary<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SpecSummary<'a> {
    #[serde(default, borrow)]
    pub version: Option<Cow<'a, str>>,
    #[serde(default)]
    pub scaling: Option<ScalingSummary>,
    #[serde(default, borrow)]
    pub containers: Vec<NameSummary<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ScalingSummary {
    #[serde(default)]
    pub instances: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct NameSummary<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InstanceSummary<'a> {
    #[serde(default, borrow)]
    pub status: Cow<'a, str>,
    #[serde(default, borrow)]
    pub containers: Vec<TaskSummary<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct TaskSummary<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub status: Cow<'a, str>,
}

fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// The states Marathon sends for pods, instances and tasks: a summary points at these instead
/// of holding a copy of each (10,000 pods have 130,000 of them).
const KNOWN_STATES: [&str; 18] = [
    "STABLE",
    "DEGRADED",
    "TERMINAL",
    "PENDING",
    "STAGING",
    "TASK_RUNNING",
    "TASK_STAGING",
    "TASK_STARTING",
    "TASK_KILLING",
    "TASK_FINISHED",
    "TASK_FAILED",
    "TASK_KILLED",
    "TASK_ERROR",
    "TASK_LOST",
    "TASK_DROPPED",
    "TASK_UNREACHABLE",
    "TASK_GONE",
    "TASK_UNKNOWN",
];

/// A state, as one of [`KNOWN_STATES`] when it is one.
fn owned_state(s: Cow<'_, str>) -> Cow<'static, str> {
    match KNOWN_STATES.iter().find(|known| **known == s) {
        Some(known) => Cow::Borrowed(known),
        None => owned(s),
    }
}

impl PodSummary<'_> {
    /// The same summary with its strings copied out of the bytes it borrowed from.
    pub fn into_owned(self) -> PodSummary<'static> {
        PodSummary {
            id: owned(self.id),
            status: owned_state(self.status),
            status_since: self.status_since.map(owned),
            spec: self.spec.map(|spec| SpecSummary {
                version: spec.version.map(owned),
                scaling: spec.scaling,
                containers: spec
                    .containers
                    .into_iter()
                    .map(|c| NameSummary {
                        name: owned(c.name),
                    })
                    .collect(),
            }),
            instances: self
                .instances
                .into_iter()
                .map(|i| InstanceSummary {
                    status: owned_state(i.status),
                    containers: i
                        .containers
                        .into_iter()
                        .map(|t| TaskSummary {
                            name: owned(t.name),
                            status: owned_state(t.status),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl StatusView for PodSummary<'_> {
    fn desired_instances(&self) -> u32 {
        self.spec
            .as_ref()
            .and_then(|s| s.scaling.as_ref())
            .and_then(|s| s.instances)
            .unwrap_or(1)
    }

    fn version(&self) -> Option<&str> {
        self.spec.as_ref().and_then(|s| s.version.as_deref())
    }

    fn instance_states(&self) -> impl Iterator<Item = &str> {
        self.instances.iter().map(|i| i.status.as_ref())
    }

    fn spec_container_names(&self) -> impl Iterator<Item = &str> {
        self.spec
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| c.name.as_ref()))
    }

    fn tasks(&self) -> impl Iterator<Item = (&str, &str)> {
        self.instances
            .iter()
            .flat_map(|i| i.containers.iter())
            .map(|c| (c.name.as_ref(), c.status.as_ref()))
    }
}

/// Just what `pod show` draws of a [`PodStatus`], read without the catch-all `extra` maps and
/// the free-form values the table never shows (keeping those made every one of thousands of
/// containers go through serde's buffering); [`ShownStatus::into_status`] gives the
/// [`PodStatus`] the renderer takes, those parts left empty.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownStatus {
    id: String,
    #[serde(default)]
    spec: Option<PodDefinition>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    status_since: Option<String>,
    #[serde(default)]
    instances: Vec<ShownInstance>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShownInstance {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    status_since: Option<String>,
    #[serde(default)]
    agent_hostname: Option<String>,
    #[serde(default)]
    containers: Vec<ShownContainer>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShownContainer {
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    status_since: Option<String>,
    #[serde(default)]
    conditions: Vec<ShownCondition>,
    #[serde(default)]
    endpoints: Vec<ShownEndpoint>,
}

#[derive(Debug, Deserialize)]
struct ShownCondition {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShownEndpoint {
    name: String,
    #[serde(default)]
    allocated_host_port: Option<u32>,
    #[serde(default)]
    healthy: Option<bool>,
}

impl ShownStatus {
    /// The status with what `pod show` draws filled in.
    pub fn into_status(self) -> PodStatus {
        PodStatus {
            id: self.id,
            spec: self.spec,
            status: self.status,
            status_since: self.status_since,
            instances: self
                .instances
                .into_iter()
                .map(|i| InstanceStatus {
                    id: i.id,
                    status: i.status,
                    status_since: i.status_since,
                    agent_hostname: i.agent_hostname,
                    containers: i
                        .containers
                        .into_iter()
                        .map(|c| ContainerStatus {
                            name: c.name,
                            status: c.status,
                            status_since: c.status_since,
                            conditions: c
                                .conditions
                                .into_iter()
                                .map(|k| Condition {
                                    name: k.name,
                                    value: k.value,
                                    ..Default::default()
                                })
                                .collect(),
                            endpoints: c
                                .endpoints
                                .into_iter()
                                .map(|e| EndpointStatus {
                                    name: e.name,
                                    allocated_host_port: e.allocated_host_port,
                                    healthy: e.healthy,
                                    ..Default::default()
                                })
                                .collect(),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }
}

/// Orders task states for display: running first, then the way up, then the way down.
fn state_rank(state: &str) -> u8 {
    match state {
        "running" => 0,
        "starting" => 1,
        "staging" => 2,
        "killing" => 3,
        "unreachable" => 4,
        "failed" => 5,
        "error" => 6,
        "killed" => 7,
        "finished" => 8,
        _ => 9,
    }
}

/// `[("running", 2), ("staging", 1)]` -> `2 running, 1 staging`; nothing -> `-`.
pub fn describe_states(states: &[(String, usize)]) -> String {
    if states.is_empty() {
        return "-".to_string();
    }
    states
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, state: &str) -> ContainerStatus {
        ContainerStatus {
            name: name.into(),
            status: state.into(),
            ..Default::default()
        }
    }

    #[test]
    fn container_states_are_counted_across_instances() {
        let status = PodStatus {
            id: "/web".into(),
            instances: vec![
                InstanceStatus {
                    id: "web.instance-1".into(),
                    status: "STABLE".into(),
                    containers: vec![container("app", "TASK_RUNNING")],
                    ..Default::default()
                },
                InstanceStatus {
                    id: "web.instance-2".into(),
                    status: "STAGING".into(),
                    containers: vec![container("app", "TASK_STAGING")],
                    ..Default::default()
                },
                InstanceStatus {
                    id: "web.instance-3".into(),
                    status: "STABLE".into(),
                    containers: vec![container("app", "TASK_RUNNING")],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let states = status.container_states("app");
        assert_eq!(describe_states(&states), "2 running, 1 staging");
        assert_eq!(status.stable_instances(), 2);
        assert_eq!(describe_states(&status.container_states("none")), "-");
        assert_eq!(status.container_names(), vec!["app"]);
    }

    #[test]
    fn a_summary_reads_what_list_needs_and_skips_the_rest() {
        let text = r#"[{"id":"/web","status":"DEGRADED","statusSince":"2026-01-01T00:00:00Z",
            "spec":{"id":"/web","version":"v1","scaling":{"kind":"fixed","instances":3},
                    "containers":[{"name":"app","resources":{"cpus":1},"image":{"id":"x"}}]},
            "instances":[{"id":"i1","status":"STABLE","agentHostname":"a",
                          "containers":[{"name":"app","status":"TASK_RUNNING","endpoints":[]},
                                        {"name":"extra","status":"TASK_STAGING"}]}],
            "terminationHistory":[],"somethingNew":{"deep":[1,2,3]}}]"#;
        let pods: Vec<PodSummary> = serde_json::from_str(text).unwrap();
        let pod = &pods[0];
        assert_eq!(pod.desired_instances(), 3);
        assert_eq!(pod.stable_instances(), 1);
        assert_eq!(pod.version(), Some("v1"));
        assert_eq!(pod.container_names(), vec!["app", "extra"]);
        assert_eq!(describe_states(&pod.container_states("app")), "1 running");
        assert_eq!(describe_states(&pod.container_states("extra")), "1 staging");
        // The full type reads the same document the same way.
        let full: Vec<PodStatus> = serde_json::from_str(text).unwrap();
        assert_eq!(full[0].container_states("app"), pod.container_states("app"));
    }

    /// A view whose `tasks()` counts how many tasks it hands out.
    struct Counted {
        names: Vec<String>,
        handed_out: std::cell::Cell<usize>,
    }

    impl StatusView for Counted {
        fn desired_instances(&self) -> u32 {
            1
        }
        fn version(&self) -> Option<&str> {
            None
        }
        fn instance_states(&self) -> impl Iterator<Item = &str> {
            std::iter::empty()
        }
        fn spec_container_names(&self) -> impl Iterator<Item = &str> {
            self.names.iter().map(String::as_str)
        }
        fn tasks(&self) -> impl Iterator<Item = (&str, &str)> {
            self.names.iter().map(|n| {
                self.handed_out.set(self.handed_out.get() + 1);
                (n.as_str(), "TASK_RUNNING")
            })
        }
    }

    /// Issue 11.10: one pod with 40,000 containers took 10 s to render, because every name
    /// walked every task. Counted, not timed: each task is visited once.
    #[test]
    fn container_tallies_visit_each_task_once() {
        let n = 40_000;
        let view = Counted {
            names: (0..n).map(|i| format!("c{i}")).collect(),
            handed_out: std::cell::Cell::new(0),
        };
        let tallies = view.container_tallies();
        assert_eq!(view.handed_out.get(), n);
        assert_eq!(tallies.len(), n);
        assert_eq!(tallies[7].0, "c7");
        assert_eq!(describe_states(&tallies[7].1), "1 running");
    }

    #[test]
    fn tallies_match_the_per_name_answers() {
        let text = r#"{"id":"/web","spec":{"id":"/web","containers":[{"name":"b"},{"name":"a"}]},
            "instances":[{"id":"i1","containers":[{"name":"a","status":"TASK_STAGING"},
              {"name":"x","status":"TASK_FAILED"},{"name":"a","status":"TASK_RUNNING"}]}]}"#;
        let pod: PodSummary = serde_json::from_str(text).unwrap();
        let tallies = pod.container_tallies();
        let names: Vec<&str> = tallies.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, pod.container_names());
        for (name, states) in &tallies {
            assert_eq!(*states, pod.container_states(name), "{name}");
        }
    }

    #[test]
    fn parses_a_sparse_status() {
        let status: PodStatus = serde_json::from_str(
            r#"{"id":"/x","status":"DEGRADED","instances":[{"id":"x.instance-1","status":"PENDING",
               "containers":[{"name":"c","status":"TASK_STAGING","conditions":[{"name":"healthy","value":"false"}]}]}],
               "somethingNew":1}"#,
        )
        .unwrap();
        assert_eq!(status.desired_instances(), 1);
        assert_eq!(
            status.instances[0].containers[0].health(),
            Health::Unhealthy
        );
        assert_eq!(status.extra["somethingNew"], 1);
    }
}
