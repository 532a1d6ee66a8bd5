//! The `invoice_core::testing` conformance suite on the QuickBooks Desktop fixtures.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use invoice_connector_quickbooks_desktop::testing::{sign, Harness, FIXTURE_SECRET};
use invoice_core::testing::connector::ConnectorHarness;
use invoice_core::{ConnectorInfo, InvoiceSource, Secret, WebhookRequest};

struct Qbd;

impl ConnectorHarness for Qbd {
    fn info(&self) -> ConnectorInfo {
        Harness::info()
    }
    fn fixtures_dir(&self) -> PathBuf {
        Harness::fixtures()
    }
    fn fixture_secret(&self) -> Secret {
        Secret::new(FIXTURE_SECRET)
    }
    fn source(&self, secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        Harness::source(secrets)
    }
    fn sign(&self, request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
        sign(request, secret, at)
    }
}

invoice_core::connector_suite!(Qbd);
