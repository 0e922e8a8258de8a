//! Deployments (`GET /v2/deployments`): the plans Marathon runs for every change to a pod.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::definition::Extra;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub affected_apps: Vec<String>,
    #[serde(default)]
    pub affected_pods: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub current_actions: Vec<Action>,
    #[serde(default)]
    pub current_step: u32,
    #[serde(default)]
    pub total_steps: u32,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// One action of a step: `StartPod`, `ScalePod`, `RestartPod`, `StopPod` (or an app action).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_check_results: Option<Vec<Value>>,
}

impl Deployment {
    /// The pods and apps it touches, `/web, /prod/api`; empty when it names none.
    pub fn affected(&self) -> String {
        self.affected_pods
            .iter()
            .chain(&self.affected_apps)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether this deployment touches the pod with the given absolute id.
    pub fn affects_pod(&self, id: &str) -> bool {
        self.affected_pods.iter().any(|p| p == id)
    }
}
