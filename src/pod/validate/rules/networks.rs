//! Networks (`NetworkValidation`) and container endpoints: modes, names, ports, protocols and the
//! pod-wide uniqueness of endpoint names and ports.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{at, idx, quote, Context, Obj, Walker};
use crate::pod::validate::schema::Shape;
use crate::pod::validate::{marathon_path, pointer, Segment};

/// The networks of the pod, counted as Marathon counts them.
#[derive(Default)]
pub(super) struct Nets {
    /// `networks` is a non-empty array (none means host networking).
    pub(super) declared: bool,
    pub(super) host: usize,
    pub(super) bridge: usize,
    pub(super) container: usize,
    /// Explicit network names, in order.
    pub(super) names: Vec<String>,
}

/// What the pod-level uniqueness rules need from one endpoint.
pub(super) struct EndpointFacts<'v> {
    pub(super) path: Vec<Segment>,
    pub(super) name: Option<&'v str>,
    pub(super) container_port: Option<i64>,
    pub(super) host_port: Option<i64>,
}

impl Walker {
    /// `networks` and its rules (`NetworkValidation`); returns the counts the endpoints need.
    pub(super) fn networks(&mut self, pod: &Obj) -> Nets {
        let mut nets = Nets::default();
        let Some(items) = self.array(pod, &[], Shape::Pod, "networks") else {
            return nets;
        };
        let path = at(&[], "networks");
        nets.declared = !items.is_empty();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut first_unnamed_container: Option<usize> = None;
        for (i, item) in items.iter().enumerate() {
            let npath = idx(&path, i);
            let Some(net) = self.item_object(item, &npath, Shape::Pod, "networks") else {
                continue;
            };
            let name = self.string(net, &npath, Shape::Network, "name");
            self.labels(net, &npath, Shape::Network, "labels");
            let has_labels = net
                .get("labels")
                .and_then(Value::as_object)
                .is_some_and(|l| !l.is_empty());
            // A network without a mode is a container network.
            let mode = match net.get("mode") {
                None | Some(Value::Null) => Some("container"),
                Some(_) => self.enumeration(net, &npath, Shape::Network, "mode"),
            };
            let named = name.is_some_and(|n| !n.is_empty());
            match mode {
                Some("host") => {
                    nets.host += 1;
                    if named || has_labels {
                        let what = if named { "name" } else { "labels" };
                        self.semantic(
                            at(&npath, what),
                            format!("a host network must not have a {what}"),
                            "/networks",
                            "Host networks may not have names or labels",
                        );
                    }
                }
                Some("container/bridge") => {
                    nets.bridge += 1;
                    if named {
                        self.semantic(
                            at(&npath, "name"),
                            "a bridge network must not have a name",
                            "/networks",
                            "Bridge networks may not have names",
                        );
                    }
                }
                Some(_) => {
                    nets.container += 1;
                    if name.is_none() {
                        if first_unnamed_container.is_none() {
                            self.cluster(
                                npath.clone(),
                                "a container network without a name is the cluster's default \
                                 network (--default_network_name); Marathon refuses it when the \
                                 cluster sets none",
                            );
                        }
                        match first_unnamed_container {
                            None => first_unnamed_container = Some(i),
                            Some(first) => self.semantic(
                                npath.clone(),
                                format!(
                                    "is a second unnamed container network (the first is /networks/{first}); \
                                     give them names"
                                ),
                                "/networks",
                                "Duplicate networks are not allowed",
                            ),
                        }
                    }
                }
                None => {}
            }
            if let Some(name) = name {
                nets.names.push(name.to_string());
                match seen.get(name) {
                    Some(first) => self.semantic(
                        at(&npath, "name"),
                        format!(
                            "must be unique: {} is also used by /networks/{first}",
                            quote(name)
                        ),
                        "/networks",
                        "Duplicate networks are not allowed",
                    ),
                    None => {
                        seen.insert(name, i);
                    }
                }
            }
        }
        let single_host = nets.host <= 1 && nets.bridge == 0 && nets.container == 0;
        let single_bridge = nets.host == 0 && nets.bridge <= 1 && nets.container == 0;
        let containers_only = nets.host == 0 && nets.bridge == 0 && nets.container > 0;
        if !(single_host || single_bridge || containers_only) {
            self.semantic(
                path,
                format!(
                    "must be a single host network, a single bridge network, or one or more \
                     container networks (got {} host, {} bridge, {} container)",
                    nets.host, nets.bridge, nets.container
                ),
                "/networks",
                "May specify a single host network, single bridge network, or else 1-to-n container networks",
            );
        }
        nets
    }

    /// `endpoints` of a container; returns the declared endpoint names (for health checks).
    pub(super) fn endpoints<'v>(
        &mut self,
        c: &'v Obj,
        path: &[Segment],
        ctx: &Context,
        facts: &mut Vec<EndpointFacts<'v>>,
    ) -> HashSet<&'v str> {
        let mut declared = HashSet::new();
        let Some(items) = self.array(c, path, Shape::Container, "endpoints") else {
            return declared;
        };
        let path = at(path, "endpoints");
        let nets = &ctx.nets;
        for (j, item) in items.iter().enumerate() {
            let epath = idx(&path, j);
            let Some(e) = self.item_object(item, &epath, Shape::Container, "endpoints") else {
                continue;
            };
            let name = self.string(e, &epath, Shape::Endpoint, "name");
            declared.extend(name);
            let container_port = self.integer(e, &epath, Shape::Endpoint, "containerPort");
            let host_port = self.integer(e, &epath, Shape::Endpoint, "hostPort");
            facts.push(EndpointFacts {
                path: epath.clone(),
                name,
                container_port,
                host_port,
            });
            let present = |k: &str| e.get(k).is_some_and(|v| !v.is_null());
            let cp_path = at(&epath, "containerPort");
            if present("containerPort") {
                if nets.host > 0 {
                    self.semantic(
                        cp_path.clone(),
                        "is not allowed with host networking (use hostPort)",
                        marathon_path(&cp_path),
                        "is not allowed when using host-mode networking",
                    );
                } else if !nets.declared {
                    // No networks means host networking, but Marathon only checks an explicit one.
                    self.warn(
                        cp_path.clone(),
                        "is set, but a pod without networks uses host networking: Marathon \
                         accepts it, and no container port is mapped (use hostPort)",
                    );
                }
            } else if nets.container > 0 {
                self.semantic(
                    cp_path.clone(),
                    "is required with container networking",
                    marathon_path(&cp_path),
                    "is required when using container-mode networking",
                );
            }
            if let Some(protocols) = self.array(e, &epath, Shape::Endpoint, "protocol") {
                let ppath = at(&epath, "protocol");
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for (k, p) in self.strings(protocols, &ppath) {
                    if let Some(first) = seen.get(p) {
                        self.semantic(
                            idx(&ppath, k),
                            format!("repeats protocol {} (also at /protocol/{first})", quote(p)),
                            marathon_path(&ppath),
                            "Duplicate protocols within the same endpoint are not allowed",
                        );
                    } else {
                        seen.insert(p, k);
                    }
                }
            }
            self.labels(e, &epath, Shape::Endpoint, "labels");
            let network_names = self.array(e, &epath, Shape::Endpoint, "networkNames");
            let nn_path = at(&epath, "networkNames");
            if let Some(list) = network_names {
                for (k, n) in self.strings(list, &nn_path) {
                    if !nets.names.iter().any(|known| known == n) {
                        let item = idx(&nn_path, k);
                        self.semantic(
                            item.clone(),
                            format!(
                                "names network {}, which is not declared in /networks",
                                quote(n)
                            ),
                            marathon_path(&item),
                            format!("is not one of ({})", nets.names.join(",")),
                        );
                    }
                }
            }
            if nets.container > 1
                && present("hostPort")
                && network_names.is_none_or(|l| l.len() != 1)
            {
                self.semantic(
                    nn_path,
                    "must name exactly one network when hostPort is set and the pod has several \
                     container networks",
                    marathon_path(&epath),
                    "networkNames must be a single item list when hostPort is specified and more \
                     than 1 container network is defined",
                );
            }
        }
        declared
    }

    pub(super) fn unique_endpoints(&mut self, endpoints: &[EndpointFacts]) {
        let mut names: HashMap<&str, &[Segment]> = HashMap::new();
        let mut container_ports: HashMap<i64, &[Segment]> = HashMap::new();
        let mut host_ports: HashMap<i64, &[Segment]> = HashMap::new();
        for e in endpoints {
            if let Some(name) = e.name {
                match names.get(name) {
                    Some(first) => self.semantic(
                        at(&e.path, "name"),
                        format!(
                            "must be unique across the pod: {} is also used by {}",
                            quote(name),
                            pointer(first)
                        ),
                        "/",
                        "endpoint names nust be unique across all containers",
                    ),
                    None => {
                        names.insert(name, &e.path);
                    }
                }
            }
            for (port, field, seen, text) in [
                (
                    e.container_port,
                    "containerPort",
                    &mut container_ports,
                    "container ports must be unique across all containers",
                ),
                (
                    e.host_port,
                    "hostPort",
                    &mut host_ports,
                    "host ports must be unique across all containers",
                ),
            ] {
                let Some(port) = port.filter(|&p| p != 0) else {
                    continue;
                };
                match seen.get(&port) {
                    Some(first) => {
                        let message = format!(
                            "must be unique across the pod: {port} is also used by {}",
                            pointer(first)
                        );
                        self.semantic(at(&e.path, field), message, "/", text);
                    }
                    None => {
                        seen.insert(port, &e.path);
                    }
                }
            }
        }
    }
}
