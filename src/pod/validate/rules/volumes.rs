//! Pod volumes (ephemeral, host, secret, persistent) and the containers' volume mounts.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{at, describe, idx, quote, Context, Kind, Obj, Walker};
use crate::pod::validate::fields::Shape;
use crate::pod::validate::{marathon_path, Segment, ServerForm, Severity};

impl Walker {
    /// `volumes`; returns whether the pod is resident (has a persistent volume).
    ///
    /// Marathon reads a volume as persistent, secret, host or ephemeral, the first that parses: a
    /// volume whose persistent/secret/host part is malformed silently becomes an ephemeral one.
    /// podctl refuses those (the server form is `None`: Marathon would accept them).
    pub(super) fn volumes(&mut self, pod: &Obj, ctx: &Context, mounted: &HashSet<&str>) -> bool {
        let mut resident = false;
        let Some(items) = self.array(pod, &[], "volumes", false, 0) else {
            return resident;
        };
        let path = at(&[], "volumes");
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let vpath = idx(&path, i);
            let Some(volume) = self.item_object(item, &vpath, Shape::Volume) else {
                continue;
            };
            let present = |k: &str| volume.get(k).is_some_and(|v| !v.is_null());
            let name = if present("persistent") || present("secret") {
                self.string(volume, &vpath, "name", true, 1, usize::MAX)
            } else {
                self.name(volume, &vpath, "name")
            };
            if present("persistent") {
                resident = true;
                self.persistent(volume, &vpath);
            } else if present("secret") {
                let field = at(&vpath, "secret");
                match volume.get("secret") {
                    Some(Value::String(s)) if s.is_empty() => {
                        self.local(field, "must not be empty")
                    }
                    Some(Value::String(s)) => {
                        let known = ctx
                            .secrets
                            .as_ref()
                            .is_some_and(|set| set.contains(s.as_str()));
                        if !known {
                            self.semantic(
                                field.clone(),
                                format!(
                                    "names secret {}, which is not declared in /secrets",
                                    quote(s)
                                ),
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
                    Some(Value::String(s)) if s.is_empty() => {
                        self.local(field, "must not be empty")
                    }
                    Some(Value::String(_)) | None => {}
                    Some(other) => {
                        self.local(field, format!("expected a string, got {}", describe(other)))
                    }
                }
            }
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

    pub(super) fn persistent(&mut self, volume: &Obj, vpath: &[Segment]) {
        let ppath = at(vpath, "persistent");
        let before = self.problems.len();
        if let Some(p) = self.object(volume, vpath, "persistent", true, Shape::Persistent) {
            self.enumeration(p, &ppath, "type", false, &["root", "path", "mount"]);
            if p.get("size").is_none_or(Value::is_null) {
                self.parse(
                    at(&ppath, "size"),
                    "is required (MiB)",
                    "error.path.missing",
                );
            }
            self.integer(p, &ppath, "size", Kind::Long, Some(0), None);
            self.integer(p, &ppath, "maxSize", Kind::Long, Some(0), None);
            self.get(p, &ppath, "profileName", Kind::Str, false);
            if let Some(constraints) = self.array(p, &ppath, "constraints", false, 0) {
                let cpath = at(&ppath, "constraints");
                for (k, c) in constraints.iter().enumerate() {
                    let item = idx(&cpath, k);
                    if !self.kind_ok(c, &item, Kind::Arr) {
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
        let Some(items) = self.array(c, path, "volumeMounts", false, 0) else {
            return;
        };
        let path = at(path, "volumeMounts");
        for (j, item) in items.iter().enumerate() {
            let mpath = idx(&path, j);
            let Some(mount) = self.item_object(item, &mpath, Shape::VolumeMount) else {
                continue;
            };
            if let Some(name) = self.name(mount, &mpath, "name") {
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
            self.string(mount, &mpath, "mountPath", true, 1, 1024);
            self.boolean(mount, &mpath, "readOnly");
        }
    }
}
