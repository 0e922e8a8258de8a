//! Scheduling: backoff, upgrade, placement (constraints, accepted resource roles), kill selection
//! and the unreachable strategy, with the extra rules for resident pods (persistent volumes).

use serde_json::Value;

use super::{at, describe, idx, java_double, quote, show, Obj, Walker};
use crate::pod::validate::schema::Shape;
use crate::pod::validate::{marathon_path, names, Segment};

impl Walker {
    /// `scheduling`; `role` is the pod's own `role`, when it has one.
    pub(super) fn scheduling(&mut self, pod: &Obj, resident: bool, role: Option<&str>) {
        let Some(scheduling) = self.object(pod, &[], Shape::Pod, "scheduling") else {
            return;
        };
        let path = at(&[], "scheduling");
        if let Some(backoff) = self.object(scheduling, &path, Shape::Scheduling, "backoff") {
            let bpath = at(&path, "backoff");
            for key in ["backoff", "backoffFactor", "maxLaunchDelay"] {
                self.number(backoff, &bpath, Shape::Backoff, key);
            }
        }
        if let Some(upgrade) = self.object(scheduling, &path, Shape::Scheduling, "upgrade") {
            let upath = at(&path, "upgrade");
            self.number(upgrade, &upath, Shape::Upgrade, "minimumHealthCapacity");
            let over = self.number(upgrade, &upath, Shape::Upgrade, "maximumOverCapacity");
            if let Some(over) = over.filter(|&o| resident && o != 0.0) {
                self.semantic(
                    at(&upath, "maximumOverCapacity"),
                    format!(
                        "must be 0 for a pod with persistent volumes (got {})",
                        show(over)
                    ),
                    "/upgrade/maximumOverCapacity",
                    format!("got {}, expected 0.0", java_double(over)),
                );
            }
        }
        if let Some(placement) = self.object(scheduling, &path, Shape::Scheduling, "placement") {
            self.placement(placement, &at(&path, "placement"), resident, role);
        }
        self.enumeration(scheduling, &path, Shape::Scheduling, "killSelection");
        self.unreachable(scheduling, &path, resident);
    }

    pub(super) fn placement(
        &mut self,
        placement: &Obj,
        path: &[Segment],
        resident: bool,
        role: Option<&str>,
    ) {
        if let Some(constraints) = self.array(placement, path, Shape::Placement, "constraints") {
            let cpath = at(path, "constraints");
            for (i, item) in constraints.iter().enumerate() {
                let ipath = idx(&cpath, i);
                if let Some(c) = self.item_object(item, &ipath, Shape::Placement, "constraints") {
                    self.constraint(c, &ipath);
                }
            }
        }
        let Some(roles) = self.array(placement, path, Shape::Placement, "acceptedResourceRoles")
        else {
            return;
        };
        let rpath = at(path, "acceptedResourceRoles");
        let roles = self.strings(roles, &rpath);
        for &(i, role) in &roles {
            if let Some((message, text)) = role_problem(role) {
                self.semantic(idx(&rpath, i), message, marathon_path(&rpath), text);
            }
        }
        if resident && !roles.is_empty() && roles.iter().any(|(_, r)| *r != "*") {
            self.semantic(
                rpath.clone(),
                "must be [\"*\"] (or absent) for a pod with persistent volumes",
                "/acceptedResourceRoles",
                "A resident pod must have `acceptedResourceRoles = [\"*\"]`.",
            );
        }
        // `ResourceRole.validForRole`: only "*" and the pod's role. Without a role of its own
        // the pod gets the cluster's default role, which only the server knows.
        let mut others: Vec<&str> = roles
            .iter()
            .map(|&(_, r)| r)
            .filter(|r| *r != "*")
            .collect();
        others.sort_unstable();
        others.dedup();
        match role {
            Some(role) if others.iter().any(|r| *r != role) => {
                let mut allowed = vec!["*", role];
                allowed.sort_unstable();
                allowed.dedup();
                self.semantic(
                    rpath,
                    format!(
                        "may only contain \"*\" and the pod's role {} (got {})",
                        quote(role),
                        others
                            .iter()
                            .map(|r| quote(r))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "/acceptedResourceRoles",
                    format!(
                        "acceptedResourceRoles can only contain {}",
                        allowed.join(" and ")
                    ),
                );
            }
            None if !others.is_empty() => self.cluster(
                rpath,
                format!(
                    "without a role of its own the pod gets the cluster's default role \
                     (--mesos_role, or its top-level group's), and Marathon refuses any role here \
                     but \"*\" and that one (got {})",
                    others
                        .iter()
                        .map(|r| quote(r))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            _ => {}
        }
    }

    pub(super) fn constraint(&mut self, c: &Obj, path: &[Segment]) {
        let field = self
            .get(c, path, Shape::Constraint, "fieldName")
            .and_then(Value::as_str);
        let operator = self.enumeration(c, path, Shape::Constraint, "operator");
        let value = self
            .get(c, path, Shape::Constraint, "value")
            .and_then(Value::as_str);
        let value_given = c.get("value").is_some_and(|v| !v.is_null());
        let mpath = marathon_path(path);
        let (Some(field), Some(operator)) = (field, operator) else {
            return;
        };
        if value_given && value.is_none() {
            return;
        }
        let vpath = at(path, "value");
        if field.is_empty() {
            self.semantic(
                at(path, "fieldName"),
                "must not be empty",
                mpath,
                "missing field for constraint declaration",
            );
            return;
        }
        let problem: Option<(Vec<Segment>, String, &str)> = match (operator, value) {
            ("UNIQUE", Some(v)) => Some((
                vpath,
                format!("must not be set for UNIQUE (got {})", quote(v)),
                "UNIQUE does not accept a value",
            )),
            ("GROUP_BY", Some(v)) if !names::is_java_int(v) => Some((
                vpath,
                format!("must be an integer or absent for GROUP_BY (got {})", quote(v)),
                "GROUP BY must define an integer value or else no value at all",
            )),
            ("MAX_PER", None) => Some((
                path.to_vec(),
                "needs a value for MAX_PER: the maximum per group, an integer".to_string(),
                "MAX_PER requires an integer value",
            )),
            ("MAX_PER", Some(v)) if !names::is_java_int(v) => Some((
                vpath,
                format!("must be an integer for MAX_PER (got {})", quote(v)),
                "MAX_PER requires an integer value",
            )),
            ("LIKE" | "UNLIKE", None) => Some((
                path.to_vec(),
                format!("needs a value for {operator}: a regular expression"),
                "LIKE and UNLIKE require a non-empty, regular expression value",
            )),
            ("LIKE" | "UNLIKE", Some(v)) => names::java_regex_error(v).map(|why| {
                (
                    vpath,
                    format!("must be a valid regular expression: {} {why}", quote(v)),
                    "is not a valid regular expression",
                )
            }),
            ("IS", Some(v)) if !names::is_mesos_text(v) => Some((
                vpath,
                format!(
                    "must be a Mesos text or number: letters, digits, '_', '/', '.' and '-' (got {})",
                    quote(v)
                ),
                "IS only supports Mesos text and float values (see http://mesos.apache.org/documentation/latest/attributes-resources/)",
            )),
            _ => None,
        };
        if let Some((at_path, message, text)) = problem {
            self.semantic(at_path, message, mpath, text);
        }
    }

    pub(super) fn unreachable(&mut self, scheduling: &Obj, path: &[Segment], resident: bool) {
        let upath = at(path, "unreachableStrategy");
        let Some(row) = self.row(Shape::Scheduling, "unreachableStrategy") else {
            return;
        };
        let enabled = match scheduling.get("unreachableStrategy") {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("disabled") => false,
            Some(Value::Object(strategy)) => {
                self.unknown_fields(strategy, &upath, Shape::Unreachable);
                let inactive =
                    self.integer(strategy, &upath, Shape::Unreachable, "inactiveAfterSeconds");
                let expunge =
                    self.integer(strategy, &upath, Shape::Unreachable, "expungeAfterSeconds");
                let given = |k: &str| strategy.get(k).is_some_and(|v| !v.is_null());
                if let (Some(inactive), Some(expunge)) = (inactive, expunge) {
                    // Marathon refuses this for apps only (`AppDefinition.scala`); a pod keeps it.
                    if inactive > expunge && given("inactiveAfterSeconds") {
                        self.warn(
                            at(&upath, "inactiveAfterSeconds"),
                            format!(
                                "is greater than expungeAfterSeconds ({expunge}) (got {inactive}): \
                                 Marathon accepts it for a pod, and an unreachable instance is \
                                 expunged after {expunge} seconds, before it would count as inactive"
                            ),
                        );
                    }
                }
                true
            }
            Some(other) => {
                let got = match other.as_str() {
                    Some(s) => quote(s),
                    None => describe(other).to_string(),
                };
                self.parse(
                    upath.clone(),
                    format!(
                        "must be \"disabled\" or an object with inactiveAfterSeconds and \
                         expungeAfterSeconds (got {got})"
                    ),
                    row.key,
                );
                false
            }
        };
        if resident && enabled {
            self.semantic(
                upath,
                "must be \"disabled\" for a pod with persistent volumes",
                "/",
                "unreachableStrategy must be disabled for pods with persistent volumes",
            );
        }
    }
}

/// Marathon's role-name rules (`ResourceRole.validResourceRole`), as (podctl, Marathon) wording.
fn role_problem(role: &str) -> Option<(String, String)> {
    let text = match role {
        "" => "A role name must not be \"\".".to_string(),
        "." => "A role name must not be \".\".".to_string(),
        ".." => "A role name must not be \"..\".".to_string(),
        r if r.starts_with('-') => "A role name must not start with a '-'.".to_string(),
        r => {
            let bad = r.chars().find_map(|c| match c {
                '\t' => Some("horizontal tab (\\x09)"),
                '\n' => Some("line feed (\\x0a)"),
                '\u{b}' => Some("vertical tab (\\x0b)"),
                '\u{c}' => Some("form feed (\\x0c)"),
                '\r' => Some("carriage return (\\x0d)"),
                ' ' => Some("space (\\x20)"),
                '/' => Some("slash (\\x2f)"),
                '\u{7f}' => Some("backspace (\\x7f)"),
                _ => None,
            })?;
            format!("A role name must not include a {bad} character.")
        }
    };
    Some((
        format!("{} is not a valid role name: {text}", quote(role)),
        text,
    ))
}
