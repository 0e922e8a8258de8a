//! The walk over a definition: JSON types, required fields, RAML facets (Marathon's parse-time
//! checks) and the semantic rules of `PodsValidation` and the validators it uses, Marathon 1.10.
//!
//! This module holds the walker and its typed access to fields; the rules live in one file per
//! section of the definition: `pod` (id, user, role, scaling, executor; it walks the others in
//! Marathon's order), `containers`, `networks` (and endpoints), `volumes` (and mounts), `health`
//! (health checks), `scheduling` (placement, constraints, upgrade, backoff, unreachable, kill
//! selection) and `environment` (and secrets).
//!
//! Every check reports and carries on, so one run finds every problem. The walk never recurses
//! into values it does not understand (label values, unknown fields), so its depth is bounded by
//! the schema whatever the input; uniqueness checks use hash maps.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::names;
use super::schema::{unknown_field_message, Bounds, Field, Kind, Pattern, Shape};
use super::{Problem, Segment, ServerForm, Severity};
use crate::pod::text::kind_of as describe;

mod containers;
mod environment;
mod health;
mod networks;
mod pod;
mod scheduling;
mod volumes;

use networks::Nets;

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
    /// Keys of `secrets` (none when it is absent, as Marathon's default is an empty map); `None`
    /// when `secrets` has the wrong type, and then references are not checked.
    secrets: Option<HashSet<&'v str>>,
    nets: Nets,
    /// Names of the declared volumes, unless `volumes` has the wrong type.
    volumes: Option<HashSet<&'v str>>,
    legacy_cgroups: bool,
}

#[derive(Default)]
struct Walker {
    problems: Vec<Problem>,
    /// Fields a rule asked for that the schema lacks: a bug in podctl, which a test looks for.
    missing_rows: Vec<(Shape, String)>,
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

    /// A warning: Marathon accepts it, but it is probably a mistake; the message says what
    /// Marathon will do with it.
    fn warn(&mut self, path: Vec<Segment>, message: impl Into<String>) {
        self.push(path, message.into(), Severity::Warning, ServerForm::None);
    }

    /// A warning that the definition relies on something only the cluster can tell (a feature,
    /// a role, the Mesos version, a default network); the message starts by saying so.
    fn cluster(&mut self, path: Vec<Segment>, message: impl std::fmt::Display) {
        self.push(
            path,
            format!("depends on the cluster: {message}"),
            Severity::Cluster,
            ServerForm::None,
        );
    }

    // ---- typed access, driven by the schema ---------------------------------------------------

    /// The schema row of `key` in `shape`. A field the table lacks goes unchecked, and is noted.
    fn row(&mut self, shape: Shape, key: &str) -> Option<&'static Field> {
        let row = shape.field(key);
        if row.is_none() {
            self.missing_rows.push((shape, key.to_string()));
        }
        row
    }

    /// Checks that `v` has the JSON type `kind`; reports at `path` with `key` when not.
    fn kind_ok(&mut self, v: &Value, path: &[Segment], kind: Kind, key: &'static str) -> bool {
        if !kind.accepts(v) {
            let got = describe(v);
            self.parse(
                path.to_vec(),
                format!("expected {}, got {got}", kind.name()),
                key,
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

    /// The value of field `key` of `obj` (an object of `shape` at `path`) when present, not null
    /// and of the row's type. Reports a missing required field and wrong types; `null` counts as
    /// absent.
    fn get<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        shape: Shape,
        key: &str,
    ) -> Option<&'v Value> {
        let row = self.row(shape, key)?;
        self.get_row(obj, path, row)
    }

    fn get_row<'v>(&mut self, obj: &'v Obj, path: &[Segment], row: &Field) -> Option<&'v Value> {
        match obj.get(row.name) {
            None => {
                if row.required {
                    self.parse(at(path, row.name), "is required", "error.path.missing");
                }
                None
            }
            Some(Value::Null) => {
                if row.required {
                    self.parse(
                        at(path, row.name),
                        format!("is required (got null; expected {})", row.kind.name()),
                        row.key,
                    );
                }
                None
            }
            Some(v) => self
                .kind_ok(v, &at(path, row.name), row.kind, row.key)
                .then_some(v),
        }
    }

    /// An object field; its unknown fields are reported as warnings.
    fn object<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        shape: Shape,
        key: &str,
    ) -> Option<&'v Obj> {
        let row = self.row(shape, key)?;
        let Kind::Obj(inner) = row.kind else {
            return None;
        };
        let o = self.get_row(obj, path, row)?.as_object()?;
        self.unknown_fields(o, &at(path, key), inner);
        Some(o)
    }

    /// An item of the array (or a value of the map) `key` of `shape`, which must be an object.
    fn item_object<'v>(
        &mut self,
        v: &'v Value,
        path: &[Segment],
        shape: Shape,
        key: &str,
    ) -> Option<&'v Obj> {
        let row = self.row(shape, key)?;
        let (Kind::Arr(&Kind::Obj(inner)) | Kind::Map(&Kind::Obj(inner))) = row.kind else {
            return None;
        };
        let kind = Kind::Obj(inner);
        if !self.kind_ok(v, path, kind, kind.key()) {
            return None;
        }
        let o = v.as_object()?;
        self.unknown_fields(o, path, inner);
        Some(o)
    }

    fn unknown_fields(&mut self, o: &Obj, path: &[Segment], shape: Shape) {
        for key in o.keys() {
            if !shape.knows(key) {
                self.warn(at(path, key), unknown_field_message(shape, key));
            }
        }
    }

    /// An array field, with its least number of items.
    fn array<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        shape: Shape,
        key: &str,
    ) -> Option<&'v Vec<Value>> {
        let row = self.row(shape, key)?;
        let items = self.get_row(obj, path, row)?.as_array()?;
        if let Bounds::Items(min_items) = row.bounds {
            if items.len() < min_items {
                self.parse(at(path, key), "must not be empty", "error.minLength");
            }
        }
        Some(items)
    }

    fn boolean(&mut self, obj: &Obj, path: &[Segment], shape: Shape, key: &str) -> Option<bool> {
        self.get(obj, path, shape, key)?.as_bool()
    }

    /// A string field with its length limits and pattern; the string is returned even when it
    /// breaks them.
    fn string<'v>(
        &mut self,
        obj: &'v Obj,
        path: &[Segment],
        shape: Shape,
        key: &str,
    ) -> Option<&'v str> {
        let row = self.row(shape, key)?;
        self.string_row(obj, path, row)
    }

    fn string_row<'v>(&mut self, obj: &'v Obj, path: &[Segment], row: &Field) -> Option<&'v str> {
        let s = self.get_row(obj, path, row)?.as_str()?;
        let path = at(path, row.name);
        if let Bounds::Len(min_len, max_len) = row.bounds {
            if !self.length(s, &path, min_len, max_len) {
                return Some(s);
            }
        }
        match row.pattern {
            Some(Pattern::Name) if !names::is_name(s) => self.parse(
                path,
                format!(
                    "must be lowercase letters, digits and '-', starting and ending with a letter \
                     or digit (got {})",
                    quote(s)
                ),
                "error.pattern",
            ),
            Some(Pattern::NetworkName) if !names::is_network_name(s) => self.parse(
                path,
                format!(
                    "must be lowercase letters, digits, '-' and '_', starting and ending with a \
                     letter or digit (got {})",
                    quote(s)
                ),
                "error.pattern",
            ),
            Some(Pattern::DateTime) if !names::is_offset_date_time(s) => self.parse(
                path,
                format!(
                    "must be a date and time with an offset, such as 2024-01-31T12:00:00.000Z \
                     (got {})",
                    quote(s)
                ),
                "error.expected.date.isoformat",
            ),
            _ => {}
        }
        Some(s)
    }

    /// Reports a length outside `min_len..=max_len` (UTF-16 units, as Java counts); true when
    /// inside.
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

    /// A number field within its row's `minimum`/`maximum`; `None` when outside.
    fn number(&mut self, obj: &Obj, path: &[Segment], shape: Shape, key: &str) -> Option<f64> {
        let row = self.row(shape, key)?;
        let v = self.get_row(obj, path, row)?;
        let x = v.as_f64()?;
        self.bounds(x, v, &at(path, key), row.bounds).then_some(x)
    }

    fn bounds(&mut self, x: f64, v: &Value, path: &[Segment], bounds: Bounds) -> bool {
        let Bounds::Range(min, max) = bounds else {
            return true;
        };
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

    /// An integer field (32 or 64 bits, as its row says) within its `minimum`/`maximum`.
    fn integer(&mut self, obj: &Obj, path: &[Segment], shape: Shape, key: &str) -> Option<i64> {
        let row = self.row(shape, key)?;
        let v = self.get_row(obj, path, row)?;
        let n = integer(v, row.kind)?;
        // Integers up to 2^63 are exact in f64 comparisons against these small bounds.
        self.bounds(n as f64, v, &at(path, key), row.bounds)
            .then_some(n)
    }

    /// An enum field, matched case-insensitively as Marathon does; returns the canonical value.
    fn enumeration(
        &mut self,
        obj: &Obj,
        path: &[Segment],
        shape: Shape,
        key: &str,
    ) -> Option<&'static str> {
        let row = self.row(shape, key)?;
        let Kind::Enum(values) = row.kind else {
            return None;
        };
        let v = match obj.get(key) {
            None | Some(Value::Null) => {
                if row.required {
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
            self.parse(at(path, key), message, row.key);
        }
        found.copied()
    }

    /// A map of strings (`label.KVLabels`).
    fn labels(&mut self, obj: &Obj, path: &[Segment], shape: Shape, key: &str) {
        let Some(labels) = self.get(obj, path, shape, key).and_then(Value::as_object) else {
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
            if self.kind_ok(item, &idx(path, i), Kind::Str, Kind::Str.key()) {
                out.extend(item.as_str().map(|s| (i, s)));
            }
        }
        out
    }
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;

    /// A value of `kind` with every field of every object, built from the schema alone.
    fn sample(kind: Kind) -> Value {
        match kind {
            Kind::Str => json!("x"),
            Kind::Num | Kind::Int | Kind::Long => json!(1),
            Kind::Bool => json!(true),
            Kind::Obj(shape) => Value::Object(
                shape
                    .fields()
                    .iter()
                    .map(|f| (f.name.to_string(), sample(f.kind)))
                    .collect::<Map<_, _>>(),
            ),
            Kind::Arr(item) => json!([sample(*item)]),
            Kind::Map(item) => json!({ "k": sample(*item) }),
            Kind::Enum(values) => json!(values.first().copied().unwrap_or_default()),
            // The object side has fields to visit.
            Kind::Either(a, b) => sample(if matches!(b, Kind::Obj(_)) { *b } else { *a }),
        }
    }

    fn walker_over(definition: &Value) -> Walker {
        let mut w = Walker::default();
        if let Some(pod) = definition.as_object() {
            w.pod(pod);
        }
        w
    }

    #[test]
    fn every_field_the_rules_read_has_a_row() {
        let full = sample(Kind::Obj(Shape::Pod));
        assert!(full["containers"][0]["healthCheck"]["exec"]["command"]["argv"].is_array());
        for definition in [full, json!({}), json!({"containers": [{}]})] {
            let w = walker_over(&definition);
            assert_eq!(w.missing_rows, [], "{definition}");
            let unknown: Vec<_> = w
                .problems
                .iter()
                .filter(|p| p.message.starts_with("unknown field"))
                .map(|p| (p.pointer(), &p.message))
                .collect();
            assert_eq!(unknown, [], "every field of the table is known");
        }
        // A rule asking for a field the table lacks is noted.
        let mut w = Walker::default();
        assert_eq!(w.get(&Map::new(), &[], Shape::Pod, "nope"), None);
        assert_eq!(w.missing_rows, [(Shape::Pod, "nope".to_string())]);
    }
}
