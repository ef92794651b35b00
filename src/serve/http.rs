//! The HTTP side of `wenji serve`: a fixed route table answering GET only.
//! No part of a request's path or query ever reaches the file system: the
//! page's files are embedded in the binary ([`assets`]) and the books are
//! made in memory ([`Site`]).

use std::io::Cursor;
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, ResponseBox, Server, StatusCode};
use wenji::{Edition, Layout};

use super::assets::{self, Asset};
use super::events::{Broadcast, Event};
use super::state::{Epub, Site, Unavailable};

/// Request threads; event streams have threads of their own.
const WORKERS: usize = 4;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// An embedded file of the reader page (`/` is the page).
    Asset(&'static str, &'static [u8]),
    /// An edition of the book, in a layout or the configured one.
    Book(Edition, Option<Layout>),
    /// `/status`.
    Status,
    /// `/events`.
    Events,
}

/// Why a request gets no route.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Not GET (405).
    Method,
    /// No such path (404).
    NotFound,
    /// A book's query other than `layout=vertical|horizontal` (400).
    BadQuery,
}

/// Answers requests on `server` with [`WORKERS`] threads until the process
/// ends.
pub fn serve(server: Arc<Server>, site: Arc<Site>, events: Arc<Broadcast>) {
    for _ in 0..WORKERS {
        let (server, site, events) = (server.clone(), site.clone(), events.clone());
        std::thread::spawn(move || {
            while let Ok(request) = server.recv() {
                answer(request, &site, &events);
            }
        });
    }
}

/// Answers one request. Failing to send (the browser went away) is no error.
fn answer(request: Request, site: &Site, events: &Arc<Broadcast>) {
    let route = route(request.method(), request.url());
    let response = match route {
        Ok(Route::Asset(content_type, bytes)) => bytes_response(200, content_type, bytes.to_vec()),
        Ok(Route::Book(edition, layout)) => match site.epub(edition, layout) {
            Ok(epub) => epub_response(epub),
            Err(Unavailable::NotYetBuilt(message)) => text_response(503, &message),
            Err(Unavailable::Failed(message)) => text_response(500, &message),
        },
        Ok(Route::Status) => {
            let json = serde_json::to_vec(&site.status()).unwrap_or_default();
            bytes_response(200, "application/json", json)
        }
        Ok(Route::Events) => {
            let (receiver, current) = (events.subscribe(), current_events(site));
            let client = request.into_writer();
            std::thread::spawn(move || super::events::stream(client, &current, &receiver));
            return;
        }
        Err(Refusal::Method) => {
            text_response(405, "only GET is served").with_header(header("Allow", "GET"))
        }
        Err(Refusal::NotFound) => text_response(404, "not found"),
        Err(Refusal::BadQuery) => text_response(
            400,
            "the only query is ?layout=vertical or ?layout=horizontal",
        ),
    };
    let _ = request.respond(response);
}

/// The route for `method` and `url` (path and query, as sent).
fn route(method: &Method, url: &str) -> Result<Route, Refusal> {
    if *method != Method::Get {
        return Err(Refusal::Method);
    }
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let edition = match path {
        "/book.epub" => Edition::Preview,
        "/book.full.epub" => Edition::Full,
        "/status" => return Ok(Route::Status),
        "/events" => return Ok(Route::Events),
        _ => {
            return assets::asset(path)
                .map(
                    |Asset {
                         content_type,
                         bytes,
                     }| Route::Asset(content_type, bytes),
                )
                .ok_or(Refusal::NotFound);
        }
    };
    let layout = match query {
        "" => None,
        "layout=vertical" => Some(Layout::Vertical),
        "layout=horizontal" => Some(Layout::Horizontal),
        _ => return Err(Refusal::BadQuery),
    };
    Ok(Route::Book(edition, layout))
}

/// What a new event stream is told first: the generation served and the
/// last build's error, if any.
fn current_events(site: &Site) -> Vec<Event> {
    let status = site.status();
    let mut events = Vec::new();
    if status.generation > 0 {
        events.push(Event::Build {
            generation: status.generation,
        });
    }
    if let Some(message) = status.error {
        events.push(Event::Error {
            generation: status.generation,
            message,
        });
    }
    events
}

/// An EPUB sent without copying it, with its length (tiny_http would
/// otherwise send books over 32 KiB in chunks, and readers show no progress).
fn epub_response(epub: Epub) -> ResponseBox {
    let length = epub.len();
    Response::new(
        StatusCode(200),
        vec![
            header("Content-Type", "application/epub+zip"),
            header("Cache-Control", "no-store"),
        ],
        Cursor::new(SharedBytes(epub)),
        Some(length),
        None,
    )
    .with_chunked_threshold(usize::MAX)
    .boxed()
}

/// Plain text, for errors.
fn text_response(status: u16, text: &str) -> ResponseBox {
    bytes_response(
        status,
        "text/plain; charset=utf-8",
        format!("{text}\n").into_bytes(),
    )
}

/// `bytes` of `content_type`, never cached: every answer may change with the next build.
fn bytes_response(status: u16, content_type: &str, bytes: Vec<u8>) -> ResponseBox {
    Response::from_data(bytes)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .boxed()
}

/// A header from a name and value this module writes (ASCII, so always valid).
fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| unreachable!("invalid header {name}: {value}"))
}

/// An [`Epub`] readable as bytes, so a response can send it without a copy.
struct SharedBytes(Epub);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_status_events_and_the_page_have_routes() {
        let get = |url| route(&Method::Get, url);
        assert_eq!(get("/book.epub"), Ok(Route::Book(Edition::Preview, None)));
        assert_eq!(
            get("/book.full.epub?layout=vertical"),
            Ok(Route::Book(Edition::Full, Some(Layout::Vertical)))
        );
        assert_eq!(
            get("/book.epub?layout=horizontal"),
            Ok(Route::Book(Edition::Preview, Some(Layout::Horizontal)))
        );
        assert_eq!(get("/status"), Ok(Route::Status));
        assert_eq!(get("/events"), Ok(Route::Events));
        assert!(matches!(get("/"), Ok(Route::Asset(..))));
    }

    #[test]
    fn other_methods_paths_and_queries_are_refused() {
        assert_eq!(route(&Method::Post, "/book.epub"), Err(Refusal::Method));
        assert_eq!(route(&Method::Head, "/"), Err(Refusal::Method));
        for url in [
            "/../Cargo.toml",
            "/etc/passwd",
            "/book.epub/",
            "//book.epub",
            "/%2e%2e/x",
            "",
        ] {
            assert_eq!(route(&Method::Get, url), Err(Refusal::NotFound), "{url}");
        }
        for url in [
            "/book.epub?layout=x",
            "/book.epub?layout=vertical&a=b",
            "/book.full.epub?x",
        ] {
            assert_eq!(route(&Method::Get, url), Err(Refusal::BadQuery), "{url}");
        }
    }
}
