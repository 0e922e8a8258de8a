//! The walk over a definition: JSON types, required fields, RAML facets (Marathon's parse-time
//! checks) and the semantic rules of `PodsValidation` and the validators it uses, Marathon 1.10.
//!
//! Every check reports and carries on, so one run finds every problem. The walk never recurses
//! into values it does not understand (label values, unknown fields), so its depth is bounded by
//! the schema whatever the input; uniqueness checks use hash maps.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::fields::{unknown_field_message, Shape};
use super::names;
use super::{marathon_path, Problem, Segment, ServerForm, Severity};
use crate::pod::id::{check_definition_id, IdError};

type Obj = Map<String, Value>;

/// Walks a whole definition and returns its problems in the order found.
pub(super) fn walk(definition: &Value) -> Vec<Problem> {
    let mut w = Walker::default();
    match definition.as_object() {
        Some(pod) => w.pod(pod),
        None => w.parse(
            Vec::new(),
            format!(
                "a pod definition must be a JSON object, got {}",
                describe(definition)
            ),
            "error.expected.jsobject",
        ),
    }
    w.problems
}

fn at(path: &[Segment], key: &str) -> Vec<Segment> {
    let mut p = path.to_vec();
    p.push(Segment::Key(key.to_string()));
    p
}

fn idx(path: &[Segment], i: usize) -> Vec<Segment> {
    let mut p = path.to_vec();
    p.push(Segment::Index(i));
    p
}

/// The JSON types a field can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Num,
    /// 32-bit integer.
    Int,
    /// 64-bit integer.
    Long,
    Bool,
    Obj,
    Arr,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Str => "error.expected.jsstring",
            Kind::Num | Kind::Int | Kind::Long => "error.expected.jsnumber",
            Kind::Bool => "error.expected.jsboolean",
            Kind::Obj => "error.expected.jsobject",
            Kind::Arr => "error.expected.jsarray",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Num => "a number",
            Kind::Int | Kind::Long => "an integer",
            Kind::Bool => "true or false",
            Kind::Obj => "an object",
            Kind::Arr => "an array",
        }
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string for a message: quoted, and cut short when long.
fn quote(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}...", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// A number as Java's `Double.toString` writes it, which Marathon's messages use (`128.0`, `1.0E-4`).
fn java_double(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let a = x.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{x:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

/// A number for podctl's messages: integers without a fraction.
fn show(x: f64) -> String {
    format!("{x}")
}

/// What the pod-level parts tell the container rules.
#[derive(Default)]
struct Context<'v> {
    /// Keys of `secrets`, when `secrets` is an object (else references are not checked).
    secrets: Option<HashSet<&'v str>>,
    nets: Nets,
    /// Names of the declared volumes, unless `volumes` has the wrong type.
    volumes: Option<HashSet<&'v str>>,
    legacy_cgroups: bool,
}

/// The networks of the pod, counted as Marathon counts them.
#[derive(Default)]
struct Nets {
    /// `networks` is a non-empty array (none means host networking).
    declared: bool,
    host: usize,
    bridge: usize,
    container: usize,
    /// Explicit network names, in order.
    names: Vec<String>,
}

/// What the pod-level uniqueness rules need from one endpoint.
struct EndpointFacts<'v> {
    path: Vec<Segment>,
    name: Option<&'v str>,
    container_port: Option<i64>,
    host_port: Option<i64>,
}

#[derive(Default)]
struct Walker {
    problems: Vec<Problem>,
}

impl Walker {
    fn push(
        &mut self,
        path: Vec<Segment>,
        message: String,
        severity: Severity,
        server: ServerForm,
    ) {
        self.problems.push(Problem {
            path,
            message,
            severity,
            server,
        });
    }

    /// An error Marathon reports while parsing, with `key`.
    fn parse(&mut self, path: Vec<Segment>, message: impl Into<String>, key: &'static str) {
        self.push(
            path,
            message.into(),
            Severity::Error,
            ServerForm::Parse(key),
        );
    }

    /// An error Marathon's validators report with `text` at `server_path`.
    fn semantic(
        &mut self,
        path: Vec<Segment>,
        message: impl Into<String>,
        server_path: impl Into<String>,
        text: impl Into<String>,
    ) {
        let server = ServerForm::Semantic {
            path: server_path.into(),
            text: text.into(),
        };
        self.push(path, message.into(), Severity::Error, server);
    }

    /// An error only podctl reports: Marathon accepts (or silently reinterprets) it.
    fn local(&mut self, path: Vec<Segment>, message: impl Into<String>) {
        self.push(path, message.into(), Severity::Error, ServerForm::None);
    }

    fn warn(&mut self, path: Vec<Segment>, message: impl Into<String>) {
        self.push(path, message.into(), Severity::Warning, ServerForm::None);
    }

    // ---- typed access -------------------------------------------------------------------------

    /// Checks that `v` has the JSON type `kind`; reports at `path` when not.
    fn kind_ok(&mut self, v: &Value, path: &[Segment], kind: Kind) -> bool {
        let ok = match kind {
            Kind::Str => v.is_string(),
            Kind::Num | Kind::Int | Kind::Long => v.is_number(),
            Kind::Bool => v.is_boolean(),
            Kind::Obj => v.is_object(),
            Kind::Arr => v.is_array(),
        };
        if !ok {
            let got = describe(v);
            self.parse(
                path.to_vec(),
                format!("expected {}, got {got}", kind.name()),
                kind.key(),
            );
            return false;
        }
        if matches!(kind, Kind::Int | Kind::Long) && integer(v, kind).is_none() {
            let key = if kind == Kind::Int {
                "error.expected.int"
            } else {
                "error.expected.long"
            };
            // A whole number that does not fit is out of range, not "not whole".
            let whole = v.as_u64().is_some()
                || v.as_i64().is_some()
                || v.as_f64().is_some_and(|x| x.fract() == 0.0);
            let message = if whole {
                let bits = if kind == Kind::Int { 32 } else { 64 };
                format!("out of range: must fit a signed {bits}-bit integer (got {v})")
            } else {
                format!("must be a whole number (got {v})")
            };
            self.parse(path.to_vec(), message, key);
            return false;
        }
        true
    }

    /// The value of `key` in `obj` when present, not null and of the right type. Reports a missing
    /// required field and wrong types; `null` counts as absent.
    fn get<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        key: &str,
        kind: Kind,
        required: bool,
    ) -> Option<&'v Value> {
        match obj.get(key) {
            None => {
                if required {
                    self.parse(at(path, key), "is required", "error.path.missing");
                }
                None
            }
            Some(Value::Null) => {
                if required {
                    self.parse(
                        at(path, key),
                        format!("is required (got null; expected {})", kind.name()),
                        kind.key(),
                    );
                }
                None
            }
            Some(v) => self.kind_ok(v, &at(path, key), kind).then_some(v),
        }
    }

    /// An object field; its unknown fields are reported as warnings.
    fn object<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        key: &str,
        required: bool,
        shape: Shape,
    ) -> Option<&'v Obj> {
        let o = self.get(obj, path, key, Kind::Obj, required)?.as_object()?;
        self.unknown_fields(o, &at(path, key), shape);
        Some(o)
    }

    /// An array item that must be an object of `shape`.
    fn item_object<'v>(&mut self, v: &'v Value, path: &[Segment], shape: Shape) -> Option<&'v Obj> {
        if !self.kind_ok(v, path, Kind::Obj) {
            return None;
        }
        let o = v.as_object()?;
        self.unknown_fields(o, path, shape);
        Some(o)
    }

    fn unknown_fields(&mut self, o: &Obj, path: &[Segment], shape: Shape) {
        for key in o.keys() {
            if !shape.knows(key) {
                self.warn(at(path, key), unknown_field_message(shape, key));
            }
        }
    }

    fn array<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        key: &str,
        required: bool,
        min_items: usize,
    ) -> Option<&'v Vec<Value>> {
        let items = self.get(obj, path, key, Kind::Arr, required)?.as_array()?;
        if items.len() < min_items {
            self.parse(at(path, key), "must not be empty", "error.minLength");
        }
        Some(items)
    }

    fn boolean(&mut self, obj: &Obj, path: &[Segment], key: &str) -> Option<bool> {
        self.get(obj, path, key, Kind::Bool, false)?.as_bool()
    }

    /// A string field with Marathon's length limits (UTF-16 units, as Java counts).
    fn string<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        key: &str,
        required: bool,
        min_len: usize,
        max_len: usize,
    ) -> Option<&'v str> {
        let s = self.get(obj, path, key, Kind::Str, required)?.as_str()?;
        self.length(s, &at(path, key), min_len, max_len);
        Some(s)
    }

    /// Reports a length outside `min_len..=max_len`; true when inside.
    fn length(&mut self, s: &str, path: &[Segment], min_len: usize, max_len: usize) -> bool {
        let n = s.encode_utf16().count();
        if n < min_len {
            let message = if min_len == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min_len} characters long (got {n})")
            };
            self.parse(path.to_vec(), message, "error.minLength");
            false
        } else if n > max_len {
            self.parse(
                path.to_vec(),
                format!("must be at most {max_len} characters long (got {n})"),
                "error.maxLength",
            );
            false
        } else {
            true
        }
    }

    /// A `strings.Name` field: container, endpoint, volume and mount names.
    fn name<'v>(&mut self, obj: &'v Obj, path: &[Segment], key: &str) -> Option<&'v str> {
        let s = self.get(obj, path, key, Kind::Str, true)?.as_str()?;
        self.name_value(s, &at(path, key));
        Some(s)
    }

    /// Checks a `strings.Name` value; true when valid.
    fn name_value(&mut self, s: &str, path: &[Segment]) -> bool {
        if !self.length(s, path, 1, 63) {
            return false;
        }
        if !names::is_name(s) {
            self.parse(
                path.to_vec(),
                format!(
                    "must be lowercase letters, digits and '-', starting and ending with a letter \
                     or digit (got {})",
                    quote(s)
                ),
                "error.pattern",
            );
            return false;
        }
        true
    }

    /// A number field with RAML `minimum`/`maximum`.
    fn number(
        &mut self,
        obj: &Obj,
        path: &[Segment],
        key: &str,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Option<f64> {
        let v = self.get(obj, path, key, Kind::Num, false)?;
        let x = v.as_f64()?;
        self.bounds(x, v, &at(path, key), min, max).then_some(x)
    }

    fn bounds(
        &mut self,
        x: f64,
        v: &Value,
        path: &[Segment],
        min: Option<f64>,
        max: Option<f64>,
    ) -> bool {
        if let Some(min) = min.filter(|&m| x < m) {
            self.parse(
                path.to_vec(),
                format!("must be at least {} (got {v})", show(min)),
                "error.min",
            );
            return false;
        }
        if let Some(max) = max.filter(|&m| x > m) {
            self.parse(
                path.to_vec(),
                format!("must be at most {} (got {v})", show(max)),
                "error.max",
            );
            return false;
        }
        true
    }

    /// An integer field (`kind` Int or Long) with RAML `minimum`/`maximum`.
    fn integer(
        &mut self,
        obj: &Obj,
        path: &[Segment],
        key: &str,
        kind: Kind,
        min: Option<i64>,
        max: Option<i64>,
    ) -> Option<i64> {
        let v = self.get(obj, path, key, kind, false)?;
        let n = integer(v, kind)?;
        // Integers up to 2^63 are exact in f64 comparisons against these small bounds.
        self.bounds(
            n as f64,
            v,
            &at(path, key),
            min.map(|m| m as f64),
            max.map(|m| m as f64),
        )
        .then_some(n)
    }

    /// An enum field, matched case-insensitively as Marathon does; returns the canonical value.
    fn enumeration(
        &mut self,
        obj: &Obj,
        path: &[Segment],
        key: &str,
        required: bool,
        values: &[&'static str],
    ) -> Option<&'static str> {
        let v = match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.parse(
                        at(path, key),
                        format!("is required (one of {})", values.join(", ")),
                        "error.path.missing",
                    );
                }
                return None;
            }
            Some(v) => v,
        };
        let found = v
            .as_str()
            .and_then(|s| values.iter().find(|known| known.eq_ignore_ascii_case(s)));
        if found.is_none() {
            let got = match v.as_str() {
                Some(s) => quote(s),
                None => describe(v).to_string(),
            };
            let message = if values.len() == 1 {
                format!("must be {} (got {got})", values[0])
            } else {
                format!("must be one of {} (got {got})", values.join(", "))
            };
            self.parse(at(path, key), message, "error.unknown.enum.literal");
        }
        found.copied()
    }

    /// A map of strings (`label.KVLabels`).
    fn labels(&mut self, obj: &Obj, path: &[Segment], key: &str) {
        let Some(labels) = self
            .get(obj, path, key, Kind::Obj, false)
            .and_then(Value::as_object)
        else {
            return;
        };
        let path = at(path, key);
        for (k, v) in labels {
            if !v.is_string() {
                self.parse(
                    at(&path, k),
                    format!("a label value must be a string, got {}", describe(v)),
                    "error.expected.jsstring",
                );
            }
        }
    }

    /// An array whose items must be strings; returns the strings with their indexes.
    fn strings<'v>(&mut self, items: &'v [Value], path: &[Segment]) -> Vec<(usize, &'v str)> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if self.kind_ok(item, &idx(path, i), Kind::Str) {
                out.extend(item.as_str().map(|s| (i, s)));
            }
        }
        out
    }

    // ---- the pod ------------------------------------------------------------------------------

    fn pod(&mut self, pod: &Obj) {
        let root: &[Segment] = &[];
        self.unknown_fields(pod, root, Shape::Pod);
        self.id(pod);
        self.labels(pod, root, "labels");
        self.get(pod, root, "version", Kind::Str, false);
        if let Some(user) = self.string(pod, root, "user", false, 0, usize::MAX) {
            if user.is_empty() {
                self.semantic(
                    at(root, "user"),
                    "must not be empty",
                    "/user",
                    "must not be empty",
                );
            }
        }
        self.string(pod, root, "role", false, 1, usize::MAX);
        let legacy_cgroups = self.boolean(pod, root, "legacySharedCgroups") == Some(true);
        let secrets = self.secrets(pod);
        let mut ctx = Context {
            secrets,
            legacy_cgroups,
            ..Context::default()
        };
        self.environment(pod, root, &ctx);
        ctx.nets = self.networks(pod);
        ctx.volumes = match pod.get("volumes") {
            None | Some(Value::Null) => Some(HashSet::new()),
            Some(Value::Array(volumes)) => Some(
                volumes
                    .iter()
                    .filter_map(|v| v.get("name").and_then(Value::as_str))
                    .collect(),
            ),
            // A wrong type is reported on /volumes; mounts are not checked against it.
            Some(_) => None,
        };
        let mounted = self.containers(pod, &ctx);
        let resident = self.volumes(pod, &ctx, &mounted);
        self.scaling(pod);
        self.scheduling(pod, resident);
        if let Some(executor) = self.object(
            pod,
            root,
            "executorResources",
            false,
            Shape::ExecutorResources,
        ) {
            let path = at(root, "executorResources");
            self.number(executor, &path, "cpus", Some(0.1), None);
            self.number(executor, &path, "mem", Some(32.0), None);
            self.number(executor, &path, "disk", Some(10.0), None);
        }
        if let Some(linux) = self.object(pod, root, "linuxInfo", false, Shape::LinuxInfo) {
            let path = at(root, "linuxInfo");
            if self.linux_info(linux, &path) {
                self.semantic(
                    at(&path, "seccomp"),
                    "is not supported for the pod (executor); set it on containers",
                    "/linuxInfo/seccomp",
                    "Seccomp configuration on executor level is not supported",
                );
            }
        }
    }

    fn id(&mut self, pod: &Obj) {
        let Some(id) = self
            .get(pod, &[], "id", Kind::Str, true)
            .and_then(Value::as_str)
        else {
            return;
        };
        let path = at(&[], "id");
        if id.is_empty() {
            self.parse(path, "must not be empty", "error.minLength");
            return;
        }
        let Err(e) = check_definition_id(id) else {
            return;
        };
        let (message, text) = match &e {
            IdError::NotAbsolute => (
                format!("must be absolute, starting with '/' (got {})", quote(id)),
                Some("Path needs to be absolute".to_string()),
            ),
            IdError::Empty => (
                "must name a pod, not only '/'".to_string(),
                Some("Path must contain at least one path element".to_string()),
            ),
            IdError::Reserved(_) => (
                e.to_string(),
                Some(
                    "must not end with any of the following reserved keywords: restart, tasks, \
                     versions, ., .."
                        .to_string(),
                ),
            ),
            // Marathon drops empty segments (`/a//b` is `/a/b`); podctl insists on the clean form.
            IdError::EmptySegment => (format!("{e} (got {})", quote(id)), None),
            IdError::BadSegment(_) => (e.to_string(), None),
            // Marathon's `childOf(path.parent)` refuses a path that does not resolve to itself.
            IdError::DotSegment(_) => (
                e.to_string(),
                Some(format!(
                    "Identifier is not child of '{}'",
                    id.rsplit_once('/').map_or("/", |(parent, _)| parent)
                )),
            ),
            // Not from `check_definition_id`: the text checks refuse over-long ids first.
            IdError::TooLong(_) => (e.to_string(), None),
        };
        if !names::matches_raml_path_id(id) {
            self.parse(path, message, "error.pattern");
        } else if let Some(text) = text {
            self.semantic(path, message, "/id", text);
        } else {
            self.local(path, message);
        }
    }

    /// `secrets`: name -> `{"source": ..}`. Returns the names.
    fn secrets<'v>(&mut self, pod: &'v Obj) -> Option<HashSet<&'v str>> {
        let secrets = self
            .get(pod, &[], "secrets", Kind::Obj, false)?
            .as_object()?;
        let path = at(&[], "secrets");
        for (name, def) in secrets {
            let entry = at(&path, name);
            if name.is_empty() {
                self.semantic(
                    entry.clone(),
                    "a secret name must not be empty",
                    "/secrets",
                    "must not be empty",
                );
            }
            if let Some(def) = self.item_object(def, &entry, Shape::SecretDef) {
                self.string(def, &entry, "source", true, 1, usize::MAX);
            }
        }
        Some(secrets.keys().map(String::as_str).collect())
    }

    /// `environment`: name -> string or `{"secret": name}`, at pod or container level.
    fn environment(&mut self, obj: &Obj, path: &[Segment], ctx: &Context) {
        let Some(env) = self
            .get(obj, path, "environment", Kind::Obj, false)
            .and_then(Value::as_object)
        else {
            return;
        };
        let path = at(path, "environment");
        for (name, value) in env {
            let entry = at(&path, name);
            if !names::is_env_name(name) {
                self.parse(
                    entry.clone(),
                    format!(
                        "{} is not a valid variable name: letters, digits and '_', not starting \
                         with a digit, at most 254 characters",
                        quote(name)
                    ),
                    "error.pattern",
                );
            }
            match value {
                Value::String(_) => {}
                Value::Object(reference) => {
                    self.unknown_fields(reference, &entry, Shape::EnvSecret);
                    let Some(secret) = self
                        .get(reference, &entry, "secret", Kind::Str, true)
                        .and_then(Value::as_str)
                    else {
                        continue;
                    };
                    if let Some(secrets) = &ctx.secrets {
                        if !secrets.contains(secret) {
                            let at_secret = at(&entry, "secret");
                            self.semantic(
                                at_secret.clone(),
                                format!(
                                    "names secret {}, which is not declared in /secrets",
                                    quote(secret)
                                ),
                                marathon_path(&at_secret),
                                "references an undefined secret",
                            );
                        }
                    }
                }
                other => self.parse(
                    entry,
                    format!(
                        "expected a string or {{\"secret\": NAME}}, got {}",
                        describe(other)
                    ),
                    "error.expected.jsobject",
                ),
            }
        }
    }

    /// `networks` and its rules (`NetworkValidation`); returns the counts the endpoints need.
    fn networks(&mut self, pod: &Obj) -> Nets {
        let mut nets = Nets::default();
        let Some(items) = self.array(pod, &[], "networks", false, 0) else {
            return nets;
        };
        let path = at(&[], "networks");
        nets.declared = !items.is_empty();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut first_unnamed_container: Option<usize> = None;
        for (i, item) in items.iter().enumerate() {
            let npath = idx(&path, i);
            let Some(net) = self.item_object(item, &npath, Shape::Network) else {
                continue;
            };
            let name = self
                .get(net, &npath, "name", Kind::Str, false)
                .and_then(Value::as_str);
            if let Some(name) = name {
                let name_path = at(&npath, "name");
                if self.length(name, &name_path, 1, 63) && !names::is_network_name(name) {
                    self.parse(
                        name_path,
                        format!(
                            "must be lowercase letters, digits, '-' and '_', starting and ending \
                             with a letter or digit (got {})",
                            quote(name)
                        ),
                        "error.pattern",
                    );
                }
            }
            self.labels(net, &npath, "labels");
            let has_labels = net
                .get("labels")
                .and_then(Value::as_object)
                .is_some_and(|l| !l.is_empty());
            // A network without a mode is a container network.
            let mode = match net.get("mode") {
                None | Some(Value::Null) => Some("container"),
                Some(_) => self.enumeration(
                    net,
                    &npath,
                    "mode",
                    false,
                    &["container", "container/bridge", "host"],
                ),
            };
            let named = name.is_some_and(|n| !n.is_empty());
            match mode {
                Some("host") => {
                    nets.host += 1;
                    if named || has_labels {
                        let what = if named { "name" } else { "labels" };
                        self.semantic(
                            at(&npath, what),
                            format!("a host network must not have a {what}"),
                            "/networks",
                            "Host networks may not have names or labels",
                        );
                    }
                }
                Some("container/bridge") => {
                    nets.bridge += 1;
                    if named {
                        self.semantic(
                            at(&npath, "name"),
                            "a bridge network must not have a name",
                            "/networks",
                            "Bridge networks may not have names",
                        );
                    }
                }
                Some(_) => {
                    nets.container += 1;
                    if name.is_none() {
                        match first_unnamed_container {
                            None => first_unnamed_container = Some(i),
                            Some(first) => self.semantic(
                                npath.clone(),
                                format!(
                                    "is a second unnamed container network (the first is /networks/{first}); \
                                     give them names"
                                ),
                                "/networks",
                                "Duplicate networks are not allowed",
                            ),
                        }
                    }
                }
                None => {}
            }
            if let Some(name) = name {
                nets.names.push(name.to_string());
                match seen.get(name) {
                    Some(first) => self.semantic(
                        at(&npath, "name"),
                        format!(
                            "must be unique: {} is also used by /networks/{first}",
                            quote(name)
                        ),
                        "/networks",
                        "Duplicate networks are not allowed",
                    ),
                    None => {
                        seen.insert(name, i);
                    }
                }
            }
        }
        let single_host = nets.host <= 1 && nets.bridge == 0 && nets.container == 0;
        let single_bridge = nets.host == 0 && nets.bridge <= 1 && nets.container == 0;
        let containers_only = nets.host == 0 && nets.bridge == 0 && nets.container > 0;
        if !(single_host || single_bridge || containers_only) {
            self.semantic(
                path,
                format!(
                    "must be a single host network, a single bridge network, or one or more \
                     container networks (got {} host, {} bridge, {} container)",
                    nets.host, nets.bridge, nets.container
                ),
                "/networks",
                "May specify a single host network, single bridge network, or else 1-to-n container networks",
            );
        }
        nets
    }

    /// `containers` and the pod-wide uniqueness rules; returns the names of mounted volumes.
    fn containers<'v>(&mut self, pod: &'v Obj, ctx: &Context) -> HashSet<&'v str> {
        let mut mounted = HashSet::new();
        let Some(items) = self.array(pod, &[], "containers", true, 1) else {
            return mounted;
        };
        let path = at(&[], "containers");
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut endpoints: Vec<EndpointFacts> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let cpath = idx(&path, i);
            let Some(container) = self.item_object(item, &cpath, Shape::Container) else {
                continue;
            };
            if let Some(name) = self.name(container, &cpath, "name") {
                match names.get(name) {
                    Some(first) => self.semantic(
                        at(&cpath, "name"),
                        format!(
                            "must be unique: {} is also used by /containers/{first}",
                            quote(name)
                        ),
                        "/containers",
                        "container names must be unique",
                    ),
                    None => {
                        names.insert(name, i);
                    }
                }
            }
            self.container(container, &cpath, ctx, &mut endpoints, &mut mounted);
        }
        self.unique_endpoints(&endpoints);
        mounted
    }

    fn unique_endpoints(&mut self, endpoints: &[EndpointFacts]) {
        let mut names: HashMap<&str, &[Segment]> = HashMap::new();
        let mut container_ports: HashMap<i64, &[Segment]> = HashMap::new();
        let mut host_ports: HashMap<i64, &[Segment]> = HashMap::new();
        for e in endpoints {
            if let Some(name) = e.name {
                match names.get(name) {
                    Some(first) => self.semantic(
                        at(&e.path, "name"),
                        format!(
                            "must be unique across the pod: {} is also used by {}",
                            quote(name),
                            super::pointer(first)
                        ),
                        "/",
                        "endpoint names nust be unique across all containers",
                    ),
                    None => {
                        names.insert(name, &e.path);
                    }
                }
            }
            for (port, field, seen, text) in [
                (
                    e.container_port,
                    "containerPort",
                    &mut container_ports,
                    "container ports must be unique across all containers",
                ),
                (
                    e.host_port,
                    "hostPort",
                    &mut host_ports,
                    "host ports must be unique across all containers",
                ),
            ] {
                let Some(port) = port.filter(|&p| p != 0) else {
                    continue;
                };
                match seen.get(&port) {
                    Some(first) => {
                        let message = format!(
                            "must be unique across the pod: {port} is also used by {}",
                            super::pointer(first)
                        );
                        self.semantic(at(&e.path, field), message, "/", text);
                    }
                    None => {
                        seen.insert(port, &e.path);
                    }
                }
            }
        }
    }

    fn container<'v>(
        &mut self,
        c: &'v Obj,
        path: &[Segment],
        ctx: &Context,
        endpoints: &mut Vec<EndpointFacts<'v>>,
        mounted: &mut HashSet<&'v str>,
    ) {
        let requested = self.resources(c, path);
        self.resource_limits(c, path, requested, ctx);
        if let Some(exec) = self.object(c, path, "exec", false, Shape::Exec) {
            let epath = at(path, "exec");
            self.command(exec, &epath);
            self.boolean(exec, &epath, "overrideEntrypoint");
        }
        let declared = self.endpoints(c, path, ctx, endpoints);
        self.image(c, path, ctx);
        self.environment(c, path, ctx);
        if let Some(user) = self.string(c, path, "user", false, 0, usize::MAX) {
            if user.is_empty() {
                self.local(at(path, "user"), "must not be empty");
            }
        }
        self.health(c, path, "healthCheck", &declared);
        self.health(c, path, "check", &declared);
        self.volume_mounts(c, path, ctx, mounted);
        self.artifacts(c, path);
        self.labels(c, path, "labels");
        if let Some(lifecycle) = self.object(c, path, "lifecycle", false, Shape::Lifecycle) {
            self.number(
                lifecycle,
                &at(path, "lifecycle"),
                "killGracePeriodSeconds",
                Some(0.0),
                None,
            );
        }
        self.boolean(c, path, "tty");
        if let Some(linux) = self.object(c, path, "linuxInfo", false, Shape::LinuxInfo) {
            self.linux_info(linux, &at(path, "linuxInfo"));
        }
    }

    /// Container `resources`; returns the requested (cpus, mem) with Marathon's defaults.
    fn resources(&mut self, c: &Obj, path: &[Segment]) -> (Option<f64>, Option<f64>) {
        let Some(resources) = self.object(c, path, "resources", true, Shape::Resources) else {
            return (None, None);
        };
        let rpath = at(path, "resources");
        let given = |w: &mut Walker, key: &str, min: f64, default: f64| match resources.get(key) {
            None | Some(Value::Null) => Some(default),
            Some(_) => w.number(resources, &rpath, key, Some(min), None),
        };
        let cpus = given(self, "cpus", 0.001, 1.0);
        let mem = given(self, "mem", 0.001, 128.0);
        self.number(resources, &rpath, "disk", Some(0.0), None);
        self.integer(resources, &rpath, "gpus", Kind::Int, Some(0), None);
        (cpus, mem)
    }

    fn resource_limits(
        &mut self,
        c: &Obj,
        path: &[Segment],
        requested: (Option<f64>, Option<f64>),
        ctx: &Context,
    ) {
        let Some(limits) = self.object(c, path, "resourceLimits", false, Shape::ResourceLimits)
        else {
            return;
        };
        let lpath = at(path, "resourceLimits");
        if ctx.legacy_cgroups {
            self.semantic(
                lpath.clone(),
                "is not allowed when legacySharedCgroups is true",
                marathon_path(&lpath),
                "resourceLimits cannot be defined if legacySharedCgroups is enabled",
            );
        }
        for (key, request) in [("cpus", requested.0), ("mem", requested.1)] {
            let field = at(&lpath, key);
            match limits.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s == "unlimited" => {}
                Some(Value::String(s)) => self.semantic(
                    field.clone(),
                    format!("must be a number or \"unlimited\" (got {})", quote(s)),
                    marathon_path(&field),
                    format!(
                        "'{s}' is an invalid resource limit. It must be 'unlimited' or a number"
                    ),
                ),
                Some(Value::Number(n)) => {
                    let (Some(limit), Some(request)) = (n.as_f64(), request) else {
                        continue;
                    };
                    if limit < request {
                        self.semantic(
                            field.clone(),
                            format!(
                                "must be at least the requested resources.{key} ({}) (got {n})",
                                show(request)
                            ),
                            marathon_path(&field),
                            format!(
                                "resource limit must be greater than or equal to requested resource ({})",
                                java_double(request)
                            ),
                        );
                    }
                }
                Some(other) => self.parse(
                    field,
                    format!(
                        "expected a number or \"unlimited\", got {}",
                        describe(other)
                    ),
                    "error.expected.jsnumber",
                ),
            }
        }
    }

    /// A Mesos command under `parent`: `{"shell": ".."}` or `{"argv": [..]}`.
    fn command(&mut self, parent: &Obj, ppath: &[Segment]) {
        let Some(command) = self.object(parent, ppath, "command", true, Shape::Command) else {
            return;
        };
        let path = at(ppath, "command");
        let shell = self
            .get(command, &path, "shell", Kind::Str, false)
            .and_then(Value::as_str);
        let argv = self
            .get(command, &path, "argv", Kind::Arr, false)
            .and_then(Value::as_array);
        let has = |k: &str| command.get(k).is_some_and(|v| !v.is_null());
        if let Some(shell) = shell {
            if shell.is_empty() {
                self.parse(at(&path, "shell"), "must not be empty", "error.minLength");
            }
        }
        if let Some(argv) = argv {
            let apath = at(&path, "argv");
            if argv.is_empty() {
                self.parse(apath.clone(), "must not be empty", "error.minLength");
            }
            self.strings(argv, &apath);
        }
        match (has("shell"), has("argv")) {
            (false, false) => self.parse(
                path,
                "needs shell (a command line) or argv (a list of arguments)",
                "error.path.missing",
            ),
            // Marathon takes the shell and drops argv.
            (true, true) => self.local(path, "must have either shell or argv, not both"),
            _ => {}
        }
    }

    /// `endpoints` of a container; returns the declared endpoint names (for health checks).
    fn endpoints<'v>(
        &mut self,
        c: &'v Obj,
        path: &[Segment],
        ctx: &Context,
        facts: &mut Vec<EndpointFacts<'v>>,
    ) -> HashSet<&'v str> {
        let mut declared = HashSet::new();
        let Some(items) = self.array(c, path, "endpoints", false, 0) else {
            return declared;
        };
        let path = at(path, "endpoints");
        let nets = &ctx.nets;
        for (j, item) in items.iter().enumerate() {
            let epath = idx(&path, j);
            let Some(e) = self.item_object(item, &epath, Shape::Endpoint) else {
                continue;
            };
            let name = self.name(e, &epath, "name");
            declared.extend(name);
            let container_port =
                self.integer(e, &epath, "containerPort", Kind::Int, Some(1), Some(65535));
            let host_port = self.integer(e, &epath, "hostPort", Kind::Int, Some(0), Some(65535));
            facts.push(EndpointFacts {
                path: epath.clone(),
                name,
                container_port,
                host_port,
            });
            let present = |k: &str| e.get(k).is_some_and(|v| !v.is_null());
            let cp_path = at(&epath, "containerPort");
            if present("containerPort") {
                if nets.host > 0 {
                    self.semantic(
                        cp_path.clone(),
                        "is not allowed with host networking (use hostPort)",
                        marathon_path(&cp_path),
                        "is not allowed when using host-mode networking",
                    );
                } else if !nets.declared {
                    // No networks means host networking, but Marathon only checks an explicit one.
                    self.local(
                        cp_path.clone(),
                        "is not allowed with host networking, which a pod without networks uses (use hostPort)",
                    );
                }
            } else if nets.container > 0 {
                self.semantic(
                    cp_path.clone(),
                    "is required with container networking",
                    marathon_path(&cp_path),
                    "is required when using container-mode networking",
                );
            }
            if let Some(protocols) = self.array(e, &epath, "protocol", false, 1) {
                let ppath = at(&epath, "protocol");
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for (k, p) in self.strings(protocols, &ppath) {
                    if let Some(first) = seen.get(p) {
                        self.semantic(
                            idx(&ppath, k),
                            format!("repeats protocol {} (also at /protocol/{first})", quote(p)),
                            marathon_path(&ppath),
                            "Duplicate protocols within the same endpoint are not allowed",
                        );
                    } else {
                        seen.insert(p, k);
                    }
                }
            }
            self.labels(e, &epath, "labels");
            let network_names = self.array(e, &epath, "networkNames", false, 0);
            let nn_path = at(&epath, "networkNames");
            if let Some(list) = network_names {
                for (k, n) in self.strings(list, &nn_path) {
                    if !nets.names.iter().any(|known| known == n) {
                        let item = idx(&nn_path, k);
                        self.semantic(
                            item.clone(),
                            format!(
                                "names network {}, which is not declared in /networks",
                                quote(n)
                            ),
                            marathon_path(&item),
                            format!("is not one of ({})", nets.names.join(",")),
                        );
                    }
                }
            }
            if nets.container > 1
                && present("hostPort")
                && network_names.is_none_or(|l| l.len() != 1)
            {
                self.semantic(
                    nn_path,
                    "must name exactly one network when hostPort is set and the pod has several \
                     container networks",
                    marathon_path(&epath),
                    "networkNames must be a single item list when hostPort is specified and more \
                     than 1 container network is defined",
                );
            }
        }
        declared
    }

    fn image(&mut self, c: &Obj, path: &[Segment], ctx: &Context) {
        let Some(image) = self.object(c, path, "image", false, Shape::Image) else {
            return;
        };
        let ipath = at(path, "image");
        if let Some(Value::String(kind)) = image.get("kind") {
            if kind.eq_ignore_ascii_case("appc") {
                self.parse(
                    at(&ipath, "kind"),
                    "must be DOCKER: Marathon 1.9 and later no longer run APPC images",
                    "error.unknown.enum.literal",
                );
            } else {
                self.enumeration(image, &ipath, "kind", true, &["DOCKER"]);
            }
        } else {
            self.enumeration(image, &ipath, "kind", true, &["DOCKER"]);
        }
        self.string(image, &ipath, "id", true, 1, 1024);
        self.boolean(image, &ipath, "forcePull");
        self.labels(image, &ipath, "labels");
        if let Some(pull) = self.object(image, &ipath, "pullConfig", false, Shape::PullConfig) {
            let ppath = at(&ipath, "pullConfig");
            if let Some(secret) = self.string(pull, &ppath, "secret", true, 1, usize::MAX) {
                if let Some(secrets) = &ctx.secrets {
                    if !secrets.contains(secret) {
                        self.semantic(
                            at(&ppath, "secret"),
                            format!(
                                "names secret {}, which is not declared in /secrets",
                                quote(secret)
                            ),
                            marathon_path(&ppath),
                            "pullConfig.secret must refer to an existing secret",
                        );
                    }
                } else if !secret.is_empty() {
                    self.semantic(
                        at(&ppath, "secret"),
                        format!(
                            "names secret {}, but the pod declares no secrets",
                            quote(secret)
                        ),
                        marathon_path(&ppath),
                        "pullConfig.secret must refer to an existing secret",
                    );
                }
            }
        }
    }

    /// `healthCheck` (Marathon validates it) or `check` (Marathon only parses it; podctl applies
    /// the same rules locally).
    fn health(&mut self, c: &Obj, path: &[Segment], key: &str, endpoints: &HashSet<&str>) {
        let is_health = key == "healthCheck";
        let shape = if is_health {
            Shape::HealthCheck
        } else {
            Shape::Check
        };
        let Some(hc) = self.object(c, path, key, false, shape) else {
            return;
        };
        let hpath = at(path, key);
        let mut kinds = Vec::new();
        for variant in ["http", "tcp", "exec"] {
            if hc.get(variant).is_some_and(|v| !v.is_null()) {
                kinds.push(variant);
            }
        }
        if kinds.len() != 1 {
            let message = if kinds.is_empty() {
                "needs one of http, tcp or exec".to_string()
            } else {
                format!(
                    "must have only one of http, tcp or exec (got {})",
                    kinds.join(" and ")
                )
            };
            if is_health {
                self.semantic(
                    hpath.clone(),
                    message,
                    marathon_path(&hpath),
                    "Only one of http, tcp, or command may be specified",
                );
            } else {
                self.local(hpath.clone(), message);
            }
        }
        let endpoint_in = |w: &mut Walker, obj: &Obj, vpath: &[Segment]| {
            let Some(endpoint) = w.name(obj, vpath, "endpoint") else {
                return;
            };
            if !endpoints.contains(endpoint) {
                let field = at(vpath, "endpoint");
                let message = format!(
                    "names endpoint {}, which this container does not declare",
                    quote(endpoint)
                );
                if is_health {
                    let mpath = marathon_path(&field);
                    w.semantic(
                        field,
                        message,
                        mpath,
                        "contained in the container endpoints",
                    );
                } else {
                    w.local(field, message);
                }
            }
        };
        if let Some(http) = self.object(hc, &hpath, "http", false, Shape::HttpCheck) {
            let vpath = at(&hpath, "http");
            endpoint_in(self, http, &vpath);
            self.string(http, &vpath, "path", false, 1, 1024);
            self.enumeration(http, &vpath, "scheme", false, &["HTTP", "HTTPS"]);
        }
        if let Some(tcp) = self.object(hc, &hpath, "tcp", false, Shape::TcpCheck) {
            endpoint_in(self, tcp, &at(&hpath, "tcp"));
        }
        if let Some(exec) = self.object(hc, &hpath, "exec", false, Shape::CommandCheck) {
            self.command(exec, &at(&hpath, "exec"));
        }
        let int =
            |w: &mut Walker, field: &str| w.integer(hc, &hpath, field, Kind::Int, Some(0), None);
        if is_health {
            int(self, "gracePeriodSeconds");
            int(self, "maxConsecutiveFailures");
        }
        let interval = int(self, "intervalSeconds");
        let timeout = int(self, "timeoutSeconds");
        int(self, "delaySeconds");
        let given = |k: &str| hc.get(k).is_some_and(|v| !v.is_null());
        // Marathon compares after filling the defaults (timeout 20, interval 60).
        let interval_ok = interval.is_some() || !given("intervalSeconds");
        let timeout_ok = timeout.is_some() || !given("timeoutSeconds");
        let (interval, timeout) = (interval.unwrap_or(60), timeout.unwrap_or(20));
        if interval_ok && timeout_ok && timeout >= interval {
            let tpath = at(&hpath, "timeoutSeconds");
            let (field, message) = if given("timeoutSeconds") {
                (
                    tpath.clone(),
                    format!("must be less than intervalSeconds ({interval}) (got {timeout})"),
                )
            } else {
                (
                    at(&hpath, "intervalSeconds"),
                    format!("must be greater than timeoutSeconds ({timeout} by default) (got {interval})"),
                )
            };
            if is_health {
                self.semantic(
                    field,
                    message,
                    marathon_path(&tpath),
                    format!("got {timeout}, expected less than {interval}"),
                );
            } else {
                self.local(field, message);
            }
        }
    }

    fn volume_mounts<'v>(
        &mut self,
        c: &'v Obj,
        path: &[Segment],
        ctx: &Context,
        mounted: &mut HashSet<&'v str>,
    ) {
        let Some(items) = self.array(c, path, "volumeMounts", false, 0) else {
            return;
        };
        let path = at(path, "volumeMounts");
        for (j, item) in items.iter().enumerate() {
            let mpath = idx(&path, j);
            let Some(mount) = self.item_object(item, &mpath, Shape::VolumeMount) else {
                continue;
            };
            if let Some(name) = self.name(mount, &mpath, "name") {
                mounted.insert(name);
                if let Some(volumes) = &ctx.volumes {
                    if !volumes.contains(name) {
                        let field = at(&mpath, "name");
                        self.semantic(
                            field.clone(),
                            format!(
                                "names volume {}, which is not declared in /volumes",
                                quote(name)
                            ),
                            marathon_path(&field),
                            "Referenced Volume in VolumeMount should exist",
                        );
                    }
                }
            }
            self.string(mount, &mpath, "mountPath", true, 1, 1024);
            self.boolean(mount, &mpath, "readOnly");
        }
    }

    fn artifacts(&mut self, c: &Obj, path: &[Segment]) {
        let Some(items) = self.array(c, path, "artifacts", false, 0) else {
            return;
        };
        let path = at(path, "artifacts");
        for (j, item) in items.iter().enumerate() {
            let apath = idx(&path, j);
            let Some(artifact) = self.item_object(item, &apath, Shape::Artifact) else {
                continue;
            };
            self.string(artifact, &apath, "uri", true, 1, 1024);
            for flag in ["extract", "executable", "cache"] {
                self.boolean(artifact, &apath, flag);
            }
            self.string(artifact, &apath, "destPath", false, 1, 1024);
        }
    }

    /// `linuxInfo` at pod or container level; returns whether seccomp is set (the pod-level rule).
    fn linux_info(&mut self, linux: &Obj, path: &[Segment]) -> bool {
        let mut has_seccomp = false;
        if let Some(seccomp) = self.object(linux, path, "seccomp", false, Shape::Seccomp) {
            has_seccomp = true;
            let spath = at(path, "seccomp");
            let profile = self
                .get(seccomp, &spath, "profileName", Kind::Str, false)
                .is_some();
            let unconfined = self.boolean(seccomp, &spath, "unconfined").unwrap_or(false);
            let container_level = path.len() > 1;
            if container_level && profile && unconfined {
                self.semantic(
                    at(&spath, "unconfined"),
                    "must be false when profileName is set",
                    marathon_path(&spath),
                    "Seccomp unconfined can NOT be true when Profile is defined",
                );
            } else if container_level && !profile && !unconfined {
                self.semantic(
                    at(&spath, "unconfined"),
                    "must be true when no profileName is set",
                    marathon_path(&spath),
                    "Seccomp unconfined must be true when Profile is NOT defined",
                );
            }
        }
        if let Some(ipc) = self.object(linux, path, "ipcInfo", false, Shape::IpcInfo) {
            let ipath = at(path, "ipcInfo");
            let mode = self.enumeration(ipc, &ipath, "mode", true, &["PRIVATE", "SHARE_PARENT"]);
            let shm = self.integer(ipc, &ipath, "shmSize", Kind::Int, None, None);
            let shm_given = ipc.get("shmSize").is_some_and(|v| !v.is_null());
            if mode == Some("SHARE_PARENT") && shm_given && shm.is_some() {
                self.semantic(
                    at(&ipath, "shmSize"),
                    "must not be set when mode is SHARE_PARENT",
                    marathon_path(&ipath),
                    "ipcInfo shmSize can NOT be set when mode is SHARE_PARENT",
                );
            }
        }
        has_seccomp
    }

    /// `volumes`; returns whether the pod is resident (has a persistent volume).
    ///
    /// Marathon reads a volume as persistent, secret, host or ephemeral, the first that parses: a
    /// volume whose persistent/secret/host part is malformed silently becomes an ephemeral one.
    /// podctl refuses those (the server form is `None`: Marathon would accept them).
    fn volumes(&mut self, pod: &Obj, ctx: &Context, mounted: &HashSet<&str>) -> bool {
        let mut resident = false;
        let Some(items) = self.array(pod, &[], "volumes", false, 0) else {
            return resident;
        };
        let path = at(&[], "volumes");
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let vpath = idx(&path, i);
            let Some(volume) = self.item_object(item, &vpath, Shape::Volume) else {
                continue;
            };
            let present = |k: &str| volume.get(k).is_some_and(|v| !v.is_null());
            let name = if present("persistent") || present("secret") {
                self.string(volume, &vpath, "name", true, 1, usize::MAX)
            } else {
                self.name(volume, &vpath, "name")
            };
            if present("persistent") {
                resident = true;
                self.persistent(volume, &vpath);
            } else if present("secret") {
                let field = at(&vpath, "secret");
                match volume.get("secret") {
                    Some(Value::String(s)) if s.is_empty() => {
                        self.local(field, "must not be empty")
                    }
                    Some(Value::String(s)) => {
                        let known = ctx
                            .secrets
                            .as_ref()
                            .is_some_and(|set| set.contains(s.as_str()));
                        if !known {
                            self.semantic(
                                field.clone(),
                                format!(
                                    "names secret {}, which is not declared in /secrets",
                                    quote(s)
                                ),
                                marathon_path(&field),
                                "volume.secret must refer to an existing secret",
                            );
                        }
                    }
                    Some(other) => {
                        self.local(field, format!("expected a string, got {}", describe(other)))
                    }
                    None => {}
                }
            } else if present("host") {
                let field = at(&vpath, "host");
                match volume.get("host") {
                    Some(Value::String(s)) if s.is_empty() => {
                        self.local(field, "must not be empty")
                    }
                    Some(Value::String(_)) | None => {}
                    Some(other) => {
                        self.local(field, format!("expected a string, got {}", describe(other)))
                    }
                }
            }
            let Some(name) = name else {
                continue;
            };
            match seen.get(name) {
                Some(first) => self.semantic(
                    at(&vpath, "name"),
                    format!(
                        "must be unique: {} is also used by /volumes/{first}",
                        quote(name)
                    ),
                    "/volumes",
                    "volume names must be unique",
                ),
                None => {
                    seen.insert(name, i);
                }
            }
            if !mounted.contains(name) {
                self.semantic(
                    vpath.clone(),
                    format!("volume {} is not mounted by any container", quote(name)),
                    marathon_path(&vpath),
                    "volume must be referenced by at least one container",
                );
            }
        }
        resident
    }

    fn persistent(&mut self, volume: &Obj, vpath: &[Segment]) {
        let ppath = at(vpath, "persistent");
        let before = self.problems.len();
        if let Some(p) = self.object(volume, vpath, "persistent", true, Shape::Persistent) {
            self.enumeration(p, &ppath, "type", false, &["root", "path", "mount"]);
            if p.get("size").is_none_or(Value::is_null) {
                self.parse(
                    at(&ppath, "size"),
                    "is required (MiB)",
                    "error.path.missing",
                );
            }
            self.integer(p, &ppath, "size", Kind::Long, Some(0), None);
            self.integer(p, &ppath, "maxSize", Kind::Long, Some(0), None);
            self.get(p, &ppath, "profileName", Kind::Str, false);
            if let Some(constraints) = self.array(p, &ppath, "constraints", false, 0) {
                let cpath = at(&ppath, "constraints");
                for (k, c) in constraints.iter().enumerate() {
                    let item = idx(&cpath, k);
                    if !self.kind_ok(c, &item, Kind::Arr) {
                        continue;
                    }
                    let parts = c.as_array().map(Vec::as_slice).unwrap_or_default();
                    if !(2..=3).contains(&parts.len()) {
                        self.parse(
                            item.clone(),
                            format!("must be [field, operator] or [field, operator, value] (got {} items)", parts.len()),
                            if parts.len() < 2 { "error.minLength" } else { "error.maxLength" },
                        );
                    }
                    self.strings(parts, &item);
                }
            }
        }
        // A malformed persistent part makes Marathon fall back to an ephemeral volume.
        for p in &mut self.problems[before..] {
            if p.severity == Severity::Error {
                p.server = ServerForm::None;
            }
        }
    }

    fn scaling(&mut self, pod: &Obj) {
        let Some(scaling) = self.object(pod, &[], "scaling", false, Shape::Scaling) else {
            return;
        };
        let path = at(&[], "scaling");
        // The kind is a discriminator: exact match, and Marathon reports it on /scaling.
        match scaling.get("kind") {
            Some(Value::String(k)) if k == "fixed" => {}
            Some(Value::String(k)) => self.parse(
                at(&path, "kind"),
                format!("must be exactly \"fixed\" (got {})", quote(k)),
                "error.expected.jsstring",
            ),
            None | Some(Value::Null) => self.parse(
                at(&path, "kind"),
                "is required and must be \"fixed\"",
                "error.expected.jsstring",
            ),
            Some(other) => self.parse(
                at(&path, "kind"),
                format!("must be exactly \"fixed\" (got {})", describe(other)),
                "error.expected.jsstring",
            ),
        }
        self.integer(scaling, &path, "instances", Kind::Int, Some(0), None);
    }

    fn scheduling(&mut self, pod: &Obj, resident: bool) {
        let Some(scheduling) = self.object(pod, &[], "scheduling", false, Shape::Scheduling) else {
            return;
        };
        let path = at(&[], "scheduling");
        if let Some(backoff) = self.object(scheduling, &path, "backoff", false, Shape::Backoff) {
            let bpath = at(&path, "backoff");
            for key in ["backoff", "backoffFactor", "maxLaunchDelay"] {
                self.number(backoff, &bpath, key, Some(0.0), None);
            }
        }
        if let Some(upgrade) = self.object(scheduling, &path, "upgrade", false, Shape::Upgrade) {
            let upath = at(&path, "upgrade");
            self.number(
                upgrade,
                &upath,
                "minimumHealthCapacity",
                Some(0.0),
                Some(1.0),
            );
            let over = self.number(upgrade, &upath, "maximumOverCapacity", Some(0.0), Some(1.0));
            if let Some(over) = over.filter(|&o| resident && o != 0.0) {
                self.semantic(
                    at(&upath, "maximumOverCapacity"),
                    format!(
                        "must be 0 for a pod with persistent volumes (got {})",
                        show(over)
                    ),
                    "/upgrade/maximumOverCapacity",
                    format!("got {}, expected 0.0", java_double(over)),
                );
            }
        }
        if let Some(placement) =
            self.object(scheduling, &path, "placement", false, Shape::Placement)
        {
            self.placement(placement, &at(&path, "placement"), resident);
        }
        self.enumeration(
            scheduling,
            &path,
            "killSelection",
            false,
            &["YOUNGEST_FIRST", "OLDEST_FIRST"],
        );
        self.unreachable(scheduling, &path, resident);
    }

    fn placement(&mut self, placement: &Obj, path: &[Segment], resident: bool) {
        if let Some(constraints) = self.array(placement, path, "constraints", false, 0) {
            let cpath = at(path, "constraints");
            for (i, item) in constraints.iter().enumerate() {
                let ipath = idx(&cpath, i);
                if let Some(c) = self.item_object(item, &ipath, Shape::Constraint) {
                    self.constraint(c, &ipath);
                }
            }
        }
        let Some(roles) = self.array(placement, path, "acceptedResourceRoles", false, 0) else {
            return;
        };
        let rpath = at(path, "acceptedResourceRoles");
        let roles = self.strings(roles, &rpath);
        for &(i, role) in &roles {
            if let Some((message, text)) = role_problem(role) {
                self.semantic(idx(&rpath, i), message, marathon_path(&rpath), text);
            }
        }
        if resident && !roles.is_empty() && roles.iter().any(|(_, r)| *r != "*") {
            self.semantic(
                rpath,
                "must be [\"*\"] (or absent) for a pod with persistent volumes",
                "/acceptedResourceRoles",
                "A resident pod must have `acceptedResourceRoles = [\"*\"]`.",
            );
        }
    }

    fn constraint(&mut self, c: &Obj, path: &[Segment]) {
        let field = self
            .get(c, path, "fieldName", Kind::Str, true)
            .and_then(Value::as_str);
        let operator = self.enumeration(
            c,
            path,
            "operator",
            true,
            &[
                "UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS",
            ],
        );
        let value = self
            .get(c, path, "value", Kind::Str, false)
            .and_then(Value::as_str);
        let value_given = c.get("value").is_some_and(|v| !v.is_null());
        let mpath = marathon_path(path);
        let (Some(field), Some(operator)) = (field, operator) else {
            return;
        };
        if value_given && value.is_none() {
            return;
        }
        let vpath = at(path, "value");
        if field.is_empty() {
            self.semantic(
                at(path, "fieldName"),
                "must not be empty",
                mpath,
                "missing field for constraint declaration",
            );
            return;
        }
        let problem: Option<(Vec<Segment>, String, &str)> = match (operator, value) {
            ("UNIQUE", Some(v)) => Some((
                vpath,
                format!("must not be set for UNIQUE (got {})", quote(v)),
                "UNIQUE does not accept a value",
            )),
            ("GROUP_BY", Some(v)) if !names::is_java_int(v) => Some((
                vpath,
                format!("must be an integer or absent for GROUP_BY (got {})", quote(v)),
                "GROUP BY must define an integer value or else no value at all",
            )),
            ("MAX_PER", None) => Some((
                path.to_vec(),
                "needs a value for MAX_PER: the maximum per group, an integer".to_string(),
                "MAX_PER requires an integer value",
            )),
            ("MAX_PER", Some(v)) if !names::is_java_int(v) => Some((
                vpath,
                format!("must be an integer for MAX_PER (got {})", quote(v)),
                "MAX_PER requires an integer value",
            )),
            ("LIKE" | "UNLIKE", None) => Some((
                path.to_vec(),
                format!("needs a value for {operator}: a regular expression"),
                "LIKE and UNLIKE require a non-empty, regular expression value",
            )),
            ("LIKE" | "UNLIKE", Some(v)) => names::java_regex_error(v).map(|why| {
                (
                    vpath,
                    format!("must be a valid regular expression: {} {why}", quote(v)),
                    "is not a valid regular expression",
                )
            }),
            ("IS", Some(v)) if !names::is_mesos_text(v) => Some((
                vpath,
                format!(
                    "must be a Mesos text or number: letters, digits, '_', '/', '.' and '-' (got {})",
                    quote(v)
                ),
                "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)",
            )),
            _ => None,
        };
        if let Some((at_path, message, text)) = problem {
            self.semantic(at_path, message, mpath, text);
        }
    }

    fn unreachable(&mut self, scheduling: &Obj, path: &[Segment], resident: bool) {
        let upath = at(path, "unreachableStrategy");
        let enabled = match scheduling.get("unreachableStrategy") {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("disabled") => false,
            Some(Value::Object(strategy)) => {
                self.unknown_fields(strategy, &upath, Shape::Unreachable);
                let inactive = self.integer(
                    strategy,
                    &upath,
                    "inactiveAfterSeconds",
                    Kind::Long,
                    Some(0),
                    None,
                );
                let expunge = self.integer(
                    strategy,
                    &upath,
                    "expungeAfterSeconds",
                    Kind::Long,
                    Some(0),
                    None,
                );
                let given = |k: &str| strategy.get(k).is_some_and(|v| !v.is_null());
                if let (Some(inactive), Some(expunge)) = (inactive, expunge) {
                    if inactive > expunge && given("inactiveAfterSeconds") {
                        // Marathon checks this for apps only; a pod would pass it to Mesos as is.
                        self.local(
                            at(&upath, "inactiveAfterSeconds"),
                            format!("must not be greater than expungeAfterSeconds ({expunge}) (got {inactive})"),
                        );
                    }
                }
                true
            }
            Some(other) => {
                let got = match other.as_str() {
                    Some(s) => quote(s),
                    None => describe(other).to_string(),
                };
                self.parse(
                    upath.clone(),
                    format!(
                        "must be \"disabled\" or an object with inactiveAfterSeconds and \
                         expungeAfterSeconds (got {got})"
                    ),
                    "error.expected.jsobject",
                );
                false
            }
        };
        if resident && enabled {
            self.semantic(
                upath,
                "must be \"disabled\" for a pod with persistent volumes",
                "/",
                "unreachableStrategy must be disabled for pods with persistent volumes",
            );
        }
    }
}

/// Marathon's role-name rules (`ResourceRole.validResourceRole`), as (podctl, Marathon) wording.
fn role_problem(role: &str) -> Option<(String, String)> {
    let text = match role {
        "" => "A role name must not be \"\".".to_string(),
        "." => "A role name must not be \".\".".to_string(),
        ".." => "A role name must not be \"..\".".to_string(),
        r if r.starts_with('-') => "A role name must not start with a '-'.".to_string(),
        r => {
            let bad = r.chars().find_map(|c| match c {
                '\t' => Some("horizontal tab (\\x09)"),
                '\n' => Some("line feed (\\x0a)"),
                '\u{b}' => Some("vertical tab (\\x0b)"),
                '\u{c}' => Some("form feed (\\x0c)"),
                '\r' => Some("carriage return (\\x0d)"),
                ' ' => Some("space (\\x20)"),
                '/' => Some("slash (\\x2f)"),
                '\u{7f}' => Some("backspace (\\x7f)"),
                _ => None,
            })?;
            format!("A role name must not include a {bad} character.")
        }
    };
    Some((
        format!("{} is not a valid role name: {text}", quote(role)),
        text,
    ))
}

/// The integer in `v` when it is a whole number in range for `kind` (1.0 counts, as in Marathon).
fn integer(v: &Value, kind: Kind) -> Option<i64> {
    let n = match v.as_i64() {
        Some(n) => n,
        None => {
            let x = v.as_f64()?;
            if x.fract() != 0.0 || !(-9.2e18..9.2e18).contains(&x) {
                return None;
            }
            x as i64
        }
    };
    match kind {
        Kind::Int => i32::try_from(n).ok().map(i64::from),
        _ => Some(n),
    }
}
