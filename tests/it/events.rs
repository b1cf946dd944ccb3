//! `GET /api/events` over a real socket, read by a real HTTP client as a
//! browser's EventSource would: each write's event with the API's record,
//! only the user's own, resumption after `Last-Event-ID`, `reload` when
//! resuming is impossible or the client lags, keep-alive comments.

use crate::common::{process, TestApp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::time::Duration;
use vitrine::server::config::Config;
use vitrine::server::events::{Draft, Kind, Subject};
use vitrine::server::{auth, listen};

/// A test app served on a loopback port by the real accept loop.
pub struct Live {
    pub app: TestApp,
    rt: tokio::runtime::Runtime,
    pub base: String,
}

/// One frame of the stream: an event, an id alone, or a comment.
#[derive(Debug)]
pub struct Frame {
    pub id: Option<u64>,
    pub event: Option<String>,
    pub data: String,
    comment: bool,
}

impl Frame {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

pub struct Stream(BufReader<ureq::BodyReader<'static>>);

impl Live {
    fn start(change: impl FnOnce(&mut Config)) -> Self {
        Self::serve(|| TestApp::with(change))
    }

    /// Serves the app `open` makes (inside the runtime that serves it).
    pub fn serve(open: impl FnOnce() -> TestApp) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let _inside = rt.enter();
        let app = open();
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        rt.spawn(listen::serve(listener, app.router.clone(), Default::default(), std::future::pending()));
        Live { app, rt, base }
    }

    /// A user: its id and API token.
    pub fn user(&self, name: &str) -> (uuid::Uuid, String) {
        auth::add_user(&self.app.state.meta, name, "secret-password").unwrap()
    }

    pub fn open(&self, token: &str, query: &str, last_event_id: Option<u64>) -> Stream {
        Stream::open(&self.base, token, query, last_event_id)
    }

    pub fn run<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }
}

impl Stream {
    pub(crate) fn open(base: &str, token: &str, query: &str, last_event_id: Option<u64>) -> Stream {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).build().into();
        let mut req = agent.get(format!("{base}/api/events{query}")).header("Authorization", format!("Bearer {token}"));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let res = req.call().unwrap();
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Stream(BufReader::new(res.into_body().into_reader()))
    }

    /// The next frame; `None` when the server ended the stream.
    pub fn frame(&mut self) -> Option<Frame> {
        let mut frame = Frame { id: None, event: None, data: String::new(), comment: false };
        let mut any = false;
        loop {
            let mut line = String::new();
            if self.0.read_line(&mut line).unwrap() == 0 {
                return any.then_some(frame);
            }
            let line = line.trim_end_matches('\n');
            if line.is_empty() {
                if any {
                    return Some(frame);
                }
                continue;
            }
            any = true;
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "" => frame.comment = true,
                "id" => frame.id = Some(value.parse().unwrap()),
                "event" => frame.event = Some(value.to_string()),
                "data" => frame.data.push_str(value),
                other => panic!("unexpected field {other}"),
            }
        }
    }

    /// The next event, past comments and bare ids.
    pub fn event(&mut self) -> Frame {
        loop {
            let frame = self.frame().expect("the stream ended");
            if frame.event.is_some() {
                return frame;
            }
        }
    }

    /// The id a new stream starts at (its first frame).
    pub fn position(&mut self) -> u64 {
        let frame = self.frame().unwrap();
        assert!(frame.event.is_none() && !frame.comment, "{frame:?}");
        frame.id.unwrap()
    }
}

pub fn tool_result(live: &Live, token: &str, conversation: &str, name: &str, text: &str) -> Value {
    let r = live.run(live.app.tool_result(token, conversation, &[(name, text.as_bytes())]));
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

#[test]
fn writes_reach_their_owner_with_the_apis_records_and_nobody_else() {
    let live = Live::start(|_| {});
    let (_, alice) = live.user("alice");
    let (_, bob) = live.user("bob");
    let mut alices = live.open(&alice, "", None);
    let mut bobs = live.open(&bob, "", None);
    let start = alices.position();

    let created = live.run(live.app.post("/api/conversations", &alice, json!({ "title": "Sales" })));
    let conversation = created.json()["id"].as_str().unwrap().to_string();
    let stored = tool_result(&live, &alice, &conversation, "report.md", "# One");
    let listed = live.run(live.app.get(&format!("/api/conversations/{conversation}"), &alice)).json();

    let e = alices.event();
    assert_eq!((e.event.as_deref(), e.json()), (Some("conversation.created"), created.json()));
    assert!(e.id.unwrap() > start);
    let a = alices.event();
    assert_eq!((a.event.as_deref(), a.json()), (Some("artifact.created"), stored["artifacts"][0].clone()));
    let m = alices.event();
    assert_eq!(m.event.as_deref(), Some("message.created"));
    let mut message = listed["messages"][0].clone();
    message["conversation_id"] = json!(conversation);
    assert_eq!(m.json(), message);
    assert!(e.id < a.id && a.id < m.id, "ids increase: {:?} {:?} {:?}", e.id, a.id, m.id);

    // Bob's first event is his own conversation, after all of Alice's.
    let his = live.run(live.app.conversation(&bob, "Bob's"));
    let e = bobs.event();
    assert_eq!((e.event.as_deref(), e.json()["id"].as_str()), (Some("conversation.created"), Some(his.as_str())));
    assert!(e.id > m.id);
}

#[test]
fn a_new_version_a_deleted_version_and_a_deleted_artifact_are_announced() {
    let live = Live::start(|_| {});
    let (_, alice) = live.user("alice");
    let conversation = live.run(live.app.conversation(&alice, "Edits"));
    let id = tool_result(&live, &alice, &conversation, "a.py", "print(1)")["artifacts"][0]["id"].clone();
    let mut stream = live.open(&alice, "", None);
    stream.position();

    tool_result(&live, &alice, &conversation, "a.py", "print(2)");
    let e = stream.event();
    assert_eq!((e.event.as_deref(), &e.json()["id"], &e.json()["version"]), (Some("artifact.version"), &id, &json!(2)));
    assert_eq!(stream.event().event.as_deref(), Some("message.created"));

    let url = format!("/api/conversations/{conversation}/artifacts/{}", id.as_str().unwrap());
    let r = live.run(live.app.call(axum::http::Method::DELETE, &format!("{url}/versions/2"), Some(&alice), None));
    assert_eq!(r.status, 204);
    let e = stream.event();
    assert_eq!(
        (e.event.as_deref(), &e.json()["version"], &e.json()["versions"]),
        (Some("artifact.version"), &json!(1), &json!(1))
    );

    let r = live.run(live.app.call(axum::http::Method::DELETE, &url, Some(&alice), None));
    assert_eq!(r.status, 204);
    let e = stream.event();
    assert_eq!(e.event.as_deref(), Some("artifact.deleted"));
    assert_eq!(e.json(), json!({ "id": id, "conversation_id": conversation }));
}

#[test]
fn resuming_after_last_event_id_loses_nothing_and_repeats_nothing() {
    let live = Live::start(|_| {});
    let (_, alice) = live.user("alice");
    let conversation = live.run(live.app.conversation(&alice, "Many"));
    let mut stream = live.open(&alice, "", None);
    stream.position();
    tool_result(&live, &alice, &conversation, "0.txt", "0");
    let seen = stream.event().id.unwrap();
    drop(stream);
    // Written while the client is away.
    for i in 1..5 {
        tool_result(&live, &alice, &conversation, &format!("{i}.txt"), "x");
    }
    let names = |stream: &mut Stream| -> Vec<String> {
        let mut names = Vec::new();
        let mut last = seen;
        while names.len() < 4 {
            let e = stream.event();
            assert!(e.id.unwrap() > last, "in order, once each");
            last = e.id.unwrap();
            if e.event.as_deref() == Some("artifact.created") {
                names.push(e.json()["name"].as_str().unwrap().to_string());
            }
        }
        names
    };
    // The message of 0.txt first, then everything after it.
    let mut header = live.open(&alice, "", Some(seen));
    assert_eq!(header.event().event.as_deref(), Some("message.created"));
    assert_eq!(names(&mut header), ["1.txt", "2.txt", "3.txt", "4.txt"]);
    // The same from the query string (clients that cannot set headers).
    let mut query = live.open(&alice, &format!("?last_event_id={seen}"), None);
    query.event();
    assert_eq!(names(&mut query), ["1.txt", "2.txt", "3.txt", "4.txt"]);
}

#[test]
fn an_id_no_longer_kept_is_told_to_reload_then_follows_live() {
    let live = Live::start(|c| c.events.kept = 3);
    let (_, alice) = live.user("alice");
    let conversation = live.run(live.app.conversation(&alice, "Old"));
    let start = live.open(&alice, "", None).position();
    for i in 0..3 {
        tool_result(&live, &alice, &conversation, &format!("{i}.txt"), "x");
    }
    // Six events since `start`; three kept.
    let mut stream = live.open(&alice, "", Some(start));
    let reload = stream.event();
    assert_eq!(reload.event.as_deref(), Some("reload"));
    let latest = reload.id.unwrap();
    tool_result(&live, &alice, &conversation, "new.txt", "x");
    let e = stream.event();
    assert_eq!((e.event.as_deref(), e.id.unwrap() > latest), (Some("artifact.created"), true));
    // An id from before a restart (lower than any) or that never was.
    for id in [1, latest + 1000] {
        assert_eq!(live.open(&alice, "", Some(id)).event().event.as_deref(), Some("reload"));
    }
}

#[test]
fn keep_alive_comments_are_sent() {
    let live = Live::start(|c| c.events.keep_alive = Duration::from_millis(100));
    let (_, alice) = live.user("alice");
    let mut stream = live.open(&alice, "", None);
    stream.position();
    assert!(stream.frame().unwrap().comment);
    assert!(stream.frame().unwrap().comment);
}

#[test]
fn a_client_that_does_not_read_is_told_to_reload_and_dropped() {
    let live = Live::start(|c| {
        c.events.lag = 16;
        c.events.kept = 16;
    });
    let (id, alice) = live.user("alice");
    let conversation = uuid::Uuid::new_v4();
    let mut stream = live.open(&alice, "", None);
    stream.position();
    let first = live.app.state.store.events().latest();
    // 50 MB of events, far more than the sockets' buffers: without the
    // bound the server would hold what the client does not read.
    let big = "x".repeat(256 * 1024);
    let published = 200;
    for _ in 0..published {
        let subject = Subject { user: id, conversation, artifact: None };
        live.app.state.store.events().publish(Draft::new(Kind::MessageCreated, subject, &big));
    }
    let mut received = 0;
    let last = loop {
        let frame = stream.frame().expect("a reload before the end");
        match frame.event.as_deref() {
            Some("reload") => break frame,
            _ => received += 1,
        }
    };
    assert!(received < published, "{received} of {published} events were buffered for the client");
    assert!(stream.frame().is_none(), "the stream ends after the reload");
    // It names where to resume: the newest event when the lag was found,
    // which the publishing above may have passed since.
    let resume = last.id.expect("the reload names where to resume");
    assert!(resume > first && resume <= live.app.state.store.events().latest(), "{resume}");
}

#[test]
fn bad_resumption_ids_and_missing_credentials_are_refused() {
    let live = Live::start(|_| {});
    let (_, alice) = live.user("alice");
    let r = live.run(live.app.get("/api/events?last_event_id=abc", &alice));
    assert_eq!((r.status.as_u16(), r.json()["detail"].as_str()), (400, Some("Invalid last event id: 'abc'")));
    let r = live.run(live.app.get(&format!("/api/events?conversation={}", uuid::Uuid::new_v4()), &alice));
    assert_eq!(r.status, 404);
    let r = live.run(live.app.call(axum::http::Method::GET, "/api/events", None, None));
    assert_eq!(r.status, 401);
}

#[test]
fn a_stream_narrowed_to_a_conversation_carries_only_its_events() {
    let live = Live::start(|_| {});
    let (_, alice) = live.user("alice");
    let one = live.run(live.app.conversation(&alice, "One"));
    let two = live.run(live.app.conversation(&alice, "Two"));
    let mut stream = live.open(&alice, &format!("?conversation={two}"), None);
    stream.position();
    tool_result(&live, &alice, &one, "one.txt", "1");
    tool_result(&live, &alice, &two, "two.txt", "2");
    let e = stream.event();
    assert_eq!((e.event.as_deref(), e.json()["name"].as_str()), (Some("artifact.created"), Some("two.txt")));
}

#[test]
fn shutting_down_ends_the_streams() {
    let data = tempfile::tempdir().unwrap();
    let token = process::add_user(data.path(), "alice");
    let log_path = data.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = process::Server::start_logging(data.path(), &[], "warn", log);
    let mut stream = Stream::open(&server.base, &token, "", None);
    stream.position();
    let term = std::process::Command::new("kill").args(["-TERM", &server.pid().to_string()]).status().unwrap();
    assert!(term.success());
    while stream.frame().is_some() {}
    // Ended by the shutdown, not cut after the 30 s that connections still
    // open are given (which logs that it cut them, before it does).
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(!log.contains("still open"), "{log}");
}
