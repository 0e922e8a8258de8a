//! Request bodies: JSON text to typed values, with Marathon's three kinds of refusal.
//!
//! Empty text is "Please specify data in JSON format", text that is not JSON is 400 "Invalid
//! JSON" with the parser's message, and JSON of the wrong shape is 422 "Invalid JSON" with
//! play-json style paths (`/containers(0)/name`) and keys (`error.path.missing`). The semantic
//! check of a definition lives in [`check_definition`] alone, so the shared validator can take
//! its place later. No HTTP and no state here.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use super::error::{SimError, Violation};
use crate::pod::{id::check_definition_id, PodDefinition, PodId};

/// Parses a pod definition sent with POST or PUT.
pub fn parse_pod(bytes: &[u8]) -> Result<PodDefinition, SimError> {
    let value = parse_json(bytes)?;
    let mut violations = required_fields(&value);
    match typed::<PodDefinition>(&value) {
        Ok(pod) if violations.is_empty() => return Ok(pod),
        Ok(_) => {}
        Err(v) => {
            if !violations.iter().any(|known| known.path == v.path) {
                violations.push(v);
            }
        }
    }
    Err(SimError::InvalidJson(violations))
}

/// Parses the body of `DELETE /v2/pods/{id}::instances`: an array of instance id strings.
pub fn parse_instance_ids(bytes: &[u8]) -> Result<Vec<String>, SimError> {
    let value = parse_json(bytes)?;
    let Value::Array(items) = value else {
        return Err(SimError::InvalidJson(vec![Violation::new(
            "/",
            "error.expected.jsarray",
        )]));
    };
    let mut ids = Vec::new();
    let mut violations = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::String(s) => ids.push(s),
            _ => violations.push(Violation::new(format!("({i})"), "error.expected.jsstring")),
        }
    }
    if violations.is_empty() {
        Ok(ids)
    } else {
        Err(SimError::InvalidJson(violations))
    }
}

/// The semantic checks the simulator applies to a definition before accepting it. For now only
/// the id; the shared `pod::validate` module replaces the body of this function.
pub fn check_definition(pod: &PodDefinition) -> Result<PodId, SimError> {
    check_definition_id(&pod.id)
        .map_err(|e| SimError::NotValid(vec![Violation::new("/id", e.to_string())]))
}

fn parse_json(bytes: &[u8]) -> Result<Value, SimError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SimError::EmptyBody);
    }
    serde_json::from_slice(bytes).map_err(|e| SimError::MalformedJson(e.to_string()))
}

/// Deserializes with the path of the first failure, turned into Marathon's words.
fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, Violation> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = marathon_path(e.path().iter());
        let message = e.inner().to_string();
        if let Some(field) = missing_field(&message) {
            if path != "/" {
                path.push('/');
            }
            path.push_str(field);
            return Violation::new(
                if path.is_empty() { "/" } else { &path },
                "error.path.missing",
            );
        }
        Violation::new(path, error_key(&message))
    })
}

/// `containers[0].name` in Marathon's spelling: `/containers(0)/name`; the root is `/`.
fn marathon_path<'a>(segments: impl Iterator<Item = &'a Segment>) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("({index})")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(key);
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    if out.is_empty() {
        "/".to_string()
    } else {
        out
    }
}

fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

/// Maps serde's wording to play-json's error keys.
fn error_key(message: &str) -> &'static str {
    let expected = message.rsplit("expected ").next().unwrap_or("");
    let numeric = ["u8", "u16", "u32", "u64", "i32", "i64", "f32", "f64"]
        .iter()
        .any(|t| expected.starts_with(t));
    if message.contains("did not match any variant") || expected.starts_with("a string") {
        "error.expected.jsstring"
    } else if numeric {
        if message.starts_with("invalid value: integer `-") {
            "error.min"
        } else if message.starts_with("invalid value: integer") {
            "error.max"
        } else if message.starts_with("invalid type: floating point") {
            "error.expected.int"
        } else {
            "error.expected.jsnumber"
        }
    } else if expected.starts_with("a sequence") {
        "error.expected.jsarray"
    } else if expected.starts_with("a boolean") {
        "error.expected.jsboolean"
    } else {
        "error.expected.jsobject"
    }
}

/// Marathon requires `containers`, each container's `resources`, and wants `scheduling` to be an
/// object; the shared types are lenient about these, so they are checked on the raw JSON.
fn required_fields(value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let Value::Object(pod) = value else {
        return out;
    };
    match pod.get("containers") {
        None | Some(Value::Null) => out.push(Violation::new("/containers", "error.path.missing")),
        Some(Value::Array(containers)) => {
            for (i, c) in containers.iter().enumerate() {
                if let Value::Object(c) = c {
                    if c.get("resources").is_none_or(Value::is_null) {
                        out.push(Violation::new(
                            format!("/containers({i})/resources"),
                            "error.path.missing",
                        ));
                    }
                }
            }
        }
        Some(_) => {}
    }
    if let Some(s) = pod.get("scheduling") {
        if !s.is_null() && !s.is_object() {
            out.push(Violation::new("/scheduling", "error.expected.jsobject"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations(text: &str) -> Vec<Violation> {
        match parse_pod(text.as_bytes()) {
            Err(SimError::InvalidJson(v)) => v,
            other => panic!("expected Invalid JSON, got {other:?}"),
        }
    }

    #[test]
    fn empty_and_malformed() {
        assert_eq!(parse_pod(b"  \n"), Err(SimError::EmptyBody));
        assert!(matches!(
            parse_pod(b"{\"id\": "),
            Err(SimError::MalformedJson(m)) if m.contains("EOF")
        ));
    }

    #[test]
    fn type_errors_have_marathon_paths() {
        assert_eq!(
            violations(r#"{"id": 123, "containers": []}"#),
            vec![Violation::new("/id", "error.expected.jsstring")]
        );
        assert_eq!(
            violations(r#"{"id": "/a", "containers": [{"resources": {}}]}"#),
            vec![Violation::new("/containers(0)/name", "error.path.missing")]
        );
        assert_eq!(
            violations(
                r#"{"id": "/a", "containers": [{"name": "c", "resources": {"cpus": "x"}}]}"#
            ),
            vec![Violation::new(
                "/containers(0)/resources/cpus",
                "error.expected.jsnumber"
            )]
        );
        assert_eq!(
            violations(r#"{"id": "/a", "containers": {}}"#),
            vec![Violation::new("/containers", "error.expected.jsarray")]
        );
        assert_eq!(
            violations("[1]"),
            vec![Violation::new("/", "error.expected.jsobject")]
        );
    }

    #[test]
    fn required_fields_are_reported_together() {
        let v = violations(r#"{"containers": [{"name": "c"}]}"#);
        assert!(v.contains(&Violation::new(
            "/containers(0)/resources",
            "error.path.missing"
        )));
        assert!(v.contains(&Violation::new("/id", "error.path.missing")));
    }

    #[test]
    fn ids_must_be_absolute() {
        let pod = parse_pod(br#"{"id": "web", "containers": [{"name": "c", "resources": {}}]}"#)
            .expect("parses");
        assert_eq!(
            check_definition(&pod),
            Err(SimError::NotValid(vec![Violation::new(
                "/id",
                "Path needs to be absolute"
            )]))
        );
    }

    #[test]
    fn instance_id_lists() {
        assert_eq!(
            parse_instance_ids(br#"["a.instance-1"]"#),
            Ok(vec!["a.instance-1".to_string()])
        );
        assert_eq!(
            parse_instance_ids(br#"["a", 2]"#),
            Err(SimError::InvalidJson(vec![Violation::new(
                "(1)",
                "error.expected.jsstring"
            )]))
        );
    }

    #[test]
    fn every_shared_example_is_accepted() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pod-examples");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("shared/pod-examples exists") {
            let path = entry.expect("dir entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("readable");
            let pod = parse_pod(&bytes).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            check_definition(&pod).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            seen += 1;
        }
        assert!(seen >= 5, "found {seen} examples");
    }
}
