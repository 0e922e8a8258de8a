//! Every field name Marathon 1.10 reads in a pod definition, one table row per kind of object, and
//! the "unknown field" wording with its did-you-mean suggestion.
//!
//! Marathon silently drops fields it does not know (a typo such as `healthcheck` deploys a pod
//! without its health check), so this table is what lets podctl warn about them. Maps whose keys
//! are the user's (labels, environment, secrets) are not listed here: they have no field list.

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

impl Shape {
    /// The fields Marathon 1.10 knows for this object (RAML types under
    /// `docs/docs/rest-api/public/api/v2/types/`).
    pub(super) fn fields(self) -> &'static [&'static str] {
        match self {
            Shape::Pod => &[
                "id",
                "labels",
                "version",
                "user",
                "environment",
                "containers",
                "secrets",
                "volumes",
                "networks",
                "scaling",
                "scheduling",
                "executorResources",
                "role",
                "linuxInfo",
                "legacySharedCgroups",
            ],
            Shape::Container => &[
                "name",
                "exec",
                "resources",
                "resourceLimits",
                "endpoints",
                "linuxInfo",
                "image",
                "environment",
                "user",
                "healthCheck",
                "check",
                "volumeMounts",
                "artifacts",
                "labels",
                "lifecycle",
                "tty",
            ],
            Shape::Resources => &["cpus", "mem", "disk", "gpus"],
            Shape::ExecutorResources => &["cpus", "mem", "disk"],
            Shape::ResourceLimits => &["cpus", "mem"],
            Shape::Exec => &["command", "overrideEntrypoint"],
            Shape::Command => &["shell", "argv"],
            Shape::Image => &["kind", "id", "pullConfig", "forcePull", "labels"],
            Shape::PullConfig => &["secret"],
            Shape::Endpoint => &[
                "name",
                "containerPort",
                "hostPort",
                "protocol",
                "labels",
                "networkNames",
            ],
            Shape::HealthCheck => &[
                "http",
                "tcp",
                "exec",
                "gracePeriodSeconds",
                "intervalSeconds",
                "maxConsecutiveFailures",
                "timeoutSeconds",
                "delaySeconds",
            ],
            Shape::Check => &[
                "http",
                "tcp",
                "exec",
                "intervalSeconds",
                "timeoutSeconds",
                "delaySeconds",
            ],
            Shape::HttpCheck => &["endpoint", "path", "scheme"],
            Shape::TcpCheck => &["endpoint"],
            Shape::CommandCheck => &["command"],
            Shape::VolumeMount => &["name", "mountPath", "readOnly"],
            Shape::Artifact => &["uri", "extract", "executable", "cache", "destPath"],
            Shape::Lifecycle => &["killGracePeriodSeconds"],
            Shape::LinuxInfo => &["seccomp", "ipcInfo"],
            Shape::Seccomp => &["profileName", "unconfined"],
            Shape::IpcInfo => &["mode", "shmSize"],
            // One row for the four volume kinds (ephemeral, host, secret, persistent).
            Shape::Volume => &["name", "host", "secret", "persistent"],
            Shape::Persistent => &["type", "size", "maxSize", "profileName", "constraints"],
            Shape::Network => &["name", "mode", "labels"],
            Shape::Scaling => &["kind", "instances"],
            Shape::Scheduling => &[
                "backoff",
                "upgrade",
                "placement",
                "killSelection",
                "unreachableStrategy",
            ],
            Shape::Backoff => &["backoff", "backoffFactor", "maxLaunchDelay"],
            Shape::Upgrade => &["minimumHealthCapacity", "maximumOverCapacity"],
            Shape::Placement => &["constraints", "acceptedResourceRoles"],
            Shape::Constraint => &["fieldName", "operator", "value"],
            Shape::Unreachable => &["inactiveAfterSeconds", "expungeAfterSeconds"],
            Shape::SecretDef => &["source"],
            Shape::EnvSecret => &["secret"],
        }
    }

    pub(super) fn knows(self, key: &str) -> bool {
        self.fields().contains(&key)
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
    if let Some(known) = fields.iter().find(|f| f.eq_ignore_ascii_case(key)) {
        return Some(known);
    }
    // Beyond this length no field is within distance 2; also bounds the work on huge keys.
    if key.chars().count() > 40 {
        return None;
    }
    let lower = key.to_lowercase();
    fields
        .iter()
        .map(|f| (edit_distance(&lower, &f.to_lowercase()), *f))
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
