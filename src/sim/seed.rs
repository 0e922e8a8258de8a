//! `podctl sim --seed-pods N`: the definitions of a large, realistic, already running cluster
//! for scale tests.
//!
//! Pod `n` is `/seed/group-GGG/pod-NNNN` (a hundred pods per group) on the `dcos` container
//! network, each container with an image, resources, one endpoint with a host port, an HTTP
//! health check, labels and environment. Pure functions: `state` launches the instances.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use crate::pod::definition::{
    Container, Endpoint, EndpointCheck, EnvValue, HealthCheck, Image, Network, Resources, Scaling,
};
use crate::pod::PodDefinition;

/// How many seeded pods share a group.
const PODS_PER_GROUP: usize = 100;

/// Seeded host ports per agent, leaving room in each agent's range for pods added later.
pub const PORTS_PER_AGENT: usize = 800;

/// How long before start-up the seeded pods were deployed.
pub const AGE: Duration = Duration::from_secs(3600);

/// What `--seed-pods`, `--instances` and `--containers` ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    pub pods: usize,
    pub instances: u32,
    pub containers: usize,
}

impl Default for Seed {
    fn default() -> Seed {
        Seed {
            pods: 0,
            instances: 3,
            containers: 3,
        }
    }
}

/// What the containers of a seeded pod do, in order; more containers repeat the list.
const ROLES: [(&str, &str); 5] = [
    ("app", "registry.example.com/shop/api:2.14.1"),
    ("proxy", "envoyproxy/envoy:v1.29.2"),
    ("logs", "fluent/fluent-bit:3.0.4"),
    ("metrics", "prom/statsd-exporter:v0.26.1"),
    ("worker", "registry.example.com/shop/worker:2.14.1"),
];

const TEAMS: [&str; 4] = ["checkout", "catalog", "search", "payments"];

/// The `n`-th seeded pod's definition, before Marathon's normalization.
pub fn definition(seed: &Seed, n: usize) -> PodDefinition {
    let id = format!("/seed/group-{:03}/pod-{n:04}", n / PODS_PER_GROUP);
    let team = TEAMS[n % TEAMS.len()];
    let containers = (0..seed.containers)
        .map(|c| {
            let (role, image) = ROLES[c % ROLES.len()];
            let name = if c < ROLES.len() {
                role.to_string()
            } else {
                format!("{role}-{c}")
            };
            let endpoint = format!("{name}-http");
            let port = 8080 + u32::try_from(c).unwrap_or(0);
            let mut check = serde_json::Map::new();
            check.insert("path".into(), json!("/health"));
            let mut timing = serde_json::Map::new();
            timing.insert("gracePeriodSeconds".into(), json!(300));
            timing.insert("intervalSeconds".into(), json!(30));
            timing.insert("timeoutSeconds".into(), json!(10));
            timing.insert("maxConsecutiveFailures".into(), json!(3));
            Container {
                name: name.clone(),
                resources: Resources {
                    cpus: Some(0.1),
                    mem: Some(128.0),
                    ..Resources::default()
                },
                image: Some(Image {
                    kind: Some("DOCKER".into()),
                    id: image.into(),
                    ..Image::default()
                }),
                endpoints: Some(vec![Endpoint {
                    name: endpoint.clone(),
                    container_port: Some(port),
                    host_port: Some(0),
                    protocol: Some(vec!["tcp".into()]),
                    ..Endpoint::default()
                }]),
                environment: Some(BTreeMap::from([
                    ("PORT".to_string(), EnvValue::Plain(port.to_string())),
                    ("ROLE".to_string(), EnvValue::Plain(role.to_string())),
                ])),
                health_check: Some(HealthCheck {
                    http: Some(EndpointCheck {
                        endpoint,
                        extra: check,
                    }),
                    extra: timing,
                    ..HealthCheck::default()
                }),
                labels: Some(BTreeMap::from([("role".to_string(), role.to_string())])),
                ..Container::default()
            }
        })
        .collect();
    PodDefinition {
        id,
        labels: Some(BTreeMap::from([
            ("team".to_string(), team.to_string()),
            ("seeded".to_string(), "true".to_string()),
        ])),
        environment: Some(BTreeMap::from([
            ("DEPLOY_ENV".to_string(), EnvValue::Plain("staging".into())),
            ("POD_INDEX".to_string(), EnvValue::Plain(n.to_string())),
        ])),
        containers,
        networks: Some(vec![Network {
            mode: Some("container".into()),
            name: Some("dcos".into()),
            ..Network::default()
        }]),
        scaling: Some(Scaling {
            kind: "fixed".into(),
            instances: Some(seed.instances),
            ..Scaling::default()
        }),
        ..PodDefinition::default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::pod::validate;
    use crate::sim::state::Cluster;

    #[test]
    fn definitions_are_valid_and_ids_unique() {
        let seed = Seed {
            pods: 250,
            instances: 2,
            containers: 7,
        };
        let ids: HashSet<String> = (0..seed.pods).map(|n| definition(&seed, n).id).collect();
        assert_eq!(ids.len(), 250);
        assert!(ids.contains("/seed/group-001/pod-0123"));
        assert!(ids.contains("/seed/group-002/pod-0249"));
        let pod = definition(&seed, 5);
        let names: BTreeSet<&str> = pod.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 7, "container names are unique: {names:?}");
        assert_eq!(pod.instances(), 2);
        let json = serde_json::to_value(&pod).expect("serializes");
        let problems = validate::validate(&json);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn seeded_cluster_is_stable_without_deployments_and_ports_are_unique_per_agent() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let seed = Seed {
            pods: 400,
            instances: 3,
            containers: 3,
        };
        let mut c = Cluster::new(Duration::from_secs(60), "c");
        c.seed(&seed, now);
        assert!(c.deployments(now).is_empty());
        let statuses = c.statuses(now);
        assert_eq!(statuses.len(), 400);
        let mut instance_ids = HashSet::new();
        let mut ports = HashSet::new();
        for s in &statuses {
            assert_eq!(s.status, "STABLE", "{}", s.id);
            assert_eq!(s.instances.len(), 3);
            for i in &s.instances {
                assert_eq!(i.status, "STABLE");
                assert!(instance_ids.insert(i.id.clone()), "duplicate {}", i.id);
                assert_eq!(i.containers.len(), 3);
                for container in &i.containers {
                    assert_eq!(container.status, "TASK_RUNNING");
                    assert_eq!(container.endpoints[0].healthy, Some(true));
                    let port = container.endpoints[0].allocated_host_port;
                    assert!(
                        port.is_some_and(|p| (31000..=32000).contains(&p)),
                        "{port:?}"
                    );
                    let agent = i.agent_hostname.clone().unwrap_or_default();
                    assert!(ports.insert((agent, port)), "port {port:?} given twice");
                }
            }
        }
        assert_eq!(instance_ids.len(), 1200);
        // The serialized form, cached or not, is the typed one.
        let all: serde_json::Value =
            serde_json::from_slice(&c.statuses_json(now).expect("serializes")).expect("JSON");
        assert_eq!(all, serde_json::to_value(&statuses).expect("JSON"));
    }

    #[test]
    fn one_pod_with_500_instances() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut c = Cluster::new(Duration::ZERO, "c");
        c.seed(
            &Seed {
                pods: 1,
                instances: 500,
                containers: 3,
            },
            now,
        );
        let s = &c.statuses(now)[0];
        assert_eq!(s.status, "STABLE");
        assert_eq!(s.instances.len(), 500);
        let zero = s.instances[0].containers[0].endpoints[0].allocated_host_port;
        assert_ne!(zero, Some(0), "a port was found for every instance");
        assert!(s
            .instances
            .iter()
            .flat_map(|i| &i.containers)
            .all(|c| c.endpoints[0]
                .allocated_host_port
                .is_some_and(|p| p >= 31000)));
    }
}
