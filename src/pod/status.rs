//! Pod status (`GET /v2/pods/{id}::status`) and the summaries podctl draws from it.
//!
//! Every field but `id`, `name` and `status` may be missing on some Marathon version, and new ones
//! appear often: all are optional here, and unknown ones are kept in `extra` so `--json` output
//! stays faithful to what the server said.

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

impl PodStatus {
    /// Desired instances, from the spec (Marathon's default 1 when the spec is absent).
    pub fn desired_instances(&self) -> u32 {
        self.spec.as_ref().map_or(1, PodDefinition::instances)
    }

    /// Instances whose state is `STABLE`: Marathon's own measure of "running".
    pub fn stable_instances(&self) -> usize {
        self.instances
            .iter()
            .filter(|i| i.status == "STABLE")
            .count()
    }

    /// The spec's version, if known.
    pub fn version(&self) -> Option<&str> {
        self.spec.as_ref().and_then(|s| s.version.as_deref())
    }

    /// Container names in spec order, followed by any that only appear in status.
    pub fn container_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .spec
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
            .collect();
        for instance in &self.instances {
            for c in &instance.containers {
                if !names.contains(&c.name) {
                    names.push(c.name.clone());
                }
            }
        }
        names
    }

    /// The state of one container across all instances, most advanced state first:
    /// `[("running", 2), ("staging", 1)]`.
    pub fn container_states(&self, name: &str) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for c in self
            .instances
            .iter()
            .flat_map(|i| i.containers.iter())
            .filter(|c| c.name == name)
        {
            let state = c.short_state();
            match counts.iter_mut().find(|(s, _)| *s == state) {
                Some((_, n)) => *n += 1,
                None => counts.push((state, 1)),
            }
        }
        counts.sort_by_key(|(s, _)| state_rank(s));
        counts
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
        assert_eq!(status.container_names(), vec!["app".to_string()]);
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
        assert_eq!(status.instances[0].containers[0].health(), Health::Unhealthy);
        assert_eq!(status.extra["somethingNew"], 1);
    }
}
