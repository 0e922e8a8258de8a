//! Deployments (`GET /v2/deployments`): the plans Marathon runs for every change to a pod, and
//! the rules for a deployment id typed by a user.

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

/// The longest deployment id podctl accepts. Marathon's are UUIDs (36 characters); the margin
/// is for other servers, the limit for URLs that stay addressable.
pub const MAX_DEPLOYMENT_ID_LENGTH: usize = 200;

/// Checks a deployment id given on the command line before it goes into
/// `/v2/deployments/{id}`: not empty, not `.` or `..` (the URL parser would resolve them, also
/// when percent-encoded), no character [`printable`](super::text::printable) escapes, and not
/// over [`MAX_DEPLOYMENT_ID_LENGTH`]. Everything else is
/// percent-encoded on the way out, so it stays one path segment.
pub fn check_deployment_id(id: &str) -> Result<&str, String> {
    let length = id.chars().count();
    if id.is_empty() {
        Err("a deployment id must not be empty".into())
    } else if id == "." || id == ".." {
        Err(format!("'{id}' is not a deployment id"))
    } else if super::text::printable(id) != id {
        // It would be echoed in messages; no server makes such ids.
        Err("a deployment id must not contain control characters".into())
    } else if length > MAX_DEPLOYMENT_ID_LENGTH {
        Err(format!(
            "is {length} characters long; deployment ids are limited to \
             {MAX_DEPLOYMENT_ID_LENGTH} characters"
        ))
    } else {
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_ids_that_would_change_the_path_are_refused() {
        for bad in ["", ".", ".."] {
            assert!(check_deployment_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_deployment_id(&"a".repeat(MAX_DEPLOYMENT_ID_LENGTH + 1)).is_err());
        assert!(check_deployment_id("d1\u{1b}[2J").is_err());
        assert!(check_deployment_id("d1\u{202e}").is_err());
        // Encoded on the way out: these stay one segment.
        for ok in [
            "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43",
            "%2e%2e",
            "../pods/web",
            "a b",
        ] {
            assert_eq!(check_deployment_id(ok), Ok(ok));
        }
    }
}
