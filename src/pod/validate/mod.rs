//! Checks a pod definition before anything is sent, and reports every problem with its JSON path.
//!
//! Pure functions over `serde_json::Value`, so a definition of the wrong shape is still checked
//! field by field instead of failing at the first type error. The rules are Marathon 1.10's
//! (`PodsValidation.scala` and the RAML types); each problem also carries the form in which
//! Marathon itself would report it, which the simulator answers with. Nothing here does I/O.
//!
//! `schema` is the one table of every field (type, required, bounds, parse-time error key; it
//! drives the type checks and the unknown-field warnings), `rules/` walks a definition through it
//! and applies the rules, one file per section (pod, containers, networks and endpoints, volumes,
//! health checks, scheduling, environment and secrets), and `names` holds the string patterns.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

mod names;
mod rules;
mod schema;
#[cfg(test)]
mod tests;

/// One step of a path into a definition: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// How bad a problem is. The rule: an error only where Marathon refuses the definition; a warning
/// where Marathon accepts something that will not work or is probably a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The definition must not be sent: Marathon refuses it (or podctl cannot send it).
    Error,
    /// Marathon accepts it, but it is probably a mistake (an unknown field, a value Marathon
    /// ignores or passes on as is); the message says what Marathon will do. `--strict` turns
    /// these into errors.
    Warning,
    /// Fine on a cluster that provides what the definition relies on (a feature, a role, a Mesos
    /// version, a default network), refused on one that does not: only the server can tell.
    /// Shown as a warning, and never an error, `--strict` or not, so a correct definition
    /// always passes.
    Cluster,
}

/// How Marathon 1.10 itself reports this problem (the simulator answers with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerForm {
    /// Parse-time failure: 422 `{"message":"Invalid JSON","details":[{path, errors:[key]}]}` with
    /// a key such as `error.path.missing`, `error.expected.jsstring` or `error.min`, reported at
    /// the problem's own path.
    Parse(&'static str),
    /// Semantic failure: 422 `{"message":"Object is not valid","details":[{path, errors:[text]}]}`
    /// with Marathon's exact text, at Marathon's path (which may be an enclosing object).
    Semantic { path: String, text: String },
    /// podctl-only (unknown-field warnings, rules Marathon does not check): Marathon accepts it.
    None,
}

/// One problem: where, what, how bad, and how Marathon would say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<Segment>,
    pub message: String,
    pub severity: Severity,
    pub server: ServerForm,
}

impl Problem {
    /// A podctl-only error at `path` (JSON syntax errors, id mismatches).
    pub fn error(path: Vec<Segment>, message: impl Into<String>) -> Problem {
        Problem {
            path,
            message: message.into(),
            severity: Severity::Error,
            server: ServerForm::None,
        }
    }

    /// A podctl-only error at a JSON pointer such as `/id` (`""` for the whole document).
    pub fn new(pointer: &str, message: impl Into<String>) -> Problem {
        Problem::error(parse_pointer(pointer), message)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The problem as an error, when `--strict` makes warnings errors; a problem that depends on
    /// the cluster stays a warning.
    pub fn strict(mut self) -> Problem {
        if self.severity == Severity::Warning {
            self.severity = Severity::Error;
        }
        self
    }

    /// The JSON pointer of the field: `/containers/1/resources/cpus` (`""` for the root).
    pub fn pointer(&self) -> String {
        pointer(&self.path)
    }

    /// The problem as one line of text: `SOURCE: POINTER: PREFIXMESSAGE` (no pointer for the
    /// root). Control characters, which keys, values and file names may contain, are escaped
    /// (`\n`, `\u{1b}`): a problem stays one line, and a definition cannot drive the terminal.
    pub fn line(&self, source: &str, prefix: &str) -> String {
        let pointer = self.pointer();
        let line = if pointer.is_empty() {
            format!("{source}: {prefix}{}", self.message)
        } else {
            format!("{source}: {pointer}: {prefix}{}", self.message)
        };
        crate::pod::text::printable(&line).into_owned()
    }

    /// The path in Marathon's style: `/containers(1)/resources/cpus` (`/` for the root).
    pub fn marathon_path(&self) -> String {
        marathon_path(&self.path)
    }
}

/// The JSON pointer (RFC 6901) of a path.
pub fn pointer(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            Segment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// A path as Marathon writes it: `/` between fields, `(n)` glued on for array indexes.
pub fn marathon_path(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                out.push('/');
                out.push_str(key);
            }
            Segment::Index(i) => out.push_str(&format!("({i})")),
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn parse_pointer(pointer: &str) -> Vec<Segment> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|raw| match raw.parse::<usize>() {
            Ok(i) if !raw.starts_with('+') => Segment::Index(i),
            _ => Segment::Key(raw.replace("~1", "/").replace("~0", "~")),
        })
        .collect()
}

/// A definition that must not be sent: the source it came from and all its problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// A file name, `stdin` or a URL.
    pub source: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&p.line(&self.source, ""))?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// Every problem in the definition, errors and warnings, in document order. Never panics, never
/// hangs, on any JSON.
pub fn validate(definition: &Value) -> Vec<Problem> {
    let mut problems = rules::walk(definition);
    let mut positions = Positions::default();
    let mut keyed: Vec<(Vec<usize>, Problem)> = problems
        .drain(..)
        .map(|p| (positions.order_key(definition, &p.path), p))
        .collect();
    // Stable: problems at the same place keep the order the rules found them in.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, p)| p).collect()
}

/// Only the errors of [`validate`]: what stops a definition from being sent.
pub fn check(definition: &Value) -> Vec<Problem> {
    let mut problems = validate(definition);
    problems.retain(Problem::is_error);
    problems
}

/// Document order of paths: each key is ranked by its position in its object (as written, the
/// crate keeps key order), each index by itself; a missing field sorts after the present ones.
/// Key positions are indexed once per object so huge objects stay linear.
#[derive(Default)]
struct Positions<'v> {
    objects: HashMap<*const serde_json::Map<String, Value>, HashMap<&'v str, usize>>,
}

impl<'v> Positions<'v> {
    fn order_key(&mut self, document: &'v Value, path: &[Segment]) -> Vec<usize> {
        let mut key = Vec::with_capacity(path.len());
        let mut current = Some(document);
        for segment in path {
            let (rank, next) = match (segment, current) {
                (Segment::Key(k), Some(Value::Object(map))) => {
                    let ranks = self.objects.entry(map as *const _).or_insert_with(|| {
                        map.keys()
                            .enumerate()
                            .map(|(i, k)| (k.as_str(), i))
                            .collect()
                    });
                    match ranks.get(k.as_str()) {
                        Some(&rank) => (rank, map.get(k)),
                        None => (usize::MAX, None),
                    }
                }
                (Segment::Index(i), Some(Value::Array(items))) => (*i, items.get(*i)),
                (Segment::Index(i), _) => (*i, None),
                (Segment::Key(_), _) => (usize::MAX, None),
            };
            key.push(rank);
            current = next;
        }
        key
    }
}
