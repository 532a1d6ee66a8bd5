//! What `support::xml` reads, joins, trims, borrows and refuses.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::ops::Range;

use invoice_connector_support::xml::{parse, MAX_DEPTH, MAX_ELEMENTS, MAX_TEXT};

fn within(body: &[u8], s: &str) -> bool {
    let r: Range<usize> = body.as_ptr_range().start as usize..body.as_ptr_range().end as usize;
    r.contains(&(s.as_ptr() as usize))
}

#[test]
fn text_is_joined_trimmed_and_unescaped() {
    let body = b"<r>\n  <a>  plain  </a><b>x &amp; y</b><c>one<!-- c --> two<![CDATA[ <3 ]]></c>\
<d>\n   <e/>tail </d><f/></r>";
    let doc = parse(body).unwrap();
    let r = doc.root();
    assert_eq!(r.text(), "");
    assert_eq!(r.child_text(None, "a"), Some("plain"));
    assert_eq!(r.child_text(None, "b"), Some("x & y"));
    assert_eq!(r.child_text(None, "c"), Some("one two <3"));
    assert_eq!(r.child_text(None, "d"), Some("tail"));
    assert_eq!(r.child_text(None, "f"), None);
    assert!(r.child(None, "f").is_some());
    let names: Vec<&str> = r.children().map(|c| c.name()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "f"]);
    let d = r.child(None, "d").unwrap();
    assert_eq!(d.children().map(|c| c.name()).collect::<Vec<_>>(), ["e"]);
}

#[test]
fn names_and_plain_values_borrow_from_the_body() {
    let body = br#"<w:r xmlns:w="urn:w" w:k="v"><w:a t="1">text</w:a><b>&lt;</b></w:r>"#;
    let doc = parse(body).unwrap();
    let r = doc.root();
    let a = r.child(Some("urn:w"), "a").unwrap();
    for s in [r.name(), a.name(), a.text(), a.attr(None, "t").unwrap()] {
        assert!(within(body, s), "{s} was copied");
    }
    assert_eq!(r.attr(Some("urn:w"), "k"), Some("v"));
    assert_eq!(
        r.attrs().count(),
        1,
        "xmlns declarations are not attributes"
    );
    assert_eq!(r.child_text(None, "b"), Some("<"));
}

#[test]
fn namespaces_are_uris_and_prefixes_must_be_declared() {
    let doc =
        parse(br#"<a:x xmlns:a="urn:t" xmlns="urn:d"><y/><a:z/><q xmlns=""/></a:x>"#).unwrap();
    let r = doc.root();
    assert!(r.is(Some("urn:t"), "x"));
    let kids: Vec<(Option<&str>, &str)> = r.children().map(|c| (c.ns(), c.name())).collect();
    assert_eq!(
        kids,
        [(Some("urn:d"), "y"), (Some("urn:t"), "z"), (None, "q")]
    );
    assert_eq!(r.children_named(Some("urn:d"), "y").count(), 1);
    let e = parse(b"<a:x/>").unwrap_err();
    assert!(e.to_string().contains("undeclared namespace prefix"), "{e}");
    assert!(parse(b"<x b:c=\"1\"/>").is_err());
}

#[test]
fn many_namespaces_are_each_stored_once() {
    // 40 distinct URIs (past the linearly searched ones), then 20,000 uses of the last.
    let decls: String = (0..40)
        .map(|i| format!(" xmlns:p{i}=\"urn:{}:{i}\"", "u".repeat(2000)))
        .collect();
    let body = format!("<r{decls}>{}</r>", "<p39:e/>".repeat(20_000));
    let doc = parse(body.as_bytes()).unwrap();
    let last = format!("urn:{}:39", "u".repeat(2000));
    assert_eq!(doc.root().children_named(Some(&last), "e").count(), 20_000);
}

#[test]
fn hostile_documents_are_refused() {
    let deep = format!(
        "{}{}",
        "<a>".repeat(MAX_DEPTH + 1),
        "</a>".repeat(MAX_DEPTH + 1)
    );
    let many = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS));
    let long = format!("<r>{}</r>", "x".repeat(MAX_TEXT + 1));
    let long_blank = format!("<r>{}</r>", " ".repeat(MAX_TEXT + 1));
    let split = format!("<r>{}<!---->{}</r>", "x".repeat(MAX_TEXT), "y");
    let long_attr = format!("<r a=\"{}\"/>", "x".repeat(MAX_TEXT + 1));
    let attrs: String = (0..33).map(|i| format!(" a{i}=\"\"")).collect();
    let many_attrs = format!("<r{attrs}/>");
    for body in [
        "<!DOCTYPE x [<!ENTITY e \"e\">]><x>&e;</x>",
        "<x>&e;</x>",
        "<a/><b/>",
        "<a>",
        "</a>",
        "text<a/>",
        "",
        deep.as_str(),
        many.as_str(),
        long.as_str(),
        long_blank.as_str(),
        split.as_str(),
        long_attr.as_str(),
        many_attrs.as_str(),
    ] {
        assert!(
            parse(body.as_bytes()).is_err(),
            "{}",
            &body[..body.len().min(60)]
        );
    }
    assert!(parse(b"\xff<a/>").is_err());
    // Whitespace outside the root is not text of any element.
    assert!(parse(format!("<r/>{}", "\n".repeat(MAX_TEXT + 1)).as_bytes()).is_ok());
    assert!(parse(b"<?xml version=\"1.0\"?>\n<a/>\n<!-- end -->\n").is_ok());
}
