//! The QuickBooks Desktop [`InvoiceSource`]: one route, two paths.
//!
//! - A request with a `SOAPAction` header is a Web Connector call (see [`crate::soap`]).
//! - Any other request is a forwarded `QBXMLEvents` message and must carry a valid
//!   `X-Relay-Signature` (see [`crate::verify`]).

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use http::StatusCode;
use invoice_core::registry::ConfigError;
use invoice_core::verify::{constant_time_eq, matches_any_secret};
use invoice_core::{
    ConnectorInfo, Handshake, IngestContext, Ingested, InvoiceSource, Platform, Reply,
    SignatureScheme, Skipped, SourceError, TenantId, WebhookRequest,
};

use crate::config::QbdConfig;
use crate::error::QbdError;
use crate::mapping::{map_invoice, map_txn_event, Forwarded};
use crate::qbxml::{
    invoice_query, invoice_query_answer, parse_datetime, parse_document, parse_events, QueryAnswer,
};
use crate::soap::{self, Call};
use crate::verify::{issue_ticket, verify_forward, verify_ticket, HEADER};

/// What `serverVersion` answers.
pub const SERVER_VERSION: &str = concat!("invoice-relay ", env!("CARGO_PKG_VERSION"));

/// Capabilities (the forwarder's signature; the Web Connector path uses session tickets).
pub fn info() -> ConnectorInfo {
    ConnectorInfo {
        platform: Platform::QuickbooksDesktop,
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

/// The journal cursor holding a company's last sync position (`TimeModified` of the
/// newest invoice read).
pub fn cursor_name(tenant: &TenantId) -> String {
    format!("quickbooks-desktop:{tenant}:invoice_modified")
}

/// The QuickBooks Desktop source.
#[derive(Debug)]
pub struct QbdSource {
    config: QbdConfig,
    info: ConnectorInfo,
    /// Last error per ticket, for `getLastError` (memory only: after a restart QBWC gets
    /// a generic message).
    last_errors: Mutex<HashMap<String, String>>,
}

impl QbdSource {
    /// A source from its configuration.
    pub fn new(config: QbdConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut info = info();
        info.tolerance_secs = config.tolerance_seconds;
        Ok(QbdSource {
            config,
            info,
            last_errors: Mutex::new(HashMap::new()),
        })
    }

    fn remember_error(&self, ticket: &str, message: String) {
        if let Ok(mut m) = self.last_errors.lock() {
            if m.len() >= 256 {
                m.clear();
            }
            m.insert(ticket.to_owned(), message);
        }
    }

    fn soap_reply(tenant: TenantId, status: StatusCode, body: String) -> Ingested {
        Ingested::handshake(tenant, Reply::with_body(status, soap::CONTENT_TYPE, body))
    }

    fn check_ticket(
        &self,
        ticket: &str,
        tenant: &TenantId,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        verify_ticket(
            ticket,
            tenant.as_str(),
            &self.config.secrets,
            now,
            self.config.ticket_lifetime_seconds,
        )
    }

    async fn current_cursor(
        &self,
        tenant: &TenantId,
        ctx: &IngestContext,
    ) -> Result<Option<String>, QbdError> {
        match &ctx.cursors {
            Some(reader) => reader
                .cursor(&cursor_name(tenant))
                .await
                .map_err(QbdError::Journal),
            None => Ok(None),
        }
    }

    async fn web_connector(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let tenant = TenantId(
            self.config
                .tenant(ctx.route_tenant.as_ref().map(TenantId::as_str))
                .map_err(QbdError::UnknownCompany)?
                .to_owned(),
        );
        let call = soap::parse(request.body())?;
        let ok = |body: String| Ok(Self::soap_reply(tenant.clone(), StatusCode::OK, body));
        match call {
            Call::ServerVersion => ok(soap::string_result("serverVersion", SERVER_VERSION)),
            Call::ClientVersion(_) => ok(soap::string_result("clientVersion", "")),
            Call::Authenticate { user, password } => {
                let user_ok = constant_time_eq(user.as_bytes(), self.config.qbwc_user.as_bytes());
                let pass_ok = matches_any_secret(
                    std::slice::from_ref(&self.config.qbwc_password),
                    password.as_bytes(),
                );
                if user_ok & pass_ok {
                    let Some(key) = self.config.secrets.first() else {
                        return Err(SourceError::Upstream("no ticket key".into()));
                    };
                    let ticket = issue_ticket(key, tenant.as_str(), ctx.now);
                    ok(soap::authenticate_result(
                        &ticket,
                        &self.config.company_file,
                    ))
                } else {
                    ok(soap::authenticate_result("", "nvu"))
                }
            }
            Call::SendRequestXml { ticket } => {
                self.check_ticket(&ticket, &tenant, ctx.now)?;
                let from = self
                    .current_cursor(&tenant, ctx)
                    .await?
                    .or_else(|| self.config.initial_from.clone());
                let query = invoice_query(&self.config.qbxml_version, from.as_deref());
                ok(soap::string_result("sendRequestXML", &query))
            }
            Call::ReceiveResponseXml {
                ticket,
                response,
                hresult,
                message,
            } => {
                self.check_ticket(&ticket, &tenant, ctx.now)?;
                if !hresult.is_empty() {
                    self.remember_error(&ticket, format!("QuickBooks error {hresult}: {message}"));
                    return ok(soap::receive_result(-1));
                }
                let doc = parse_document(&response)?;
                match invoice_query_answer(&doc)? {
                    QueryAnswer::Failed(code, msg) => {
                        self.remember_error(&ticket, format!("InvoiceQuery status {code}: {msg}"));
                        ok(soap::receive_result(-1))
                    }
                    QueryAnswer::Invoices(invoices) => self.sync(&tenant, invoices, ctx).await,
                }
            }
            Call::ConnectionError { ticket } => {
                self.check_ticket(&ticket, &tenant, ctx.now)?;
                ok(soap::string_result("connectionError", "done"))
            }
            Call::GetLastError { ticket } => {
                self.check_ticket(&ticket, &tenant, ctx.now)?;
                let last = self
                    .last_errors
                    .lock()
                    .ok()
                    .and_then(|m| m.get(&ticket).cloned())
                    .unwrap_or_else(|| "no error recorded for this session".into());
                ok(soap::string_result("getLastError", &last))
            }
            Call::CloseConnection { ticket } => {
                self.check_ticket(&ticket, &tenant, ctx.now)?;
                if let Ok(mut m) = self.last_errors.lock() {
                    m.remove(&ticket);
                }
                ok(soap::string_result("closeConnection", "OK"))
            }
            Call::Other(method) => Ok(Self::soap_reply(
                tenant,
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::fault(&format!("{method} is not implemented")),
            )),
        }
    }

    async fn sync(
        &self,
        tenant: &TenantId,
        invoices: Vec<crate::payload::InvoiceRet<'_>>,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let mut events = Vec::new();
        let mut skipped = Vec::new();
        let mut newest: Option<(DateTime<chrono::FixedOffset>, String)> = None;
        // The oldest invoice that could not be mapped: the cursor stops there, so it is read
        // again (and applied once the configuration is fixed) instead of being passed over.
        let mut held: Option<(DateTime<chrono::FixedOffset>, String)> = None;
        for inv in &invoices {
            let modified = inv
                .time_modified
                .and_then(|t| parse_datetime(t).map(|p| (p, t.trim().to_owned())));
            if let Some((parsed, text)) = &modified {
                if newest.as_ref().is_none_or(|(n, _)| parsed > n) {
                    newest = Some((*parsed, text.clone()));
                }
            }
            match map_invoice(inv, tenant, &self.config, ctx.now) {
                Ok(e) => events.push(e),
                Err(reason) => {
                    if let Some((parsed, text)) = &modified {
                        if held.as_ref().is_none_or(|(h, _)| parsed < h) {
                            held = Some((*parsed, text.clone()));
                        }
                    }
                    skipped.push(Skipped {
                        event_id: format!(
                            "Invoice:{}:{}",
                            inv.txn_id,
                            inv.edit_sequence.unwrap_or("0")
                        ),
                        event_type: "InvoiceRet".into(),
                        reason,
                    })
                }
            }
        }
        let newest = held.or(newest);
        let mut out = Ingested::events(
            tenant.clone(),
            events,
            Reply::with_body(
                StatusCode::OK,
                soap::CONTENT_TYPE,
                soap::receive_result(100),
            ),
        );
        out.skipped = skipped;
        if let Some((n, text)) = newest {
            let current = self.current_cursor(tenant, ctx).await?;
            let older = current
                .as_deref()
                .and_then(parse_datetime)
                .is_some_and(|c| c >= n);
            if !older {
                out.cursors.push((cursor_name(tenant), text));
            }
        }
        Ok(out)
    }

    fn forwarded(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        let signed_at = verify_forward(
            request.headers().get(HEADER).map(|v| v.as_bytes()),
            request.body(),
            &self.config.secrets,
            ctx.now,
            self.config.tolerance_seconds,
        )?;
        let tenant = TenantId(
            self.config
                .tenant(ctx.route_tenant.as_ref().map(TenantId::as_str))
                .map_err(QbdError::UnknownCompany)?
                .to_owned(),
        );
        let events = parse_events(request.body())?;
        let mut out = Ingested::events(tenant.clone(), Vec::new(), Reply::ok());
        for ev in &events {
            match map_txn_event(ev, &tenant, signed_at, ctx.now) {
                Forwarded::Event(e) => out.events.push(*e),
                Forwarded::Skipped(s) => out.skipped.push(s),
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl InvoiceSource for QbdSource {
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// - a request with `SOAPAction` is a Web Connector call: `authenticate` answers
    ///   `nvu` to wrong credentials, every ticketed call with a bad, foreign or expired
    ///   ticket is `BadSignature` (401) and nothing is read;
    /// - `receiveResponseXML` turns each `InvoiceRet` into an `updated` snapshot and moves
    ///   the journal cursor in the same commit; it answers 100 (done) once committed;
    /// - any other request must carry a valid `X-Relay-Signature` before its body is read;
    ///   an invoice `Delete` becomes `voided`, `Add`/`Modify` are recorded as skipped
    ///   references (the next sync reads them);
    /// - a route company that is not configured is `UnknownTenant`.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError> {
        if request.headers().contains_key("soapaction") {
            self.web_connector(request, ctx).await
        } else {
            self.forwarded(request, ctx)
        }
    }
}
