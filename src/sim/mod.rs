//! `podctl sim`: an in-memory Marathon that follows the pods contract, for newcomers, tests and CI.
//!
//! It behaves like Marathon 1.10 inside DC/OS (default container network `dcos`): `server`
//! speaks HTTP, `route` and `body` decode requests, `error` spells every refusal, `state` is the
//! scheduler model with `instance` and `agents` below it, and `normalize` fills Marathon's
//! defaults. It uses `pod` for every type it speaks and never touches `commands`, `marathon` or
//! `render`.

mod agents;
mod body;
mod error;
mod instance;
mod normalize;
mod route;
mod server;
mod state;

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::{anyhow, Context as _};

use server::Context;
use state::Cluster;

/// Requests are answered by this many threads.
const WORKERS: usize = 4;

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// How long each deployment runs; zero makes every change instant.
    pub deploy_time: Duration,
    /// When set, requests need `Authorization: token=<token>` (except `/ping`).
    pub token: Option<String>,
    /// When false, one line per request goes to stderr: `POST /v2/pods 201`.
    pub quiet: bool,
    /// Glob patterns (`crash*`); a container whose `image.id` matches one keeps failing.
    pub fail_images: Vec<String>,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            host: "127.0.0.1".to_string(),
            port: 0,
            deploy_time: Duration::ZERO,
            token: None,
            quiet: false,
            fail_images: Vec::new(),
        }
    }
}

/// A bound, not yet serving, simulator.
pub struct Simulator {
    server: Arc<tiny_http::Server>,
    context: Arc<Context>,
    base_url: String,
}

impl Simulator {
    /// Binds the socket now, so that the caller can print the URL before serving.
    pub fn bind(opts: SimOptions) -> anyhow::Result<Simulator> {
        let fail_images = fail_patterns(&opts.fail_images)?;
        let server = tiny_http::Server::http((opts.host.as_str(), opts.port))
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("cannot listen on {}:{}", opts.host, opts.port))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow!("{}:{} is not an IP socket", opts.host, opts.port))?;
        let cluster_id = uuid::Uuid::new_v4().to_string();
        let context = Context {
            cluster: Mutex::new(
                Cluster::new(opts.deploy_time, &cluster_id).with_fail_images(fail_images),
            ),
            leader: addr.to_string(),
            token: opts.token,
            quiet: opts.quiet,
            framework_id: format!("{cluster_id}-0001"),
        };
        Ok(Simulator {
            server: Arc::new(server),
            context: Arc::new(context),
            base_url: format!("http://{addr}"),
        })
    }

    /// `http://127.0.0.1:41873`, with the port actually bound.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Serves until the process ends.
    pub fn run(self) -> anyhow::Result<()> {
        let mut workers = Vec::with_capacity(WORKERS);
        for n in 0..WORKERS {
            let server = Arc::clone(&self.server);
            let context = Arc::clone(&self.context);
            let worker = thread::Builder::new()
                .name(format!("sim-worker-{n}"))
                .spawn(move || loop {
                    match server.recv() {
                        Ok(request) => server::serve_one(&context, request),
                        // A failed accept concerns one connection only.
                        Err(_) => continue,
                    }
                })
                .context("starting a simulator worker thread")?;
            workers.push(worker);
        }
        for worker in workers {
            if worker.join().is_err() {
                return Err(anyhow!("a simulator worker thread stopped unexpectedly"));
            }
        }
        Ok(())
    }
}

/// Compiles the `--fail-image` patterns, naming the first invalid one.
fn fail_patterns(patterns: &[String]) -> anyhow::Result<Vec<glob::Pattern>> {
    patterns
        .iter()
        .map(|p| {
            glob::Pattern::new(p).map_err(|e| anyhow!("invalid --fail-image pattern {p:?}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_reports_the_real_port_and_names_the_address_on_failure() {
        let first = Simulator::bind(SimOptions::default()).expect("binds");
        let url = first.base_url();
        let port: u16 = url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in the URL");
        assert!(url.starts_with("http://127.0.0.1:") && port != 0, "{url}");
        let taken = Simulator::bind(SimOptions {
            port,
            ..SimOptions::default()
        });
        let message = format!("{:#}", taken.err().expect("the port is taken"));
        assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    }

    #[test]
    fn fail_image_patterns_match_image_ids_and_bad_ones_are_named() {
        let patterns = fail_patterns(&["crash*".to_string()]).expect("valid");
        let matches = |image: &str| patterns.iter().any(|p| p.matches(image));
        assert!(matches("crash:1"));
        assert!(matches("crashloop/app:2"));
        assert!(!matches("nginx"));
        assert!(!matches("nginx-crash"));
        let bad = Simulator::bind(SimOptions {
            fail_images: vec!["ok*".into(), "crash[".into()],
            ..SimOptions::default()
        });
        let message = format!("{:#}", bad.err().expect("an invalid pattern is refused"));
        assert!(
            message.starts_with("invalid --fail-image pattern \"crash[\": "),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
    }
}
