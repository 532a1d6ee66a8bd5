//! `INVOICE_RELAY_*` environment overrides, applied over the file.

use super::model::{FileConfig, PortalSection, StoreKind};
use super::values::{parse_duration, DurationText, SecretText, Text};
use super::ConfigError;

/// Every override variable and the key it replaces (documented in
/// `docs/configuration.md`).
pub const OVERRIDES: &[(&str, &str)] = &[
    ("INVOICE_RELAY_LISTEN", "server.listen"),
    ("INVOICE_RELAY_MAX_BODY_BYTES", "server.max_body_bytes"),
    ("INVOICE_RELAY_PUBLIC_BASE_URL", "server.public_base_url"),
    ("INVOICE_RELAY_STORE_KIND", "store.kind"),
    ("INVOICE_RELAY_STORE_PATH", "store.path"),
    ("INVOICE_RELAY_STORE_URL", "store.url"),
    ("INVOICE_RELAY_PORTAL_URL", "portal.url"),
    ("INVOICE_RELAY_PORTAL_SECRET", "portal.secret"),
    ("INVOICE_RELAY_DELIVERY_TIMEOUT", "delivery.timeout"),
    ("INVOICE_RELAY_CLOCK_NOW", "clock.now"),
    ("INVOICE_RELAY_CLOCK_OFFSET", "clock.offset"),
];

fn bad(name: &str, msg: impl std::fmt::Display) -> ConfigError {
    ConfigError::at("<environment>", None, format!("{name}: {msg}"))
}

/// Applies the overrides `env` finds.
pub fn apply(
    cfg: &mut FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let get = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(v) = get("INVOICE_RELAY_LISTEN") {
        cfg.server.listen = Text(v);
    }
    if let Some(v) = get("INVOICE_RELAY_MAX_BODY_BYTES") {
        cfg.server.max_body_bytes = v
            .trim()
            .parse()
            .map_err(|_| bad("INVOICE_RELAY_MAX_BODY_BYTES", "not a number of bytes"))?;
    }
    if let Some(v) = get("INVOICE_RELAY_PUBLIC_BASE_URL") {
        cfg.server.public_base_url = Some(Text(v));
    }
    if let Some(v) = get("INVOICE_RELAY_STORE_KIND") {
        cfg.store.kind = match v.trim() {
            "sqlite" => StoreKind::Sqlite,
            "postgres" => StoreKind::Postgres,
            "memory" => StoreKind::Memory,
            other => {
                return Err(bad(
                    "INVOICE_RELAY_STORE_KIND",
                    format!("`{other}` is not sqlite, postgres or memory"),
                ))
            }
        };
    }
    if let Some(v) = get("INVOICE_RELAY_STORE_PATH") {
        cfg.store.path = Some(Text(v));
    }
    if let Some(v) = get("INVOICE_RELAY_STORE_URL") {
        cfg.store.url = Some(SecretText(invoice_core::Secret::new(v)));
    }
    let portal_url = get("INVOICE_RELAY_PORTAL_URL");
    let portal_secret = get("INVOICE_RELAY_PORTAL_SECRET");
    if portal_url.is_some() || portal_secret.is_some() {
        let p = cfg.portal.get_or_insert_with(|| PortalSection {
            url: Text(String::new()),
            secret: None,
            secrets: Vec::new(),
        });
        if let Some(u) = portal_url {
            p.url = Text(u);
        }
        if let Some(s) = portal_secret {
            p.secret = Some(SecretText(invoice_core::Secret::new(s)));
        }
    }
    if let Some(v) = get("INVOICE_RELAY_DELIVERY_TIMEOUT") {
        cfg.delivery.timeout =
            DurationText(parse_duration(&v).map_err(|e| bad("INVOICE_RELAY_DELIVERY_TIMEOUT", e))?);
    }
    if let Some(v) = get("INVOICE_RELAY_CLOCK_NOW") {
        cfg.clock.now = Some(Text(v));
        cfg.clock.offset = None;
    }
    if let Some(v) = get("INVOICE_RELAY_CLOCK_OFFSET") {
        cfg.clock.offset = Some(Text(v));
        cfg.clock.now = None;
    }
    Ok(())
}
