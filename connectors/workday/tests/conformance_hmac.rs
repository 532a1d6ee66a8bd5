//! The conformance suite again in HMAC mode (a Studio integration that signs), on
//! `fixtures/hmac/`: body and signature tampering, stale timestamps.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use invoice_connector_workday::testing::{Harness, FIXTURE_SECRET};
use invoice_connector_workday::AuthMode;
use invoice_core::testing::connector::ConnectorHarness;
use invoice_core::{ConnectorInfo, InvoiceSource, Secret, WebhookRequest};

struct WorkdayHmac;

impl ConnectorHarness for WorkdayHmac {
    fn info(&self) -> ConnectorInfo {
        Harness(AuthMode::Hmac).info()
    }
    fn fixtures_dir(&self) -> PathBuf {
        Harness(AuthMode::Hmac).fixtures()
    }
    fn fixture_secret(&self) -> Secret {
        Secret::new(FIXTURE_SECRET)
    }
    fn source(&self, secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        Harness(AuthMode::Hmac).source(secrets)
    }
    fn sign(&self, request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
        Harness(AuthMode::Hmac).sign(request, secret, at)
    }
}

invoice_core::connector_suite!(WorkdayHmac);
