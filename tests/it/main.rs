//! The integration tests, one binary (as ripgrep's and mdBook's): each
//! module below was once its own test crate, and linking them once instead
//! of seven times keeps `cargo test` quick. `support` is what they share:
//! running the real binary, unzipping what it wrote, reading entries back.
//! Run one module with `cargo test --test it leaks::`.

mod batch;
mod build;
mod cover;
mod encodings;
mod fuzz_regressions;
mod hostile;
mod init;
mod leaks;
mod markdown_book;
mod markdown_extensions;
mod markdown_inline;
mod metadata;
mod properties;
mod serve;
mod support;
