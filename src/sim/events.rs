//! Marathon's event stream, `GET /v2/events`: the bus that carries the model's events to every
//! subscriber, and the server-sent-events body each subscriber reads.
//!
//! The model (`state`) writes [`Event`]s, each serialized once; whoever changed the model hands
//! them to [`Bus::publish`] before letting go of the model's lock, so every subscriber sees them in
//! the order they happened. Publishing never waits: each subscriber has a bounded buffer, and one
//! whose buffer is full has stopped reading, so it is dropped (its connection closed) and the
//! others are told with `event_stream_detached`, as Marathon's `HttpEventStreamHandleActor` does
//! past `--event_stream_max_outstanding_messages`. Writing to sockets happens in each
//! subscriber's own connection task, never under a lock. This module knows nothing of pods.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, SystemTime};

use hyper::body::{Bytes, Frame};
use serde_json::{json, Value};
use std::future::Future as _;

use tokio::sync::{mpsc, Notify};

use super::clock::Clock;
use crate::pod::time::format_timestamp;

/// Where Marathon serves the stream.
pub const PATH: &str = "/v2/events";

/// Events buffered for one subscriber before it counts as too slow and is dropped: Marathon's
/// default `--event_stream_max_outstanding_messages`.
pub const MAX_OUTSTANDING: usize = 1024;

/// With nothing to send for this long, a subscriber gets an empty line, as Jetty's
/// `EventSourceServlet` sends every 10 s (its default `heartBeatPeriod`); it also tells a
/// subscriber that has gone away from one that is just quiet.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// One event, serialized once for every subscriber.
#[derive(Debug, Clone)]
pub struct Event {
    kind: String,
    /// The whole SSE frame: `event: <kind>\r\ndata: <json>\r\n\r\n`, with Jetty's line ends.
    frame: Bytes,
}

impl Event {
    /// An event of type `kind` at `at`; `fields` is a JSON object to which `eventType` and
    /// `timestamp` are added last (where Marathon's writers put them for most events).
    pub fn new(kind: &str, mut fields: Value, at: SystemTime) -> Event {
        if let Some(object) = fields.as_object_mut() {
            object.insert("eventType".into(), Value::String(kind.to_string()));
            object.insert("timestamp".into(), Value::String(format_timestamp(at)));
        }
        // JSON from serde_json has no raw line breaks, so one `data:` line holds it all.
        let data = fields.to_string();
        let frame = format!("event: {kind}\r\ndata: {data}\r\n\r\n");
        Event {
            kind: kind.to_string(),
            frame: Bytes::from(frame),
        }
    }

    /// The JSON payload, for tests.
    #[cfg(test)]
    pub fn data(&self) -> Value {
        let text = String::from_utf8_lossy(&self.frame);
        text.lines()
            .find_map(|l| l.strip_prefix("data: "))
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or(Value::Null)
    }
}

/// One subscriber as the bus sees it.
struct Subscriber {
    remote: String,
    /// Event types wanted; empty means all (`?event_type=` absent).
    types: Vec<String>,
    sender: mpsc::Sender<Bytes>,
    /// Wakes the subscriber's connection to close it at once, full buffers and all.
    drop: Arc<Notify>,
}

impl Subscriber {
    fn wants(&self, kind: &str) -> bool {
        self.types.is_empty() || self.types.iter().any(|t| t == kind)
    }
}

/// Every subscriber of the stream.
pub struct Bus {
    clock: Arc<Clock>,
    subscribers: Mutex<HashMap<u64, Subscriber>>,
    next_id: Mutex<u64>,
}

impl Bus {
    pub fn new(clock: Arc<Clock>) -> Bus {
        Bus {
            clock,
            subscribers: Mutex::new(HashMap::new()),
            next_id: Mutex::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Subscriber>> {
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a subscriber and announces it to everyone, itself included, with
    /// `event_stream_attached` (`HttpEventStreamHandleActor.preStart`).
    pub fn subscribe(
        self: &Arc<Bus>,
        remote: SocketAddr,
        types: Vec<String>,
        drop: Arc<Notify>,
    ) -> Stream {
        let (sender, receiver) = mpsc::channel(MAX_OUTSTANDING);
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(PoisonError::into_inner);
            *next += 1;
            *next
        };
        let remote = remote.ip().to_string();
        let mut subscribers = self.lock();
        subscribers.insert(
            id,
            Subscriber {
                remote: remote.clone(),
                types,
                sender,
                drop,
            },
        );
        let attached = Event::new(
            "event_stream_attached",
            json!({ "remoteAddress": remote }),
            self.clock.now(),
        );
        send_all(&mut subscribers, vec![attached], &self.clock);
        drop_guard(subscribers);
        Stream {
            bus: Arc::clone(self),
            id,
            receiver,
            heartbeat: None,
        }
    }

    /// Hands `events` to every subscriber that wants them, in order, without waiting; drops the
    /// subscribers that cannot take them.
    pub fn publish(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut subscribers = self.lock();
        send_all(&mut subscribers, events, &self.clock);
    }

    /// A subscriber has gone (its connection closed): tell the others.
    fn unsubscribe(&self, id: u64) {
        let mut subscribers = self.lock();
        if let Some(gone) = subscribers.remove(&id) {
            let detached = detached(&gone.remote, &self.clock);
            send_all(&mut subscribers, vec![detached], &self.clock);
        }
    }
}

/// Lets go of the subscribers' lock; named so that it reads as deliberate.
fn drop_guard<T>(guard: T) {
    drop(guard);
}

fn detached(remote: &str, clock: &Clock) -> Event {
    Event::new(
        "event_stream_detached",
        json!({ "remoteAddress": remote }),
        clock.now(),
    )
}

/// Sends `events` to each subscriber that wants them. One whose buffer is full is dropped, and the
/// rest then get its `event_stream_detached` (which may in turn drop another, hence the loop).
fn send_all(subscribers: &mut HashMap<u64, Subscriber>, mut events: Vec<Event>, clock: &Clock) {
    while !events.is_empty() {
        let mut dropped = Vec::new();
        for (id, subscriber) in subscribers.iter() {
            for event in events.iter().filter(|e| subscriber.wants(&e.kind)) {
                match subscriber.sender.try_send(event.frame.clone()) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        subscriber.drop.notify_one();
                        dropped.push(*id);
                        break;
                    }
                    // Its connection is closing; its stream says goodbye when dropped.
                    Err(mpsc::error::TrySendError::Closed(_)) => break,
                }
            }
        }
        events = dropped
            .iter()
            .filter_map(|id| subscribers.remove(id))
            .map(|gone| detached(&gone.remote, clock))
            .collect();
    }
}

/// The body of one `/v2/events` response: the subscriber's frames as they come, an empty line
/// after [`HEARTBEAT`] of silence, and never an end (the client or a stop closes it).
pub struct Stream {
    bus: Arc<Bus>,
    id: u64,
    receiver: mpsc::Receiver<Bytes>,
    /// Armed at the first poll (inside the runtime), re-armed by every frame.
    heartbeat: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for Stream {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let stream = self.get_mut();
        let next = tokio::time::Instant::now() + HEARTBEAT;
        let heartbeat = stream
            .heartbeat
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(next)));
        match stream.receiver.poll_recv(cx) {
            Poll::Ready(Some(frame)) => {
                heartbeat.as_mut().reset(next);
                Poll::Ready(Some(Ok(Frame::data(frame))))
            }
            // Dropped by the bus: end the body (the connection is being closed anyway).
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match heartbeat.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    heartbeat.as_mut().reset(next);
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"\r\n")))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.bus.unsubscribe(self.id);
    }
}

/// The `event_type` values of a query string, decoded; repeated ones all count, as in the
/// servlet's parameter map.
pub fn event_types(query: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(name, _)| decode(name) == "event_type")
        .map(|(_, value)| decode(value))
        .collect()
}

/// Form decoding as servlets do it: `+` is a space, `%XX` a byte.
fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn addr() -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 4000)
    }

    fn bus() -> Arc<Bus> {
        Arc::new(Bus::new(Arc::new(Clock::manual())))
    }

    fn drain(stream: &mut Stream) -> Vec<String> {
        let mut kinds = Vec::new();
        while let Ok(frame) = stream.receiver.try_recv() {
            let text = String::from_utf8_lossy(&frame).into_owned();
            let kind = text
                .strip_prefix("event: ")
                .and_then(|t| t.split("\r\n").next())
                .unwrap_or_default()
                .to_string();
            kinds.push(kind);
        }
        kinds
    }

    #[test]
    fn frames_use_jetty_line_ends_and_carry_type_and_time() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_500);
        let event = Event::new("pod_created_event", json!({"uri": "/v2/pods"}), at);
        let text = String::from_utf8_lossy(&event.frame).into_owned();
        assert_eq!(
            text,
            "event: pod_created_event\r\ndata: {\"uri\":\"/v2/pods\",\"eventType\":\
             \"pod_created_event\",\"timestamp\":\"1970-01-01T00:00:01.500Z\"}\r\n\r\n"
        );
        assert_eq!(event.data()["eventType"], "pod_created_event");
    }

    #[test]
    fn subscribers_see_their_own_attach_and_filter_by_type() {
        let bus = bus();
        let mut all = bus.subscribe(addr(), Vec::new(), Arc::new(Notify::new()));
        let mut pods = bus.subscribe(
            addr(),
            vec!["pod_created_event".into()],
            Arc::new(Notify::new()),
        );
        let at = SystemTime::UNIX_EPOCH;
        bus.publish(vec![
            Event::new("deployment_info", json!({}), at),
            Event::new("pod_created_event", json!({}), at),
        ]);
        assert_eq!(
            drain(&mut all),
            vec![
                "event_stream_attached",
                "event_stream_attached",
                "deployment_info",
                "pod_created_event"
            ]
        );
        // A filter applies to every event, the stream's own attach included (as in Marathon).
        assert_eq!(drain(&mut pods), vec!["pod_created_event"]);
        drop(pods);
        assert_eq!(drain(&mut all), vec!["event_stream_detached"]);
    }

    #[test]
    fn a_full_subscriber_is_dropped_and_the_others_are_told() {
        let bus = bus();
        let slow_drop = Arc::new(Notify::new());
        let mut slow = bus.subscribe(addr(), Vec::new(), Arc::clone(&slow_drop));
        let mut fast = bus.subscribe(addr(), Vec::new(), Arc::new(Notify::new()));
        let at = SystemTime::UNIX_EPOCH;
        // The slow one holds the two attach events already.
        for _ in 0..MAX_OUTSTANDING - 2 {
            bus.publish(vec![Event::new("status_update_event", json!({}), at)]);
            drain(&mut fast);
        }
        assert!(bus.lock().contains_key(&slow.id), "still within its buffer");
        bus.publish(vec![Event::new("status_update_event", json!({}), at)]);
        assert!(!bus.lock().contains_key(&slow.id), "dropped");
        assert_eq!(
            drain(&mut fast),
            vec!["status_update_event", "event_stream_detached"]
        );
        // Its connection is asked to close; what it had buffered is still there to read.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let woken = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(5), slow_drop.notified()).await
        });
        assert!(woken.is_ok(), "the slow connection is told to close");
        assert_eq!(drain(&mut slow).len(), MAX_OUTSTANDING);
        assert_eq!(bus.lock().len(), 1);
    }

    #[test]
    fn event_types_are_decoded_and_repeatable() {
        assert_eq!(
            event_types("event_type=a&x=1&event_type=b%5Fc&event_type"),
            vec!["a", "b_c", ""]
        );
        assert!(event_types("").is_empty());
    }
}
