//! Image files: which ones a book can hold, and a check that a file is what
//! its name says (a renamed file would make the book invalid).

use std::path::Path;

/// Extensions tried, in order, when looking for a cover by name.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "svg"];

/// The media type of an image file judged by its extension, if EPUB readers
/// can show it.
pub fn image_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// Whether `data` starts like a file of `media_type`.
pub fn looks_like(media_type: &str, data: &[u8]) -> bool {
    match media_type {
        "image/jpeg" => data.starts_with(&[0xff, 0xd8, 0xff]),
        "image/png" => data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/gif" => data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a"),
        "image/webp" => data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP",
        "image/svg+xml" => {
            let text = String::from_utf8_lossy(&data[..data.len().min(4096)]);
            let text = text.trim_start_matches('\u{feff}').trim_start();
            text.starts_with('<') && text.contains("<svg")
        }
        _ => false,
    }
}

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
const XLINK_NAMESPACE: &str = "http://www.w3.org/1999/xlink";

/// SVG elements allowed in a book: static drawing, text, paint servers,
/// clipping, masking and filters. Everything else (scripts, animation,
/// links, foreign objects, external images) is refused: reading systems
/// differ in what they run, and an allow-list misses nothing new.
const SVG_ELEMENTS: &[&str] = &[
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "g",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "metadata",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "stop",
    "style",
    "svg",
    "switch",
    "symbol",
    "text",
    "textPath",
    "title",
    "tspan",
    "use",
    "view",
];

/// Attributes (without namespace) allowed on SVG elements: geometry,
/// presentation and filter parameters. No event handlers, no `values` or
/// `attributeName` outside filters' `feColorMatrix`.
const SVG_ATTRIBUTES: &[&str] = &[
    "alignment-baseline",
    "amplitude",
    "azimuth",
    "baseFrequency",
    "baseProfile",
    "baseline-shift",
    "bias",
    "class",
    "clip",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-rendering",
    "cx",
    "cy",
    "d",
    "diffuseConstant",
    "direction",
    "display",
    "divisor",
    "dominant-baseline",
    "dx",
    "dy",
    "edgeMode",
    "elevation",
    "enable-background",
    "exponent",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "filterUnits",
    "flood-color",
    "flood-opacity",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "fr",
    "fx",
    "fy",
    "gradientTransform",
    "gradientUnits",
    "height",
    "href",
    "id",
    "image-rendering",
    "in",
    "in2",
    "intercept",
    "isolation",
    "k1",
    "k2",
    "k3",
    "k4",
    "kernelMatrix",
    "kernelUnitLength",
    "lang",
    "lengthAdjust",
    "letter-spacing",
    "lighting-color",
    "limitingConeAngle",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "mask",
    "maskContentUnits",
    "maskUnits",
    "method",
    "mix-blend-mode",
    "mode",
    "numOctaves",
    "offset",
    "opacity",
    "operator",
    "order",
    "orient",
    "overflow",
    "paint-order",
    "path",
    "pathLength",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "points",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "preserveAlpha",
    "preserveAspectRatio",
    "primitiveUnits",
    "r",
    "radius",
    "refX",
    "refY",
    "requiredExtensions",
    "requiredFeatures",
    "result",
    "rotate",
    "rx",
    "ry",
    "scale",
    "seed",
    "shape-rendering",
    "side",
    "slope",
    "spacing",
    "specularConstant",
    "specularExponent",
    "spreadMethod",
    "startOffset",
    "stdDeviation",
    "stitchTiles",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "style",
    "surfaceScale",
    "systemLanguage",
    "tableValues",
    "targetX",
    "targetY",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "textLength",
    "transform",
    "type",
    "unicode-bidi",
    "values",
    "vector-effect",
    "version",
    "viewBox",
    "visibility",
    "width",
    "word-spacing",
    "writing-mode",
    "x",
    "x1",
    "x2",
    "xChannelSelector",
    "y",
    "y1",
    "y2",
    "yChannelSelector",
    "z",
    "zoomAndPan",
];

/// Why an SVG image cannot go into a book, if it cannot: it must be
/// well-formed XML with an `svg` root, hold only allowed elements with
/// allowed attributes (so it runs no script and no animation), and refer
/// to nothing outside itself (`href`, CSS `url()` and `@import`, style
/// sheet instructions). Elements of other namespaces (an editor's own
/// data) may stand only inside `metadata`, where nothing is drawn.
pub fn svg_problem(data: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(data) {
        Ok(text) => text.trim_start_matches('\u{feff}'),
        Err(_) => return Some("is not UTF-8 text".into()),
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => return Some(format!("is not well-formed XML ({e})")),
    };
    if doc.root_element().tag_name().name() != "svg" {
        return Some("has no <svg> root element".into());
    }
    for node in doc.descendants() {
        if let Some(target) = node.pi().map(|pi| pi.target) {
            return Some(format!(
                "has a <?{target}?> instruction; remove it (style sheets must be inside the image)"
            ));
        }
        if !node.is_element() {
            if node.is_text()
                && node
                    .parent_element()
                    .is_some_and(|p| p.has_tag_name((SVG_NAMESPACE, "style")))
                && let Some(problem) = css_problem(node.text().unwrap_or_default())
            {
                return Some(problem);
            }
            continue;
        }
        let name = node.tag_name().name();
        let in_svg = node
            .tag_name()
            .namespace()
            .is_none_or(|ns| ns == SVG_NAMESPACE);
        if in_svg && !SVG_ELEMENTS.contains(&name) {
            return Some(format!(
                "contains <{name}>, which a book's SVG may not hold \
                 (only static drawing: no script, animation, links or embedded content)"
            ));
        }
        if !in_svg
            && !node
                .ancestors()
                .any(|a| a.has_tag_name((SVG_NAMESPACE, "metadata")))
        {
            return Some(format!(
                "contains <{name}> from another namespace outside <metadata>; remove it"
            ));
        }
        for attribute in node.attributes() {
            let key = attribute.name();
            let value = attribute.value();
            let allowed = match attribute.namespace() {
                None => !in_svg || SVG_ATTRIBUTES.contains(&key),
                Some(XLINK_NAMESPACE) => true,
                Some("http://www.w3.org/XML/1998/namespace") => true,
                // An editor's own attributes (inkscape:label) do nothing when drawn.
                Some(ns) => ns != SVG_NAMESPACE && ns != "http://www.w3.org/1999/xhtml",
            };
            if !allowed {
                return Some(format!(
                    "has attribute {key} on <{name}>, which a book's SVG may not hold"
                ));
            }
            if key == "href" && !value.trim_start().starts_with('#') {
                return Some(format!("refers to {value}, outside the image"));
            }
            if let Some(problem) = css_problem(value) {
                return Some(problem);
            }
        }
    }
    None
}

/// Why CSS (a style sheet or an attribute value) may not stand in a book's
/// SVG: an `@import` or a `url()` that leads outside the image.
fn css_problem(css: &str) -> Option<String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Some("imports a style sheet from outside the image".into());
    }
    for (at, _) in lower.match_indices("url(") {
        let target = css[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            let shown: String = css[at..].chars().take(60).collect();
            return Some(format!("refers to {shown}, outside the image"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_signatures() {
        assert_eq!(image_type(Path::new("a/B.JPG")), Some("image/jpeg"));
        assert_eq!(image_type(Path::new("a.bmp")), None);
        assert!(looks_like("image/png", b"\x89PNG\r\n\x1a\n...."));
        assert!(!looks_like("image/png", b"GIF89a"));
        assert!(looks_like(
            "image/svg+xml",
            b"<?xml version=\"1.0\"?>\n<svg xmlns=\"\"/>"
        ));
        assert!(!looks_like("image/svg+xml", b"hello"));
    }

    #[test]
    fn svg_images_are_checked() {
        let ok = br##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/></svg>"##;
        assert_eq!(svg_problem(ok), None);
        let drawing = br##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10">
<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>
<style>rect { fill: url(#g) }</style></defs>
<g inkscape:label="layer"><rect width="5" height="5" style="fill: url( '#g' )"/><text x="1" y="9">t</text></g></svg>"##;
        assert_eq!(svg_problem(drawing), None);
        for bad in [
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#[..],
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="a.png"/></svg>"#,
            br#"<svg><rect></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" values="javascript:alert(1)"/><text>t</text></a></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect><set attributeName="onmouseover" to="alert(1)"/></rect></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url( 'https://e.org/p.svg#g') }</style></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><style>@IMPORT "https://e.org/a.css";</style></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:URL(http://e.org/x)"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://e.org/x#a)"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x()"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AA"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:iframe/></svg>"#,
            br#"<?xml-stylesheet href="https://e.org/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>"#,
        ] {
            assert!(svg_problem(bad).is_some(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
