//! `--wait` and `deployment watch`: poll until a deployment is over and its pods reached their
//! goal, showing progress on stderr, within a time limit, stoppable with Ctrl-C.
//!
//! Each poll costs one `GET /v2/deployments` and one `::status` per pod, over the client's one
//! connection pool; the number of polls is bounded by the timeout.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Ctx, Mode};
use crate::cli::WaitArgs;
use crate::error::WaitError;
use crate::http::{is_interrupted, pause_unless_interrupted, Kind};
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

/// Waits when `--wait` was given (after add, update, remove, kill) and there is something to
/// wait for.
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

/// Polls until the target is reached. Errors: [`WaitError::Timeout`] when time runs out,
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
    let display = Display::new(ctx.mode);
    let deadline = start + timing.timeout;
    // No poll request may run past the wait's own deadline.
    let client = client.until(deadline);
    let max_polls = timing.timeout.as_millis() / timing.interval.as_millis().max(1) + 3;

    let mut seen = false;
    let mut polls_without = 0u32;
    let mut goals: Vec<Option<Goal>> = target.pods.iter().map(|(_, g)| *g).collect();
    let mut failures = Failures::default();
    let mut transient = HashSet::new();
    let mut summary = String::from("starting");
    // Whether the last poll that got an answer found every goal reached.
    let mut reached = false;

    for _ in 0..max_polls {
        if is_interrupted() {
            display.clear();
            return Err(interrupted(target));
        }
        let mut pause = timing.interval;
        match poll(&client, target, &mut goals) {
            Ok((ours, statuses)) => {
                if ours.is_some() {
                    seen = true;
                } else {
                    polls_without += 1;
                }
                let pods: Vec<&PodId> = target.pods.iter().map(|(p, _)| p).collect();
                let (done, line, failed) = judge(&pods, &goals, ours.as_ref(), &statuses);
                for f in failed {
                    if let Some(warning) = failures.record(f) {
                        display.warn(&warning);
                    }
                }
                // A deployment not listed yet may simply not be visible yet: look once more.
                let settled = seen || polls_without >= 2;
                if line != summary {
                    display.update(start.elapsed(), &line);
                    summary = line;
                }
                reached = done;
                if done && (settled || Instant::now() >= deadline) {
                    display.finish(start.elapsed(), &summary);
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
                if transient.insert(message.clone()) {
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
    if reached {
        // The last answer showed the goal reached; only its confirmation ran out of time.
        display.finish(start.elapsed(), &summary);
        return Ok(());
    }
    display.clear();
    Err(timed_out(target, timing.timeout, &summary, &failures))
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
