//! What the server serves: the books of the last good build (the
//! generation), the last build's error, and the EPUBs made from them —
//! both editions in the configured layout at once, the other layout on the
//! first request for it, each kept until the next build.

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use wenji::{Book, Edition, Layout, output};

use super::lock;

/// An EPUB in memory, shared by the requests that send it.
pub type Epub = Arc<Vec<u8>>;

/// The served state, shared by the builder and the request threads.
#[derive(Debug)]
pub struct Site {
    current: Mutex<Current>,
    /// Held while a book of the other layout is made, so that requests
    /// arriving together make it once.
    on_demand: Mutex<()>,
}

#[derive(Debug)]
struct Current {
    /// Successful builds so far.
    generation: u64,
    /// The last good book; `None` until a build succeeds.
    book: Option<Arc<Book>>,
    /// The last build's error, if it failed.
    error: Option<String>,
    /// The title before any build succeeded.
    provisional_title: String,
    /// EPUBs of `book` made so far (four at most).
    epubs: Vec<(Edition, Layout, Epub)>,
}

/// `GET /status`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Status {
    /// Successful builds so far (0 until the first).
    pub generation: u64,
    /// The book's title.
    pub title: String,
    /// The layout served when a request names none.
    pub layout: &'static str,
    /// The last build's error, if it failed.
    pub error: Option<String>,
}

/// Why a book cannot be sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// No build has succeeded yet; the text says why.
    NotYetBuilt(String),
    /// The other layout could not be made; wenji's error text.
    Failed(String),
}

impl Site {
    /// Nothing built yet; `title` is shown until a build gives the real one.
    pub fn new(title: String) -> Site {
        Site {
            current: Mutex::new(Current {
                generation: 0,
                book: None,
                error: None,
                provisional_title: title,
                epubs: Vec::new(),
            }),
            on_demand: Mutex::new(()),
        }
    }

    /// Serves `book` and its `epubs` (in `book.layout`) from now on, clears
    /// the error, and returns the new generation.
    pub fn publish(&self, book: Book, epubs: Vec<(Edition, Vec<u8>)>) -> u64 {
        let mut current = lock(&self.current);
        current.generation += 1;
        current.error = None;
        current.epubs = epubs
            .into_iter()
            .map(|(edition, bytes)| (edition, book.layout, Arc::new(bytes)))
            .collect();
        current.book = Some(Arc::new(book));
        current.generation
    }

    /// Records a failed build, keeping the last good books; returns the
    /// generation still served.
    pub fn fail(&self, message: String) -> u64 {
        let mut current = lock(&self.current);
        current.error = Some(message);
        current.generation
    }

    /// The state as `/status` tells it.
    pub fn status(&self) -> Status {
        let current = lock(&self.current);
        Status {
            generation: current.generation,
            title: current
                .book
                .as_ref()
                .map_or_else(|| current.provisional_title.clone(), |b| b.title.clone()),
            layout: layout_name(current.layout()),
            error: current.error.clone(),
        }
    }

    /// The EPUB of `edition` in `layout` (`None`: the configured one), made
    /// now if it is the first request for this layout since the last build.
    pub fn epub(&self, edition: Edition, layout: Option<Layout>) -> Result<Epub, Unavailable> {
        let (generation, book, layout) = {
            let current = lock(&self.current);
            let Some(book) = current.book.clone() else {
                return Err(Unavailable::NotYetBuilt(
                    current.error.clone().unwrap_or_else(|| {
                        "the book is still being built; try again in a moment".to_string()
                    }),
                ));
            };
            let layout = layout.unwrap_or(book.layout);
            if let Some(epub) = current.epub(edition, layout) {
                return Ok(epub);
            }
            (current.generation, book, layout)
        };
        let _making = lock(&self.on_demand);
        if let Some(epub) = self.cached(generation, edition, layout) {
            return Ok(epub);
        }
        let mut other = Book::clone(&book);
        other.layout = layout;
        let bytes = output::epub_bytes(&other, edition, Path::new(book_name(edition)))
            .map_err(|error| Unavailable::Failed(error.to_string()))?;
        let epub = Arc::new(bytes);
        let mut current = lock(&self.current);
        if current.generation == generation {
            current.epubs.push((edition, layout, epub.clone()));
        }
        Ok(epub)
    }

    /// The EPUB already made for `generation`, if that is still the one served.
    fn cached(&self, generation: u64, edition: Edition, layout: Layout) -> Option<Epub> {
        let current = lock(&self.current);
        (current.generation == generation)
            .then(|| current.epub(edition, layout))
            .flatten()
    }
}

impl Current {
    /// The EPUB of `edition` in `layout`, if made.
    fn epub(&self, edition: Edition, layout: Layout) -> Option<Epub> {
        self.epubs
            .iter()
            .find(|(e, l, _)| (*e, *l) == (edition, layout))
            .map(|(_, _, epub)| epub.clone())
    }

    /// The layout served when a request names none.
    fn layout(&self) -> Layout {
        self.book.as_ref().map_or(Layout::Horizontal, |b| b.layout)
    }
}

/// The route, and the name errors give, of `edition`'s book.
pub fn book_name(edition: Edition) -> &'static str {
    match edition {
        Edition::Preview => "book.epub",
        Edition::Full => "book.full.epub",
    }
}

/// `layout` as the command line and `/status` spell it.
pub fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Horizontal => "horizontal",
        Layout::Vertical => "vertical",
    }
}
