//! The tables of `pod list`, `pod show`, `pod versions` and `cluster list`.
//!
//! Tables are borderless columns like kubectl's, so they read well in a terminal and in a log
//! alike; colour is only added when [`Style::color`] allows it.

use std::time::SystemTime;

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use super::Style;
use crate::pod::status::{describe_states, Health, PodStatus, PodSummary, StatusView};
use crate::pod::text::printable;
use crate::pod::time::age_since;
use crate::pod::Deployment;

/// A table cell; text from the server is shown with control characters escaped.
fn cell<T: std::fmt::Display>(content: T) -> Cell {
    let text = content.to_string();
    Cell::new(printable(&text))
}

fn new_table(header: &[&str], style: Style) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    // Never wrap: like kubectl, a long row overflows rather than being squeezed into columns
    // one word wide, and the output stays greppable.
    table.set_content_arrangement(ContentArrangement::Disabled);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(header.iter().map(|h| styled(cell(h), style, None, true)));
    table
}

/// Renders a table with two spaces between columns and no trailing blanks.
fn finish(mut table: Table) -> String {
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn styled(cell: Cell, style: Style, color: Option<Color>, bold: bool) -> Cell {
    if !style.color {
        return cell;
    }
    let cell = match color {
        Some(c) => cell.fg(c),
        None => cell,
    };
    if bold {
        cell.add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

/// The colour of a pod, instance or task state.
fn state_color(state: &str) -> Option<Color> {
    match state {
        "STABLE" | "TASK_RUNNING" | "running" | "healthy" => Some(Color::Green),
        "DEGRADED" | "PENDING" | "STAGING" | "TASK_STAGING" | "TASK_STARTING" | "staging"
        | "starting" => Some(Color::Yellow),
        "TERMINAL" | "unhealthy" => Some(Color::Red),
        s if s.starts_with("TASK_") => Some(Color::Red),
        _ => None,
    }
}

fn state_cell(text: &str, style: Style) -> Cell {
    styled(cell(text), style, state_color(text), false)
}

/// `pod list`: one row per pod, then one row per container with its states across instances.
pub fn pod_list(pods: &[PodSummary], now: SystemTime, style: Style) -> String {
    let mut table = new_table(&["ID", "INSTANCES", "STATUS", "SINCE", "VERSION"], style);
    for pod in pods {
        table.add_row(vec![
            styled(cell(&pod.id), style, None, true),
            cell(format!(
                "{}/{}",
                pod.stable_instances(),
                pod.desired_instances()
            )),
            state_cell(&pod.status, style),
            cell(age_since(pod.status_since.as_deref(), now)),
            cell(pod.version().unwrap_or("-")),
        ]);
        let names = pod.container_names();
        for (i, name) in names.iter().enumerate() {
            let branch = if i + 1 == names.len() {
                "└─"
            } else {
                "├─"
            };
            let states = pod.container_states(name);
            let described = describe_states(&states);
            let color = match states.as_slice() {
                [(only, _)] => state_color(only),
                [] => None,
                _ => Some(Color::Yellow),
            };
            table.add_row(vec![
                cell(format!(" {branch} {name}")),
                cell(""),
                styled(cell(described), style, color, false),
                cell(""),
                cell(""),
            ]);
        }
    }
    finish(table)
}

/// `pod show`: a summary, then one row per container of each instance.
pub fn pod_show(
    pod: &PodStatus,
    deployments: &[Deployment],
    now: SystemTime,
    style: Style,
) -> String {
    let mut out = String::new();
    let since = match pod.status_since.as_deref() {
        Some(ts) => format!(" for {} (since {ts})", age_since(Some(ts), now)),
        None => String::new(),
    };
    let in_progress = if deployments.is_empty() {
        "none".to_string()
    } else {
        deployments
            .iter()
            .map(|d| match (d.current_step, d.total_steps) {
                (0, _) | (_, 0) => d.id.clone(),
                (c, t) => format!("{} (step {c}/{t})", d.id),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut summary = new_table(&["", ""], style);
    summary.set_header(Vec::<Cell>::new());
    for (k, v) in [
        ("Pod:", pod.id.clone()),
        ("Status:", format!("{}{since}", pod.status)),
        (
            "Instances:",
            format!(
                "{}/{} stable",
                pod.stable_instances(),
                pod.desired_instances()
            ),
        ),
        ("Version:", pod.version().unwrap_or("-").to_string()),
        ("Deployments:", in_progress),
    ] {
        let value = if k == "Status:" {
            styled(cell(v), style, state_color(&pod.status), false)
        } else {
            cell(v)
        };
        summary.add_row(vec![styled(cell(k), style, None, true), value]);
    }
    out.push_str(&finish(summary));

    if pod.instances.is_empty() {
        out.push_str("\nNo instances.\n");
        return out;
    }
    out.push('\n');
    let mut table = new_table(
        &[
            "INSTANCE",
            "AGENT",
            "STATUS",
            "CONTAINER",
            "STATE",
            "HEALTH",
            "ENDPOINTS",
            "SINCE",
        ],
        style,
    );
    for instance in &pod.instances {
        let agent = instance.agent_hostname.as_deref().unwrap_or("-");
        if instance.containers.is_empty() {
            table.add_row(vec![
                cell(&instance.id),
                cell(agent),
                state_cell(&instance.status, style),
                cell("-"),
                cell("-"),
                cell("-"),
                cell("-"),
                cell(age_since(instance.status_since.as_deref(), now)),
            ]);
        }
        for (i, c) in instance.containers.iter().enumerate() {
            let first = i == 0;
            let health = match c.health() {
                Health::Healthy => "healthy",
                Health::Unhealthy => "unhealthy",
                Health::Unknown => "-",
            };
            let endpoints = c
                .endpoints
                .iter()
                .map(|e| match e.allocated_host_port {
                    Some(port) => format!("{}={agent}:{port}", e.name),
                    None => e.name.clone(),
                })
                .collect::<Vec<_>>()
                .join(",");
            table.add_row(vec![
                cell(if first { instance.id.as_str() } else { "" }),
                cell(if first { agent } else { "" }),
                if first {
                    state_cell(&instance.status, style)
                } else {
                    cell("")
                },
                cell(&c.name),
                state_cell(&c.status, style),
                styled(cell(health), style, state_color(health), false),
                cell(if endpoints.is_empty() {
                    "-".to_string()
                } else {
                    endpoints
                }),
                cell(age_since(c.status_since.as_deref(), now)),
            ]);
        }
    }
    out.push_str(&finish(table));
    out
}

/// `pod versions`: oldest first, with ages.
pub fn versions(versions: &[String], now: SystemTime, style: Style) -> String {
    let mut table = new_table(&["VERSION", "AGE"], style);
    for v in versions {
        table.add_row(vec![cell(v), cell(age_since(Some(v), now))]);
    }
    finish(table)
}

/// `deployment list`: oldest first.
pub fn deployments(deployments: &[Deployment], now: SystemTime, style: Style) -> String {
    let mut table = new_table(&["ID", "AFFECTS", "STEP", "ACTIONS", "AGE"], style);
    for d in deployments {
        let affects = d.affected();
        let actions = d
            .current_actions
            .iter()
            .map(|a| a.action.clone())
            .collect::<Vec<_>>()
            .join(", ");
        table.add_row(vec![
            cell(&d.id),
            cell(if affects.is_empty() {
                "-".into()
            } else {
                affects
            }),
            cell(format!("{}/{}", d.current_step, d.total_steps)),
            cell(if actions.is_empty() {
                "-".into()
            } else {
                actions
            }),
            cell(age_since(d.version.as_deref(), now)),
        ]);
    }
    finish(table)
}

/// One row of `cluster list`.
pub struct ClusterRow {
    pub name: String,
    pub url: String,
    pub current: bool,
    pub has_token: bool,
}

/// `cluster list`: the current cluster is marked with `*`.
pub fn cluster_list(rows: &[ClusterRow], style: Style) -> String {
    let mut table = new_table(&["", "NAME", "URL", "TOKEN"], style);
    for r in rows {
        table.add_row(vec![
            cell(if r.current { "*" } else { "" }),
            styled(cell(&r.name), style, None, r.current),
            cell(&r.url),
            cell(if r.has_token { "yes" } else { "no" }),
        ]);
    }
    finish(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::status::{Condition, ContainerStatus, EndpointStatus, InstanceStatus};

    /// A status as Marathon would send it; `pod list` reads it into the lean type.
    fn wire(pod: &PodStatus) -> String {
        serde_json::to_string(pod).unwrap()
    }

    fn sample() -> (PodStatus, SystemTime) {
        let now = crate::pod::time::parse_timestamp("2026-01-01T00:10:00.000Z").unwrap();
        let spec: crate::pod::PodDefinition = serde_json::from_str(
            r#"{"id":"/web","version":"2026-01-01T00:00:00.000Z","scaling":{"kind":"fixed","instances":2},
                "containers":[{"name":"app","resources":{}},{"name":"log","resources":{}}]}"#,
        )
        .unwrap();
        let container = |name: &str, state: &str, healthy: Option<&str>| ContainerStatus {
            name: name.into(),
            status: state.into(),
            status_since: Some("2026-01-01T00:09:00.000Z".into()),
            conditions: healthy
                .map(|v| {
                    vec![Condition {
                        name: "healthy".into(),
                        value: v.into(),
                        ..Default::default()
                    }]
                })
                .unwrap_or_default(),
            endpoints: if name == "app" {
                vec![EndpointStatus {
                    name: "http".into(),
                    allocated_host_port: Some(31000),
                    ..Default::default()
                }]
            } else {
                vec![]
            },
            ..Default::default()
        };
        let pod = PodStatus {
            id: "/web".into(),
            spec: Some(spec),
            status: "DEGRADED".into(),
            status_since: Some("2026-01-01T00:05:00.000Z".into()),
            instances: vec![
                InstanceStatus {
                    id: "web.instance-1".into(),
                    status: "STABLE".into(),
                    agent_hostname: Some("agent-1".into()),
                    containers: vec![
                        container("app", "TASK_RUNNING", Some("true")),
                        container("log", "TASK_RUNNING", None),
                    ],
                    ..Default::default()
                },
                InstanceStatus {
                    id: "web.instance-2".into(),
                    status: "STAGING".into(),
                    agent_hostname: Some("agent-2".into()),
                    containers: vec![
                        container("app", "TASK_STAGING", None),
                        container("log", "TASK_RUNNING", None),
                    ],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        (pod, now)
    }

    #[test]
    fn pod_list_has_a_row_per_pod_and_container() {
        let (pod, now) = sample();
        let json = wire(&pod);
        let text = pod_list(&[serde_json::from_str(&json).unwrap()], now, Style::PLAIN);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("ID"), "{text}");
        assert!(lines[1].starts_with("/web"), "{text}");
        assert!(lines[1].contains("1/2"), "{text}");
        assert!(lines[1].contains("DEGRADED"), "{text}");
        assert!(lines[1].contains("5m"), "{text}");
        assert!(lines[1].ends_with("2026-01-01T00:00:00.000Z"), "{text}");
        assert!(
            lines[2].contains("├─ app") && lines[2].contains("1 running, 1 staging"),
            "{text}"
        );
        assert!(
            lines[3].contains("└─ log") && lines[3].contains("2 running"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "plain output has no escapes");
    }

    #[test]
    fn pod_show_lists_every_container_of_every_instance() {
        let (pod, now) = sample();
        let text = pod_show(&pod, &[], now, Style::PLAIN);
        assert!(text.contains("Pod:          /web"), "{text}");
        assert!(text.contains("DEGRADED for 5m"), "{text}");
        assert!(text.contains("1/2 stable"), "{text}");
        assert!(text.contains("Deployments:  none"), "{text}");
        let row = text
            .lines()
            .find(|l| l.starts_with("web.instance-1"))
            .unwrap();
        for part in [
            "agent-1",
            "STABLE",
            "app",
            "TASK_RUNNING",
            "healthy",
            "http=agent-1:31000",
            "60s",
        ] {
            assert!(row.contains(part), "{part} missing in {row}");
        }
        assert_eq!(
            text.lines().filter(|l| l.contains("log")).count(),
            2,
            "{text}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let (pod, now) = sample();
        let style = Style { color: true };
        let json = wire(&pod);
        assert!(pod_list(&[serde_json::from_str(&json).unwrap()], now, style).contains('\u{1b}'));
    }

    #[test]
    fn versions_table() {
        let now = crate::pod::time::parse_timestamp("2026-01-01T01:00:00.000Z").unwrap();
        let v = vec!["2026-01-01T00:00:00.000Z".to_string()];
        let text = versions(&v, now, Style::PLAIN);
        assert_eq!(
            text,
            "VERSION                   AGE\n2026-01-01T00:00:00.000Z  60m\n"
        );
    }
}
