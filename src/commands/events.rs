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

pub fn run(ctx: &mut Ctx, args: &EventsArgs) -> Result<()> {
    let client = ctx.client()?;
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
        Pumped::Interrupted => Err(WaitError::Interrupted(
            "interrupted: stopped following the event stream".into(),
        )
        .into()),
        _ => Err(anyhow::anyhow!("the event stream ended")),
    }
}

/// A pause to the tenth of a second, for a message.
fn round(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_millis(d.as_millis() as u64 / 100 * 100)
}
