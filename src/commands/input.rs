//! Reading a pod definition from a file, stdin or a URL, and the checks made before sending it.

use std::io::{IsTerminal, Read};

use anyhow::{Context, Result};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, LOCATION};
use reqwest::Method;
use serde_json::Value;

use super::Ctx;
use crate::cli::{CheckArgs, Source};
use crate::config::{Tls, DEFAULT_TIMEOUT};
use crate::error::InputError;
use crate::http::{Http, Options, Request};
use crate::pod::text::{self, MAX_DEFINITION_BYTES};
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

/// Reads and checks a definition; warnings go to stderr. With `expected`, a missing `id` is
/// filled in and a different one is refused: `pod update /a` must never change pod `/b`.
pub fn load(
    ctx: &Ctx,
    source: &Source,
    expected: Option<&PodId>,
    checks: &CheckArgs,
) -> Result<Loaded> {
    let (name, bytes) = read(ctx, source)?;
    let (loaded, warnings) = check(&name, &bytes, expected, checks)?;
    for w in warnings {
        eprintln!("warning: {}", w.line(&name, ""));
    }
    Ok(loaded)
}

/// Parses and checks definition text read from `name`, as [`load`] does, and returns it with
/// its warnings. The errors are in one [`Invalid`]: the validator's, or else a different id.
pub fn check(
    name: &str,
    bytes: &[u8],
    expected: Option<&PodId>,
    checks: &CheckArgs,
) -> Result<(Loaded, Vec<Problem>), Invalid> {
    let mut value = parse(name, bytes)?;
    if let (Some(expected), Some(object)) = (expected, value.as_object_mut()) {
        if object.get("id").is_none_or(Value::is_null) {
            object.insert("id".into(), Value::String(expected.to_string()));
        }
    }
    let (mut errors, warnings) = if checks.no_validate {
        (Vec::new(), Vec::new())
    } else {
        examine(&value, checks.strict)
    };
    let raw_id = value.get("id").and_then(Value::as_str).unwrap_or_default();
    let id = PodId::lenient(raw_id);
    // A definition the validator refuses is reported for that alone: its id may be the mistake.
    if let Some(expected) = expected.filter(|_| errors.is_empty()) {
        if &id != expected {
            errors.push(Problem::new(
                "/id",
                format!("is \"{id}\", but the pod named on the command line is \"{expected}\""),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Invalid {
            source: name.to_string(),
            problems: errors,
        });
    }
    Ok((Loaded { value, id }, warnings))
}

/// Parses definition text (see [`text::parse_definition`]): an empty, oversized, non-UTF-8 or
/// malformed text, or one with a repeated key, is an [`Invalid`] naming where.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Value, Invalid> {
    text::parse_definition(name, bytes)
}

/// Splits the validator's findings into errors and warnings; `strict` makes warnings errors,
/// except those that depend on the cluster.
pub fn examine(value: &Value, strict: bool) -> (Vec<Problem>, Vec<Problem>) {
    validate::validate(value)
        .into_iter()
        .map(|p| if strict { p.strict() } else { p })
        .partition(Problem::is_error)
}

/// Reads the raw text of a definition, at most [`MAX_DEFINITION_BYTES`] of it: anything
/// bigger is refused as [`Invalid`] before parsing, without reading the rest.
pub fn read(ctx: &Ctx, source: &Source) -> Result<(String, Vec<u8>)> {
    match source {
        Source::Stdin => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Reading the pod definition from stdin (end with Ctrl-D)...");
            }
            let name = "stdin".to_string();
            let bytes = read_bounded(stdin.lock(), 0)
                .map_err(|source| InputError::Read {
                    name: name.clone(),
                    source,
                })?
                .ok_or_else(|| text::too_large(&name, None))?;
            Ok((name, bytes))
        }
        Source::File(path) => {
            let name = path.display().to_string();
            let fail = |source| InputError::Read {
                name: name.clone(),
                source,
            };
            let file = std::fs::File::open(path).map_err(fail)?;
            let meta = file.metadata().map_err(fail)?;
            if meta.is_dir() {
                return Err(InputError::Directory { name }.into());
            }
            // The size of a regular file is known up front; a FIFO or a device says 0.
            if meta.is_file() && meta.len() > MAX_DEFINITION_BYTES as u64 {
                return Err(text::too_large(&name, Some(meta.len())).into());
            }
            let bytes = read_bounded(file, meta.len())
                .map_err(fail)?
                .ok_or_else(|| text::too_large(&name, None))?;
            Ok((name, bytes))
        }
        Source::Url(url) => fetch(ctx, url),
    }
}

/// Fetches a definition with the same HTTP settings as every other request (TLS trust, the
/// request timeout for the whole exchange, `--verbose`, no redirects, proxies from the
/// environment) and the definition size limit. It never carries credentials: the URL is not
/// Marathon's.
fn fetch(ctx: &Ctx, url: &str) -> Result<(String, Vec<u8>)> {
    let shown = text::printable(url).into_owned();
    // The cluster's TLS settings when they resolve; `pod validate` needs no cluster, so the
    // flags alone otherwise.
    let (tls, timeout) = match ctx.resolve(false) {
        Ok(s) => (s.tls, s.timeout),
        Err(_) => (
            Tls {
                ca_cert: ctx.global.ca_cert.clone(),
                insecure: ctx.global.insecure,
            },
            ctx.global.request_timeout.unwrap_or(DEFAULT_TIMEOUT),
        ),
    };
    super::warn_if_unverified(url, tls.insecure);
    let mut options = Options::new(url, tls, timeout);
    // One byte over the limit is enough to know the text is too large.
    options.max_body = MAX_DEFINITION_BYTES as u64;
    options.log = ctx.log();
    let http = Http::new(options)?;
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let reply = http
        .send(Request {
            method: Method::GET,
            url,
            headers,
            body: None,
            deadline: None,
        })
        .map_err(|e| match e.kind {
            crate::http::Kind::TooLarge { announced, .. } => {
                text::too_large(&shown, announced).into()
            }
            _ => anyhow::Error::new(e).context(format!("fetching pod definition from {shown}")),
        })?;
    if reply.status.is_redirection() {
        let location = reply
            .headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        return Err(InputError::Redirect {
            url: shown,
            status: reply.status,
            location: crate::marathon::clip(location),
        }
        .into());
    }
    if !reply.status.is_success() {
        return Err(InputError::Status {
            url: shown,
            status: reply.status,
        }
        .into());
    }
    Ok((url.to_string(), reply.body))
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
