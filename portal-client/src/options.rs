//! Options of an [`HttpPortalSink`](crate::HttpPortalSink).

use std::sync::Arc;
use std::time::Duration;

use invoice_core::{Clock, Secret, SystemClock};

/// How the sink talks to the portal. Build with [`SinkOptions::default`] and the
/// `with`-style setters; `Debug` never prints keys.
///
/// Defaults: connect timeout 5 s, read timeout (per read, between bytes) 15 s, whole request
/// 15 s (the Standard Webhooks recommendation is 15-30 s), idle pooled connections kept 90 s,
/// user agent `invoice-relay-portal-client/<version>`, the system clock, no Ed25519 keys.
#[derive(Clone)]
pub struct SinkOptions {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) user_agent: String,
    pub(crate) signing_keys: Vec<Secret>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Default for SinkOptions {
    fn default() -> Self {
        SinkOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(15),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 16,
            user_agent: concat!("invoice-relay-portal-client/", env!("CARGO_PKG_VERSION"))
                .to_owned(),
            signing_keys: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl SinkOptions {
    /// Time allowed to open the TCP (and TLS) connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Longest wait for the next bytes of the response.
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = d;
        self
    }
    /// Time allowed for the whole attempt, connect to last response byte (the relay's
    /// `[delivery] timeout`).
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }
    /// How long an idle keep-alive connection stays in the pool.
    pub fn pool_idle_timeout(mut self, d: Duration) -> Self {
        self.pool_idle_timeout = d;
        self
    }
    /// Most idle connections kept per host.
    pub fn pool_max_idle_per_host(mut self, n: usize) -> Self {
        self.pool_max_idle_per_host = n;
        self
    }
    /// The `user-agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// Adds `whsk_` Ed25519 signing keys: each adds a `v1a,` signature, so a portal can
    /// verify with the public key alone.
    pub fn ed25519_signing_keys(mut self, keys: Vec<Secret>) -> Self {
        self.signing_keys = keys;
        self
    }
    /// The clock for `webhook-timestamp` and HTTP-date `Retry-After`. Keep the system clock
    /// unless the portal runs on the same simulated clock: portals check the timestamp
    /// against their own clock (5 minutes' tolerance by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

impl std::fmt::Debug for SinkOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkOptions")
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("user_agent", &self.user_agent)
            .field("ed25519_signing_keys", &self.signing_keys.len())
            .field("clock", &self.clock)
            .finish()
    }
}
