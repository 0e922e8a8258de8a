//! The pod itself: id, user, role, labels, scaling, executor resources and pod-level `linuxInfo`;
//! it walks the other sections in Marathon's order and hands them what they need (`Context`).
//!
//! `id` is the one place the pod id is checked (`pod::id` has the rules, this maps them to
//! Marathon's words).

use std::collections::HashSet;

use serde_json::Value;

use super::{at, describe, quote, Context, Obj, Walker};
use crate::pod::id::{check_definition_id, has_empty_segment, IdError};
use crate::pod::validate::schema::Shape;
use crate::pod::validate::{names, Segment};

impl Walker {
    /// The whole pod, section by section in Marathon's order.
    pub(super) fn pod(&mut self, pod: &Obj) {
        let root: &[Segment] = &[];
        self.unknown_fields(pod, root, Shape::Pod);
        self.id(pod);
        self.labels(pod, root, Shape::Pod, "labels");
        self.string(pod, root, Shape::Pod, "version");
        if let Some(user) = self.string(pod, root, Shape::Pod, "user") {
            if user.is_empty() {
                self.semantic(
                    at(root, "user"),
                    "must not be empty",
                    "/user",
                    "must not be empty",
                );
            }
        }
        let role = self.string(pod, root, Shape::Pod, "role");
        if let Some(role) = role.filter(|r| !r.is_empty()) {
            self.cluster(
                at(root, "role"),
                format!(
                    "Marathon accepts role {} only if the cluster allows it for this pod: the \
                     pod's current role, the name of its top-level group, or the cluster's \
                     default role (--mesos_role) unless that group enforces its own role",
                    quote(role)
                ),
            );
        }
        let legacy_cgroups =
            self.boolean(pod, root, Shape::Pod, "legacySharedCgroups") == Some(true);
        let secrets = self.secrets(pod);
        let mut ctx = Context {
            secrets,
            legacy_cgroups,
            ..Context::default()
        };
        self.environment(pod, root, Shape::Pod, &ctx);
        ctx.nets = self.networks(pod);
        ctx.volumes = match pod.get("volumes") {
            None | Some(Value::Null) => Some(HashSet::new()),
            Some(Value::Array(volumes)) => Some(
                volumes
                    .iter()
                    .filter_map(|v| v.get("name").and_then(Value::as_str))
                    .collect(),
            ),
            // A wrong type is reported on /volumes; mounts are not checked against it.
            Some(_) => None,
        };
        let mounted = self.containers(pod, &ctx);
        let resident = self.volumes(pod, &ctx, &mounted);
        self.scaling(pod);
        self.scheduling(pod, resident, role);
        if let Some(executor) = self.object(pod, root, Shape::Pod, "executorResources") {
            let path = at(root, "executorResources");
            self.number(executor, &path, Shape::ExecutorResources, "cpus");
            self.number(executor, &path, Shape::ExecutorResources, "mem");
            self.number(executor, &path, Shape::ExecutorResources, "disk");
        }
        if let Some(linux) = self.object(pod, root, Shape::Pod, "linuxInfo") {
            let path = at(root, "linuxInfo");
            if self.linux_info(linux, &path) {
                self.semantic(
                    at(&path, "seccomp"),
                    "is not supported for the pod (executor); set it on containers",
                    "/linuxInfo/seccomp",
                    "Seccomp configuration on executor level is not supported",
                );
            }
        }
    }

    /// The pod id: the one place it is checked. `pod::id` has the rules; each `IdError` is
    /// mapped here to podctl's message and Marathon's form.
    pub(super) fn id(&mut self, pod: &Obj) {
        let Some(id) = self.string(pod, &[], Shape::Pod, "id") else {
            return;
        };
        let path = at(&[], "id");
        if id.is_empty() {
            // Reported by the schema's length limit.
            return;
        }
        let checked = check_definition_id(id);
        if id.starts_with('/') && has_empty_segment(id) {
            if let Ok(stored) = &checked {
                self.warn(
                    path.clone(),
                    format!(
                        "has an empty segment (got {}): Marathon accepts it and stores the pod \
                         as {}",
                        quote(id),
                        quote(stored.as_str())
                    ),
                );
            }
        }
        let Err(e) = checked else {
            return;
        };
        let (message, text) = match &e {
            IdError::NotAbsolute => (
                format!("must be absolute, starting with '/' (got {})", quote(id)),
                Some("Path needs to be absolute".to_string()),
            ),
            IdError::Empty => (
                "must name a pod, not only '/'".to_string(),
                Some("Path must contain at least one path element".to_string()),
            ),
            IdError::Reserved(_) => (
                e.to_string(),
                Some(
                    "must not end with any of the following reserved keywords: restart, tasks, \
                     versions, ., .."
                        .to_string(),
                ),
            ),
            // Not from a definition's id: `check_definition_id` drops empty segments first.
            IdError::EmptySegment => (format!("{e} (got {})", quote(id)), None),
            IdError::BadSegment(_) => (e.to_string(), None),
            // Marathon's `childOf(path.parent)` refuses a path that does not resolve to itself;
            // the parent is written without empty segments, as `PathId` holds it.
            IdError::DotSegment(_) => {
                let segments: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
                let parent = segments.split_last().map_or(&[][..], |(_, parent)| parent);
                (
                    e.to_string(),
                    Some(format!(
                        "Identifier is not child of '/{}'",
                        parent.join("/")
                    )),
                )
            }
            // Not from `check_definition_id`: the text checks refuse over-long ids first.
            IdError::TooLong(_) => (e.to_string(), None),
        };
        if !names::matches_raml_path_id(id) {
            self.parse(path, message, "error.pattern");
        } else if let Some(text) = text {
            self.semantic(path, message, "/id", text);
        } else {
            self.local(path, message);
        }
    }

    pub(super) fn scaling(&mut self, pod: &Obj) {
        let Some(scaling) = self.object(pod, &[], Shape::Pod, "scaling") else {
            return;
        };
        let path = at(&[], "scaling");
        let Some(row) = self.row(Shape::Scaling, "kind") else {
            return;
        };
        // The kind is a discriminator: exact match, and Marathon reports it on /scaling.
        match scaling.get("kind") {
            Some(Value::String(k)) if k == "fixed" => {}
            Some(Value::String(k)) => self.parse(
                at(&path, "kind"),
                format!("must be exactly \"fixed\" (got {})", quote(k)),
                row.key,
            ),
            None | Some(Value::Null) => self.parse(
                at(&path, "kind"),
                "is required and must be \"fixed\"",
                row.key,
            ),
            Some(other) => self.parse(
                at(&path, "kind"),
                format!("must be exactly \"fixed\" (got {})", describe(other)),
                row.key,
            ),
        }
        self.integer(scaling, &path, Shape::Scaling, "instances");
    }
}
