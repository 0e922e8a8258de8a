//! `podctl events`: Marathon's event stream, one line per event, until Ctrl-C. A dropped
//! connection is reopened with back-off; the user is told, and told that events in the gap
//! are lost (Marathon keeps no history to resume from).

use anyhow::{Context, Result};

use super::{Ctx, Mode};
use crate::cli::EventsArgs;
use crate::error::WaitError;
use crate::marathon::events::{pump, Message, Pumped, StreamOptions};
use crate::pod::event::view;
use crate::pod::text::printable;
use crate::render;

/// Every event type Marathon 1.10 sends (`core/event/Events.scala`).
const MARATHON_TYPES: [&str; 29] = [
    "add_health_check_event",
    "api_post_event",
    "app_terminated_event",
    "deployment_failed",
    "deployment_info",
    "deployment_step_failure",
    "deployment_step_success",
    "deployment_success",
    "event_stream_attached",
    "event_stream_detached",
    "failed_health_check_event",
    "framework_message_event",
    "group_change_failed",
    "group_change_success",
    "health_status_changed_event",
    "instance_changed_event",
    "instance_health_changed_event",
    "pod_created_event",
    "pod_deleted_event",
    "pod_updated_event",
    "remove_health_check_event",
    "scheduler_disconnected_event",
    "scheduler_registered_event",
    "scheduler_reregistered_event",
    "status_update_event",
    "subscribe_event",
    "unhealthy_instance_kill_event",
    "unknown_instance_terminated_event",
    "unsubscribe_event",
];

pub fn run(ctx: &mut Ctx, args: &EventsArgs) -> Result<()> {
    // A mistyped type is filtered by Marathon like any other: nothing would ever come.
    for kind in &args.types {
        if !MARATHON_TYPES.contains(&kind.as_str()) {
            eprintln!(
                "warning: Marathon sends no event of type {} (mistyped?); following the stream anyway",
                printable(kind)
            );
        }
    }
    let client = ctx.client()?;
    end_on_interrupt_when_stuck();
    let subscription = client
        .subscribe(StreamOptions::new(args.types.clone(), true))
        .context("opening the event stream")?;
    let pods: Vec<&str> = args.pods.iter().map(|p| p.as_str()).collect();
    let json = ctx.mode == Mode::Json;
    let out = &mut *ctx.out;
    let mut failure = None;
    let mut written = Ok(());
    let pumped = pump(&subscription, None, |message| match message {
        Message::Attached { again: false } => true,
        Message::Attached { again: true } => {
            eprintln!("reconnected to the event stream; events sent while it was down are lost");
            true
        }
        Message::Event(event) => {
            // With a filter, Marathon also sends `event_stream_attached`, which was not asked for.
            if !args.types.is_empty() && !args.types.contains(&event.kind) {
                return true;
            }
            let v = view(&event.kind, &event.json);
            if !pods.is_empty() && !v.pods.iter().any(|p| pods.contains(&p.as_str())) {
                return true;
            }
            written = if json {
                serde_json::to_writer(&mut *out, &event.json)
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
            } else {
                writeln!(out, "{}", render::event_line(&v))
            }
            .and_then(|()| out.flush());
            written.is_ok()
        }
        Message::Garbled { kind, reason } => {
            eprintln!(
                "warning: skipped a {} event: {}",
                printable(&kind),
                printable(&reason)
            );
            true
        }
        Message::Lost {
            reason,
            retry: Some(after),
        } => {
            eprintln!(
                "warning: lost the event stream: {}; reconnecting in {}; events until then are lost",
                printable(&reason),
                humantime::format_duration(round(after))
            );
            true
        }
        Message::Lost {
            reason,
            retry: None,
        } => {
            failure = Some(anyhow::anyhow!("{}", printable(&reason)));
            false
        }
        Message::Refused(e) => {
            failure = Some(e.into());
            false
        }
    });
    written.context("writing an event")?;
    if let Some(e) = failure {
        return Err(e.context("following the event stream (GET /v2/events)"));
    }
    match pumped {
        Pumped::Interrupted => Err(WaitError::Interrupted(INTERRUPTED.into()).into()),
        _ => Err(anyhow::anyhow!("the event stream ended")),
    }
}

/// The message of an interrupted `podctl events`.
const INTERRUPTED: &str = "interrupted: stopped following the event stream";

/// Ctrl-C normally ends the loop below within a tick. A write to an output nobody reads (a
/// paused pager) blocks that loop, and Ctrl-C with it; so a watcher ends the process once
/// Ctrl-C came and the loop has not ended within a second. Nothing is left half done: this
/// command only reads.
fn end_on_interrupt_when_stuck() {
    const TICK: std::time::Duration = std::time::Duration::from_millis(50);
    const GRACE: std::time::Duration = std::time::Duration::from_secs(1);
    let watcher = std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(|| {
            while !crate::http::is_interrupted() {
                std::thread::sleep(TICK);
            }
            std::thread::sleep(GRACE);
            eprintln!("error: {INTERRUPTED}");
            std::process::exit(crate::exit::Exit::Interrupted as i32);
        });
    // Without the watcher, Ctrl-C still works whenever the output flows.
    drop(watcher);
}

/// A pause to the tenth of a second, for a message.
fn round(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_millis(d.as_millis() as u64 / 100 * 100)
}
