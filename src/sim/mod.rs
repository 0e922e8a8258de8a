//! `podctl sim`: an in-memory Marathon that follows the pods contract, for newcomers, tests and CI.
//!
//! It behaves like Marathon 1.10 inside DC/OS (default container network `dcos`): `net` owns the
//! sockets (hyper on a small tokio runtime, a task per connection, HTTPS through tokio-rustls
//! with the configuration `tls` loads, resets, the graceful stop), `server` turns a request into
//! an answer, `auth` checks credentials, `fault` breaks requests on purpose, `route` and `body`
//! decode requests, `error` spells every refusal, `clock` gives the time and the ids (the
//! system's, or a manual clock for tests), `state` is the scheduler model (`state::status` writes
//! a pod's status) with `instance` and `agents` below it, and `seed` fills it for scale tests;
//! Marathon's defaults come from `pod::normalize`. The model is pure and synchronous: it takes
//! `now` from the clock and sits behind one lock; only `net` and `server` are async. It uses
//! `pod` for every type it speaks and never touches `commands`, `marathon` or `render`.

mod agents;
mod auth;
mod body;
mod clock;
mod dcos;
mod error;
mod events;
mod fault;
mod instance;
mod net;
mod route;
mod seed;
mod server;
mod state;
mod tls;

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use tokio::runtime::Runtime;
use tokio_rustls::TlsAcceptor;

use auth::Auth;
use clock::Clock;
use dcos::Dcos;
pub use dcos::DcosOptions;
use events::Bus;
pub use fault::check_fault;
use fault::Faults;
pub use seed::Seed;
use server::Context;
use state::Cluster;

/// Threads that serve the connections (each a task, not a thread); the model is behind one lock
/// anyway, so more would not answer faster.
const WORKERS: usize = 2;

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
    /// `user:password`; when set, requests need HTTP basic auth with it (except `/ping`).
    pub basic: Option<String>,
    /// PEM certificate chain and private key; when set, the simulator speaks HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `--fault` specs: `METHOD PATH=KIND[xN]`.
    pub faults: Vec<String>,
    /// Pods to preload, already STABLE.
    pub seed: Seed,
    /// When false, one line per request goes to stderr: `POST /v2/pods 201`.
    pub quiet: bool,
    /// Glob patterns (`crash*`); a container whose `image.id` matches one keeps failing.
    pub fail_images: Vec<String>,
    /// For tests: time starts at 2026-01-01T00:00:00Z and moves only through
    /// `POST /_sim/clock/advance?by=DURATION`; ids are sequential.
    pub manual_clock: bool,
    /// When set, behave like DC/OS in front of Marathon: `/service/marathon/`, the IAM's login,
    /// issued tokens required on every request (see `dcos`).
    pub dcos: Option<DcosOptions>,
    /// When false, `/v2/events` answers 404, as when a proxy in front does not route it.
    pub events: bool,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            host: "127.0.0.1".to_string(),
            port: 0,
            deploy_time: Duration::ZERO,
            token: None,
            basic: None,
            tls: None,
            faults: Vec::new(),
            seed: Seed::default(),
            quiet: false,
            fail_images: Vec::new(),
            manual_clock: false,
            dcos: None,
            events: true,
        }
    }
}

/// A bound, not yet serving, simulator.
pub struct Simulator {
    runtime: Runtime,
    listener: tokio::net::TcpListener,
    tls: Option<TlsAcceptor>,
    context: Arc<Context>,
    base_url: String,
    /// Completes when the simulator should stop; never, unless [`Simulator::stop_on_signals`].
    stop: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Simulator {
    /// Checks the options, loads the seed and binds the socket now, so that the caller can print
    /// the URL before serving.
    pub fn bind(mut opts: SimOptions) -> anyhow::Result<Simulator> {
        let fail_images = fail_patterns(&opts.fail_images)?;
        let faults = Faults::parse(&opts.faults).map_err(|e| anyhow!(e))?;
        if opts.dcos.is_some() && opts.basic.is_some() {
            return Err(anyhow!(
                "--dcos and --require-basic exclude each other: DC/OS authenticates with tokens"
            ));
        }
        // With --dcos, DC/OS checks every token, the fixed one included.
        let fixed_token = if opts.dcos.is_some() {
            opts.token.take()
        } else {
            None
        };
        let auth = match (opts.token, opts.basic) {
            (Some(_), Some(_)) => {
                return Err(anyhow!(
                    "--require-token and --require-basic exclude each other"
                ))
            }
            (Some(token), None) => Auth::Token(token),
            (None, Some(basic)) if !basic.contains(':') => {
                return Err(anyhow!("--require-basic expects USER:PASS, got {basic:?}"))
            }
            (None, Some(basic)) => Auth::Basic(basic),
            (None, None) => Auth::Open,
        };
        let tls = match &opts.tls {
            Some((cert, key)) => Some(TlsAcceptor::from(tls::load(cert, key)?)),
            None => None,
        };
        let cannot_listen = || format!("cannot listen on {}:{}", opts.host, opts.port);
        let listener =
            TcpListener::bind((opts.host.as_str(), opts.port)).with_context(cannot_listen)?;
        let addr = listener.local_addr().with_context(cannot_listen)?;
        listener.set_nonblocking(true).with_context(cannot_listen)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .thread_name("sim-worker")
            .enable_all()
            .build()
            .context("starting the simulator's runtime")?;
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(listener).with_context(cannot_listen)?
        };
        let clock = Arc::new(if opts.manual_clock {
            Clock::manual()
        } else {
            Clock::System
        });
        let mut ids = clock.ids();
        let cluster_id = ids.next_id();
        let mut cluster = Cluster::new(opts.deploy_time, &cluster_id)
            .with_fail_images(fail_images)
            .with_ids(ids);
        if opts.events {
            cluster = cluster.with_events();
        }
        cluster.seed(&opts.seed, clock.now());
        let dcos = match &opts.dcos {
            Some(dcos) => Some(Dcos::new(
                dcos,
                fixed_token,
                &cluster_id,
                &addr.ip().to_string(),
            )?),
            None => None,
        };
        // The seeded pods are the starting point: they make no events.
        cluster.observe(clock.now());
        let events = opts.events.then(|| Arc::new(Bus::new(Arc::clone(&clock))));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let context = Context {
            cluster: Mutex::new(cluster),
            clock,
            leader: addr.to_string(),
            scheme,
            auth,
            faults,
            quiet: opts.quiet,
            framework_id: format!("{cluster_id}-0001"),
            dcos,
            events,
        };
        Ok(Simulator {
            runtime,
            listener,
            tls,
            context: Arc::new(context),
            base_url: format!("{scheme}://{addr}"),
            stop: None,
        })
    }

    /// `http://127.0.0.1:41873` (`https://` with TLS), with the port actually bound.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// From now on, SIGTERM or SIGINT (Ctrl-C) makes [`Simulator::run`] stop gracefully and
    /// return: no new connections, idle ones closed, requests under way given a moment to finish.
    /// Call it before telling anyone the URL, so that a signal sent right after is not missed.
    pub fn stop_on_signals(&mut self) -> anyhow::Result<()> {
        let _inside = self.runtime.enter();
        self.stop = Some(Box::pin(
            signals().context("listening for SIGTERM and SIGINT")?,
        ));
        Ok(())
    }

    /// Serves until stopped (see [`Simulator::stop_on_signals`]); otherwise until the process
    /// ends. Meant to be the last thing a process does: the model is not freed on return.
    pub fn run(self) -> anyhow::Result<()> {
        let Simulator {
            runtime,
            listener,
            tls,
            context,
            stop,
            ..
        } = self;
        let stop = async move {
            match stop {
                Some(stop) => stop.await,
                None => std::future::pending().await,
            }
        };
        // The process ends right after a stop, so the model is left for it to reclaim: freeing a
        // big seeded one piece by piece would hold up the exit by tens of milliseconds.
        std::mem::forget(Arc::clone(&context));
        if context.events.is_some() && !context.clock.is_manual() {
            runtime.spawn(server::tick(Arc::clone(&context)));
        }
        runtime.block_on(net::serve(listener, tls, context, stop));
        // Whatever outlived the grace period is dropped: its connections close.
        runtime.shutdown_background();
        Ok(())
    }
}

/// Completes at the first SIGTERM or SIGINT, both caught from the moment this is called.
#[cfg(unix)]
fn signals() -> std::io::Result<impl Future<Output = ()> + Send> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// Completes at the first Ctrl-C.
#[cfg(not(unix))]
fn signals() -> std::io::Result<impl Future<Output = ()> + Send> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
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

    fn refusal(opts: SimOptions) -> String {
        let message = format!("{:#}", Simulator::bind(opts).err().expect("refused"));
        assert!(!message.contains('\n'), "{message}");
        message
    }

    #[test]
    fn bad_options_are_refused_on_one_line_naming_them() {
        let message = refusal(SimOptions {
            faults: vec!["GET /v2/pods=503".into(), "GET /x=teapot".into()],
            ..SimOptions::default()
        });
        assert!(
            message.starts_with("invalid --fault \"GET /x=teapot\": "),
            "{message}"
        );
        let message = refusal(SimOptions {
            basic: Some("nocolon".into()),
            ..SimOptions::default()
        });
        assert!(message.contains("USER:PASS"), "{message}");
        let dir = tempfile::tempdir().expect("temp dir");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let tls = |cert: &std::path::Path, key: &std::path::Path| SimOptions {
            tls: Some((cert.to_path_buf(), key.to_path_buf())),
            ..SimOptions::default()
        };
        let message = refusal(tls(&cert, &key));
        assert!(
            message.starts_with(&format!("cannot read TLS certificate {}: ", cert.display())),
            "{message}"
        );
        std::fs::write(&cert, "not PEM at all\n").expect("write");
        let message = refusal(tls(&cert, &key));
        assert!(
            message.starts_with(&format!("invalid TLS certificate {}: ", cert.display())),
            "{message}"
        );
        let one = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        std::fs::write(&cert, one.cert.pem()).expect("write");
        std::fs::write(&key, "-----BEGIN NOTHING-----\n").expect("write");
        let message = refusal(tls(&cert, &key));
        assert!(
            message.starts_with(&format!("invalid TLS key {}: ", key.display())),
            "{message}"
        );
        std::fs::write(&key, other.signing_key.serialize_pem()).expect("write");
        let message = refusal(tls(&cert, &key));
        assert!(
            message.starts_with(&format!(
                "TLS key {} does not fit certificate",
                key.display()
            )),
            "{message}"
        );
        std::fs::write(&key, one.signing_key.serialize_pem()).expect("write");
        let sim = Simulator::bind(tls(&cert, &key)).expect("a matching pair binds");
        assert!(sim.base_url().starts_with("https://127.0.0.1:"));
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
