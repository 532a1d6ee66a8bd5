//! The SOAP reader is namespace-aware, refuses DTDs and entities, and is bounded.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use invoice_connector_salesforce::error::SalesforceError;
use invoice_connector_salesforce::soap::{parse, MAX_DEPTH, MAX_XML_BYTES};

const ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const OM: &str = "http://soap.sforce.com/2005/09/outbound";
const SF: &str = "urn:sobject.enterprise.soap.sforce.com";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn message(om_prefix: &str, om_uri: &str, sf_uri: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{ENV}" xmlns:xsi="{XSI}"><s:Body><{om_prefix}notifications xmlns{colon}{p}="{om_uri}"><{om_prefix}OrganizationId>00D5g000004XyZaEAK</{om_prefix}OrganizationId><{om_prefix}Notification><{om_prefix}Id>04l1</{om_prefix}Id><{om_prefix}sObject xsi:type="sf:Invoice__c" xmlns:sf="{sf_uri}">{inner}</{om_prefix}sObject></{om_prefix}Notification></{om_prefix}notifications></s:Body></s:Envelope>"#,
        colon = if om_prefix.is_empty() { "" } else { ":" },
        p = om_prefix.trim_end_matches(':'),
    )
}

fn is_xml_error(r: Result<impl std::fmt::Debug, SalesforceError>) -> bool {
    matches!(r, Err(SalesforceError::Xml(_)))
}

#[test]
fn any_prefix_bound_to_the_right_uri_is_accepted() {
    for prefix in ["", "om:", "tns:", "ns1:"] {
        let xml = message(prefix, OM, SF, "<sf:Status__c>Paid</sf:Status__c>");
        let msg = parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{prefix}: {e}"));
        assert_eq!(msg.organization_id, "00D5g000004XyZaEAK");
        let obj = &msg.notifications[0].object;
        assert_eq!(obj.type_name.as_deref(), Some("Invoice__c"));
        assert_eq!(obj.text("Status__c"), Some("Paid"));
    }
}

#[test]
fn the_right_local_names_in_another_namespace_are_not_the_message() {
    let xml = message("om:", "http://example.com/not-salesforce", SF, "");
    assert!(is_xml_error(parse(xml.as_bytes())));
}

#[test]
fn fields_and_types_bound_to_another_namespace_are_not_fields() {
    let xml = message(
        "",
        OM,
        "urn:sobject.partner.soap.sforce.com",
        "<sf:Status__c>Paid</sf:Status__c>",
    );
    let msg = parse(xml.as_bytes()).unwrap();
    let obj = &msg.notifications[0].object;
    assert_eq!(
        obj.type_name, None,
        "xsi:type resolved through the wrong URI"
    );
    assert!(obj.fields.is_empty());
}

#[test]
fn unbound_prefixes_are_refused() {
    let xml = message("", OM, SF, "<zz:Status__c>Paid</zz:Status__c>");
    assert!(is_xml_error(parse(xml.as_bytes())));
}

#[test]
fn entity_bomb_is_refused_before_any_expansion() {
    let mut dtd = String::from("<!DOCTYPE s:Envelope [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push(']');
    dtd.push('>');
    let xml = message("", OM, SF, "<sf:Status__c>&lol9;</sf:Status__c>").replacen(
        "?>",
        &format!("?>{dtd}"),
        1,
    );
    match parse(xml.as_bytes()) {
        Err(SalesforceError::Xml(m)) => assert!(m.contains("DOCTYPE"), "{m}"),
        other => panic!("entity bomb not refused: {other:?}"),
    }
}

#[test]
fn external_entities_are_refused() {
    let xml = message("", OM, SF, "<sf:Status__c>&xxe;</sf:Status__c>").replacen(
        "?>",
        "?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        1,
    );
    assert!(is_xml_error(parse(xml.as_bytes())));
}

#[test]
fn undeclared_entity_references_are_errors_not_text() {
    let xml = message("", OM, SF, "<sf:Status__c>&lol;</sf:Status__c>");
    assert!(is_xml_error(parse(xml.as_bytes())));
    let ok = message(
        "",
        OM,
        SF,
        "<sf:Name>A &amp; B &#x41;</sf:Name><sf:Status__c>Paid</sf:Status__c>",
    );
    let msg = parse(ok.as_bytes()).unwrap();
    assert_eq!(msg.notifications[0].object.text("Name"), Some("A & B A"));
}

#[test]
fn depth_is_bounded() {
    let deep = format!(
        "<sf:Status__c>{}x{}</sf:Status__c>",
        "<a>".repeat(MAX_DEPTH + 5),
        "</a>".repeat(MAX_DEPTH + 5)
    );
    let xml = message("", OM, SF, &deep);
    match parse(xml.as_bytes()) {
        Err(SalesforceError::Xml(m)) => assert!(m.contains("deeper"), "{m}"),
        other => panic!("depth bomb not refused: {other:?}"),
    }
}

#[test]
fn size_and_encoding_are_checked() {
    let big = vec![b' '; MAX_XML_BYTES + 1];
    assert!(is_xml_error(parse(&big)));
    assert!(is_xml_error(parse(&[0xff, 0xfe, 0x3c])));
    assert!(is_xml_error(parse(b"")));
}

#[test]
fn relationship_sub_records_are_not_values() {
    let xml = message(
        "",
        OM,
        SF,
        "<sf:Account__r xsi:type=\"sf:Account\"><sf:Name>Acme</sf:Name></sf:Account__r><sf:Status__c xsi:nil=\"true\"/>",
    );
    let msg = parse(xml.as_bytes()).unwrap();
    let obj = &msg.notifications[0].object;
    assert!(!obj.fields.contains_key("Account__r"));
    assert!(!obj.fields.contains_key("Name"));
    assert_eq!(obj.text("Status__c"), None, "nil is not a value");
}

#[test]
fn structure_errors_are_malformed() {
    // A fault instead of notifications, a non-SOAP root, a notification without Id,
    // mismatched tags, two roots.
    let fault = format!(
        r#"<s:Envelope xmlns:s="{ENV}"><s:Body><s:Fault><faultcode>s:Client</faultcode></s:Fault></s:Body></s:Envelope>"#
    );
    assert!(is_xml_error(parse(fault.as_bytes())));
    assert!(is_xml_error(parse(b"<notifications/>")));
    let no_id = message("", OM, SF, "").replace("<Id>04l1</Id>", "");
    assert!(is_xml_error(parse(no_id.as_bytes())));
    let mismatched = message("", OM, SF, "<sf:Status__c>Paid</sf:Name>");
    assert!(is_xml_error(parse(mismatched.as_bytes())));
    let two_roots = format!("{}{}", message("", OM, SF, ""), message("", OM, SF, ""));
    assert!(is_xml_error(parse(two_roots.as_bytes())));
}
