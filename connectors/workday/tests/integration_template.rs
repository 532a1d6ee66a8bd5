//! The guide embeds the shipped XSLT and the message shape verbatim, and that message is
//! what the connector reads (fixture 01).
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_guide_embeds_the_xslt_and_the_message_verbatim() {
    let guide = std::fs::read_to_string(root().join("../../docs/platforms/workday.md")).unwrap();
    let xsl =
        std::fs::read_to_string(root().join("integration/customer_invoice_events.xsl")).unwrap();
    assert!(
        guide.contains(&xsl),
        "docs/platforms/workday.md: XSLT out of date"
    );
    let raw = std::fs::read(root().join("fixtures/01_invoice_approved_unpaid.http")).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let body = String::from_utf8(raw[split..].to_vec()).unwrap();
    assert!(
        guide.contains(&body),
        "docs/platforms/workday.md: message out of date"
    );
    // The stylesheet writes the elements the connector reads.
    for element in [
        "wd:Customer_Invoice_Reference",
        "wd:Invoice_Number",
        "wd:Total_Invoice_Amount",
        "wd:Payment_Status",
        "wd:Canceled",
        "wd:Event_Reference",
    ] {
        assert!(xsl.contains(element), "{element}");
    }
}
