//! Smart Event posts are hints: the enricher reads the invoice back with the XML Web
//! Services API (`read` on `ARINVOICE` by `RECORDNO`) and returns its canonical event.
//!
//! - every call goes to the configured `endpoint`, never to an address a payload or a
//!   `getAPISession` answer names;
//! - sessions come from a [`SessionProvider`] (by default `getAPISession` with the
//!   configured user, cached per company); an authentication failure (expired session,
//!   HTTP 401/403) refreshes the session once and retries once;
//! - HTTP 429 is transient with the platform's `Retry-After`, 5xx and timeouts transient;
//!   HTTP 404, other 4xx, an unknown record and unmapped states are rejected.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use invoice_core::registry::ConfigError;
use invoice_core::{
    Currency, EnrichError, Enricher, InvoiceEvent, Platform, Secret, ThinReference,
};

use crate::api::{self, Answer, Auth, Gateway};
use crate::config::IntacctConfig;
use crate::mapping::map_record;

/// Hands out Web Services sessions per company.
#[async_trait]
pub trait SessionProvider: Send + Sync + fmt::Debug {
    /// A session for `company`; with `refresh`, a new one (the last one was refused).
    async fn session(&self, company: &str, refresh: bool) -> Result<Secret, EnrichError>;
}

/// `getAPISession` with the configured user's login, cached per company.
pub struct LoginSessions {
    gateway: Arc<Gateway>,
    user_id: String,
    user_password: Secret,
    entity_id: Option<String>,
    cache: Mutex<HashMap<String, Secret>>,
    calls: AtomicU64,
}

impl fmt::Debug for LoginSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginSessions")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionProvider for LoginSessions {
    async fn session(&self, company: &str, refresh: bool) -> Result<Secret, EnrichError> {
        if !refresh {
            if let Some(s) = self.cache.lock().ok().and_then(|c| c.get(company).cloned()) {
                return Ok(s);
            }
        }
        let n = self.calls.fetch_add(1, Ordering::Relaxed);
        let auth = Auth::Login {
            user_id: &self.user_id,
            company_id: company,
            password: &self.user_password,
            entity_id: self.entity_id.as_deref(),
        };
        let answer = self
            .gateway
            .call(auth, &format!("session-{n}"), api::get_session())
            .await?;
        let session = match answer {
            Answer::Success(Some(data)) => api::session_id(&data),
            _ => None,
        }
        .ok_or_else(|| EnrichError::Transient {
            message: "sage intacct getAPISession gave no session (check the user and company)"
                .into(),
            retry_after_secs: None,
        })?;
        let session = Secret::new(session);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(company.to_owned(), session.clone());
        }
        Ok(session)
    }
}

/// Reads invoices back from Sage Intacct.
#[derive(Debug)]
pub struct IntacctEnricher {
    gateway: Arc<Gateway>,
    sessions: Arc<dyn SessionProvider>,
    default_currency: Option<Currency>,
    timezone: Option<chrono_tz::Tz>,
    calls: AtomicU64,
}

fn invalid(m: &str) -> ConfigError {
    ConfigError::Invalid(format!("sources.sage-intacct.{m}"))
}

impl IntacctEnricher {
    /// An enricher from the configuration; `None` when no API credentials are set (then
    /// posts stay pending until they are).
    pub fn from_config(config: &IntacctConfig) -> Result<Option<Self>, ConfigError> {
        let (Some(sender_id), Some(sender_password), Some(user_id), Some(user_password)) = (
            config.sender_id.clone(),
            config.sender_password.clone(),
            config.user_id.clone(),
            config.user_password.clone(),
        ) else {
            return Ok(None);
        };
        let endpoint = url::Url::parse(&config.endpoint).map_err(|_| invalid("endpoint"))?;
        let gateway = Arc::new(
            Gateway::new(
                endpoint,
                sender_id,
                sender_password,
                Duration::from_secs(config.timeout_seconds.max(1)),
            )
            .map_err(|e| ConfigError::Invalid(format!("http client: {e}")))?,
        );
        let sessions = Arc::new(LoginSessions {
            gateway: gateway.clone(),
            user_id,
            user_password,
            entity_id: config.entity_id.clone(),
            cache: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
        });
        Ok(Some(IntacctEnricher {
            gateway,
            sessions,
            default_currency: config.default_currency,
            timezone: config.timezone,
            calls: AtomicU64::new(0),
        }))
    }

    /// Replaces the session provider.
    pub fn with_sessions(mut self, sessions: Arc<dyn SessionProvider>) -> Self {
        self.sessions = sessions;
        self
    }

    async fn read(&self, company: &str, record_no: &str) -> Result<Answer, EnrichError> {
        let n = self.calls.fetch_add(1, Ordering::Relaxed);
        let control = format!("read-{record_no}-{n}");
        let function = api::read_invoice(record_no);
        let session = self.sessions.session(company, false).await?;
        match self
            .gateway
            .call(Auth::Session(&session), &control, &function)
            .await?
        {
            Answer::AuthFailed(_) => {
                let fresh = self.sessions.session(company, true).await?;
                self.gateway
                    .call(Auth::Session(&fresh), &control, &function)
                    .await
            }
            other => Ok(other),
        }
    }
}

#[async_trait]
impl Enricher for IntacctEnricher {
    fn platform(&self) -> Platform {
        Platform::SageIntacct
    }

    async fn fetch(&self, reference: &ThinReference) -> Result<Vec<InvoiceEvent>, EnrichError> {
        if reference.entity != "ARINVOICE" {
            return Err(EnrichError::Rejected(format!(
                "entity `{}` is not read",
                reference.entity
            )));
        }
        let record_no = &reference.entity_id;
        if record_no.is_empty() || !record_no.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EnrichError::Rejected("RECORDNO must be digits".into()));
        }
        let data = match self.read(reference.tenant.as_str(), record_no).await? {
            Answer::Success(data) => data,
            Answer::AuthFailed(m) => {
                return Err(EnrichError::Transient {
                    message: format!("sage intacct refused the session twice: {m}"),
                    retry_after_secs: None,
                })
            }
            Answer::Failed(m) => {
                return Err(EnrichError::Rejected(format!(
                    "sage intacct read failed: {m}"
                )))
            }
        };
        let records = data.as_ref().map(api::records).unwrap_or_default();
        let record = records
            .iter()
            .find(|r| r.object == "ARINVOICE" && r.get("RECORDNO") == Some(record_no.as_str()))
            .ok_or_else(|| EnrichError::Rejected(format!("ARINVOICE {record_no} not found")))?;
        Ok(vec![map_record(
            record,
            reference,
            self.default_currency,
            self.timezone,
        )?])
    }
}
