//! `wenji serve`: the book in a reader in the browser while it is written.
//! The book is built in memory (nothing is ever written to disk), served
//! over HTTP ([`http`]), and rebuilt whenever a file it is made of changes
//! ([`watch`]); open pages hear of each build or error as server-sent
//! events ([`events`]). A failed build keeps the last good books served
//! ([`state`]) and reports wenji's ordinary error text, which never quotes
//! paid text.

mod assets;
mod events;
mod http;
mod state;
mod watch;

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use wenji::settings::{self, Options};
use wenji::{Book, Edition, Result, Warning, build, output};

use crate::cli::ServeArgs;
use events::{Broadcast, Event};
use state::Site;
use watch::{Changes, Plan, Watcher};

/// Runs `wenji serve` until Ctrl-C: exit status 0 then, 2 when the port
/// cannot be had, 1 when serving cannot start at all. A book that does not
/// build is no reason to stop: the error is served instead.
pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let modified = crate::source_date_epoch(args.book.strict)?;
    let listener = match listen(&args.host, args.port) {
        Ok(listener) => listener,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => return Ok(cannot_serve(&error.to_string())),
    };
    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {address}: the book, paid text included, can be read by \
             anyone who can reach this computer over the network; leave out --host to keep it \
             to this computer"
        );
    }
    let server = match tiny_http::Server::from_listener(listener, None) {
        Ok(server) => Arc::new(server),
        Err(error) => return Ok(cannot_serve(&error.to_string())),
    };
    let (stop, stopped) = std::sync::mpsc::channel();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = stop.send(());
    }) {
        return Ok(cannot_serve(&format!("cannot catch Ctrl-C: {error}")));
    }

    let builder = Builder {
        args: args.clone(),
        modified,
        site: Arc::new(Site::new(provisional_title(&args.inputs))),
        events: Arc::new(Broadcast::default()),
    };
    let watcher = match Watcher::new() {
        Ok((mut watcher, changes)) => {
            watcher.follow(builder.plan(None));
            Some((watcher, changes))
        }
        Err(error) => {
            eprintln!("warning: cannot watch files ({error}); restart wenji serve to see changes");
            None
        }
    };
    let plan = builder.build(true);
    http::serve(server, builder.site.clone(), builder.events.clone());
    let url = format!("http://{address}/");
    eprintln!(
        "serving {} at {url} (Ctrl-C to stop)",
        builder.site.status().title
    );
    if args.open
        && let Err(error) = opener::open_browser(&url)
    {
        eprintln!("warning: cannot open a web browser ({error}); open {url} yourself");
    }
    if let Some((mut watcher, changes)) = watcher {
        watcher.follow(plan);
        std::thread::spawn(move || rebuild_on_changes(&builder, watcher, &changes));
    }
    let _ = stopped.recv();
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Listens on `host`:`port`; the error says what to do, for a usage
/// mistake (exit 2).
fn listen(host: &str, port: u16) -> std::result::Result<TcpListener, String> {
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|error| format!("--host {host}: not an address to listen on ({error})"))?
        .collect();
    TcpListener::bind(&addresses[..]).map_err(|error| match error.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {port} on {host} is already in use (another wenji serve?); \
             choose another with --port N, or --port 0 for any free port"
        ),
        _ => format!(
            "cannot listen on {host} port {port} ({error}); \
             choose another with --port N, or --port 0 for any free port"
        ),
    })
}

/// Prints why serving cannot start; exit status 1.
fn cannot_serve(reason: &str) -> ExitCode {
    eprintln!("error: cannot serve the book: {reason}");
    ExitCode::FAILURE
}

/// What `/status` calls the book until a build gives its title: the
/// folder's or the first essay's name.
fn provisional_title(inputs: &[PathBuf]) -> String {
    inputs
        .first()
        .map(|input| {
            let name = if input.is_dir() {
                input
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(ToOwned::to_owned))
            } else {
                input.file_stem().map(ToOwned::to_owned)
            };
            name.map_or_else(
                || input.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .unwrap_or_default()
}

/// Rebuilds after every burst of changes that touches the book, and
/// follows what the new build reads. Changes that arrive during a build
/// start the next one.
fn rebuild_on_changes(builder: &Builder, mut watcher: Watcher, changes: &Changes) {
    while watcher.next_change(changes) {
        watcher.follow(builder.build(false));
    }
}

/// Builds the book as the command line says and hands the result to the
/// site and the open pages.
struct Builder {
    args: ServeArgs,
    modified: Option<i64>,
    site: Arc<Site>,
    events: Arc<Broadcast>,
}

impl Builder {
    /// Builds the book and both editions in the configured layout, serves
    /// them or records the error, prints the warnings and a summary, and
    /// returns what the build read, to be watched. `first` also names the
    /// settings file on stderr.
    fn build(&self, first: bool) -> Plan {
        let started = Instant::now();
        let args = &self.args;
        let options = args.book.options(
            &args.inputs,
            args.title.clone(),
            args.cover.clone(),
            None,
            self.modified,
            first,
        );
        let (options, built) = match options {
            Ok(options) => {
                let built = make(&args.inputs, &options);
                (Some(options), built)
            }
            Err(error) => (None, Err(error)),
        };
        match built {
            Ok(Built {
                book,
                warnings,
                epubs,
            }) => {
                for warning in &warnings {
                    eprintln!("warning: {warning}");
                }
                let chapters = book.essays.len();
                let generation = self.site.publish(book, epubs);
                let plural = if chapters == 1 { "" } else { "s" };
                eprintln!(
                    "built {chapters} chapter{plural}, generation {generation}, in {} ms",
                    started.elapsed().as_millis()
                );
                self.events.send(&Event::Build { generation });
            }
            Err(error) => {
                let message = error.to_string();
                eprintln!("error: {message}");
                let generation = self.site.fail(message.clone());
                if generation > 0 {
                    eprintln!("still serving generation {generation}; save a fix to rebuild");
                }
                self.events.send(&Event::Error {
                    generation,
                    message,
                });
            }
        }
        self.plan(options.as_ref())
    }

    /// What a build with `options` (when they could be resolved) reads.
    fn plan(&self, options: Option<&Options>) -> Plan {
        let folder = settings::inputs_folder(&self.args.inputs);
        let config = settings::config_path(self.args.book.config.as_deref(), &folder)
            .unwrap_or_else(|| folder.join(wenji::config::DEFAULT_NAME));
        Plan::new(&self.args.inputs, Some(&config), options)
    }
}

/// A book that built, ready to serve.
struct Built {
    book: Book,
    warnings: Vec<Warning>,
    /// Both editions in the book's layout.
    epubs: Vec<(Edition, Vec<u8>)>,
}

/// The book made of `inputs` with `options`, its warnings, and both
/// editions in its layout, made side by side.
fn make(inputs: &[PathBuf], options: &Options) -> Result<Built> {
    let (book, warnings) = build::load_book(inputs, options)?;
    let epub = |edition| output::epub_bytes(&book, edition, Path::new(state::book_name(edition)));
    let (preview, full) = rayon::join(|| epub(Edition::Preview), || epub(Edition::Full));
    let epubs = vec![(Edition::Preview, preview?), (Edition::Full, full?)];
    Ok(Built {
        book,
        warnings,
        epubs,
    })
}

/// Locks `mutex`, also after a thread panicked while holding it: the state
/// behind the server's locks is replaced whole, never left half-changed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
