//! Container health checks (`healthCheck`, which Marathon validates) and `check` (which Marathon
//! 1.10 only parses: its fields' types and bounds, nothing more; it is never converted, stored or
//! run, `ContainerConversion.scala`).

use std::collections::HashSet;

use super::{at, quote, Obj, Walker};
use crate::pod::validate::schema::Shape;
use crate::pod::validate::{marathon_path, Segment};

impl Walker {
    /// `healthCheck` (Marathon validates it) or `check` (Marathon only parses it, so its types
    /// and bounds are checked and the rest is one warning).
    pub(super) fn health(
        &mut self,
        c: &Obj,
        path: &[Segment],
        key: &str,
        endpoints: &HashSet<&str>,
    ) {
        let is_health = key == "healthCheck";
        let shape = if is_health {
            Shape::HealthCheck
        } else {
            Shape::Check
        };
        let Some(hc) = self.object(c, path, Shape::Container, key) else {
            return;
        };
        let hpath = at(path, key);
        if !is_health {
            self.warn(
                hpath.clone(),
                "is ignored: Marathon 1.10 reads check but never stores or runs it (use \
                 healthCheck)",
            );
        }
        let mut kinds = Vec::new();
        for variant in ["http", "tcp", "exec"] {
            if hc.get(variant).is_some_and(|v| !v.is_null()) {
                kinds.push(variant);
            }
        }
        if is_health && kinds.len() != 1 {
            let message = if kinds.is_empty() {
                "needs one of http, tcp or exec".to_string()
            } else {
                format!(
                    "must have only one of http, tcp or exec (got {})",
                    kinds.join(" and ")
                )
            };
            self.semantic(
                hpath.clone(),
                message,
                marathon_path(&hpath),
                "Only one of http, tcp, or command may be specified",
            );
        }
        let endpoint_in = |w: &mut Walker, obj: &Obj, obj_shape: Shape, vpath: &[Segment]| {
            let Some(endpoint) = w.string(obj, vpath, obj_shape, "endpoint") else {
                return;
            };
            if is_health && !endpoints.contains(endpoint) {
                let field = at(vpath, "endpoint");
                let message = format!(
                    "names endpoint {}, which this container does not declare",
                    quote(endpoint)
                );
                let mpath = marathon_path(&field);
                w.semantic(
                    field,
                    message,
                    mpath,
                    "contained in the container endpoints",
                );
            }
        };
        if let Some(http) = self.object(hc, &hpath, shape, "http") {
            let vpath = at(&hpath, "http");
            endpoint_in(self, http, Shape::HttpCheck, &vpath);
            self.string(http, &vpath, Shape::HttpCheck, "path");
            self.enumeration(http, &vpath, Shape::HttpCheck, "scheme");
        }
        if let Some(tcp) = self.object(hc, &hpath, shape, "tcp") {
            endpoint_in(self, tcp, Shape::TcpCheck, &at(&hpath, "tcp"));
        }
        if let Some(exec) = self.object(hc, &hpath, shape, "exec") {
            let epath = at(&hpath, "exec");
            self.command(exec, &epath, Shape::CommandCheck);
            if is_health {
                self.cluster(
                    epath,
                    "Marathon refuses a command health check unless the Mesos master is 1.3 or later",
                );
            }
        }
        let int = |w: &mut Walker, field: &str| w.integer(hc, &hpath, shape, field);
        if is_health {
            int(self, "gracePeriodSeconds");
            int(self, "maxConsecutiveFailures");
        }
        let interval = int(self, "intervalSeconds");
        let timeout = int(self, "timeoutSeconds");
        int(self, "delaySeconds");
        let given = |k: &str| hc.get(k).is_some_and(|v| !v.is_null());
        // Marathon compares after filling the defaults (timeout 20, interval 60).
        let interval_ok = interval.is_some() || !given("intervalSeconds");
        let timeout_ok = timeout.is_some() || !given("timeoutSeconds");
        let (interval, timeout) = (interval.unwrap_or(60), timeout.unwrap_or(20));
        if is_health && interval_ok && timeout_ok && timeout >= interval {
            let tpath = at(&hpath, "timeoutSeconds");
            let (field, message) = if given("timeoutSeconds") {
                (
                    tpath.clone(),
                    format!("must be less than intervalSeconds ({interval}) (got {timeout})"),
                )
            } else {
                (
                    at(&hpath, "intervalSeconds"),
                    format!("must be greater than timeoutSeconds ({timeout} by default) (got {interval})"),
                )
            };
            self.semantic(
                field,
                message,
                marathon_path(&tpath),
                format!("got {timeout}, expected less than {interval}"),
            );
        }
    }
}
