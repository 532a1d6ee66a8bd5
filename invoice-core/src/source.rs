//! The `InvoiceSource` trait: one per platform, turning a raw webhook request into
//! canonical events and the exact reply the platform expects.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};

use crate::{InvoiceEvent, Platform, SourceError, TenantId, ThinReference};

/// A webhook request exactly as received: method, URI, headers and the raw body bytes that
/// signatures are computed over.
pub type WebhookRequest = http::Request<Bytes>;

/// Per-request context the core hands a source.
#[derive(Debug, Clone)]
pub struct IngestContext {
    /// Now, from the relay's injected clock. Sources never read the wall clock.
    pub now: DateTime<Utc>,
    /// The tenant named in the route (`/webhooks/{slug}/{tenant}`), if any.
    pub route_tenant: Option<TenantId>,
    /// The externally visible URL of this request (scheme, host, path and query) where a
    /// signature covers it (HubSpot v3, Dynamics), as the relay was configured to see it.
    pub public_url: Option<String>,
    /// True when the request came on `/webhooks/{slug}/{tenant}/{token}` and the token
    /// matched one of the source's configured `url_tokens` (checked by the core, in
    /// constant time). Sources that authenticate by URL token alone require it.
    pub url_token_verified: bool,
    /// Read access to the journal's named cursors (set by the relay; `None` when a source
    /// is driven without a journal). Sources that poll (QuickBooks Web Connector) read
    /// their sync position here and move it with [`Ingested::cursors`].
    pub cursors: Option<Arc<dyn CursorReader>>,
}

/// Read access to the journal's named cursors, handed to sources in [`IngestContext`].
#[async_trait]
pub trait CursorReader: Send + Sync + fmt::Debug {
    /// The cursor's value, if it was ever set; `Err` with a reason when the store failed.
    async fn cursor(&self, name: &str) -> Result<Option<String>, String>;
}

impl IngestContext {
    /// A context at `now` with no route tenant.
    pub fn at(now: DateTime<Utc>) -> Self {
        IngestContext {
            now,
            route_tenant: None,
            public_url: None,
            url_token_verified: false,
            cursors: None,
        }
    }
}

/// The exact HTTP reply a platform gets.
#[derive(Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// Extra headers (content type, `X-Hook-Secret` echo).
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl Reply {
    /// An empty reply with `status`.
    pub fn empty(status: StatusCode) -> Self {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// `200 OK`, empty body.
    pub fn ok() -> Self {
        Reply::empty(StatusCode::OK)
    }

    /// A reply with a body and content type.
    pub fn with_body(
        status: StatusCode,
        content_type: &'static str,
        body: impl Into<Bytes>,
    ) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type),
        );
        Reply {
            status,
            headers,
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Handshake replies may echo a secret (`X-Hook-Secret`): print names only.
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An event the source recognised but does not turn into a state change (an unsupported
/// event type, a heartbeat); recorded in the audit log with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The platform's event id, or a content hash.
    pub event_id: String,
    /// The platform's event type.
    pub event_type: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What a source made of one verified request.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The tenant the request belongs to.
    pub tenant: TenantId,
    /// Canonical events (possibly several: a SOAP message with several notifications).
    pub events: Vec<InvoiceEvent>,
    /// Thin references to fetch from the platform's API after acknowledging.
    pub pending: Vec<ThinReference>,
    /// Events recognised and not applied, with reasons.
    pub skipped: Vec<Skipped>,
    /// The reply the platform expects once the journal has committed.
    pub reply: Reply,
    /// True for handshakes (challenge echo, `X-Hook-Secret`, intent to receive): nothing
    /// to commit, reply at once.
    pub handshake: bool,
    /// Named cursors to set in the same journal commit as the events (a poller's sync
    /// position, so a crash never skips a change). Ignored for handshakes.
    pub cursors: Vec<(String, String)>,
}

impl Ingested {
    /// A handshake reply with nothing to commit.
    pub fn handshake(tenant: TenantId, reply: Reply) -> Self {
        Ingested {
            tenant,
            events: Vec::new(),
            pending: Vec::new(),
            skipped: Vec::new(),
            reply,
            handshake: true,
            cursors: Vec::new(),
        }
    }

    /// Events to commit, then `reply`.
    pub fn events(tenant: TenantId, events: Vec<InvoiceEvent>, reply: Reply) -> Self {
        Ingested {
            tenant,
            events,
            pending: Vec::new(),
            skipped: Vec::new(),
            reply,
            handshake: false,
            cursors: Vec::new(),
        }
    }
}

/// How a platform proves a request is its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureScheme {
    /// HMAC-SHA256 over the body (or a documented concatenation), in a header.
    HmacSha256,
    /// HMAC-SHA1.
    HmacSha1,
    /// An asymmetric signature (PayPal REST certificate, SHA256withRSA).
    Certificate,
    /// A JWT in a header (monday.com).
    Jwt,
    /// A postback to the platform (PayPal IPN).
    Postback,
    /// A shared-secret header or URL token compared as a whole.
    SharedSecret,
    /// Basic authentication.
    Basic,
}

/// What handshake, if any, the platform performs when a webhook is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Handshake {
    /// None.
    None,
    /// Echo a challenge value (monday.com, Asana `X-Hook-Secret`).
    ChallengeEcho,
    /// Reply 200/401 to prove the key (Xero intent to receive).
    IntentToReceive,
    /// A verification code posted back through the platform's API (FreshBooks).
    Verifier,
    /// A SOAP acknowledgement is part of every reply (Salesforce).
    SoapAck,
}

/// Capabilities of a connector, as data. The conformance kit chooses its cases from it;
/// the README's platform table is generated from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorInfo {
    /// The platform.
    pub platform: Platform,
    /// How requests are authenticated.
    pub signature: SignatureScheme,
    /// The header carrying the signature, if one does.
    pub signature_header: Option<&'static str>,
    /// The signature covers a timestamp that is checked against a window.
    pub timestamped: bool,
    /// Default tolerance of that window, seconds.
    pub tolerance_secs: u64,
    /// Registration handshake.
    pub handshake: Handshake,
    /// Payloads carry ids only and need an API fetch.
    pub thin: bool,
    /// Events carry a source version (SyncToken, `created`, ...).
    pub source_versions: bool,
    /// Several secrets can be active at once.
    pub rotation: bool,
}

/// A platform connector: verify, parse, map, reply.
///
/// Contract (each a kit assertion in `invoice_core::testing`, see
/// `docs/specs/connector.md`):
/// - verification happens on the raw body bytes before any parsing; a bad or missing
///   signature returns [`SourceError::BadSignature`] and no events;
/// - a signature older than the tolerance returns [`SourceError::StaleTimestamp`];
/// - any configured secret verifies (rotation);
/// - a malformed body returns [`SourceError::Malformed`] with a reason, never a panic;
/// - an unknown event type is `Ok` with the event in `skipped`, never an error;
/// - the time comes from `ctx.now`, never the wall clock.
#[async_trait]
pub trait InvoiceSource: Send + Sync + fmt::Debug {
    /// What this connector can do.
    fn info(&self) -> &ConnectorInfo;

    /// Verifies and parses one request.
    async fn ingest(
        &self,
        request: &WebhookRequest,
        ctx: &IngestContext,
    ) -> Result<Ingested, SourceError>;
}
