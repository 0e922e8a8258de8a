//! `--wait` and `deployment watch`: poll until a deployment is over and its pods reached their
//! goal, showing progress on stderr, within a time limit, stoppable with Ctrl-C.
//!
//! Each poll costs one `GET /v2/deployments` and one `::status` per pod, over the client's one
//! connection pool; the number of polls is bounded by the timeout.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Ctx, Mode};
use crate::exit::{Exit, Failure};
use crate::http::{is_interrupted, pause_unless_interrupted, Kind};
use crate::marathon::{ApiError, Client};
use crate::pod::progress::{assess, describe_deployment, Goal, Snapshot};
use crate::pod::text::printable;
use crate::pod::{Deployment, PodId, PodStatus};

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

/// Polls until the target is reached. Errors: [`Exit::Timeout`] when time runs out,
/// [`Exit::Interrupted`] on Ctrl-C, API errors that retrying cannot fix.
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
                let (done, line, failed) = judge(target, &goals, ours.as_ref(), &statuses);
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

/// Whether every pod reached its goal, the progress line, and what failed in this poll.
fn judge(
    target: &Target,
    goals: &[Option<Goal>],
    ours: Option<&Deployment>,
    statuses: &[Option<PodStatus>],
) -> (bool, String, Vec<crate::pod::progress::FailedContainer>) {
    if target.pods.is_empty() {
        let line = ours.map_or_else(|| "deployment finished".to_string(), describe_deployment);
        return (ours.is_none(), line, Vec::new());
    }
    let mut done = true;
    let mut lines = Vec::new();
    let mut failed = Vec::new();
    for (((pod, _), goal), status) in target.pods.iter().zip(goals).zip(statuses) {
        let goal = goal.unwrap_or(Goal::Settled);
        let a = assess(
            goal,
            Snapshot {
                deployment: ours,
                status: status.as_ref(),
            },
        );
        done &= a.done;
        failed.extend(a.failed);
        if target.pods.len() == 1 {
            lines.push(a.summary);
        } else {
            lines.push(format!("{pod}: {}", a.summary));
        }
    }
    (done, lines.join(" | "), failed)
}

fn goal_from_steps(d: &Deployment, pod: &str) -> Option<Goal> {
    let actions: Vec<&str> = d
        .steps
        .iter()
        .flat_map(|s| &s.actions)
        .chain(&d.current_actions)
        .filter(|a| a.pod.as_deref() == Some(pod))
        .map(|a| a.action.as_str())
        .collect();
    if actions.contains(&"StopPod") {
        Some(Goal::Removed)
    } else if actions
        .iter()
        .any(|a| *a == "StartPod" || *a == "RestartPod")
    {
        Some(Goal::Running {
            current_version: true,
        })
    } else if actions.is_empty() {
        None
    } else {
        Some(Goal::Running {
            current_version: false,
        })
    }
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
    Failure::new(
        Exit::Interrupted,
        format!(
            "interrupted: stopped waiting for {}, which goes on; {}",
            what(target),
            resume_hint(target)
        ),
    )
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
    Failure::new(
        Exit::Timeout,
        format!(
            "timed out after {} waiting for deployment {}; still pending: \
             looking it up in Marathon's deployments",
            humantime::format_duration(timeout),
            printable(id)
        ),
    )
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
    Failure::new(Exit::Timeout, message).into()
}

/// Container failures seen so far, each launch counted once.
#[derive(Default)]
struct Failures {
    seen: HashSet<String>,
    /// Per container name: how many launches failed, and the last state and message.
    by_name: BTreeMap<String, (usize, String)>,
}

impl Failures {
    /// Records a failure; returns a warning the first time this launch is seen failing.
    fn record(&mut self, f: crate::pod::progress::FailedContainer) -> Option<String> {
        if !self.seen.insert(format!("{}:{}", f.task, f.state)) {
            return None;
        }
        let last = match &f.message {
            Some(m) => format!("{}: {m}", f.state),
            None => f.state.clone(),
        };
        let entry = self
            .by_name
            .entry(f.name.clone())
            .or_insert((0, String::new()));
        entry.0 += 1;
        entry.1 = last.clone();
        let times = if entry.0 == 1 {
            String::new()
        } else {
            format!(" ({} failures so far)", entry.0)
        };
        Some(format!(
            "container {} failed ({last}) in {}; Marathon replaces it{times}",
            f.name, f.task
        ))
    }

    fn describe(&self) -> Option<String> {
        if self.by_name.is_empty() {
            return None;
        }
        Some(
            self.by_name
                .iter()
                .map(|(name, (n, last))| {
                    let s = if *n == 1 { "" } else { "s" };
                    format!("{name} ({n} failure{s}, last {last})")
                })
                .collect::<Vec<_>>()
                .join(", "),
        )
    }
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
            Display::Lines => eprintln!("[{:>6.1}s] {line}", elapsed.as_secs_f64()),
            Display::Silent => {}
        }
    }

    fn warn(&self, message: &str) {
        match self {
            Display::Spinner(bar) => bar.println(format!("warning: {message}")),
            Display::Lines | Display::Silent => eprintln!("warning: {message}"),
        }
    }

    fn finish(&self, elapsed: Duration, line: &str) {
        self.clear();
        if !matches!(self, Display::Silent) {
            eprintln!("Done in {:.1}s: {line}", elapsed.as_secs_f64());
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
    use crate::pod::deployment::{Action, Step};

    fn plan(actions: &[&str]) -> Deployment {
        Deployment {
            id: "d".into(),
            steps: actions
                .iter()
                .map(|a| Step {
                    actions: vec![Action {
                        action: (*a).into(),
                        pod: Some("/web".into()),
                        ..Default::default()
                    }],
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn goals_follow_the_plan() {
        assert_eq!(
            goal_from_steps(&plan(&["StopPod"]), "/web"),
            Some(Goal::Removed)
        );
        assert_eq!(
            goal_from_steps(&plan(&["StartPod", "ScalePod"]), "/web"),
            Some(Goal::Running {
                current_version: true
            })
        );
        assert_eq!(
            goal_from_steps(&plan(&["ScalePod"]), "/web"),
            Some(Goal::Running {
                current_version: false
            })
        );
        assert_eq!(goal_from_steps(&plan(&["StopPod"]), "/other"), None);
    }

    #[test]
    fn failures_are_counted_per_launch() {
        let mut f = Failures::default();
        let failed = |task: &str| crate::pod::progress::FailedContainer {
            task: task.into(),
            name: "app".into(),
            state: "TASK_FAILED".into(),
            message: Some("Container exited with status 1".into()),
        };
        assert!(f.record(failed("i.app.1")).is_some());
        assert!(
            f.record(failed("i.app.1")).is_none(),
            "same launch, seen again"
        );
        let second = f.record(failed("i.app.2")).unwrap();
        assert!(second.contains("2 failures so far"), "{second}");
        assert_eq!(
            f.describe().unwrap(),
            "app (2 failures, last TASK_FAILED: Container exited with status 1)"
        );
    }
}
