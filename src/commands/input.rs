//! Reading a pod definition from a file, stdin or a URL, and the checks made before sending it.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cli::{CheckArgs, Source};
use crate::exit::{Exit, Failure};
use crate::pod::text::{self, MAX_DEFINITION_BYTES};
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
            eprintln!("warning: {}", w.line(&name, ""));
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

/// Parses definition text (see [`text::parse_definition`]): an empty, oversized, non-UTF-8 or
/// malformed text, or one with a repeated key, is an [`Invalid`] naming where.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Value, Invalid> {
    text::parse_definition(name, bytes)
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

/// Reads the raw text of a definition, at most [`MAX_DEFINITION_BYTES`] of it: anything
/// bigger is refused as [`Invalid`] before parsing, without reading the rest.
pub fn read(source: &Source) -> Result<(String, Vec<u8>)> {
    match source {
        Source::Stdin => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Reading the pod definition from stdin (end with Ctrl-D)...");
            }
            let name = "stdin".to_string();
            let bytes = read_bounded(stdin.lock(), 0)
                .context("reading pod definition from stdin")?
                .ok_or_else(|| text::too_large(&name, None))?;
            Ok((name, bytes))
        }
        Source::File(path) => {
            let name = path.display().to_string();
            let fail = |what: String| {
                Failure::new(
                    Exit::Failure,
                    format!("reading pod definition from {name}: {what}"),
                )
            };
            let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
            let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
            if meta.is_dir() {
                return Err(fail("is a directory, not a file".into()).into());
            }
            // The size of a regular file is known up front; a FIFO or a device says 0.
            if meta.is_file() && meta.len() > MAX_DEFINITION_BYTES as u64 {
                return Err(text::too_large(&name, Some(meta.len())).into());
            }
            let bytes = read_bounded(file, meta.len())
                .map_err(|e| fail(e.to_string()))?
                .ok_or_else(|| text::too_large(&name, None))?;
            Ok((name, bytes))
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
            let length = resp.content_length().unwrap_or(0);
            if length > MAX_DEFINITION_BYTES as u64 {
                return Err(text::too_large(url, Some(length)).into());
            }
            let bytes = read_bounded(resp, length)
                .map_err(|e| fail(root_cause(&e)))?
                .ok_or_else(|| text::too_large(url, None))?;
            Ok((url.clone(), bytes))
        }
    }
}

/// Reads to the end, but never more than one byte past the limit: a 50 GB file or an endless
/// stream costs 10 MiB, not the machine. `hint` is the expected size, if known; `None` means
/// the text is over the limit.
fn read_bounded(reader: impl Read, hint: u64) -> std::io::Result<Option<Vec<u8>>> {
    let cap = MAX_DEFINITION_BYTES as u64 + 1;
    let mut bytes = Vec::with_capacity(hint.min(cap) as usize);
    reader.take(cap).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= MAX_DEFINITION_BYTES).then_some(bytes))
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
