//! The event bus behind `GET /api/events`: the store publishes what it has
//! made durable, each event with its owner, a number and the record the
//! JSON API gives for it; streams read it. Recent events are kept (by count
//! and age) so a client that reconnects resumes where it was; one that was
//! away longer is told to reload.
//!
//! Live events go through a `tokio::sync::broadcast` channel of fixed size:
//! a client that falls that far behind is not buffered for but told to
//! reload and dropped (`routes/events.rs`).
//!
//! With SQLite the store publishes here, numbering the events. With
//! PostgreSQL it writes them as rows with its change, numbered by the
//! database, and every instance's listener (`meta/pg/listen.rs`) puts them
//! here in the order they were committed ([`Events::receive`]); when it may
//! have missed some, it starts the ring over ([`Events::reset`]), which ends
//! the streams with `reload`. A client resumes after its `Last-Event-ID` by
//! that event's place in the ring, on whichever instance.

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
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

/// An event before it has a number: made before its write commits (in
/// PostgreSQL its row is part of the write), published once it has.
pub struct Draft {
    pub kind: Kind,
    pub subject: Subject,
    /// The record, as JSON.
    pub data: String,
}

impl Draft {
    /// `None` (logged) if the record does not serialise.
    pub fn new(kind: Kind, subject: Subject, record: &impl Serialize) -> Option<Self> {
        match sonic_rs::to_string(record) {
            Ok(data) => Some(Self { kind, subject, data }),
            Err(e) => {
                tracing::error!("serialising a {} event: {e}", <&str>::from(kind));
                None
            }
        }
    }

    /// `artifact.deleted`'s.
    pub fn deleted(user: Uuid, conversation: Uuid, id: Uuid) -> Option<Self> {
        let record = serde_json::json!({ "id": id, "conversation_id": conversation });
        Self::new(Kind::ArtifactDeleted, Subject { user, conversation, artifact: Some(id) }, &record)
    }
}

pub struct Events {
    limits: EventLimits,
    ring: Mutex<Ring>,
}

struct Ring {
    kept: VecDeque<Arc<Event>>,
    /// The id of the event just before the first kept one (or where the
    /// ring started): a client that saw it has missed nothing kept.
    before: u64,
    /// The number [`Events::publish`] gives next.
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
        let ring = Ring { kept: VecDeque::new(), before: start - 1, next: start, live: Some(sender) };
        Self { limits, ring: Mutex::new(ring) }
    }

    pub fn limits(&self) -> EventLimits {
        self.limits
    }

    fn ring(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Numbers, keeps and sends events. Numbering and sending happen under
    /// one lock, so every stream sees events in number order.
    pub fn publish(&self, drafts: impl IntoIterator<Item = Draft>) {
        let mut ring = self.ring();
        for draft in drafts {
            let id = ring.next;
            ring.next += 1;
            ring.push(self.limits, id, draft);
        }
    }

    /// Keeps and sends events numbered elsewhere (PostgreSQL's rows), in the
    /// order given.
    pub fn receive(&self, events: impl IntoIterator<Item = (u64, Draft)>) {
        let mut ring = self.ring();
        for (id, draft) in events {
            ring.push(self.limits, id, draft);
        }
    }

    /// Starts over after `latest` (PostgreSQL's newest event), when events
    /// may have been missed: nothing before it is kept, and the open streams
    /// end with `reload` once they have sent what they had.
    pub fn reset(&self, latest: u64) {
        let mut ring = self.ring();
        ring.kept.clear();
        ring.before = latest;
        if ring.live.is_some() {
            // Dropping the sender ends its receivers.
            ring.live = Some(broadcast::channel(self.limits.lag.max(1)).0);
        }
    }

    /// The newest event's id.
    pub fn latest(&self) -> u64 {
        self.ring().latest()
    }

    /// Whether streams are served (until [`Events::close`]): a stream whose
    /// channel ended while they are was reset, and reloads.
    pub fn is_open(&self) -> bool {
        self.ring().live.is_some()
    }

    /// Starts a stream after event `last` (or now). `last` is found by its
    /// place, not by comparing ids: rows are heard in the order they were
    /// committed, which need not be their ids' order.
    pub fn subscribe(&self, last: Option<u64>) -> Subscription {
        let mut ring = self.ring();
        ring.forget_old(self.limits, 0);
        let after = match last {
            None => Some(ring.kept.len()),
            Some(l) if l == ring.before => Some(0),
            Some(l) => ring.kept.iter().rposition(|e| e.id == l).map(|at| at + 1),
        };
        let backlog = match (last, after) {
            (Some(_), Some(at)) => ring.kept.range(at..).cloned().collect(),
            _ => Vec::new(),
        };
        Subscription {
            backlog,
            missed: after.is_none(),
            latest: ring.latest(),
            live: ring.live.as_ref().map(broadcast::Sender::subscribe),
        }
    }

    /// Ends every stream (at shutdown, so connections can close).
    pub fn close(&self) {
        self.ring().live = None;
    }
}

impl Ring {
    fn latest(&self) -> u64 {
        self.kept.back().map_or(self.before, |e| e.id)
    }

    fn push(&mut self, limits: EventLimits, id: u64, draft: Draft) {
        let Draft { kind, subject: Subject { user, conversation, artifact }, data } = draft;
        let event = Arc::new(Event { id, kind, user, conversation, artifact, data, at: Instant::now() });
        self.forget_old(limits, 1);
        self.kept.push_back(event.clone());
        if let Some(live) = &self.live {
            // An error only says nobody listens.
            let _ = live.send(event);
        }
    }

    /// Drops the events past their age, and as many as needed to make
    /// `room` below the count.
    fn forget_old(&mut self, limits: EventLimits, room: usize) {
        let now = Instant::now();
        while self
            .kept
            .front()
            .is_some_and(|e| self.kept.len() + room > limits.kept || now.duration_since(e.at) > limits.max_age)
        {
            if let Some(gone) = self.kept.pop_front() {
                self.before = gone.id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(record: &impl Serialize) -> Draft {
        let subject = Subject { user: Uuid::nil(), conversation: Uuid::nil(), artifact: None };
        Draft::new(Kind::ConversationCreated, subject, record).unwrap()
    }

    fn data(events: &[Arc<Event>]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn events_are_kept_for_their_age_only() {
        let events = Events::new(EventLimits { max_age: Duration::from_millis(50), ..Default::default() });
        let before = events.latest();
        for n in 0..3 {
            events.publish([draft(&n)]);
        }
        let kept = events.subscribe(Some(before));
        assert!(!kept.missed);
        assert_eq!(data(&kept.backlog), ["0", "1", "2"]);
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

    #[test]
    fn resuming_goes_by_place_not_by_id() {
        let events = Events::new(EventLimits::default());
        events.reset(10);
        // Committed in another order than numbered.
        events.receive([(13, draft(&13)), (11, draft(&11)), (12, draft(&12))]);
        assert_eq!(events.latest(), 12);
        assert_eq!(data(&events.subscribe(Some(10)).backlog), ["13", "11", "12"]);
        assert_eq!(data(&events.subscribe(Some(13)).backlog), ["11", "12"]);
        assert!(events.subscribe(Some(12)).backlog.is_empty());
        for unknown in [9, 14] {
            assert!(events.subscribe(Some(unknown)).missed, "{unknown}");
        }
    }

    #[test]
    fn a_reset_ends_the_live_streams_after_what_they_had_and_starts_over() {
        let events = Events::new(EventLimits::default());
        let mut live = events.subscribe(None).live.unwrap();
        events.receive([(5, draft(&5))]);
        events.reset(20);
        assert_eq!(live.try_recv().unwrap().id, 5);
        assert!(matches!(live.try_recv(), Err(broadcast::error::TryRecvError::Closed)));
        assert!(events.is_open());
        assert!(events.subscribe(Some(5)).missed);
        let after = events.subscribe(Some(20));
        assert!(!after.missed && after.backlog.is_empty() && after.latest == 20);
    }
}
