//! Pod volumes (ephemeral, host, secret, persistent) and the containers' volume mounts.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::environment::undeclared_secret;
use super::{at, describe, idx, quote, Context, Kind, Obj, Walker};
use crate::pod::validate::schema::{Bounds, Field, Shape};
use crate::pod::validate::{marathon_path, names, Segment, ServerForm, Severity};

impl Walker {
    /// `volumes`; returns whether the pod is resident (has a persistent volume).
    ///
    /// Marathon reads a volume as persistent, secret, host or ephemeral, the first that parses: a
    /// volume whose persistent/secret/host part is malformed silently becomes an ephemeral one
    /// when its name fits an ephemeral volume. Those problems are warnings that say so (errors
    /// when the name does not fit, as nothing then parses; podctl cannot tell Marathon's words).
    pub(super) fn volumes(&mut self, pod: &Obj, ctx: &Context, mounted: &HashSet<&str>) -> bool {
        let mut resident = false;
        let Some(items) = self.array(pod, &[], Shape::Pod, "volumes") else {
            return resident;
        };
        let path = at(&[], "volumes");
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let vpath = idx(&path, i);
            let Some(volume) = self.item_object(item, &vpath, Shape::Pod, "volumes") else {
                continue;
            };
            let present = |k: &str| volume.get(k).is_some_and(|v| !v.is_null());
            let name = if present("persistent") || present("secret") {
                // Marathon's RAML names these with any non-empty string, not `strings.Name`.
                let row = self.row(Shape::Volume, "name").map(|row| Field {
                    bounds: Bounds::Len(1, usize::MAX),
                    pattern: None,
                    ..*row
                });
                row.and_then(|row| self.string_row(volume, &vpath, &row))
            } else {
                self.string(volume, &vpath, Shape::Volume, "name")
            };
            let before = self.problems.len();
            if present("persistent") {
                self.persistent(volume, &vpath);
            } else if present("secret") {
                let field = at(&vpath, "secret");
                match volume.get("secret") {
                    Some(Value::String(s)) if s.is_empty() => {
                        self.local(field, "must not be empty")
                    }
                    Some(Value::String(s)) => {
                        let declared = ctx.secrets.as_ref();
                        if !declared.is_some_and(|set| set.contains(s.as_str())) {
                            let message = match declared {
                                Some(set) => undeclared_secret(s, set),
                                None => {
                                    format!("names secret {}, but /secrets is not a map", quote(s))
                                }
                            };
                            self.semantic(
                                field.clone(),
                                message,
                                marathon_path(&field),
                                "volume.secret must refer to an existing secret",
                            );
                        }
                    }
                    Some(other) => {
                        self.local(field, format!("expected a string, got {}", describe(other)))
                    }
                    None => {}
                }
            } else if present("host") {
                let field = at(&vpath, "host");
                match volume.get("host") {
                    // Marathon 1.10's RAML sets no least length here.
                    Some(Value::String(s)) if s.is_empty() => self.warn(
                        field,
                        "is empty: Marathon 1.10 accepts it and hands Mesos an empty host path, \
                         which names no directory on the agent (give an absolute path, or a \
                         directory of the sandbox)",
                    ),
                    Some(Value::String(_)) | None => {}
                    Some(other) => {
                        self.local(field, format!("expected a string, got {}", describe(other)))
                    }
                }
            }
            let fallback = self.ephemeral_fallback(before, name);
            resident |= present("persistent") && !fallback;
            let Some(name) = name else {
                continue;
            };
            match seen.get(name) {
                Some(first) => self.semantic(
                    at(&vpath, "name"),
                    format!(
                        "must be unique: {} is also used by /volumes/{first}",
                        quote(name)
                    ),
                    "/volumes",
                    "volume names must be unique",
                ),
                None => {
                    seen.insert(name, i);
                }
            }
            if !mounted.contains(name) {
                self.semantic(
                    vpath.clone(),
                    format!("volume {} is not mounted by any container", quote(name)),
                    marathon_path(&vpath),
                    "volume must be referenced by at least one container",
                );
            }
        }
        resident
    }

    /// Turns the errors found since `before` in a volume's persistent, secret or host part
    /// (podctl-only: Marathon's reading falls through to an ephemeral volume) into warnings that
    /// say so, when `name` fits an ephemeral volume. Returns whether there were any.
    fn ephemeral_fallback(&mut self, before: usize, name: Option<&str>) -> bool {
        let mut any = false;
        let fits = name.is_some_and(names::is_name);
        for p in &mut self.problems[before..] {
            if p.severity == Severity::Error && p.server == ServerForm::None {
                any = true;
                if fits {
                    p.severity = Severity::Warning;
                    p.message.push_str(
                        ": Marathon accepts the volume and makes it an ephemeral one (an empty \
                         directory), ignoring the rest",
                    );
                }
            }
        }
        any
    }

    pub(super) fn persistent(&mut self, volume: &Obj, vpath: &[Segment]) {
        let ppath = at(vpath, "persistent");
        let before = self.problems.len();
        if let Some(p) = self.object(volume, vpath, Shape::Volume, "persistent") {
            self.enumeration(p, &ppath, Shape::Persistent, "type");
            if p.get("size").is_none_or(Value::is_null) {
                // Required, with its unit in the message (null included).
                self.parse(
                    at(&ppath, "size"),
                    "is required (MiB)",
                    "error.path.missing",
                );
            } else {
                self.integer(p, &ppath, Shape::Persistent, "size");
            }
            self.integer(p, &ppath, Shape::Persistent, "maxSize");
            self.get(p, &ppath, Shape::Persistent, "profileName");
            if let Some(constraints) = self.array(p, &ppath, Shape::Persistent, "constraints") {
                let cpath = at(&ppath, "constraints");
                for (k, c) in constraints.iter().enumerate() {
                    let item = idx(&cpath, k);
                    let list = Kind::Arr(&Kind::Str);
                    if !self.kind_ok(c, &item, list, list.key()) {
                        continue;
                    }
                    let parts = c.as_array().map(Vec::as_slice).unwrap_or_default();
                    if !(2..=3).contains(&parts.len()) {
                        self.parse(
                            item.clone(),
                            format!("must be [field, operator] or [field, operator, value] (got {} items)", parts.len()),
                            if parts.len() < 2 { "error.minLength" } else { "error.maxLength" },
                        );
                    }
                    self.strings(parts, &item);
                }
            }
        }
        // A malformed persistent part makes Marathon fall back to an ephemeral volume.
        for p in &mut self.problems[before..] {
            if p.severity == Severity::Error {
                p.server = ServerForm::None;
            }
        }
    }

    pub(super) fn volume_mounts<'v>(
        &mut self,
        c: &'v Obj,
        path: &[Segment],
        ctx: &Context,
        mounted: &mut HashSet<&'v str>,
    ) {
        let Some(items) = self.array(c, path, Shape::Container, "volumeMounts") else {
            return;
        };
        let path = at(path, "volumeMounts");
        for (j, item) in items.iter().enumerate() {
            let mpath = idx(&path, j);
            let Some(mount) = self.item_object(item, &mpath, Shape::Container, "volumeMounts")
            else {
                continue;
            };
            if let Some(name) = self.string(mount, &mpath, Shape::VolumeMount, "name") {
                mounted.insert(name);
                if let Some(volumes) = &ctx.volumes {
                    if !volumes.contains(name) {
                        let field = at(&mpath, "name");
                        self.semantic(
                            field.clone(),
                            format!(
                                "names volume {}, which is not declared in /volumes",
                                quote(name)
                            ),
                            marathon_path(&field),
                            "Referenced Volume in VolumeMount should exist",
                        );
                    }
                }
            }
            self.string(mount, &mpath, Shape::VolumeMount, "mountPath");
            self.boolean(mount, &mpath, Shape::VolumeMount, "readOnly");
        }
    }
}
