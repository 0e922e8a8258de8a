//! Judging a deployment from what Marathon reports: pure functions over the deployments list and
//! a pod's status, so `--wait` and `deployment watch` decide "done" the same way.
//!
//! A deployment that left `GET /v2/deployments` may have succeeded, been cancelled or rolled
//! back, so absence alone is never success: the pod itself must show the goal reached.
//!
//! Every text built here is printed on stderr as it is, so whatever came from the server
//! (deployment ids, actions, container names, states, failure messages) is made
//! [`printable`] here, once.

use std::collections::{BTreeMap, HashSet};

use super::deployment::Deployment;
use super::id::PodId;
use super::status::{describe_states, Health, InstanceStatus, PodStatus, StatusView};
use super::text::printable;
use super::time::same_instant;

/// What the pod should look like when the deployment is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Enough ready instances. With `current_version`, they must run the pod's current
    /// definition (after a create or a restart; a pure scale leaves versions as they are).
    Running { current_version: bool },
    /// The pod is gone.
    Removed,
    /// Whatever the deployment was for (its plan was never seen): the pod is gone, or has
    /// enough ready instances of any version.
    Settled,
}

/// One poll's view: our deployment if still listed, and the pod's status (`None` on 404).
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    pub deployment: Option<&'a Deployment>,
    pub status: Option<&'a PodStatus>,
}

/// A container that ended badly, as seen in one poll; every field is already [`printable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedContainer {
    /// Mesos task id (`<instance>.<name>.<incarnation>`), unique per launch.
    pub task: String,
    pub name: String,
    pub state: String,
    pub message: Option<String>,
}

/// Whether the goal is reached, and a one-line account of where things stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub done: bool,
    pub summary: String,
    pub failed: Vec<FailedContainer>,
}

/// Task states that mean a container ended badly. TASK_KILLED is normal during a restart, so it
/// only counts with a non-zero exit code.
const FAILED_STATES: [&str; 5] = [
    "TASK_FAILED",
    "TASK_ERROR",
    "TASK_LOST",
    "TASK_DROPPED",
    "TASK_GONE",
];

pub fn assess(goal: Goal, now: Snapshot) -> Assessment {
    let mut parts = Vec::new();
    match now.deployment {
        Some(d) => parts.push(describe_deployment(d)),
        None => parts.push("deployment finished".to_string()),
    }
    let (pod_done, failed) = match (goal, now.status) {
        (Goal::Removed, None) => {
            parts.push("pod removed".to_string());
            (true, Vec::new())
        }
        (Goal::Removed, Some(status)) => {
            parts.push(format!("{} instances left", status.instances.len()));
            (false, failed_containers(status))
        }
        (Goal::Running { .. }, None) => {
            parts.push("pod not found".to_string());
            (false, Vec::new())
        }
        (Goal::Settled, None) => {
            parts.push("pod gone".to_string());
            (true, Vec::new())
        }
        (Goal::Settled, Some(_)) => {
            return assess(
                Goal::Running {
                    current_version: false,
                },
                now,
            );
        }
        (Goal::Running { current_version }, Some(status)) => {
            let desired = status.desired_instances() as usize;
            let ready = status
                .instances
                .iter()
                .filter(|i| is_ready(i, status) && (!current_version || runs_current(i, status)))
                .count();
            parts.push(format!("{ready}/{desired} instances ready"));
            for (name, states) in status.container_tallies() {
                parts.push(format!(
                    "{}: {}",
                    printable(name),
                    printable(&describe_states(&states))
                ));
            }
            (ready >= desired, failed_containers(status))
        }
    };
    Assessment {
        done: now.deployment.is_none() && pod_done,
        summary: parts.join("; "),
        failed,
    }
}

/// `step 1/2 StartPod /web`, or `waiting to start` for a plan Marathon has not begun.
pub fn describe_deployment(d: &Deployment) -> String {
    if d.current_step == 0 || d.current_actions.is_empty() {
        return format!("deployment {} waiting to start", printable(short_id(&d.id)));
    }
    let actions = d
        .current_actions
        .iter()
        .map(|a| {
            let target = a.pod.as_deref().or(a.app.as_deref()).unwrap_or_default();
            format!("{} {target}", a.action).trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "step {}/{} {}",
        d.current_step,
        d.total_steps,
        printable(&actions)
    )
}

/// The first block of a UUID is enough to tell deployments apart in a progress line.
fn short_id(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

/// STABLE, every container running, and healthy wherever the spec has a health check.
fn is_ready(instance: &InstanceStatus, status: &PodStatus) -> bool {
    if instance.status != "STABLE" || instance.containers.is_empty() {
        return false;
    }
    instance.containers.iter().all(|c| {
        let checked = status
            .spec
            .as_ref()
            .and_then(|s| s.containers.iter().find(|sc| sc.name == c.name))
            .is_some_and(|sc| sc.health_check.is_some());
        c.status == "TASK_RUNNING"
            && match c.health() {
                Health::Unhealthy => false,
                Health::Unknown => !checked,
                Health::Healthy => true,
            }
    })
}

/// Whether the instance runs the pod's current definition (`specReference` ends with it).
fn runs_current(instance: &InstanceStatus, status: &PodStatus) -> bool {
    let (Some(reference), Some(version)) = (instance.spec_reference.as_deref(), status.version())
    else {
        // Nothing to compare: do not hold the wait forever on a field an old Marathon lacks.
        return true;
    };
    reference
        .rsplit_once("::versions/")
        .is_some_and(|(_, v)| same_instant(v, version))
}

fn failed_containers(status: &PodStatus) -> Vec<FailedContainer> {
    let mut failed = Vec::new();
    for instance in &status.instances {
        for c in &instance.containers {
            let exit_code = c
                .termination
                .as_ref()
                .and_then(|t| t.get("exitCode"))
                .and_then(serde_json::Value::as_i64);
            let bad = FAILED_STATES.contains(&c.status.as_str())
                || (c.status == "TASK_KILLED" && exit_code.is_some_and(|code| code != 0));
            if !bad {
                continue;
            }
            let message = c.message.clone().or_else(|| {
                c.termination
                    .as_ref()
                    .and_then(|t| t.get("message"))
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string)
            });
            let task = c
                .container_id
                .clone()
                .unwrap_or_else(|| format!("{}.{}", instance.id, c.name));
            failed.push(FailedContainer {
                task: printable(&task).into_owned(),
                name: printable(&c.name).into_owned(),
                state: printable(&c.status).into_owned(),
                message: message.map(|m| printable(&m).into_owned()),
            });
        }
    }
    failed
}

/// One poll over every pod followed: whether each reached its goal (an unknown goal counts as
/// [`Goal::Settled`]), the progress line (`POD: summary | ...` for more than one pod), and the
/// containers that failed. With no pods (`deployment watch` of a plan without pods), the
/// deployment's own progress, done when it is no longer listed.
pub fn judge(
    pods: &[&PodId],
    goals: &[Option<Goal>],
    deployment: Option<&Deployment>,
    statuses: &[Option<PodStatus>],
) -> (bool, String, Vec<FailedContainer>) {
    if pods.is_empty() {
        let line =
            deployment.map_or_else(|| "deployment finished".to_string(), describe_deployment);
        return (deployment.is_none(), line, Vec::new());
    }
    let mut done = true;
    let mut lines = Vec::new();
    let mut failed = Vec::new();
    for ((pod, goal), status) in pods.iter().zip(goals).zip(statuses) {
        let a = assess(
            goal.unwrap_or(Goal::Settled),
            Snapshot {
                deployment,
                status: status.as_ref(),
            },
        );
        done &= a.done;
        failed.extend(a.failed);
        if pods.len() == 1 {
            lines.push(a.summary);
        } else {
            lines.push(format!("{pod}: {}", a.summary));
        }
    }
    (done, lines.join(" | "), failed)
}

/// The goal a deployment's plan sets for a pod: StopPod means removed, StartPod or RestartPod
/// the current version running, any other action (ScalePod) enough instances of any version;
/// `None` when the plan does not touch the pod.
pub fn goal_from_steps(d: &Deployment, pod: &str) -> Option<Goal> {
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

/// Instance conditions as the event stream reports them (`Running`, `Staging`, ...), counted:
/// `instances: 2 running, 1 staging`; `None` when there are none.
pub fn describe_conditions<'a>(conditions: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in conditions {
        *counts
            .entry(printable(&c.to_ascii_lowercase()).into_owned())
            .or_default() += 1;
    }
    if counts.is_empty() {
        return None;
    }
    let mut states: Vec<(String, usize)> = counts.into_iter().collect();
    states.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(format!("instances: {}", describe_states(&states)))
}

/// Whether an instance condition means the instance is gone for good (it leaves the count).
pub fn is_terminal_condition(condition: &str) -> bool {
    matches!(
        condition.to_ascii_lowercase().as_str(),
        "killed" | "finished" | "failed" | "error" | "gone" | "dropped" | "unknown"
    )
}

/// A container that failed, from a `status_update_event` (`taskId`, `taskStatus`, `message`);
/// `None` for a state that is not a failure.
pub fn failed_from_event(
    task: &str,
    state: &str,
    message: Option<&str>,
) -> Option<FailedContainer> {
    if !FAILED_STATES.contains(&state) {
        return None;
    }
    let name = container_of_task(task);
    Some(FailedContainer {
        task: printable(task).into_owned(),
        name: printable(name).into_owned(),
        state: printable(state).into_owned(),
        message: message
            .filter(|m| !m.is_empty())
            .map(|m| printable(m).into_owned()),
    })
}

/// The container a pod's Mesos task id names: `<pod>.instance-<uuid>.<container>` with an
/// optional `.<incarnation>` (Marathon 1.10's task ids); container names hold no dot.
fn container_of_task(task: &str) -> &str {
    let segments: Vec<&str> = task.split('.').collect();
    segments
        .iter()
        .rposition(|s| s.starts_with("instance-"))
        .and_then(|i| segments.get(i + 1))
        .or_else(|| {
            segments
                .iter()
                .rev()
                .find(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        })
        .copied()
        .unwrap_or(task)
}

/// Container failures seen so far, each launch counted once.
#[derive(Debug, Default)]
pub struct Failures {
    seen: HashSet<String>,
    /// Per container name: how many launches failed, and the last state and message.
    by_name: BTreeMap<String, (usize, String)>,
}

impl Failures {
    /// Records a failure; returns a warning the first time this launch is seen failing.
    pub fn record(&mut self, f: FailedContainer) -> Option<String> {
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

    /// Every container that failed so far, with its count and last state, for a timeout's
    /// message.
    pub fn describe(&self) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::deployment::Action;

    #[test]
    fn failures_from_events_name_their_container() {
        assert_eq!(container_of_task("web.instance-1f2e.app.3"), "app");
        assert_eq!(container_of_task("prod.web.instance-1f2e.app"), "app");
        assert_eq!(container_of_task("odd.7"), "odd");
        let f = failed_from_event("web.instance-1.app.2", "TASK_FAILED", Some("exit\u{1b}"));
        let f = f.unwrap();
        assert_eq!((f.name.as_str(), f.state.as_str()), ("app", "TASK_FAILED"));
        assert_eq!(f.message.as_deref(), Some("exit\\u{1b}"));
        assert!(failed_from_event("web.instance-1.app", "TASK_KILLED", None).is_none());
        assert!(failed_from_event("web.instance-1.app", "TASK_RUNNING", None).is_none());
    }

    #[test]
    fn conditions_are_counted_most_first() {
        let c = ["Running", "Staging", "Running"];
        assert_eq!(
            describe_conditions(c.into_iter()).as_deref(),
            Some("instances: 2 running, 1 staging")
        );
        assert_eq!(describe_conditions(std::iter::empty()), None);
        assert!(is_terminal_condition("Killed") && !is_terminal_condition("Running"));
    }
    use crate::pod::status::{Condition, ContainerStatus};
    use crate::pod::PodDefinition;

    fn spec(instances: u32, checked: bool) -> PodDefinition {
        let check = if checked {
            r#","healthCheck":{"http":{"endpoint":"http"}}"#
        } else {
            ""
        };
        serde_json::from_str(&format!(
            r#"{{"id":"/web","version":"2026-01-01T00:00:02.000Z","scaling":{{"kind":"fixed","instances":{instances}}},
                "containers":[{{"name":"app","resources":{{}}{check}}}]}}"#
        ))
        .unwrap()
    }

    fn instance(
        n: u32,
        state: &str,
        task: &str,
        healthy: Option<&str>,
        version: &str,
    ) -> InstanceStatus {
        InstanceStatus {
            id: format!("web.instance-{n}"),
            status: state.into(),
            spec_reference: Some(format!("/v2/pods/web::versions/{version}")),
            containers: vec![ContainerStatus {
                name: "app".into(),
                status: task.into(),
                container_id: Some(format!("web.instance-{n}.app.1")),
                conditions: healthy
                    .map(|v| {
                        vec![Condition {
                            name: "healthy".into(),
                            value: v.into(),
                            ..Default::default()
                        }]
                    })
                    .unwrap_or_default(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn status(spec: PodDefinition, instances: Vec<InstanceStatus>) -> PodStatus {
        PodStatus {
            id: "/web".into(),
            spec: Some(spec),
            status: "DEGRADED".into(),
            instances,
            ..Default::default()
        }
    }

    const NEW: &str = "2026-01-01T00:00:02Z";
    const OLD: &str = "2026-01-01T00:00:01Z";

    fn running_deployment() -> Deployment {
        Deployment {
            id: "1f2e3d4c-0000-0000-0000-000000000000".into(),
            current_step: 1,
            total_steps: 2,
            current_actions: vec![Action {
                action: "StartPod".into(),
                pod: Some("/web".into()),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_version_on_a_whole_minute_is_current_in_every_form_java_writes() {
        let goal = Goal::Running {
            current_version: true,
        };
        let mut on_the_minute = spec(1, false);
        on_the_minute.version = Some("2026-01-01T00:02:00.000Z".into());
        for reference in [
            "2026-01-01T00:02Z",
            "2026-01-01T00:02:00Z",
            "2026-01-01T00:02:00.0Z",
        ] {
            let s = status(
                on_the_minute.clone(),
                vec![instance(1, "STABLE", "TASK_RUNNING", None, reference)],
            );
            let now = Snapshot {
                deployment: None,
                status: Some(&s),
            };
            assert!(assess(goal, now).done, "{reference}");
        }
        // A version a second later is another version, however it is written.
        let s = status(
            on_the_minute,
            vec![instance(
                1,
                "STABLE",
                "TASK_RUNNING",
                None,
                "2026-01-01T00:02:01Z",
            )],
        );
        let now = Snapshot {
            deployment: None,
            status: Some(&s),
        };
        assert!(!assess(goal, now).done);
    }

    #[test]
    fn done_only_when_the_deployment_is_gone_and_instances_are_ready() {
        let goal = Goal::Running {
            current_version: true,
        };
        let s = status(
            spec(2, false),
            vec![
                instance(1, "STABLE", "TASK_RUNNING", None, NEW),
                instance(2, "STABLE", "TASK_RUNNING", None, NEW),
            ],
        );
        let d = running_deployment();
        let listed = assess(
            goal,
            Snapshot {
                deployment: Some(&d),
                status: Some(&s),
            },
        );
        assert!(!listed.done);
        assert!(
            listed
                .summary
                .starts_with("step 1/2 StartPod /web; 2/2 instances ready"),
            "{}",
            listed.summary
        );
        let gone = assess(
            goal,
            Snapshot {
                deployment: None,
                status: Some(&s),
            },
        );
        assert!(gone.done, "{}", gone.summary);
        assert!(gone.summary.contains("app: 2 running"), "{}", gone.summary);
    }

    #[test]
    fn absence_is_not_success() {
        let goal = Goal::Running {
            current_version: true,
        };
        let staging = status(
            spec(2, false),
            vec![instance(1, "STAGING", "TASK_STAGING", None, NEW)],
        );
        assert!(
            !assess(
                goal,
                Snapshot {
                    deployment: None,
                    status: Some(&staging)
                }
            )
            .done
        );
        assert!(
            !assess(
                goal,
                Snapshot {
                    deployment: None,
                    status: None
                }
            )
            .done
        );
        // A restart that was cancelled leaves old instances: not the goal.
        let old = status(
            spec(1, false),
            vec![instance(1, "STABLE", "TASK_RUNNING", None, OLD)],
        );
        assert!(
            !assess(
                goal,
                Snapshot {
                    deployment: None,
                    status: Some(&old)
                }
            )
            .done
        );
        // ... but a pure scale does not change what instances run.
        let scale = Goal::Running {
            current_version: false,
        };
        assert!(
            assess(
                scale,
                Snapshot {
                    deployment: None,
                    status: Some(&old)
                }
            )
            .done
        );
    }

    #[test]
    fn health_checks_must_pass() {
        let goal = Goal::Running {
            current_version: false,
        };
        for (health, ready) in [(None, false), (Some("false"), false), (Some("true"), true)] {
            let s = status(
                spec(1, true),
                vec![instance(1, "STABLE", "TASK_RUNNING", health, NEW)],
            );
            assert_eq!(
                assess(
                    goal,
                    Snapshot {
                        deployment: None,
                        status: Some(&s)
                    }
                )
                .done,
                ready,
                "{health:?}"
            );
        }
    }

    #[test]
    fn removal_is_done_when_the_pod_is_gone() {
        let s = status(
            spec(1, false),
            vec![instance(1, "STABLE", "TASK_KILLING", None, NEW)],
        );
        assert!(
            !assess(
                Goal::Removed,
                Snapshot {
                    deployment: None,
                    status: Some(&s)
                }
            )
            .done
        );
        let d = running_deployment();
        assert!(
            !assess(
                Goal::Removed,
                Snapshot {
                    deployment: Some(&d),
                    status: None
                }
            )
            .done
        );
        let done = assess(
            Goal::Removed,
            Snapshot {
                deployment: None,
                status: None,
            },
        );
        assert!(done.done);
        assert_eq!(done.summary, "deployment finished; pod removed");
    }

    #[test]
    fn failed_containers_are_reported_with_their_message() {
        let mut bad = instance(1, "TERMINAL", "TASK_FAILED", None, NEW);
        bad.containers[0].message = Some("Container exited with status 1".into());
        let mut killed = instance(2, "TERMINAL", "TASK_KILLED", None, NEW);
        killed.containers[0].termination = Some(serde_json::json!({"exitCode": 0}));
        let s = status(spec(2, false), vec![bad, killed]);
        let a = assess(
            Goal::Running {
                current_version: true,
            },
            Snapshot {
                deployment: None,
                status: Some(&s),
            },
        );
        assert_eq!(a.failed.len(), 1, "{:?}", a.failed);
        assert_eq!(a.failed[0].name, "app");
        assert_eq!(a.failed[0].task, "web.instance-1.app.1");
        assert_eq!(
            a.failed[0].message.as_deref(),
            Some("Container exited with status 1")
        );
        assert!(
            a.summary.contains("app: 1 failed, 1 killed"),
            "{}",
            a.summary
        );
    }

    #[test]
    fn an_unknown_goal_settles_either_way() {
        let gone = assess(
            Goal::Settled,
            Snapshot {
                deployment: None,
                status: None,
            },
        );
        assert!(gone.done);
        let d = running_deployment();
        assert!(
            !assess(
                Goal::Settled,
                Snapshot {
                    deployment: Some(&d),
                    status: None
                }
            )
            .done
        );
        let old = status(
            spec(1, false),
            vec![instance(1, "STABLE", "TASK_RUNNING", None, OLD)],
        );
        assert!(
            assess(
                Goal::Settled,
                Snapshot {
                    deployment: None,
                    status: Some(&old)
                }
            )
            .done
        );
        let staging = status(
            spec(1, false),
            vec![instance(1, "STAGING", "TASK_STAGING", None, NEW)],
        );
        assert!(
            !assess(
                Goal::Settled,
                Snapshot {
                    deployment: None,
                    status: Some(&staging)
                }
            )
            .done
        );
    }

    #[test]
    fn a_fresh_plan_is_waiting_to_start() {
        let d = Deployment {
            id: "abcd1234-5678".into(),
            ..Default::default()
        };
        assert_eq!(
            describe_deployment(&d),
            "deployment abcd1234 waiting to start"
        );
    }

    /// Issue 11.4: failure messages and deployment actions reached stderr raw during `--wait`.
    #[test]
    fn server_text_in_progress_lines_is_escaped() {
        let evil = "\u{1b}]0;pwned\u{7}\r\u{9b}2J\u{202e}";
        let d = Deployment {
            id: format!("{evil}-1"),
            current_step: 1,
            total_steps: 1,
            current_actions: vec![Action {
                action: format!("StartPod{evil}"),
                pod: Some(format!("/web{evil}")),
                ..Default::default()
            }],
            ..Default::default()
        };
        let waiting = Deployment {
            current_step: 0,
            ..d.clone()
        };
        let mut status = status(
            spec(1, false),
            vec![instance(1, "STABLE", "TASK_FAILED", None, NEW)],
        );
        let container = &mut status.instances[0].containers[0];
        container.name = format!("app{evil}");
        container.container_id = Some(format!("web.instance-1.app{evil}.1"));
        container.message = Some(format!("exit 1{evil}"));
        let a = assess(
            Goal::Running {
                current_version: false,
            },
            Snapshot {
                deployment: Some(&d),
                status: Some(&status),
            },
        );
        let failed = &a.failed[0];
        let texts = [
            describe_deployment(&d),
            describe_deployment(&waiting),
            a.summary.clone(),
            failed.name.clone(),
            failed.task.clone(),
            failed.state.clone(),
            failed.message.clone().unwrap_or_default(),
        ];
        for text in texts {
            assert!(
                !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{text:?}"
            );
        }
        assert!(
            a.summary
                .contains(r"app\u{1b}]0;pwned\u{7}\r\u{9b}2J\u{202e}"),
            "{}",
            a.summary
        );
    }

    fn plan(actions: &[&str]) -> Deployment {
        use crate::pod::deployment::Step;
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
    fn judging_several_pods_names_each_and_needs_all() {
        let web = PodId::parse("/web").unwrap();
        let db = PodId::parse("/db").unwrap();
        let goals = [Some(Goal::Removed), Some(Goal::Removed)];
        let (done, line, failed) = judge(&[&web, &db], &goals, None, &[None, None]);
        assert!(done && failed.is_empty());
        assert_eq!(
            line,
            "/web: deployment finished; pod removed | /db: deployment finished; pod removed"
        );
        let d = running_deployment();
        let (done, _, _) = judge(&[&web, &db], &goals, Some(&d), &[None, None]);
        assert!(!done, "the deployment is still listed");
        let (done, line, _) = judge(&[], &[], None, &[]);
        assert!(done);
        assert_eq!(line, "deployment finished");
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
        let failed = |task: &str| FailedContainer {
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
