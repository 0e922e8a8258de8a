//! End-to-end tests: the real `podctl` binary against `podctl sim` (on 127.0.0.1, port 0) or a
//! recording loopback server. Every test gets its own simulator and an isolated environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply;
mod apply_wait;
mod bad_input;
mod completion;
mod config;
mod credentials;
mod dcos;
mod deployments;
mod diff;
mod edit;
mod errors;
mod events;
mod fidelity;
mod fidelity_update;
mod golden;
mod help;
mod hostile;
mod keys;
mod loopback;
mod overlap;
mod pods;
mod polish;
mod revert;
mod rules;
mod security;
mod sim_dcos;
mod sim_events;
mod sim_routes;
mod simulator;
mod streaming;
mod support;
mod tryout;
mod tryout2;
mod tryout3;
mod ux;
mod validate;
mod wire;
