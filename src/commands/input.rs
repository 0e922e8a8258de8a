//! Reading a pod definition from a file, stdin or a URL, and the checks made before sending it.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cli::{CheckArgs, Source};
use crate::exit::{Exit, Failure};
use crate::pod::validate::{self, Invalid, Problem, Severity};
use crate::pod::PodId;

/// A definition that passed the local checks, ready to send.
pub struct Loaded {
    pub value: Value,
    pub id: PodId,
}

impl Loaded {
    pub fn body(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(&self.value).context("encoding the pod definition")
    }
}

/// Reads and checks a definition; warnings go to stderr. With `expected`, a missing `id` is
/// filled in and a different one is refused: `pod update /a` must never change pod `/b`.
pub fn load(source: &Source, expected: Option<&PodId>, checks: &CheckArgs) -> Result<Loaded> {
    let (name, bytes) = read(source)?;
    let mut value = parse(&name, &bytes)?;
    if let (Some(expected), Some(object)) = (expected, value.as_object_mut()) {
        if object.get("id").is_none_or(Value::is_null) {
            object.insert("id".into(), Value::String(expected.to_string()));
        }
    }
    if !checks.no_validate {
        let (errors, warnings) = examine(&value, checks.strict);
        if !errors.is_empty() {
            return Err(Invalid {
                source: name,
                problems: errors,
            }
            .into());
        }
        for w in warnings {
            eprintln!("warning: {name}: {}: {}", w.pointer(), w.message);
        }
    }
    let raw_id = value.get("id").and_then(Value::as_str).unwrap_or_default();
    let id = PodId::lenient(raw_id);
    if let Some(expected) = expected {
        if &id != expected {
            return Err(Invalid {
                source: name,
                problems: vec![Problem::new(
                    "/id",
                    format!("is \"{id}\", but the pod being updated is \"{expected}\""),
                )],
            }
            .into());
        }
    }
    Ok(Loaded { value, id })
}

/// Parses definition text; an empty or malformed text is an [`Invalid`] naming line and column.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Value, Invalid> {
    let invalid = |message: String| Invalid {
        source: name.to_string(),
        problems: vec![Problem::new("", message)],
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid("is empty; expected a JSON pod definition".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| invalid(format!("invalid JSON: {e}")))
}

/// Splits the validator's findings into errors and warnings; `strict` makes warnings errors.
pub fn examine(value: &Value, strict: bool) -> (Vec<Problem>, Vec<Problem>) {
    validate::validate(value)
        .into_iter()
        .map(|mut p| {
            if strict {
                p.severity = Severity::Error;
            }
            p
        })
        .partition(Problem::is_error)
}

/// Reads the raw text of a definition.
pub fn read(source: &Source) -> Result<(String, Vec<u8>)> {
    match source {
        Source::Stdin => {
            let mut stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Reading the pod definition from stdin (end with Ctrl-D)...");
            }
            let mut bytes = Vec::new();
            stdin
                .read_to_end(&mut bytes)
                .context("reading pod definition from stdin")?;
            Ok(("stdin".to_string(), bytes))
        }
        Source::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| {
                Failure::new(
                    Exit::Failure,
                    format!("reading pod definition from {}: {e}", path.display()),
                )
            })?;
            Ok((path.display().to_string(), bytes))
        }
        Source::Url(url) => {
            let fail = |what: String| {
                Failure::new(
                    Exit::Failure,
                    format!("fetching pod definition from {url}: {what}"),
                )
            };
            let client = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .map_err(|e| fail(e.to_string()))?;
            let resp = client.get(url).send().map_err(|e| fail(root_cause(&e)))?;
            if !resp.status().is_success() {
                return Err(fail(format!("HTTP {}", resp.status())).into());
            }
            let bytes = resp.bytes().map_err(|e| fail(root_cause(&e)))?;
            Ok((url.clone(), bytes.to_vec()))
        }
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
