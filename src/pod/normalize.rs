//! What Marathon 1.10 (in DC/OS) does to a definition before storing it and writing it back:
//! default network name, host ports, scaling, scheduling, role and resource defaults, canonical
//! enum spelling, and empty collections left out.
//!
//! The simulator stores definitions through [`normalize`]; the client will use it to compare a
//! local definition with the one Marathon wrote back. Fields the shared types keep in `extra` pass
//! through untouched. Pure functions only: no I/O, no clock (the version is passed in).

use serde_json::{json, Map, Value};

use crate::pod::definition::{HealthCheck, NetworkMode, Resources, Scaling};
use crate::pod::PodDefinition;

/// The default container network of a DC/OS cluster.
pub const DEFAULT_NETWORK_NAME: &str = "dcos";

/// The CPUs a container requests when its definition does not say (validation compares limits
/// with it too).
pub const CONTAINER_CPUS: f64 = 1.0;

/// The memory (MiB) a container requests when its definition does not say.
pub const CONTAINER_MEM: f64 = 128.0;

/// The definition as Marathon stores it, stamped with `version`.
pub fn normalize(mut pod: PodDefinition, version: &str) -> PodDefinition {
    pod.version = Some(version.to_string());
    drop_empty_map(&mut pod.labels);
    drop_empty_map(&mut pod.environment);
    drop_empty_map(&mut pod.secrets);
    drop_empty_vec(&mut pod.volumes);
    drop_empty_vec(&mut pod.networks);
    for network in pod.networks.iter_mut().flatten() {
        let mode = match network.kind() {
            NetworkMode::Host => "host",
            NetworkMode::Bridge => "container/bridge",
            NetworkMode::Container => "container",
        };
        network.mode = Some(mode.to_string());
        if network.kind() == NetworkMode::Container && network.name.is_none() {
            network.name = Some(DEFAULT_NETWORK_NAME.to_string());
        }
        drop_empty_map(&mut network.labels);
    }
    let host_ports_default = pod.network_mode() != NetworkMode::Container;
    for container in &mut pod.containers {
        fill_resources(
            &mut container.resources,
            CONTAINER_CPUS,
            CONTAINER_MEM,
            Some(0.0),
            true,
        );
        if let Some(check) = &mut container.health_check {
            health_check_defaults(check);
        }
        drop_empty_map(&mut container.labels);
        drop_empty_map(&mut container.environment);
        drop_empty_vec(&mut container.endpoints);
        drop_empty_vec(&mut container.volume_mounts);
        drop_empty_vec(&mut container.artifacts);
        for artifact in container.artifacts.iter_mut().flatten() {
            artifact_defaults(artifact);
        }
        for mount in container.volume_mounts.iter_mut().flatten() {
            // `ContainerConversion` writes the internal `readOnly: Boolean` back.
            mount.read_only.get_or_insert(false);
        }
        seccomp_defaults(&mut container.extra);
        // `MesosContainer` has no field for a `check`: Marathon 1.10 reads it and loses it.
        container.extra.remove("check");
        if let Some(image) = &mut container.image {
            if let Some(kind) = &mut image.kind {
                *kind = kind.to_ascii_uppercase();
            }
        }
        for endpoint in container.endpoints.iter_mut().flatten() {
            if host_ports_default && endpoint.host_port.is_none() {
                endpoint.host_port = Some(0);
            }
            drop_empty_vec(&mut endpoint.protocol);
            drop_empty_vec(&mut endpoint.network_names);
            drop_empty_map(&mut endpoint.labels);
        }
    }
    let instances = pod.instances();
    let scaling = pod.scaling.get_or_insert_with(Scaling::default);
    if scaling.kind.is_empty() {
        scaling.kind = "fixed".to_string();
    }
    scaling.instances = Some(instances);
    let resident = pod.volumes.iter().flatten().any(|v| v.persistent.is_some());
    for volume in pod.volumes.iter_mut().flatten() {
        if let Some(Value::Object(persistent)) = &mut volume.persistent {
            persistent_defaults(persistent);
        }
    }
    pod.scheduling = Some(scheduling(pod.scheduling.take(), resident));
    seccomp_defaults(&mut pod.extra);
    // `PodConversion` keeps only `legacySharedCgroups: true`.
    if pod.extra.get("legacySharedCgroups") == Some(&Value::Bool(false)) {
        pod.extra.remove("legacySharedCgroups");
    }
    let executor = pod
        .executor_resources
        .get_or_insert_with(Resources::default);
    fill_resources(executor, 0.1, 32.0, Some(10.0), false);
    pod.extra
        .entry("role")
        .or_insert_with(|| Value::String("*".to_string()));
    pod
}

/// Whether two stored definitions differ only in `version`. The placement constraints and
/// accepted roles are `Set`s in `PodDefinition.scala`, so their order is no difference.
pub fn same_spec(a: &PodDefinition, b: &PodDefinition) -> bool {
    comparable(a, false) == comparable(b, false)
}

/// `PodDefinition.isUpgrade`: whether `b` differs from `a` in a field whose change restarts
/// instances. `scaling`, `executorResources`, `legacySharedCgroups` and the scheduling's
/// `killSelection` and `unreachableStrategy` are left out (as is `version`).
pub fn is_upgrade(a: &PodDefinition, b: &PodDefinition) -> bool {
    comparable(a, true) != comparable(b, true)
}

/// `PodDefinition.isOnlyScaleChange`: no upgrade, and the instance count changes.
pub fn is_only_scale_change(a: &PodDefinition, b: &PodDefinition) -> bool {
    !is_upgrade(a, b) && a.instances() != b.instances()
}

/// The definition as JSON without `version`, placement sets sorted; with `upgrade_only`, also
/// without the fields `isUpgrade` leaves out.
fn comparable(p: &PodDefinition, upgrade_only: bool) -> Value {
    let mut value = serde_json::to_value(without_version(p)).unwrap_or(Value::Null);
    let Value::Object(pod) = &mut value else {
        return value;
    };
    if upgrade_only {
        for key in ["scaling", "executorResources", "legacySharedCgroups"] {
            pod.remove(key);
        }
    }
    if let Some(Value::Object(scheduling)) = pod.get_mut("scheduling") {
        if upgrade_only {
            scheduling.remove("killSelection");
            scheduling.remove("unreachableStrategy");
        }
        if let Some(Value::Object(placement)) = scheduling.get_mut("placement") {
            for set in placement.values_mut() {
                if let Value::Array(items) = set {
                    items.sort_by_cached_key(|v| v.to_string());
                    items.dedup();
                }
            }
        }
    }
    value
}

/// The form in which two definitions are compared (`pod diff`, `pod apply`): [`normalize`]d, then
/// what Marathon loses or rewrites on the way back and what only spelling tells apart is made
/// equal. The id is absolute, `version` is gone, numbers with no fraction are integers (`1.0` and
/// `1` are one value), artifacts carry their RAML defaults, the placement sets (constraints and
/// accepted roles, `Set`s in `PodDefinition.scala`) are sorted without duplicates, and
/// `legacySharedCgroups: false` is dropped (`PodConversion` keeps only `true`). A value that is
/// not a pod definition is compared as it is, with numbers made canonical.
pub fn canonical(definition: &Value) -> Value {
    let mut value = match serde_json::from_value::<PodDefinition>(definition.clone()) {
        Ok(mut pod) => {
            pod.id = crate::pod::PodId::lenient(&pod.id).as_str().to_string();
            let mut pod = normalize(pod, "");
            pod.version = None;
            serde_json::to_value(&pod).unwrap_or_else(|_| definition.clone())
        }
        Err(_) => definition.clone(),
    };
    if let Value::Object(pod) = &mut value {
        let placement = pod
            .get_mut("scheduling")
            .and_then(|s| s.get_mut("placement"))
            .and_then(Value::as_object_mut);
        for set in placement.into_iter().flat_map(|p| p.values_mut()) {
            if let Value::Array(items) = set {
                items.sort_by_cached_key(|v| v.to_string());
                items.dedup();
            }
        }
    }
    canonical_numbers(&mut value);
    value
}

/// An artifact as Marathon writes it back: `extract`, `executable` and `cache` always present
/// (`artifact.raml` gives them defaults).
fn artifact_defaults(artifact: &mut Value) {
    if let Value::Object(a) = artifact {
        for (key, default) in [("extract", true), ("executable", false), ("cache", false)] {
            let entry = a.entry(key).or_insert(Value::Null);
            if entry.is_null() {
                *entry = Value::Bool(default);
            }
        }
    }
}

/// A `linuxInfo.seccomp` as `LinuxInfoConversion` writes it back: `unconfined` always present
/// (`linux.raml` gives it the default `false`).
fn seccomp_defaults(extra: &mut Map<String, Value>) {
    let seccomp = extra
        .get_mut("linuxInfo")
        .and_then(|l| l.get_mut("seccomp"))
        .and_then(Value::as_object_mut);
    if let Some(seccomp) = seccomp {
        let entry = seccomp.entry("unconfined").or_insert(Value::Null);
        if entry.is_null() {
            *entry = Value::Bool(false);
        }
    }
}

/// A persistent volume as `VolumeConversion` writes it back: the disk `type` it chose (`mount`
/// with a `profileName`, else `root`) and its `constraints`, `[]` when it has none.
fn persistent_defaults(persistent: &mut Map<String, Value>) {
    if persistent.get("type").is_none_or(Value::is_null) {
        let has_profile = persistent.get("profileName").is_some_and(|p| !p.is_null());
        let kind = if has_profile { "mount" } else { "root" };
        persistent.insert("type".to_string(), json!(kind));
    }
    let constraints = persistent.entry("constraints").or_insert(Value::Null);
    if constraints.is_null() {
        *constraints = json!([]);
    }
}

/// Numbers with no fractional part become integers, everywhere: Marathon writes doubles where a
/// file has integers (`"mem": 32.0`) and the reverse.
fn canonical_numbers(value: &mut Value) {
    match value {
        // Beyond 2^53 a double is no longer an exact integer; it stays as it is.
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15)
            {
                *value = json!(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(canonical_numbers),
        Value::Object(map) => map.values_mut().for_each(canonical_numbers),
        _ => {}
    }
}

fn without_version(p: &PodDefinition) -> PodDefinition {
    PodDefinition {
        version: None,
        ..p.clone()
    }
}

fn fill_resources(r: &mut Resources, cpus: f64, mem: f64, disk: Option<f64>, gpus: bool) {
    r.cpus.get_or_insert(cpus);
    r.mem.get_or_insert(mem);
    if let Some(disk) = disk {
        r.disk.get_or_insert(disk);
    }
    if gpus {
        r.gpus.get_or_insert(0);
    }
}

/// Scheduling with Marathon 1.8+'s defaults filled in key by key; a non-object is replaced. A
/// `resident` pod (one with a persistent volume) that gives no upgrade or unreachable strategy
/// gets `UpgradeStrategy.forResidentTasks` and a disabled unreachable strategy
/// (`PodNormalization.normalizeScheduling`).
fn scheduling(given: Option<Value>, resident: bool) -> Value {
    let mut s = match given {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if resident {
        if s.get("upgrade").is_none_or(Value::is_null) {
            s.insert(
                "upgrade".to_string(),
                json!({"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.0}),
            );
        }
        if s.get("unreachableStrategy").is_none_or(Value::is_null) {
            s.insert("unreachableStrategy".to_string(), json!("disabled"));
        }
    }
    // Marathon keeps these as doubles and writes them so: `1.0`, `300.0`.
    merge_defaults(
        &mut s,
        "backoff",
        json!({"backoff": 1.0, "backoffFactor": 1.15, "maxLaunchDelay": 300.0}),
    );
    merge_defaults(
        &mut s,
        "upgrade",
        json!({"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0}),
    );
    for key in ["backoff", "upgrade"] {
        if let Some(Value::Object(m)) = s.get_mut(key) {
            for v in m.values_mut() {
                if let Some(f) = v.as_f64() {
                    *v = json!(f);
                }
            }
        }
    }
    // The placement policy is always written, `{}` when it has no constraints or roles.
    merge_defaults(&mut s, "placement", json!({}));
    if let Some(Value::Object(placement)) = s.get_mut("placement") {
        placement.retain(|_, v| !matches!(v, Value::Array(a) if a.is_empty()));
    }
    let kill = match s.get("killSelection").and_then(Value::as_str) {
        Some(k) => k.to_ascii_uppercase(),
        None => "YOUNGEST_FIRST".to_string(),
    };
    s.insert("killSelection".to_string(), Value::String(kill));
    match s.get("unreachableStrategy") {
        Some(Value::String(d)) => {
            let d = d.to_ascii_lowercase();
            s.insert("unreachableStrategy".to_string(), Value::String(d));
        }
        _ => merge_defaults(
            &mut s,
            "unreachableStrategy",
            json!({"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0}),
        ),
    }
    Value::Object(s)
}

/// A container health check as `HealthCheckConversion` writes it back: every timing default, and
/// an http check's `scheme` (its `path` has no default).
fn health_check_defaults(check: &mut HealthCheck) {
    let defaults = [
        ("gracePeriodSeconds", 300),
        ("intervalSeconds", 60),
        ("maxConsecutiveFailures", 3),
        ("timeoutSeconds", 20),
        ("delaySeconds", 15),
    ];
    for (key, value) in defaults {
        let entry = check.extra.entry(key.to_string()).or_insert(Value::Null);
        if entry.is_null() {
            *entry = json!(value);
        }
    }
    if let Some(http) = &mut check.http {
        let scheme = http
            .extra
            .entry("scheme".to_string())
            .or_insert(Value::Null);
        if scheme.is_null() {
            *scheme = json!("HTTP");
        }
    }
}

fn merge_defaults(map: &mut Map<String, Value>, key: &str, defaults: Value) {
    let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let (Value::Object(target), Value::Object(defaults)) = (entry, defaults) {
        for (k, v) in defaults {
            match target.get(&k) {
                Some(existing) if !existing.is_null() => {}
                _ => {
                    target.insert(k, v);
                }
            }
        }
    }
}

fn drop_empty_map<K, V>(m: &mut Option<std::collections::BTreeMap<K, V>>) {
    if m.as_ref().is_some_and(|m| m.is_empty()) {
        *m = None;
    }
}

fn drop_empty_vec<T>(v: &mut Option<Vec<T>>) {
    if v.as_ref().is_some_and(|v| v.is_empty()) {
        *v = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(text: &str) -> PodDefinition {
        serde_json::from_str(text).expect("test pod parses")
    }

    #[test]
    fn fills_defaults_and_names_the_network() {
        let p = normalize(
            pod(r#"{"id":"/a","labels":{},"networks":[{"mode":"container"}],
                "containers":[{"name":"c","resources":{"cpus":0.5},
                "endpoints":[{"name":"e","containerPort":80,"labels":{}}],"tty":true}]}"#),
            "2020-01-01T00:00:00.000Z",
        );
        let v = serde_json::to_value(&p).expect("serializes");
        assert_eq!(v["version"], "2020-01-01T00:00:00.000Z");
        assert_eq!(v["networks"][0]["name"], "dcos");
        assert!(v.get("labels").is_none());
        let c = &v["containers"][0];
        assert_eq!(
            c["resources"],
            json!({"cpus":0.5,"mem":128.0,"disk":0.0,"gpus":0})
        );
        assert!(c["endpoints"][0].get("hostPort").is_none());
        assert!(c["endpoints"][0].get("labels").is_none());
        assert_eq!(c["tty"], true);
        assert_eq!(v["scaling"], json!({"kind":"fixed","instances":1}));
        assert_eq!(
            v["executorResources"],
            json!({"cpus":0.1,"mem":32.0,"disk":10.0})
        );
        let s = &v["scheduling"];
        assert_eq!(s["backoff"]["maxLaunchDelay"], 300.0);
        assert!(s["backoff"]["maxLaunchDelay"].is_f64());
        assert_eq!(s["placement"], json!({}));
        assert_eq!(s["killSelection"], "YOUNGEST_FIRST");
        assert_eq!(
            s["unreachableStrategy"],
            json!({"inactiveAfterSeconds":0,"expungeAfterSeconds":0})
        );
        assert_eq!(v["role"], "*");
    }

    #[test]
    fn host_mode_endpoints_get_host_port_zero_and_given_values_stay() {
        let p = normalize(
            pod(r#"{"id":"/a","containers":[{"name":"c","resources":{},
                "endpoints":[{"name":"e"},{"name":"f","hostPort":8080}]}],
                "executorResources":{"cpus":1},"scheduling":{"backoff":{"backoff":5}}}"#),
            "v",
        );
        let eps = p.containers[0].endpoints.as_ref().expect("endpoints");
        assert_eq!(eps[0].host_port, Some(0));
        assert_eq!(eps[1].host_port, Some(8080));
        let ex = p.executor_resources.as_ref().expect("executor");
        assert_eq!(
            (ex.cpus, ex.mem, ex.disk),
            (Some(1.0), Some(32.0), Some(10.0))
        );
        let s = p.scheduling.as_ref().expect("scheduling");
        assert_eq!(s["backoff"]["backoff"], 5.0);
        assert_eq!(s["backoff"]["backoffFactor"], 1.15);
    }

    #[test]
    fn health_checks_get_every_default_and_a_spelled_out_default_is_no_change() {
        let given = r#"{"id":"/a","containers":[{"name":"c","endpoints":[{"name":"e"}],
            "healthCheck":{"http":{"endpoint":"e"}}}]}"#;
        let p = normalize(pod(given), "v1");
        let v = serde_json::to_value(&p).expect("serializes");
        assert_eq!(
            v["containers"][0]["healthCheck"],
            json!({"http":{"endpoint":"e","scheme":"HTTP"},"gracePeriodSeconds":300,
                "intervalSeconds":60,"maxConsecutiveFailures":3,"timeoutSeconds":20,
                "delaySeconds":15})
        );
        let spelled = r#"{"id":"/a","containers":[{"name":"c","endpoints":[{"name":"e"}],
            "healthCheck":{"http":{"endpoint":"e","scheme":"HTTP"},"intervalSeconds":60}}],
            "scheduling":{"backoff":{"backoff":1,"maxLaunchDelay":300},"placement":{}}}"#;
        assert!(same_spec(&p, &normalize(pod(spelled), "v2")));
    }

    #[test]
    fn raml_defaults_of_artifacts_mounts_seccomp_and_persistent_volumes() {
        let p = normalize(
            pod(r#"{"id":"/a","legacySharedCgroups":false,
                "linuxInfo":{"seccomp":{"profileName":"p"}},
                "volumes":[{"name":"d","persistent":{"size":10}},
                  {"name":"e","persistent":{"size":1,"profileName":"fast","constraints":[["path","LIKE","x"]]}}],
                "containers":[{"name":"c",
                  "artifacts":[{"uri":"http://a/b.tgz"},{"uri":"http://a/c","extract":false,"cache":null}],
                  "volumeMounts":[{"name":"d","mountPath":"/d"},{"name":"e","mountPath":"/e","readOnly":true}],
                  "linuxInfo":{"seccomp":{"unconfined":true}},
                  "check":{"http":{"endpoint":"e"}}}]}"#),
            "v",
        );
        let v = serde_json::to_value(&p).expect("serializes");
        let c = &v["containers"][0];
        assert_eq!(
            c["artifacts"],
            json!([{"uri":"http://a/b.tgz","extract":true,"executable":false,"cache":false},
                {"uri":"http://a/c","extract":false,"executable":false,"cache":false}])
        );
        assert_eq!(c["volumeMounts"][0]["readOnly"], false);
        assert_eq!(c["volumeMounts"][1]["readOnly"], true);
        assert_eq!(
            v["linuxInfo"]["seccomp"],
            json!({"profileName":"p","unconfined":false})
        );
        assert_eq!(c["linuxInfo"]["seccomp"], json!({"unconfined":true}));
        // `MesosContainer` has no `check`, so Marathon loses it.
        assert!(c.get("check").is_none(), "{c}");
        // `PodConversion` keeps only `legacySharedCgroups: true`.
        assert!(v.get("legacySharedCgroups").is_none());
        assert_eq!(
            v["volumes"][0]["persistent"],
            json!({"type":"root","size":10,"constraints":[]})
        );
        assert_eq!(v["volumes"][1]["persistent"]["type"], "mount");
        assert_eq!(
            v["volumes"][1]["persistent"]["constraints"],
            json!([["path", "LIKE", "x"]])
        );
        // A resident pod gets resident strategies (`PodNormalization.normalizeScheduling`).
        let s = &v["scheduling"];
        assert_eq!(
            s["upgrade"],
            json!({"minimumHealthCapacity":0.5,"maximumOverCapacity":0.0})
        );
        assert_eq!(s["unreachableStrategy"], "disabled");
        // Given values stay.
        let given = normalize(
            pod(r#"{"id":"/a","legacySharedCgroups":true,
                "volumes":[{"name":"d","persistent":{"size":10,"type":"path"}}],
                "scheduling":{"upgrade":{"minimumHealthCapacity":0.2},
                  "unreachableStrategy":{"inactiveAfterSeconds":1,"expungeAfterSeconds":2}},
                "containers":[{"name":"c"}]}"#),
            "v",
        );
        let g = serde_json::to_value(&given).expect("serializes");
        assert_eq!(g["legacySharedCgroups"], true);
        assert_eq!(g["volumes"][0]["persistent"]["type"], "path");
        assert_eq!(
            g["scheduling"]["upgrade"],
            json!({"minimumHealthCapacity":0.2,"maximumOverCapacity":1.0})
        );
        assert_eq!(
            g["scheduling"]["unreachableStrategy"]["expungeAfterSeconds"],
            2
        );
    }

    #[test]
    fn upgrade_leaves_out_what_is_upgrade_leaves_out() {
        let base = r#"{"id":"/a","containers":[{"name":"c"}],
            "scheduling":{"placement":{"acceptedResourceRoles":["*","x"]}}}"#;
        let a = normalize(pod(base), "v1");
        let retuned = normalize(
            pod(
                r#"{"id":"/a","containers":[{"name":"c"}],"legacySharedCgroups":true,
                "executorResources":{"cpus":1},"scaling":{"kind":"fixed","instances":4},
                "scheduling":{"placement":{"acceptedResourceRoles":["x","*"]},
                  "killSelection":"OLDEST_FIRST","unreachableStrategy":"disabled"}}"#,
            ),
            "v2",
        );
        assert!(!is_upgrade(&a, &retuned));
        assert!(is_only_scale_change(&a, &retuned));
        assert!(!same_spec(&a, &retuned));
        let reordered = normalize(
            pod(r#"{"id":"/a","containers":[{"name":"c"}],
            "scheduling":{"placement":{"acceptedResourceRoles":["x","*"]}}}"#),
            "v3",
        );
        assert!(same_spec(&a, &reordered), "placement sets compare as sets");
        for changed in [
            r#"{"id":"/a","containers":[{"name":"d"}]}"#,
            r#"{"id":"/a","containers":[{"name":"c"}],"user":"u"}"#,
            r#"{"id":"/a","containers":[{"name":"c"}],"role":"r"}"#,
            r#"{"id":"/a","containers":[{"name":"c"}],"linuxInfo":{"ipcInfo":{"mode":"PRIVATE"}}}"#,
            r#"{"id":"/a","containers":[{"name":"c"}],"scheduling":{"backoff":{"backoff":2}}}"#,
        ] {
            let b = normalize(pod(changed), "v4");
            assert!(is_upgrade(&a, &b), "{changed}");
            assert!(!is_only_scale_change(&a, &b), "{changed}");
        }
    }

    #[test]
    fn change_kinds() {
        let a = normalize(pod(r#"{"id":"/a","containers":[{"name":"c"}]}"#), "v1");
        let b = normalize(pod(r#"{"id":"/a","containers":[{"name":"c"}]}"#), "v2");
        assert!(same_spec(&a, &b));
        let scaled = normalize(
            pod(
                r#"{"id":"/a","scaling":{"kind":"fixed","instances":3},"containers":[{"name":"c"}]}"#,
            ),
            "v3",
        );
        assert!(!same_spec(&a, &scaled));
        assert!(is_only_scale_change(&a, &scaled));
        let changed = normalize(pod(r#"{"id":"/a","containers":[{"name":"d"}]}"#), "v4");
        assert!(!is_only_scale_change(&a, &changed));
    }
}
