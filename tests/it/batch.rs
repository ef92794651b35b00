//! `wenji batch` end to end: bad essays mixed in, shards, incremental
//! reruns, interruption, the report.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use wenji::batch::freshness::STATE_DIR;

fn wenji(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .envs(env.iter().copied())
        .output()
        .expect("wenji runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A catalogue of `n` good essays in nested folders, a third with paid parts.
fn catalogue(root: &Path, n: usize) {
    for i in 0..n {
        let folder = root.join(format!("in/group{}", i % 4));
        fs::create_dir_all(&folder).unwrap();
        let paid = if i % 3 == 0 {
            "##paidbegin##付费的一段。\n##paidend##\n"
        } else {
            ""
        };
        fs::write(
            folder.join(format!("{i}.txt")),
            format!("第{i}篇\n免费的一段。\n{paid}结尾。\n"),
        )
        .unwrap();
    }
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> BTreeSet<String> {
    walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Every file under `dir` but the digests in its `.wenji/` state folder.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.file_name() == Some(STATE_DIR.as_ref()) {
                continue;
            }
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn is_whole_epub(path: &Path) -> bool {
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return false;
    };
    (0..archive.len()).all(|i| {
        let mut entry = archive.by_index(i).unwrap();
        std::io::copy(&mut entry, &mut std::io::sink()).is_ok()
    })
}

#[test]
fn bad_essays_are_reported_and_the_rest_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 6);
    fs::write(root.join("in/binary.txt"), b"PK\x03\x04\0\0\0\0").unwrap();
    fs::write(root.join("in/empty.md"), "   \n").unwrap();
    fs::write(
        root.join("in/group1/bad-bytes.txt"),
        b"title\n\xff\xfe\xfa\n",
    )
    .unwrap();
    let output = wenji(
        root,
        &[
            "batch",
            "in",
            "-o",
            "out",
            "--edition",
            "both",
            "--report",
            "report.json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("error: in/binary.txt: this is not a text file"),
        "{err}"
    );
    assert!(
        err.contains("error: in/empty.md: the essay is empty"),
        "{err}"
    );
    assert!(err.contains("error: in/group1/bad-bytes.txt:2:"), "{err}");
    assert!(
        err.contains("6 built (12 books), 0 skipped, 3 failed"),
        "{err}"
    );
    let books = files(&root.join("out"));
    assert_eq!(books.len(), 12);
    assert!(books.contains("group0/0.epub") && books.contains("group0/0.full.epub"));

    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("report.json")).unwrap()).unwrap();
    let essays = report["essays"].as_array().unwrap();
    assert_eq!(essays.len(), 9);
    let zero = essays
        .iter()
        .find(|e| e["input"] == "in/group0/0.txt")
        .unwrap();
    assert_eq!(zero["status"], "built");
    assert_eq!(zero["title"], "第0篇");
    assert_eq!(zero["outputs"][0], "out/group0/0.epub");
    assert_eq!(zero["outputs"][1], "out/group0/0.full.epub");
    assert_eq!(zero["free_chars"], 3 + 6 + 3);
    assert_eq!(zero["paid_chars"], 6);
    let binary = essays
        .iter()
        .find(|e| e["input"] == "in/binary.txt")
        .unwrap();
    assert_eq!(binary["status"], "failed");
    assert!(
        binary["error"]
            .as_str()
            .unwrap()
            .contains("not a text file")
    );
    let totals = &report["totals"];
    assert_eq!(
        (
            totals["essays"].as_u64(),
            totals["built"].as_u64(),
            totals["failed"].as_u64()
        ),
        (Some(9), Some(6), Some(3))
    );
    assert_eq!(totals["books_written"], 12);
    assert_eq!(totals["paid_chars"], 12);
}

#[test]
fn shards_partition_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 40);
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let out = format!("out{k}");
        let shard = format!("{k}/3");
        let output = wenji(
            root,
            &["batch", "in", "-o", &out, "--shard", &shard, "--quiet"],
            &[],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            output.stderr.is_empty(),
            "--quiet printed: {}",
            stderr(&output)
        );
        let part = files(&root.join(&out));
        assert!(!part.is_empty(), "shard {shard} is empty");
        total += part.len();
        seen.extend(part);
    }
    assert_eq!(total, 40, "a book was built by two shards");
    assert_eq!(seen.len(), 40);
    // --shard auto reads a Kubernetes Indexed Job's variables (0-based index).
    let env = [("JOB_COMPLETION_INDEX", "1"), ("WENJI_SHARD_COUNT", "3")];
    let output = wenji(
        root,
        &["batch", "in", "-o", "auto", "--shard", "auto"],
        &env,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(files(&root.join("auto")), files(&root.join("out2")));
    let bad = wenji(root, &["batch", "in", "-o", "x", "--shard", "4/3"], &[]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn reruns_skip_fresh_books_and_finish_interrupted_work() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 12);
    let first = wenji(root, &["batch", "in", "-o", "out"], &[]);
    assert!(first.status.success());
    assert!(stderr(&first).contains("12 built (12 books), 0 skipped, 0 failed"));

    // Simulate an interrupted run: two books missing, a temporary file left behind.
    fs::remove_file(root.join("out/group1/1.epub")).unwrap();
    fs::remove_file(root.join("out/group2/6.epub")).unwrap();
    let stale = format!(".wenji-{}-4999999-abc.tmp", wenji::output::host_tag());
    fs::write(root.join("out/group1").join(stale), "partial").unwrap();
    // An essay edited after its book was made.
    std::thread::sleep(Duration::from_millis(20));
    fs::write(root.join("in/group3/3.txt"), "第3篇（改）\n改过的一段。\n").unwrap();

    let second = wenji(root, &["batch", "in", "-o", "out"], &[]);
    assert!(second.status.success());
    assert!(
        stderr(&second).contains("3 built (3 books), 9 skipped, 0 failed"),
        "{}",
        stderr(&second)
    );
    assert!(
        !files(&root.join("out"))
            .iter()
            .any(|f| f.contains(".wenji-"))
    );
    assert_eq!(files(&root.join("out")).len(), 12);

    let forced = wenji(root, &["batch", "in", "-o", "out", "--force"], &[]);
    assert!(stderr(&forced).contains("12 built (12 books), 0 skipped"));
}

#[test]
fn a_killed_batch_leaves_only_whole_books_and_the_next_run_finishes() {
    // Killed early (planning, first books), midway and late.
    for delay in [20, 150, 600] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        catalogue(root, 1200);
        let mut child = Command::new(env!("CARGO_BIN_EXE_wenji"))
            // Without PNG covers, which would slow the batch down tenfold
            // and move the kills to earlier books.
            .args(["batch", "in", "-o", "out", "--edition", "both", "--quiet"])
            .arg("--no-raster-cover")
            .current_dir(root)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let left = walk(&root.join("out"));
        let books: Vec<_> = left
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "epub"))
            .collect();
        eprintln!("killed after {delay} ms: {} of 2400 books", books.len());
        for book in books {
            assert!(
                is_whole_epub(book),
                "{} is not a whole book",
                book.display()
            );
        }
        let rerun = wenji(
            root,
            &[
                "batch",
                "in",
                "-o",
                "out",
                "--edition",
                "both",
                "--no-raster-cover",
            ],
            &[],
        );
        assert!(rerun.status.success(), "{}", stderr(&rerun));
        let books = files(&root.join("out"));
        assert_eq!(books.len(), 2400, "{} books", books.len());
        assert!(
            books.iter().all(|b| b.ends_with(".epub")),
            "stray files left"
        );
        assert!(walk(&root.join("out")).iter().all(|b| is_whole_epub(b)));
    }
}

#[test]
fn links_out_of_the_catalogue_and_loops_are_skipped_with_a_warning() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("private.txt"), "私密\n不该出现。\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 4);
    std::os::unix::fs::symlink(outside.path().join("private.txt"), root.join("in/leak.txt"))
        .unwrap();
    std::os::unix::fs::symlink(root.join("in"), root.join("in/group0/loop")).unwrap();
    let output = wenji(root, &["batch", "in", "-o", "out"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("leak.txt: symbolic link leading out of in; skipped"),
        "{err}"
    );
    assert!(err.contains("loop: symbolic link loop; skipped"), "{err}");
    let books = files(&root.join("out"));
    assert_eq!(books.len(), 4, "{books:?}");
}

#[test]
fn a_collection_of_thousands_of_essays_is_one_book() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 2000);
    let output = wenji(
        root,
        &["build", "in", "--title", "大集", "-o", "all.epub"],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let mut archive = zip::ZipArchive::new(fs::File::open(root.join("all.epub")).unwrap()).unwrap();
    let mut nav = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("OEBPS/nav.xhtml").unwrap(), &mut nav)
        .unwrap();
    assert_eq!(nav.matches("<li><a href=\"c").count(), 2000);
    assert!(archive.by_name("OEBPS/c2000.xhtml").is_ok());
}

#[test]
fn essays_sharing_a_book_conflict_even_across_shards() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("in")).unwrap();
    fs::write(root.join("in/a.md"), "# A\n\nmd\n").unwrap();
    fs::write(root.join("in/a.txt"), "A\ntxt\n").unwrap();
    let mut failures = 0;
    for shard in ["1/2", "2/2"] {
        let output = wenji(root, &["batch", "in", "-o", "out", "--shard", shard], &[]);
        if !output.status.success() {
            failures += 1;
            assert!(
                stderr(&output).contains("rename one of them"),
                "{}",
                stderr(&output)
            );
        }
    }
    assert_eq!(
        failures, 1,
        "exactly the shard holding the second essay reports the conflict"
    );
    let file = wenji(root, &["batch", "in/a.md", "-o", "out"], &[]);
    assert_eq!(file.status.code(), Some(1));
    assert!(stderr(&file).contains("wenji batch takes a folder"));
    let missing = wenji(root, &["batch", "no-such-folder", "-o", "out"], &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no-such-folder: cannot read it"),
        "{}",
        stderr(&missing)
    );
}

/// Every entry of the archive at `path`, decompressed and joined, with the
/// entry names: whatever a reader of the book could see.
fn archive_text(path: &Path) -> String {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        all.push_str(&entry.name().unwrap());
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        all.push_str(&String::from_utf8_lossy(&bytes));
    }
    all
}

/// Sets `path`'s modification time to `seconds` after 1970, as `cp -p` or
/// `rsync -a` carry an older time along with new bytes.
fn set_mtime(path: &Path, seconds: u64) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + Duration::from_secs(seconds))
        .unwrap();
}

fn summary_of(output: &Output) -> String {
    let err = stderr(output);
    assert!(output.status.success(), "{err}");
    err.lines().last().unwrap_or_default().to_string()
}

#[test]
fn an_essay_copied_in_with_an_older_time_is_rebuilt_and_its_new_paid_text_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 6);
    let args = ["batch", "in", "-o", "out", "--edition", "both"];
    let first = wenji(root, &args, &[]);
    assert!(summary_of(&first).starts_with("6 built (12 books), 0 skipped"));
    let unchanged = wenji(root, &args, &[]);
    assert!(summary_of(&unchanged).starts_with("0 built (0 books), 6 skipped"));

    // The author moves a sentence behind the paywall; the copy keeps an
    // old modification time, older than the book.
    let essay = root.join("in/group1/1.txt");
    fs::write(
        &essay,
        "第1篇\n免费的一段。\n##paidbegin##\n这句现在要付费。\n##paidend##\n",
    )
    .unwrap();
    set_mtime(&essay, 1_000_000);
    let rerun = wenji(root, &args, &[]);
    assert!(
        summary_of(&rerun).starts_with("1 built (2 books), 5 skipped"),
        "{}",
        stderr(&rerun)
    );
    let preview = archive_text(&root.join("out/group1/1.epub"));
    assert!(preview.contains("免费的一段"));
    assert!(!preview.contains("这句现在要付费"), "the preview leaks");
    assert!(archive_text(&root.join("out/group1/1.full.epub")).contains("这句现在要付费"));

    // A touch alone (new time, same bytes) rebuilds nothing.
    set_mtime(&essay, 4_000_000_000);
    let touched = wenji(root, &args, &[]);
    assert!(summary_of(&touched).starts_with("0 built (0 books), 6 skipped"));
}

#[test]
fn a_changed_layout_or_encoding_rebuilds_and_an_unchanged_rerun_skips() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 5);
    let run = |extra: &[&str]| {
        let mut args = vec!["batch", "in", "-o", "out"];
        args.extend_from_slice(extra);
        summary_of(&wenji(root, &args, &[]))
    };
    assert!(run(&[]).starts_with("5 built"));
    assert!(run(&[]).starts_with("0 built (0 books), 5 skipped"));
    assert!(run(&["--layout", "vertical"]).starts_with("5 built (5 books), 0 skipped"));
    let vertical = archive_text(&root.join("out/group0/0.epub"));
    assert!(
        vertical.contains("vertical-rl"),
        "the books were not rebuilt"
    );
    assert!(run(&["--layout", "vertical"]).starts_with("0 built (0 books), 5 skipped"));
    assert!(run(&["--layout", "vertical", "--encoding", "utf-8"]).starts_with("5 built"));
    assert!(run(&["--layout", "vertical", "--encoding", "utf-8"]).starts_with("0 built"));
    // A config key counts like a flag.
    fs::write(
        root.join("in/wenji.toml"),
        "[preview]\ntitle_suffix = \"（样章）\"\n",
    )
    .unwrap();
    assert!(run(&["--layout", "vertical", "--encoding", "utf-8"]).starts_with("5 built"));
    assert!(archive_text(&root.join("out/group0/0.epub")).contains("（样章）"));
    assert!(run(&["--layout", "vertical", "--encoding", "utf-8"]).starts_with("0 built"));
}

#[test]
fn a_changed_image_or_cover_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 3);
    let png = |tag: &[u8]| [&b"\x89PNG\r\n\x1a\n"[..], tag].concat();
    fs::create_dir_all(root.join("in/pics")).unwrap();
    fs::write(root.join("in/pics/a.png"), png(b"first")).unwrap();
    fs::write(root.join("in/pics/b.png"), png(b"other")).unwrap();
    fs::write(
        root.join("in/md.md"),
        "# 图文\n\n看图：![一张图](pics/a.png)\n\n<p><img src=\"pics/b.png\" alt=\"\"></p>\n",
    )
    .unwrap();
    let args = ["batch", "in", "-o", "out"];
    assert!(summary_of(&wenji(root, &args, &[])).starts_with("4 built"));
    assert!(summary_of(&wenji(root, &args, &[])).starts_with("0 built (0 books), 4 skipped"));

    for image in ["a.png", "b.png"] {
        let path = root.join("in/pics").join(image);
        fs::write(&path, png(format!("changed {image}").as_bytes())).unwrap();
        set_mtime(&path, 1_000_000);
        let rerun = wenji(root, &args, &[]);
        assert!(
            summary_of(&rerun).starts_with("1 built (1 books), 3 skipped"),
            "{image}: {}",
            stderr(&rerun)
        );
        assert!(archive_text(&root.join("out/md.epub")).contains(&format!("changed {image}")));
    }

    // A cover for every essay, then a new cover with an old time.
    fs::create_dir_all(root.join("in/covers")).unwrap();
    fs::write(root.join("in/covers/cover.png"), png(b"cover one")).unwrap();
    assert!(summary_of(&wenji(root, &args, &[])).starts_with("4 built"));
    fs::write(root.join("in/covers/cover.png"), png(b"cover two")).unwrap();
    set_mtime(&root.join("in/covers/cover.png"), 1_000_000);
    assert!(summary_of(&wenji(root, &args, &[])).starts_with("4 built"));
    assert!(archive_text(&root.join("out/group0/0.epub")).contains("cover two"));
    assert!(summary_of(&wenji(root, &args, &[])).starts_with("0 built (0 books), 4 skipped"));
}

#[test]
fn a_failed_rebuild_removes_the_old_books() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 2);
    assert!(summary_of(&wenji(root, &["batch", "in", "-o", "out"], &[])).starts_with("2 built"));
    // Now the title itself is paid: the essay cannot be built, and its old
    // preview shows what is now paid.
    fs::write(root.join("in/group0/0.txt"), "##paidbegin##\n第0篇\n").unwrap();
    let output = wenji(root, &["batch", "in", "-o", "out"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!root.join("out/group0/0.epub").exists());
    assert!(root.join("out/group1/1.epub").exists());
}

#[test]
fn the_report_and_messages_quote_no_paid_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("in")).unwrap();
    // Paid parts that draw warnings: an unclosed begin, a control character.
    fs::write(
        root.join("in/unclosed.txt"),
        "公开的题目\n公开的一段。\n##paidbegin##\n机密句子甲。\n",
    )
    .unwrap();
    fs::write(
        root.join("in/control.md"),
        "# 另一个题目\n\n公开。\n\n##paidbegin##\n\n机密句子乙\u{7}。\n\n##paidend##\n",
    )
    .unwrap();
    let output = wenji(
        root,
        &["batch", "in", "-o", "out", "--report", "report.json"],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let report = fs::read_to_string(root.join("report.json")).unwrap();
    let said = format!(
        "{report}{}{}",
        stderr(&output),
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        said.contains("公开的题目") && said.contains("paid_chars"),
        "{said}"
    );
    assert!(said.contains("warning"), "no warning to look at: {said}");
    for secret in ["机密", "句子"] {
        assert!(!said.contains(secret), "{secret} quoted: {said}");
    }
    let state: Vec<_> = walkdir_all(&root.join("out"));
    for file in state {
        let name = file.to_string_lossy().into_owned();
        let bytes = fs::read(&file).unwrap();
        if !name.ends_with(".epub") {
            assert!(!String::from_utf8_lossy(&bytes).contains("机密"), "{name}");
        }
        assert!(!name.contains("机密"), "{name}");
    }
}

/// Every file under `dir`, the `.wenji/` state folder included.
fn walkdir_all(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir_all(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_report_or_output_naming_an_input_is_refused_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 3);
    fs::write(root.join("extra.css"), "p { color: black; }\n").unwrap();
    let essay = root.join("in/group1/1.txt");
    let before = fs::read(&essay).unwrap();
    let css_before = fs::read(root.join("extra.css")).unwrap();

    // An -o that is not .epub is a usage mistake before anything else.
    let cases: [(&[&str], &str); 4] = [
        (
            &["batch", "in", "-o", "out", "--report", "in/group1/1.txt"],
            "in/group1/1.txt: the report path is one of the inputs",
        ),
        (
            &[
                "batch",
                "in",
                "-o",
                "out",
                "--css",
                "extra.css",
                "--report",
                "extra.css",
            ],
            "extra.css: the report path is one of the inputs",
        ),
        (
            &["build", "in/group1/1.txt", "-o", "in/group1/1.txt"],
            "-o in/group1/1.txt: a book is an EPUB; give a name ending in .epub, not .txt",
        ),
        (
            &[
                "build",
                "in/group1/1.txt",
                "--css",
                "extra.css",
                "-o",
                "extra.css",
            ],
            "-o extra.css: a book is an EPUB; give a name ending in .epub, not .css",
        ),
    ];
    for (args, message) in cases {
        let output = wenji(root, args, &[]);
        let usage = args.contains(&"build");
        assert_eq!(
            output.status.code(),
            Some(if usage { 2 } else { 1 }),
            "{args:?}"
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(fs::read(&essay).unwrap(), before);
    assert_eq!(fs::read(root.join("extra.css")).unwrap(), css_before);
    assert!(!root.join("out").exists(), "a refused batch built books");
    let leftovers: Vec<_> = walk(root)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".wenji-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn build_removes_the_temp_file_a_killed_build_left_beside_its_book() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalogue(root, 1);
    fs::create_dir_all(root.join("books/keep")).unwrap();
    let host = wenji::output::host_tag();
    // A partial full edition of a killed writer (process ids are below 2^22).
    let dead = root.join(format!("books/.wenji-{host}-4999999-abc.tmp"));
    fs::write(&dead, "partial full edition with 付费的一段").unwrap();
    // One of a writer still running (this test), and one in a subfolder
    // that the build does not write into.
    let alive = root.join(format!(
        "books/.wenji-{host}-{}-abc.tmp",
        std::process::id()
    ));
    fs::write(&alive, "being written").unwrap();
    let deeper = root.join(format!("books/keep/.wenji-{host}-4999999-abc.tmp"));
    fs::write(&deeper, "not this build's folder").unwrap();
    let output = wenji(
        root,
        &[
            "build",
            "in/group0/0.txt",
            "--edition",
            "both",
            "-o",
            "books/0.epub",
        ],
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!dead.exists(), "the dead writer's temp file is still there");
    assert!(alive.exists() && deeper.exists());
    assert!(root.join("books/0.epub").exists() && root.join("books/0.full.epub").exists());
}

#[test]
fn the_input_format_applies_to_every_essay_and_a_change_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("in")).unwrap();
    fs::write(root.join("in/a.txt"), "# 标题\n\n一段*强调*的话。\n").unwrap();
    let chapter = |root: &Path| {
        let file = fs::File::open(root.join("out/a.full.epub")).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut xhtml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("OEBPS/c0001.xhtml").unwrap(), &mut xhtml)
            .unwrap();
        xhtml
    };
    let run = |args: &[&str]| {
        let mut all = vec!["batch", "in", "-o", "out", "--edition", "full"];
        all.extend(args);
        let output = wenji(root, &all, &[]);
        assert!(output.status.success(), "{}", stderr(&output));
        stderr(&output)
    };
    run(&[]);
    assert!(chapter(root).contains("一段*强调*的话。"));
    let forced = run(&["--input-format", "markdown"]);
    assert!(forced.contains("1 built"), "{forced}");
    assert!(chapter(root).contains("一段<em>强调</em>的话。"));
    assert!(run(&["--input-format", "markdown"]).contains("1 skipped"));
}
