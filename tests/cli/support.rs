//! Test harness: a simulator per test, and a `podctl` runner with a clean environment.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_podctl");

/// A `podctl sim` child process, killed on drop.
pub struct Sim {
    child: Child,
    pub url: String,
    log: PathBuf,
    /// `--require-token`, sent with `advance`.
    token: Option<String>,
    /// It serves `/v2/events` (no `--no-events`): waits follow the stream instead of polling.
    pub events: bool,
    _dir: tempfile::TempDir,
}

impl Sim {
    /// A simulator whose deployments finish at once.
    pub fn start() -> Sim {
        Sim::with_args(&["--deploy-time", "0"])
    }

    /// A simulator on the manual clock (`--clock manual`): time stands still at
    /// 2026-01-01T00:00:00Z until [`Sim::advance`] moves it, and ids are sequential.
    pub fn manual(args: &[&str]) -> Sim {
        let mut all = vec!["--clock", "manual"];
        all.extend(args);
        Sim::with_args(&all)
    }

    /// Moves the manual clock forward (`POST /_sim/clock/advance`).
    #[track_caller]
    pub fn advance(&self, by: Duration) {
        let client = reqwest::blocking::Client::builder()
            .danger_accept_invalid_certs(true)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut request = client.post(format!(
            "{}/_sim/clock/advance?by={}ms",
            self.url,
            by.as_millis()
        ));
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("token={token}"));
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text());
    }

    /// One request with reqwest (no redirects followed), answering status, headers and body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().unwrap())
    }

    /// How many requests the simulator has logged so far.
    pub fn request_count(&self) -> usize {
        self.requests().len()
    }

    pub fn with_args(args: &[&str]) -> Sim {
        let token = args
            .iter()
            .position(|a| *a == "--require-token")
            .and_then(|i| args.get(i + 1))
            .map(|t| t.to_string());
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("sim.log");
        let mut child = Command::new(BIN)
            .args(["sim", "--port", "0"])
            .args(args)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") || url.starts_with("https://127.0.0.1:"),
            "sim printed {first:?}"
        );
        Sim {
            child,
            url,
            log,
            token,
            events: !args.contains(&"--no-events"),
            _dir: dir,
        }
    }

    /// `host:port` of a plain-HTTP simulator, for raw sockets.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The simulator's process id, for signals and thread counts.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The simulator's process, to see whether it has exited.
    pub fn process(&mut self) -> &mut Child {
        &mut self.child
    }

    /// What the simulator logged so far (one line per request).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Request lines (`POST /v2/pods 201`) logged so far.
    pub fn requests(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| {
                ["GET ", "POST ", "PUT ", "DELETE ", "HEAD "]
                    .iter()
                    .any(|m| l.contains(m))
            })
            .map(str::to_string)
            .collect()
    }

    /// A runner pointed at this simulator through `PODCTL_URL`.
    pub fn podctl(&self) -> Podctl {
        Podctl::new().env("PODCTL_URL", &self.url)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs podctl with nothing from the developer's environment: its own HOME and config dir.
pub struct Podctl {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// A podctl running in the background, its output read as it comes; see [`Podctl::spawn`].
pub struct Running {
    child: Child,
    out: Option<std::thread::JoinHandle<Vec<u8>>>,
    err: Option<std::thread::JoinHandle<Vec<u8>>>,
    input: Option<std::thread::JoinHandle<()>>,
    /// A message from each output reader when its pipe closes, that is when podctl exits.
    closed: std::sync::mpsc::Receiver<()>,
}

/// How long any podctl run may take before the test fails as hung: a guard against hangs, far
/// above what any run needs, not a measure of speed.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

impl Running {
    /// Starts `cmd` with `stdin` as its input (nothing, when `None`) and its stdout and stderr
    /// read as the child writes them, so a chatty child never blocks on a full pipe.
    pub fn start(cmd: Command, stdin: Option<&str>) -> Running {
        Running::launch(cmd, stdin, true)
    }

    /// [`Running::start`], but with stdout a pipe nobody reads: closed at once, as by `| head`.
    pub fn start_with_stdout_closed(cmd: Command) -> Running {
        Running::launch(cmd, None, false)
    }

    fn launch(mut cmd: Command, stdin: Option<&str>, read_stdout: bool) -> Running {
        let mut child = cmd
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let input = stdin.map(|text| {
            let mut pipe = child.stdin.take().unwrap();
            let data = text.as_bytes().to_vec();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&data);
            })
        });
        let (closing, closed) = std::sync::mpsc::channel();
        let read = |mut pipe: Box<dyn Read + Send>| {
            let closing = closing.clone();
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                let _ = closing.send(());
                bytes
            })
        };
        let stdout = child.stdout.take().unwrap();
        let out = if read_stdout {
            read(Box::new(stdout))
        } else {
            drop(stdout);
            read(Box::new(std::io::empty()))
        };
        let err = read(Box::new(child.stderr.take().unwrap()));
        Running {
            child,
            out: Some(out),
            err: Some(err),
            input,
            closed,
        }
    }

    /// Whether it has exited.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Waits until it has made `n` more requests to `sim` than `since`, or has exited.
    pub fn await_requests(&mut self, sim: &Sim, since: usize, n: usize) {
        eventually("podctl to poll again", || {
            sim.request_count() >= since + n || self.exited()
        });
    }

    /// Waits until podctl, started when the simulator had logged `since` requests, has sent
    /// the request its wait follows (the write, or `deployment watch`'s look-up) after opening
    /// the event stream, or has exited. Only for a simulator that serves events.
    pub fn await_started(&mut self, sim: &Sim, since: usize) {
        eventually("podctl to subscribe and send its request", || {
            // Behind `--dcos`, Marathon's paths may come under DC/OS's prefix.
            let requests: Vec<String> = sim
                .requests()
                .iter()
                .map(|r| r.replacen(" /service/marathon/", " /", 1))
                .collect();
            let ours = requests.get(since..).unwrap_or_default();
            let subscribed = ours.iter().position(|r| r.starts_with("GET /v2/events"));
            let sent = subscribed.is_some_and(|i| {
                ours[i..].iter().any(|r| {
                    [
                        "POST /v2/",
                        "PUT /v2/",
                        "DELETE /v2/",
                        "GET /v2/deployments ",
                    ]
                    .iter()
                    .any(|m| r.starts_with(m))
                })
            });
            sent || self.exited()
        });
    }

    /// [`Running::drive`] for a podctl started when the simulator had logged `since` requests.
    /// Following the event stream, podctl hears of every step however fast the clock moves:
    /// once its request is out, the clock moves `max_steps` times and podctl is awaited.
    pub fn drive_since(mut self, sim: &Sim, since: usize, step: Duration, max_steps: usize) -> Out {
        if !sim.events {
            return self.drive(sim, step, max_steps);
        }
        self.await_started(sim, since);
        for _ in 0..max_steps {
            if self.exited() {
                break;
            }
            sim.advance(step);
        }
        self.finish()
    }

    /// Moves the simulator's clock by `step`, then waits for podctl to poll again, until podctl
    /// exits (at most `max_steps` steps); returns its outcome. Polls are counted in the requests
    /// the simulator logs, so podctl sees every step of the clock.
    pub fn drive(mut self, sim: &Sim, step: Duration, max_steps: usize) -> Out {
        // The clock must not move before podctl's own write (a just-spawned podctl may not have
        // sent it yet): wait for one more request first; if it was sent already, that is a poll.
        let before = sim.request_count();
        self.await_requests(sim, before, 1);
        for _ in 0..max_steps {
            if self.exited() {
                break;
            }
            let before = sim.request_count();
            sim.advance(step);
            // Two polls (each at least one request): the second began after the advance.
            self.await_requests(sim, before, 4);
        }
        self.finish()
    }

    /// Waits for it to exit and returns what it printed. Still running after [`HANG_GUARD`], it
    /// is killed and the test fails with what it printed so far.
    #[track_caller]
    pub fn finish(mut self) -> Out {
        // Both pipes close when podctl exits; no polling.
        let deadline = std::time::Instant::now() + HANG_GUARD;
        let exited = (0..2).all(|_| {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            self.closed.recv_timeout(left).is_ok()
        });
        if !exited {
            let _ = self.child.kill();
        }
        let status = self.child.wait().unwrap();
        if let Some(input) = self.input.take() {
            input.join().unwrap();
        }
        let stdout = self.out.take().unwrap().join().unwrap();
        let stderr = self.err.take().unwrap().join().unwrap();
        let out = Out {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        };
        assert!(
            exited,
            "podctl still running after {HANG_GUARD:?}: {out:#?}"
        );
        // Everything podctl prints is text: escaped, never raw bytes from a server.
        assert!(
            std::str::from_utf8(&stdout).is_ok() && std::str::from_utf8(&stderr).is_ok(),
            "output is not UTF-8: {out:#?}"
        );
        out
    }

    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The outcome of one run.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Shows at most the start and end of long output, so a failing assertion stays readable.
impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn clip(s: &str) -> String {
            const KEEP: usize = 1500;
            if s.len() <= 2 * KEEP {
                return s.to_string();
            }
            let head: String = s.chars().take(KEEP).collect();
            let tail: String = s
                .chars()
                .rev()
                .take(KEEP)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("{head}\n[... {} bytes ...]\n{tail}", s.len() - 2 * KEEP)
        }
        f.debug_struct("Out")
            .field("code", &self.code)
            .field("stdout", &clip(&self.stdout))
            .field("stderr", &clip(&self.stderr))
            .finish()
    }
}

impl Out {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        &self.stdout
    }

    /// Asserts the exit code and returns stderr.
    #[track_caller]
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "expected exit {code}, got {self:#?}");
        // Progress lines may come first; the error is the last thing said.
        assert!(
            self.stderr.starts_with("error: ") || self.stderr.contains("\nerror: "),
            "errors start with `error: `: {self:#?}"
        );
        &self.stderr
    }

    /// Parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("{e}: {self:#?}"))
    }
}

impl Podctl {
    pub fn new() -> Podctl {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let env = vec![
            ("HOME".to_string(), home.display().to_string()),
            (
                "XDG_CONFIG_HOME".to_string(),
                dir.path().join("config").display().to_string(),
            ),
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_default(),
            ),
        ];
        Podctl { dir, env }
    }

    pub fn env(mut self, key: &str, value: &str) -> Podctl {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// The config file podctl uses in this environment (XDG layout on Linux).
    pub fn config_path(&self) -> PathBuf {
        match self.env.iter().find(|(k, _)| k == "PODCTL_CONFIG") {
            Some((_, v)) => PathBuf::from(v),
            None => self.dir.path().join("config/podctl/config.toml"),
        }
    }

    /// Writes `text` as the config file, as a user would by hand; returns its path.
    pub fn write_config(&self, text: &str) -> PathBuf {
        let path = self.config_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A command for `program` with this runner's isolated environment and working directory.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        cmd
    }

    #[track_caller]
    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with_stdin(args, "")
    }

    /// Starts podctl in the background, for commands that wait while the test moves the
    /// simulator's clock, or that a test interrupts; [`Running::finish`] waits for it.
    pub fn spawn(&self, args: &[&str]) -> Running {
        let mut cmd = self.command(BIN);
        cmd.args(args);
        Running::start(cmd, None)
    }

    /// Runs podctl with `stdin` as its input, and waits for it (within [`HANG_GUARD`]).
    #[track_caller]
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Out {
        let mut cmd = self.command(BIN);
        cmd.args(args);
        Running::start(cmd, Some(stdin)).finish()
    }
}

#[path = "../fixtures/pod_examples.rs"]
mod fixtures;

/// The published pod examples in `tests/fixtures/pod-examples/` (Marathon's and DC/OS's own among
/// them), sorted; fails when any is missing.
pub fn example_files() -> Vec<PathBuf> {
    fixtures::pod_examples()
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// The `id` inside a definition file.
pub fn id_of(path: &Path) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["id"].as_str().unwrap().to_string()
}

/// Extracts the id from `Created deployment <id>`.
#[track_caller]
pub fn deployment_id(stdout: &str) -> String {
    let line = stdout.trim();
    let id = line
        .strip_prefix("Created deployment ")
        .unwrap_or_else(|| panic!("unexpected output {stdout:?}"));
    assert!(!id.is_empty() && !id.contains(' '), "{stdout:?}");
    id.to_string()
}

/// Polls `check` until it holds, for at most 10 s: the one place tests wait by polling (no
/// fixed sleeps elsewhere).
#[track_caller]
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    const BOUND: Duration = Duration::from_secs(10);
    const PAUSE: Duration = Duration::from_millis(20);
    let deadline = std::time::Instant::now() + BOUND;
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {BOUND:?} waiting for {what}"
        );
        std::thread::sleep(PAUSE);
    }
}

/// The smallest valid definition, for a pod with the given id.
pub fn minimal(id: &str) -> String {
    format!(
        r#"{{"id": "{id}", "containers": [{{"name": "c", "resources": {{"cpus": 0.1, "mem": 32}}}}]}}"#
    )
}

/// Compares `actual` with `tests/golden/<name>` exactly; with `UPDATE_GOLDEN=1` in the environment
/// of `cargo test`, writes it instead (review the change in the diff).
#[track_caller]
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if updating_golden() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nrefresh the golden files with: UPDATE_GOLDEN=1 cargo test --test cli golden",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {}:\n--- expected\n{expected}\n--- actual\n{actual}\n\
             refresh the golden files with: UPDATE_GOLDEN=1 cargo test --test cli golden",
            path.display(),
            first + 1
        );
    }
}

/// `tests/golden/`.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Whether this run rewrites the golden files (`UPDATE_GOLDEN=1`).
pub fn updating_golden() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// A loopback port that refuses connections for as long as the value lives: bound (so no other
/// test's server can take it) but never listening.
pub struct RefusingPort {
    _socket: socket2::Socket,
    pub url: String,
}

impl RefusingPort {
    pub fn new() -> RefusingPort {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&any.into()).unwrap();
        let port = socket.local_addr().unwrap().as_socket().unwrap().port();
        RefusingPort {
            _socket: socket,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}
