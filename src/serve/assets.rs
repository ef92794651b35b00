//! The files of `wenji serve`'s reader page, embedded in the binary: the
//! page itself (`src/serve/page/`) and the vendored foliate-js reader
//! (`vendor/foliate-js/`, see its README). The server answers `GET /` and
//! `GET /reader/...` from here alone, so no request path ever reaches the
//! file system and the page needs no network beyond the server.

/// An embedded file the reader page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// The `Content-Type` header to send with it.
    pub content_type: &'static str,
    /// Its bytes, as built into the binary.
    pub bytes: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every embedded file: its path on the server, its type, its bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("/", HTML, include_bytes!("page/index.html")),
    (
        "/reader/reader.js",
        JAVASCRIPT,
        include_bytes!("page/reader.js"),
    ),
    ("/reader/reader.css", CSS, include_bytes!("page/reader.css")),
    (
        "/reader/foliate-js/view.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/view.js"),
    ),
    (
        "/reader/foliate-js/epub.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/epub.js"),
    ),
    (
        "/reader/foliate-js/epubcfi.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/epubcfi.js"),
    ),
    (
        "/reader/foliate-js/progress.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/progress.js"),
    ),
    (
        "/reader/foliate-js/overlayer.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/overlayer.js"),
    ),
    (
        "/reader/foliate-js/text-walker.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/text-walker.js"),
    ),
    (
        "/reader/foliate-js/paginator.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/paginator.js"),
    ),
    (
        "/reader/foliate-js/vendor/zip.js",
        JAVASCRIPT,
        include_bytes!("../../vendor/foliate-js/vendor/zip.js"),
    ),
    (
        "/reader/foliate-js/LICENSE",
        TEXT,
        include_bytes!("../../vendor/foliate-js/LICENSE"),
    ),
    (
        "/reader/foliate-js/ZIPJS-LICENSE",
        TEXT,
        include_bytes!("../../vendor/foliate-js/ZIPJS-LICENSE"),
    ),
];

/// The embedded file served at `path` ("/" is the page), if any.
///
/// `path` is the request's path without its query; only the exact paths
/// listed here match, so `..`, `//` or percent-encoded variants find nothing.
pub fn asset(path: &str) -> Option<Asset> {
    ASSETS
        .iter()
        .find(|(served_at, _, _)| *served_at == path)
        .map(|&(_, content_type, bytes)| Asset {
            content_type,
            bytes,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// foliate-js 1.0.1's files as published on npm (vendor/foliate-js/README.md).
    const PUBLISHED: &[(&str, &str)] = &[
        (
            "view.js",
            "4cb7eb0796a828b62bb88fa95c524b2fed950993e8376d01ea8db15886807658",
        ),
        (
            "epub.js",
            "2dd3fbc208a8137ae19ab0e600854c25177e2a7845f16bd8b05f44dbf9afd7ad",
        ),
        (
            "epubcfi.js",
            "0fdd0e1a2041255e4d60bcc8cad4c3293cbd4d8cb4fdecbc24435e0d4195662d",
        ),
        (
            "progress.js",
            "544f5e90babc0cb31c5caf971a5f06dd6249ec06600cb62f672fa7179811fde1",
        ),
        (
            "overlayer.js",
            "2e90417ca2c02bab12dcb478dd9c78bd92e882507b806171f3b4bfa93fbe99cc",
        ),
        (
            "text-walker.js",
            "264382295a1ce3d99f61d59fde6f36c661b822b28466c6c574c0f7b93d538a41",
        ),
        (
            "paginator.js",
            "25beb8f4350f7873d34c317f46b0ff8435bd370eeb448bb3a4b8b54ca3068cc6",
        ),
        (
            "vendor/zip.js",
            "9edb29bd207345d9c26a39778f63e25795101e566d57bbd64b7ae7320b64d16d",
        ),
        (
            "LICENSE",
            "b621ffc351fe263bc9b09dd0bc1c9332fda9c462a3904c1e4f0b4d3236b9c28c",
        ),
    ];

    fn sha256_hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn vendored_files_are_the_published_ones() {
        for (file, published) in PUBLISHED {
            let served = asset(&format!("/reader/foliate-js/{file}"))
                .unwrap_or_else(|| panic!("{file} is not embedded"));
            assert_eq!(
                sha256_hex(served.bytes),
                *published,
                "vendor/foliate-js/{file} differs from foliate-js 1.0.1 as published; \
                 restore it (vendor/foliate-js/README.md says how to update)"
            );
        }
    }

    #[test]
    fn every_vendored_file_is_embedded() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/foliate-js");
        for entry in walkdir::WalkDir::new(&folder) {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.path().strip_prefix(&folder).unwrap();
            let name = name.to_str().unwrap().replace('\\', "/");
            if name == "README.md" || name == ".gitattributes" {
                continue;
            }
            assert!(
                asset(&format!("/reader/foliate-js/{name}")).is_some(),
                "vendor/foliate-js/{name} is not served: list it in ASSETS or delete it"
            );
        }
    }

    #[test]
    fn every_listed_path_resolves_with_its_content_type() {
        for (path, content_type, bytes) in ASSETS {
            let found = asset(path).unwrap();
            assert_eq!(found.content_type, *content_type, "{path}");
            assert_eq!(found.bytes, *bytes, "{path}");
            assert!(!found.bytes.is_empty(), "{path} is empty");
            let expected = match path.rsplit_once('.').map(|(_, ext)| ext) {
                Some("js") => JAVASCRIPT,
                Some("css") => CSS,
                _ if *path == "/" => HTML,
                _ => TEXT,
            };
            assert_eq!(found.content_type, expected, "{path}");
        }
        assert_eq!(asset("/").unwrap().content_type, "text/html; charset=utf-8");
        assert_eq!(
            asset("/reader/foliate-js/view.js").unwrap().content_type,
            "text/javascript; charset=utf-8"
        );
    }

    #[test]
    fn unknown_and_climbing_paths_find_nothing() {
        for path in [
            "",
            "/index.html",
            "/reader/",
            "/reader",
            "/reader/foliate-js/",
            "/reader/foliate-js/reader.js",
            "/reader/foliate-js/fixed-layout.js",
            "/reader/foliate-js/README.md",
            "/reader/../reader/reader.js",
            "/reader/foliate-js/../reader.js",
            "/reader/foliate-js/vendor/../view.js",
            "/../Cargo.toml",
            "/reader/%2e%2e/Cargo.toml",
            "//reader/reader.js",
            "/reader/reader.js?x=1",
            "/READER/READER.JS",
            "reader/reader.js",
        ] {
            assert_eq!(asset(path), None, "{path:?}");
        }
    }

    /// Every `/reader/...` file the page and its script name is served, so
    /// a renamed file cannot leave the page half loaded.
    #[test]
    fn the_page_names_only_files_that_are_served() {
        let reference = regex::Regex::new(r#"["'(](/reader/[^"')\s]*)"#).unwrap();
        let mut named = 0;
        for path in ["/", "/reader/reader.js", "/reader/reader.css"] {
            let text = std::str::from_utf8(asset(path).unwrap().bytes).unwrap();
            for found in reference.captures_iter(text) {
                let target = &found[1];
                assert!(
                    asset(target).is_some(),
                    "{path} names {target}, which is not served"
                );
                named += 1;
            }
        }
        assert!(
            named >= 5,
            "only {named} references found: the pattern is stale"
        );
    }
}
