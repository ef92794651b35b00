"""The engine of scripts/mupdf-check: opens an EPUB with MuPDF's `mutool`,
renders the cover and the first text page, and checks that the first chapter's
text is where a reader would find it. Standard library only.

Usage: python3 mupdf-check.py BOOK.epub OUTDIR
"""

import html.parser
import json
import posixpath
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

# The page MuPDF lays a reflowable book out on (points) and the width the
# pages are drawn at (pixels): about 600 px wide, small enough for the docs.
LAYOUT = ["-W", "450", "-H", "600", "-S", "12"]
DRAW_WIDTH = "600"
# A page counts as drawn when at least this share of its pixels differ from
# its background: a line of text on a 600x800 page inks well over 0.2%.
MIN_INK = 0.002
# MuPDF's messages on stderr that a valid wenji book still gets, and why they
# are no fault of the book. Any other message, every other `error:` line
# included, fails the check.
ACCEPTED = [
    # Debian's MuPDF is built without colour management; says so once per run.
    re.compile(r"^warning: ICC support is not available$"),
    # MuPDF 1.21 knows the EPUB 2 package only by name; it reads an EPUB 3
    # package (manifest, spine) the same way and lays it out fully.
    re.compile(r"^warning: unknown epub version: 3\.0$"),
]
OPF = "{http://www.idpf.org/2007/opf}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
# Spine entries that are not the text: found by name or by the body's epub:type.
FRONT_NAME = re.compile(r"cover|title|toc|nav|contents", re.I)
FRONT_TYPES = {"cover", "titlepage", "toc", "frontmatter"}
# A sentence ends at one of these (CJK or Latin).
SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s")


def fail_usage(message):
    """Ends with exit status 2 (a usage mistake), saying MESSAGE."""
    print(f"mupdf-check: {message}", file=sys.stderr)
    sys.exit(2)


def mutool(book, *args):
    """Runs `mutool ARGS…` (BOOK names the book in errors); returns
    (stdout bytes, stderr lines), or raises CheckError when mutool fails."""
    run = subprocess.run(["mutool", *args], capture_output=True, check=False)
    lines = run.stderr.decode("utf-8", "replace").splitlines()
    if run.returncode != 0:
        raise CheckError(f"mutool {args[0]} exited with {run.returncode} on {book}: " + " | ".join(lines[-5:]))
    return run.stdout, lines


class CheckError(Exception):
    """A check that failed; its message says what MuPDF did."""


class TextOf(html.parser.HTMLParser):
    """Collects the text of each paragraph (<p>) of an XHTML page as MuPDF
    draws it. MuPDF 1.21 has no ruby layout: it draws a ruby's reading and
    its <rp> parentheses inline, 窓辺（まどべ）, the fallback <rp> exists for,
    so those are kept in the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs, self.current = [], None
        self.body_types = set()

    def handle_starttag(self, tag, attrs):
        if tag in ("body", "section"):
            self.body_types.update((dict(attrs).get("epub:type") or "").split())
        if tag == "p":
            self.current = []

    def handle_endtag(self, tag):
        if tag == "p" and self.current is not None:
            self.paragraphs.append("".join(self.current))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def squeeze(text):
    """TEXT without whitespace: line ends fall where each engine breaks lines."""
    return re.sub(r"\s+", "", text)


def first_chapter_sentence(book):
    """A sentence from the first spine page that is not the cover, the title
    page or the contents, read from the EPUB itself: (page name, sentence)."""
    with zipfile.ZipFile(book) as epub:
        container = ET.fromstring(epub.read("META-INF/container.xml"))
        opf_path = container.find(f".//{CONTAINER}rootfile").get("full-path")
        opf = ET.fromstring(epub.read(opf_path))
        base = posixpath.dirname(opf_path)
        items = {i.get("id"): i for i in opf.iter(f"{OPF}item")}
        for ref in opf.iter(f"{OPF}itemref"):
            item = items.get(ref.get("idref"))
            if item is None or ref.get("linear") == "no" or "nav" in (item.get("properties") or "").split():
                continue
            href = posixpath.normpath(posixpath.join(base, item.get("href")))
            if FRONT_NAME.search(posixpath.basename(href)):
                continue
            page = TextOf()
            page.feed(epub.read(href).decode("utf-8"))
            if page.body_types & FRONT_TYPES:
                continue
            # The first sentence long enough to be found nowhere else by chance.
            for paragraph in page.paragraphs:
                for sentence in SENTENCE_END.split(paragraph):
                    if len(squeeze(sentence)) >= 12:
                        return href, squeeze(sentence)
            raise CheckError(f"{book}: the first chapter ({href}) has no sentence of 12 characters or more")
    raise CheckError(f"{book}: the spine has no chapter (only cover, title or contents pages)")


def ink(pgm):
    """The share of a binary PGM's pixels that differ from its most common grey."""
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    if not match:
        raise CheckError("mutool draw did not write a PGM image")
    pixels = pgm[match.end():]
    counts = [0] * 256
    for value in range(256):
        counts[value] = pixels.count(bytes([value]))
    return 1 - max(counts) / max(1, len(pixels))


def draw(book, page, png):
    """Draws PAGE as PNG (kept) and as grey PGM (measured); returns its ink share."""
    mutool(book, "draw", "-q", "-a", *LAYOUT, "-w", DRAW_WIDTH, "-o", str(png), book, str(page))
    pgm, _ = mutool(book, "draw", "-q", "-a", *LAYOUT, "-w", DRAW_WIDTH, "-F", "pgm", "-o", "-", book, str(page))
    return ink(pgm)


def check(book, out):
    failures, report = [], {"book": book}
    # Opening: `mutool info` reads only PDF, so the whole book is laid out and
    # its text drawn: mutool ends every page's text with a form feed.
    text, messages = mutool(book, "draw", "-q", "-a", *LAYOUT, "-F", "txt", "-o", "-", book)
    page_texts = [squeeze(t) for t in text.decode("utf-8", "replace").split("\f")[:-1]]
    report["pages"] = len(page_texts)
    accepted = sorted({m for m in messages if any(a.search(m) for a in ACCEPTED)})
    report["accepted_messages"] = accepted
    for message in messages:
        if message.strip() and message not in accepted:
            failures.append(f"MuPDF said: {message}")
    if len(page_texts) < 2:
        failures.append(f"MuPDF laid the book out on {len(page_texts)} page(s); a cover and text need at least 2")
    cover_ink = draw(book, 1, out / "cover.png")
    report["cover_ink"] = cover_ink
    if cover_ink < MIN_INK:
        failures.append(f"the cover page is blank ({cover_ink:.1%} of its pixels inked)")
    try:
        chapter, sentence = first_chapter_sentence(book)
    except CheckError as error:
        failures.append(str(error))
        return report, failures
    except (zipfile.BadZipFile, KeyError, AttributeError, ET.ParseError, UnicodeDecodeError) as error:
        failures.append(f"{book}: its package cannot be read to find the first chapter ({type(error).__name__}: {error})")
        return report, failures
    report["first_chapter"], report["sentence"] = chapter, sentence
    # The page the sentence ends on (it may run over a page break).
    found = next((n for n in range(1, len(page_texts) + 1) if sentence in "".join(page_texts[:n])), None)
    report["text_page"] = found
    if found is None:
        failures.append(f"the first chapter's sentence from {chapter} is not in the text MuPDF drew")
    else:
        text_ink = draw(book, found, out / "text.png")
        report["text_ink"] = text_ink
        if text_ink < MIN_INK:
            failures.append(f"the first text page ({found}) is blank ({text_ink:.1%} of its pixels inked)")
    return report, failures


def main():
    if len(sys.argv) != 3:
        fail_usage("usage: mupdf-check.py BOOK.epub OUTDIR")
    book, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        report, failures = check(book, out)
    except CheckError as error:
        report, failures = {"book": book}, [str(error)]
    report["seconds"] = round(time.monotonic() - started, 2)
    report["failures"] = failures
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    summary = ", ".join(
        part
        for part, known in [
            (f"{report.get('pages')} pages", "pages" in report),
            (f"cover ink {report.get('cover_ink', 0):.1%}", "cover_ink" in report),
            (f"first chapter on page {report.get('text_page')}", report.get("text_page")),
            (f"{len(report.get('accepted_messages', []))} accepted message(s)", "accepted_messages" in report),
            (f"{report['seconds']} s", True),
        ]
        if known
    )
    print(f"{'FAIL' if failures else 'ok  '} {book} (MuPDF): {summary}")
    for failure in failures:
        print(f"     {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
