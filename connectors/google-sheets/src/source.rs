//! The Google Sheets [`InvoiceSource`]: verify the raw body, parse the post, map each row,
//! reply 200.

use async_trait::async_trait;
use http::HeaderName;
use invoice_core::registry::ConfigError;
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

use crate::amount::decimal_separator;
use crate::config::{Settings, SheetsConfig};
use crate::error::SheetsError;
use crate::mapping::{map_post, RowReader};
use crate::payload::Post;
use crate::verify::{verify, HEADER};

// Prebuilt header names: a `&str` name is parsed again on every lookup.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);

/// Google Sheets' capabilities (as the shipped script gives them).
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::GoogleSheets,
        signature: SignatureScheme::HmacSha256,
        signature_header: Some(HEADER),
        timestamped: true,
        tolerance_secs: 300,
        handshake: Handshake::None,
        thin: false,
        source_versions: true,
        rotation: true,
    }
}

/// The Google Sheets source.
#[derive(Debug)]
pub struct SheetsSource {
    config: SheetsConfig,
    settings: Settings,
    info: ConnectorInfo,
}

impl SheetsSource {
    /// A source from its configuration (at least one non-empty secret, valid currency,
    /// separator and status words).
    pub fn new(config: SheetsConfig) -> Result<Self, ConfigError> {
        let settings = config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(SheetsSource {
            config,
            settings,
            info,
        })
    }

    fn decimal(&self, post: &Post<'_>) -> char {
        self.config
            .decimal_separator
            .or_else(|| self.config.locale.as_deref().map(decimal_separator))
            .or_else(|| post.locale.as_deref().map(decimal_separator))
            .unwrap_or('.')
    }
}

#[async_trait]
impl InvoiceSource for SheetsSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - verifies `X-Sheets-Signature` over the raw body before parsing anything;
    /// - the tenant is the post's `spreadsheetId` (refused with `UnknownTenant` when
    ///   `spreadsheets` is set and does not list it);
    /// - one snapshot event per readable row; unreadable rows and unknown status words are
    ///   skipped with their reason, never an error for the whole post;
    /// - replies `200` with an empty body once committed.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let body = request.body();
        let header = request.headers().get(&HEADER_NAME).map(|v| v.as_bytes());
        verify(
            header,
            body,
            &self.config.secrets,
            ctx.now,
            self.config.tolerance_seconds,
        )?;
        let post: Post<'_> =
            invoice_connector_support::json::from_body(body).map_err(SourceError::malformed)?;
        let id = post.spreadsheet_id.trim();
        if id.is_empty() {
            return Err(SheetsError::Body("empty spreadsheetId".into()).into());
        }
        if !self.config.spreadsheets.is_empty() && !self.config.spreadsheets.iter().any(|s| s == id)
        {
            return Err(SheetsError::UnknownSpreadsheet(id.chars().take(64).collect()).into());
        }
        let tenant = TenantId(id.to_owned());
        let reader = RowReader {
            columns: &self.config.columns,
            settings: &self.settings,
            decimal: self.decimal(&post),
        };
        let mapped = map_post(&post, &tenant, &reader);
        let mut ingested = Ingested::events(tenant, mapped.events, Reply::ok());
        ingested.skipped = mapped.skipped;
        Ok(ingested)
    }
}
