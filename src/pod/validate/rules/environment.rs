//! Secrets (`/secrets`) and environment variables, at pod and container level, with the
//! references from environment variables to declared secrets.

use std::collections::HashSet;

use serde_json::Value;

use super::{at, describe, quote, Context, Obj, Walker};
use crate::pod::validate::schema::Shape;
use crate::pod::validate::{marathon_path, names, Segment};

impl Walker {
    /// `secrets`: name -> `{"source": ..}`. Returns the names: none when `secrets` is absent
    /// (Marathon's default is an empty map, so every reference to a secret is then refused),
    /// `None` when it has the wrong type.
    pub(super) fn secrets<'v>(&mut self, pod: &'v Obj) -> Option<HashSet<&'v str>> {
        if pod.get("secrets").is_none_or(Value::is_null) {
            return Some(HashSet::new());
        }
        let secrets = self.get(pod, &[], Shape::Pod, "secrets")?.as_object()?;
        let path = at(&[], "secrets");
        if !secrets.is_empty() {
            self.cluster(
                path.clone(),
                "Marathon refuses secrets unless its `secrets` feature is enabled \
                 (--enable_features secrets), and they need a secret store (DC/OS Enterprise)",
            );
        }
        for (name, def) in secrets {
            let entry = at(&path, name);
            if name.is_empty() {
                self.semantic(
                    entry.clone(),
                    "a secret name must not be empty",
                    "/secrets",
                    "must not be empty",
                );
            }
            if let Some(def) = self.item_object(def, &entry, Shape::Pod, "secrets") {
                self.string(def, &entry, Shape::SecretDef, "source");
            }
        }
        Some(secrets.keys().map(String::as_str).collect())
    }

    /// `environment`: name -> string or `{"secret": name}`, at pod or container level.
    pub(super) fn environment(&mut self, obj: &Obj, path: &[Segment], shape: Shape, ctx: &Context) {
        let Some(env) = self
            .get(obj, path, shape, "environment")
            .and_then(Value::as_object)
        else {
            return;
        };
        let path = at(path, "environment");
        for (name, value) in env {
            let entry = at(&path, name);
            if !names::is_env_name(name) {
                self.parse(
                    entry.clone(),
                    format!(
                        "{} is not a valid variable name: letters, digits and '_', not starting \
                         with a digit, at most 254 characters",
                        quote(name)
                    ),
                    "error.pattern",
                );
            }
            match value {
                Value::String(_) => {}
                Value::Object(reference) => {
                    self.unknown_fields(reference, &entry, Shape::EnvSecret);
                    let Some(secret) = self
                        .get(reference, &entry, Shape::EnvSecret, "secret")
                        .and_then(Value::as_str)
                    else {
                        continue;
                    };
                    if let Some(secrets) = &ctx.secrets {
                        if !secrets.contains(secret) {
                            let at_secret = at(&entry, "secret");
                            self.semantic(
                                at_secret.clone(),
                                undeclared_secret(secret, secrets),
                                marathon_path(&at_secret),
                                "references an undefined secret",
                            );
                        }
                    }
                }
                other => self.parse(
                    entry,
                    format!(
                        "expected a string or {{\"secret\": NAME}}, got {}",
                        describe(other)
                    ),
                    "error.expected.jsobject",
                ),
            }
        }
    }
}

/// podctl's words for a reference to a secret that `/secrets` does not declare.
pub(super) fn undeclared_secret(name: &str, declared: &HashSet<&str>) -> String {
    if declared.is_empty() {
        format!(
            "names secret {}, but the pod declares no secrets (add it to /secrets)",
            quote(name)
        )
    } else {
        format!(
            "names secret {}, which is not declared in /secrets",
            quote(name)
        )
    }
}
