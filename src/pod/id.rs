//! Pod path ids (`/prod/web`): parsing, Marathon's naming rules and the URL form.
//!
//! Marathon accepts ids in URLs with or without leading and trailing slashes, but ids inside a
//! definition must be absolute. `PodId` always holds the canonical absolute form, and no
//! `PodId` has a `.` or `..` segment: such a segment would be resolved by the URL parser and take
//! a request out of `/v2/pods` (`../deployments/x`).

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Last path segments Marathon reserves for its own routes.
const RESERVED_SEGMENTS: [&str; 5] = ["restart", "tasks", "versions", ".", ".."];

/// The longest pod id podctl sends or addresses, in characters. Marathon itself sets no limit,
/// but a pod's id becomes part of its Mesos ids (`prod_web.instance-<uuid>.<container>`), which
/// name directories on the agents (255 bytes at most), so a longer id can never run; and an id
/// of any length was accepted by `POST` but then could not be addressed in a URL.
pub const MAX_ID_LENGTH: usize = 200;

/// Characters escaped in one URL path segment. Valid ids never contain them, but an id given with
/// `--no-validate` still must not break the request line.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A canonical, absolute pod id such as `/prod/web`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PodId(String);

/// Why a string is not a usable pod id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Empty,
    NotAbsolute,
    EmptySegment,
    BadSegment(String),
    Reserved(String),
    /// A `.` or `..` segment: Marathon's `childOf` check refuses it, and in a URL it would
    /// change the path.
    DotSegment(String),
    /// Longer than [`MAX_ID_LENGTH`] characters (the length is carried).
    TooLong(usize),
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Empty => f.write_str("Path must contain at least one path element"),
            IdError::NotAbsolute => f.write_str("Path needs to be absolute"),
            IdError::EmptySegment => f.write_str("path segments must not be empty"),
            IdError::BadSegment(s) => write!(
                f,
                "segment '{s}' must contain only lowercase letters, digits, '-' and '.', \
                 and each '.'-separated part must start and end with a letter or digit"
            ),
            IdError::Reserved(s) => write!(
                f,
                "must not end with the reserved keyword '{s}' (reserved: restart, tasks, versions, ., ..)"
            ),
            IdError::DotSegment(s) => write!(
                f,
                "must not contain a '{s}' segment (write the path without '.' and '..')"
            ),
            IdError::TooLong(n) => write!(
                f,
                "is {n} characters long with its leading '/'; pod ids are limited to \
                 {MAX_ID_LENGTH} characters"
            ),
        }
    }
}

impl std::error::Error for IdError {}

impl PodId {
    /// Parses an id as a user types it on the command line: leading and trailing slashes optional.
    /// These are Marathon's rules (the simulator uses them too); podctl's own length limit is
    /// added by [`PodId::parse_arg`].
    pub fn parse(input: &str) -> Result<PodId, IdError> {
        let trimmed = input.trim_matches('/');
        if trimmed.is_empty() {
            return Err(IdError::Empty);
        }
        for segment in trimmed.split('/') {
            check_segment(segment)?;
        }
        let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
        if RESERVED_SEGMENTS.contains(&last) {
            return Err(IdError::Reserved(last.to_string()));
        }
        if let Some(dot) = trimmed.split('/').find(|s| *s == "." || *s == "..") {
            return Err(IdError::DotSegment(dot.to_string()));
        }
        Ok(PodId(format!("/{trimmed}")))
    }

    /// Parses an id podctl is about to use in a request: Marathon's rules, and at most
    /// [`MAX_ID_LENGTH`] characters.
    pub fn parse_arg(input: &str) -> Result<PodId, IdError> {
        check_length(input)?;
        PodId::parse(input)
    }

    /// Turns any string into the absolute form without checking Marathon's naming rules; for ids
    /// that are only compared or shown (`--no-validate`, server output). Empty, `.` and `..`
    /// segments are resolved as Marathon's `canonicalPath` does, so even this id cannot leave
    /// `/v2/pods` in a URL.
    pub fn lenient(input: &str) -> PodId {
        let mut segments: Vec<&str> = Vec::new();
        for segment in input.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                s => segments.push(s),
            }
        }
        PodId(format!("/{}", segments.join("/")))
    }

    /// The absolute id, `/prod/web`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as it goes into a URL after `/v2/pods/`: segments percent-encoded, joined by `/`.
    pub fn url_path(&self) -> String {
        self.segments()
            .map(encode_segment)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The path segments, `["prod", "web"]`.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.trim_start_matches('/').split('/')
    }

    /// The prefix of this pod's instance ids: segments joined by `_` (`prod_web`).
    pub fn instance_prefix(&self) -> String {
        self.segments().collect::<Vec<_>>().join("_")
    }
}

impl fmt::Display for PodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Refuses an id over [`MAX_ID_LENGTH`] characters (leading and trailing slashes aside, the
/// absolute form counted).
pub fn check_length(id: &str) -> Result<(), IdError> {
    let length = id.trim_matches('/').chars().count() + 1;
    if length > MAX_ID_LENGTH {
        Err(IdError::TooLong(length))
    } else {
        Ok(())
    }
}

/// Percent-encodes one URL path segment (`/`, `:`, `?`, `%` and the like are escaped, so
/// `%2e%2e` stays text). `.` and `..` cannot be made safe this way (the URL parser resolves
/// `%2e` like `.`): every caller refuses or resolves them first.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// One segment: `.`-separated labels of `[a-z0-9]`, with inner `-` allowed. `.` and `..` pass
/// here and are refused afterwards, as reserved when last, as dot segments elsewhere.
fn check_segment(segment: &str) -> Result<(), IdError> {
    if segment.is_empty() {
        return Err(IdError::EmptySegment);
    }
    if segment == "." || segment == ".." {
        return Ok(());
    }
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-'
    };
    if segment.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(IdError::BadSegment(segment.to_string()))
    }
}

/// Checks an id written inside a definition: like [`PodId::parse`] but it must be absolute, and
/// empty segments are dropped as Marathon's `PathId` does (`/a//b` is the pod `/a/b`; see
/// [`has_empty_segment`]).
pub fn check_definition_id(id: &str) -> Result<PodId, IdError> {
    if !id.starts_with('/') {
        return Err(IdError::NotAbsolute);
    }
    if has_empty_segment(id) {
        let segments: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
        return PodId::parse(&segments.join("/"));
    }
    PodId::parse(id)
}

/// Whether an id has an empty segment between two others (`/a//b`); leading and trailing
/// slashes do not count.
pub fn has_empty_segment(id: &str) -> bool {
    id.trim_matches('/').contains("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ids_with_or_without_slashes() {
        for input in ["web", "/web", "web/", "//web//"] {
            assert_eq!(PodId::parse(input).unwrap().as_str(), "/web");
        }
        assert_eq!(PodId::parse("prod/web").unwrap().as_str(), "/prod/web");
        assert_eq!(PodId::parse("a.b-c/d1").unwrap().as_str(), "/a.b-c/d1");
    }

    #[test]
    fn rejects_what_marathon_rejects() {
        assert_eq!(PodId::parse("/"), Err(IdError::Empty));
        assert_eq!(PodId::parse(""), Err(IdError::Empty));
        assert_eq!(PodId::parse("a//b"), Err(IdError::EmptySegment));
        for bad in ["Web", "my_pod", "-web", "web-", "a..b", "a b", "web.-x"] {
            assert!(
                matches!(PodId::parse(bad), Err(IdError::BadSegment(_))),
                "{bad}"
            );
        }
        for reserved in ["x/restart", "tasks", "a/versions", "a/.", "a/.."] {
            assert!(
                matches!(PodId::parse(reserved), Err(IdError::Reserved(_))),
                "{reserved}"
            );
        }
    }

    /// `pod remove ../deployments/x` sent `DELETE /v2/deployments/x`.
    #[test]
    fn dot_segments_are_refused_anywhere() {
        for bad in [
            "a/../b",
            "../deployments/x",
            "./web",
            "a/./b",
            "/../../secrets/v1/x",
        ] {
            assert!(
                matches!(PodId::parse(bad), Err(IdError::DotSegment(_))),
                "{bad}: {:?}",
                PodId::parse(bad)
            );
        }
        assert!(PodId::parse("a.b/c.d").is_ok());
    }

    #[test]
    fn ids_over_the_limit_are_refused() {
        let longest = format!("/{}", "a".repeat(MAX_ID_LENGTH - 1));
        assert!(PodId::parse_arg(&longest).is_ok());
        let over = format!("/{}", "a".repeat(MAX_ID_LENGTH));
        assert_eq!(
            PodId::parse_arg(&over),
            Err(IdError::TooLong(MAX_ID_LENGTH + 1))
        );
        assert_eq!(
            PodId::parse_arg(&"a/".repeat(100_000)),
            Err(IdError::TooLong(200_000))
        );
        // Marathon's own rules set no limit.
        assert!(PodId::parse(&over).is_ok());
    }

    #[test]
    fn lenient_ids_resolve_dot_segments() {
        assert_eq!(PodId::lenient("/a/../b").as_str(), "/b");
        assert_eq!(
            PodId::lenient("../../deployments/x").url_path(),
            "deployments/x"
        );
        assert_eq!(PodId::lenient("/a/./b//").as_str(), "/a/b");
        assert_eq!(PodId::lenient("%2e%2e/x").url_path(), "%252e%252e/x");
    }

    #[test]
    fn url_path_and_instance_prefix() {
        let id = PodId::parse("/prod/web").unwrap();
        assert_eq!(id.url_path(), "prod/web");
        assert_eq!(id.instance_prefix(), "prod_web");
        let odd = PodId::lenient("/a b/c:d/");
        assert_eq!(odd.url_path(), "a%20b/c%3Ad");
    }

    #[test]
    fn definition_ids_must_be_absolute() {
        assert_eq!(check_definition_id("web"), Err(IdError::NotAbsolute));
        assert!(check_definition_id("/web").is_ok());
    }

    /// Marathon's `PathId` drops empty segments; the command line still refuses them.
    #[test]
    fn definition_ids_drop_empty_segments() {
        assert_eq!(check_definition_id("/a//b").unwrap().as_str(), "/a/b");
        assert_eq!(check_definition_id("/a///b/").unwrap().as_str(), "/a/b");
        assert!(has_empty_segment("/a//b"));
        assert!(!has_empty_segment("//a/b//"));
        assert_eq!(
            check_definition_id("/a//.."),
            Err(IdError::Reserved("..".into()))
        );
        assert_eq!(
            check_definition_id("/a//../b"),
            Err(IdError::DotSegment("..".into()))
        );
        assert_eq!(check_definition_id("a//b"), Err(IdError::NotAbsolute));
        assert_eq!(PodId::parse("a//b"), Err(IdError::EmptySegment));
    }
}
