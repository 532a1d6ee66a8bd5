//! `replay-file <platform> <file>...`: ingest saved raw HTTP requests through the
//! connector and the same pipeline as live webhooks (verification included).

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use invoice_core::{Clock, Platform, Route, SimulatedClock, TenantId, WebhookRequest};

use crate::app::{self, AppError};
use crate::cli::ReplayFileArgs;
use crate::config::Settings;

/// Most headers a saved request may have.
const MAX_HEADERS: usize = 128;

/// Runs the command; fails when any file was refused.
pub async fn run(config: &Path, args: &ReplayFileArgs) -> Result<(), AppError> {
    let platform: Platform = args
        .platform
        .parse()
        .map_err(|e: invoice_core::UnknownPlatform| AppError::Usage(e.to_string()))?;
    let settings = Settings::load(config)?;
    let journal = app::open_journal(&settings)?;
    let clock: Arc<dyn Clock> = match args.at {
        Some(at) => Arc::new(SimulatedClock::starting_at(at)),
        None => app::clock(settings.clock),
    };
    let relay = app::build_relay(&settings, journal, clock)?;
    if relay.source(platform).is_none() {
        return Err(AppError::Usage(format!(
            "[sources.{platform}] is not enabled in {}",
            settings.file.display()
        )));
    }
    let bar = super::audit::progress(args.files.len() as u64, "replaying files");
    let mut failed = 0;
    for file in &args.files {
        let raw = std::fs::read(file)
            .map_err(|e| AppError::io(format!("cannot read {}", file.display()), e))?;
        let outcome = match parse_request(&raw) {
            Err(e) => Err(e),
            Ok(req) => {
                let (tenant, token) = route_parts(req.uri().path(), platform);
                let route = Route {
                    tenant: args.tenant.clone().or(tenant).map(TenantId),
                    url_token: token,
                    public_url: settings
                        .public_base_url
                        .as_ref()
                        .map(|b| format!("{b}{}", req.uri())),
                };
                relay
                    .ingest(platform, &req, route)
                    .await
                    .map_err(|e| format!("HTTP {}: {e}", e.status().as_u16()))
            }
        };
        bar.inc(1);
        match outcome {
            Ok(o) => {
                let r = o.report;
                bar.suspend(|| {
                    eprintln!(
                        "{}: HTTP {} tenant {}: applied {}, ignored {}, anomalies {}, duplicates {}, pending {}, skipped {}",
                        file.display(),
                        o.reply.status.as_u16(),
                        o.tenant,
                        r.applied,
                        r.ignored,
                        r.anomalies,
                        r.duplicates,
                        r.pending,
                        r.skipped
                    )
                });
            }
            Err(e) => {
                failed += 1;
                bar.suspend(|| eprintln!("{}: refused: {e}", file.display()));
            }
        }
    }
    bar.finish_and_clear();
    if failed > 0 {
        return Err(AppError::Usage(format!(
            "{failed} of {} files refused",
            args.files.len()
        )));
    }
    Ok(())
}

/// Parses a raw HTTP/1.x request: request line, headers, blank line, body (cut to
/// `Content-Length` when given).
pub fn parse_request(raw: &[u8]) -> Result<WebhookRequest, String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("incomplete request head".into()),
        Err(e) => return Err(format!("not an HTTP request: {e}")),
    };
    let mut builder = http::Request::builder()
        .method(req.method.unwrap_or("POST"))
        .uri(req.path.unwrap_or("/"));
    let mut content_length = None;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            content_length = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok());
        }
        builder = builder.header(h.name, h.value);
    }
    let rest = raw.get(head_len..).unwrap_or(&[]);
    let body = match content_length {
        Some(n) if n > rest.len() => {
            return Err(format!(
                "body is {} bytes, Content-Length says {n}",
                rest.len()
            ))
        }
        Some(n) => &rest[..n],
        None => rest,
    };
    builder
        .body(Bytes::copy_from_slice(body))
        .map_err(|e| format!("bad request line or header: {e}"))
}

/// Tenant and token from a `/webhooks/{slug}/{tenant}/{token}` path.
fn route_parts(path: &str, platform: Platform) -> (Option<String>, Option<String>) {
    let prefix = format!("/webhooks/{}/", platform.slug());
    let Some(rest) = path.strip_prefix(&prefix) else {
        return (None, None);
    };
    let mut parts = rest.split('/').filter(|s| !s.is_empty());
    (
        parts.next().map(str::to_owned),
        parts.next().map(str::to_owned),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_saved_request_exactly() {
        let raw = b"POST /webhooks/stripe/acct_1 HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}trailing";
        let req = parse_request(raw).unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.uri().path(), "/webhooks/stripe/acct_1");
        assert_eq!(req.body().as_ref(), b"{\"a\":1}");
        assert_eq!(req.headers()["content-type"], "application/json");
        assert_eq!(
            route_parts(req.uri().path(), Platform::Stripe),
            (Some("acct_1".into()), None)
        );
    }

    #[test]
    fn refuses_truncated_and_garbage() {
        assert!(parse_request(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").is_err());
        assert!(parse_request(b"\x00\x01garbage").is_err());
        assert!(parse_request(b"POST / HTTP/1.1\r\nHost: x\r\n").is_err());
    }
}
