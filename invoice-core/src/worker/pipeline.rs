//! [`OutboxWorker::run`]: continuous delivery with a window of attempts in flight.

use std::task::Poll;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};

use super::{attempt, OutboxWorker, WorkerReport};
use crate::journal::{JournalError, OutboxItem};

impl OutboxWorker {
    /// Delivers continuously until `shutdown` resolves: keeps up to `batch` updates in
    /// flight (in requests of up to `updates_per_request` each), and claims more as soon as
    /// half of them have finished, so one slow portal request holds back only its own
    /// updates, never a whole pass. Sleeps `idle` when
    /// nothing is due. `on_report` receives each claim (`claimed`) and each finished attempt
    /// (`delivered`, `retried` or `dead_lettered`). On shutdown no new item is claimed and
    /// the attempts in flight are finished first.
    ///
    /// A journal error is logged and retried after `idle`; an item whose completion could
    /// not be recorded comes back when its lease ends (delivery is at least once, and the
    /// portal drops a repeated update id).
    pub async fn run(
        &self,
        idle: Duration,
        shutdown: impl std::future::Future<Output = ()>,
        sleep: impl Fn(Duration) -> BoxFuture<'static, ()>,
        mut on_report: impl FnMut(WorkerReport),
    ) {
        futures::pin_mut!(shutdown);
        let mut in_flight = FuturesUnordered::new();
        let mut claiming: Option<BoxFuture<'_, Result<Vec<OutboxItem>, JournalError>>> = None;
        let mut pause: Option<BoxFuture<'static, ()>> = None;
        // The last claim found fewer items than it asked for (or failed): claim again only
        // once an attempt has finished (it may free its invoice's next update) or `idle`
        // has passed, never in a spin.
        let mut starved = false;
        let mut stopping = false;
        // Updates in flight (a group in one request counts each of its members).
        let mut updates_in_flight = 0usize;
        loop {
            let room = self.batch.saturating_sub(updates_in_flight);
            let wants_more = room > 0 && (updates_in_flight == 0 || room * 2 >= self.batch);
            if !stopping && claiming.is_none() && !starved && wants_more {
                let now = self.clock.now();
                claiming = Some(self.journal.claim(room, now, self.lease));
            }
            if stopping && claiming.is_none() && in_flight.is_empty() {
                return;
            }
            if starved && pause.is_none() && !stopping {
                pause = Some(sleep(idle));
            }
            let event = std::future::poll_fn(|cx| {
                if let Some(c) = claiming.as_mut() {
                    if let Poll::Ready(r) = c.as_mut().poll(cx) {
                        return Poll::Ready(Wake::Claimed(r));
                    }
                }
                if let Poll::Ready(Some(steps)) = in_flight.poll_next_unpin(cx) {
                    return Poll::Ready(Wake::Finished(steps));
                }
                if let Some(p) = pause.as_mut() {
                    if p.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Wake::Rested);
                    }
                }
                if !stopping && shutdown.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Stop);
                }
                Poll::Pending
            })
            .await;
            match event {
                Wake::Claimed(Ok(items)) => {
                    claiming = None;
                    starved = items.len() < room;
                    if !items.is_empty() {
                        on_report(WorkerReport {
                            claimed: items.len() as u32,
                            ..WorkerReport::default()
                        });
                    }
                    updates_in_flight += items.len();
                    for group in attempt::groups(items, self.per_request) {
                        in_flight.push(self.attempt_group(group));
                    }
                }
                Wake::Claimed(Err(e)) => {
                    claiming = None;
                    starved = true;
                    tracing::error!(error = %e, "outbox claim failed; trying again after the idle interval");
                }
                Wake::Finished(steps) => {
                    starved = false;
                    pause = None;
                    updates_in_flight = updates_in_flight.saturating_sub(steps.len());
                    for step in steps {
                        match step {
                            Ok(step) => on_report(step.report()),
                            Err(e) => tracing::error!(
                                error = %e,
                                "delivery result not recorded; the item comes back after its lease"
                            ),
                        }
                    }
                }
                Wake::Rested => {
                    pause = None;
                    starved = false;
                }
                Wake::Stop => {
                    stopping = true;
                    pause = None;
                }
            }
        }
    }
}

/// What woke the pipelined loop.
enum Wake<C, F> {
    Claimed(C),
    Finished(F),
    Rested,
    Stop,
}
