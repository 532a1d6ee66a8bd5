//! Regression (found by the issue-10 bad-input tests): an `sObject` or field element with
//! tens of thousands of attributes made the parser spend about a minute in quick-xml's
//! quadratic duplicate-attribute check, and then accepted the message. It is now refused
//! by count, before that work.

use invoice_connector_salesforce::soap::{parse, MAX_ATTRIBUTES};

fn message(attrs_on_sobject: usize) -> String {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/01_om_invoice_posted.http"
    ))
    .expect("fixture");
    let body = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .map(|(_, b)| b.to_owned())
        .expect("fixture body");
    let attrs: Vec<String> = (0..attrs_on_sobject)
        .map(|i| format!("a{i}=\"1\""))
        .collect();
    body.replace(
        "<sObject xsi:type",
        &format!("<sObject {} xsi:type", attrs.join(" ")),
    )
}

#[test]
fn an_element_with_too_many_attributes_is_refused() {
    for n in [50_000, MAX_ATTRIBUTES + 1] {
        let e = parse(message(n).as_bytes()).expect_err("refused");
        assert!(e.to_string().contains("attributes"), "{n}: {e}");
    }
}

#[test]
fn attributes_up_to_the_bound_still_parse() {
    // xsi:type is read after the padding, so the bound leaves room for it.
    let m = parse(message(MAX_ATTRIBUTES - 8).as_bytes()).expect("parsed");
    assert_eq!(m.notifications.len(), 1);
}
