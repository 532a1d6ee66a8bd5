//! Group commit: the writes that seal audit entries (commits, completions, dead letters)
//! of one journal go through one writer task, which runs every write queued behind the
//! first (up to the group-commit limit) in one PostgreSQL transaction.
//!
//! Each member runs inside its own `SAVEPOINT`: a member that fails (a duplicate, a stale
//! revision, a deadlock with another instance) is rolled back to its savepoint and fails
//! alone, the others go on. After the last member, the audit records of every member that
//! succeeded are sealed together (the chain head is locked only from there to `COMMIT`),
//! then the transaction commits. Each caller is answered after `COMMIT` returned: nothing is
//! acknowledged before it is durable. One WAL flush and one turn of the chain-head lock
//! serve the whole group, which is what lets throughput grow with load although sealing
//! is serialised across instances.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use deadpool_postgres::Pool;
use invoice_core::audit::AuditRecord;
use invoice_core::journal::{CommitReceipt, JournalError, OutboxId};
use tokio::sync::{mpsc, oneshot, OnceCell};

use crate::batch::PreparedBatch;
use crate::chain;
use crate::convert::{db_err, pool_err, record_json};
use crate::outbox;

/// One write.
pub(crate) enum Work {
    /// A commit batch.
    Commit(Box<PreparedBatch>),
    /// Mark delivered, seal the record.
    Complete(OutboxId, AuditRecord),
    /// Dead-letter with the error, seal the record.
    DeadLetter(OutboxId, String, AuditRecord),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<CommitReceipt, JournalError>>,
}

/// Transactions and writes the writer committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitStats {
    /// PostgreSQL transactions committed (one WAL flush each).
    pub transactions: u64,
    /// Writes (commits, completions, dead letters) in them, failed members included.
    pub writes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    transactions: AtomicU64,
    writes: AtomicU64,
}

/// Handle to the writer task (started on first use, on the runtime that uses it).
#[derive(Debug)]
pub(crate) struct Writer {
    pool: Pool,
    max: usize,
    tx: OnceCell<mpsc::UnboundedSender<Job>>,
    counters: Arc<Counters>,
}

impl Writer {
    pub fn new(pool: Pool, max: usize) -> Writer {
        Writer {
            pool,
            max: max.max(1),
            tx: OnceCell::new(),
            counters: Arc::new(Counters::default()),
        }
    }

    /// Runs `work` in the writer's next group; resolves after the group committed.
    pub async fn run(&self, work: Work) -> Result<CommitReceipt, JournalError> {
        let sender = self
            .tx
            .get_or_init(|| async {
                let (tx, rx) = mpsc::unbounded_channel();
                tokio::spawn(writer_loop(
                    self.pool.clone(),
                    rx,
                    self.max,
                    Arc::clone(&self.counters),
                ));
                tx
            })
            .await;
        let (reply, rx) = oneshot::channel();
        sender.send(Job { work, reply }).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    pub fn stats(&self) -> CommitStats {
        CommitStats {
            transactions: self.counters.transactions.load(Ordering::Relaxed),
            writes: self.counters.writes.load(Ordering::Relaxed),
        }
    }
}

fn stopped() -> JournalError {
    JournalError::Unavailable("postgres writer stopped".into())
}

async fn writer_loop(
    pool: Pool,
    mut rx: mpsc::UnboundedReceiver<Job>,
    max: usize,
    counters: Arc<Counters>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < max {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let n = jobs.len() as u64;
        if run_group(&pool, jobs).await {
            counters.transactions.fetch_add(1, Ordering::Relaxed);
            counters.writes.fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// What a member left to do after its savepoint was released.
struct Done {
    outbox_rows: usize,
    audit: Vec<(AuditRecord, String)>,
}

async fn run_member(
    tx: &deadpool_postgres::Transaction<'_>,
    work: Work,
) -> Result<Done, JournalError> {
    match work {
        Work::Commit(batch) => {
            let u = batch.write(tx).await?;
            Ok(Done {
                outbox_rows: u.outbox_rows,
                audit: u.audit,
            })
        }
        Work::Complete(id, audit) => {
            let json = record_json(&audit)?;
            outbox::complete(tx, id).await?;
            Ok(Done {
                outbox_rows: 0,
                audit: vec![(audit, json)],
            })
        }
        Work::DeadLetter(id, error, audit) => {
            let json = record_json(&audit)?;
            outbox::dead_letter(tx, id, &error).await?;
            Ok(Done {
                outbox_rows: 0,
                audit: vec![(audit, json)],
            })
        }
    }
}

/// The order members run in: commits by their first dedup key, then completions and dead
/// letters by outbox id. Every group takes row locks in this one order, so groups of
/// different instances wait for each other instead of deadlocking.
fn member_order(a: &Job, b: &Job) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (&a.work, &b.work) {
        (Work::Commit(x), Work::Commit(y)) => x.order_key().cmp(&y.order_key()),
        (Work::Commit(_), _) => Less,
        (_, Work::Commit(_)) => Greater,
        (
            Work::Complete(x, _) | Work::DeadLetter(x, _, _),
            Work::Complete(y, _) | Work::DeadLetter(y, _, _),
        ) => x.cmp(y),
    }
}

/// Runs one group; true when it committed.
async fn run_group(pool: &Pool, mut jobs: Vec<Job>) -> bool {
    jobs.sort_by(member_order);
    let mut client = match pool.get().await {
        Ok(c) => c,
        Err(e) => {
            let e = pool_err(e);
            jobs.into_iter().for_each(|j| {
                let _ = j.reply.send(Err(e.clone()));
            });
            return false;
        }
    };
    let tx = match client.transaction().await {
        Ok(tx) => tx,
        Err(e) => {
            let e = db_err(e);
            jobs.into_iter().for_each(|j| {
                let _ = j.reply.send(Err(e.clone()));
            });
            return false;
        }
    };
    let single = jobs.len() == 1;
    let mut results: Vec<(oneshot::Sender<_>, Result<Done, JournalError>)> =
        Vec::with_capacity(jobs.len());
    let mut abort: Option<JournalError> = None;
    for job in jobs {
        if let Some(e) = &abort {
            results.push((job.reply, Err(e.clone())));
            continue;
        }
        // A group of one needs no savepoint: its failure rolls the transaction back.
        if !single {
            if let Err(e) = tx.batch_execute("SAVEPOINT member").await {
                abort = Some(db_err(e));
                results.push((job.reply, Err(abort.clone().unwrap_or_else(stopped))));
                continue;
            }
        }
        let r = run_member(&tx, job.work).await;
        if !single {
            let end = if r.is_ok() {
                tx.batch_execute("RELEASE SAVEPOINT member").await
            } else {
                tx.batch_execute("ROLLBACK TO SAVEPOINT member; RELEASE SAVEPOINT member")
                    .await
            };
            if let Err(e) = end {
                abort = Some(db_err(e));
            }
        }
        results.push((job.reply, r));
    }
    if single && abort.is_none() {
        if let Some((_, Err(own))) = results.first() {
            // Without a savepoint the failed member may have written part of itself.
            abort = Some(own.clone());
        }
    }
    // Seal every successful member's records together, in member order, last.
    let mut records = Vec::new();
    for (_, r) in &mut results {
        if let Ok(done) = r {
            records.append(&mut done.audit.clone());
        }
    }
    let failure = match abort {
        Some(e) => Some(e),
        None => match chain::seal(&tx, records).await {
            Err(e) => Some(e),
            Ok(head) => match tx.commit().await {
                Err(e) => Some(db_err(e)),
                Ok(()) => {
                    let mut seq = head;
                    for (reply, r) in results {
                        let _ = reply.send(r.map(|done| {
                            seq += done.audit.len() as u64;
                            CommitReceipt {
                                last_audit_seq: if done.audit.is_empty() { 0 } else { seq },
                                outbox_rows: done.outbox_rows,
                            }
                        }));
                    }
                    return true;
                }
            },
        },
    };
    // The transaction is rolled back (dropped): nothing of any member is stored.
    let e = failure.unwrap_or_else(stopped);
    for (reply, r) in results {
        let _ = reply.send(match r {
            // A member that failed on its own keeps its own error (it stored nothing
            // either way); the others get the group's.
            Err(own) if single || !matches!(own, JournalError::Unavailable(_)) => Err(own),
            _ => Err(e.clone()),
        });
    }
    false
}
