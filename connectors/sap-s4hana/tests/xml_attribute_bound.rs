//! Regression (found by the issue-10 bad-input tests in Sage Intacct and Salesforce, whose
//! XML reader this one shares): ordinary attributes were already capped at 32, but
//! namespace declarations were skipped before that count, so a start tag with tens of
//! thousands of `xmlns:pN` declarations still went through quick-xml's quadratic
//! duplicate-attribute check. Every attribute now counts towards [`MAX_ATTRIBUTES`].

use invoice_connector_sap_s4hana::xml::{parse, MAX_ATTRIBUTES};

fn with_attributes(n: usize) -> String {
    let attrs: Vec<String> = (0..n).map(|i| format!("xmlns:p{i}=\"urn:p{i}\"")).collect();
    format!("<root><value {}>42</value></root>", attrs.join(" "))
}

#[test]
fn an_element_with_too_many_attributes_is_refused() {
    for n in [50_000, MAX_ATTRIBUTES + 1] {
        let e = parse(with_attributes(n).as_bytes()).expect_err("refused");
        assert!(e.to_string().contains("attributes"), "{n}: {e}");
    }
}

#[test]
fn attributes_up_to_the_bound_still_parse() {
    assert!(parse(with_attributes(MAX_ATTRIBUTES).as_bytes()).is_ok());
}
