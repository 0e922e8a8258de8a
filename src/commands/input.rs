//! Reading a pod definition from a file, stdin or a URL, and the checks made before sending it.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cli::Source;
use crate::exit::{Exit, Failure};
use crate::pod::validate::{self, Invalid, Problem};
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

/// Reads and checks a definition. With `expected`, a missing `id` is filled in and a different
/// one is refused: `pod update /a` must never change pod `/b`.
pub fn load(source: &Source, expected: Option<&PodId>) -> Result<Loaded> {
    let (name, bytes) = read(source)?;
    let invalid = |problems: Vec<Problem>| Invalid {
        source: name.clone(),
        problems,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(vec![Problem::new(
            "",
            "is empty; expected a JSON pod definition",
        )])
        .into());
    }
    let mut value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(vec![Problem::new("", format!("invalid JSON: {e}"))]))?;
    if let (Some(expected), Some(object)) = (expected, value.as_object_mut()) {
        if object.get("id").is_none_or(Value::is_null) {
            object.insert("id".into(), Value::String(expected.to_string()));
        }
    }
    let problems = validate::check(&value);
    if !problems.is_empty() {
        return Err(invalid(problems).into());
    }
    let raw_id = value.get("id").and_then(Value::as_str).unwrap_or_default();
    let id = PodId::lenient(raw_id);
    if let Some(expected) = expected {
        if &id != expected {
            return Err(invalid(vec![Problem::new(
                "/id",
                format!("is \"{id}\", but the pod being updated is \"{expected}\""),
            )])
            .into());
        }
    }
    Ok(Loaded { value, id })
}

fn read(source: &Source) -> Result<(String, Vec<u8>)> {
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
