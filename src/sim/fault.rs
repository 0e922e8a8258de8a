//! `podctl sim --fault`: the broken servers and proxies a client must survive, chosen per request.
//!
//! A spec `METHOD PATH=KIND[xN]` names which requests break (`*` matches any method or path; the
//! path is compared exactly, without the query) and how. This module parses specs, decides which
//! rule a request falls under, and generates the endless body of `huge`; how each kind goes on
//! the wire is `server`'s business, and the HTML pages are `error`'s. No I/O here.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How a faulty request is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// That status with an HTML page, as Jetty (500) or a proxy (502, 503, 504) writes it.
    Html(u16),
    /// 200, `application/json`, the real body cut in half.
    Truncated,
    /// 200 with an HTML page instead of JSON.
    NonJson,
    /// The real answer labelled `text/plain`.
    WrongType,
    /// The connection is reset (a TCP RST) without a byte of response.
    Reset,
    /// The real answer, after this long.
    Slow(Duration),
    /// 307 to this URL.
    Redirect(String),
    /// 200 with a JSON array of exactly this many bytes, generated while it is sent.
    Huge(u64),
}

/// One `--fault` spec.
#[derive(Debug)]
struct Rule {
    /// Upper case; `None` matches any method.
    method: Option<String>,
    /// `None` matches any path.
    path: Option<String>,
    kind: FaultKind,
    /// Only this many matching requests break; `None` is every one.
    limit: Option<u64>,
    used: AtomicU64,
}

/// Every `--fault` rule, in the order given; the first that matches and has turns left applies.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
}

impl Faults {
    /// Parses the specs, refusing the first invalid one with a one-line message naming it.
    pub fn parse(specs: &[String]) -> Result<Faults, String> {
        let rules = specs
            .iter()
            .map(|s| parse_rule(s).map_err(|e| format!("invalid --fault {s:?}: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Faults { rules })
    }

    /// The fault for this request, if any, using up one turn of the rule that applies.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        self.rules.iter().find_map(|rule| {
            let method_ok = rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method));
            let path_ok = rule.path.as_deref().is_none_or(|p| p == path);
            if !(method_ok && path_ok) {
                return None;
            }
            match rule.limit {
                None => Some(rule.kind.clone()),
                Some(limit) => rule
                    .used
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                        (used < limit).then_some(used + 1)
                    })
                    .ok()
                    .map(|_| rule.kind.clone()),
            }
        })
    }
}

/// Checks one `--fault` spec as the command line reads it (a clap value parser).
pub fn check_fault(spec: &str) -> Result<String, String> {
    parse_rule(spec).map(|_| spec.to_string())
}

fn parse_rule(spec: &str) -> Result<Rule, String> {
    let (method, rest) = spec
        .trim()
        .split_once(' ')
        .ok_or("expected 'METHOD PATH=KIND[xN]', e.g. 'GET /v2/pods=503x2'")?;
    let method = match method {
        "*" => None,
        m if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(m.to_ascii_uppercase())
        }
        m => return Err(format!("{m:?} is not an HTTP method or '*'")),
    };
    let (path, kind) = rest
        .trim()
        .split_once('=')
        .ok_or("expected '=KIND' after the path")?;
    let path = match path {
        "*" => None,
        p if p.starts_with('/') && !p.contains(['?', ' ']) => Some(p.to_string()),
        p => {
            return Err(format!(
                "{p:?} is not a path: it must start with '/' (no query), or be '*'"
            ))
        }
    };
    let (kind, limit) = split_limit(kind)?;
    Ok(Rule {
        method,
        path,
        kind: parse_kind(kind)?,
        limit,
        used: AtomicU64::new(0),
    })
}

/// Splits a trailing `xN` off the kind.
fn split_limit(kind: &str) -> Result<(&str, Option<u64>), String> {
    let Some((head, count)) = kind.rsplit_once('x') else {
        return Ok((kind, None));
    };
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Ok((kind, None));
    }
    match count.parse::<u64>() {
        Ok(n) if n > 0 => Ok((head, Some(n))),
        _ => Err(format!("x{count}: the count must be at least 1")),
    }
}

/// The longest `slow` delay, the bound `--deploy-time` has too.
const MAX_SLOW: Duration = Duration::from_secs(30 * 24 * 3600);

const KINDS: &str =
    "500html, 502, 503, 504, truncated, nonjson, wrongtype, reset, slow=DURATION, redirect=URL \
     or huge=SIZE";

fn parse_kind(kind: &str) -> Result<FaultKind, String> {
    let (name, value) = match kind.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (kind, None),
    };
    let kind = match (name, value) {
        ("500html", None) => FaultKind::Html(500),
        ("502", None) => FaultKind::Html(502),
        ("503", None) => FaultKind::Html(503),
        ("504", None) => FaultKind::Html(504),
        ("truncated", None) => FaultKind::Truncated,
        ("nonjson", None) => FaultKind::NonJson,
        ("wrongtype", None) => FaultKind::WrongType,
        ("reset", None) => FaultKind::Reset,
        ("slow", Some(d)) => {
            let delay = humantime::parse_duration(d).map_err(|e| format!("slow={d}: {e}"))?;
            if delay > MAX_SLOW {
                return Err(format!("slow={d}: at most 30 days"));
            }
            FaultKind::Slow(delay)
        }
        ("redirect", Some(url)) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(' ') {
                return Err(format!("redirect={url}: expected an http(s) URL"));
            }
            FaultKind::Redirect(url.to_string())
        }
        ("huge", Some(size)) => FaultKind::Huge(parse_size(size)?),
        _ => return Err(format!("unknown kind {kind:?}; expected {KINDS}")),
    };
    Ok(kind)
}

/// `100MB`, `64KiB`, `2GB`, `1000` (bytes): decimal or binary units.
fn parse_size(size: &str) -> Result<u64, String> {
    let digits = size.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = size.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("huge={size}: expected a size such as 100MB"))?;
    let factor: u64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" => 1_000,
        "MB" | "M" => 1_000_000,
        "GB" | "G" => 1_000_000_000,
        "KIB" => 1 << 10,
        "MIB" => 1 << 20,
        "GIB" => 1 << 30,
        _ => return Err(format!("huge={size}: unknown unit {unit:?}")),
    };
    match number.checked_mul(factor) {
        Some(n) if n >= 2 => Ok(n),
        _ => Err(format!(
            "huge={size}: must be at least 2 bytes (and below 16 EB)"
        )),
    }
}

/// The body of a `huge` fault: `[`, pod-status-like objects separated by commas, spaces to make
/// up the size exactly, `]`. Made as it is read, so memory stays small whatever the size.
#[derive(Debug)]
pub struct HugeBody {
    /// Bytes still to send.
    left: u64,
    /// Objects still to write.
    objects: u64,
    next: u64,
    /// Generated but not yet read.
    pending: Vec<u8>,
    at: usize,
    started: bool,
}

/// One array element; every one has the same length, which makes the total easy to hit.
fn element(n: u64) -> String {
    format!("{{\"id\":\"/huge/pod-{n:010}\",\"status\":\"STABLE\",\"instances\":[]}}")
}

impl HugeBody {
    /// A body of exactly `size` bytes (at least 2).
    pub fn new(size: u64) -> HugeBody {
        let size = size.max(2);
        let each = element(0).len() as u64 + 1; // with its comma
                                                // `[` + k elements + (k-1) commas + `]` = k * each + 1.
        let objects = if size > each { (size - 1) / each } else { 0 };
        HugeBody {
            left: size,
            objects,
            next: 0,
            pending: Vec::new(),
            at: 0,
            started: false,
        }
    }

    /// Generates the next piece into `pending`.
    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        if !self.started {
            self.started = true;
            self.pending.push(b'[');
        }
        while self.pending.len() < 16 * 1024 && self.next < self.objects {
            if self.next > 0 {
                self.pending.push(b',');
            }
            self.pending
                .extend_from_slice(element(self.next).as_bytes());
            self.next += 1;
        }
        if self.next == self.objects {
            // Pad with spaces so the closing bracket is the last byte.
            let written = self.pending.len() as u64;
            let room = self.left.saturating_sub(written);
            let pad = room.saturating_sub(1).min(16 * 1024);
            self.pending
                .extend(std::iter::repeat_n(b' ', usize::try_from(pad).unwrap_or(0)));
            if room == pad + 1 {
                self.pending.push(b']');
            }
        }
    }
}

impl Read for HugeBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        if self.at == self.pending.len() {
            self.refill();
        }
        let available = &self.pending[self.at..];
        let n = available
            .len()
            .min(buf.len())
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        buf[..n].copy_from_slice(&available[..n]);
        self.at += n;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(specs: &[&str]) -> Faults {
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        Faults::parse(&specs).expect("valid specs")
    }

    fn error(spec: &str) -> String {
        Faults::parse(&[spec.to_string()]).expect_err("invalid spec")
    }

    #[test]
    fn every_kind_parses() {
        let cases = [
            ("GET /a=500html", FaultKind::Html(500)),
            ("GET /a=502", FaultKind::Html(502)),
            ("GET /a=503", FaultKind::Html(503)),
            ("GET /a=504", FaultKind::Html(504)),
            ("GET /a=truncated", FaultKind::Truncated),
            ("GET /a=nonjson", FaultKind::NonJson),
            ("GET /a=wrongtype", FaultKind::WrongType),
            ("GET /a=reset", FaultKind::Reset),
            ("GET /a=slow=5s", FaultKind::Slow(Duration::from_secs(5))),
            (
                "GET /a=slow=250ms",
                FaultKind::Slow(Duration::from_millis(250)),
            ),
            (
                "GET /a=redirect=http://localhost:8080/v2/pods",
                FaultKind::Redirect("http://localhost:8080/v2/pods".into()),
            ),
            ("GET /a=huge=100MB", FaultKind::Huge(100_000_000)),
            ("GET /a=huge=1KiB", FaultKind::Huge(1024)),
            ("GET /a=huge=4096", FaultKind::Huge(4096)),
        ];
        for (spec, kind) in cases {
            assert_eq!(faults(&[spec]).take("GET", "/a"), Some(kind), "{spec}");
        }
    }

    #[test]
    fn matching_by_method_and_exact_path() {
        let f = faults(&[
            "post /v2/pods=503",
            "* /v2/pods/::status=504",
            "DELETE *=reset",
        ]);
        assert_eq!(f.take("POST", "/v2/pods"), Some(FaultKind::Html(503)));
        assert_eq!(f.take("GET", "/v2/pods"), None);
        assert_eq!(f.take("POST", "/v2/pods/"), None, "exact paths only");
        assert_eq!(
            f.take("HEAD", "/v2/pods/::status"),
            Some(FaultKind::Html(504))
        );
        assert_eq!(f.take("DELETE", "/anything"), Some(FaultKind::Reset));
        assert_eq!(f.take("PUT", "/anything"), None);
        assert!(Faults::default().take("GET", "/").is_none());
    }

    #[test]
    fn a_count_limits_the_rule_and_the_next_rule_takes_over() {
        let f = faults(&["GET /v2/pods=503x2", "* *=slow=1sx1"]);
        assert_eq!(f.take("GET", "/v2/pods"), Some(FaultKind::Html(503)));
        assert_eq!(
            f.take("GET", "/other"),
            Some(FaultKind::Slow(Duration::from_secs(1)))
        );
        assert_eq!(f.take("GET", "/v2/pods"), Some(FaultKind::Html(503)));
        assert_eq!(f.take("GET", "/v2/pods"), None);
        assert_eq!(f.take("GET", "/other"), None);
        // A redirect URL keeps its own `x` when no count follows it.
        let f = faults(&["GET /a=redirect=http://localhost:1/xyz"]);
        assert_eq!(
            f.take("GET", "/a"),
            Some(FaultKind::Redirect("http://localhost:1/xyz".into()))
        );
    }

    #[test]
    fn invalid_specs_are_named_on_one_line() {
        for (spec, says) in [
            ("GET/a=503", "expected 'METHOD PATH=KIND[xN]'"),
            ("GET /a", "expected '=KIND'"),
            ("GET a=503", "is not a path"),
            ("GET /a?x=1=503", "is not a path"),
            ("G3T /a=503", "is not an HTTP method"),
            ("GET /a=404", "unknown kind \"404\""),
            ("GET /a=slow", "unknown kind"),
            ("GET /a=slow=soon", "slow=soon"),
            ("GET /x=slow=99999999999999999s", "at most 30 days"),
            ("GET /a=huge=10XB", "unknown unit"),
            ("GET /a=huge=1", "at least 2 bytes"),
            ("GET /a=503x0", "at least 1"),
            ("GET /a=redirect=ftp://x", "expected an http(s) URL"),
        ] {
            let e = error(spec);
            assert!(e.starts_with(&format!("invalid --fault {spec:?}: ")), "{e}");
            assert!(e.contains(says), "{spec}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn huge_bodies_are_json_arrays_of_exactly_the_size() {
        for size in [2u64, 3, 10, 63, 64, 65, 1000, 100_003] {
            let mut body = Vec::new();
            HugeBody::new(size).read_to_end(&mut body).expect("reads");
            assert_eq!(body.len() as u64, size, "size {size}");
            let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            let items = v.as_array().map(Vec::len).unwrap_or_default();
            if size > 1000 {
                assert!(items > 10, "{items} items in {size} bytes");
            }
        }
        let mut first = [0u8; 64];
        let n = HugeBody::new(1000).read(&mut first).expect("reads");
        assert!(first[..n].starts_with(b"[{\"id\":\"/huge/pod-0000000000\""));
    }
}
