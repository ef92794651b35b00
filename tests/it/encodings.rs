//! Forced and repaired encodings end to end (issue 9): runs the `wenji`
//! binary on essays in legacy encodings and checks that a wrong
//! `--encoding` (or `encoding` in wenji.toml), or `--lossy`, is refused
//! with both encodings named and nothing written, while the right one
//! still builds a preview without the paid sentence. Also the Aozora Bunko
//! fixtures in Shift_JIS (CP932), EUC-JP and ISO-2022-JP (issue 10).

use std::fs;
use std::path::Path;
use std::process::Output;

use encoding_rs::{BIG5, EUC_JP, EUC_KR, Encoding, GB18030, ISO_2022_JP, SHIFT_JIS};

use crate::support::{entries, error_line, everything, ok, repo, text, wenji};

/// The paid sentence of every essay below; it must never be printed.
const PAID: &str = "只有付费读者才能读到这一句";
const PAID_TRADITIONAL: &str = "只有付費讀者才能讀到這一句";
const PAID_JAPANESE: &str = "お金を払った人だけが読める文です";
const PAID_KOREAN: &str = "돈을 낸 사람만 읽는 문장";

/// An essay: title, a free line, the paid sentence between full-width markers.
fn essay(title: &str, free: &str, paid: &str) -> String {
    format!("{title}\n{free}\n＃＃ｐａｉｄｂｅｇｉｎ＃＃{paid}。＃＃ｐａｉｄｅｎｄ＃＃\n{free}\n")
}

fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{} cannot hold {text}", encoding.name());
    bytes.into_owned()
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Writes `files` into a new folder and runs `wenji build` on `essay` there
/// with `args`, the book going to `out.epub`.
fn build(files: &[(&str, &[u8])], essay: &str, args: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let mut all = vec!["build", essay];
    all.extend(args);
    all.extend(["-o", "out.epub"]);
    let output = wenji(dir.path(), &all);
    (dir, output)
}

/// Asserts wenji failed with an error naming `essay` and every one of
/// `names`, printed nothing of `paid`, and wrote no book.
fn assert_refused(dir: &Path, output: &Output, essay: &str, names: &[&str], paid: &str) {
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        error_line(&err).starts_with(&format!("error: {essay}")),
        "{err}"
    );
    for name in names {
        assert!(err.contains(name), "{name} not named: {err}");
    }
    assert!(err.contains("--encoding"), "says what to do: {err}");
    assert!(!err.contains(paid) && output.stdout.is_empty(), "{err}");
    let written: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".epub"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
}

/// Every file of the book wenji wrote, as (lossy) text.
fn book_text(dir: &Path, output: Output) -> String {
    ok(output);
    everything(&entries(&dir.join("out.epub")))
}

#[test]
fn big5_forced_as_gb18030_is_refused_by_flag_and_by_config() {
    let bytes = encoded(
        BIG5,
        &essay("繁體短文", "開頭的話大家都能讀", PAID_TRADITIONAL),
    );
    let (dir, output) = build(
        &[("big5.txt", &bytes)],
        "big5.txt",
        &["--encoding", "gb18030"],
    );
    assert_refused(
        dir.path(),
        &output,
        "big5.txt",
        &["gb18030", "Big5"],
        PAID_TRADITIONAL,
    );

    let config: &[u8] = b"encoding = \"gb18030\"\n";
    let files = [("big5.txt", &bytes[..]), ("wenji.toml", config)];
    let (dir, output) = build(&files, "big5.txt", &["--config", "wenji.toml"]);
    assert_refused(
        dir.path(),
        &output,
        "big5.txt",
        &["gb18030", "Big5"],
        PAID_TRADITIONAL,
    );
}

#[test]
fn shift_jis_forced_as_gb18030_is_refused() {
    let bytes = encoded(
        SHIFT_JIS,
        &essay("短い文章", "誰でも読める部分です", PAID_JAPANESE),
    );
    let (dir, output) = build(
        &[("sjis.txt", &bytes)],
        "sjis.txt",
        &["--encoding", "gb18030"],
    );
    assert_refused(
        dir.path(),
        &output,
        "sjis.txt",
        &["gb18030", "Shift_JIS"],
        PAID_JAPANESE,
    );
}

#[test]
fn euc_kr_forced_as_utf16_with_lossy_is_refused() {
    let bytes = encoded(EUC_KR, &essay("짧은 글", "누구나 읽는 부분", PAID_KOREAN));
    let args = ["--encoding", "utf-16le", "--lossy"];
    let (dir, output) = build(&[("ko.txt", &bytes)], "ko.txt", &args);
    assert_refused(
        dir.path(),
        &output,
        "ko.txt",
        &["UTF-16LE", "EUC-KR"],
        PAID_KOREAN,
    );
}

#[test]
fn utf8_forced_as_gb18030_with_lossy_is_refused() {
    let text = essay("简体短文", "开头的话大家都能读", PAID);
    let (dir, output) = build(
        &[("utf8.txt", text.as_bytes())],
        "utf8.txt",
        &["--encoding", "gb18030", "--lossy"],
    );
    assert_refused(dir.path(), &output, "utf8.txt", &["gb18030", "UTF-8"], PAID);
}

#[test]
fn utf16_in_the_wrong_byte_order_is_refused() {
    let bytes = utf16le(&essay("简体短文", "开头的话大家都能读", PAID));
    let (dir, output) = build(&[("le.txt", &bytes)], "le.txt", &["--encoding", "utf-16be"]);
    assert_refused(
        dir.path(),
        &output,
        "le.txt",
        &["UTF-16BE", "UTF-16LE", "line break"],
        PAID,
    );
}

#[test]
fn the_right_forced_encoding_still_builds() {
    let free = "开头的话大家都能读";
    let cases: [(&str, Vec<u8>, &str, &str); 4] = [
        (
            "gb.txt",
            encoded(GB18030, &essay("简体", free, PAID)),
            "gb18030",
            PAID,
        ),
        (
            "plain-gb.txt",
            encoded(GB18030, &format!("简体\n{free}，没有付费的部分。\n")),
            "gbk",
            PAID,
        ),
        (
            "big5.txt",
            encoded(BIG5, &essay("繁體", "開頭的話大家都能讀", PAID_TRADITIONAL)),
            "big5",
            PAID_TRADITIONAL,
        ),
        (
            "plain-big5.txt",
            encoded(BIG5, "繁體\n開頭的話大家都能讀，沒有付費的部分。\n"),
            "big5",
            PAID_TRADITIONAL,
        ),
    ];
    for (name, bytes, label, paid) in cases {
        let (dir, output) = build(&[(name, &bytes)], name, &["--encoding", label]);
        let book = book_text(dir.path(), output);
        assert!(book.contains("的話") || book.contains("的话"), "{name}");
        assert!(!book.contains(paid), "{name}");
    }
}

#[test]
fn utf16_without_bom_holding_u4e00_is_read() {
    // 一 is 00 4E in UTF-16LE: zero bytes on both sides of the code units.
    let bytes = utf16le("一二三\n统一的一行，一个字一个字地读。\n");
    let (dir, output) = build(&[("one.txt", &bytes)], "one.txt", &[]);
    assert!(book_text(dir.path(), output).contains("统一的一行"));
}

#[test]
fn a_nul_byte_in_utf8_is_removed_with_a_warning() {
    let (dir, output) = build(
        &[("nul.txt", "题目\n这一段\0有一个空字节。\n".as_bytes())],
        "nul.txt",
        &[],
    );
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        err.contains("warning: nul.txt:2: removed 1 control character"),
        "{err}"
    );
    assert!(book_text(dir.path(), output).contains("这一段有一个空字节"));
}

#[test]
fn binary_files_are_still_refused() {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    archive.start_file("inner.txt", options).unwrap();
    let filler: String = (0..2000).map(|i| format!("行{i}：一些文字。\n")).collect();
    std::io::Write::write_all(&mut archive, filler.as_bytes()).unwrap();
    let zipped = archive.finish().unwrap().into_inner();
    let image: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    for (name, bytes) in [("archive.txt", zipped), ("image.txt", image)] {
        let (dir, output) = build(&[(name, &bytes)], name, &[]);
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert!(err.contains("not a text file"), "{name}: {err}");
        assert!(!dir.path().join("out.epub").exists());
    }
}

// ---- Aozora Bunko texts in Japanese legacy encodings (issue 10) ----------------

/// An Aozora Bunko fixture in a legacy encoding, and what its book shows.
/// The fixtures were written in UTF-8 and converted with glibc's iconv:
/// `sed 's/$/\r/' | iconv -t CP932` (sjis.txt), `iconv -t EUC-JP-MS`
/// (eucjp.txt, LF), `iconv -t ISO-2022-JP` (iso2022jp.txt, LF).
struct AozoraFixture {
    /// The file in tests/fixtures/aozora/.
    file: &'static str,
    /// The encoding it is in.
    encoding: &'static Encoding,
    /// Its title and author lines.
    title: &'static str,
    author: &'static str,
    /// Text of the body that must come through: the first heading, and
    /// characters only CP932 (or, in ISO-2022-JP, JIS X 0208) holds.
    shown: &'static [&'static str],
    /// The sentence between its paid markers, if any.
    paid: Option<&'static str>,
}

const AOZORA_FIXTURES: [AozoraFixture; 3] = [
    AozoraFixture {
        file: "sjis.txt",
        encoding: SHIFT_JIS,
        title: "雨の日の手紙",
        author: "佐藤一郎",
        shown: &[
            "<h2 id=\"s1\">一</h2>",
            "「①番の舟は",
            "髙橋さん",
            "㈱山﨑商店",
            "№３",
        ],
        paid: Some("猫は手紙をくわえて"),
    },
    AozoraFixture {
        file: "eucjp.txt",
        encoding: EUC_JP,
        title: "海辺の灯台",
        author: "高木春子",
        shown: &["<h2 id=\"s1\">一</h2>", "①番目の光"],
        paid: None,
    },
    AozoraFixture {
        file: "iso2022jp.txt",
        encoding: ISO_2022_JP,
        title: "冬の駅",
        author: "石川健",
        shown: &["<h2 id=\"s1\">一</h2>", "≒零度"],
        paid: Some("誰かが黙って手を振って"),
    },
];

fn aozora_bytes(file: &str) -> Vec<u8> {
    fs::read(repo().join("tests/fixtures/aozora").join(file)).unwrap()
}

#[test]
fn aozora_fixtures_are_in_the_encodings_they_claim() {
    for fixture in &AOZORA_FIXTURES {
        let bytes = aozora_bytes(fixture.file);
        let text = fixture
            .encoding
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .unwrap_or_else(|| panic!("{} is not {}", fixture.file, fixture.encoding.name()));
        assert!(
            text.starts_with(&format!("{}\r\n{}\r\n", fixture.title, fixture.author))
                || text.starts_with(&format!("{}\n{}\n", fixture.title, fixture.author)),
            "{}",
            fixture.file
        );
        assert!(text.contains(&"-".repeat(55)) && text.contains("\n底本：「"));
    }
    let sjis = aozora_bytes("sjis.txt");
    assert!(std::str::from_utf8(&sjis).is_err());
    assert_eq!(
        sjis.windows(2).filter(|w| w == b"\r\n").count(),
        sjis.iter().filter(|&&b| b == b'\n').count(),
        "every line ends in CRLF"
    );
    // ① as CP932 writes it (NEC row 13), 髙 as an IBM extension.
    assert!(sjis.windows(2).any(|w| w == b"\x87\x40"));
    assert!(sjis.windows(2).any(|w| w == b"\xfb\xfc"));
    let euc = aozora_bytes("eucjp.txt");
    assert!(std::str::from_utf8(&euc).is_err() && !euc.contains(&b'\r'));
    let jis = aozora_bytes("iso2022jp.txt");
    assert!(jis.is_ascii() && jis.windows(3).any(|w| w == b"\x1b$B"));
}

#[test]
fn aozora_texts_in_japanese_encodings_build() {
    for fixture in &AOZORA_FIXTURES {
        let bytes = aozora_bytes(fixture.file);
        let (dir, output) = build(
            &[(fixture.file, &bytes)],
            fixture.file,
            &["--edition", "both"],
        );
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        ok(output);
        assert!(!err.contains("control character"), "{err}");
        let preview = entries(&dir.path().join("out.epub"));
        let full = entries(&dir.path().join("out.full.epub"));
        let opf = text(&full, "OEBPS/package.opf");
        assert!(
            opf.contains(&format!(">{}</dc:title>", fixture.title)),
            "{opf}"
        );
        assert!(
            opf.contains(&format!(">{}</dc:creator>", fixture.author)),
            "{opf}"
        );
        assert!(opf.contains("<dc:language>ja</dc:language>"), "{opf}");
        // Every page of the chapter (改ページ starts a new one).
        let body = everything(&full);
        for shown in fixture.shown {
            assert!(
                body.contains(shown),
                "{}: {shown} missing: {body}",
                fixture.file
            );
        }
        for book in [&preview, &full] {
            // Text entries only: the PNG cover is no text.
            let texts: Vec<_> = book.iter().filter(|e| !e.name.ends_with(".png")).collect();
            let lossy = texts.iter().map(|e| String::from_utf8_lossy(&e.data));
            assert!(
                !lossy.into_iter().any(|t| t.contains('\u{fffd}')),
                "{}",
                fixture.file
            );
        }
        if let Some(paid) = fixture.paid {
            assert!(body.contains(paid), "{}", fixture.file);
            assert!(!everything(&preview).contains(paid), "{}", fixture.file);
        }
    }
}

#[test]
fn iso_2022_jp_can_be_forced_and_a_reading_that_hides_its_markers_is_refused() {
    let bytes = aozora_bytes("iso2022jp.txt");
    let paid = "誰かが黙って手を振って";
    let (dir, output) = build(
        &[("jis.txt", &bytes)],
        "jis.txt",
        &["--encoding", "iso-2022-jp"],
    );
    let book = book_text(dir.path(), output);
    assert!(book.contains(">冬の駅（") && !book.contains(paid), "{book}");
    // Its paid markers are full-width letters behind `ESC $ B`: read as
    // UTF-8 they are pairs of ASCII letters, and the preview would leak.
    let (dir, output) = build(&[("jis.txt", &bytes)], "jis.txt", &["--encoding", "utf-8"]);
    assert_refused(
        dir.path(),
        &output,
        "jis.txt",
        &["UTF-8", "ISO-2022-JP"],
        paid,
    );
}
