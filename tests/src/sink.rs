//! A scripted [`PortalSink`]: a portal that applies each update id once (by id, as the
//! wire contract asks), records every delivery attempt, and fails on command.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use invoice_core::{DeliveryError, PortalSink, PortalUpdate, Receipt};

/// How the sink answers the next deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkMode {
    /// 200 (or 409 for an id it already has).
    Accept,
    /// 503: retrying can help.
    Unavailable,
    /// 400: retrying cannot help (the worker dead-letters).
    Refuse,
}

/// One update the portal applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The update id.
    pub id: String,
    /// Canonical invoice id.
    pub subject: String,
    /// The invoice's sequence.
    pub sequence: u64,
    /// The whole update, to check a re-delivered id carries the same content.
    pub update: PortalUpdate,
}

#[derive(Debug)]
struct Inner {
    mode: SinkMode,
    applied: Vec<Applied>,
    by_id: HashMap<String, usize>,
    /// Accepted deliveries per id (the first applies, later ones answer 409).
    accepted: HashMap<String, u32>,
    attempts: u64,
    faults: u64,
    changed_content: Vec<String>,
}

/// The scripted portal.
#[derive(Debug)]
pub struct ScriptedSink {
    inner: Mutex<Inner>,
}

impl Default for ScriptedSink {
    fn default() -> Self {
        ScriptedSink {
            inner: Mutex::new(Inner {
                mode: SinkMode::Accept,
                applied: Vec::new(),
                by_id: HashMap::new(),
                accepted: HashMap::new(),
                attempts: 0,
                faults: 0,
                changed_content: Vec::new(),
            }),
        }
    }
}

impl ScriptedSink {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets how the next deliveries are answered.
    pub fn set_mode(&self, mode: SinkMode) {
        self.lock().mode = mode;
    }

    /// Updates applied, in the order the portal applied them.
    pub fn applied(&self) -> Vec<Applied> {
        self.lock().applied.clone()
    }

    /// How many times `id` was accepted (applied once, then 409s).
    pub fn accepted(&self, id: &str) -> u32 {
        self.lock().accepted.get(id).copied().unwrap_or(0)
    }

    /// Every delivery attempt, and how many of them were answered with a fault.
    pub fn attempts_and_faults(&self) -> (u64, u64) {
        let g = self.lock();
        (g.attempts, g.faults)
    }

    /// Ids delivered again with a different body (must stay empty: ids are stable).
    pub fn changed_content(&self) -> Vec<String> {
        self.lock().changed_content.clone()
    }
}

#[async_trait]
impl PortalSink for ScriptedSink {
    async fn deliver(&self, update: &PortalUpdate) -> Result<Receipt, DeliveryError> {
        let mut g = self.lock();
        g.attempts += 1;
        match g.mode {
            SinkMode::Unavailable => {
                g.faults += 1;
                Err(DeliveryError::Retryable {
                    message: "portal answered 503".into(),
                    status: Some(503),
                    retry_after: None,
                })
            }
            SinkMode::Refuse => {
                g.faults += 1;
                Err(DeliveryError::Permanent {
                    message: "portal answered 400".into(),
                    status: Some(400),
                })
            }
            SinkMode::Accept => {
                *g.accepted.entry(update.id.clone()).or_insert(0) += 1;
                if let Some(&i) = g.by_id.get(&update.id) {
                    if g.applied[i].update.data != update.data {
                        g.changed_content.push(update.id.clone());
                    }
                    return Ok(Receipt {
                        status: 409,
                        duplicate: true,
                    });
                }
                let n = g.applied.len();
                g.by_id.insert(update.id.clone(), n);
                g.applied.push(Applied {
                    id: update.id.clone(),
                    subject: update.subject.clone(),
                    sequence: update.data.sequence,
                    update: update.clone(),
                });
                Ok(Receipt {
                    status: 200,
                    duplicate: false,
                })
            }
        }
    }
}
