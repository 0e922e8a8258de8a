//! `--wait` and `deployment watch`: follow a deployment until it is over and its pods reached
//! their goal, showing progress on stderr, within a time limit, stoppable with Ctrl-C.
//!
//! The verdict comes from Marathon's event stream when it can: the stream is opened before the
//! write (see [`prepare`]), the wait follows its own deployment id, ends on `deployment_success`
//! (confirmed with one status request per pod) or `deployment_failed` (exit 8, saying what
//! podctl can tell about why), and draws its progress lines from the events. When the stream is
//! unavailable (404, 403, a proxy that buffers or cuts it, silence), the wait polls as before,
//! saying so only under `--verbose`: each poll costs one `GET /v2/deployments` and one
//! `::status` per pod waited for, and the number of polls is bounded by the timeout.
//!
//! This file holds the entry points, the polling and what both ways share (the state, the
//! display, the messages); `stream` follows the events.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

mod stream;

pub use stream::Early;
use stream::{open_stream, Flow, Follower};

use super::{Ctx, Mode};
use crate::cli::WaitArgs;
use crate::error::WaitError;
use crate::http::{is_interrupted, pause_unless_interrupted, Kind};
use crate::marathon::events::ATTACH_TIMEOUT;
use crate::marathon::{ApiError, Client};
use crate::pod::progress::{goal_from_steps, judge, Failures, Goal};
use crate::pod::text::printable;
use crate::pod::{Deployment, PodId, PodStatus};
use crate::render;

/// A deployment not listed at the first poll may have finished already, or may not be visible
/// yet: it is looked for once more after this short pause, not after a whole interval.
const CONFIRM_PAUSE: Duration = Duration::from_millis(100);
/// What to follow.
pub struct Target {
    /// The deployment to follow; `None` after a kill, which starts none.
    pub deployment: Option<String>,
    /// The pods to check, with their goal when known up front. An unknown goal is read from the
    /// deployment's steps (StopPod: removed; StartPod/RestartPod: current version; ScalePod:
    /// any version).
    pub pods: Vec<(PodId, Option<Goal>)>,
}

/// How long and how often.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub timeout: Duration,
    pub interval: Duration,
}

/// Opens the event stream before a write when `--wait` was given, so that no event of the
/// deployment the write starts can be missed; pass it to [`follow_with`]. `None` without
/// `--wait`. Takes at most the stream's attach time (bounded by `--timeout`).
pub fn prepare(client: &Client, args: &WaitArgs) -> Option<Early> {
    args.wait.then(|| prepare_for(client, args.timeout))
}

/// [`prepare`] for a wait of at most `timeout` (`deployment watch`, before it looks the
/// deployment up).
pub fn prepare_for(client: &Client, timeout: Duration) -> Early {
    open_stream(client, Instant::now() + timeout.min(ATTACH_TIMEOUT))
}

/// Waits when `--wait` was given (after add, update, remove, kill) and there is something to
/// wait for. The event stream is opened now (after the write): a deployment that ended before
/// it was open is found by one poll.
pub fn follow(ctx: &Ctx, client: &Client, args: &WaitArgs, target: Target) -> Result<()> {
    if !args.wait {
        return Ok(());
    }
    let timing = Timing {
        timeout: args.timeout,
        interval: args.interval,
    };
    wait(ctx, client, &target, timing)
}

/// [`follow`], with the stream [`prepare`] opened before the write (`None` without `--wait`).
pub fn follow_with(
    ctx: &Ctx,
    client: &Client,
    args: &WaitArgs,
    target: Target,
    early: Option<Early>,
) -> Result<()> {
    match early {
        Some(early) if args.wait => {
            let timing = Timing {
                timeout: args.timeout,
                interval: args.interval,
            };
            wait_with(ctx, client, &target, timing, Instant::now(), Some(early))
        }
        _ => follow(ctx, client, args, target),
    }
}

/// Waits until the target is reached. Errors: [`WaitError::Timeout`] when time runs out,
/// [`WaitError::Failed`] when Marathon reports the deployment failed,
/// [`WaitError::Interrupted`] on Ctrl-C, API errors that retrying cannot fix.
pub fn wait(ctx: &Ctx, client: &Client, target: &Target, timing: Timing) -> Result<()> {
    wait_from(ctx, client, target, timing, Instant::now())
}

/// [`wait`], for a wait that began at `start` (its timeout counts from there).
pub fn wait_from(
    ctx: &Ctx,
    client: &Client,
    target: &Target,
    timing: Timing,
    start: Instant,
) -> Result<()> {
    wait_with(ctx, client, target, timing, start, None)
}

/// [`wait_from`] with a stream opened earlier (`None`: open one now).
pub fn wait_with(
    ctx: &Ctx,
    client: &Client,
    target: &Target,
    timing: Timing,
    start: Instant,
    early: Option<Early>,
) -> Result<()> {
    let display = Display::new(ctx.mode);
    let deadline = start + timing.timeout;
    // No request may run past the wait's own deadline.
    let client = client.until(deadline);
    let mut state = State::new(target);
    let late = early.is_none();
    let early = early
        .unwrap_or_else(|| open_stream(&client, deadline.min(Instant::now() + ATTACH_TIMEOUT)));
    let fallback = match early.0 {
        Ok(subscription) => {
            let mut follower = Follower {
                display: &display,
                client: &client,
                target,
                timing,
                start,
                deadline,
                state: &mut state,
                subscription,
            };
            match follower.run(late)? {
                Flow::Done => return Ok(()),
                Flow::Fallback(reason) => reason,
            }
        }
        Err(reason) => reason,
    };
    if let Some(log) = ctx.log() {
        log(&format!(
            "event stream not used: {fallback}; polling every {}",
            humantime::format_duration(timing.interval)
        ));
    }
    poll_until(&display, &client, target, timing, start, &mut state)
}

/// What a wait knows so far, whichever way it learns it.
struct State {
    seen: bool,
    polls_without: u32,
    goals: Vec<Option<Goal>>,
    failures: Failures,
    transient: HashSet<String>,
    summary: String,
    /// Whether the last poll that got an answer found every goal reached.
    reached: bool,
}

impl State {
    fn new(target: &Target) -> State {
        State {
            seen: false,
            polls_without: 0,
            goals: target.pods.iter().map(|(_, g)| *g).collect(),
            failures: Failures::default(),
            transient: HashSet::new(),
            summary: String::from("starting"),
            reached: false,
        }
    }
}

/// Polls until the target is reached, as every wait did before the event stream.
fn poll_until(
    display: &Display,
    client: &Client,
    target: &Target,
    timing: Timing,
    start: Instant,
    state: &mut State,
) -> Result<()> {
    let deadline = start + timing.timeout;
    let left = deadline.saturating_duration_since(Instant::now());
    let max_polls = left.as_millis() / timing.interval.as_millis().max(1) + 3;

    for _ in 0..max_polls {
        if is_interrupted() {
            display.clear();
            return Err(interrupted(target));
        }
        let mut pause = timing.interval;
        match poll(client, target, &mut state.goals) {
            Ok((ours, statuses)) => {
                if ours.is_some() {
                    state.seen = true;
                } else {
                    state.polls_without += 1;
                }
                let pods: Vec<&PodId> = target.pods.iter().map(|(p, _)| p).collect();
                let (done, line, failed) = judge(&pods, &state.goals, ours.as_ref(), &statuses);
                for f in failed {
                    if let Some(warning) = state.failures.record(f) {
                        display.warn(&warning);
                    }
                }
                // A deployment not listed yet may simply not be visible yet: look once more.
                let settled = state.seen || state.polls_without >= 2;
                if line != state.summary {
                    display.update(start.elapsed(), &line);
                    state.summary = line;
                }
                state.reached = done;
                if done && (settled || Instant::now() >= deadline) {
                    display.finish(start.elapsed(), &state.summary);
                    return Ok(());
                }
                if done {
                    pause = CONFIRM_PAUSE.min(timing.interval);
                }
            }
            Err(ApiError::Transport { error, .. }) if error.kind == Kind::Interrupted => {
                display.clear();
                return Err(interrupted(target));
            }
            // The poll was cut short by the wait's own deadline: time is up, not the network.
            Err(ApiError::Transport { error, .. })
                if error.kind == Kind::Timeout && Instant::now() >= deadline =>
            {
                break;
            }
            Err(e) if is_transient(&e) => {
                let message = e.to_string();
                if state.transient.insert(message.clone()) {
                    display.warn(&format!("{message}; still trying"));
                }
            }
            Err(e) => {
                display.clear();
                return Err(e.into());
            }
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        if !pause_unless_interrupted((deadline - now).min(pause)) {
            display.clear();
            return Err(interrupted(target));
        }
    }
    if state.reached {
        // The last answer showed the goal reached; only its confirmation ran out of time.
        display.finish(start.elapsed(), &state.summary);
        return Ok(());
    }
    display.clear();
    Err(timed_out(
        target,
        timing.timeout,
        &state.summary,
        &state.failures,
    ))
}

type Polled = (Option<Deployment>, Vec<Option<PodStatus>>);

fn poll(client: &Client, target: &Target, goals: &mut [Option<Goal>]) -> Result<Polled, ApiError> {
    let ours = match &target.deployment {
        Some(id) => client.deployments()?.into_iter().find(|d| &d.id == id),
        None => None,
    };
    if let Some(d) = &ours {
        for (goal, (pod, _)) in goals.iter_mut().zip(&target.pods) {
            if goal.is_none() {
                *goal = goal_from_steps(d, pod.as_str());
            }
        }
    }
    let mut statuses = Vec::with_capacity(target.pods.len());
    for (pod, _) in &target.pods {
        match client.pod_status(pod) {
            Ok(s) => statuses.push(Some(s)),
            Err(e) if e.status() == Some(404) => statuses.push(None),
            Err(e) => return Err(e),
        }
    }
    Ok((ours, statuses))
}

/// Network trouble and a leaderless Marathon pass; waiting is exactly for riding those out.
fn is_transient(e: &ApiError) -> bool {
    match e {
        ApiError::Transport { error, .. } => error.is_transient(),
        _ => matches!(e.status(), Some(502..=504)),
    }
}

fn resume_hint(target: &Target) -> String {
    match (&target.deployment, target.pods.first()) {
        (Some(id), _) => format!("follow it with `podctl deployment watch {}`", printable(id)),
        (None, Some((pod, _))) => format!("check on it with `podctl pod show {pod}`"),
        (None, None) => String::new(),
    }
}

fn what(target: &Target) -> String {
    let pods = target
        .pods
        .iter()
        .map(|(p, _)| p.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match target.deployment.as_deref().map(printable) {
        Some(id) if pods.is_empty() => format!("deployment {id}"),
        Some(id) => format!("deployment {id} of {pods}"),
        None => format!("pod {pods}"),
    }
}

fn interrupted(target: &Target) -> anyhow::Error {
    WaitError::Interrupted(format!(
        "interrupted: stopped waiting for {}, which goes on; {}",
        what(target),
        resume_hint(target)
    ))
    .into()
}

/// Whether `error` is a request cut short by a wait's own `deadline`.
pub fn is_deadline(error: &anyhow::Error, deadline: Instant) -> bool {
    Instant::now() >= deadline
        && error.chain().any(|cause| {
            matches!(
                cause.downcast_ref::<ApiError>(),
                Some(ApiError::Transport { error, .. }) if error.kind == Kind::Timeout
            )
        })
}

/// `deployment watch` ran out of time before Marathon even listed its deployments.
pub fn lookup_timed_out(id: &str, timeout: Duration) -> anyhow::Error {
    WaitError::Timeout(format!(
        "timed out after {} waiting for deployment {}; still pending: \
         looking it up in Marathon's deployments",
        humantime::format_duration(timeout),
        printable(id)
    ))
    .into()
}

fn timed_out(
    target: &Target,
    timeout: Duration,
    summary: &str,
    failures: &Failures,
) -> anyhow::Error {
    let mut message = format!(
        "timed out after {} waiting for {}; still pending: {summary}",
        humantime::format_duration(timeout),
        what(target)
    );
    if let Some(failing) = failures.describe() {
        message.push_str(&format!("; failing: {failing}"));
    }
    let hint = resume_hint(target);
    if !hint.is_empty() {
        message.push_str(&format!("; it goes on: {hint}"));
    }
    WaitError::Timeout(message).into()
}

/// Progress on stderr: a spinner on a terminal, one plain line per change elsewhere (CI logs),
/// nothing with `-q`.
enum Display {
    Spinner(ProgressBar),
    Lines,
    Silent,
}

impl Display {
    fn new(mode: Mode) -> Display {
        if mode == Mode::Quiet {
            return Display::Silent;
        }
        if mode == Mode::Human && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            return Display::Spinner(bar);
        }
        Display::Lines
    }

    fn update(&self, elapsed: Duration, line: &str) {
        match self {
            Display::Spinner(bar) => bar.set_message(line.to_string()),
            Display::Lines => eprintln!("{}", render::wait_progress(elapsed, line)),
            Display::Silent => {}
        }
    }

    fn warn(&self, message: &str) {
        match self {
            Display::Spinner(bar) => bar.println(render::wait_warning(message)),
            Display::Lines | Display::Silent => eprintln!("{}", render::wait_warning(message)),
        }
    }

    fn finish(&self, elapsed: Duration, line: &str) {
        self.clear();
        if !matches!(self, Display::Silent) {
            eprintln!("{}", render::wait_done(elapsed, line));
        }
    }

    fn clear(&self) {
        if let Display::Spinner(bar) = self {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// A simulator in this process whose deployments take `deploy`, a client of it, and the
    /// parsed command line of a `--wait` (for the context).
    fn setup(deploy: Duration) -> (Client, crate::cli::Cli) {
        let sim = crate::sim::Simulator::bind(crate::sim::SimOptions {
            deploy_time: deploy,
            quiet: true,
            ..crate::sim::SimOptions::default()
        })
        .unwrap();
        let url = sim.base_url();
        std::thread::spawn(move || sim.run());
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("none.toml").display().to_string();
        let env = move |name: &str| (name == "PODCTL_CONFIG").then(|| config.clone());
        let flags = crate::config::Flags {
            url: Some(url.clone()),
            ..crate::config::Flags::default()
        };
        let settings = crate::config::load(&flags, &env).unwrap().settings;
        let client = Client::new(&settings, None).unwrap();
        let cli = crate::cli::Cli::try_parse_from(["podctl", "-q", "--url", &url, "pod", "list"])
            .unwrap();
        (client, cli)
    }

    fn web() -> Vec<u8> {
        br#"{"id": "/web", "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}}]}"#
            .to_vec()
    }

    /// `follow` without [`prepare`] (as a command that subscribes only after its write):
    /// a deployment still running is followed on the stream, one already over is confirmed by
    /// polling; neither hangs nor fails.
    #[test]
    fn a_stream_opened_after_the_write_still_ends_the_wait() {
        for deploy in [Duration::from_millis(800), Duration::ZERO] {
            let (client, cli) = setup(deploy);
            let mut out = Vec::new();
            let ctx = Ctx {
                global: &cli.global,
                mode: Mode::Quiet,
                style: crate::render::Style::PLAIN,
                out: &mut out,
            };
            let deployment = client.create_pod(web()).unwrap();
            assert!(deployment.is_some());
            let args = WaitArgs {
                wait: true,
                timeout: Duration::from_secs(30),
                interval: Duration::from_millis(50),
            };
            let target = Target {
                deployment,
                pods: vec![(
                    PodId::parse("/web").unwrap(),
                    Some(Goal::Running {
                        current_version: true,
                    }),
                )],
            };
            follow(&ctx, &client, &args, target).unwrap();
            let status = client.pod_status(&PodId::parse("/web").unwrap()).unwrap();
            assert_eq!(status.status, "STABLE", "{deploy:?}");
        }
    }
}
