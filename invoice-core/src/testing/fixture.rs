//! Fixture files: a raw HTTP request exactly as the platform sends it (`<name>.http`:
//! request line, headers, blank line, body bytes) and what must come of it
//! (`<name>.expect.json`).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::WebhookRequest;

/// One expected canonical event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedEvent {
    /// Event kind word (`paid`).
    pub kind: String,
    /// The platform's invoice id (`InvoiceKey::id`).
    pub invoice: String,
    /// Lifecycle word of the snapshot, if the event carries one.
    #[serde(default)]
    pub lifecycle: Option<String>,
    /// Currency code of the snapshot or amount.
    #[serde(default)]
    pub currency: Option<String>,
    /// Snapshot total, as a decimal string.
    #[serde(default)]
    pub total: Option<String>,
    /// Snapshot paid, as a decimal string.
    #[serde(default)]
    pub paid: Option<String>,
    /// Amount of a payment / refund / adjustment detail, as a decimal string.
    #[serde(default)]
    pub amount: Option<String>,
    /// The platform event id.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The source version.
    #[serde(default)]
    pub source_version: Option<u64>,
}

/// What a fixture must produce.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The clock the source runs at for this fixture.
    pub now: DateTime<Utc>,
    /// When the fixture was signed (the test signer reproduces its signature from this).
    #[serde(default)]
    pub signed_at: Option<DateTime<Utc>>,
    /// Whether the fixture carries a valid signature by the fixture secret (tamper and
    /// rotation cases apply).
    #[serde(default)]
    pub signed: bool,
    /// HTTP status of the reply (or of the error).
    pub status: u16,
    /// The error kind word, when the fixture must be refused (`bad_signature`).
    #[serde(default)]
    pub error: Option<String>,
    /// The exact reply body, when it matters (SOAP Ack, challenge echo).
    #[serde(default)]
    pub reply_body: Option<String>,
    /// The tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The route tenant to pass (`/webhooks/{slug}/{tenant}`).
    #[serde(default)]
    pub route_tenant: Option<String>,
    /// A handshake: nothing to commit.
    #[serde(default)]
    pub handshake: bool,
    /// The canonical events, in order.
    #[serde(default)]
    pub events: Vec<ExpectedEvent>,
    /// How many thin references.
    #[serde(default)]
    pub pending: usize,
    /// How many skipped events.
    #[serde(default)]
    pub skipped: usize,
}

/// A loaded fixture.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// File stem.
    pub name: String,
    /// The request.
    pub request: WebhookRequest,
    /// What must come of it.
    pub expect: Expectation,
    /// Path of the `.http` file.
    pub path: PathBuf,
}

/// Errors loading fixtures.
#[derive(Debug, thiserror::Error)]
#[error("fixture {path}: {message}")]
pub struct FixtureError {
    path: String,
    message: String,
}

fn err(path: &Path, message: impl Into<String>) -> FixtureError {
    FixtureError {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Parses a raw HTTP/1.1 request. The body is everything after the blank line; a
/// `Content-Length` header, if present, must match it.
pub fn parse_http(raw: &[u8]) -> Result<WebhookRequest, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    let status = req.parse(raw).map_err(|e| e.to_string())?;
    let httparse::Status::Complete(head_len) = status else {
        return Err("incomplete request head".into());
    };
    let body = Bytes::copy_from_slice(&raw[head_len..]);
    let mut builder = http::Request::builder()
        .method(req.method.unwrap_or("POST"))
        .uri(req.path.unwrap_or("/"));
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let declared: usize = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or("bad content-length")?;
            if declared != body.len() {
                return Err(format!(
                    "content-length {declared} but body has {} bytes",
                    body.len()
                ));
            }
        }
        builder = builder.header(h.name, h.value);
    }
    builder.body(body).map_err(|e| e.to_string())
}

/// Serialises a request as a raw HTTP/1.1 request (CRLF line ends, `Content-Length` set
/// to the body's length).
pub fn to_http(request: &WebhookRequest) -> Vec<u8> {
    let mut out = Vec::with_capacity(request.body().len() + 512);
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    out.extend_from_slice(format!("{} {} HTTP/1.1\r\n", request.method(), target).as_bytes());
    for (name, value) in request.headers() {
        if name == http::header::CONTENT_LENGTH {
            continue;
        }
        out.extend_from_slice(header_case(name.as_str()).as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", request.body().len()).as_bytes());
    out.extend_from_slice(request.body());
    out
}

/// `content-type` -> `Content-Type` (how platforms send them; HTTP names are
/// case-insensitive either way).
fn header_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Loads every `<name>.http` with its `<name>.expect.json` from `dir`, sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<Fixture>, FixtureError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| err(dir, e.to_string()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "http"))
        .collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read(&path).map_err(|e| err(&path, e.to_string()))?;
        let request = parse_http(&raw).map_err(|e| err(&path, e))?;
        let expect_path = path.with_extension("expect.json");
        let expect_raw =
            std::fs::read(&expect_path).map_err(|e| err(&expect_path, e.to_string()))?;
        let expect: Expectation =
            serde_json::from_slice(&expect_raw).map_err(|e| err(&expect_path, e.to_string()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Fixture {
            name,
            request,
            expect,
            path,
        });
    }
    if out.is_empty() {
        return Err(err(dir, "no fixtures"));
    }
    Ok(out)
}
