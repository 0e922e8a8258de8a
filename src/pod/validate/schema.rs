//! The pod schema: one table of every field Marathon 1.10 reads in a pod definition, with its
//! JSON type, whether it is required, its RAML bounds and the key Marathon's parser reports it
//! with (`error.expected.jsstring`, ...). The rules in `rules/` read their fields through this
//! table, so the type checks and the unknown-field warnings come from the same rows.
//!
//! The table is a tree: one list of rows per kind of object (`Shape`), and an object or array
//! row names the shape of its value, so every row has a JSON path pattern such as
//! `/containers/*/resources/cpus` (the tests list them all, and tie them to the serde types of
//! `pod::definition`). Marathon silently drops fields it does not
//! know (a typo such as `healthcheck` deploys a pod without its health check), which is why
//! podctl warns about them, with a did-you-mean suggestion. Maps whose keys are the user's
//! (labels, environment, secrets) have no field list. Sources: the RAML types under
//! `docs/docs/rest-api/public/api/v2/types/` and `PodsValidation.scala`.

/// The kinds of JSON objects in a pod definition that have a fixed set of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Pod,
    Container,
    Resources,
    ExecutorResources,
    ResourceLimits,
    Exec,
    Command,
    Image,
    PullConfig,
    Endpoint,
    HealthCheck,
    Check,
    HttpCheck,
    TcpCheck,
    CommandCheck,
    VolumeMount,
    Artifact,
    Lifecycle,
    LinuxInfo,
    Seccomp,
    IpcInfo,
    Volume,
    Persistent,
    Network,
    Scaling,
    Scheduling,
    Backoff,
    Upgrade,
    Placement,
    Constraint,
    Unreachable,
    SecretDef,
    EnvSecret,
}

/// The JSON type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    Num,
    /// 32-bit integer.
    Int,
    /// 64-bit integer.
    Long,
    Bool,
    /// An object with the fields of a shape.
    Obj(Shape),
    /// An array of values of a kind.
    Arr(&'static Kind),
    /// An object whose keys are the user's (labels, environment, secrets), values of a kind.
    Map(&'static Kind),
    /// A string from a closed set, matched case-insensitively as Marathon does.
    Enum(&'static [&'static str]),
    /// A value of either kind; its rule tells them apart (`unreachableStrategy`, resource limits,
    /// environment values).
    Either(&'static Kind, &'static Kind),
}

impl Kind {
    /// The key Marathon's parser reports a value of the wrong JSON type with.
    pub(super) const fn key(self) -> &'static str {
        match self {
            Kind::Str => "error.expected.jsstring",
            Kind::Num | Kind::Int | Kind::Long => "error.expected.jsnumber",
            Kind::Bool => "error.expected.jsboolean",
            Kind::Obj(_) | Kind::Map(_) | Kind::Either(..) => "error.expected.jsobject",
            Kind::Arr(_) => "error.expected.jsarray",
            Kind::Enum(_) => "error.unknown.enum.literal",
        }
    }

    /// The kind in podctl's messages: "expected a string, got a number".
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Str | Kind::Enum(_) => "a string",
            Kind::Num => "a number",
            Kind::Int | Kind::Long => "an integer",
            Kind::Bool => "true or false",
            Kind::Obj(_) | Kind::Map(_) => "an object",
            Kind::Arr(_) => "an array",
            Kind::Either(..) => "one of two types",
        }
    }

    /// Whether `v` has this kind's JSON type (integers: any number; their range is checked apart).
    pub(super) fn accepts(self, v: &serde_json::Value) -> bool {
        match self {
            Kind::Str | Kind::Enum(_) => v.is_string(),
            Kind::Num | Kind::Int | Kind::Long => v.is_number(),
            Kind::Bool => v.is_boolean(),
            Kind::Obj(_) | Kind::Map(_) => v.is_object(),
            Kind::Arr(_) => v.is_array(),
            Kind::Either(a, b) => a.accepts(v) || b.accepts(v),
        }
    }
}

/// The RAML facets of a field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Bounds {
    None,
    /// String length in UTF-16 units (as Java counts), inclusive.
    Len(usize, usize),
    /// `minimum` and `maximum` of a number, inclusive.
    Range(Option<f64>, Option<f64>),
    /// The least number of array items.
    Items(usize),
}

/// A string pattern a field must match, checked after its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pattern {
    /// `strings.Name`: container, endpoint, volume and mount names.
    Name,
    /// A network name (`_` allowed).
    NetworkName,
    /// RAML `datetime`, read by Play's `OffsetDateTime` reader (`ISO_OFFSET_DATE_TIME`):
    /// `2024-01-01T12:00:00.000Z`, `2024-01-01T12:00+02:00`.
    DateTime,
}

/// One row of the table: a field of an object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    pub(super) required: bool,
    pub(super) bounds: Bounds,
    pub(super) pattern: Option<Pattern>,
    /// The key Marathon's parser reports a value of the wrong type with.
    pub(super) key: &'static str,
}

const UNBOUNDED: usize = usize::MAX;

impl Field {
    const fn new(name: &'static str, kind: Kind) -> Field {
        Field {
            name,
            kind,
            required: false,
            bounds: Bounds::None,
            pattern: None,
            key: kind.key(),
        }
    }
    const fn required(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }
    const fn len(self, min: usize, max: usize) -> Field {
        Field {
            bounds: Bounds::Len(min, max),
            ..self
        }
    }
    const fn min(self, min: f64) -> Field {
        Field {
            bounds: Bounds::Range(Some(min), None),
            ..self
        }
    }
    const fn range(self, min: f64, max: f64) -> Field {
        Field {
            bounds: Bounds::Range(Some(min), Some(max)),
            ..self
        }
    }
    const fn items(self, min: usize) -> Field {
        Field {
            bounds: Bounds::Items(min),
            ..self
        }
    }
    const fn pattern(self, pattern: Pattern) -> Field {
        Field {
            pattern: Some(pattern),
            ..self
        }
    }
    const fn key(self, key: &'static str) -> Field {
        Field { key, ..self }
    }
}

const fn str(name: &'static str) -> Field {
    Field::new(name, Kind::Str)
}
const fn num(name: &'static str) -> Field {
    Field::new(name, Kind::Num)
}
const fn int(name: &'static str) -> Field {
    Field::new(name, Kind::Int)
}
const fn long(name: &'static str) -> Field {
    Field::new(name, Kind::Long)
}
const fn boolean(name: &'static str) -> Field {
    Field::new(name, Kind::Bool)
}
const fn obj(name: &'static str, shape: Shape) -> Field {
    Field::new(name, Kind::Obj(shape))
}
const fn arr(name: &'static str, item: &'static Kind) -> Field {
    Field::new(name, Kind::Arr(item))
}
const fn one_of(name: &'static str, values: &'static [&'static str]) -> Field {
    Field::new(name, Kind::Enum(values))
}
/// `strings.Name`: 1 to 63 characters, lowercase letters, digits and `-`.
const fn name(name: &'static str) -> Field {
    str(name).required().len(1, 63).pattern(Pattern::Name)
}
/// `label.KVLabels`: a map of strings.
const fn labels(name: &'static str) -> Field {
    Field::new(name, Kind::Map(&Kind::Str))
}
/// Environment variables: name -> a string or `{"secret": NAME}`.
const ENVIRONMENT: Field = Field::new(
    "environment",
    Kind::Map(&Kind::Either(&Kind::Str, &Kind::Obj(Shape::EnvSecret))),
)
.key("error.expected.jsobject");
/// A Mesos command: `exec.command` of a container and of a command check.
const EXEC_COMMAND: Field = obj("command", Shape::Command).required();

const POD: &[Field] = &[
    str("id").required().len(1, UNBOUNDED),
    labels("labels"),
    // Play's date reader says `error.expected.date` for anything but a string.
    str("version")
        .pattern(Pattern::DateTime)
        .key("error.expected.date"),
    // Marathon refuses an empty user with a semantic rule, not at parse time.
    str("user"),
    ENVIRONMENT,
    arr("containers", &Kind::Obj(Shape::Container))
        .required()
        .items(1),
    Field::new("secrets", Kind::Map(&Kind::Obj(Shape::SecretDef))),
    arr("volumes", &Kind::Obj(Shape::Volume)),
    arr("networks", &Kind::Obj(Shape::Network)),
    obj("scaling", Shape::Scaling),
    obj("scheduling", Shape::Scheduling),
    obj("executorResources", Shape::ExecutorResources),
    str("role").len(1, UNBOUNDED),
    obj("linuxInfo", Shape::LinuxInfo),
    boolean("legacySharedCgroups"),
];

const CONTAINER: &[Field] = &[
    name("name"),
    obj("exec", Shape::Exec),
    obj("resources", Shape::Resources).required(),
    obj("resourceLimits", Shape::ResourceLimits),
    arr("endpoints", &Kind::Obj(Shape::Endpoint)),
    obj("linuxInfo", Shape::LinuxInfo),
    obj("image", Shape::Image),
    ENVIRONMENT,
    str("user"),
    obj("healthCheck", Shape::HealthCheck),
    obj("check", Shape::Check),
    arr("volumeMounts", &Kind::Obj(Shape::VolumeMount)),
    arr("artifacts", &Kind::Obj(Shape::Artifact)),
    labels("labels"),
    obj("lifecycle", Shape::Lifecycle),
    boolean("tty"),
];

/// A resource limit: a number or `"unlimited"`.
const fn limit(name: &'static str) -> Field {
    Field::new(name, Kind::Either(&Kind::Num, &Kind::Str)).key("error.expected.jsnumber")
}

const RESOURCES: &[Field] = &[
    num("cpus").min(0.001),
    num("mem").min(0.001),
    num("disk").min(0.0),
    int("gpus").min(0.0),
];

const EXECUTOR_RESOURCES: &[Field] = &[
    num("cpus").min(0.1),
    num("mem").min(32.0),
    num("disk").min(10.0),
];

const RESOURCE_LIMITS: &[Field] = &[limit("cpus"), limit("mem")];

const EXEC: &[Field] = &[EXEC_COMMAND, boolean("overrideEntrypoint")];

const COMMAND: &[Field] = &[
    str("shell").len(1, UNBOUNDED),
    arr("argv", &Kind::Str).items(1),
];

const IMAGE: &[Field] = &[
    one_of("kind", &["DOCKER"]).required(),
    str("id").required().len(1, 1024),
    obj("pullConfig", Shape::PullConfig),
    boolean("forcePull"),
    labels("labels"),
];

const PULL_CONFIG: &[Field] = &[str("secret").required().len(1, UNBOUNDED)];

const ENDPOINT: &[Field] = &[
    name("name"),
    int("containerPort").range(1.0, 65535.0),
    int("hostPort").range(0.0, 65535.0),
    arr("protocol", &Kind::Str).items(1),
    labels("labels"),
    arr("networkNames", &Kind::Str),
];

const HEALTH_CHECK: &[Field] = &[
    obj("http", Shape::HttpCheck),
    obj("tcp", Shape::TcpCheck),
    obj("exec", Shape::CommandCheck),
    int("gracePeriodSeconds").min(0.0),
    int("intervalSeconds").min(0.0),
    int("maxConsecutiveFailures").min(0.0),
    int("timeoutSeconds").min(0.0),
    int("delaySeconds").min(0.0),
];

const CHECK: &[Field] = &[
    obj("http", Shape::HttpCheck),
    obj("tcp", Shape::TcpCheck),
    obj("exec", Shape::CommandCheck),
    int("intervalSeconds").min(0.0),
    int("timeoutSeconds").min(0.0),
    int("delaySeconds").min(0.0),
];

const HTTP_CHECK: &[Field] = &[
    name("endpoint"),
    str("path").len(1, 1024),
    one_of("scheme", &["HTTP", "HTTPS"]),
];

const TCP_CHECK: &[Field] = &[name("endpoint")];

const COMMAND_CHECK: &[Field] = &[EXEC_COMMAND];

const VOLUME_MOUNT: &[Field] = &[
    name("name"),
    str("mountPath").required().len(1, 1024),
    boolean("readOnly"),
];

const ARTIFACT: &[Field] = &[
    str("uri").required().len(1, 1024),
    boolean("extract"),
    boolean("executable"),
    boolean("cache"),
    str("destPath").len(1, 1024),
];

const LIFECYCLE: &[Field] = &[num("killGracePeriodSeconds").min(0.0)];

const LINUX_INFO: &[Field] = &[
    obj("seccomp", Shape::Seccomp),
    obj("ipcInfo", Shape::IpcInfo),
];

const SECCOMP: &[Field] = &[str("profileName"), boolean("unconfined")];

const IPC_INFO: &[Field] = &[
    one_of("mode", &["PRIVATE", "SHARE_PARENT"]).required(),
    int("shmSize"),
];

/// One row for the four volume kinds (ephemeral, host, secret, persistent). Marathon
/// reads the first kind that parses, so `host` and `secret` are checked by their rule.
const VOLUME: &[Field] = &[
    name("name"),
    str("host"),
    str("secret"),
    obj("persistent", Shape::Persistent),
];

const PERSISTENT: &[Field] = &[
    one_of("type", &["root", "path", "mount"]),
    // Required; its rule says so in MiB, for null too.
    long("size").required().min(0.0),
    long("maxSize").min(0.0),
    str("profileName"),
    arr("constraints", &Kind::Arr(&Kind::Str)),
];

const NETWORK: &[Field] = &[
    str("name").len(1, 63).pattern(Pattern::NetworkName),
    one_of("mode", &["container", "container/bridge", "host"]),
    labels("labels"),
];

/// The kind is a discriminator: exactly "fixed", reported as a type error.
const SCALING: &[Field] = &[str("kind").required(), int("instances").min(0.0)];

const SCHEDULING: &[Field] = &[
    obj("backoff", Shape::Backoff),
    obj("upgrade", Shape::Upgrade),
    obj("placement", Shape::Placement),
    one_of("killSelection", &["YOUNGEST_FIRST", "OLDEST_FIRST"]),
    Field::new(
        "unreachableStrategy",
        Kind::Either(&Kind::Str, &Kind::Obj(Shape::Unreachable)),
    )
    .key("error.expected.jsobject"),
];

const BACKOFF: &[Field] = &[
    num("backoff").min(0.0),
    num("backoffFactor").min(0.0),
    num("maxLaunchDelay").min(0.0),
];

const UPGRADE: &[Field] = &[
    num("minimumHealthCapacity").range(0.0, 1.0),
    num("maximumOverCapacity").range(0.0, 1.0),
];

const PLACEMENT: &[Field] = &[
    arr("constraints", &Kind::Obj(Shape::Constraint)),
    arr("acceptedResourceRoles", &Kind::Str),
];

const CONSTRAINT: &[Field] = &[
    str("fieldName").required(),
    one_of(
        "operator",
        &[
            "UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS",
        ],
    )
    .required(),
    str("value"),
];

const UNREACHABLE: &[Field] = &[
    long("inactiveAfterSeconds").min(0.0),
    long("expungeAfterSeconds").min(0.0),
];

const SECRET_DEF: &[Field] = &[str("source").required().len(1, UNBOUNDED)];

const ENV_SECRET: &[Field] = &[str("secret").required()];

impl Shape {
    /// The fields Marathon 1.10 knows for this object, in the RAML's order.
    pub(super) fn fields(self) -> &'static [Field] {
        match self {
            Shape::Pod => POD,
            Shape::Container => CONTAINER,
            Shape::Resources => RESOURCES,
            Shape::ExecutorResources => EXECUTOR_RESOURCES,
            Shape::ResourceLimits => RESOURCE_LIMITS,
            Shape::Exec => EXEC,
            Shape::Command => COMMAND,
            Shape::Image => IMAGE,
            Shape::PullConfig => PULL_CONFIG,
            Shape::Endpoint => ENDPOINT,
            Shape::HealthCheck => HEALTH_CHECK,
            Shape::Check => CHECK,
            Shape::HttpCheck => HTTP_CHECK,
            Shape::TcpCheck => TCP_CHECK,
            Shape::CommandCheck => COMMAND_CHECK,
            Shape::VolumeMount => VOLUME_MOUNT,
            Shape::Artifact => ARTIFACT,
            Shape::Lifecycle => LIFECYCLE,
            Shape::LinuxInfo => LINUX_INFO,
            Shape::Seccomp => SECCOMP,
            Shape::IpcInfo => IPC_INFO,
            Shape::Volume => VOLUME,
            Shape::Persistent => PERSISTENT,
            Shape::Network => NETWORK,
            Shape::Scaling => SCALING,
            Shape::Scheduling => SCHEDULING,
            Shape::Backoff => BACKOFF,
            Shape::Upgrade => UPGRADE,
            Shape::Placement => PLACEMENT,
            Shape::Constraint => CONSTRAINT,
            Shape::Unreachable => UNREACHABLE,
            Shape::SecretDef => SECRET_DEF,
            Shape::EnvSecret => ENV_SECRET,
        }
    }

    /// The row of `key`, when this object has such a field.
    pub(super) fn field(self, key: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == key)
    }

    pub(super) fn knows(self, key: &str) -> bool {
        self.field(key).is_some()
    }
}

/// The warning for `key`, which `shape` does not know.
pub(super) fn unknown_field_message(shape: Shape, key: &str) -> String {
    match suggestion(shape, key) {
        Some(known) => format!("unknown field; did you mean {known}?"),
        None => "unknown field (Marathon ignores it)".to_string(),
    }
}

/// A known field that `key` is probably a misspelling of: equal ignoring case, or within a small
/// edit distance (at most 2, and at most a third of the key's length so short keys don't match
/// everything).
fn suggestion(shape: Shape, key: &str) -> Option<&'static str> {
    let fields = shape.fields();
    if let Some(known) = fields.iter().find(|f| f.name.eq_ignore_ascii_case(key)) {
        return Some(known.name);
    }
    // Beyond this length no field is within distance 2; also bounds the work on huge keys.
    if key.chars().count() > 40 {
        return None;
    }
    let lower = key.to_lowercase();
    fields
        .iter()
        .map(|f| (edit_distance(&lower, &f.name.to_lowercase()), f.name))
        .filter(|(d, _)| *d <= 2 && d * 3 <= key.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

/// Levenshtein distance over chars, with adjacent transpositions counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{json, Value};

    use crate::pod::definition::{
        Container, Endpoint, EndpointCheck, EnvValue, Extra, HealthCheck, Image, Network,
        PodDefinition, Resources, Scaling, Volume, VolumeMount,
    };

    /// Every row with its JSON path pattern (`*` for an array index or a user's map key), in table
    /// order, depth first from the pod.
    fn patterns() -> Vec<(String, &'static Field)> {
        fn below(kind: Kind, pattern: &str, out: &mut Vec<(String, &'static Field)>) {
            match kind {
                Kind::Obj(shape) => {
                    for field in shape.fields() {
                        let here = format!("{pattern}/{}", field.name);
                        out.push((here.clone(), field));
                        below(field.kind, &here, out);
                    }
                }
                Kind::Arr(item) | Kind::Map(item) => below(*item, &format!("{pattern}/*"), out),
                Kind::Either(a, b) => {
                    below(*a, pattern, out);
                    below(*b, pattern, out);
                }
                Kind::Str | Kind::Num | Kind::Int | Kind::Long | Kind::Bool | Kind::Enum(_) => {}
            }
        }
        let mut out = Vec::new();
        below(Kind::Obj(Shape::Pod), "", &mut out);
        out
    }

    /// Every field of the serde types in `pod::definition`, filled in. The literals name every
    /// field (no `..Default::default()`), so a field added there fails to compile here until it
    /// is added, and then [`every_serde_field_has_a_row`] asks for its row.
    fn full_definition() -> PodDefinition {
        let labels = Some([("k".to_string(), "v".to_string())].into());
        let environment = Some(
            [
                ("A".to_string(), EnvValue::Plain("x".into())),
                (
                    "B".to_string(),
                    EnvValue::Secret {
                        secret: "s".into(),
                        extra: Extra::new(),
                    },
                ),
            ]
            .into(),
        );
        let check = EndpointCheck {
            endpoint: "web".into(),
            extra: Extra::new(),
        };
        PodDefinition {
            id: "/a".into(),
            version: Some("2024-01-01T00:00:00.000Z".into()),
            labels: labels.clone(),
            user: Some("u".into()),
            environment: environment.clone(),
            containers: vec![Container {
                name: "c".into(),
                resources: Resources {
                    cpus: Some(1.0),
                    mem: Some(64.0),
                    disk: Some(0.0),
                    gpus: Some(0),
                    extra: Extra::new(),
                },
                exec: Some(Value::Null),
                image: Some(Image {
                    kind: Some("DOCKER".into()),
                    id: "nginx".into(),
                    force_pull: Some(true),
                    extra: Extra::new(),
                }),
                endpoints: Some(vec![Endpoint {
                    name: "web".into(),
                    container_port: Some(80),
                    host_port: Some(0),
                    protocol: Some(vec!["tcp".into()]),
                    labels: labels.clone(),
                    network_names: Some(vec!["n".into()]),
                    extra: Extra::new(),
                }]),
                environment,
                user: Some("u".into()),
                health_check: Some(HealthCheck {
                    http: Some(check.clone()),
                    tcp: Some(check),
                    exec: Some(Value::Null),
                    extra: Extra::new(),
                }),
                volume_mounts: Some(vec![VolumeMount {
                    name: "v".into(),
                    mount_path: "/m".into(),
                    read_only: Some(true),
                    extra: Extra::new(),
                }]),
                artifacts: Some(vec![Value::Null]),
                labels: labels.clone(),
                lifecycle: Some(Value::Null),
                extra: Extra::new(),
            }],
            secrets: Some([("s".to_string(), json!({"source": "x"}))].into()),
            volumes: Some(vec![Volume {
                name: "v".into(),
                host: Some("/h".into()),
                secret: Some("s".into()),
                persistent: Some(Value::Null),
                extra: Extra::new(),
            }]),
            networks: Some(vec![Network {
                mode: Some("container".into()),
                name: Some("n".into()),
                labels,
                extra: Extra::new(),
            }]),
            scaling: Some(Scaling {
                kind: "fixed".into(),
                instances: Some(1),
                extra: Extra::new(),
            }),
            scheduling: Some(Value::Null),
            // The type is shared with container resources, but Marathon's executor has no GPUs.
            executor_resources: Some(Resources {
                cpus: Some(0.1),
                mem: Some(32.0),
                disk: Some(10.0),
                gpus: None,
                extra: Extra::new(),
            }),
            extra: Extra::new(),
        }
    }

    /// The fields of `value` (of `kind`, at `pattern`) that have no row, or a row of another
    /// type; every pattern met goes into `seen`. `null` (a field the types keep as raw JSON)
    /// only needs its row.
    fn uncovered(value: &Value, kind: Kind, pattern: &str, seen: &mut Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        if value.is_null() {
            return out;
        }
        if !kind.accepts(value) {
            out.push(format!("{pattern}: {value} is not {}", kind.name()));
            return out;
        }
        match (kind, value) {
            (Kind::Obj(shape), Value::Object(map)) => {
                for (key, v) in map {
                    let here = format!("{pattern}/{key}");
                    seen.push(here.clone());
                    match shape.field(key) {
                        Some(row) => out.extend(uncovered(v, row.kind, &here, seen)),
                        None => out.push(format!("{here}: no row in {shape:?}")),
                    }
                }
            }
            (Kind::Arr(item), Value::Array(items)) => {
                for v in items {
                    out.extend(uncovered(v, *item, &format!("{pattern}/*"), seen));
                }
            }
            (Kind::Map(item), Value::Object(map)) => {
                for v in map.values() {
                    out.extend(uncovered(v, *item, &format!("{pattern}/*"), seen));
                }
            }
            (Kind::Either(a, b), _) => {
                let side = if a.accepts(value) { *a } else { *b };
                out.extend(uncovered(value, side, pattern, seen));
            }
            _ => {}
        }
        out
    }

    #[test]
    fn every_serde_field_has_a_row() {
        let full = serde_json::to_value(full_definition()).unwrap();
        let mut seen = Vec::new();
        let missing = uncovered(&full, Kind::Obj(Shape::Pod), "", &mut seen);
        assert!(
            missing.is_empty(),
            "fields without a schema row: {missing:#?}"
        );
        let known: Vec<String> = patterns().into_iter().map(|(p, _)| p).collect();
        for pattern in &seen {
            assert!(known.contains(pattern), "{pattern} is not in patterns()");
        }
        assert!(seen.len() > 50, "the full definition is not full: {seen:?}");

        // The check can fail: a field the table lacks, and a value of the wrong type.
        let mut odd = full;
        odd["containers"][0]["resources"]["cpuShares"] = json!(1);
        odd["scaling"]["instances"] = json!("two");
        let missing = uncovered(&odd, Kind::Obj(Shape::Pod), "", &mut Vec::new());
        assert_eq!(
            missing,
            [
                "/containers/*/resources/cpuShares: no row in Resources",
                "/scaling/instances: \"two\" is not an integer",
            ]
        );
    }

    #[test]
    fn patterns_name_every_row_by_its_path() {
        let rows = patterns();
        let find = |p: &str| {
            rows.iter()
                .find(|(pattern, _)| pattern == p)
                .map(|(_, r)| *r)
        };
        let cpus = find("/containers/*/resources/cpus").expect("cpus row");
        assert_eq!(cpus.kind, Kind::Num);
        assert_eq!(cpus.bounds, Bounds::Range(Some(0.001), None));
        let secret = find("/containers/*/environment/*/secret").expect("env secret row");
        assert!(secret.required);
        let port = find("/containers/*/endpoints/*/hostPort").expect("hostPort row");
        assert_eq!(port.key, "error.expected.jsnumber");
        assert!(find("/scheduling/unreachableStrategy/expungeAfterSeconds").is_some());
        assert!(find("/containers/*/healthCheck/exec/command/argv").is_some());
        assert!(find("/linuxInfo/seccomp/profileName").is_some());
        assert!(find("/containers/*/resources/cpuShares").is_none());
        // Each object lists a field once.
        let mut unique = rows.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), rows.len());
    }

    #[test]
    fn suggests_close_known_fields() {
        assert_eq!(
            suggestion(Shape::Container, "healthcheck"),
            Some("healthCheck")
        );
        assert_eq!(suggestion(Shape::Pod, "contaners"), Some("containers"));
        assert_eq!(suggestion(Shape::Endpoint, "hostport"), Some("hostPort"));
        assert_eq!(suggestion(Shape::Resources, "mme"), Some("mem"));
        assert_eq!(suggestion(Shape::Scaling, "maxInstances"), None);
        assert_eq!(suggestion(Shape::Backoff, "maxLaunchDelaySeconds"), None);
        assert_eq!(suggestion(Shape::Pod, "x"), None);
        assert_eq!(suggestion(Shape::Pod, &"a".repeat(10_000)), None);
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn table_has_the_newer_fields() {
        for (shape, field) in [
            (Shape::Pod, "role"),
            (Shape::Pod, "linuxInfo"),
            (Shape::Pod, "legacySharedCgroups"),
            (Shape::Container, "check"),
            (Shape::Container, "tty"),
            (Shape::Container, "resourceLimits"),
            (Shape::Image, "pullConfig"),
            (Shape::Image, "labels"),
            (Shape::Endpoint, "networkNames"),
        ] {
            assert!(shape.knows(field), "{shape:?}.{field}");
        }
        assert!(!Shape::Scaling.knows("maxInstances"));
        assert!(!Shape::Backoff.knows("maxLaunchDelaySeconds"));
    }
}
