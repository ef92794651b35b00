//! wenji (文集) turns essays into EPUB 3 books with CJK-friendly horizontal
//! or vertical typesetting, as a free preview edition or the full book.
//!
//! The pipeline, one module per stage:
//! 1. [`decode`]: bytes to text (encoding detection, line endings, XML-safe characters);
//! 2. [`parse`] (with [`paid`]): text to the [`essay`] model of free and paid parts;
//! 3. [`edition`]: the [`publication`] of one edition, which holds no paid/free distinction;
//! 4. [`typeset`]: XHTML pages, navigation, cover and CSS per [`typeset::Layout`];
//! 5. [`package`]: the OPF, nav, NCX and zip.
//!
//! [`build`] loads a [`book::Book`] from files and [`settings::Options`]
//! (resolved once from [`config`] and flags); [`output`] writes each edition
//! atomically.

pub mod batch;
pub mod book;
pub mod build;
pub mod config;
pub mod creator;
pub mod decode;
pub mod document;
pub mod edition;
pub mod error;
pub mod essay;
pub mod front_matter;
pub mod lang;
pub mod media;
pub mod metadata;
pub mod order;
pub mod output;
pub mod package;
pub mod paid;
pub mod parse;
pub mod publication;
pub mod serve;
pub mod settings;
pub mod typeset;
pub mod xml;

pub use book::Book;
pub use edition::{Edition, Editions};
pub use error::{Error, Result, Warning};
pub use typeset::Layout;
