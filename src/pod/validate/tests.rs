//! Tests of the whole validator: the shared examples pass, and every rule has a passing and a
//! failing case (a valid base pod plus one mutation), checking the pointer, the severity and the
//! form Marathon answers with.

use serde_json::Value;

use super::*;

/// The published examples (`tests/fixtures/`) and podctl's own (`examples/`).
fn examples() -> Vec<(std::path::PathBuf, String)> {
    let ours = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut examples = crate::fixtures::pod_examples();
    for entry in std::fs::read_dir(&ours).expect("examples/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("readable example");
            examples.push((path, text));
        }
    }
    assert!(
        examples.len() > crate::fixtures::POD_EXAMPLE_COUNT,
        "examples/ is empty"
    );
    examples
}

#[test]
fn every_example_has_no_errors() {
    for (path, text) in examples() {
        let value: Value = serde_json::from_str(&text).expect("example is JSON");
        let errors = check(&value);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// A valid pod touching most rules: container network, endpoint, health check, volume, secret.
fn base() -> Value {
    serde_json::json!({
        "id": "/prod/web",
        "labels": {"team": "web"},
        "environment": {"MODE": "prod", "DB_PASSWORD": {"secret": "db"}},
        "secrets": {"db": {"source": "prod/db"}},
        "networks": [{"mode": "container", "name": "dcos"}],
        "volumes": [{"name": "data"}],
        "scaling": {"kind": "fixed", "instances": 2},
        "scheduling": {
            "upgrade": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.5},
            "placement": {"constraints": [{"fieldName": "hostname", "operator": "UNIQUE"}]}
        },
        "containers": [{
            "name": "app",
            "resources": {"cpus": 0.5, "mem": 128},
            "image": {"kind": "DOCKER", "id": "nginx:1.28"},
            "endpoints": [{"name": "http", "containerPort": 80, "hostPort": 0, "protocol": ["tcp"]}],
            "healthCheck": {"http": {"endpoint": "http", "path": "/"}, "intervalSeconds": 30, "timeoutSeconds": 5},
            "volumeMounts": [{"name": "data", "mountPath": "/data"}]
        }]
    })
}

/// One edit of the base pod: a JSON pointer and the value to set there (`None` removes it).
type Edit<'a> = (&'a str, Option<Value>);

/// Applies `(pointer, value)` edits: `Some` sets (creating the last key), `None` removes.
fn with(mut pod: Value, edits: &[Edit]) -> Value {
    for (pointer, value) in edits {
        let (parent, last) = pointer.rsplit_once('/').expect("pointer has a parent");
        let target = pod
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"));
        match (target, value) {
            (Value::Object(map), Some(v)) => {
                map.insert(last.to_string(), v.clone());
            }
            (Value::Object(map), None) => {
                map.remove(last);
            }
            (Value::Array(items), Some(v)) => {
                let i: usize = last.parse().expect("index");
                if i == items.len() {
                    items.push(v.clone());
                } else {
                    items[i] = v.clone();
                }
            }
            (Value::Array(items), None) => {
                items.remove(last.parse::<usize>().expect("index"));
            }
            _ => panic!("cannot edit {pointer}"),
        }
    }
    pod
}

fn set(pointer: &str, value: Value) -> Edit<'_> {
    (pointer, Some(value))
}

fn del(pointer: &str) -> Edit<'_> {
    (pointer, None)
}

/// What Marathon answers for one failing case.
enum Want {
    Parse(&'static str),
    Semantic(&'static str, &'static str),
    /// podctl refuses it, Marathon would not.
    Local,
}

fn expect_error(name: &str, pod: &Value, pointer: &str, want: Want) {
    let problems = validate(pod);
    let found = problems
        .iter()
        .find(|p| p.pointer() == pointer && p.is_error())
        .unwrap_or_else(|| panic!("{name}: no error at {pointer}; got {problems:#?}"));
    let expected = match want {
        Want::Parse(key) => ServerForm::Parse(key),
        Want::Semantic(path, text) => ServerForm::Semantic {
            path: path.to_string(),
            text: text.to_string(),
        },
        Want::Local => ServerForm::None,
    };
    assert_eq!(found.server, expected, "{name}: {found:#?}");
    assert!(!found.message.is_empty(), "{name}");
    let first = found.message.chars().next().unwrap_or('x');
    assert!(
        !first.is_uppercase(),
        "{name}: message starts lowercase: {}",
        found.message
    );
}

fn expect_valid(name: &str, pod: &Value) {
    let errors = check(pod);
    assert!(errors.is_empty(), "{name}: {errors:#?}");
}

/// Every problem but the warnings that depend on the cluster.
fn findings(pod: &Value) -> Vec<Problem> {
    let mut problems = validate(pod);
    problems.retain(|p| p.severity != Severity::Cluster);
    problems
}

#[test]
fn base_pod_is_valid_and_has_no_warnings() {
    assert!(findings(&base()).is_empty(), "{:#?}", validate(&base()));
    // Only that it relies on the secrets feature.
    let cluster: Vec<_> = validate(&base()).iter().map(Problem::pointer).collect();
    assert_eq!(cluster, ["/secrets"]);
}

#[test]
fn failing_cases() {
    use serde_json::json;
    use Want::{Local, Parse, Semantic};
    let cases: Vec<(&str, Vec<Edit>, &str, Want)> = vec![
        // id
        ("id missing", vec![del("/id")], "/id", Parse("error.path.missing")),
        ("id number", vec![set("/id", json!(3))], "/id", Parse("error.expected.jsstring")),
        ("id null", vec![set("/id", json!(null))], "/id", Parse("error.expected.jsstring")),
        ("id empty", vec![set("/id", json!(""))], "/id", Parse("error.minLength")),
        ("id relative", vec![set("/id", json!("web"))], "/id", Semantic("/id", "Path needs to be absolute")),
        ("id root", vec![set("/id", json!("/"))], "/id", Semantic("/id", "Path must contain at least one path element")),
        ("id dot-dot segment", vec![set("/id", json!("/a/../b"))], "/id", Semantic("/id", "Identifier is not child of '/a/..'")),
        ("id dot-dot first", vec![set("/id", json!("/../b"))], "/id", Semantic("/id", "Identifier is not child of '/..'")),
        ("id dot-dot after an empty segment", vec![set("/id", json!("/a//../b"))], "/id", Semantic("/id", "Identifier is not child of '/a/..'")),
        ("id dot segment", vec![set("/id", json!("/a/./b"))], "/id", Parse("error.pattern")),
        ("version not a date", vec![set("/version", json!("yesterday"))], "/version", Parse("error.expected.date.isoformat")),
        ("version without offset", vec![set("/version", json!("2024-01-31T12:00:00.000"))], "/version", Parse("error.expected.date.isoformat")),
        ("version date only", vec![set("/version", json!("2024-01-31"))], "/version", Parse("error.expected.date.isoformat")),
        ("version no such day", vec![set("/version", json!("2023-02-29T12:00:00Z"))], "/version", Parse("error.expected.date.isoformat")),
        ("version number", vec![set("/version", json!(1_700_000_000_000_u64))], "/version", Parse("error.expected.date")),
        ("id uppercase", vec![set("/id", json!("/Web"))], "/id", Parse("error.pattern")),
        (
            "id reserved",
            vec![set("/id", json!("/web/restart"))],
            "/id",
            Semantic("/id", "must not end with any of the following reserved keywords: restart, tasks, versions, ., .."),
        ),
        // top level
        ("user empty", vec![set("/user", json!(""))], "/user", Semantic("/user", "must not be empty")),
        ("role empty", vec![set("/role", json!(""))], "/role", Parse("error.minLength")),
        ("labels value", vec![set("/labels/team", json!(3))], "/labels/team", Parse("error.expected.jsstring")),
        ("labels type", vec![set("/labels", json!([]))], "/labels", Parse("error.expected.jsobject")),
        ("legacySharedCgroups type", vec![set("/legacySharedCgroups", json!("yes"))], "/legacySharedCgroups", Parse("error.expected.jsboolean")),
        // containers
        ("containers missing", vec![del("/containers")], "/containers", Parse("error.path.missing")),
        ("containers empty", vec![set("/containers", json!([]))], "/containers", Parse("error.minLength")),
        ("containers type", vec![set("/containers", json!({}))], "/containers", Parse("error.expected.jsarray")),
        ("container not object", vec![set("/containers/0", json!("app"))], "/containers/0", Parse("error.expected.jsobject")),
        ("container name missing", vec![del("/containers/0/name")], "/containers/0/name", Parse("error.path.missing")),
        ("container name pattern", vec![set("/containers/0/name", json!("App"))], "/containers/0/name", Parse("error.pattern")),
        ("container name length", vec![set("/containers/0/name", json!("a".repeat(64)))], "/containers/0/name", Parse("error.maxLength")),
        (
            "container names unique",
            vec![set("/containers/1", json!({"name": "app", "resources": {}}))],
            "/containers/1/name",
            Semantic("/containers", "container names must be unique"),
        ),
        ("tty type", vec![set("/containers/0/tty", json!(1))], "/containers/0/tty", Parse("error.expected.jsboolean")),
        // resources
        ("resources missing", vec![del("/containers/0/resources")], "/containers/0/resources", Parse("error.path.missing")),
        ("cpus negative", vec![set("/containers/0/resources/cpus", json!(-1))], "/containers/0/resources/cpus", Parse("error.min")),
        ("cpus tiny", vec![set("/containers/0/resources/cpus", json!(0.0001))], "/containers/0/resources/cpus", Parse("error.min")),
        ("cpus string", vec![set("/containers/0/resources/cpus", json!("1"))], "/containers/0/resources/cpus", Parse("error.expected.jsnumber")),
        ("mem zero", vec![set("/containers/0/resources/mem", json!(0))], "/containers/0/resources/mem", Parse("error.min")),
        ("disk negative", vec![set("/containers/0/resources/disk", json!(-1))], "/containers/0/resources/disk", Parse("error.min")),
        ("gpus fraction", vec![set("/containers/0/resources/gpus", json!(1.5))], "/containers/0/resources/gpus", Parse("error.expected.int")),
        ("gpus negative", vec![set("/containers/0/resources/gpus", json!(-1))], "/containers/0/resources/gpus", Parse("error.min")),
        ("executor cpus", vec![set("/executorResources", json!({"cpus": 0.01}))], "/executorResources/cpus", Parse("error.min")),
        ("executor mem", vec![set("/executorResources", json!({"mem": 16}))], "/executorResources/mem", Parse("error.min")),
        ("executor disk", vec![set("/executorResources", json!({"disk": 5}))], "/executorResources/disk", Parse("error.min")),
        (
            "limit below request",
            vec![set("/containers/0/resourceLimits", json!({"cpus": 0.1}))],
            "/containers/0/resourceLimits/cpus",
            Semantic("/containers(0)/resourceLimits/cpus", "resource limit must be greater than or equal to requested resource (0.5)"),
        ),
        (
            "limit below default mem",
            vec![del("/containers/0/resources/mem"), set("/containers/0/resourceLimits", json!({"mem": 64}))],
            "/containers/0/resourceLimits/mem",
            Semantic("/containers(0)/resourceLimits/mem", "resource limit must be greater than or equal to requested resource (128.0)"),
        ),
        (
            "limit bad string",
            vec![set("/containers/0/resourceLimits", json!({"mem": "lots"}))],
            "/containers/0/resourceLimits/mem",
            Semantic("/containers(0)/resourceLimits/mem", "'lots' is an invalid resource limit. It must be 'unlimited' or a number"),
        ),
        ("limit bool", vec![set("/containers/0/resourceLimits", json!({"mem": true}))], "/containers/0/resourceLimits/mem", Parse("error.expected.jsnumber")),
        (
            "limits with legacy cgroups",
            vec![set("/legacySharedCgroups", json!(true)), set("/containers/0/resourceLimits", json!({"cpus": "unlimited"}))],
            "/containers/0/resourceLimits",
            Semantic("/containers(0)/resourceLimits", "resourceLimits cannot be defined if legacySharedCgroups is enabled"),
        ),
        // scaling
        ("scaling kind", vec![set("/scaling/kind", json!("Fixed"))], "/scaling/kind", Parse("error.expected.jsstring")),
        ("scaling kind missing", vec![del("/scaling/kind")], "/scaling/kind", Parse("error.expected.jsstring")),
        ("instances negative", vec![set("/scaling/instances", json!(-1))], "/scaling/instances", Parse("error.min")),
        ("instances fraction", vec![set("/scaling/instances", json!(1.5))], "/scaling/instances", Parse("error.expected.int")),
        ("instances huge", vec![set("/scaling/instances", json!(5_000_000_000u64))], "/scaling/instances", Parse("error.expected.int")),
        // networks
        ("network mode", vec![set("/networks/0/mode", json!("bogus"))], "/networks/0/mode", Parse("error.unknown.enum.literal")),
        ("network name pattern", vec![set("/networks/0/name", json!("Dcos"))], "/networks/0/name", Parse("error.pattern")),
        ("network name length", vec![set("/networks/0/name", json!("a".repeat(64)))], "/networks/0/name", Parse("error.maxLength")),
        (
            "host network with name",
            vec![set("/networks/0", json!({"mode": "host", "name": "x"})), del("/containers/0/endpoints/0/containerPort")],
            "/networks/0/name",
            Semantic("/networks", "Host networks may not have names or labels"),
        ),
        (
            "host network with labels",
            vec![set("/networks/0", json!({"mode": "HOST", "labels": {"a": "b"}})), del("/containers/0/endpoints/0/containerPort")],
            "/networks/0/labels",
            Semantic("/networks", "Host networks may not have names or labels"),
        ),
        (
            "bridge with name",
            vec![set("/networks/0", json!({"mode": "container/bridge", "name": "x"}))],
            "/networks/0/name",
            Semantic("/networks", "Bridge networks may not have names"),
        ),
        (
            "duplicate network names",
            vec![set("/networks/1", json!({"name": "dcos"})), set("/containers/0/endpoints/0/networkNames", json!(["dcos"]))],
            "/networks/1/name",
            Semantic("/networks", "Duplicate networks are not allowed"),
        ),
        (
            "two unnamed container networks",
            vec![set("/networks", json!([{}, {"mode": "container"}]))],
            "/networks/1",
            Semantic("/networks", "Duplicate networks are not allowed"),
        ),
        (
            "host and container networks",
            vec![set("/networks/1", json!({"mode": "host"}))],
            "/networks",
            Semantic("/networks", "May specify a single host network, single bridge network, or else 1-to-n container networks"),
        ),
        (
            "two bridges",
            vec![set("/networks", json!([{"mode": "container/bridge"}, {"mode": "container/bridge"}]))],
            "/networks",
            Semantic("/networks", "May specify a single host network, single bridge network, or else 1-to-n container networks"),
        ),
        // endpoints
        ("endpoint name", vec![set("/containers/0/endpoints/0/name", json!("HTTP"))], "/containers/0/endpoints/0/name", Parse("error.pattern")),
        ("endpoint name missing", vec![del("/containers/0/endpoints/0/name")], "/containers/0/endpoints/0/name", Parse("error.path.missing")),
        ("containerPort zero", vec![set("/containers/0/endpoints/0/containerPort", json!(0))], "/containers/0/endpoints/0/containerPort", Parse("error.min")),
        ("containerPort big", vec![set("/containers/0/endpoints/0/containerPort", json!(70000))], "/containers/0/endpoints/0/containerPort", Parse("error.max")),
        ("hostPort negative", vec![set("/containers/0/endpoints/0/hostPort", json!(-1))], "/containers/0/endpoints/0/hostPort", Parse("error.min")),
        ("protocol empty", vec![set("/containers/0/endpoints/0/protocol", json!([]))], "/containers/0/endpoints/0/protocol", Parse("error.minLength")),
        ("protocol item", vec![set("/containers/0/endpoints/0/protocol", json!([6]))], "/containers/0/endpoints/0/protocol/0", Parse("error.expected.jsstring")),
        (
            "duplicate protocols",
            vec![set("/containers/0/endpoints/0/protocol", json!(["tcp", "udp", "tcp"]))],
            "/containers/0/endpoints/0/protocol/2",
            Semantic("/containers(0)/endpoints(0)/protocol", "Duplicate protocols within the same endpoint are not allowed"),
        ),
        (
            "containerPort in host mode",
            vec![set("/networks", json!([{"mode": "host"}]))],
            "/containers/0/endpoints/0/containerPort",
            Semantic("/containers(0)/endpoints(0)/containerPort", "is not allowed when using host-mode networking"),
        ),
        (
            "containerPort required",
            vec![del("/containers/0/endpoints/0/containerPort")],
            "/containers/0/endpoints/0/containerPort",
            Semantic("/containers(0)/endpoints(0)/containerPort", "is required when using container-mode networking"),
        ),
        (
            "containerPort required with unnamed network",
            vec![set("/networks", json!([{}])), del("/containers/0/endpoints/0/containerPort")],
            "/containers/0/endpoints/0/containerPort",
            Semantic("/containers(0)/endpoints(0)/containerPort", "is required when using container-mode networking"),
        ),
        (
            "unknown networkNames",
            vec![set("/containers/0/endpoints/0/networkNames", json!(["other"]))],
            "/containers/0/endpoints/0/networkNames/0",
            Semantic("/containers(0)/endpoints(0)/networkNames(0)", "is not one of (dcos)"),
        ),
        (
            "hostPort with several container networks",
            vec![set("/networks/1", json!({"name": "other"}))],
            "/containers/0/endpoints/0/networkNames",
            Semantic(
                "/containers(0)/endpoints(0)",
                "networkNames must be a single item list when hostPort is specified and more than 1 container network is defined",
            ),
        ),
        (
            "endpoint names unique",
            vec![set("/containers/1", json!({"name": "side", "resources": {}, "endpoints": [{"name": "http", "containerPort": 81}]}))],
            "/containers/1/endpoints/0/name",
            Semantic("/", "endpoint names nust be unique across all containers"),
        ),
        (
            "container ports unique",
            vec![set("/containers/1", json!({"name": "side", "resources": {}, "endpoints": [{"name": "other", "containerPort": 80}]}))],
            "/containers/1/endpoints/0/containerPort",
            Semantic("/", "container ports must be unique across all containers"),
        ),
        (
            "host ports unique",
            vec![
                set("/containers/0/endpoints/0/hostPort", json!(8080)),
                set("/containers/1", json!({"name": "side", "resources": {}, "endpoints": [{"name": "other", "containerPort": 81, "hostPort": 8080}]})),
            ],
            "/containers/1/endpoints/0/hostPort",
            Semantic("/", "host ports must be unique across all containers"),
        ),
        // health checks
        (
            "two health check kinds",
            vec![set("/containers/0/healthCheck/tcp", json!({"endpoint": "http"}))],
            "/containers/0/healthCheck",
            Semantic("/containers(0)/healthCheck", "Only one of http, tcp, or command may be specified"),
        ),
        (
            "no health check kind",
            vec![del("/containers/0/healthCheck/http")],
            "/containers/0/healthCheck",
            Semantic("/containers(0)/healthCheck", "Only one of http, tcp, or command may be specified"),
        ),
        (
            "health endpoint unknown",
            vec![set("/containers/0/healthCheck/http/endpoint", json!("admin"))],
            "/containers/0/healthCheck/http/endpoint",
            Semantic("/containers(0)/healthCheck/http/endpoint", "contained in the container endpoints"),
        ),
        ("health endpoint missing", vec![del("/containers/0/healthCheck/http/endpoint")], "/containers/0/healthCheck/http/endpoint", Parse("error.path.missing")),
        (
            "timeout not below interval",
            vec![set("/containers/0/healthCheck/timeoutSeconds", json!(30))],
            "/containers/0/healthCheck/timeoutSeconds",
            Semantic("/containers(0)/healthCheck/timeoutSeconds", "got 30, expected less than 30"),
        ),
        (
            "default timeout above interval",
            vec![del("/containers/0/healthCheck/timeoutSeconds"), set("/containers/0/healthCheck/intervalSeconds", json!(10))],
            "/containers/0/healthCheck/intervalSeconds",
            Semantic("/containers(0)/healthCheck/timeoutSeconds", "got 20, expected less than 10"),
        ),
        ("grace negative", vec![set("/containers/0/healthCheck/gracePeriodSeconds", json!(-1))], "/containers/0/healthCheck/gracePeriodSeconds", Parse("error.min")),
        ("failures fraction", vec![set("/containers/0/healthCheck/maxConsecutiveFailures", json!(2.5))], "/containers/0/healthCheck/maxConsecutiveFailures", Parse("error.expected.int")),
        ("delay negative", vec![set("/containers/0/healthCheck/delaySeconds", json!(-5))], "/containers/0/healthCheck/delaySeconds", Parse("error.min")),
        ("http path empty", vec![set("/containers/0/healthCheck/http/path", json!(""))], "/containers/0/healthCheck/http/path", Parse("error.minLength")),
        ("http path long", vec![set("/containers/0/healthCheck/http/path", json!("/".repeat(1025)))], "/containers/0/healthCheck/http/path", Parse("error.maxLength")),
        ("http scheme", vec![set("/containers/0/healthCheck/http/scheme", json!("ftp"))], "/containers/0/healthCheck/http/scheme", Parse("error.unknown.enum.literal")),
        (
            "exec health check without command",
            vec![del("/containers/0/healthCheck/http"), set("/containers/0/healthCheck/exec", json!({}))],
            "/containers/0/healthCheck/exec/command",
            Parse("error.path.missing"),
        ),
        ("check interval", vec![set("/containers/0/check", json!({"tcp": {"endpoint": "http"}, "intervalSeconds": -1}))], "/containers/0/check/intervalSeconds", Parse("error.min")),
        // exec
        ("exec command missing", vec![set("/containers/0/exec", json!({}))], "/containers/0/exec/command", Parse("error.path.missing")),
        ("exec neither", vec![set("/containers/0/exec", json!({"command": {}}))], "/containers/0/exec/command", Parse("error.path.missing")),
        ("exec shell empty", vec![set("/containers/0/exec", json!({"command": {"shell": ""}}))], "/containers/0/exec/command/shell", Parse("error.minLength")),
        ("exec argv empty", vec![set("/containers/0/exec", json!({"command": {"argv": []}}))], "/containers/0/exec/command/argv", Parse("error.minLength")),
        ("exec argv item", vec![set("/containers/0/exec", json!({"command": {"argv": ["a", 1]}}))], "/containers/0/exec/command/argv/1", Parse("error.expected.jsstring")),
        ("overrideEntrypoint type", vec![set("/containers/0/exec", json!({"command": {"shell": "x"}, "overrideEntrypoint": "no"}))], "/containers/0/exec/overrideEntrypoint", Parse("error.expected.jsboolean")),
        // image
        ("image appc", vec![set("/containers/0/image/kind", json!("APPC"))], "/containers/0/image/kind", Parse("error.unknown.enum.literal")),
        ("image kind missing", vec![del("/containers/0/image/kind")], "/containers/0/image/kind", Parse("error.path.missing")),
        ("image id empty", vec![set("/containers/0/image/id", json!(""))], "/containers/0/image/id", Parse("error.minLength")),
        ("image id missing", vec![del("/containers/0/image/id")], "/containers/0/image/id", Parse("error.path.missing")),
        ("image forcePull", vec![set("/containers/0/image/forcePull", json!("yes"))], "/containers/0/image/forcePull", Parse("error.expected.jsboolean")),
        (
            "pullConfig unknown secret",
            vec![set("/containers/0/image/pullConfig", json!({"secret": "registry"}))],
            "/containers/0/image/pullConfig/secret",
            Semantic("/containers(0)/image/pullConfig", "pullConfig.secret must refer to an existing secret"),
        ),
        ("pullConfig secret empty", vec![set("/containers/0/image/pullConfig", json!({"secret": ""}))], "/containers/0/image/pullConfig/secret", Parse("error.minLength")),
        // artifacts, lifecycle
        ("artifact uri missing", vec![set("/containers/0/artifacts", json!([{}]))], "/containers/0/artifacts/0/uri", Parse("error.path.missing")),
        ("artifact uri empty", vec![set("/containers/0/artifacts", json!([{"uri": ""}]))], "/containers/0/artifacts/0/uri", Parse("error.minLength")),
        ("artifact uri long", vec![set("/containers/0/artifacts", json!([{"uri": "u".repeat(1025)}]))], "/containers/0/artifacts/0/uri", Parse("error.maxLength")),
        ("artifact destPath", vec![set("/containers/0/artifacts", json!([{"uri": "http://x/y", "destPath": ""}]))], "/containers/0/artifacts/0/destPath", Parse("error.minLength")),
        ("artifact extract", vec![set("/containers/0/artifacts", json!([{"uri": "http://x/y", "extract": "yes"}]))], "/containers/0/artifacts/0/extract", Parse("error.expected.jsboolean")),
        ("kill grace negative", vec![set("/containers/0/lifecycle", json!({"killGracePeriodSeconds": -1}))], "/containers/0/lifecycle/killGracePeriodSeconds", Parse("error.min")),
        // volumes
        (
            "volume not mounted",
            vec![set("/volumes/1", json!({"name": "spare"}))],
            "/volumes/1",
            Semantic("/volumes(1)", "volume must be referenced by at least one container"),
        ),
        (
            "mount names undeclared volume",
            vec![set("/containers/0/volumeMounts/0/name", json!("logs"))],
            "/containers/0/volumeMounts/0/name",
            Semantic("/containers(0)/volumeMounts(0)/name", "Referenced Volume in VolumeMount should exist"),
        ),
        (
            "mount without volumes",
            vec![del("/volumes")],
            "/containers/0/volumeMounts/0/name",
            Semantic("/containers(0)/volumeMounts(0)/name", "Referenced Volume in VolumeMount should exist"),
        ),
        ("mountPath empty", vec![set("/containers/0/volumeMounts/0/mountPath", json!(""))], "/containers/0/volumeMounts/0/mountPath", Parse("error.minLength")),
        ("mountPath missing", vec![del("/containers/0/volumeMounts/0/mountPath")], "/containers/0/volumeMounts/0/mountPath", Parse("error.path.missing")),
        ("readOnly type", vec![set("/containers/0/volumeMounts/0/readOnly", json!("no"))], "/containers/0/volumeMounts/0/readOnly", Parse("error.expected.jsboolean")),
        (
            "volume names unique",
            vec![set("/volumes/1", json!({"name": "data", "host": "/tmp"}))],
            "/volumes/1/name",
            Semantic("/volumes", "volume names must be unique"),
        ),
        ("volume name pattern", vec![set("/volumes/0/name", json!("Data"))], "/volumes/0/name", Parse("error.pattern")),
        ("volume name missing", vec![del("/volumes/0/name")], "/volumes/0/name", Parse("error.path.missing")),
        (
            "secret volume unknown secret",
            vec![set("/volumes/0/secret", json!("tls"))],
            "/volumes/0/secret",
            Semantic("/volumes(0)/secret", "volume.secret must refer to an existing secret"),
        ),
        // Marathon's reading falls through to an ephemeral volume, which this name does not fit.
        (
            "persistent without size, name not fit for ephemeral",
            vec![set("/volumes/0/persistent", json!({"type": "root"})), set("/volumes/0/name", json!("Data")), set("/containers/0/volumeMounts/0/name", json!("Data"))],
            "/volumes/0/persistent/size",
            Local,
        ),
        (
            "resident pod unreachable enabled",
            vec![set("/volumes/0/persistent", json!({"size": 10})), set("/scheduling/unreachableStrategy", json!({}))],
            "/scheduling/unreachableStrategy",
            Semantic("/", "unreachableStrategy must be disabled for pods with persistent volumes"),
        ),
        (
            "resident pod over capacity",
            vec![set("/volumes/0/persistent", json!({"size": 10}))],
            "/scheduling/upgrade/maximumOverCapacity",
            Semantic("/upgrade/maximumOverCapacity", "got 0.5, expected 0.0"),
        ),
        (
            "resident pod roles",
            vec![
                set("/volumes/0/persistent", json!({"size": 10})),
                set("/scheduling/upgrade/maximumOverCapacity", json!(0)),
                set("/scheduling/placement/acceptedResourceRoles", json!(["*", "slave_public"])),
            ],
            "/scheduling/placement/acceptedResourceRoles",
            Semantic("/acceptedResourceRoles", "A resident pod must have `acceptedResourceRoles = [\"*\"]`."),
        ),
        // environment and secrets
        ("env name", vec![set("/environment/1BAD", json!("x"))], "/environment/1BAD", Parse("error.pattern")),
        ("env value type", vec![set("/environment/MODE", json!(3))], "/environment/MODE", Parse("error.expected.jsobject")),
        (
            "env undefined secret",
            vec![set("/environment/DB_PASSWORD", json!({"secret": "nope"}))],
            "/environment/DB_PASSWORD/secret",
            Semantic("/environment/DB_PASSWORD/secret", "references an undefined secret"),
        ),
        (
            "container env undefined secret",
            vec![set("/containers/0/environment", json!({"TOKEN": {"secret": "nope"}}))],
            "/containers/0/environment/TOKEN/secret",
            Semantic("/containers(0)/environment/TOKEN/secret", "references an undefined secret"),
        ),
        ("env secret missing", vec![set("/environment/DB_PASSWORD", json!({}))], "/environment/DB_PASSWORD/secret", Parse("error.path.missing")),
        ("secret source empty", vec![set("/secrets/db/source", json!(""))], "/secrets/db/source", Parse("error.minLength")),
        ("secret source missing", vec![set("/secrets/db", json!({}))], "/secrets/db/source", Parse("error.path.missing")),
        ("secret def type", vec![set("/secrets/db", json!("prod/db"))], "/secrets/db", Parse("error.expected.jsobject")),
        // A missing `secrets` is Marathon's empty map: every reference is undefined.
        (
            "env secret without secrets",
            vec![del("/secrets")],
            "/environment/DB_PASSWORD/secret",
            Semantic("/environment/DB_PASSWORD/secret", "references an undefined secret"),
        ),
        (
            "env secret with null secrets",
            vec![set("/secrets", json!(null))],
            "/environment/DB_PASSWORD/secret",
            Semantic("/environment/DB_PASSWORD/secret", "references an undefined secret"),
        ),
        (
            "container env secret without secrets",
            vec![del("/secrets"), del("/environment"), set("/containers/0/environment", json!({"TOKEN": {"secret": "db"}}))],
            "/containers/0/environment/TOKEN/secret",
            Semantic("/containers(0)/environment/TOKEN/secret", "references an undefined secret"),
        ),
        ("secret name empty", vec![set("/secrets/", json!({"source": "x"}))], "/secrets/", Semantic("/secrets", "must not be empty")),
        // scheduling
        ("health capacity", vec![set("/scheduling/upgrade/minimumHealthCapacity", json!(1.5))], "/scheduling/upgrade/minimumHealthCapacity", Parse("error.max")),
        ("over capacity", vec![set("/scheduling/upgrade/maximumOverCapacity", json!(-0.1))], "/scheduling/upgrade/maximumOverCapacity", Parse("error.min")),
        ("backoff negative", vec![set("/scheduling/backoff", json!({"backoff": -1}))], "/scheduling/backoff/backoff", Parse("error.min")),
        ("backoff factor", vec![set("/scheduling/backoff", json!({"backoffFactor": -1}))], "/scheduling/backoff/backoffFactor", Parse("error.min")),
        ("max launch delay", vec![set("/scheduling/backoff", json!({"maxLaunchDelay": "1h"}))], "/scheduling/backoff/maxLaunchDelay", Parse("error.expected.jsnumber")),
        ("kill selection", vec![set("/scheduling/killSelection", json!("RANDOM"))], "/scheduling/killSelection", Parse("error.unknown.enum.literal")),
        ("unreachable string", vec![set("/scheduling/unreachableStrategy", json!("never"))], "/scheduling/unreachableStrategy", Parse("error.expected.jsobject")),
        ("unreachable negative", vec![set("/scheduling/unreachableStrategy", json!({"inactiveAfterSeconds": -1}))], "/scheduling/unreachableStrategy/inactiveAfterSeconds", Parse("error.min")),
        (
            "accepted roles beyond the pod's role",
            vec![set("/role", json!("web")), set("/scheduling/placement/acceptedResourceRoles", json!(["*", "web", "ops"]))],
            "/scheduling/placement/acceptedResourceRoles",
            Semantic("/acceptedResourceRoles", "acceptedResourceRoles can only contain * and web"),
        ),
        (
            "accepted roles beyond role star",
            vec![set("/role", json!("*")), set("/scheduling/placement/acceptedResourceRoles", json!(["ops"]))],
            "/scheduling/placement/acceptedResourceRoles",
            Semantic("/acceptedResourceRoles", "acceptedResourceRoles can only contain *"),
        ),
        ("constraint field missing", vec![del("/scheduling/placement/constraints/0/fieldName")], "/scheduling/placement/constraints/0/fieldName", Parse("error.path.missing")),
        ("constraint operator", vec![set("/scheduling/placement/constraints/0/operator", json!("IN"))], "/scheduling/placement/constraints/0/operator", Parse("error.unknown.enum.literal")),
        (
            "constraint field empty",
            vec![set("/scheduling/placement/constraints/0/fieldName", json!(""))],
            "/scheduling/placement/constraints/0/fieldName",
            Semantic("/scheduling/placement/constraints(0)", "missing field for constraint declaration"),
        ),
        (
            "unique with value",
            vec![set("/scheduling/placement/constraints/0/value", json!("x"))],
            "/scheduling/placement/constraints/0/value",
            Semantic("/scheduling/placement/constraints(0)", "UNIQUE does not accept a value"),
        ),
        (
            "max_per without value",
            vec![set("/scheduling/placement/constraints/0/operator", json!("MAX_PER"))],
            "/scheduling/placement/constraints/0",
            Semantic("/scheduling/placement/constraints(0)", "MAX_PER requires an integer value"),
        ),
        (
            "max_per not integer",
            vec![set("/scheduling/placement/constraints/0", json!({"fieldName": "rack", "operator": "MAX_PER", "value": "two"}))],
            "/scheduling/placement/constraints/0/value",
            Semantic("/scheduling/placement/constraints(0)", "MAX_PER requires an integer value"),
        ),
        (
            "group_by not integer",
            vec![set("/scheduling/placement/constraints/0", json!({"fieldName": "rack", "operator": "GROUP_BY", "value": "x"}))],
            "/scheduling/placement/constraints/0/value",
            Semantic("/scheduling/placement/constraints(0)", "GROUP BY must define an integer value or else no value at all"),
        ),
        (
            "like without value",
            vec![set("/scheduling/placement/constraints/0", json!({"fieldName": "rack", "operator": "LIKE"}))],
            "/scheduling/placement/constraints/0",
            Semantic("/scheduling/placement/constraints(0)", "LIKE and UNLIKE require a non-empty, regular expression value"),
        ),
        (
            "unlike bad regex",
            vec![set("/scheduling/placement/constraints/0", json!({"fieldName": "rack", "operator": "unlike", "value": "rack-(1"}))],
            "/scheduling/placement/constraints/0/value",
            Semantic("/scheduling/placement/constraints(0)", "is not a valid regular expression"),
        ),
        (
            "is with a range",
            vec![set("/scheduling/placement/constraints/0", json!({"fieldName": "ports", "operator": "IS", "value": "[1-2]"}))],
            "/scheduling/placement/constraints/0/value",
            Semantic(
                "/scheduling/placement/constraints(0)",
                "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)",
            ),
        ),
        ("constraint value type", vec![set("/scheduling/placement/constraints/0/value", json!(3))], "/scheduling/placement/constraints/0/value", Parse("error.expected.jsstring")),
        (
            "role name",
            vec![set("/scheduling/placement/acceptedResourceRoles", json!(["a b"]))],
            "/scheduling/placement/acceptedResourceRoles/0",
            Semantic("/scheduling/placement/acceptedResourceRoles", "A role name must not include a space (\\x20) character."),
        ),
        // linuxInfo
        (
            "pod seccomp",
            vec![set("/linuxInfo", json!({"seccomp": {"unconfined": true}}))],
            "/linuxInfo/seccomp",
            Semantic("/linuxInfo/seccomp", "Seccomp configuration on executor level is not supported"),
        ),
        (
            "seccomp profile and unconfined",
            vec![set("/containers/0/linuxInfo", json!({"seccomp": {"profileName": "default", "unconfined": true}}))],
            "/containers/0/linuxInfo/seccomp/unconfined",
            Semantic("/containers(0)/linuxInfo/seccomp", "Seccomp unconfined can NOT be true when Profile is defined"),
        ),
        (
            "seccomp neither",
            vec![set("/containers/0/linuxInfo", json!({"seccomp": {}}))],
            "/containers/0/linuxInfo/seccomp/unconfined",
            Semantic("/containers(0)/linuxInfo/seccomp", "Seccomp unconfined must be true when Profile is NOT defined"),
        ),
        (
            "ipc share parent with size",
            vec![set("/containers/0/linuxInfo", json!({"ipcInfo": {"mode": "SHARE_PARENT", "shmSize": 64}}))],
            "/containers/0/linuxInfo/ipcInfo/shmSize",
            Semantic("/containers(0)/linuxInfo/ipcInfo", "ipcInfo shmSize can NOT be set when mode is SHARE_PARENT"),
        ),
        (
            "pod ipc share parent with size",
            vec![set("/linuxInfo", json!({"ipcInfo": {"mode": "share_parent", "shmSize": 64}}))],
            "/linuxInfo/ipcInfo/shmSize",
            Semantic("/linuxInfo/ipcInfo", "ipcInfo shmSize can NOT be set when mode is SHARE_PARENT"),
        ),
        ("ipc mode missing", vec![set("/linuxInfo", json!({"ipcInfo": {}}))], "/linuxInfo/ipcInfo/mode", Parse("error.path.missing")),
        ("ipc mode bad", vec![set("/linuxInfo", json!({"ipcInfo": {"mode": "SHARED"}}))], "/linuxInfo/ipcInfo/mode", Parse("error.unknown.enum.literal")),
    ];
    for (name, edits, pointer, want) in cases {
        let pod = with(base(), &edits);
        expect_error(name, &pod, pointer, want);
    }
}

#[test]
fn persistent_and_secret_volume_names_need_no_pattern() {
    use serde_json::json;
    for volume in [
        json!({"name": "Data_1", "persistent": {"size": 1}}),
        json!({"name": "Data_1", "secret": "db"}),
    ] {
        let pod = with(base(), &[set("/volumes/1", volume)]);
        let problems = validate(&pod);
        assert!(
            !problems.iter().any(|p| p.pointer() == "/volumes/1/name"),
            "{problems:#?}"
        );
        // Still unmounted, which is reported on the volume.
        assert!(
            problems.iter().any(|p| p.pointer() == "/volumes/1"),
            "{problems:#?}"
        );
    }
}

#[test]
fn passing_cases() {
    use serde_json::json;
    let cases: Vec<(&str, Vec<Edit>)> = vec![
        (
            "id with dots and groups",
            vec![set("/id", json!("/a.b/c-d/e1"))],
        ),
        (
            "nulls count as absent",
            vec![
                set("/labels", json!(null)),
                set("/user", json!(null)),
                set("/scaling", json!(null)),
                set("/volumes/0/host", json!(null)),
            ],
        ),
        (
            "enums ignore case",
            vec![
                set("/networks/0/mode", json!("CONTAINER")),
                set("/containers/0/image/kind", json!("docker")),
                set("/containers/0/healthCheck/http/scheme", json!("https")),
                set("/scheduling/killSelection", json!("oldest_first")),
            ],
        ),
        (
            "network without mode is container",
            vec![set("/networks/0", json!({"name": "dcos"}))],
        ),
        (
            "bridge network",
            vec![set("/networks", json!([{"mode": "container/bridge"}]))],
        ),
        (
            "host network",
            vec![
                set("/networks", json!([{"mode": "host", "labels": {}}])),
                del("/containers/0/endpoints/0/containerPort"),
            ],
        ),
        (
            "no networks, no containerPort",
            vec![
                del("/networks"),
                del("/containers/0/endpoints/0/containerPort"),
            ],
        ),
        (
            "several container networks",
            vec![
                set("/networks/1", json!({"name": "other"})),
                set("/containers/0/endpoints/0/networkNames", json!(["other"])),
            ],
        ),
        (
            "several networks, no hostPort",
            vec![
                set("/networks/1", json!({"name": "other"})),
                del("/containers/0/endpoints/0/hostPort"),
            ],
        ),
        (
            "zero host ports twice",
            vec![set(
                "/containers/1",
                json!({"name": "side", "resources": {}, "endpoints": [{"name": "b", "containerPort": 81, "hostPort": 0}]}),
            )],
        ),
        (
            "resources defaults",
            vec![
                set("/containers/0/resources", json!({})),
                set(
                    "/containers/0/resourceLimits",
                    json!({"cpus": 1, "mem": "unlimited"}),
                ),
            ],
        ),
        (
            "resources minimums",
            vec![set(
                "/containers/0/resources",
                json!({"cpus": 0.001, "mem": 0.001, "disk": 0, "gpus": 0}),
            )],
        ),
        (
            "integral floats are integers",
            vec![
                set("/scaling/instances", json!(3.0)),
                set("/containers/0/resources/gpus", json!(1.0)),
            ],
        ),
        (
            "executor minimums",
            vec![set(
                "/executorResources",
                json!({"cpus": 0.1, "mem": 32, "disk": 10}),
            )],
        ),
        ("zero instances", vec![set("/scaling/instances", json!(0))]),
        (
            "tcp health check",
            vec![set(
                "/containers/0/healthCheck",
                json!({"tcp": {"endpoint": "http"}, "intervalSeconds": 30, "timeoutSeconds": 20}),
            )],
        ),
        (
            "exec health check",
            vec![set(
                "/containers/0/healthCheck",
                json!({"exec": {"command": {"argv": ["true"]}}}),
            )],
        ),
        (
            "check",
            vec![set(
                "/containers/0/check",
                json!({"http": {"endpoint": "http"}, "intervalSeconds": 10, "timeoutSeconds": 5}),
            )],
        ),
        (
            "exec shell",
            vec![set(
                "/containers/0/exec",
                json!({"command": {"shell": "nginx -g 'daemon off;'"}, "overrideEntrypoint": true}),
            )],
        ),
        (
            "image extras",
            vec![
                set("/containers/0/image/pullConfig", json!({"secret": "db"})),
                set("/containers/0/image/forcePull", json!(true)),
                set("/containers/0/image/labels", json!({"a": "b"})),
            ],
        ),
        (
            "host and secret volumes",
            vec![set("/volumes/0/host", json!("/var/data"))],
        ),
        ("secret volume", vec![set("/volumes/0/secret", json!("db"))]),
        (
            "resident pod done right",
            vec![
                set(
                    "/volumes/0/persistent",
                    json!({"type": "mount", "size": 1024, "maxSize": 2048, "constraints": [["path", "LIKE", "/mnt/.*"]]}),
                ),
                set("/scheduling/upgrade/maximumOverCapacity", json!(0)),
                set("/scheduling/unreachableStrategy", json!("disabled")),
                set("/scheduling/placement/acceptedResourceRoles", json!(["*"])),
                set("/role", json!("prod")),
            ],
        ),
        (
            "unreachable object",
            vec![set(
                "/scheduling/unreachableStrategy",
                json!({"inactiveAfterSeconds": 60, "expungeAfterSeconds": 600}),
            )],
        ),
        (
            "unreachable disabled any case",
            vec![set("/scheduling/unreachableStrategy", json!("DISABLED"))],
        ),
        (
            "constraints",
            vec![set(
                "/scheduling/placement/constraints",
                json!([
                    {"fieldName": "hostname", "operator": "unique"},
                    {"fieldName": "rack", "operator": "MAX_PER", "value": "3"},
                    {"fieldName": "rack", "operator": "GROUP_BY"},
                    {"fieldName": "rack", "operator": "GROUP_BY", "value": "2"},
                    {"fieldName": "rack", "operator": "LIKE", "value": "rack-[0-9]+"},
                    {"fieldName": "rack", "operator": "UNLIKE", "value": "(?i)test.*"},
                    {"fieldName": "zone", "operator": "IS", "value": "us-east-1a"},
                    {"fieldName": "zone", "operator": "CLUSTER", "value": "anything at all"},
                    {"fieldName": "zone", "operator": "CLUSTER"}
                ]),
            )],
        ),
        (
            "linux info",
            vec![
                set(
                    "/linuxInfo",
                    json!({"ipcInfo": {"mode": "PRIVATE", "shmSize": 64}}),
                ),
                set(
                    "/containers/0/linuxInfo",
                    json!({"seccomp": {"profileName": "default"}, "ipcInfo": {"mode": "SHARE_PARENT"}}),
                ),
            ],
        ),
        (
            "seccomp unconfined",
            vec![set(
                "/containers/0/linuxInfo",
                json!({"seccomp": {"unconfined": true}}),
            )],
        ),
        (
            "legacy cgroups without limits",
            vec![set("/legacySharedCgroups", json!(true))],
        ),
        (
            "env names",
            vec![
                set("/environment/_lower_ok1", json!("x")),
                set(
                    "/containers/0/environment",
                    json!({"A": "1", "S": {"secret": "db"}}),
                ),
            ],
        ),
        (
            "artifacts",
            vec![set(
                "/containers/0/artifacts",
                json!([{"uri": "https://x/y.tgz", "extract": true, "executable": false, "cache": false, "destPath": "y"}]),
            )],
        ),
        (
            "lifecycle",
            vec![set(
                "/containers/0/lifecycle",
                json!({"killGracePeriodSeconds": 0}),
            )],
        ),
        (
            "tty and user",
            vec![
                set("/containers/0/tty", json!(true)),
                set("/containers/0/user", json!("nobody")),
                set("/user", json!("root")),
            ],
        ),
        (
            "version is carried",
            vec![set("/version", json!("2024-01-01T00:00:00.000Z"))],
        ),
        (
            "non-ascii labels",
            vec![set("/labels/équipe", json!("web ✓"))],
        ),
    ];
    for (name, edits) in cases {
        expect_valid(name, &with(base(), &edits));
    }
}

#[test]
fn unknown_fields_are_warnings_with_suggestions() {
    use serde_json::json;
    let pod = with(
        base(),
        &[
            set("/contaners", json!([])),
            set("/containers/0/healthcheck", json!({})),
            set("/containers/0/endpoints/0/hostport", json!(80)),
            set("/scaling/maxInstances", json!(5)),
            set("/scheduling/backoff", json!({"maxLaunchDelaySeconds": 300})),
            set("/environment/DB_PASSWORD/secert", json!("x")),
            set("/containers/0/image/pullconfig", json!({})),
        ],
    );
    let problems = validate(&pod);
    let warning = |pointer: &str| {
        problems
            .iter()
            .find(|p| p.pointer() == pointer)
            .unwrap_or_else(|| panic!("no warning at {pointer}: {problems:#?}"))
    };
    for (pointer, message) in [
        ("/contaners", "unknown field; did you mean containers?"),
        (
            "/containers/0/healthcheck",
            "unknown field; did you mean healthCheck?",
        ),
        (
            "/containers/0/endpoints/0/hostport",
            "unknown field; did you mean hostPort?",
        ),
        (
            "/scaling/maxInstances",
            "unknown field (Marathon ignores it)",
        ),
        (
            "/scheduling/backoff/maxLaunchDelaySeconds",
            "unknown field (Marathon ignores it)",
        ),
        (
            "/environment/DB_PASSWORD/secert",
            "unknown field; did you mean secret?",
        ),
        (
            "/containers/0/image/pullconfig",
            "unknown field; did you mean pullConfig?",
        ),
    ] {
        let p = warning(pointer);
        assert_eq!(p.message, message, "{pointer}");
        assert_eq!(p.severity, Severity::Warning, "{pointer}");
        assert_eq!(p.server, ServerForm::None, "{pointer}");
    }
    // Warnings are not errors: the pod can still be sent.
    assert!(check(&pod).is_empty(), "{:#?}", check(&pod));
    // User maps are not field lists.
    let maps = with(
        base(),
        &[
            set("/labels/anything", json!("x")),
            set("/secrets/other", json!({"source": "y"})),
        ],
    );
    assert!(findings(&maps).is_empty(), "{:#?}", validate(&maps));
}

/// The one problem at `pointer` of `pod`, which must be its only one apart from the cluster's.
fn only_problem(name: &str, pod: &Value, pointer: &str) -> Problem {
    let problems = findings(pod);
    match problems.as_slice() {
        [p] if p.pointer() == pointer => p.clone(),
        _ => panic!("{name}: want one problem at {pointer}, got {problems:#?}"),
    }
}

/// Marathon 1.10 accepts these: warnings (no server form, so the simulator takes them), each
/// saying what Marathon does.
#[test]
fn marathon_accepts_these_with_a_warning() {
    use serde_json::json;
    let cases: Vec<(&str, Vec<Edit>, &str, &str)> = vec![
        (
            "id empty segment",
            vec![set("/id", json!("/prod//web"))],
            "/id",
            "stores the pod as \"/prod/web\"",
        ),
        (
            "container user empty",
            vec![set("/containers/0/user", json!(""))],
            "/containers/0/user",
            "gives Mesos an empty user name",
        ),
        (
            "check with an unknown endpoint",
            vec![set(
                "/containers/0/check",
                json!({"tcp": {"endpoint": "nope"}}),
            )],
            "/containers/0/check",
            "never stores or runs it",
        ),
        (
            "check with two kinds",
            vec![set(
                "/containers/0/check",
                json!({"tcp": {"endpoint": "http"}, "http": {"endpoint": "http"}}),
            )],
            "/containers/0/check",
            "never stores or runs it",
        ),
        (
            "check timeout over interval",
            vec![set(
                "/containers/0/check",
                json!({"tcp": {"endpoint": "http"}, "intervalSeconds": 5, "timeoutSeconds": 10}),
            )],
            "/containers/0/check",
            "use healthCheck",
        ),
        (
            "check empty",
            vec![set("/containers/0/check", json!({}))],
            "/containers/0/check",
            "is ignored",
        ),
        (
            "host volume empty",
            vec![set("/volumes/0/host", json!(""))],
            "/volumes/0/host",
            "empty host path",
        ),
        (
            "exec shell and argv",
            vec![set(
                "/containers/0/exec",
                json!({"command": {"shell": "x", "argv": ["y"]}}),
            )],
            "/containers/0/exec/command",
            "runs the shell command and drops argv",
        ),
        (
            "unreachable inactive after expunge",
            vec![set(
                "/scheduling/unreachableStrategy",
                json!({"inactiveAfterSeconds": 600, "expungeAfterSeconds": 60}),
            )],
            "/scheduling/unreachableStrategy/inactiveAfterSeconds",
            "expunged after 60 seconds",
        ),
        (
            "containerPort without networks",
            vec![del("/networks")],
            "/containers/0/endpoints/0/containerPort",
            "host networking",
        ),
        // Marathon's reading falls through to an ephemeral volume.
        (
            "host volume type",
            vec![set("/volumes/0/host", json!(5))],
            "/volumes/0/host",
            "makes it an ephemeral one",
        ),
        (
            "secret volume empty",
            vec![set("/volumes/0/secret", json!(""))],
            "/volumes/0/secret",
            "makes it an ephemeral one",
        ),
        (
            "persistent without size",
            vec![set("/volumes/0/persistent", json!({"type": "root"}))],
            "/volumes/0/persistent/size",
            "makes it an ephemeral one",
        ),
        (
            "persistent bad type",
            vec![set(
                "/volumes/0/persistent",
                json!({"type": "disk", "size": 10}),
            )],
            "/volumes/0/persistent/type",
            "makes it an ephemeral one",
        ),
        // ... so the rules for resident pods do not apply.
        (
            "persistent malformed, pod not resident",
            vec![
                set("/volumes/0/persistent", json!({"size": "big"})),
                set("/scheduling/upgrade/maximumOverCapacity", json!(0.5)),
            ],
            "/volumes/0/persistent/size",
            "makes it an ephemeral one",
        ),
    ];
    for (name, edits, pointer, says) in cases {
        let pod = with(base(), &edits);
        let p = only_problem(name, &pod, pointer);
        assert_eq!(p.severity, Severity::Warning, "{name}: {p:#?}");
        assert_eq!(p.server, ServerForm::None, "{name}");
        assert!(p.message.contains(says), "{name}: {}", p.message);
        assert!(
            p.message.contains("Marathon"),
            "{name}: says what Marathon does: {}",
            p.message
        );
        // `--strict` makes it an error.
        assert!(p.strict().is_error(), "{name}");
    }
    // A check's types and bounds are still Marathon's parse-time errors.
    let bad = with(
        base(),
        &[set(
            "/containers/0/check",
            json!({"tcp": {"endpoint": "http"}, "intervalSeconds": -1}),
        )],
    );
    expect_error(
        "check interval",
        &bad,
        "/containers/0/check/intervalSeconds",
        Want::Parse("error.min"),
    );
}

/// Where the verdict depends on the cluster: a warning that says so, never an error, even
/// under `--strict`.
#[test]
fn cluster_dependent_rules_are_warnings_that_say_so() {
    use serde_json::json;
    let plain = with(base(), &[del("/secrets"), del("/environment")]);
    assert_eq!(validate(&plain), [], "nothing relies on the cluster");
    let cases: Vec<(&str, Vec<Edit>, &str, &str)> = vec![
        ("secrets", vec![], "/secrets", "`secrets` feature"),
        (
            "unnamed container network",
            vec![set("/networks/0", json!({"mode": "container"}))],
            "/networks/0",
            "--default_network_name",
        ),
        (
            "network without mode or name",
            vec![set("/networks/0", json!({}))],
            "/networks/0",
            "default network",
        ),
        (
            "exec health check",
            vec![set(
                "/containers/0/healthCheck",
                json!({"exec": {"command": {"shell": "true"}}}),
            )],
            "/containers/0/healthCheck/exec",
            "Mesos master is 1.3 or later",
        ),
        (
            "role",
            vec![set("/role", json!("web"))],
            "/role",
            "--mesos_role",
        ),
        (
            "accepted roles without a role",
            vec![set(
                "/scheduling/placement/acceptedResourceRoles",
                json!(["*", "web"]),
            )],
            "/scheduling/placement/acceptedResourceRoles",
            "default role",
        ),
    ];
    for (name, edits, pointer, says) in cases {
        let base = if name == "secrets" {
            base()
        } else {
            plain.clone()
        };
        let pod = with(base, &edits);
        let problems = validate(&pod);
        let found: Vec<_> = problems.iter().filter(|p| p.pointer() == pointer).collect();
        let [p] = found.as_slice() else {
            panic!("{name}: want one problem at {pointer}, got {problems:#?}");
        };
        assert_eq!(p.severity, Severity::Cluster, "{name}: {p:#?}");
        assert_eq!(p.server, ServerForm::None, "{name}");
        assert!(
            p.message.starts_with("depends on the cluster: "),
            "{name}: {}",
            p.message
        );
        assert!(p.message.contains(says), "{name}: {}", p.message);
        assert!(
            !(*p).clone().strict().is_error(),
            "{name}: --strict keeps it a warning"
        );
        assert!(check(&pod).is_empty(), "{name}: {:#?}", check(&pod));
    }
    // Nothing to say for what needs nothing from the cluster.
    for (name, edits) in [
        (
            "accepted roles only *",
            vec![set(
                "/scheduling/placement/acceptedResourceRoles",
                json!(["*"]),
            )],
        ),
        (
            "accepted roles within the role",
            vec![
                set("/role", json!("web")),
                set(
                    "/scheduling/placement/acceptedResourceRoles",
                    json!(["web", "*"]),
                ),
            ],
        ),
        ("empty secrets", vec![set("/secrets", json!({}))]),
        (
            "command check",
            vec![set(
                "/containers/0/check",
                json!({"exec": {"command": {"shell": "true"}}}),
            )],
        ),
    ] {
        let pod = with(plain.clone(), &edits);
        let cluster: Vec<_> = validate(&pod)
            .into_iter()
            .filter(|p| p.severity == Severity::Cluster && !p.pointer().starts_with("/role"))
            .collect();
        assert_eq!(cluster, [], "{name}");
    }
}

#[test]
fn marathons_own_example_only_warns() {
    // `scaling.maxInstances` appears in Marathon's docs; it is ignored, not an error.
    let pod = with(
        base(),
        &[set("/scaling/maxInstances", serde_json::json!(10))],
    );
    let problems = findings(&pod);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(!problems[0].is_error());
}

#[test]
fn problems_come_in_document_order() {
    use serde_json::json;
    let pod = json!({
        "containers": [
            {"resources": {"cpus": -1}, "name": "B"},
            {"name": "ok", "resources": {}, "zzz": 1}
        ],
        "id": "web",
        "scaling": {"kind": "x"}
    });
    let pointers: Vec<String> = validate(&pod).iter().map(Problem::pointer).collect();
    assert_eq!(
        pointers,
        [
            "/containers/0/resources/cpus",
            "/containers/0/name",
            "/containers/1/zzz",
            "/id",
            "/scaling/kind",
        ]
    );
}

#[test]
fn all_problems_are_reported_together() {
    use serde_json::json;
    let pod = with(
        base(),
        &[
            set("/id", json!("web")),
            set("/containers/0/resources/cpus", json!(0)),
            set("/containers/0/healthCheck/http/endpoint", json!("nope")),
            set("/scaling/instances", json!(-2)),
        ],
    );
    assert_eq!(check(&pod).len(), 4, "{:#?}", check(&pod));
}

#[test]
fn paths_render_as_pointer_and_marathon_style() {
    let p = Problem::error(
        vec![
            Segment::Key("containers".into()),
            Segment::Index(1),
            Segment::Key("resources".into()),
            Segment::Key("cpus".into()),
        ],
        "must be at least 0.001 (got -1)",
    );
    assert_eq!(p.pointer(), "/containers/1/resources/cpus");
    assert_eq!(p.marathon_path(), "/containers(1)/resources/cpus");
    let root = Problem::error(Vec::new(), "bad");
    assert_eq!(root.pointer(), "");
    assert_eq!(root.marathon_path(), "/");
    let odd = Problem::error(vec![Segment::Key("a/b~c".into())], "x");
    assert_eq!(odd.pointer(), "/a~1b~0c");
    assert_eq!(Problem::new("/a~1b~0c", "x").path, odd.path);
    assert_eq!(
        Problem::new("/id", "x").path,
        vec![Segment::Key("id".into())]
    );
    assert_eq!(
        Problem::new("/containers/0", "x").path[1],
        Segment::Index(0)
    );
    assert!(Problem::new("", "x").path.is_empty());
}

#[test]
fn display_is_one_line_per_problem() {
    let invalid = Invalid {
        source: "web.json".into(),
        problems: vec![Problem::new("/id", "is required"), Problem::new("", "bad")],
    };
    assert_eq!(
        invalid.to_string(),
        "web.json: /id: is required\nweb.json: bad"
    );
}

#[test]
fn the_root_must_be_an_object() {
    for value in [
        serde_json::json!([1]),
        Value::Null,
        serde_json::json!("pod"),
        serde_json::json!(3),
    ] {
        let problems = check(&value);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pointer(), "");
        assert_eq!(
            problems[0].server,
            ServerForm::Parse("error.expected.jsobject")
        );
    }
}

#[test]
fn numbers_are_shown_as_marathon_does() {
    use serde_json::json;
    let pod = with(
        base(),
        &[
            set("/containers/0/resources/cpus", json!(2)),
            set("/containers/0/resourceLimits", json!({"cpus": 1})),
        ],
    );
    let problems = check(&pod);
    assert_eq!(
        problems[0].server,
        ServerForm::Semantic {
            path: "/containers(0)/resourceLimits/cpus".into(),
            text: "resource limit must be greater than or equal to requested resource (2.0)".into()
        }
    );
    assert_eq!(
        problems[0].message,
        "must be at least the requested resources.cpus (2) (got 1)"
    );
}

// ---- robustness ---------------------------------------------------------------------------------

/// `depth` arrays nested in each other.
fn deep(depth: usize) -> Value {
    let mut v = Value::Null;
    for _ in 0..depth {
        v = Value::Array(vec![v]);
    }
    v
}

/// Sets `pointer` to `v` without cloning `v` (cloning a deep value recurses).
fn put(pod: &mut Value, pointer: &str, v: Value) {
    let (parent, last) = pointer.rsplit_once('/').expect("pointer has a parent");
    match pod.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(last.to_string(), v);
        }
        Some(Value::Array(items)) => {
            let i: usize = last.parse().expect("index");
            if i < items.len() {
                items[i] = v;
            } else {
                items.push(v);
            }
        }
        _ => panic!("cannot put {pointer}"),
    }
}

/// Drops a deep value without recursing.
fn dismantle(mut v: Value) {
    let mut stack = vec![];
    loop {
        match &mut v {
            Value::Array(items) => stack.append(items),
            Value::Object(map) => stack.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
            _ => {}
        }
        match stack.pop() {
            Some(next) => v = next,
            None => break,
        }
    }
}

#[test]
fn deep_nesting_anywhere_is_fine() {
    let mut problem_counts = Vec::new();
    for pointer in [
        "/labels/deep",
        "/unknown",
        "/containers/0/name",
        "/containers/1",
        "/environment/DEEP",
        "/containers/0/endpoints/0/protocol",
        "/scheduling/placement/constraints/1",
        "/volumes/0/persistent",
    ] {
        let mut pod = base();
        put(&mut pod, pointer, deep(10_000));
        let problems = validate(&pod);
        assert!(!problems.is_empty(), "{pointer}");
        assert!(problems.iter().all(|p| p.message.len() < 300), "{pointer}");
        problem_counts.push(problems.len());
        dismantle(pod);
    }
    assert_eq!(problem_counts.len(), 8);
}

#[test]
fn huge_arrays_report_every_problem() {
    use serde_json::json;
    let n = 20_000;
    let containers: Vec<Value> = (0..n)
        .map(|i| {
            json!({"name": "same", "resources": {},
                   "endpoints": [{"name": "http", "hostPort": 8080, "containerPort": 80 + i % 2}]})
        })
        .collect();
    let pod = json!({"id": "/big", "containers": containers, "networks": [{"name": "dcos"}],
                     "labels": (0..n).map(|i| (format!("k{i}"), json!(i))).collect::<serde_json::Map<_, _>>()});
    // How long this takes is measured in benches/, not asserted here.
    let problems = validate(&pod);
    // Per container after the first: duplicate name, endpoint name, host port; per label: a type error.
    assert!(problems.len() >= 4 * (n - 1), "{}", problems.len());
}

#[test]
fn giant_and_odd_numbers() {
    use serde_json::json;
    for number in [
        json!(1e308),
        json!(-1e308),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(0.5),
        json!(-0.0),
    ] {
        let pod = with(
            base(),
            &[
                set("/scaling/instances", number.clone()),
                set("/containers/0/resources/cpus", number.clone()),
                set("/containers/0/resources/gpus", number.clone()),
                set("/containers/0/endpoints/0/containerPort", number.clone()),
                set("/containers/0/healthCheck/intervalSeconds", number.clone()),
                set("/scheduling/upgrade/minimumHealthCapacity", number.clone()),
                set(
                    "/scheduling/unreachableStrategy",
                    json!({"inactiveAfterSeconds": number.clone()}),
                ),
                set(
                    "/containers/0/resourceLimits",
                    json!({"cpus": number.clone(), "mem": number.clone()}),
                ),
                set("/volumes/0/persistent", json!({"size": number.clone()})),
            ],
        );
        let problems = validate(&pod);
        assert!(!problems.is_empty(), "{number}");
    }
    let huge = with(
        base(),
        &[set("/containers/0/resources/gpus", json!(u64::MAX))],
    );
    assert_eq!(
        check(&huge)[0].server,
        ServerForm::Parse("error.expected.int")
    );
}

#[test]
fn non_ascii_everywhere() {
    use serde_json::json;
    let long = "é".repeat(5000);
    let pod = with(
        base(),
        &[
            set("/id", json!("/wéb")),
            set("/containers/0/name", json!(long.clone())),
            set("/volumes/0/name", json!("数据")),
            set("/environment/ÉNV", json!("x")),
            set(&format!("/{}", long), json!(1)),
            set(
                "/scheduling/placement/constraints/0",
                json!({"fieldName": "ü", "operator": "LIKE", "value": "(ü"}),
            ),
        ],
    );
    let problems = validate(&pod);
    assert!(problems.len() >= 6, "{problems:#?}");
    assert!(problems.iter().all(|p| p.message.len() < 400));
}

/// Every field of every example replaced by values of every type: never a panic.
#[test]
fn any_value_anywhere_never_panics() {
    use serde_json::json;
    let replacements = [
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!([{}]),
        json!({"": null}),
    ];
    let mut examples = vec![base()];
    for (_, text) in self::examples() {
        examples.extend(serde_json::from_str::<Value>(&text).ok());
    }
    let mut runs = 0;
    for example in &examples {
        let mut pointers = Vec::new();
        collect_pointers(example, String::new(), &mut pointers);
        for pointer in &pointers {
            for replacement in &replacements {
                let mut pod = example.clone();
                if let Some(slot) = pod.pointer_mut(pointer) {
                    *slot = replacement.clone();
                }
                let _ = validate(&pod);
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "{runs}");
}

fn collect_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                collect_pointers(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    if !at.is_empty() {
        out.push(at);
    }
}

/// Any JSON at all, nested a few levels, with keys drawn from real field names so the rules
/// (not only the type checks) get exercised.
fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let keys = prop::sample::select(vec![
        "id",
        "containers",
        "name",
        "resources",
        "cpus",
        "mem",
        "disk",
        "gpus",
        "endpoints",
        "containerPort",
        "hostPort",
        "protocol",
        "healthCheck",
        "http",
        "tcp",
        "exec",
        "endpoint",
        "volumes",
        "volumeMounts",
        "mountPath",
        "networks",
        "mode",
        "scaling",
        "kind",
        "instances",
        "scheduling",
        "placement",
        "constraints",
        "environment",
        "secrets",
        "secret",
        "labels",
        "image",
        "persistent",
        "unreachableStrategy",
        "upgrade",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9_/.:*-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                )
            }),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// The validator is total: any JSON gets an answer, never a panic.
    #[test]
    fn arbitrary_json_never_panics(v in any_json()) {
        let problems = validate(&v);
        // Every pointer it reports can be rendered both ways.
        for p in &problems {
            let _ = (p.pointer(), p.marathon_path());
        }
        if !v.is_object() {
            proptest::prop_assert!(problems.iter().any(Problem::is_error));
        }
    }

    /// Grafting arbitrary JSON into a valid pod never panics either.
    #[test]
    fn arbitrary_json_inside_a_valid_pod_never_panics(
        v in any_json(),
        at in proptest::sample::select(vec!["/containers/0", "/containers/0/resources", "/scheduling", "/networks", "/volumes", "/containers/0/healthCheck"]),
    ) {
        let mut pod = base();
        put(&mut pod, at, v);
        let _ = validate(&pod);
    }
}

#[test]
fn integers_too_big_are_out_of_range_and_fractions_are_not_whole() {
    let mut pod = base();
    pod["scaling"] = serde_json::json!({"kind": "fixed", "instances": 3_000_000_000u64});
    let problems = check(&pod);
    assert_eq!(problems[0].pointer(), "/scaling/instances");
    assert!(
        problems[0]
            .message
            .starts_with("out of range: must fit a signed 32-bit integer"),
        "{}",
        problems[0].message
    );
    pod["scaling"]["instances"] = serde_json::json!(1.5);
    let problems = check(&pod);
    assert!(
        problems[0].message.starts_with("must be a whole number"),
        "{}",
        problems[0].message
    );
    pod["scaling"]["instances"] = serde_json::json!(2.0);
    assert!(check(&pod).is_empty(), "2.0 is a whole number");
}
