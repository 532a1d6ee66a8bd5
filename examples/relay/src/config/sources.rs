//! `[sources.<slug>]` tables: the relay takes out `url_tokens` and `enabled`, resolves
//! `env:` strings everywhere in the table, and hands the rest to the connector as JSON.

use invoice_core::registry::{Connector, ConnectorRegistry};
use invoice_core::{Platform, Secret};

use super::locate;
use super::values::resolve_env;
use super::ConfigError;

/// One enabled source, ready for its connector.
#[derive(Clone)]
pub struct SourceSettings {
    /// The platform.
    pub platform: Platform,
    /// The table without the relay's keys, `env:` resolved, as JSON.
    pub config: serde_json::Value,
    /// Tokens accepted on `/webhooks/{slug}/{tenant}/{token}`.
    pub url_tokens: Vec<Secret>,
}

impl std::fmt::Debug for SourceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The table holds secrets: print only its keys.
        let keys: Vec<&String> = self
            .config
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        f.debug_struct("SourceSettings")
            .field("platform", &self.platform)
            .field("keys", &keys)
            .field("url_tokens", &self.url_tokens.len())
            .finish()
    }
}

/// Reads every `[sources.<slug>]` table; disabled ones (`enabled = false`) are left out.
pub fn parse(
    file: &std::path::Path,
    text: &str,
    tables: &std::collections::BTreeMap<String, toml::Value>,
) -> Result<Vec<SourceSettings>, ConfigError> {
    let mut out = Vec::new();
    for (slug, value) in tables {
        let section = format!("sources.{slug}");
        let at = |key: Option<&str>, msg: String| {
            let line = match key {
                Some(k) => locate::key_line(text, &section, k),
                None => locate::section_line(text, &section),
            };
            ConfigError::at(file, line, format!("[{section}]: {msg}"))
        };
        let platform: Platform = slug.parse().map_err(|_| {
            let known: Vec<&str> = Platform::ALL.iter().map(|p| p.slug()).collect();
            at(
                None,
                format!("unknown source `{slug}` (known: {})", known.join(", ")),
            )
        })?;
        let toml::Value::Table(table) = value else {
            return Err(at(None, "must be a table".to_owned()));
        };
        let mut table = table.clone();
        let enabled = match table.remove("enabled") {
            None => true,
            Some(toml::Value::Boolean(b)) => b,
            Some(_) => {
                return Err(at(
                    Some("enabled"),
                    "`enabled` must be true or false".into(),
                ))
            }
        };
        let url_tokens = match table.remove("url_tokens") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => {
                let mut tokens = Vec::new();
                for item in items {
                    let toml::Value::String(s) = item else {
                        return Err(at(
                            Some("url_tokens"),
                            "`url_tokens` must be a list of strings".into(),
                        ));
                    };
                    let token = resolve_env(&s).map_err(|e| at(Some("url_tokens"), e))?;
                    if token.len() < 16 {
                        return Err(at(
                            Some("url_tokens"),
                            "each of `url_tokens` must be at least 16 characters".into(),
                        ));
                    }
                    tokens.push(Secret::new(token));
                }
                tokens
            }
            Some(_) => {
                return Err(at(
                    Some("url_tokens"),
                    "`url_tokens` must be a list of strings".into(),
                ))
            }
        };
        if !enabled {
            continue;
        }
        let mut value = toml::Value::Table(table);
        resolve_tree(&mut value, "").map_err(|(key, e)| at(Some(&key), e))?;
        let config = serde_json::to_value(&value)
            .map_err(|e| at(None, format!("cannot be converted: {e}")))?;
        out.push(SourceSettings {
            platform,
            config,
            url_tokens,
        });
    }
    Ok(out)
}

/// Replaces every `env:NAME` string in the tree; the error carries the key.
fn resolve_tree(value: &mut toml::Value, key: &str) -> Result<(), (String, String)> {
    match value {
        toml::Value::String(s) => {
            *s = resolve_env(s).map_err(|e| (key.to_owned(), e))?;
        }
        toml::Value::Array(items) => {
            for item in items {
                resolve_tree(item, key)?;
            }
        }
        toml::Value::Table(t) => {
            for (k, v) in t.iter_mut() {
                resolve_tree(v, k)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Builds each source's connector; a refusal names the file, the line of the offending
/// key (or of the section) and the connector's message.
pub fn build_all(
    file: &std::path::Path,
    text: &str,
    sources: &[SourceSettings],
    registry: &ConnectorRegistry,
) -> Result<Vec<(SourceSettings, Connector)>, ConfigError> {
    let mut out = Vec::new();
    for s in sources {
        let section = format!("sources.{}", s.platform.slug());
        match registry.build(s.platform, &s.config) {
            Ok(c) => out.push((s.clone(), c)),
            Err(e) => {
                let msg = e.to_string();
                let line = match locate::quoted_key(&msg) {
                    Some(k) => locate::key_line(text, &section, k),
                    None => locate::section_line(text, &section),
                };
                return Err(ConfigError::at(file, line, format!("[{section}]: {msg}")));
            }
        }
    }
    Ok(out)
}
