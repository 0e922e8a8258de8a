//! The pod definition (`POST/PUT /v2/pods`), typed after Marathon's RAML schema.
//!
//! Every object keeps the fields it does not know in `extra`, so a definition read and written
//! again loses nothing: Marathon grows new fields in almost every release (`role`, `linuxInfo`,
//! `resourceLimits`, ...) and podctl must carry them through untouched. `null` counts as absent,
//! as it does for Marathon. Missing and empty collections mean the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields this version of podctl does not model, kept verbatim.
pub type Extra = Map<String, Value>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodDefinition {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<BTreeMap<String, EnvValue>>,
    #[serde(default)]
    pub containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<BTreeMap<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<Network>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Scaling>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_resources: Option<Resources>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An environment variable: a plain string or a reference to a pod secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EnvValue {
    Plain(String),
    Secret {
        secret: String,
        #[serde(flatten)]
        extra: Extra,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    #[serde(default)]
    pub resources: Resources,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<Endpoint>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<BTreeMap<String, EnvValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Requested resources; `mem` and `disk` in MiB. Absent keys take Marathon's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_pull: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_names: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A container health check: exactly one of `http`, `tcp`, `exec` (checked by validation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<EndpointCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<EndpointCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `http` or `tcp` variant of a health check: it names an endpoint of its container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointCheck {
    pub endpoint: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    pub name: String,
    #[serde(default)]
    pub mount_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A pod volume: ephemeral (`name` only), host (`host`), secret (`secret`) or `persistent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    /// `container` (the default when absent), `container/bridge` or `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// How networking works for a pod, after Marathon's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    Host,
    Bridge,
    Container,
}

impl Network {
    pub fn kind(&self) -> NetworkMode {
        match self.mode.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("host") => NetworkMode::Host,
            Some("container/bridge") => NetworkMode::Bridge,
            _ => NetworkMode::Container,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scaling {
    #[serde(default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<u32>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl PodDefinition {
    /// The desired number of instances (Marathon's default is 1).
    pub fn instances(&self) -> u32 {
        self.scaling.as_ref().and_then(|s| s.instances).unwrap_or(1)
    }

    /// The pod's networking mode: no networks means host networking (Marathon 1.5+).
    pub fn network_mode(&self) -> NetworkMode {
        self.networks
            .as_deref()
            .and_then(<[Network]>::first)
            .map_or(NetworkMode::Host, Network::kind)
    }

    /// All endpoints of all containers, with the container they belong to.
    pub fn endpoints(&self) -> impl Iterator<Item = (&Container, &Endpoint)> {
        self.containers
            .iter()
            .flat_map(|c| c.endpoints.iter().flatten().map(move |e| (c, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares two JSON values the way Marathon reads them: `null` is absent, numbers by value.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (Value::Object(x), Value::Object(y)) => {
                let present = |m: &Map<String, Value>| {
                    m.iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, _)| k.clone())
                        .collect::<std::collections::BTreeSet<_>>()
                };
                present(x) == present(y)
                    && x.iter()
                        .filter(|(_, v)| !v.is_null())
                        .all(|(k, v)| same(v, &y[k]))
            }
            _ => a == b,
        }
    }

    #[test]
    fn every_published_example_round_trips() {
        for (path, text) in crate::fixtures::pod_examples() {
            let original: Value = serde_json::from_str(&text).unwrap();
            let typed: PodDefinition =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let back = serde_json::to_value(&typed).unwrap();
            assert!(
                same(&original, &back),
                "{} lost data:\n{back:#}",
                path.display()
            );
        }
    }

    #[test]
    fn unknown_fields_are_carried_through() {
        let text = r#"{"id":"/a","containers":[{"name":"c","resources":{"cpus":1,"mem":2},
            "tty":true,"resourceLimits":{"cpus":"unlimited"}}],"role":"dev","linuxInfo":{}}"#;
        let pod: PodDefinition = serde_json::from_str(text).unwrap();
        assert_eq!(pod.extra["role"], "dev");
        assert_eq!(pod.containers[0].extra["tty"], true);
        let back = serde_json::to_value(&pod).unwrap();
        assert_eq!(back["containers"][0]["resourceLimits"]["cpus"], "unlimited");
    }

    #[test]
    fn defaults_follow_marathon() {
        let pod: PodDefinition =
            serde_json::from_str(r#"{"id":"/a","containers":[{"name":"c","resources":{}}]}"#)
                .unwrap();
        assert_eq!(pod.instances(), 1);
        assert_eq!(pod.network_mode(), NetworkMode::Host);
        let net: Network = serde_json::from_str(r#"{"name":"dcos"}"#).unwrap();
        assert_eq!(net.kind(), NetworkMode::Container);
        let bridge: Network = serde_json::from_str(r#"{"mode":"CONTAINER/BRIDGE"}"#).unwrap();
        assert_eq!(bridge.kind(), NetworkMode::Bridge);
    }
}
