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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

mod stream;

pub use stream::Early;
use stream::{fan_out, open_stream, Flow, Follower, Source};

use super::{Ctx, Mode};
use crate::cli::WaitArgs;
use crate::error::WaitError;
use crate::http::{is_interrupted, pause_unless_interrupted, Kind};
use crate::marathon::{ApiError, Client};
use crate::pod::progress::{goal_from_steps, judge, Failures, Goal};
use crate::pod::text::printable;
use crate::pod::{Deployment, PodId, PodStatus};
use crate::render;

/// How long a wait lets the event stream take to say `event_stream_attached` before its write
/// goes out (Marathon says it at once): beyond this, something in between holds the stream back
/// (a buffering proxy, a server that does not answer the path), and the wait polls instead,
/// without keeping the user waiting for the stream. `podctl events` allows longer
/// ([`crate::marathon::events::ATTACH_TIMEOUT`]).
const WAIT_ATTACH_TIMEOUT: Duration = Duration::from_secs(3);
/// A deployment not listed at the first poll may have finished already, or may not be visible
/// yet: it is looked for once more after this short pause, not after a whole interval.
const CONFIRM_PAUSE: Duration = Duration::from_millis(100);
/// Besides twice the time the previous poll took, what the last poll before the deadline is
/// left to finish in (no request runs past the wait's deadline).
const LAST_POLL_SLACK: Duration = Duration::from_millis(50);
/// What to follow.
pub struct Target {
    /// The deployment to follow; `None` after a kill, which starts none.
    pub deployment: Option<String>,
    /// The pods to check, with their goal when known up front. An unknown goal is read from the
    /// deployment's steps (StopPod: removed; StartPod/RestartPod: current version; ScalePod:
    /// any version).
    pub pods: Vec<(PodId, Option<Goal>)>,
}

impl Target {
    /// The pods, as `/a, /b`.
    pub(crate) fn pod_list(&self) -> String {
        let ids: Vec<String> = self.pods.iter().map(|(p, _)| p.to_string()).collect();
        ids.join(", ")
    }
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
    open_stream(client, Instant::now() + timeout.min(WAIT_ATTACH_TIMEOUT))
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
    let early = early.unwrap_or_else(|| {
        open_stream(&client, deadline.min(Instant::now() + WAIT_ATTACH_TIMEOUT))
    });
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
                subscription: Source::Own(subscription),
            };
            match follower.run(late)? {
                Flow::Done => return Ok(()),
                Flow::Fallback(reason) => reason,
            }
        }
        Err(reason) => reason,
    };
    if let Some(log) = ctx.log() {
        log(&fallback_line(&fallback, timing));
    }
    poll_until(&display, &client, target, timing, start, &mut state)
}

/// Waits for several targets together (`pod apply`: one deployment per pod), with one
/// deadline counted from `start`, one progress display and one event stream (`early`, opened
/// before the writes; `None`: open one now) that every target follows; without the stream, one
/// poll covers them all. Ends when every target is done; the error names each that failed or
/// ran out of time. One target is [`wait_with`], display and messages included.
pub fn wait_all(
    ctx: &Ctx,
    client: &Client,
    targets: &[Target],
    timing: Timing,
    start: Instant,
    early: Option<Early>,
) -> Result<()> {
    match targets {
        [] => return Ok(()),
        [one] => return wait_with(ctx, client, one, timing, start, early),
        _ => {}
    }
    let board = Arc::new(Board::new(Display::new(ctx.mode), targets));
    let displays: Vec<Display> = (0..targets.len())
        .map(|i| Display::Part(Arc::clone(&board), i))
        .collect();
    let deadline = start + timing.timeout;
    let client = client.until(deadline);
    let mut states: Vec<State> = targets.iter().map(State::new).collect();
    let late = early.is_none();
    let early = early.unwrap_or_else(|| {
        open_stream(&client, deadline.min(Instant::now() + WAIT_ATTACH_TIMEOUT))
    });
    let log = ctx.log();
    // Each target's end; `None`: to be polled for, with the others that fell back.
    let mut ends: Vec<Option<Result<()>>> = match early.0 {
        Err(reason) => {
            if let Some(log) = log {
                log(&fallback_line(&reason, timing));
            }
            targets.iter().map(|_| None).collect()
        }
        Ok(subscription) => {
            let stop = AtomicBool::new(false);
            std::thread::scope(|scope| {
                let mut senders = Vec::with_capacity(targets.len());
                let mut followers = Vec::with_capacity(targets.len());
                for ((target, display), state) in targets.iter().zip(&displays).zip(&mut states) {
                    let (tx, rx) = mpsc::channel();
                    let client = &client;
                    let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                        let mut follower = Follower {
                            display,
                            client,
                            target,
                            timing,
                            start,
                            deadline,
                            state,
                            subscription: Source::Shared(rx),
                        };
                        match follower.run(late) {
                            Ok(Flow::Done) => Some(Ok(())),
                            Ok(Flow::Fallback(reason)) => {
                                if let Some(log) = log {
                                    log(&format!(
                                        "{}: {}",
                                        label(target),
                                        fallback_line(&reason, timing)
                                    ));
                                }
                                None
                            }
                            Err(e) => Some(Err(e)),
                        }
                    });
                    // A target whose thread could not start is polled for.
                    if spawned.is_ok() {
                        senders.push(tx);
                    }
                    followers.push(spawned.ok());
                }
                let stop = &stop;
                // Should this thread not start, the senders go with it: every follower hears
                // the stream ended and falls back to polling.
                let _ = std::thread::Builder::new()
                    .spawn_scoped(scope, move || fan_out(subscription, senders, stop));
                let ends = followers
                    .into_iter()
                    .map(|f| match f.map(|f| f.join()) {
                        Some(Ok(end)) => end,
                        Some(Err(_)) => Some(Err(anyhow::anyhow!("a wait stopped unexpectedly"))),
                        None => None,
                    })
                    .collect();
                stop.store(true, Ordering::Relaxed);
                ends
            })
        }
    };
    // The targets not done on the stream are polled for together, within what is left.
    if ends.iter().any(Option::is_none) {
        let mut waits: Vec<Waiting> = targets
            .iter()
            .zip(&displays)
            .zip(states.iter_mut())
            .zip(&ends)
            .filter(|(_, end)| end.is_none())
            .map(|(((target, display), state), _)| Waiting::new(target, display, state))
            .collect();
        if let Err(e) = poll_all(&client, timing, start, &mut waits) {
            board.clear();
            return Err(e);
        }
        let mut polled = waits.into_iter().map(|w| w.result.unwrap_or(Ok(())));
        for end in ends.iter_mut().filter(|end| end.is_none()) {
            *end = polled.next();
        }
    }
    let results = ends.into_iter().map(|end| end.unwrap_or(Ok(()))).collect();
    let outcome = combine(targets, results);
    if outcome.is_ok() {
        board.finish(start.elapsed());
    } else {
        board.clear();
    }
    outcome
}

fn fallback_line(reason: &str, timing: Timing) -> String {
    format!(
        "event stream not used: {reason}; polling every {}",
        humantime::format_duration(timing.interval)
    )
}

/// One error for the targets of [`wait_all`] that did not reach their goal: interrupted when
/// Ctrl-C stopped it, failed when a deployment failed (exit 8, as a timeout), else timed out;
/// each named with what happened to it.
fn combine(targets: &[Target], results: Vec<Result<()>>) -> Result<()> {
    let mut stopped = Vec::new();
    let mut problems = Vec::new();
    let mut any_failed = false;
    for (target, result) in targets.iter().zip(results) {
        let Err(error) = result else { continue };
        match error.downcast_ref::<WaitError>() {
            Some(WaitError::Interrupted(_)) => stopped.push(what(target)),
            Some(WaitError::Failed(m)) => {
                any_failed = true;
                problems.push(m.clone());
            }
            Some(WaitError::Timeout(m)) => problems.push(m.clone()),
            None => return Err(error),
        }
    }
    if !stopped.is_empty() {
        return Err(WaitError::Interrupted(format!(
            "interrupted: stopped waiting for {}, which go on; follow each with \
             `podctl deployment watch ID`",
            stopped.join(", ")
        ))
        .into());
    }
    if problems.is_empty() {
        return Ok(());
    }
    let message = format!(
        "{} of {} deployments did not reach their goal:\n  {}",
        problems.len(),
        targets.len(),
        problems.join("\n  ")
    );
    Err(if any_failed {
        WaitError::Failed(message)
    } else {
        WaitError::Timeout(message)
    }
    .into())
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
    let mut one = [Waiting::new(target, display, state)];
    poll_all(client, timing, start, &mut one)?;
    let [one] = one;
    one.result.unwrap_or(Ok(()))
}

/// One target of a polling wait, and how it ended (`None`: not yet).
struct Waiting<'a> {
    target: &'a Target,
    display: &'a Display,
    state: &'a mut State,
    result: Option<Result<()>>,
}

impl<'a> Waiting<'a> {
    fn new(target: &'a Target, display: &'a Display, state: &'a mut State) -> Waiting<'a> {
        Waiting {
            target,
            display,
            state,
            result: None,
        }
    }
}

/// Polls until every target is reached or time runs out, each poll one `GET /v2/deployments`
/// for all and one `::status` per pod still waited for. Each target's end is in its `result`;
/// an error ends the whole wait (an API error retrying cannot fix).
fn poll_all(client: &Client, timing: Timing, start: Instant, waits: &mut [Waiting]) -> Result<()> {
    let deadline = start + timing.timeout;
    let left = deadline.saturating_duration_since(Instant::now());
    let max_polls = left.as_millis() / timing.interval.as_millis().max(1) + 3;

    let mut last_poll = false;
    for _ in 0..max_polls {
        if is_interrupted() {
            stop_all(waits);
            return Ok(());
        }
        let mut pause = timing.interval;
        let polled_at = Instant::now();
        match poll_many(client, waits) {
            Ok(polled) => {
                for (w, polled) in waits.iter_mut().zip(polled) {
                    let Some((ours, statuses)) = polled else {
                        continue;
                    };
                    let state = &mut *w.state;
                    if ours.is_some() {
                        state.seen = true;
                    } else {
                        state.polls_without += 1;
                    }
                    let pods: Vec<&PodId> = w.target.pods.iter().map(|(p, _)| p).collect();
                    let (done, line, failed) = judge(&pods, &state.goals, ours.as_ref(), &statuses);
                    for f in failed {
                        if let Some(warning) = state.failures.record(f) {
                            w.display.warn(&warning);
                        }
                    }
                    // A deployment not listed yet may simply not be visible yet: look once more.
                    let settled = state.seen || state.polls_without >= 2;
                    if line != state.summary {
                        w.display.update(start.elapsed(), &line);
                        state.summary = line;
                    }
                    state.reached = done;
                    if done && (settled || Instant::now() >= deadline) {
                        w.display.finish(start.elapsed(), &state.summary);
                        w.result = Some(Ok(()));
                    } else if done {
                        pause = CONFIRM_PAUSE.min(timing.interval);
                    }
                }
                if waits.iter().all(|w| w.result.is_some()) {
                    return Ok(());
                }
            }
            Err(ApiError::Transport { error, .. }) if error.kind == Kind::Interrupted => {
                stop_all(waits);
                return Ok(());
            }
            // The poll was cut short by the wait's own deadline: time is up, not the network.
            Err(ApiError::Transport { error, .. })
                if error.kind == Kind::Timeout && Instant::now() >= deadline =>
            {
                break;
            }
            Err(e) if is_transient(&e) => {
                let message = e.to_string();
                // About the poll, not one target: said once, unlabelled.
                if let Some(w) = waits.iter_mut().find(|w| w.result.is_none()) {
                    if w.state.transient.insert(message.clone()) {
                        w.display
                            .warn_unlabelled(&format!("{message}; still trying"));
                    }
                }
            }
            Err(e) => {
                for w in waits.iter() {
                    w.display.clear();
                }
                return Err(e.into());
            }
        }
        let now = Instant::now();
        if now >= deadline || last_poll {
            break;
        }
        let left = deadline - now;
        if pause >= left {
            // The next poll would come after the deadline: one last poll comes just before it
            // instead, so a deployment that ends within the timeout is seen to end.
            let took = now.saturating_duration_since(polled_at);
            pause = left.saturating_sub(took * 2 + LAST_POLL_SLACK);
            last_poll = true;
        }
        if !pause_unless_interrupted(pause) {
            stop_all(waits);
            return Ok(());
        }
    }
    for w in waits.iter_mut().filter(|w| w.result.is_none()) {
        if w.state.reached {
            // The last answer showed the goal reached; only its confirmation ran out of time.
            w.display.finish(start.elapsed(), &w.state.summary);
            w.result = Some(Ok(()));
            continue;
        }
        w.display.clear();
        w.result = Some(Err(timed_out(
            w.target,
            timing.timeout,
            &w.state.summary,
            &w.state.failures,
        )));
    }
    Ok(())
}

/// Ctrl-C: every target still waited for ends interrupted.
fn stop_all(waits: &mut [Waiting]) {
    for w in waits.iter_mut().filter(|w| w.result.is_none()) {
        w.display.clear();
        w.result = Some(Err(interrupted(w.target)));
    }
}

type Polled = (Option<Deployment>, Vec<Option<PodStatus>>);

fn poll(client: &Client, target: &Target, goals: &mut [Option<Goal>]) -> Result<Polled, ApiError> {
    let ours = match &target.deployment {
        Some(id) => client.deployments()?.into_iter().find(|d| &d.id == id),
        None => None,
    };
    poll_pods(client, target, goals, ours)
}

/// One poll for the targets not done yet (`None` for the others): the deployments are listed
/// once for all.
fn poll_many(client: &Client, waits: &mut [Waiting]) -> Result<Vec<Option<Polled>>, ApiError> {
    let pending = |w: &Waiting| w.result.is_none();
    let listed = if waits
        .iter()
        .any(|w| pending(w) && w.target.deployment.is_some())
    {
        client.deployments()?
    } else {
        Vec::new()
    };
    let mut polled = Vec::with_capacity(waits.len());
    for w in waits.iter_mut() {
        if !pending(w) {
            polled.push(None);
            continue;
        }
        let ours = w
            .target
            .deployment
            .as_ref()
            .and_then(|id| listed.iter().find(|d| &d.id == id).cloned());
        polled.push(Some(poll_pods(client, w.target, &mut w.state.goals, ours)?));
    }
    Ok(polled)
}

/// The pods' statuses, with goals still unknown read from the deployment's steps.
fn poll_pods(
    client: &Client,
    target: &Target,
    goals: &mut [Option<Goal>],
    ours: Option<Deployment>,
) -> Result<Polled, ApiError> {
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
    let pods = target.pod_list();
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
/// nothing with `-q`; for one target of several ([`wait_all`]), its part of their [`Board`].
enum Display {
    Spinner(ProgressBar),
    Lines,
    Silent,
    Part(Arc<Board>, usize),
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
            Display::Part(board, i) => board.update(*i, elapsed, line, false),
        }
    }

    fn warn(&self, message: &str) {
        match self {
            Display::Spinner(bar) => bar.println(render::wait_warning(message)),
            Display::Lines | Display::Silent => eprintln!("{}", render::wait_warning(message)),
            Display::Part(board, i) => board.out.warn(&format!("{}: {message}", board.labels[*i])),
        }
    }

    /// [`Display::warn`] without the target's label on a shared display.
    fn warn_unlabelled(&self, message: &str) {
        match self {
            Display::Part(board, _) => board.out.warn(message),
            _ => self.warn(message),
        }
    }

    fn finish(&self, elapsed: Duration, line: &str) {
        if let Display::Part(board, i) = self {
            return board.update(*i, elapsed, line, true);
        }
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

/// The one display of several targets waited for together: each has a line, labelled with its
/// pods. On a terminal the spinner shows the lines of those not done yet; elsewhere each change
/// is a line of its own. The last line gathers them all.
struct Board {
    out: Display,
    labels: Vec<String>,
    /// Each target's line, and whether it is done.
    lines: Mutex<Vec<(String, bool)>>,
}

impl Board {
    fn new(out: Display, targets: &[Target]) -> Board {
        Board {
            out,
            labels: targets.iter().map(label).collect(),
            lines: Mutex::new(vec![(String::from("starting"), false); targets.len()]),
        }
    }

    fn update(&self, i: usize, elapsed: Duration, line: &str, done: bool) {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = lines.get_mut(i) else { return };
        *slot = (line.to_string(), done);
        let label = &self.labels[i];
        match &self.out {
            Display::Spinner(bar) => {
                let finished = lines.iter().filter(|(_, d)| *d).count();
                let pending = lines
                    .iter()
                    .zip(&self.labels)
                    .filter(|((_, d), _)| !*d)
                    .map(|((l, _), label)| format!("{label}: {l}"))
                    .collect::<Vec<_>>()
                    .join(" | ");
                bar.set_message(format!("{finished}/{} done; {pending}", lines.len()));
            }
            Display::Lines if done => eprintln!(
                "{}",
                render::wait_progress(elapsed, &format!("{label}: done: {line}"))
            ),
            Display::Lines => {
                eprintln!(
                    "{}",
                    render::wait_progress(elapsed, &format!("{label}: {line}"))
                )
            }
            Display::Silent | Display::Part(..) => {}
        }
    }

    /// Every target reached its goal.
    fn finish(&self, elapsed: Duration) {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let all = lines
            .iter()
            .zip(&self.labels)
            .map(|((l, _), label)| format!("{label}: {l}"))
            .collect::<Vec<_>>()
            .join(" | ");
        self.out.finish(elapsed, &all);
    }

    fn clear(&self) {
        self.out.clear();
    }
}

/// A target's name on a shared display: its pods, or its deployment when it has none.
fn label(target: &Target) -> String {
    match (target.pods.is_empty(), target.deployment.as_deref()) {
        (true, Some(id)) => format!("deployment {}", printable(id)),
        _ => target.pod_list(),
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

    fn targets() -> Vec<Target> {
        ["/a", "/b", "/c"]
            .iter()
            .enumerate()
            .map(|(i, p)| Target {
                deployment: Some(format!("d{i}")),
                pods: vec![(PodId::parse(p).unwrap(), None)],
            })
            .collect()
    }

    /// Several targets end in one error naming only those that did not reach their goal;
    /// a failure makes it a failure, Ctrl-C an interruption naming every one stopped.
    #[test]
    fn several_waits_end_in_one_error_naming_each_that_did_not_finish() {
        let t = targets();
        assert!(combine(&t, vec![Ok(()), Ok(()), Ok(())]).is_ok());
        let results = vec![
            Ok(()),
            Err(WaitError::Timeout("timed out waiting for deployment d1 of /b".into()).into()),
            Err(WaitError::Failed("deployment d2 of /c failed".into()).into()),
        ];
        let e = combine(&t, results).unwrap_err();
        let Some(WaitError::Failed(m)) = e.downcast_ref::<WaitError>() else {
            panic!("{e:#}")
        };
        assert_eq!(
            m,
            "2 of 3 deployments did not reach their goal:\n  \
             timed out waiting for deployment d1 of /b\n  deployment d2 of /c failed"
        );
        let results = vec![
            Err(WaitError::Timeout("t".into()).into()),
            Ok(()),
            Err(WaitError::Interrupted("i".into()).into()),
        ];
        let e = combine(&t, results).unwrap_err();
        let Some(WaitError::Interrupted(m)) = e.downcast_ref::<WaitError>() else {
            panic!("{e:#}")
        };
        assert!(
            m.starts_with("interrupted: stopped waiting for deployment d2 of /c, which go on"),
            "{m}"
        );
        let results = vec![Ok(()), Err(WaitError::Timeout("t".into()).into()), Ok(())];
        let e = combine(&t, results).unwrap_err();
        assert!(matches!(
            e.downcast_ref::<WaitError>(),
            Some(WaitError::Timeout(m)) if m == "1 of 3 deployments did not reach their goal:\n  t"
        ));
    }
}
