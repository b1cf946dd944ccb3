//! The event bus behind `GET /api/events`: the store publishes what it has
//! made durable, each event with its owner, a number and the record the
//! JSON API gives for it; streams read it. Recent events are kept (by count
//! and age) so a client that reconnects resumes where it was; one that was
//! away longer is told to reload.
//!
//! Live events go through a `tokio::sync::broadcast` channel of fixed size:
//! a client that falls that far behind is not buffered for but told to
//! reload and dropped (`routes/events.rs`).

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::broadcast;
use uuid::Uuid;

#[derive(Clone, Copy, Debug)]
pub struct EventLimits {
    /// Events kept for resumption, at most this many…
    pub kept: usize,
    /// …and at most this old.
    pub max_age: Duration,
    /// How many events a connected client may fall behind.
    pub lag: usize,
    /// Time between keep-alive comments on an open stream.
    pub keep_alive: Duration,
}

impl Default for EventLimits {
    fn default() -> Self {
        Self { kept: 10_000, max_age: Duration::from_secs(600), lag: 1024, keep_alive: Duration::from_secs(15) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Kind {
    #[strum(serialize = "artifact.created")]
    ArtifactCreated,
    /// A new latest version, or one of its versions deleted.
    #[strum(serialize = "artifact.version")]
    ArtifactVersion,
    #[strum(serialize = "artifact.deleted")]
    ArtifactDeleted,
    #[strum(serialize = "conversation.created")]
    ConversationCreated,
    #[strum(serialize = "message.created")]
    MessageCreated,
}

pub struct Event {
    pub id: u64,
    pub kind: Kind,
    pub user: Uuid,
    pub conversation: Uuid,
    /// The artifact of an artifact event.
    pub artifact: Option<Uuid>,
    /// The record, as JSON.
    pub data: String,
    at: Instant,
}

/// `message.created`'s record: the message as the conversation's API gives
/// it, with its conversation.
#[derive(Serialize)]
pub struct MessageRecord<'a> {
    pub conversation_id: Uuid,
    #[serde(flatten)]
    pub message: &'a crate::model::Message,
}

/// What an event is about, besides its record.
pub struct Subject {
    pub user: Uuid,
    pub conversation: Uuid,
    pub artifact: Option<Uuid>,
}

pub struct Events {
    limits: EventLimits,
    ring: Mutex<Ring>,
}

struct Ring {
    kept: VecDeque<Arc<Event>>,
    next: u64,
    /// `None` once closed (shutting down): streams end.
    live: Option<broadcast::Sender<Arc<Event>>>,
}

/// A new stream's start: the kept events after the client's id, or `missed`
/// when they are gone, then the live ones.
pub struct Subscription {
    pub backlog: Vec<Arc<Event>>,
    pub missed: bool,
    /// The newest event's id at subscription: where the stream starts.
    pub latest: u64,
    pub live: Option<broadcast::Receiver<Arc<Event>>>,
}

impl Events {
    pub fn new(limits: EventLimits) -> Self {
        // Numbers start at the time in microseconds, so a number from before
        // a restart is below every new one and its client is told to reload.
        let start = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_micros() as u64);
        let (sender, _) = broadcast::channel(limits.lag.max(1));
        Self { limits, ring: Mutex::new(Ring { kept: VecDeque::new(), next: start, live: Some(sender) }) }
    }

    pub fn limits(&self) -> EventLimits {
        self.limits
    }

    fn ring(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Numbers, keeps and sends an event. Numbering and sending happen under
    /// one lock, so every stream sees events in number order.
    pub fn publish(&self, kind: Kind, subject: Subject, record: &impl Serialize) {
        let data = match sonic_rs::to_string(record) {
            Ok(data) => data,
            Err(e) => return tracing::error!("serialising a {} event: {e}", <&str>::from(kind)),
        };
        let Subject { user, conversation, artifact } = subject;
        let mut ring = self.ring();
        let event = Arc::new(Event { id: ring.next, kind, user, conversation, artifact, data, at: Instant::now() });
        ring.next += 1;
        ring.forget_old(self.limits, 1);
        ring.kept.push_back(event.clone());
        if let Some(live) = &ring.live {
            // An error only says nobody listens.
            let _ = live.send(event);
        }
    }

    /// The newest event's id.
    pub fn latest(&self) -> u64 {
        self.ring().next - 1
    }

    /// Starts a stream after event `last` (or now).
    pub fn subscribe(&self, last: Option<u64>) -> Subscription {
        let mut ring = self.ring();
        ring.forget_old(self.limits, 0);
        let latest = ring.next - 1;
        let oldest = ring.kept.front().map_or(ring.next, |e| e.id);
        let missed = last.is_some_and(|l| l.saturating_add(1) < oldest || l > latest);
        let backlog = match last {
            Some(l) if !missed => ring.kept.iter().filter(|e| e.id > l).cloned().collect(),
            _ => Vec::new(),
        };
        Subscription { backlog, missed, latest, live: ring.live.as_ref().map(broadcast::Sender::subscribe) }
    }

    /// Ends every stream (at shutdown, so connections can close).
    pub fn close(&self) {
        self.ring().live = None;
    }
}

impl Ring {
    /// Drops the events past their age, and as many as needed to make
    /// `room` below the count.
    fn forget_old(&mut self, limits: EventLimits, room: usize) {
        let now = Instant::now();
        while self
            .kept
            .front()
            .is_some_and(|e| self.kept.len() + room > limits.kept || now.duration_since(e.at) > limits.max_age)
        {
            self.kept.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject { user: Uuid::nil(), conversation: Uuid::nil(), artifact: None }
    }

    #[test]
    fn events_are_kept_for_their_age_only() {
        let events = Events::new(EventLimits { max_age: Duration::from_millis(50), ..Default::default() });
        let before = events.latest();
        for n in 0..3 {
            events.publish(Kind::ConversationCreated, subject(), &n);
        }
        let kept = events.subscribe(Some(before));
        assert!(!kept.missed);
        assert_eq!(kept.backlog.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(), ["0", "1", "2"]);
        std::thread::sleep(Duration::from_millis(60));
        assert!(events.subscribe(Some(before)).missed);
        // Nothing was missed by a client that had seen the last one.
        assert!(!events.subscribe(Some(events.latest())).missed);
    }

    #[test]
    fn closing_ends_the_live_streams() {
        let events = Events::new(EventLimits::default());
        let mut live = events.subscribe(None).live.unwrap();
        events.close();
        assert!(matches!(live.try_recv(), Err(broadcast::error::TryRecvError::Closed)));
        assert!(events.subscribe(None).live.is_none());
    }
}
