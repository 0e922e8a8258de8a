//! The simulated Mesos agents: their names and ids, round-robin placement, each agent's pool of
//! host ports (31000 up, unique per agent) and the container-network addresses handed out.
//!
//! Bookkeeping only; when instances start and stop is decided by `state`.

use std::collections::BTreeSet;

/// First port of every agent's host port range, as on a default Mesos agent.
const FIRST_HOST_PORT: u32 = 31000;
const LAST_HOST_PORT: u32 = 32000;

#[derive(Debug, Clone)]
pub struct Agent {
    pub hostname: String,
    pub id: String,
    used_ports: BTreeSet<u32>,
    /// Every port below this one is taken: where the search for a free one starts.
    lowest_free: u32,
}

#[derive(Debug, Clone)]
pub struct Agents {
    cluster_id: String,
    agents: Vec<Agent>,
    next: usize,
    next_address: u32,
}

impl Agents {
    /// `count` agents named `sim-agent-1` ...; ids follow Mesos' `<cluster uuid>-S<n>` form.
    pub fn new(count: usize, cluster_id: &str) -> Agents {
        let mut agents = Agents {
            cluster_id: cluster_id.to_string(),
            agents: Vec::new(),
            next: 0,
            next_address: 0,
        };
        agents.grow(count.max(1));
        agents
    }

    /// Adds agents until there are at least `count`.
    pub fn grow(&mut self, count: usize) {
        for n in self.agents.len()..count {
            self.agents.push(Agent {
                hostname: format!("sim-agent-{}", n + 1),
                id: format!("{}-S{n}", self.cluster_id),
                used_ports: BTreeSet::new(),
                lowest_free: FIRST_HOST_PORT,
            });
        }
    }

    /// The agent for the next new instance.
    pub fn place(&mut self) -> usize {
        let agent = self.next % self.agents.len();
        self.next = self.next.wrapping_add(1);
        agent
    }

    pub fn get(&self, agent: usize) -> Option<&Agent> {
        self.agents.get(agent)
    }

    /// Host ports for one instance: a requested `0` gets the agent's lowest free port, a fixed
    /// port keeps its value, no request means no host port.
    pub fn allocate_ports(&mut self, agent: usize, requested: &[Option<u32>]) -> Vec<Option<u32>> {
        let Some(a) = self.agents.get_mut(agent) else {
            return requested.to_vec();
        };
        requested
            .iter()
            .map(|r| match r {
                Some(0) => {
                    let port = (a.lowest_free..=LAST_HOST_PORT)
                        .find(|p| !a.used_ports.contains(p))
                        .unwrap_or(0);
                    if port != 0 {
                        a.used_ports.insert(port);
                        a.lowest_free = port + 1;
                    }
                    Some(port)
                }
                other => *other,
            })
            .collect()
    }

    /// Gives an instance's ports back. Fixed ports were never taken from the pool, but the range
    /// check keeps a fixed port inside the range from freeing someone else's.
    pub fn release_ports(
        &mut self,
        agent: usize,
        ports: &[Option<u32>],
        requested: &[Option<u32>],
    ) {
        if let Some(a) = self.agents.get_mut(agent) {
            for (port, req) in ports.iter().zip(requested) {
                if let (Some(p), Some(0)) = (port, req) {
                    if a.used_ports.remove(p) {
                        a.lowest_free = a.lowest_free.min(*p);
                    }
                }
            }
        }
    }

    /// A fresh address on the `9.0.0.0/8` overlay DC/OS uses for its `dcos` network.
    pub fn address(&mut self) -> String {
        let n = self.next_address;
        self.next_address = self.next_address.wrapping_add(1);
        format!("9.0.{}.{}", (n / 254) % 256, n % 254 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_and_ports_unique_per_agent() {
        let mut agents = Agents::new(3, "c");
        assert_eq!(
            (
                agents.place(),
                agents.place(),
                agents.place(),
                agents.place()
            ),
            (0, 1, 2, 0)
        );
        let req = [Some(0), Some(80), None, Some(0)];
        let a = agents.allocate_ports(0, &req);
        assert_eq!(a, vec![Some(31000), Some(80), None, Some(31001)]);
        let b = agents.allocate_ports(0, &req);
        assert_eq!(b, vec![Some(31002), Some(80), None, Some(31003)]);
        // Another agent has its own pool.
        assert_eq!(agents.allocate_ports(1, &[Some(0)]), vec![Some(31000)]);
        agents.release_ports(0, &a, &req);
        assert_eq!(agents.allocate_ports(0, &[Some(0)]), vec![Some(31000)]);
        assert_eq!(
            agents.get(2).map(|a| a.hostname.as_str()),
            Some("sim-agent-3")
        );
        assert_eq!(agents.get(2).map(|a| a.id.as_str()), Some("c-S2"));
    }

    #[test]
    fn grown_agents_follow_the_naming_and_the_port_search_resumes() {
        let mut agents = Agents::new(3, "c");
        agents.grow(2);
        assert!(
            agents.get(2).is_some() && agents.get(3).is_none(),
            "never shrinks"
        );
        agents.grow(5);
        assert_eq!(agents.get(4).map(|a| a.id.as_str()), Some("c-S4"));
        let ports: Vec<Option<u32>> = (0..3)
            .flat_map(|_| agents.allocate_ports(4, &[Some(0)]))
            .collect();
        assert_eq!(ports, vec![Some(31000), Some(31001), Some(31002)]);
        agents.release_ports(4, &[Some(31001)], &[Some(0)]);
        assert_eq!(agents.allocate_ports(4, &[Some(0)]), vec![Some(31001)]);
        assert_eq!(agents.allocate_ports(4, &[Some(0)]), vec![Some(31003)]);
    }

    #[test]
    fn addresses_are_distinct() {
        let mut agents = Agents::new(1, "c");
        let a = agents.address();
        let b = agents.address();
        assert_eq!(a, "9.0.0.1");
        assert_ne!(a, b);
    }
}
