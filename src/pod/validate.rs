//! Checks a pod definition before anything is sent, and reports every problem with its JSON path.
//!
//! Pure functions over `serde_json::Value`, so a definition of the wrong shape is still checked
//! field by field instead of failing at the first type error.

use std::fmt;

use serde_json::Value;

use super::id::check_definition_id;

/// One problem: where (a JSON pointer such as `/containers/1/name`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
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
            if p.path.is_empty() {
                write!(f, "{}: {}", self.source, p.message)?;
            } else {
                write!(f, "{}: {}: {}", self.source, p.path, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// Checks a parsed definition. For now: an object with an absolute, well-formed `id`.
pub fn check(definition: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Some(object) = definition.as_object() else {
        problems.push(Problem::new("", "a pod definition must be a JSON object"));
        return problems;
    };
    match object.get("id") {
        None | Some(Value::Null) => problems.push(Problem::new("/id", "is required")),
        Some(Value::String(id)) => {
            if let Err(e) = check_definition_id(id) {
                problems.push(Problem::new("/id", e.to_string()));
            }
        }
        Some(_) => problems.push(Problem::new("/id", "expected a string")),
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_checked() {
        assert!(check(&json!({"id": "/web", "containers": []})).is_empty());
        assert_eq!(check(&json!({}))[0], Problem::new("/id", "is required"));
        assert_eq!(
            check(&json!({"id": "web"}))[0],
            Problem::new("/id", "Path needs to be absolute")
        );
        assert_eq!(check(&json!({"id": 3}))[0].message, "expected a string");
        assert!(check(&json!({"id": "/Web"}))[0]
            .message
            .contains("lowercase"));
        assert_eq!(check(&json!([1]))[0].path, "");
    }

    #[test]
    fn display_is_one_line_per_problem() {
        let invalid = Invalid {
            source: "web.json".into(),
            problems: vec![Problem::new("/id", "is required"), Problem::new("", "bad")],
        };
        assert_eq!(
            invalid.to_string(),
            "web.json: /id: is required\nweb.json: bad"
        );
    }
}
