//! Regression (found by the issue-10 bad-input tests): a start tag with tens of thousands
//! of attributes made the parser spend minutes in quick-xml's quadratic duplicate check.
//! It is now refused by count, before that work.

use invoice_connector_sage_intacct::xml::{parse, MAX_ATTRIBUTES};

fn with_attributes(n: usize) -> String {
    let attrs: Vec<String> = (0..n).map(|i| format!("a{i}=\"1\"")).collect();
    format!(
        "<smartEvent><object {}>ARINVOICE</object></smartEvent>",
        attrs.join(" ")
    )
}

#[test]
fn an_element_with_too_many_attributes_is_refused() {
    let e = parse(with_attributes(50_000).as_bytes()).expect_err("refused");
    assert!(e.to_string().contains("attributes"), "{e}");
    let e = parse(with_attributes(MAX_ATTRIBUTES + 1).as_bytes()).expect_err("refused");
    assert!(e.to_string().contains("attributes"), "{e}");
}

#[test]
fn an_element_with_attributes_up_to_the_bound_parses() {
    let root = parse(with_attributes(MAX_ATTRIBUTES).as_bytes()).expect("parsed");
    assert_eq!(root.child_text(None, "object"), Some("ARINVOICE"));
}
