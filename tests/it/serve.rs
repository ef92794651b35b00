//! `wenji serve` (issue 15): the real binary serving a copy of the sample
//! book on a free port, asked over plain HTTP/1.1: the page and both
//! editions (the preview without paid text), rebuilds after saves, a
//! broken essay reported while the last good book stays served, refused
//! methods, paths and queries, a taken port, Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{self, EPOCH};

/// A sentence inside a paid part of the sample's 01-晨读.txt.
const PAID: &str = "这个规矩是从一位老编辑那里学来的";
/// Another, in 02-茶与时间.md.
const PAID_MD: &str = "祖母走后，我在她的抽屉里找到一本小册子";
/// A free sentence of 03-走路.txt.
const FREE: &str = "搬到新住处以后，我开始走路去上班";
/// Bytes no encoding wenji reads makes text of.
const BINARY: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";

/// A running `wenji serve`, killed when dropped.
struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`, without the final slash.
    base: String,
    /// Everything it printed on stderr so far.
    stderr: Arc<Mutex<String>>,
    book: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// The copy of the sample book's essay `name`.
    fn essay(&self, name: &str) -> PathBuf {
        self.book.path().join("content").join(name)
    }

    /// What it printed on stderr so far.
    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET path`.
    fn get(&self, path: &str) -> Reply {
        request(&self.base, "GET", path)
    }

    /// `/status` as JSON.
    fn status(&self) -> serde_json::Value {
        let reply = self.get("/status");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        serde_json::from_slice(&reply.body).unwrap()
    }

    /// Polls `/status` until `done` holds, for at most `limit`; the time it took.
    fn wait_for(&self, limit: Duration, done: impl Fn(&serde_json::Value) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            let status = self.status();
            if done(&status) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "not within {limit:?}: {status}\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every entry of the EPUB at `path`, read from the server.
    fn epub(&self, path: &str) -> Vec<support::Entry> {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/epub+zip"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let length = reply.body.len().to_string();
        assert_eq!(reply.header("content-length"), Some(length.as_str()));
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &reply.body).unwrap();
        support::entries(file.path())
    }

    /// Everything a reader could see of the EPUB at `path`.
    fn epub_text(&self, path: &str) -> String {
        support::everything(&self.epub(path))
    }
}

/// A copy of the sample book (content/ and covers/) in a new folder.
fn sample_book() -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    for folder in ["content", "covers"] {
        let to = book.path().join(folder);
        std::fs::create_dir(&to).unwrap();
        for entry in std::fs::read_dir(support::repo().join(folder)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    book
}

/// Starts `wenji serve --port 0 ARGS` in `book` and waits for the line
/// naming its address.
fn serve(book: tempfile::TempDir, args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(["serve", "--port", "0"])
        .args(args)
        .current_dir(book.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wenji runs");
    let stderr = Arc::new(Mutex::new(String::new()));
    let (url_sender, url) = mpsc::channel();
    let lines = BufReader::new(child.stderr.take().unwrap());
    let collected = stderr.clone();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            if let Some(url) = serving_url(&line) {
                let _ = url_sender.send(url);
            }
            let mut all = collected.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    let mut served = Served {
        child,
        base: String::new(),
        stderr,
        book,
    };
    match url.recv_timeout(Duration::from_secs(20)) {
        Ok(url) => served.base = url.trim_end_matches('/').to_string(),
        Err(_) => panic!("no serving line: {}", served.stderr()),
    }
    served
}

/// The URL of a line `serving TITLE at URL (Ctrl-C to stop)`.
fn serving_url(line: &str) -> Option<String> {
    let rest = line.strip_prefix("serving ")?;
    let at = rest.rfind(" at http://")?;
    let url = rest[at + 4..].strip_suffix(" (Ctrl-C to stop)")?;
    Some(url.to_string())
}

/// An HTTP answer.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// The header `name` (lower case), if sent.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `METHOD path` on the server at `base`, over a fresh connection.
fn request(base: &str, method: &str, path: &str) -> Reply {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// Appends `text` to the file at `path`.
fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

#[test]
fn serves_the_page_and_both_editions_the_preview_without_paid_text() {
    let served = serve(sample_book(), &["content/"]);
    let page = served.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().contains("<html"), "{}", page.text());

    let preview = served.epub_text("/book.epub");
    let full = served.epub_text("/book.full.epub");
    assert!(preview.contains(FREE) && full.contains(FREE));
    for paid in [PAID, PAID_MD] {
        assert!(!preview.contains(paid), "paid text in the preview: {paid}");
        assert!(full.contains(paid), "{paid} missing from the full edition");
    }
    assert!(preview.contains("page-progression-direction=\"ltr\""));
    let vertical = served.epub_text("/book.epub?layout=vertical");
    assert!(vertical.contains("page-progression-direction=\"rtl\""));
    assert!(!vertical.contains(PAID));
    assert!(
        served
            .epub_text("/book.full.epub?layout=vertical")
            .contains(PAID)
    );

    let status = served.status();
    assert_eq!(status["generation"], 1);
    assert_eq!(status["title"], "晨读集");
    assert_eq!(status["layout"], "horizontal");
    assert!(status["error"].is_null());
    let stderr = served.stderr();
    assert!(
        stderr.contains("serving 晨读集 at http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(PAID) && !stderr.contains(PAID_MD),
        "{stderr}"
    );
}

#[test]
fn a_save_rebuilds_within_two_seconds_and_a_broken_essay_keeps_the_last_good_book() {
    let served = serve(sample_book(), &["content/"]);
    let walk = served.essay("03-走路.txt");
    let good = std::fs::read(&walk).unwrap();
    append(&walk, "　　后来我在桥边认识了一位喂鸭子的老人。\n");
    let took = served.wait_for(Duration::from_secs(2), |s| s["generation"] == 2);
    eprintln!("rebuilt {took:?} after a save");
    assert!(
        served
            .epub_text("/book.full.epub")
            .contains("一位喂鸭子的老人")
    );
    assert!(served.epub_text("/book.epub").contains("一位喂鸭子的老人"));

    // The essay with the paid part turns to binary data around its paid text.
    let morning = served.essay("01-晨读.txt");
    let mut broken = BINARY.to_vec();
    broken.extend(std::fs::read(&morning).unwrap());
    std::fs::write(&morning, broken).unwrap();
    served.wait_for(Duration::from_secs(2), |s| !s["error"].is_null());
    let status = served.status();
    assert_eq!(status["generation"], 2, "{status}");
    let error = status["error"].as_str().unwrap();
    assert!(error.contains("01-晨读.txt"), "{error}");
    assert!(!error.contains(PAID), "{error}");
    assert_eq!(served.get("/").status, 200);
    let last_good = served.epub_text("/book.full.epub");
    assert!(last_good.contains("一位喂鸭子的老人") && last_good.contains(PAID));
    assert!(!served.epub_text("/book.epub").contains(PAID));

    // Fixed the way vim and IDEs save: a new file renamed over the essay.
    let fixed = served.essay("晨读.new");
    std::fs::copy(support::repo().join("content/01-晨读.txt"), &fixed).unwrap();
    std::fs::rename(&fixed, &morning).unwrap();
    served.wait_for(Duration::from_secs(2), |s| {
        s["error"].is_null() && s["generation"] == 3
    });
    std::fs::write(&walk, good).unwrap();
    served.wait_for(Duration::from_secs(2), |s| s["generation"] == 4);
    assert!(
        !served
            .epub_text("/book.full.epub")
            .contains("一位喂鸭子的老人")
    );
    let stderr = served.stderr();
    assert!(
        !stderr.contains(PAID) && !stderr.contains(PAID_MD),
        "{stderr}"
    );
}

#[test]
fn a_burst_of_saves_is_one_rebuild_and_scratch_files_none() {
    let served = serve(sample_book(), &["content/"]);
    let walk = served.essay("03-走路.txt");
    for n in 0..5 {
        append(&walk, &format!("　　第{n}次保存。\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
    served.wait_for(Duration::from_secs(2), |s| s["generation"] == 2);
    std::fs::write(served.essay(".03-走路.txt.swp"), "x").unwrap();
    std::fs::write(served.essay("03-走路.txt~"), "x").unwrap();
    std::fs::write(served.essay("book.epub"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(served.status()["generation"], 2, "{}", served.stderr());
    assert!(served.epub_text("/book.full.epub").contains("第4次保存"));
}

#[test]
fn a_single_essay_saved_by_rename_and_its_images_are_watched() {
    let book = tempfile::tempdir().unwrap();
    let essay = book.path().join("散步.md");
    let image = book.path().join("images/pic.svg");
    std::fs::create_dir(book.path().join("images")).unwrap();
    std::fs::copy(support::repo().join("covers/cover.svg"), &image).unwrap();
    let text = |n: u32| format!("# 散步\n\n今天第{n}次去散步。\n\n![图](images/pic.svg)\n");
    std::fs::write(&essay, text(1)).unwrap();
    let served = serve(book, &["散步.md"]);
    assert_eq!(served.status()["title"], "散步");
    // Twice: a watch on the essay's inode would be lost after the first.
    for n in [2, 3] {
        let new = essay.with_extension("new");
        std::fs::write(&new, text(n)).unwrap();
        std::fs::rename(&new, &essay).unwrap();
        served.wait_for(Duration::from_secs(2), |s| s["generation"] == n);
        assert!(
            served
                .epub_text("/book.epub")
                .contains(&format!("今天第{n}次去散步"))
        );
    }
    append(&image, "<!-- redrawn -->\n");
    served.wait_for(Duration::from_secs(2), |s| s["generation"] == 4);
    std::fs::write(essay.with_file_name("images/notes.txt"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(served.status()["generation"], 4, "{}", served.stderr());
}

#[test]
fn events_announce_each_build_and_error() {
    let served = serve(sample_book(), &["content/"]);
    let address = served.base.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET /events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let events = read_events(stream);
    let first = events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(first.contains("Content-Type: text/event-stream"), "{first}");
    assert!(first.contains("Cache-Control: no-store"), "{first}");
    let next = |what: &str| {
        let event = events
            .recv_timeout(Duration::from_secs(3))
            .unwrap_or_else(|_| panic!("no {what} event: {}", served.stderr()));
        assert!(!event.contains(PAID), "{event}");
        event
    };
    assert_eq!(next("current"), "event: build\ndata: {\"generation\":1}");

    let morning = served.essay("01-晨读.txt");
    let mut broken = BINARY.to_vec();
    broken.extend(std::fs::read(&morning).unwrap());
    std::fs::write(&morning, broken).unwrap();
    let error = next("error");
    assert!(
        error.starts_with("event: error\ndata: {\"generation\":1,\"message\":\""),
        "{error}"
    );
    assert!(error.contains("01-晨读.txt"), "{error}");

    std::fs::copy(support::repo().join("content/01-晨读.txt"), &morning).unwrap();
    assert_eq!(next("build"), "event: build\ndata: {\"generation\":2}");
}

/// The blocks of an event stream (the response head first), as they arrive.
fn read_events(stream: TcpStream) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut block = String::new();
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                if !block.is_empty() && sender.send(std::mem::take(&mut block)).is_err() {
                    return;
                }
            } else {
                if !block.is_empty() {
                    block.push('\n');
                }
                block.push_str(line);
            }
        }
    });
    receiver
}

#[test]
fn only_get_on_known_paths_is_answered() {
    let served = serve(sample_book(), &["content/"]);
    let post = request(&served.base, "POST", "/book.epub");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET"));
    assert_eq!(request(&served.base, "PUT", "/").status, 405);
    // The essay's own path, as a browser would send it, is not served either.
    let essay = "/content/01-%E6%99%A8%E8%AF%BB.txt";
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/etc/passwd",
        essay,
        "/reader/../../x",
    ] {
        assert_eq!(served.get(path).status, 404, "{path}");
    }
    assert_eq!(served.get("/book.epub?layout=x").status, 400);
    assert_eq!(
        served.get("/book.full.epub?layout=vertical&x=1").status,
        400
    );
}

#[test]
fn a_first_build_that_fails_is_served_as_an_error_until_fixed() {
    let book = sample_book();
    let walk = book.path().join("content/03-走路.txt");
    std::fs::write(&walk, BINARY).unwrap();
    let served = serve(book, &["content/"]);
    let status = served.status();
    assert_eq!(status["generation"], 0);
    assert!(
        status["error"].as_str().unwrap().contains("03-走路.txt"),
        "{status}"
    );
    let book = served.get("/book.epub");
    assert_eq!(book.status, 503);
    assert!(book.text().contains("03-走路.txt"), "{}", book.text());
    assert_eq!(served.get("/").status, 200);
    std::fs::copy(support::repo().join("content/03-走路.txt"), &walk).unwrap();
    served.wait_for(Duration::from_secs(2), |s| s["generation"] == 1);
    assert!(served.epub_text("/book.epub").contains(FREE));
}

#[test]
fn a_taken_port_is_a_usage_mistake_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let book = sample_book();
    let output = support::wenji(book.path(), &["serve", "content/", "--port", &port]);
    let stderr = support::stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("port {port}")), "{stderr}");
    assert!(stderr.contains("--port 0"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly_leaving_no_file() {
    let mut served = serve(sample_book(), &["content/"]);
    let listing = |dir: &Path| -> Vec<PathBuf> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .collect()
    };
    let before = listing(served.book.path());
    served.epub("/book.full.epub?layout=vertical");
    let interrupted = Command::new("kill")
        .args(["-INT", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(3), "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{}", served.stderr());
    assert_eq!(listing(served.book.path()), before);
}
