//! Request bodies: JSON text to typed values, with Marathon's three kinds of refusal.
//!
//! Empty text is "Please specify data in JSON format", text that is not JSON is 400 "Invalid
//! JSON" with the parser's message, and JSON of the wrong shape is 422 "Invalid JSON" with
//! play-json style paths (`/containers(0)/name`) and keys (`error.path.missing`); semantic
//! failures are 422 "Object is not valid". The rules come from `pod::validate`, shared with the
//! client. No HTTP and no state here.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use super::error::{SimError, Violation};
use crate::pod::validate::{marathon_path, validate, Segment as PathSegment, ServerForm};
use crate::pod::{id::check_definition_id, PodDefinition, PodId};

/// Parses and checks a pod definition sent with POST or PUT, in Marathon's order: shape and
/// RAML facets first (422 "Invalid JSON"), then the semantic rules (422 "Object is not valid").
/// The rules are podctl's own validator, so the client and the simulator never disagree.
pub fn parse_pod(bytes: &[u8]) -> Result<PodDefinition, SimError> {
    let value = parse_json(bytes)?;
    let mut parse = Vec::new();
    let mut semantic = Vec::new();
    for problem in validate(&value) {
        let (list, violation) = match &problem.server {
            ServerForm::Parse(key) => (&mut parse, Violation::new(problem.marathon_path(), *key)),
            ServerForm::Semantic { path, text } => {
                (&mut semantic, Violation::new(path.clone(), text.clone()))
            }
            // Warnings and podctl-only rules: Marathon accepts these.
            ServerForm::None => continue,
        };
        // Marathon reports a rule once per path (e.g. one uniqueness error for the set).
        if !list.contains(&violation) {
            list.push(violation);
        }
    }
    if !parse.is_empty() {
        return Err(SimError::InvalidJson(parse));
    }
    if !semantic.is_empty() {
        return Err(SimError::NotValid(semantic));
    }
    // The validator knows every field's type, so this only fails on its own blind spots.
    typed::<PodDefinition>(&value).map_err(|v| SimError::InvalidJson(vec![v]))
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

/// Marathon's `Instance.Id.InstanceIdRegex`, which a kill checks every id against (422 otherwise).
const INSTANCE_ID_PATTERN: &str = r"^(.+)\.(instance-|marathon-)([^\.]+)$";

/// Whether `id` fully matches [`INSTANCE_ID_PATTERN`]: a non-empty run spec part, then
/// `.instance-` or `.marathon-`, then a non-empty rest without dots.
fn is_instance_id(id: &str) -> bool {
    let Some(dot) = id.rfind('.') else {
        return false;
    };
    let (spec, rest) = (&id[..dot], &id[dot + 1..]);
    let uuid = rest
        .strip_prefix("instance-")
        .or_else(|| rest.strip_prefix("marathon-"));
    !spec.is_empty() && uuid.is_some_and(|u| !u.is_empty())
}

/// Refuses instance ids that do not match Marathon's pattern, as `PodsResource` validates them
/// before looking for the instances: 422, whether or not the pod exists.
pub fn check_instance_ids(ids: &[String]) -> Result<(), SimError> {
    let violations: Vec<Violation> = ids
        .iter()
        .filter(|id| !is_instance_id(id))
        .map(|_| {
            Violation::new(
                "/",
                format!("must fully match regular expression '{INSTANCE_ID_PATTERN}'"),
            )
        })
        .collect();
    if !violations.is_empty() {
        return Err(SimError::NotValid(violations));
    }
    // Then `Instance.Id.fromIdString` parses the part after the prefix with Java 8's
    // `UUID.fromString`: five dash-separated hex numbers, each a valid `Long`.
    for id in ids {
        // The pattern held, so the part after the last `.` is the prefix and the UUID.
        let last = id.rsplit_once('.').map_or("", |(_, last)| last);
        let uuid = last
            .strip_prefix("instance-")
            .or_else(|| last.strip_prefix("marathon-"))
            .unwrap_or_default();
        let parts: Vec<&str> = uuid.split('-').collect();
        if parts.len() != 5 {
            return Err(SimError::IllegalArgument(format!(
                "Invalid UUID string: {uuid}"
            )));
        }
        for part in parts {
            let fits = !part.is_empty()
                && part.len() <= 16
                && part.bytes().all(|b| b.is_ascii_hexdigit())
                && (part.len() < 16 || part.as_bytes()[0] < b'8');
            if !fits {
                return Err(SimError::IllegalArgument(format!(
                    "For input string: \"{part}\""
                )));
            }
        }
    }
    Ok(())
}

/// The id of a definition that passed [`parse_pod`].
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
        // Marathon's spelling (`/containers(0)/name`), from the one `marathon_path`.
        let segments: Vec<PathSegment> = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                Segment::Seq { index } => Some(PathSegment::Index(*index)),
                Segment::Map { key } => Some(PathSegment::Key(key.clone())),
                Segment::Enum { .. } | Segment::Unknown => None,
            })
            .collect();
        let mut path = marathon_path(&segments);
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
    fn instance_ids_follow_marathons_pattern() {
        for good in ["web.instance-1", "a_b.marathon-x-y", "a.b.instance-c"] {
            assert!(is_instance_id(good), "{good}");
        }
        for bad in [
            "bogus",
            "web.instance-",
            ".instance-1",
            "web.task-1",
            "web.instance-1.2",
        ] {
            assert!(!is_instance_id(bad), "{bad}");
        }
        let uuid = "web.instance-00000000-0000-4000-8000-000000000002";
        assert!(check_instance_ids(&[uuid.to_string()]).is_ok());
        assert_eq!(
            check_instance_ids(&["web.instance-1".to_string()]),
            Err(SimError::IllegalArgument("Invalid UUID string: 1".into()))
        );
        assert_eq!(
            check_instance_ids(&["web.marathon-a-b-c-d-zz".to_string()]),
            Err(SimError::IllegalArgument("For input string: \"zz\"".into()))
        );
        match check_instance_ids(&[uuid.to_string(), "x".to_string()]) {
            Err(SimError::NotValid(v)) => assert_eq!(v.len(), 1, "{v:?}"),
            other => panic!("{other:?}"),
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
            violations(r#"{"id": 123, "containers": [{"name": "c", "resources": {}}]}"#),
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
        assert_eq!(
            parse_pod(br#"{"id": "web", "containers": [{"name": "c", "resources": {}}]}"#),
            Err(SimError::NotValid(vec![Violation::new(
                "/id",
                "Path needs to be absolute"
            )]))
        );
    }

    #[test]
    fn semantic_rules_come_after_shape() {
        let both = br#"{"id": "/a", "containers": [{"name": "c", "resources": {"cpus": "x"}}, {"name": "c", "resources": {}}]}"#;
        assert!(matches!(parse_pod(both), Err(SimError::InvalidJson(_))));
        let twice = br#"{"id": "/a", "containers": [{"name": "c", "resources": {}}, {"name": "c", "resources": {}}]}"#;
        match parse_pod(twice) {
            Err(SimError::NotValid(v)) => assert_eq!(v[0].path, "/containers", "{v:?}"),
            other => panic!("expected Object is not valid, got {other:?}"),
        }
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
    fn every_published_example_is_accepted() {
        for (path, text) in crate::fixtures::pod_examples() {
            let pod =
                parse_pod(text.as_bytes()).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            check_definition(&pod).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        }
    }
}
