//! The line `podctl events` writes for one event on a terminal (and in logs without `--json`):
//! time, type, then the pod, deployment, instance and state it carries, each escaped.

use crate::pod::event::EventView;
use crate::pod::text::printable;

/// `2026-01-01T00:00:00.000Z  deployment_info  pod=/web deployment=5ed4c0c5-.. state=step 1/2`.
pub fn event_line(v: &EventView) -> String {
    let mut line = format!(
        "{}  {}",
        printable(v.time.as_deref().unwrap_or("-")),
        printable(&v.kind)
    );
    let mut field = |name: &str, value: &str| {
        line.push_str(&format!("  {name}={}", printable(value)));
    };
    if !v.pods.is_empty() {
        field("pod", &v.pods.join(","));
    }
    if let Some(d) = &v.deployment {
        field("deployment", d);
    }
    if let Some(i) = &v.instance {
        field("instance", i);
    }
    if let Some(s) = &v.state {
        field("state", s);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_shows_what_the_event_carries_escaped() {
        let v = EventView {
            time: Some("2026-01-01T00:00:00.000Z".into()),
            kind: "instance_changed_event".into(),
            pods: vec!["/web".into()],
            deployment: None,
            instance: Some("web.instance-1\u{1b}[2J".into()),
            state: Some("Running".into()),
        };
        assert_eq!(
            event_line(&v),
            "2026-01-01T00:00:00.000Z  instance_changed_event  pod=/web  \
             instance=web.instance-1\\u{1b}[2J  state=Running"
        );
        let bare = EventView {
            kind: "x\n".into(),
            ..EventView::default()
        };
        assert_eq!(event_line(&bare), "-  x\\n");
    }
}
