//! A wait that follows Marathon's event stream: it subscribes (before the write, see
//! [`super::prepare`]), follows its own deployment id, ends on `deployment_success` (confirmed
//! with one status request per pod) or `deployment_failed` (exit 8, with what the stream tells
//! about why), and draws its progress lines from the events. It hands over to polling
//! ([`Flow::Fallback`]) whenever the stream cannot be trusted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::{interrupted, is_transient, poll, timed_out, what, Display, State, Target, Timing};
use crate::error::WaitError;
use crate::http::{is_interrupted, Kind};
use crate::marathon::events::{Event, Message, StreamOptions, Subscription};
use crate::marathon::{ApiError, Client};
use crate::pod::event::{deployment_of, pod_of_uri};
use crate::pod::progress::{
    describe_conditions, describe_deployment, failed_from_event, goal_from_steps,
    is_terminal_condition, judge,
};
use crate::pod::text::printable;
use crate::pod::PodId;

/// With the event stream, the state is also checked with one poll when nothing was heard of the
/// deployment for this long: a safety net that costs little, not the way the wait learns.
const QUIET_CHECK: Duration = Duration::from_secs(15);
/// After `deployment_failed`, how long to listen for the deployment that took its place.
const FOLLOWER_GRACE: Duration = Duration::from_secs(1);
/// How often a wait on the stream looks at Ctrl-C and its deadline.
const TICK: Duration = Duration::from_millis(50);
/// What a wait asks the stream for (Marathon filters with `?event_type=`).
const WAIT_EVENTS: [&str; 11] = [
    "deployment_info",
    "deployment_step_success",
    "deployment_step_failure",
    "deployment_success",
    "deployment_failed",
    "instance_changed_event",
    "instance_health_changed_event",
    "status_update_event",
    "pod_created_event",
    "pod_updated_event",
    "pod_deleted_event",
];

/// The event stream a wait opened before its write: live, or known to be unavailable (so the
/// wait polls at once instead of trying again).
pub struct Early(pub(super) Result<Subscription, String>);

/// Subscribes and waits until the stream says it is attached; an error says why not.
pub(super) fn open_stream(client: &Client, until: Instant) -> Early {
    let types = WAIT_EVENTS.iter().map(|t| t.to_string()).collect();
    let mut options = StreamOptions::new(types, false);
    options.attach_timeout = until.saturating_duration_since(Instant::now()).max(TICK);
    let subscription = match client.subscribe(options) {
        Ok(s) => s,
        Err(e) => return Early(Err(e.to_string())),
    };
    loop {
        if is_interrupted() {
            return Early(Err("interrupted".into()));
        }
        let now = Instant::now();
        if now >= until {
            return Early(Err("no event_stream_attached in time".into()));
        }
        match subscription.next((until - now).min(TICK)) {
            Ok(Message::Attached { .. }) => return Early(Ok(subscription)),
            Ok(Message::Lost { reason, .. }) => return Early(Err(reason)),
            Ok(Message::Refused(e)) => return Early(Err(e.to_string())),
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Early(Err("the stream ended".into())),
        }
    }
}

/// Where a follower reads the stream: a subscription of its own, or its share of one that
/// several waits follow together ([`fan_out`]).
pub(super) enum Source {
    Own(Subscription),
    Shared(Receiver<Message>),
}

impl Source {
    fn next(&self, timeout: Duration) -> Result<Message, RecvTimeoutError> {
        match self {
            Source::Own(s) => s.next(timeout),
            Source::Shared(r) => r.recv_timeout(timeout),
        }
    }
}

/// Hands every message of `subscription` to each of `to`, until the stream ends or `stop` is
/// set; then drops the subscription, which closes the stream. Runs on a thread of its own.
pub(super) fn fan_out(subscription: Subscription, to: Vec<Sender<Message>>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let message = match subscription.next(TICK) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        for sender in &to {
            // A follower that is done has dropped its receiver: nothing to tell it.
            let _ = sender.send(copy(&message));
        }
    }
}

/// A copy of a message for one follower (a refusal, whose error cannot be copied, as a loss
/// with its text).
fn copy(message: &Message) -> Message {
    match message {
        Message::Attached { again } => Message::Attached { again: *again },
        Message::Event(e) => Message::Event(e.clone()),
        Message::Garbled { kind, reason } => Message::Garbled {
            kind: kind.clone(),
            reason: reason.clone(),
        },
        Message::Lost { reason, retry } => Message::Lost {
            reason: reason.clone(),
            retry: *retry,
        },
        Message::Refused(e) => Message::Lost {
            reason: e.to_string(),
            retry: None,
        },
    }
}

/// How a wait on the stream ended, when it did not fail.
pub(super) enum Flow {
    Done,
    /// Poll from here on, for this reason (a `--verbose` line).
    Fallback(String),
}

/// A wait that follows the event stream.
pub(super) struct Follower<'a> {
    pub(super) display: &'a Display,
    pub(super) client: &'a Client,
    pub(super) target: &'a Target,
    pub(super) timing: Timing,
    pub(super) start: Instant,
    pub(super) deadline: Instant,
    pub(super) state: &'a mut State,
    pub(super) subscription: Source,
}

/// What the stream said about the pods waited for.
#[derive(Default)]
struct Seen {
    /// Our deployment as its last event showed it.
    ours: Option<crate::pod::Deployment>,
    /// Whether any event named our deployment.
    named: bool,
    /// Per instance of our pods: its pod and last condition.
    instances: BTreeMap<String, (String, String)>,
    /// Whether any instance event about our pods came.
    heard: bool,
    /// Pod events (`pod_updated_event`, ...) for our pods, and how many came after our
    /// deployment was first named.
    pod_events: usize,
    pod_events_after: Vec<String>,
    /// Other deployments touching our pods, in the order they appeared.
    others: Vec<String>,
}

impl Follower<'_> {
    pub(super) fn run(&mut self, late: bool) -> Result<Flow> {
        let mut seen = Seen {
            // Registered, not begun: what Marathon lists until the first step starts.
            ours: self
                .target
                .deployment
                .as_ref()
                .map(|id| crate::pod::Deployment {
                    id: id.clone(),
                    ..Default::default()
                }),
            ..Seen::default()
        };
        self.show(&seen);
        let mut last_news = Instant::now();
        // Opened after the write: the deployment may be over already. One poll tells.
        let mut check = late;
        let mut last_check: Option<Instant> = None;
        loop {
            if is_interrupted() {
                self.display.clear();
                return Err(interrupted(self.target));
            }
            let now = Instant::now();
            if now >= self.deadline {
                return self.out_of_time();
            }
            if now.duration_since(last_news) >= QUIET_CHECK {
                check = true;
                last_news = now;
            }
            let due = last_check.is_none_or(|t| now.duration_since(t) >= self.timing.interval);
            if check && due {
                check = false;
                last_check = Some(now);
                match self.poll_once(seen.heard)? {
                    Some(flow) => return Ok(flow),
                    None => {
                        if late && self.target.deployment.is_some() && !self.state.seen {
                            return Ok(Flow::Fallback(
                                "the deployment was not listed when the stream opened".into(),
                            ));
                        }
                    }
                }
            }
            let message = match self.subscription.next((self.deadline - now).min(TICK)) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    return Ok(Flow::Fallback("the event stream ended".into()))
                }
            };
            let event = match message {
                Message::Event(e) => e,
                Message::Attached { .. } | Message::Garbled { .. } => continue,
                Message::Lost { reason, .. } => {
                    return Ok(Flow::Fallback(format!("lost the event stream: {reason}")))
                }
                Message::Refused(e) => return Ok(Flow::Fallback(e.to_string())),
            };
            match self.on_event(&mut seen, &event)? {
                News::None => {}
                News::Progress => {
                    last_news = Instant::now();
                    self.show(&seen);
                }
                News::Instances => {
                    last_news = Instant::now();
                    self.show(&seen);
                    // Without a deployment (a kill), the pod's status says when it is over.
                    if self.target.deployment.is_none() {
                        check = true;
                    }
                }
                News::Succeeded => return self.confirm(),
                News::Failed(event) => return Err(self.failed(&mut seen, &event)),
            }
        }
    }

    /// Folds one event into what is known.
    fn on_event(&mut self, seen: &mut Seen, event: &Event) -> Result<News> {
        let ours_id = self.target.deployment.as_deref();
        let ours = |pod: &str| self.target.pods.iter().any(|(p, _)| p.as_str() == pod);
        match event.kind.as_str() {
            "deployment_info"
            | "deployment_step_success"
            | "deployment_step_failure"
            | "deployment_success"
            | "deployment_failed" => {
                let plan = deployment_of(&event.json);
                let id = plan
                    .as_ref()
                    .map(|d| d.id.clone())
                    .or_else(|| event.str("id").map(str::to_string));
                let Some(id) = id else { return Ok(News::None) };
                if Some(id.as_str()) != ours_id {
                    let touches = plan
                        .as_ref()
                        .is_some_and(|d| d.affected_pods.iter().any(|p| ours(p)));
                    if touches && !seen.others.contains(&id) {
                        seen.others.push(id);
                    }
                    return Ok(News::None);
                }
                seen.named = true;
                self.state.seen = true;
                match event.kind.as_str() {
                    "deployment_success" => Ok(News::Succeeded),
                    "deployment_failed" => Ok(News::Failed(event.clone())),
                    _ => {
                        if let Some(d) = plan {
                            for (goal, (pod, _)) in
                                self.state.goals.iter_mut().zip(&self.target.pods)
                            {
                                if goal.is_none() {
                                    *goal = goal_from_steps(&d, pod.as_str());
                                }
                            }
                            seen.ours = Some(d);
                        }
                        Ok(News::Progress)
                    }
                }
            }
            "instance_changed_event" => {
                let (Some(pod), Some(instance)) = (event.str("runSpecId"), event.str("instanceId"))
                else {
                    return Ok(News::None);
                };
                if !ours(pod) {
                    return Ok(News::None);
                }
                seen.heard = true;
                let condition = event.str("condition").unwrap_or("unknown");
                if is_terminal_condition(condition) {
                    seen.instances.remove(instance);
                } else {
                    seen.instances.insert(
                        instance.to_string(),
                        (pod.to_string(), condition.to_string()),
                    );
                }
                Ok(News::Instances)
            }
            "status_update_event" => {
                let (Some(pod), Some(task), Some(state)) = (
                    event.str("appId"),
                    event.str("taskId"),
                    event.str("taskStatus"),
                ) else {
                    return Ok(News::None);
                };
                if !ours(pod) {
                    return Ok(News::None);
                }
                if let Some(failed) = failed_from_event(task, state, event.str("message")) {
                    if let Some(warning) = self.state.failures.record(failed) {
                        self.display.warn(&warning);
                    }
                }
                Ok(News::None)
            }
            "pod_created_event" | "pod_updated_event" | "pod_deleted_event" => {
                let pod = event.str("uri").and_then(pod_of_uri);
                if pod.as_deref().is_some_and(ours) {
                    seen.pod_events += 1;
                    if seen.named {
                        seen.pod_events_after.push(event.kind.clone());
                    }
                }
                Ok(News::None)
            }
            _ => Ok(News::None),
        }
    }

    fn show(&mut self, seen: &Seen) {
        let mut lines = Vec::new();
        for (pod, _) in &self.target.pods {
            let mut parts = Vec::new();
            match &seen.ours {
                Some(d) => parts.push(describe_deployment(d)),
                None if self.target.deployment.is_some() => {}
                None => parts.push("replacing instances".to_string()),
            }
            let conditions = seen
                .instances
                .values()
                .filter(|(p, _)| p == pod.as_str())
                .map(|(_, c)| c.as_str());
            parts.extend(describe_conditions(conditions));
            if parts.is_empty() {
                continue;
            }
            let line = parts.join("; ");
            if self.target.pods.len() == 1 {
                lines.push(line);
            } else {
                lines.push(format!("{pod}: {line}"));
            }
        }
        if lines.is_empty() && self.target.pods.is_empty() {
            if let Some(d) = &seen.ours {
                lines.push(describe_deployment(d));
            }
        }
        let line = lines.join(" | ");
        if !line.is_empty() && line != self.state.summary {
            self.display.update(self.start.elapsed(), &line);
            self.state.summary = line;
        }
    }

    /// One poll, as the polling wait makes it; `Some(Done)` when the goal is reached and
    /// settled: our deployment was seen, or (a kill) the stream told of our instances
    /// (`heard`), or two polls agree, as when polling.
    fn poll_once(&mut self, heard: bool) -> Result<Option<Flow>> {
        match poll(self.client, self.target, &mut self.state.goals) {
            Ok((ours, statuses)) => {
                if ours.is_some() {
                    self.state.seen = true;
                } else {
                    self.state.polls_without += 1;
                }
                let pods: Vec<&PodId> = self.target.pods.iter().map(|(p, _)| p).collect();
                let (done, line, failed) =
                    judge(&pods, &self.state.goals, ours.as_ref(), &statuses);
                for f in failed {
                    if let Some(warning) = self.state.failures.record(f) {
                        self.display.warn(&warning);
                    }
                }
                if line != self.state.summary {
                    self.display.update(self.start.elapsed(), &line);
                    self.state.summary = line;
                }
                self.state.reached = done;
                let settled = self.state.seen
                    || self.state.polls_without >= 2
                    || (heard && self.target.deployment.is_none());
                if done && settled {
                    self.display
                        .finish(self.start.elapsed(), &self.state.summary);
                    return Ok(Some(Flow::Done));
                }
                Ok(None)
            }
            Err(e) => self.poll_error(e).map(|()| None),
        }
    }

    fn poll_error(&mut self, e: ApiError) -> Result<()> {
        match e {
            ApiError::Transport { error, .. } if error.kind == Kind::Interrupted => {
                self.display.clear();
                Err(interrupted(self.target))
            }
            // Cut short by the wait's own deadline: time is up, not the network.
            ApiError::Transport { error, .. }
                if error.kind == Kind::Timeout && Instant::now() >= self.deadline =>
            {
                Ok(())
            }
            e if is_transient(&e) => {
                let message = e.to_string();
                if self.state.transient.insert(message.clone()) {
                    self.display.warn(&format!("{message}; still trying"));
                }
                Ok(())
            }
            e => {
                self.display.clear();
                Err(e.into())
            }
        }
    }

    /// `deployment_success`: one status request per pod confirms the end state, as a poll
    /// would; pods not there yet are polled for.
    fn confirm(&mut self) -> Result<Flow> {
        let mut statuses = Vec::with_capacity(self.target.pods.len());
        for (pod, _) in &self.target.pods {
            match self.client.pod_status(pod) {
                Ok(s) => statuses.push(Some(s)),
                Err(e) if e.status() == Some(404) => statuses.push(None),
                Err(e) => {
                    self.poll_error(e)?;
                    return Ok(Flow::Fallback("the end state could not be read".into()));
                }
            }
        }
        let pods: Vec<&PodId> = self.target.pods.iter().map(|(p, _)| p).collect();
        let (done, line, failed) = judge(&pods, &self.state.goals, None, &statuses);
        for f in failed {
            if let Some(warning) = self.state.failures.record(f) {
                self.display.warn(&warning);
            }
        }
        if line != self.state.summary {
            self.state.summary = line;
        }
        self.state.reached = done;
        if done {
            self.display
                .finish(self.start.elapsed(), &self.state.summary);
            return Ok(Flow::Done);
        }
        Ok(Flow::Fallback(
            "the deployment succeeded, but the pods are not ready yet".into(),
        ))
    }

    /// `deployment_failed` for ours: listen briefly for what took its place, read the pods'
    /// failing containers once, and say what is known.
    fn failed(&mut self, seen: &mut Seen, event: &Event) -> anyhow::Error {
        let grace = (Instant::now() + FOLLOWER_GRACE).min(self.deadline);
        let before = seen.others.len();
        while seen.others.len() == before && !is_interrupted() {
            let now = Instant::now();
            if now >= grace {
                break;
            }
            match self.subscription.next((grace - now).min(TICK)) {
                Ok(Message::Event(e)) => {
                    let _ = self.on_event(seen, &e);
                }
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        // The failing containers, from the pods themselves (events before the subscription are
        // not known).
        for (pod, _) in &self.target.pods {
            if let Ok(status) = self.client.pod_status(pod) {
                let pods = [pod];
                let (_, _, failed) = judge(&pods, &[None], None, &[Some(status)]);
                for f in failed {
                    self.state.failures.record(f);
                }
            }
        }
        self.display.clear();
        let follower = seen.others.get(before).or_else(|| seen.others.last());
        let forced = !seen.pod_events_after.is_empty() || seen.pod_events >= 2;
        WaitError::Failed(failure_message(
            self.target,
            event.str("reason"),
            follower.map(String::as_str),
            forced,
            self.state.failures.describe(),
        ))
        .into()
    }

    fn out_of_time(&mut self) -> Result<Flow> {
        if self.state.reached {
            // The last check showed the goal reached; only its confirmation ran out of time.
            self.display
                .finish(self.start.elapsed(), &self.state.summary);
            return Ok(Flow::Done);
        }
        self.display.clear();
        Err(timed_out(
            self.target,
            self.timing.timeout,
            &self.state.summary,
            &self.state.failures,
        ))
    }
}

/// What one event changed for the wait.
enum News {
    None,
    Progress,
    Instances,
    Succeeded,
    Failed(Event),
}

/// The message of a wait whose deployment failed: what, Marathon's reason, why as far as the
/// stream tells (a forced change, a rollback, a stop), what followed, what was failing.
fn failure_message(
    target: &Target,
    reason: Option<&str>,
    follower: Option<&str>,
    forced: bool,
    failing: Option<String>,
) -> String {
    let mut message = format!("{} failed", what(target));
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        message.push_str(&format!(" ({})", crate::marathon::clip(reason)));
    }
    let pods = target.pod_list();
    // Marathon 1.10 fails a deployment it cancels with "The upgrade has been cancelled"; any
    // other reason is a failure of its own, told as Marathon said it.
    let cancelled = reason.is_none_or(|r| r.to_ascii_lowercase().contains("cancel"));
    let follow = |next: &str| format!("(follow it with `podctl deployment watch {next}`)");
    match (cancelled, forced, follower.map(printable)) {
        (false, _, Some(next)) => {
            message.push_str(&format!("; deployment {next} followed {}", follow(&next)))
        }
        (false, _, None) => {}
        (true, true, Some(next)) => message.push_str(&format!(
            ": cancelled by a forced change to {pods}; deployment {next} took its place {}",
            follow(&next)
        )),
        (true, true, None) => {
            message.push_str(&format!(": cancelled by a forced change to {pods}"))
        }
        (true, false, Some(next)) => message.push_str(&format!(
            ": cancelled and rolled back by deployment {next} {}",
            follow(&next)
        )),
        (true, false, None) => message.push_str(
            ": cancelled with no deployment after it (stopped with `podctl deployment stop`, \
             or cancelled by another client)",
        ),
    }
    if let Some(failing) = failing {
        message.push_str(&format!("; failing: {failing}"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            deployment: Some("d1".into()),
            pods: vec![(PodId::parse("/web").unwrap(), None)],
        }
    }

    #[test]
    fn a_failed_deployment_says_what_podctl_can_tell() {
        let cancelled = Some("The upgrade has been cancelled");
        let m = failure_message(&target(), cancelled, Some("d2"), true, None);
        assert_eq!(
            m,
            "deployment d1 of /web failed (The upgrade has been cancelled): cancelled by a \
             forced change to /web; deployment d2 took its place (follow it with \
             `podctl deployment watch d2`)"
        );
        let m = failure_message(&target(), cancelled, Some("d2"), false, None);
        assert!(m.ends_with(": cancelled and rolled back by deployment d2 (follow it with `podctl deployment watch d2`)"), "{m}");
        let m = failure_message(&target(), None, None, false, Some("app (1 failure)".into()));
        assert!(
            m.contains("cancelled with no deployment after it")
                && m.ends_with("; failing: app (1 failure)"),
            "{m}"
        );
        // A reason of its own is told as it is, escaped, and not called a cancellation.
        let m = failure_message(&target(), Some("disk full\u{1b}[2J"), None, false, None);
        assert_eq!(m, "deployment d1 of /web failed (disk full\\u{1b}[2J)");
    }
}
