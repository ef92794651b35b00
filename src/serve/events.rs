//! Server-sent events: every reader page open on `/events` hears of each
//! build and each build error at once, so it can reload the book or show
//! the error. Each client has its own thread, fed from a channel, so a slow
//! or vanished browser never holds up a build or another client.

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::lock;

/// How often an idle stream gets a comment, so proxies keep it open and a
/// closed browser is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What a client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A build succeeded; `generation` is now served.
    Build {
        /// The generation now served.
        generation: u64,
    },
    /// A build failed; `generation` (the last good one) is still served.
    Error {
        /// The generation still served.
        generation: u64,
        /// wenji's error text (file, line, what to do; never paid text).
        message: String,
    },
}

impl Event {
    /// The event as it goes on the wire: name, one line of JSON, blank line.
    pub fn to_wire(&self) -> String {
        let (name, data) = match self {
            Event::Build { generation } => {
                ("build", serde_json::json!({ "generation": generation }))
            }
            Event::Error {
                generation,
                message,
            } => (
                "error",
                serde_json::json!({ "generation": generation, "message": message }),
            ),
        };
        format!("event: {name}\ndata: {data}\n\n")
    }
}

/// The clients listening, each behind a channel.
#[derive(Debug, Default)]
pub struct Broadcast {
    clients: Mutex<Vec<Sender<Event>>>,
}

impl Broadcast {
    /// A new client's channel.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (sender, receiver) = mpsc::channel();
        lock(&self.clients).push(sender);
        receiver
    }

    /// Tells every client of `event`, forgetting those that have gone.
    pub fn send(&self, event: &Event) {
        lock(&self.clients).retain(|client| client.send(event.clone()).is_ok());
    }
}

/// Streams to one client until it goes away: the response head, the
/// `current` state at once, then every event from `events`, with a
/// keep-alive comment when idle. Runs on the client's own thread.
pub fn stream(mut client: impl Write, current: &[Event], events: &Receiver<Event>) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                Cache-Control: no-store\r\nConnection: close\r\n\r\n";
    let mut send = |text: &str| {
        client
            .write_all(text.as_bytes())
            .and_then(|()| client.flush())
            .is_ok()
    };
    if !send(head) || !current.iter().all(|event| send(&event.to_wire())) {
        return;
    }
    loop {
        let sent = match events.recv_timeout(KEEP_ALIVE) {
            Ok(event) => send(&event.to_wire()),
            Err(RecvTimeoutError::Timeout) => send(": keep-alive\n\n"),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if !sent {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_one_line_of_json_each() {
        let build = Event::Build { generation: 3 }.to_wire();
        assert_eq!(build, "event: build\ndata: {\"generation\":3}\n\n");
        let error = Event::Error {
            generation: 2,
            message: "a.txt:4: bad\nline".into(),
        }
        .to_wire();
        assert_eq!(
            error,
            "event: error\ndata: {\"generation\":2,\"message\":\"a.txt:4: bad\\nline\"}\n\n"
        );
    }

    #[test]
    fn a_client_gets_the_current_state_then_each_event_and_departed_ones_are_dropped() {
        let broadcast = Broadcast::default();
        let events = broadcast.subscribe();
        let gone = broadcast.subscribe();
        drop(gone);
        broadcast.send(&Event::Build { generation: 2 });
        assert_eq!(lock(&broadcast.clients).len(), 1);
        drop(broadcast); // the stream ends when no more can come
        let mut wire = Vec::new();
        stream(&mut wire, &[Event::Build { generation: 1 }], &events);
        let wire = String::from_utf8(wire).unwrap();
        let body = wire.split("\r\n\r\n").nth(1).unwrap();
        assert!(
            wire.contains("Content-Type: text/event-stream\r\n"),
            "{wire}"
        );
        assert_eq!(
            body,
            "event: build\ndata: {\"generation\":1}\n\nevent: build\ndata: {\"generation\":2}\n\n"
        );
    }
}
