//! The tables of `pod list`, `pod show`, `pod versions`, `deployment list` and `cluster list`.
//!
//! Tables are borderless columns like kubectl's, so they read well in a terminal and in a log
//! alike; colour is only added when [`Style::color`] allows it. Every cell goes through
//! [`printable`], and rendering is linear in the data: a column is only as wide as its cells of
//! at most [`PAD_LIMIT`] columns, a wider cell overflows its column instead of widening every row,
//! and on a terminal ([`Style::width`]) a cell wider than the screen is cut with `…`. Scripts
//! get every character in `--json` and `-q`, and in tables written to a pipe.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::SystemTime;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Style;
use crate::pod::status::{Health, PodStatus, PodSummary, StatusView};
use crate::pod::text::printable;
use crate::pod::time::age_since;
use crate::pod::Deployment;

/// The widest cell that still sets its column's width. Ids are at most 200 characters and an
/// instance id adds 46, so real tables stay aligned; a hostile 100,000-character id overflows
/// its own row instead of padding every other row to its width.
pub const PAD_LIMIT: usize = 256;

/// The narrowest a terminal is taken to be when cutting cells.
const MIN_CUT: usize = 40;

/// Spaces between columns.
const GAP: usize = 2;

/// The terminal colours used for states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Color {
    Green,
    Yellow,
    Red,
}

impl Color {
    fn sgr(self) -> &'static str {
        match self {
            Color::Green => "32",
            Color::Yellow => "33",
            Color::Red => "31",
        }
    }
}

/// A table cell: printable text, its display width, and how to style it.
struct Cell {
    text: String,
    width: usize,
    color: Option<Color>,
    bold: bool,
}

/// A table cell; text from the server is shown with control characters escaped.
fn cell<T: std::fmt::Display>(content: T) -> Cell {
    let text = printable(&content.to_string()).into_owned();
    Cell {
        width: text_width(&text),
        text,
        color: None,
        bold: false,
    }
}

fn styled(mut cell: Cell, color: Option<Color>, bold: bool) -> Cell {
    cell.color = color;
    cell.bold = bold;
    cell
}

/// The display width of printable text (no control characters): its length when ASCII.
fn text_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// A width as a [`Span`] keeps it: no cell is four billion columns wide, and one that were
/// would still be wider than any column and any terminal.
fn narrow(width: usize) -> u32 {
    u32::try_from(width).unwrap_or(u32::MAX)
}

/// Where one cell's text ends in [`Table::text`], and how it looks.
struct Span {
    end: usize,
    width: u32,
    color: Option<Color>,
    bold: bool,
}

/// Rows of cells, rendered as aligned columns. All the cells' text is kept in one string, so a
/// table of 40,000 rows costs a few allocations, not one per cell.
struct Table {
    text: String,
    cells: Vec<Span>,
    /// Where each row ends in `cells`.
    rows: Vec<usize>,
}

fn new_table(header: &[&str], layout: Layout) -> Table {
    let mut table = Table {
        text: String::new(),
        cells: Vec::new(),
        rows: Vec::new(),
    };
    if layout.headers {
        for h in header {
            table.push(h, None, true);
        }
        table.end_row();
    }
    table
}

impl Table {
    fn add_row(&mut self, row: Vec<Cell>) {
        for c in row {
            self.text.push_str(&c.text);
            self.cells.push(Span {
                end: self.text.len(),
                width: narrow(c.width),
                color: c.color,
                bold: c.bold,
            });
        }
        self.end_row();
    }

    /// Adds a cell to the row under way; `text` is escaped as [`cell`] does.
    fn push(&mut self, text: &str, color: Option<Color>, bold: bool) {
        self.push_with(color, bold, |out| out.push_str(text));
    }

    /// Adds a cell whose text `write` appends; the text is then escaped as [`cell`] does.
    fn push_with(&mut self, color: Option<Color>, bold: bool, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let escaped = match printable(&self.text[start..]) {
            Cow::Owned(escaped) => Some(escaped),
            Cow::Borrowed(_) => None,
        };
        if let Some(escaped) = escaped {
            self.text.truncate(start);
            self.text.push_str(&escaped);
        }
        self.cells.push(Span {
            end: self.text.len(),
            width: narrow(text_width(&self.text[start..])),
            color,
            bold,
        });
    }

    /// Ends the row under way.
    fn end_row(&mut self) {
        self.rows.push(self.cells.len());
    }

    /// Each row as its cells with their text.
    fn each_row(&self) -> impl Iterator<Item = impl Iterator<Item = (&str, &Span)>> {
        let mut first_cell = 0;
        let mut text_start = 0;
        self.rows.iter().map(move |&end| {
            let cells = &self.cells[first_cell..end];
            first_cell = end;
            let mut at = text_start;
            if let Some(last) = cells.last() {
                text_start = last.end;
            }
            cells.iter().map(move |span| {
                let text = &self.text[at..span.end];
                at = span.end;
                (text, span)
            })
        })
    }

    /// Renders with two spaces between columns and no trailing blanks.
    fn finish(self, style: Style) -> String {
        let cut = style.width.map(|w| w.max(MIN_CUT));
        let shown = |text, span| shown(text, span, cut);
        let mut widths: Vec<usize> = Vec::new();
        for row in self.each_row() {
            for (i, (text, span)) in row.enumerate() {
                let (_, width) = shown(text, span);
                if widths.len() <= i {
                    widths.resize(i + 1, 0);
                }
                if width <= PAD_LIMIT {
                    widths[i] = widths[i].max(width);
                }
            }
        }
        let mut out = String::with_capacity(self.text.len() + self.cells.len() * GAP * 2);
        for row in self.each_row() {
            // Padding is written only before a non-empty cell, so no line ends in blanks.
            let mut pending = 0;
            for (i, (text, span)) in row.enumerate() {
                let (text, width) = shown(text, span);
                if !text.is_empty() {
                    pad(&mut out, pending);
                    pending = 0;
                    paint(&mut out, &text, span, style);
                }
                pending += widths[i].saturating_sub(width) + GAP;
            }
            out.push('\n');
        }
        out
    }
}

/// Appends `n` spaces.
fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                                ";
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        left -= k;
    }
}

/// A cell's text and width as shown: cut to the terminal's width `cut` if wider.
fn shown<'a>(text: &'a str, span: &Span, cut: Option<usize>) -> (Cow<'a, str>, usize) {
    match cut {
        Some(cut) if span.width as usize > cut => {
            let (text, width) = cut_to(text, cut);
            (Cow::Owned(text), width)
        }
        _ => (Cow::Borrowed(text), span.width as usize),
    }
}

/// A cell's text shortened to `max` columns, the last being `…`, and its width.
fn cut_to(text: &str, max: usize) -> (String, usize) {
    let mut out = String::new();
    let mut width = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if width + w > max - 1 {
            break;
        }
        out.push(ch);
        width += w;
    }
    out.push('…');
    (out, width + 1)
}

fn paint(line: &mut String, text: &str, span: &Span, style: Style) {
    let bold = style.color && span.bold;
    let color = span.color.filter(|_| style.color);
    if !bold && color.is_none() {
        line.push_str(text);
        return;
    }
    line.push_str("\u{1b}[");
    if bold {
        line.push('1');
        if color.is_some() {
            line.push(';');
        }
    }
    if let Some(color) = color {
        line.push_str(color.sgr());
    }
    line.push('m');
    line.push_str(text);
    line.push_str("\u{1b}[0m");
}

/// Which parts of a table to show, from `--no-headers` and `--flat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The header row (`ID  INSTANCES ...`).
    pub headers: bool,
    /// One row per container, every field filled and free of spaces, for `awk` and `cut`.
    pub flat: bool,
}

impl Layout {
    /// Headers, and the tree form for people.
    pub const DEFAULT: Layout = Layout {
        headers: true,
        flat: false,
    };
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

/// The colour of a container's states across instances: its state's, or yellow when mixed.
fn tally_color(states: &[(String, usize)]) -> Option<Color> {
    match states {
        [(only, _)] => state_color(only),
        [] => None,
        _ => Some(Color::Yellow),
    }
}

/// `pod list`: one row per pod, then one row per container with its states across instances
/// (`├─ app  2 running`); flat, one row per container with the pod's fields repeated. Cells are
/// written straight into the table's text, without a string of their own.
pub fn pod_list(pods: &[PodSummary], now: SystemTime, style: Style, layout: Layout) -> String {
    if layout.flat {
        return pod_list_flat(pods, now, style, layout);
    }
    let mut table = new_table(&["ID", "INSTANCES", "STATUS", "SINCE", "VERSION"], layout);
    for pod in pods {
        table.push(&pod.id, None, true);
        let (stable, desired) = (pod.stable_instances(), pod.desired_instances());
        table.push_with(None, false, |out| {
            let _ = write!(out, "{stable}/{desired}");
        });
        table.push(&pod.status, state_color(&pod.status), false);
        table.push(&age_since(pod.status_since.as_deref(), now), None, false);
        table.push(pod.version().unwrap_or("-"), None, false);
        table.end_row();
        let tallies = pod.container_tallies();
        let last = tallies.len();
        for (i, (name, states)) in tallies.iter().enumerate() {
            let branch = if i + 1 == last { "└─" } else { "├─" };
            table.push_with(None, false, |out| {
                out.push(' ');
                out.push_str(branch);
                out.push(' ');
                out.push_str(name);
            });
            table.push("", None, false);
            table.push_with(tally_color(states), false, |out| {
                write_states(out, states, false)
            });
            table.push("", None, false);
            table.push("", None, false);
            table.end_row();
        }
    }
    table.finish(style)
}

/// `[("running", 2), ("staging", 1)]` as `2 running, 1 staging`, or `flat` as
/// `running=2,staging=1`; nothing as `-` (as [`crate::pod::status::describe_states`] writes it).
fn write_states(out: &mut String, states: &[(String, usize)], flat: bool) {
    if states.is_empty() {
        out.push('-');
        return;
    }
    for (i, (state, n)) in states.iter().enumerate() {
        let _ = match (i, flat) {
            (0, true) => write!(out, "{state}={n}"),
            (_, true) => write!(out, ",{state}={n}"),
            (0, false) => write!(out, "{n} {state}"),
            (_, false) => write!(out, ", {n} {state}"),
        };
    }
}

/// `pod list --flat`: `ID CONTAINER STATES INSTANCES STATUS SINCE VERSION`, states as
/// `running=2,staging=1`; a pod without containers has one row with `-`.
fn pod_list_flat(pods: &[PodSummary], now: SystemTime, style: Style, layout: Layout) -> String {
    let mut table = new_table(
        &[
            "ID",
            "CONTAINER",
            "STATES",
            "INSTANCES",
            "STATUS",
            "SINCE",
            "VERSION",
        ],
        layout,
    );
    for pod in pods {
        let instances = format!("{}/{}", pod.stable_instances(), pod.desired_instances());
        let since = age_since(pod.status_since.as_deref(), now);
        let version = pod.version().unwrap_or("-");
        let status = or_dash(&pod.status);
        let mut tallies = pod.container_tallies();
        if tallies.is_empty() {
            tallies.push(("-", Vec::new()));
        }
        for (name, states) in &tallies {
            table.push(&pod.id, None, false);
            table.push(name, None, false);
            table.push_with(tally_color(states), false, |out| {
                write_states(out, states, true)
            });
            table.push(&instances, None, false);
            table.push(status, state_color(status), false);
            table.push(&since, None, false);
            table.push(version, None, false);
            table.end_row();
        }
    }
    table.finish(style)
}

/// A field that may be empty, as `-`, so columns never collapse for `awk`.
fn or_dash(text: &str) -> &str {
    if text.is_empty() {
        "-"
    } else {
        text
    }
}

/// `pod show`: a summary, then one row per container of each instance; flat, only the rows,
/// each with the pod id and every field filled.
pub fn pod_show(
    pod: &PodStatus,
    deployments: &[Deployment],
    now: SystemTime,
    style: Style,
    layout: Layout,
) -> String {
    if layout.flat {
        return pod_show_flat(pod, now, style, layout);
    }
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
    // The summary has no header row: its first line is `Pod:  /web`, so `| head -1` says
    // which pod this is.
    let mut summary = new_table(
        &[],
        Layout {
            headers: false,
            flat: false,
        },
    );
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
            styled(cell(v), state_color(&pod.status), false)
        } else {
            cell(v)
        };
        summary.add_row(vec![styled(cell(k), None, true), value]);
    }
    out.push_str(&summary.finish(style));

    if pod.instances.is_empty() {
        out.push_str("\nNo instances.\n");
        return out;
    }
    out.push('\n');
    let mut table = new_table(&INSTANCE_HEADER[1..], layout);
    instance_rows(&mut table, pod, now, false);
    out.push_str(&table.finish(style));
    out
}

const INSTANCE_HEADER: [&str; 9] = [
    "POD",
    "INSTANCE",
    "AGENT",
    "STATUS",
    "CONTAINER",
    "STATE",
    "HEALTH",
    "ENDPOINTS",
    "SINCE",
];

/// `pod show --flat`: `POD INSTANCE AGENT STATUS CONTAINER STATE HEALTH ENDPOINTS SINCE`.
fn pod_show_flat(pod: &PodStatus, now: SystemTime, style: Style, layout: Layout) -> String {
    let mut table = new_table(&INSTANCE_HEADER, layout);
    instance_rows(&mut table, pod, now, true);
    table.finish(style)
}

/// One row per container of each instance (one row for an instance without containers). Flat,
/// every column of [`INSTANCE_HEADER`] is filled; otherwise the pod column is left out, and
/// instance, agent and status are only on an instance's first row: the rows below are its.
fn instance_rows(table: &mut Table, pod: &PodStatus, now: SystemTime, flat: bool) {
    for instance in &pod.instances {
        let agent = or_dash(instance.agent_hostname.as_deref().unwrap_or("-"));
        let status = or_dash(&instance.status);
        let instance_cells = |table: &mut Table, first: bool| {
            if flat {
                table.push(&pod.id, None, false);
            }
            if first || flat {
                table.push(or_dash(&instance.id), None, false);
                table.push(agent, None, false);
                table.push(status, state_color(status), false);
            } else {
                for _ in 0..3 {
                    table.push("", None, false);
                }
            }
        };
        if instance.containers.is_empty() {
            instance_cells(table, true);
            for _ in 0..4 {
                table.push("-", None, false);
            }
            table.push(
                &age_since(instance.status_since.as_deref(), now),
                None,
                false,
            );
            table.end_row();
        }
        for (i, c) in instance.containers.iter().enumerate() {
            let health = match c.health() {
                Health::Healthy => "healthy",
                Health::Unhealthy => "unhealthy",
                Health::Unknown => "-",
            };
            instance_cells(table, i == 0);
            table.push(or_dash(&c.name), None, false);
            let state = or_dash(&c.status);
            table.push(state, state_color(state), false);
            table.push(health, state_color(health), false);
            table.push_with(None, false, |out| {
                let start = out.len();
                for (k, e) in c.endpoints.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    out.push_str(&e.name);
                    if let Some(port) = e.allocated_host_port {
                        let _ = write!(out, "={agent}:{port}");
                    }
                }
                if out.len() == start {
                    out.push('-');
                }
            });
            table.push(&age_since(c.status_since.as_deref(), now), None, false);
            table.end_row();
        }
    }
}

/// `pod versions`: oldest first, with ages.
/// The version that is `current` (compared as an instant) is marked with `*`, as `cluster list`
/// marks the current cluster.
pub fn versions(
    versions: &[String],
    current: Option<&str>,
    now: SystemTime,
    style: Style,
) -> String {
    let mut table = new_table(&["", "VERSION", "AGE"], Layout::DEFAULT);
    for v in versions {
        let is_current = current.is_some_and(|c| crate::pod::time::same_instant(c, v));
        table.add_row(vec![
            cell(if is_current { "*" } else { "" }),
            styled(cell(v), None, is_current),
            cell(age_since(Some(v), now)),
        ]);
    }
    table.finish(style)
}

/// `deployment list`: oldest first.
pub fn deployments(deployments: &[Deployment], now: SystemTime, style: Style) -> String {
    let mut table = new_table(
        &["ID", "AFFECTS", "STEP", "ACTIONS", "AGE"],
        Layout::DEFAULT,
    );
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
    table.finish(style)
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
    let mut table = new_table(&["", "NAME", "URL", "TOKEN"], Layout::DEFAULT);
    for r in rows {
        table.add_row(vec![
            cell(if r.current { "*" } else { "" }),
            styled(cell(&r.name), None, r.current),
            cell(&r.url),
            cell(if r.has_token { "yes" } else { "no" }),
        ]);
    }
    table.finish(style)
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

    /// `pod show` reads the lean [`crate::pod::status::ShownStatus`]; what it draws is the
    /// same as from the full status, odd corners included.
    #[test]
    fn pod_show_draws_the_same_from_the_lean_status() {
        let (mut pod, now) = sample();
        pod.instances.push(InstanceStatus {
            id: "web.instance-3".into(),
            status: "PENDING".into(),
            ..Default::default()
        });
        pod.instances[1].containers[1].endpoints = vec![
            EndpointStatus::default(),
            EndpointStatus {
                name: "x\u{1b}".into(),
                ..Default::default()
            },
        ];
        pod.instances[0].containers[1].endpoints = vec![EndpointStatus::default()];
        let shown: crate::pod::status::ShownStatus = serde_json::from_str(&wire(&pod)).unwrap();
        let lean = shown.into_status();
        for layout in [
            Layout::DEFAULT,
            Layout {
                headers: false,
                flat: true,
            },
        ] {
            for style in [
                Style::PLAIN,
                Style {
                    color: true,
                    width: Some(50),
                },
            ] {
                assert_eq!(
                    pod_show(&lean, &[], now, style, layout),
                    pod_show(&pod, &[], now, style, layout)
                );
            }
        }
        let text = pod_show(&lean, &[], now, Style::PLAIN, Layout::DEFAULT);
        assert!(text.contains("web.instance-3"), "{text}");
        assert!(text.contains(",x\\u{1b}"), "{text}");
    }

    #[test]
    fn colours_are_written_as_before() {
        let (pod, now) = sample();
        let body = format!("[{}]", wire(&pod));
        let pods: Vec<PodSummary> = serde_json::from_str(&body).unwrap();
        let style = Style {
            color: true,
            width: None,
        };
        let text = pod_list(&pods, now, style, Layout::DEFAULT);
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("\u{1b}[1mID\u{1b}[0m    "), "{first:?}");
        assert!(text.contains("\u{1b}[1m/web\u{1b}[0m"), "{text:?}");
        assert!(text.contains("\u{1b}[33mDEGRADED\u{1b}[0m"), "{text:?}");
        let rows = cluster_list(
            &[ClusterRow {
                name: "a".into(),
                url: "u".into(),
                current: true,
                has_token: false,
            }],
            style,
        );
        assert!(rows.contains("*  \u{1b}[1ma\u{1b}[0m"), "{rows:?}");
    }

    #[test]
    fn pod_list_has_a_row_per_pod_and_container() {
        let (pod, now) = sample();
        let json = wire(&pod);
        let text = pod_list(
            &[serde_json::from_str(&json).unwrap()],
            now,
            Style::PLAIN,
            Layout::DEFAULT,
        );
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
        let text = pod_show(&pod, &[], now, Style::PLAIN, Layout::DEFAULT);
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
        let style = Style {
            color: true,
            width: None,
        };
        let json = wire(&pod);
        let pods = [serde_json::from_str(&json).unwrap()];
        assert!(pod_list(&pods, now, style, Layout::DEFAULT).contains('\u{1b}'));
    }

    #[test]
    fn versions_table() {
        let now = crate::pod::time::parse_timestamp("2026-01-01T01:00:00.000Z").unwrap();
        let v = vec![
            "2026-01-01T00:00:00.000Z".to_string(),
            "2026-01-01T00:30Z".to_string(),
        ];
        // The current version may be spelled otherwise; it is the same instant.
        let text = versions(&v, Some("2026-01-01T00:30:00.000Z"), now, Style::PLAIN);
        assert_eq!(
            text,
            "   VERSION                   AGE\n   \
             2026-01-01T00:00:00.000Z  60m\n*  2026-01-01T00:30Z         30m\n"
        );
        let unknown = versions(&v, None, now, Style::PLAIN);
        assert!(!unknown.contains('*'), "{unknown}");
    }

    /// A pod list as Marathon would send it: one pod with `n` containers in one instance,
    /// next to a pod whose id is `id_len` characters.
    fn many_containers(n: usize, id_len: usize) -> String {
        let tasks: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"name":"c{i}","status":"TASK_RUNNING"}}"#))
            .collect();
        format!(
            r#"[{{"id":"/big","status":"STABLE","instances":[{{"status":"STABLE","containers":[{}]}}]}},
               {{"id":"/{}","status":"STABLE","instances":[]}}]"#,
            tasks.join(","),
            "x".repeat(id_len)
        )
    }

    /// Issue 11.10: a 100,000-character id next to a pod with many containers made 1.3 GB of
    /// padded output. The output is bounded by the input plus a fixed amount per cell.
    #[test]
    fn table_output_is_linear_in_its_input() {
        let now = SystemTime::UNIX_EPOCH;
        let (n, id_len) = (20_000, 100_000);
        let body = many_containers(n, id_len);
        let pods: Vec<PodSummary> = serde_json::from_str(&body).unwrap();
        for layout in [
            Layout::DEFAULT,
            Layout {
                headers: true,
                flat: true,
            },
        ] {
            let text = pod_list(&pods, now, Style::PLAIN, layout);
            let rows = text.lines().count();
            let cells = rows * 7;
            assert!(rows >= n + 2, "{rows} rows");
            assert!(
                text.len() <= body.len() + cells * (PAD_LIMIT + GAP),
                "{} bytes of output for {} bytes of input",
                text.len(),
                body.len()
            );
            // Off a terminal nothing is cut: the long id is there whole.
            assert!(text.contains(&"x".repeat(id_len)), "{layout:?}");
        }
    }

    #[test]
    fn cells_wider_than_the_terminal_are_cut() {
        let now = SystemTime::UNIX_EPOCH;
        let body = many_containers(3, 500);
        let pods: Vec<PodSummary> = serde_json::from_str(&body).unwrap();
        let terminal = Style {
            color: false,
            width: Some(80),
        };
        let text = pod_list(&pods, now, terminal, Layout::DEFAULT);
        let long = text.lines().find(|l| l.starts_with("/xxx")).unwrap();
        let id = long.split(' ').next().unwrap();
        assert_eq!(id.chars().count(), 80, "{long}");
        assert!(id.ends_with("x…"), "{long}");
        assert!(text.lines().all(|l| l.chars().count() < 200), "{text}");
        // Short cells are untouched.
        assert!(text.contains("/big"), "{text}");
    }

    #[test]
    fn wide_and_bidi_text_is_escaped_and_aligned() {
        let body = r#"[{"id":"/a","status":"STABLE","instances":[{"status":"STABLE","containers":[
            {"name":"x\u202ey","status":"TASK_RUNNING"},{"name":"日本","status":"TASK_RUNNING"}]}]}]"#;
        let pods: Vec<PodSummary> = serde_json::from_str(body).unwrap();
        let text = pod_list(&pods, SystemTime::UNIX_EPOCH, Style::PLAIN, Layout::DEFAULT);
        assert!(!text.contains('\u{202e}'), "{text:?}");
        assert!(text.contains(r"x\u{202e}y"), "{text}");
        // The state column starts at the same display column on every container row.
        let columns: Vec<usize> = text
            .lines()
            .skip(2)
            .map(|l| {
                let at = l.find("1 running").unwrap();
                UnicodeWidthStr::width(&l[..at])
            })
            .collect();
        assert_eq!(columns[0], columns[1], "{text}");
    }

    /// Issue 11.21: `pod show | head -1` printed a blank line.
    #[test]
    fn pod_show_starts_with_the_pod() {
        let (pod, now) = sample();
        let text = pod_show(&pod, &[], now, Style::PLAIN, Layout::DEFAULT);
        assert!(text.starts_with("Pod:"), "{text}");
    }

    /// Issue 11.21: `awk '{print $1}'` read `├─`; `--flat` repeats the pod id on every row.
    #[test]
    fn flat_tables_have_one_field_per_column() {
        let (pod, now) = sample();
        let flat = Layout {
            headers: false,
            flat: true,
        };
        let json = wire(&pod);
        let pods = [serde_json::from_str(&json).unwrap()];
        let list = pod_list(&pods, now, Style::PLAIN, flat);
        let rows: Vec<Vec<&str>> = list
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            rows,
            [
                [
                    "/web",
                    "app",
                    "running=1,staging=1",
                    "1/2",
                    "DEGRADED",
                    "5m",
                    "2026-01-01T00:00:00.000Z"
                ],
                [
                    "/web",
                    "log",
                    "running=2",
                    "1/2",
                    "DEGRADED",
                    "5m",
                    "2026-01-01T00:00:00.000Z"
                ],
            ],
            "{list}"
        );
        let show = pod_show(&pod, &[], now, Style::PLAIN, flat);
        let rows: Vec<Vec<&str>> = show
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(rows.len(), 4, "{show}");
        for row in &rows {
            assert_eq!(row.len(), 9, "{show}");
            assert_eq!(row[0], "/web");
        }
        assert_eq!(
            rows[1],
            [
                "/web",
                "web.instance-1",
                "agent-1",
                "STABLE",
                "log",
                "TASK_RUNNING",
                "-",
                "-",
                "60s"
            ]
        );
        let headed = pod_list(
            &pods,
            now,
            Style::PLAIN,
            Layout {
                headers: true,
                flat: true,
            },
        );
        assert!(headed.starts_with("ID  "), "{headed}");
        let bare = pod_list(
            &pods,
            now,
            Style::PLAIN,
            Layout {
                headers: false,
                flat: false,
            },
        );
        assert!(bare.starts_with("/web"), "{bare}");
    }
}
