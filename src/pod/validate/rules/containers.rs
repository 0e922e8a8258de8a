//! Containers: names, resources and limits, `exec` commands, images, artifacts, `linuxInfo`, and
//! the order in which each container's sections are walked.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::environment::undeclared_secret;
use super::networks::EndpointFacts;
use super::{at, describe, idx, java_double, quote, show, Context, Obj, Walker};
use crate::pod::normalize::{CONTAINER_CPUS, CONTAINER_MEM};
use crate::pod::validate::schema::Shape;
use crate::pod::validate::{marathon_path, Segment};

impl Walker {
    /// `containers` and the pod-wide uniqueness rules; returns the names of mounted volumes.
    pub(super) fn containers<'v>(&mut self, pod: &'v Obj, ctx: &Context) -> HashSet<&'v str> {
        let mut mounted = HashSet::new();
        let Some(items) = self.array(pod, &[], Shape::Pod, "containers") else {
            return mounted;
        };
        let path = at(&[], "containers");
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut endpoints: Vec<EndpointFacts> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let cpath = idx(&path, i);
            let Some(container) = self.item_object(item, &cpath, Shape::Pod, "containers") else {
                continue;
            };
            if let Some(name) = self.string(container, &cpath, Shape::Container, "name") {
                match names.get(name) {
                    Some(first) => self.semantic(
                        at(&cpath, "name"),
                        format!(
                            "must be unique: {} is also used by /containers/{first}",
                            quote(name)
                        ),
                        "/containers",
                        "container names must be unique",
                    ),
                    None => {
                        names.insert(name, i);
                    }
                }
            }
            self.container(container, &cpath, ctx, &mut endpoints, &mut mounted);
        }
        self.unique_endpoints(&endpoints);
        mounted
    }

    pub(super) fn container<'v>(
        &mut self,
        c: &'v Obj,
        path: &[Segment],
        ctx: &Context,
        endpoints: &mut Vec<EndpointFacts<'v>>,
        mounted: &mut HashSet<&'v str>,
    ) {
        let requested = self.resources(c, path);
        self.resource_limits(c, path, requested, ctx);
        if let Some(exec) = self.object(c, path, Shape::Container, "exec") {
            let epath = at(path, "exec");
            self.command(exec, &epath, Shape::Exec);
            self.boolean(exec, &epath, Shape::Exec, "overrideEntrypoint");
        }
        let declared = self.endpoints(c, path, ctx, endpoints);
        self.image(c, path, ctx);
        self.environment(c, path, Shape::Container, ctx);
        if let Some(user) = self.string(c, path, Shape::Container, "user") {
            // Marathon checks only the pod's user.
            if user.is_empty() {
                self.warn(
                    at(path, "user"),
                    "is empty: Marathon accepts it and gives Mesos an empty user name, which \
                     overrides the pod's user (omit user to run as the pod's user)",
                );
            }
        }
        self.health(c, path, "healthCheck", &declared);
        self.health(c, path, "check", &declared);
        self.volume_mounts(c, path, ctx, mounted);
        self.artifacts(c, path);
        self.labels(c, path, Shape::Container, "labels");
        if let Some(lifecycle) = self.object(c, path, Shape::Container, "lifecycle") {
            self.number(
                lifecycle,
                &at(path, "lifecycle"),
                Shape::Lifecycle,
                "killGracePeriodSeconds",
            );
        }
        self.boolean(c, path, Shape::Container, "tty");
        if let Some(linux) = self.object(c, path, Shape::Container, "linuxInfo") {
            self.linux_info(linux, &at(path, "linuxInfo"));
        }
    }

    /// Container `resources`; returns the requested (cpus, mem) with Marathon's defaults.
    pub(super) fn resources(&mut self, c: &Obj, path: &[Segment]) -> (Option<f64>, Option<f64>) {
        let Some(resources) = self.object(c, path, Shape::Container, "resources") else {
            return (None, None);
        };
        let rpath = at(path, "resources");
        // Marathon's defaults stand for absent requests.
        let given = |w: &mut Walker, key: &str, default: f64| match resources.get(key) {
            None | Some(Value::Null) => Some(default),
            Some(_) => w.number(resources, &rpath, Shape::Resources, key),
        };
        let cpus = given(self, "cpus", CONTAINER_CPUS);
        let mem = given(self, "mem", CONTAINER_MEM);
        self.number(resources, &rpath, Shape::Resources, "disk");
        self.integer(resources, &rpath, Shape::Resources, "gpus");
        (cpus, mem)
    }

    pub(super) fn resource_limits(
        &mut self,
        c: &Obj,
        path: &[Segment],
        requested: (Option<f64>, Option<f64>),
        ctx: &Context,
    ) {
        let Some(limits) = self.object(c, path, Shape::Container, "resourceLimits") else {
            return;
        };
        let lpath = at(path, "resourceLimits");
        if ctx.legacy_cgroups {
            self.semantic(
                lpath.clone(),
                "is not allowed when legacySharedCgroups is true",
                marathon_path(&lpath),
                "resourceLimits cannot be defined if legacySharedCgroups is enabled",
            );
        }
        for (key, request) in [("cpus", requested.0), ("mem", requested.1)] {
            let Some(row) = self.row(Shape::ResourceLimits, key) else {
                continue;
            };
            let field = at(&lpath, key);
            match limits.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s == "unlimited" => {}
                Some(Value::String(s)) => self.semantic(
                    field.clone(),
                    format!("must be a number or \"unlimited\" (got {})", quote(s)),
                    marathon_path(&field),
                    format!(
                        "'{s}' is an invalid resource limit. It must be 'unlimited' or a number"
                    ),
                ),
                Some(Value::Number(n)) => {
                    let (Some(limit), Some(request)) = (n.as_f64(), request) else {
                        continue;
                    };
                    if limit < request {
                        self.semantic(
                            field.clone(),
                            format!(
                                "must be at least the requested resources.{key} ({}) (got {n})",
                                show(request)
                            ),
                            marathon_path(&field),
                            format!(
                                "resource limit must be greater than or equal to requested resource ({})",
                                java_double(request)
                            ),
                        );
                    }
                }
                Some(other) => self.parse(
                    field,
                    format!(
                        "expected a number or \"unlimited\", got {}",
                        describe(other)
                    ),
                    row.key,
                ),
            }
        }
    }

    /// A Mesos command under `parent`: `{"shell": ".."}` or `{"argv": [..]}`.
    pub(super) fn command(&mut self, parent: &Obj, ppath: &[Segment], shape: Shape) {
        let Some(command) = self.object(parent, ppath, shape, "command") else {
            return;
        };
        let path = at(ppath, "command");
        self.string(command, &path, Shape::Command, "shell");
        if let Some(argv) = self.array(command, &path, Shape::Command, "argv") {
            self.strings(argv, &at(&path, "argv"));
        }
        let has = |k: &str| command.get(k).is_some_and(|v| !v.is_null());
        match (has("shell"), has("argv")) {
            (false, false) => self.parse(
                path,
                "needs shell (a command line) or argv (a list of arguments)",
                "error.path.missing",
            ),
            // Marathon reads `ShellCommand | ArgvCommand` in that order: the shell wins.
            (true, true) => self.warn(
                path,
                "has both shell and argv: Marathon runs the shell command and drops argv",
            ),
            _ => {}
        }
    }

    pub(super) fn image(&mut self, c: &Obj, path: &[Segment], ctx: &Context) {
        let Some(image) = self.object(c, path, Shape::Container, "image") else {
            return;
        };
        let ipath = at(path, "image");
        if let Some(Value::String(kind)) = image.get("kind") {
            if kind.eq_ignore_ascii_case("appc") {
                self.parse(
                    at(&ipath, "kind"),
                    "must be DOCKER: Marathon 1.9 and later no longer run APPC images",
                    "error.unknown.enum.literal",
                );
            } else {
                self.enumeration(image, &ipath, Shape::Image, "kind");
            }
        } else {
            self.enumeration(image, &ipath, Shape::Image, "kind");
        }
        self.string(image, &ipath, Shape::Image, "id");
        self.boolean(image, &ipath, Shape::Image, "forcePull");
        self.labels(image, &ipath, Shape::Image, "labels");
        if let Some(pull) = self.object(image, &ipath, Shape::Image, "pullConfig") {
            let ppath = at(&ipath, "pullConfig");
            if let Some(secret) = self.string(pull, &ppath, Shape::PullConfig, "secret") {
                if let Some(secrets) = &ctx.secrets {
                    if !secrets.contains(secret) {
                        self.semantic(
                            at(&ppath, "secret"),
                            undeclared_secret(secret, secrets),
                            marathon_path(&ppath),
                            "pullConfig.secret must refer to an existing secret",
                        );
                    }
                }
            }
        }
    }

    pub(super) fn artifacts(&mut self, c: &Obj, path: &[Segment]) {
        let Some(items) = self.array(c, path, Shape::Container, "artifacts") else {
            return;
        };
        let path = at(path, "artifacts");
        for (j, item) in items.iter().enumerate() {
            let apath = idx(&path, j);
            let Some(artifact) = self.item_object(item, &apath, Shape::Container, "artifacts")
            else {
                continue;
            };
            self.string(artifact, &apath, Shape::Artifact, "uri");
            for flag in ["extract", "executable", "cache"] {
                self.boolean(artifact, &apath, Shape::Artifact, flag);
            }
            self.string(artifact, &apath, Shape::Artifact, "destPath");
        }
    }

    /// `linuxInfo` at pod or container level; returns whether seccomp is set (the pod-level rule).
    pub(super) fn linux_info(&mut self, linux: &Obj, path: &[Segment]) -> bool {
        let mut has_seccomp = false;
        if let Some(seccomp) = self.object(linux, path, Shape::LinuxInfo, "seccomp") {
            has_seccomp = true;
            let spath = at(path, "seccomp");
            let profile = self
                .get(seccomp, &spath, Shape::Seccomp, "profileName")
                .is_some();
            let unconfined = self
                .boolean(seccomp, &spath, Shape::Seccomp, "unconfined")
                .unwrap_or(false);
            let container_level = path.len() > 1;
            if container_level && profile && unconfined {
                self.semantic(
                    at(&spath, "unconfined"),
                    "must be false when profileName is set",
                    marathon_path(&spath),
                    "Seccomp unconfined can NOT be true when Profile is defined",
                );
            } else if container_level && !profile && !unconfined {
                self.semantic(
                    at(&spath, "unconfined"),
                    "must be true when no profileName is set",
                    marathon_path(&spath),
                    "Seccomp unconfined must be true when Profile is NOT defined",
                );
            }
        }
        if let Some(ipc) = self.object(linux, path, Shape::LinuxInfo, "ipcInfo") {
            let ipath = at(path, "ipcInfo");
            let mode = self.enumeration(ipc, &ipath, Shape::IpcInfo, "mode");
            let shm = self.integer(ipc, &ipath, Shape::IpcInfo, "shmSize");
            let shm_given = ipc.get("shmSize").is_some_and(|v| !v.is_null());
            if mode == Some("SHARE_PARENT") && shm_given && shm.is_some() {
                self.semantic(
                    at(&ipath, "shmSize"),
                    "must not be set when mode is SHARE_PARENT",
                    marathon_path(&ipath),
                    "ipcInfo shmSize can NOT be set when mode is SHARE_PARENT",
                );
            }
        }
        has_seccomp
    }
}
