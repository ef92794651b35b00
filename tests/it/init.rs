//! `wenji init` end to end, and the summary line `wenji build` ends with:
//! the scaffold builds at once, its preview holds none of its paid text,
//! and a second `init` never changes a file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::*;

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                found.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    found
}

/// Runs of four or more Han characters in the paid parts of `source`
/// (well-formed markers only): text a preview must not hold.
fn paid_han_runs(source: &str) -> Vec<String> {
    let mut runs = Vec::new();
    for chunk in source.split("##paidbegin##").skip(1) {
        let paid = chunk.split("##paidend##").next().unwrap();
        for run in paid.split(|c| !('\u{4e00}'..='\u{9fff}').contains(&c)) {
            if run.chars().count() >= 4 {
                runs.push(run.to_string());
            }
        }
    }
    runs
}

/// The essay `init` wrote into `content`.
fn example_essay(content: &Path) -> String {
    let essays: Vec<_> = fs::read_dir(content)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "txt"))
        .collect();
    assert_eq!(essays.len(), 1, "{essays:?}");
    fs::read_to_string(&essays[0]).unwrap()
}

/// The summary: the last line wenji printed on stderr.
fn summary_line(output: &std::process::Output) -> String {
    let err = stderr(output);
    err.lines().last().unwrap_or_default().to_string()
}

/// The number before `word` in `line` (`3 chapters` → 3), commas dropped.
fn number_before(line: &str, word: &str) -> usize {
    let before = &line[..line.find(word).unwrap_or_else(|| panic!("{word}: {line}"))];
    let number = before.trim_end().rsplit(' ').next().unwrap();
    number
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{line}"))
}

#[test]
fn init_makes_a_book_that_builds_and_whose_preview_holds_no_paid_text() {
    let dir = tempfile::tempdir().unwrap();
    let output = ok(wenji(dir.path(), &["init", "mybook"]));
    let listed = String::from_utf8(output.stdout).unwrap();
    for name in [
        "mybook/content/wenji.toml",
        "mybook/covers/README.md",
        "mybook/.gitignore",
    ] {
        assert!(listed.contains(&format!("created {name}\n")), "{listed}");
    }
    assert!(
        listed.contains("wenji build mybook/content/ -o book.epub"),
        "{listed}"
    );
    assert!(listed.contains("wenji serve mybook/content/"), "{listed}");
    assert_eq!(
        fs::read_to_string(dir.path().join("mybook/.gitignore"))
            .unwrap()
            .lines()
            .filter(|line| *line == "*.epub")
            .count(),
        1
    );

    let book = dir.path().join("mybook");
    let paid = paid_han_runs(&example_essay(&book.join("content")));
    assert!(paid.len() >= 3, "{paid:?}");
    for layout in ["horizontal", "vertical"] {
        let built = ok(wenji(
            dir.path(),
            &[
                "build",
                "mybook/content/",
                "--edition",
                "both",
                "--layout",
                layout,
                "-o",
                "out.epub",
            ],
        ));
        let err = stderr(&built);
        assert!(err.contains("settings: mybook/content/wenji.toml"), "{err}");
        assert!(!err.contains("warning"), "{err}");
        let preview = everything(&entries(&dir.path().join("out.epub")));
        let full = everything(&entries(&dir.path().join("out.full.epub")));
        for run in &paid {
            assert!(
                !preview.contains(run.as_str()),
                "{layout}: {run} in the preview"
            );
            assert!(
                full.contains(run.as_str()),
                "{layout}: {run} not in the full"
            );
            assert!(!err.contains(run.as_str()), "{layout}: {run} on stderr");
        }
        let line = summary_line(&built);
        assert!(
            line.ends_with("wrote out.epub (preview) and out.full.epub (full)"),
            "{line}"
        );
        assert_eq!(number_before(&line, "chapter"), 1, "{line}");
        assert!(number_before(&line, "paid characters") > 0, "{line}");
    }
}

#[test]
fn init_twice_changes_nothing_and_keeps_an_edited_config_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    ok(wenji(dir.path(), &["init", "book"]));
    let config = book.join("content/wenji.toml");
    let mine = b"# mine\r\ntitle = \"\xe6\x88\x91\"\r\n";
    fs::write(&config, mine).unwrap();
    let before = files(&book);
    assert_eq!(before.len(), 4, "{:?}", before.keys());

    let again = ok(wenji(dir.path(), &["init", "book"]));
    let listed = String::from_utf8(again.stdout).unwrap();
    assert!(!listed.contains("created"), "{listed}");
    for name in before.keys() {
        let shown = Path::new("book").join(name).display().to_string();
        assert!(
            listed.contains(&format!("kept existing {shown}\n")),
            "{listed}"
        );
    }
    assert_eq!(files(&book), before);
    assert_eq!(fs::read(&config).unwrap(), mine);
}

#[test]
fn init_without_a_folder_makes_the_book_in_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let output = ok(wenji(dir.path(), &["init"]));
    let listed = String::from_utf8(output.stdout).unwrap();
    assert!(listed.contains("created content/wenji.toml\n"), "{listed}");
    assert!(
        listed.contains("wenji build content/ -o book.epub"),
        "{listed}"
    );
    assert!(dir.path().join("content/wenji.toml").is_file());
    assert!(dir.path().join("covers").is_dir());
}

#[test]
fn init_into_a_file_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let output = wenji(dir.path(), &["init", "notes.txt"]);
    assert_fails_with(&output, "notes.txt");
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn build_ends_with_a_summary_of_the_sample_book() {
    let dir = tempfile::tempdir().unwrap();
    let content = repo().join("content");
    let out = dir.path().join("sample.epub");
    let built = ok(wenji(
        dir.path(),
        &[
            "build",
            content.to_str().unwrap(),
            "--edition",
            "both",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    let line = summary_line(&built);

    let entries = entries(&out);
    let nav = text(&entries, "OEBPS/nav.xhtml");
    let toc = nav.split("</nav>").next().unwrap();
    let chapters = toc
        .split("<a href=\"")
        .skip(1)
        .filter(|link| !link.split('"').next().unwrap().contains('#'))
        .count();
    assert!(chapters > 1, "{toc}");
    assert_eq!(number_before(&line, "chapters"), chapters, "{line}");
    assert!(number_before(&line, "free +") > 0, "{line}");
    assert!(number_before(&line, "paid characters") > 0, "{line}");
    assert!(line.contains("to read (full)"), "{line}");
    let title = line.split(':').next().unwrap();
    assert!(
        text(&entries, "OEBPS/package.opf").contains(&format!(">{title}")),
        "{line}"
    );
    assert!(
        line.ends_with(&format!(
            "wrote {} (preview) and {} (full)",
            out.display(),
            dir.path().join("sample.full.epub").display()
        )),
        "{line}"
    );
    for run in paid_han_runs(&fs::read_to_string(content.join("01-晨读.txt")).unwrap()) {
        assert!(!line.contains(run.as_str()), "{line}");
    }

    // The preview alone is timed as the preview: its free text only.
    let preview_only = ok(wenji(
        dir.path(),
        &["build", content.to_str().unwrap(), "-o", "p.epub"],
    ));
    let line = summary_line(&preview_only);
    assert!(
        line.contains("to read (preview), wrote p.epub (preview)"),
        "{line}"
    );
}

#[test]
fn reading_time_counts_words_in_english_and_characters_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    // 2,300 words at 230 a minute, 3,000 characters at 300 a minute: 10 min.
    let english = format!("A Walk\n\n{}\n", "step ".repeat(2300 - 2));
    let chinese = format!("散步\n\n{}\n", "走".repeat(3000 - 2));
    for (name, essay) in [("walk.txt", english), ("sanbu.txt", chinese)] {
        fs::write(dir.path().join(name), essay).unwrap();
        let built = ok(wenji(dir.path(), &["build", name, "-o", "out.epub"]));
        let line = summary_line(&built);
        assert!(line.contains("about 10 min to read (preview)"), "{line}");
    }
}

#[test]
fn a_cover_in_the_book_roots_covers_folder_is_found() {
    let dir = tempfile::tempdir().unwrap();
    ok(wenji(dir.path(), &["init", "mybook"]));
    let cover = fs::read(repo().join("tests/fixtures/markdown/images/ink.png")).unwrap();
    fs::write(dir.path().join("mybook/covers/cover.png"), &cover).unwrap();
    ok(wenji(
        dir.path(),
        &["build", "mybook/content/", "-o", "book.epub"],
    ));
    let book = entries(&dir.path().join("book.epub"));
    let packed = book
        .iter()
        .find(|entry| entry.name == "OEBPS/images/cover.png")
        .expect("the cover from mybook/covers/ is packed");
    assert_eq!(packed.data, cover);
}
