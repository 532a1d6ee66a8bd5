//! Tracks webhook commits in progress, so shutdown waits for them even when the client
//! went away or the request timed out (the commit runs in its own task).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// Counts in-flight commits.
#[derive(Debug, Default, Clone)]
pub struct InFlight {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while a commit runs.
#[derive(Debug)]
pub struct Guard(Arc<Inner>);

impl InFlight {
    /// Marks one commit started.
    pub fn start(&self) -> Guard {
        self.inner.count.fetch_add(1, Ordering::SeqCst);
        Guard(self.inner.clone())
    }

    /// Commits in progress.
    pub fn count(&self) -> usize {
        self.inner.count.load(Ordering::SeqCst)
    }

    /// Waits until none is in progress, at most `limit`; true when drained.
    pub async fn drained(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.inner.idle.notified();
                if self.count() == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drains_when_guards_drop() {
        let f = InFlight::default();
        let g = f.start();
        assert!(!f.drained(Duration::from_millis(10)).await);
        drop(g);
        assert!(f.drained(Duration::from_millis(10)).await);
    }
}
