//! Runs the shipped Power Automate flow definition (`scripts/invoice-relay-flow.json`):
//! its HTTP action's URI, headers and body are evaluated against a Dataverse trigger
//! output (the Web API shape of an invoice row) with a tiny evaluator of the only
//! expressions the flow may use (`parameters`, `triggerOutputs`, `outputs`, `workflow`;
//! any other expression fails the test), and the resulting request is fed to a source in
//! `http_header` mode.

#![allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)

use chrono::{TimeZone, Utc};
use invoice_connector_dynamics365::testing::{fixture_config, FIXTURE_ORG, FIXTURE_SECRET};
use invoice_connector_dynamics365::{AuthMode, Dynamics365Source};
use invoice_core::reexports::bytes::Bytes;
use invoice_core::{
    ErrorKind, EventKind, IngestContext, Ingested, InvoiceSource, Lifecycle, Secret,
};
use serde_json::{json, Value};

const FLOW: &str = include_str!("../scripts/invoice-relay-flow.json");

struct Run {
    params: Value,
    trigger: Value,
    currency: Value,
}

impl Run {
    fn eval(&self, expr: &str) -> Value {
        let Some(e) = expr.strip_prefix('@') else {
            return Value::String(expr.to_owned());
        };
        let quoted = |s: &str, pre: &str, post: &str| {
            s.strip_prefix(pre)
                .and_then(|r| r.strip_suffix(post))
                .map(str::to_owned)
        };
        if let Some(name) = quoted(e, "parameters('", "')") {
            return self.params[name.as_str()].clone();
        }
        if let Some(field) = quoted(e, "triggerOutputs()?['body/", "']") {
            return self.trigger.get(&field).cloned().unwrap_or(Value::Null);
        }
        if let Some(field) = quoted(e, "outputs('Get_the_invoice_currency')?['body/", "']") {
            return self.currency.get(&field).cloned().unwrap_or(Value::Null);
        }
        if e == "workflow()?['run']?['name']" {
            return json!("08584759915129048561187417981CU12");
        }
        panic!("the flow uses an expression this test cannot evaluate: {expr}");
    }

    fn eval_tree(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => self.eval(s),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.eval_tree(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The HTTP action's request.
    fn request(&self) -> http::Request<Bytes> {
        let flow: Value = serde_json::from_str(FLOW).unwrap();
        let http_action = &flow["actions"]["Post_to_Invoice_Relay"];
        assert_eq!(http_action["type"], "Http");
        let inputs = &http_action["inputs"];
        assert_eq!(inputs["method"], "POST");
        let uri = self.eval(inputs["uri"].as_str().unwrap());
        let uri = uri.as_str().unwrap();
        let path = uri.split_once(".example").map(|(_, p)| p).unwrap();
        let mut b = http::Request::builder().method("POST").uri(path);
        for (k, v) in inputs["headers"].as_object().unwrap() {
            let v = self.eval(v.as_str().unwrap());
            b = b.header(k.as_str(), v.as_str().unwrap());
        }
        let body = serde_json::to_vec(&self.eval_tree(&inputs["body"])).unwrap();
        b.body(Bytes::from(body)).unwrap()
    }
}

fn run_for(trigger: Value, key: &str) -> Run {
    Run {
        params: json!({
            "InvoiceRelayUrl": "https://relay.anodize-works.example/webhooks/dynamics365",
            "InvoiceRelayKey": key,
            "DataverseOrganizationId": FIXTURE_ORG,
        }),
        trigger,
        currency: json!({"@odata.etag": "W/\"1204511\"", "isocurrencycode": "EUR",
                          "transactioncurrencyid": "7d2e3f90-4ea2-e711-8122-000d3aa2331c"}),
    }
}

fn row(message: &str, state: i64, status: i64) -> Value {
    json!({
        "@odata.type": "#Microsoft.Dynamics.CRM.invoice",
        "SdkMessage": message,
        "invoiceid": "8d2a5e3b-6c4f-f011-a1b2-000d3a2b4c02",
        "invoicenumber": "INV-01043-M3P8R1",
        "statecode": state,
        "statecode@OData.Community.Display.V1.FormattedValue": "Paid",
        "statuscode": status,
        "totalamount": 3980.0,
        "duedate": "2026-01-31",
        "_customerid_value": "4b0e2d66-3c8f-f011-a1b2-000d3a2b4d11",
        "_customerid_value@OData.Community.Display.V1.FormattedValue": "Zürich Härterei AG",
        "_transactioncurrencyid_value": "7d2e3f90-4ea2-e711-8122-000d3aa2331c",
        "modifiedon": "2026-01-15T11:04:27Z",
    })
}

fn ingest(req: &http::Request<Bytes>) -> Result<Ingested, ErrorKind> {
    let mut c = fixture_config(vec![Secret::new(FIXTURE_SECRET)]);
    c.auth = AuthMode::HttpHeader;
    let s = Dynamics365Source::new(c).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 11, 4, 31).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(s.ingest(req, &IngestContext::at(now)))
        .map_err(|e| e.kind())
}

#[test]
fn shipped_flow_posts_a_paid_invoice_that_the_source_reads() {
    let req = run_for(row("Update", 2, 100_001), FIXTURE_SECRET).request();
    assert_eq!(req.headers()["x-invoice-relay-key"], FIXTURE_SECRET);
    let got = ingest(&req).unwrap();
    assert_eq!(got.tenant.as_str(), FIXTURE_ORG);
    let e = &got.events[0];
    assert_eq!(
        (e.kind, e.key.id.as_str()),
        (EventKind::Paid, "8d2a5e3b-6c4f-f011-a1b2-000d3a2b4c02")
    );
    let s = e.snapshot.as_ref().unwrap();
    assert_eq!(s.lifecycle, Lifecycle::Paid);
    assert_eq!(
        (s.total.to_string(), s.paid.to_string()),
        ("3980.00".into(), "3980.00".into())
    );
    assert_eq!(s.currency.as_str(), "EUR");
    assert_eq!(s.due_date.unwrap().to_string(), "2026-01-31");
    assert_eq!(s.customer.name.as_deref(), Some("Zürich Härterei AG"));
    assert_eq!(s.number.as_deref(), Some("INV-01043-M3P8R1"));
    assert_eq!(e.source_version, Some(1_768_475_067_000));
    assert_eq!(
        e.platform_event_id,
        "flow:invoice/8d2a5e3b-6c4f-f011-a1b2-000d3a2b4c02:Update:1768475067000"
    );
}

#[test]
fn shipped_flow_reports_each_state() {
    for (state, status, kind) in [
        (0, 1, EventKind::Issued),
        (0, 4, EventKind::Issued),
        (2, 100_002, EventKind::PaymentReceived),
        (3, 100_003, EventKind::Voided),
    ] {
        let req = run_for(row("Update", state, status), FIXTURE_SECRET).request();
        let got = ingest(&req).unwrap();
        assert_eq!(got.events[0].kind, kind, "{state}/{status}");
    }
}

#[test]
fn shipped_flow_with_a_wrong_or_empty_key_is_refused() {
    for key in ["", "d365_invoice_relay_fixture_webhook_kez"] {
        let req = run_for(row("Update", 2, 100_001), key).request();
        assert_eq!(
            ingest(&req).unwrap_err(),
            ErrorKind::BadSignature,
            "{key:?}"
        );
    }
}

#[test]
fn the_same_row_change_posted_twice_has_one_event_id() {
    let a = ingest(&run_for(row("Update", 2, 100_001), FIXTURE_SECRET).request()).unwrap();
    let b = ingest(&run_for(row("Update", 2, 100_001), FIXTURE_SECRET).request()).unwrap();
    assert_eq!(a.events[0].platform_event_id, b.events[0].platform_event_id);
}
