//! Explicit connector registration (no life before main): each connector crate exposes
//! `register(&mut ConnectorRegistry)`, and a host builds the sources its config enables.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{Enricher, InvoiceSource, Platform};

/// A built connector: its source and, for thin platforms, its enricher.
#[derive(Debug, Clone)]
pub struct Connector {
    /// Verifies and parses webhooks.
    pub source: Arc<dyn InvoiceSource>,
    /// Resolves thin references, where the platform needs it.
    pub enricher: Option<Arc<dyn Enricher>>,
}

/// Why a connector's configuration was refused. Messages name the offending key and never
/// contain secret values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The section has a key the connector does not know, or a value of the wrong type
    /// (serde's message names the key).
    #[error("{0}")]
    Invalid(String),
    /// The platform's connector is not compiled into this build (its cargo feature is off).
    #[error("connector `{0}` is not compiled into this build (enable the cargo feature `{0}`)")]
    NotCompiled(Platform),
}

impl ConfigError {
    /// Wraps a deserialisation error.
    pub fn invalid(cause: impl std::fmt::Display) -> Self {
        ConfigError::Invalid(cause.to_string())
    }
}

/// Builds a connector from its `[sources.<slug>]` table (converted to JSON).
pub type BuildFn = fn(&serde_json::Value) -> Result<Connector, ConfigError>;

/// The connectors a host can build, by platform.
///
/// ```
/// use invoice_core::registry::{ConnectorRegistry, ConfigError};
/// use invoice_core::Platform;
/// let reg = ConnectorRegistry::default();
/// let err = reg.build(Platform::Stripe, &serde_json::json!({})).unwrap_err();
/// assert!(matches!(err, ConfigError::NotCompiled(Platform::Stripe)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ConnectorRegistry {
    builders: BTreeMap<Platform, BuildFn>,
}

impl ConnectorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the builder of `platform`.
    pub fn register(&mut self, platform: Platform, build: BuildFn) {
        self.builders.insert(platform, build);
    }

    /// Platforms that can be built.
    pub fn platforms(&self) -> impl Iterator<Item = Platform> + '_ {
        self.builders.keys().copied()
    }

    /// Builds `platform`'s connector from its configuration table.
    pub fn build(
        &self,
        platform: Platform,
        config: &serde_json::Value,
    ) -> Result<Connector, ConfigError> {
        let build = self
            .builders
            .get(&platform)
            .ok_or(ConfigError::NotCompiled(platform))?;
        build(config)
    }
}
