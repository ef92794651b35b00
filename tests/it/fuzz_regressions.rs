//! Replays every fuzz seed and kept crash input (`fuzz/seeds/<target>/`,
//! `fuzz/regressions/<target>/`) through decoding, both parsers and a whole
//! build, so `cargo test` keeps them fixed without cargo-fuzz: each either
//! fails with an error naming the file or gives a book whose XML parses (a
//! preview the guard refuses names the book and writes nothing).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use wenji::build;
use wenji::decode::{self, Reading};
use wenji::package::PackageError;
use wenji::parse::{self, Format, PlainRules};
use wenji::settings::Options;
use wenji::{Edition, output};

fn inputs() -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for kind in ["seeds", "regressions"] {
        for target in fs::read_dir(fuzz.join(kind)).unwrap() {
            for file in fs::read_dir(target.unwrap().path()).unwrap() {
                files.push(file.unwrap().path());
            }
        }
    }
    files.sort();
    files
}

fn assert_book_parses(epub: &Path) {
    let mut archive = zip::ZipArchive::new(fs::File::open(epub).unwrap()).unwrap();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        if [".xhtml", ".opf", ".ncx"].iter().any(|e| name.ends_with(e)) {
            entry.read_to_string(&mut text).unwrap();
            let options = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            roxmltree::Document::parse_with_options(&text, options)
                .unwrap_or_else(|e| panic!("{name} of {}: {e}", epub.display()));
        }
    }
}

#[test]
fn fuzz_seeds_and_regressions_stay_fixed() {
    let inputs = inputs();
    assert!(inputs.len() >= 10, "{} fuzz inputs", inputs.len());
    for input in inputs {
        let bytes = fs::read(&input).unwrap();
        for lossy in [false, true] {
            let reading = Reading {
                encoding: None,
                lossy,
            };
            let Ok(decoded) = decode::decode(&input, &bytes, reading) else {
                continue;
            };
            for format in [Format::Text, Format::Markdown] {
                let _ = parse::parse(&input, &decoded.text, format, &PlainRules::default());
            }
        }
        let dir = tempfile::tempdir().unwrap();
        for name in ["essay.txt", "essay.md"] {
            let essay = dir.path().join(name);
            fs::write(&essay, &bytes).unwrap();
            let options = Options {
                base_dir: dir.path().to_path_buf(),
                modified: Some(1_700_000_000),
                ..Options::default()
            };
            match build::load_book(std::slice::from_ref(&essay), &options) {
                Ok((book, _)) => {
                    for edition in [Edition::Preview, Edition::Full] {
                        let target = dir.path().join(format!("{edition:?}.epub"));
                        match output::write_book(&book, edition, &target) {
                            Ok(()) => assert_book_parses(&target),
                            // The guard may refuse a book that would show a
                            // marker shape; nothing else, and nothing is written.
                            Err(err) => {
                                let refused = matches!(
                                    &err,
                                    wenji::Error::Package {
                                        source: PackageError::MarkerShown(_),
                                        ..
                                    }
                                );
                                assert!(refused, "{}: {err}", input.display());
                                assert!(
                                    err.to_string().starts_with(&target.display().to_string())
                                        && !target.exists(),
                                    "{}: {err}",
                                    input.display()
                                );
                            }
                        }
                    }
                }
                Err(err) => assert!(
                    err.to_string().starts_with(&essay.display().to_string()),
                    "{}: {err}",
                    input.display()
                ),
            }
        }
    }
}
