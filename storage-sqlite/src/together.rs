//! Bookings that are each their own unit of work
//! (`Store::insert_booking_alone`, `Store::book_alone`) committed together
//! (group commit).
//!
//! Under `synchronous = FULL` every commit waits for the disk to sync the
//! log, and the one writer commits one booking at a time. So a booking
//! that finds the writer busy waits in a queue, and whoever gets the writer
//! next takes every booking waiting (up to [`BATCH`]) and writes them in
//! one transaction with one commit, one sync for all, on a task of its own
//! (cancelling the caller that started it leaves nobody unanswered).
//! Nothing is answered before that commit is on disk, so each booking is
//! exactly as durable as alone.
//!
//! Each booking keeps its own answer, as if it had come alone after the
//! ones before it in the queue: they are written one after the other under
//! the write lock, so the guard of each sees those before it, and a
//! booking the guard refuses names them. No savepoint is needed: the
//! guarded insert is one statement, which writes its row or nothing, and a
//! refusal (the time taken, declined, the id taken) is only ever its own
//! answer. Any other failure leaves the transaction in doubt (SQLite may
//! have rolled all of it back), so it fails every booking of the batch,
//! as a failed commit does, and nothing of it is kept. A booking whose
//! caller has gone before its turn (a cancelled request) is not written.
//! A refusal is answered at once, before the commit: the booking it names
//! may be one of the same batch whose commit then fails, as it may be one
//! made and cancelled a moment later.
//! Alone in the queue, a booking is written as before (the guarded insert
//! in SQLite's own one-statement transaction, no `BEGIN`).

use std::sync::Mutex as Plain;

use agendo_core::agenda::Event;
use agendo_core::booking::Booking;
use agendo_core::store::{Alone, Changed, Ended};
use agendo_sql::{Connection as _, Stored as _};
use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, OwnedMutexGuard};

use super::{
    book_insert_in, events_in, guarded_insert, storage, Conn, Lease, SqliteStore, SqliteTx, Writer,
};

/// A booking that is its own unit of work.
pub(crate) enum Write {
    /// [`Store::insert_booking_alone`](agendo_core::store::Store::insert_booking_alone).
    Insert(Booking),
    /// [`Store::book_alone`](agendo_core::store::Store::book_alone).
    Book {
        booking: Booking,
        events: Vec<Event>,
        at: DateTime<Utc>,
    },
}

impl Write {
    fn booking(&self) -> &Booking {
        match self {
            Write::Insert(booking) | Write::Book { booking, .. } => booking,
        }
    }

    /// Writes it in the writer's open transaction, among others: its
    /// answer, or `Err` when the transaction is in doubt and nothing of it
    /// may be kept.
    ///
    /// No savepoint is needed: the guarded insert is one statement, which
    /// writes its row or nothing, and a refusal (taken, declined, the id
    /// taken) is only ever its answer. Anything else that fails, the
    /// insert or the events after it, leaves the transaction in doubt
    /// (SQLite may have rolled all of it back), so the whole batch fails.
    async fn among_others(
        &self,
        tx: &mut SqliteTx,
    ) -> Result<Result<Alone, agendo_core::Error>, agendo_core::Error> {
        let inserted = match self {
            Write::Insert(booking) => tx.insert_booking(booking).await.map(|()| Alone::Added),
            Write::Book { booking, .. } => book_insert_in(tx, booking).await,
        };
        match inserted {
            Ok(Alone::Added) => {}
            refused @ (Ok(Alone::Declined)
            | Err(
                agendo_core::Error::SlotTaken { .. }
                | agendo_core::Error::AlreadyExists { .. }
                | agendo_core::Error::WriteConflict,
            )) => return Ok(refused),
            Err(failed) => return Err(failed),
        }
        if let Write::Book {
            booking,
            events,
            at,
        } = self
        {
            events_in(tx, booking, events, *at).await?;
        }
        Ok(Ok(Alone::Added))
    }
}

/// A booking waiting for the writer and where its answer goes.
struct Job {
    write: Write,
    answer: oneshot::Sender<Result<Alone, agendo_core::Error>>,
}

/// The bookings waiting for the writer, in the order they came.
#[derive(Default)]
pub(crate) struct Waiting(Plain<Vec<Job>>);

/// The most bookings one transaction writes.
const BATCH: usize = 256;

impl Waiting {
    fn push(&self, job: Job) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(job);
    }

    pub(crate) fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The oldest waiting, up to [`BATCH`].
    fn take(&self) -> Vec<Job> {
        let mut waiting = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.len() <= BATCH {
            std::mem::take(&mut *waiting)
        } else {
            waiting.drain(..BATCH).collect()
        }
    }
}

impl SqliteStore {
    /// Writes `write` with whatever else is waiting for the writer, and
    /// answers for it alone.
    pub(crate) async fn alone(&self, write: Write) -> Result<Alone, agendo_core::Error> {
        let (answer, mut answered) = oneshot::channel();
        self.waiting.push(Job { write, answer });
        loop {
            // Answered while waiting: another task's batch took it.
            let writer = tokio::select! {
                biased;
                done = &mut answered => return done.unwrap_or_else(|_| Err(stopped())),
                writer = self.idle_writer() => writer,
            };
            let jobs = self.waiting.take();
            if jobs.is_empty() {
                // Taken and answered by the batch before: answered above
                // next turn.
                drop(writer);
                continue;
            }
            // Apart from this task: cancelled, it must not leave the
            // others it took unwritten or unanswered. The batch keeps the
            // writer until every answer is sent.
            tokio::spawn(batch(writer, jobs));
        }
    }
}

/// The writer stopped before it answered: a panic, or a runtime shutting
/// down. Whether the booking was written is unknown.
fn stopped() -> agendo_core::Error {
    agendo_core::Error::Storage {
        detail: "the SQLite writer stopped before it answered".to_owned(),
    }
}

/// Writes `jobs` in one transaction on `writer` and answers each.
async fn batch(writer: OwnedMutexGuard<Writer>, jobs: Vec<Job>) {
    let mut jobs: Vec<Job> = jobs
        .into_iter()
        .filter(|job| !job.answer.is_closed())
        .collect();
    if jobs.len() <= 1 {
        if let Some(job) = jobs.pop() {
            let answer = match job.write {
                Write::Insert(booking) => insert_alone(writer, &booking).await,
                Write::Book {
                    booking,
                    events,
                    at,
                } => book_alone(writer, &booking, &events, at).await,
            };
            let _ = job.answer.send(answer);
        }
        return;
    }
    // `BEGIN IMMEDIATE` before the first statement.
    let mut tx = SqliteTx::begun(writer);
    let mut written: Vec<(Job, Changed)> = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    while let Some(job) = jobs.next() {
        let answer = match job.write.among_others(&mut tx).await {
            Ok(answer) => answer,
            Err(failed) => {
                // The transaction is in doubt: nothing of it is kept.
                let left = written.into_iter().map(|(job, _)| job);
                fail(std::iter::once(job).chain(left).chain(jobs), &failed);
                return;
            }
        };
        if matches!(answer, Ok(Alone::Added)) {
            let changed = changed_by(job.write.booking());
            written.push((job, changed));
        } else {
            let _ = job.answer.send(answer);
        }
    }
    let changed: Vec<&Changed> = written.iter().map(|(_, changed)| changed).collect();
    let committed = match tx.writer() {
        Some(writer) => writer.commit(&changed).await.map_err(storage),
        None => Err(stopped()),
    };
    for (job, _) in written {
        let _ = job.answer.send(match &committed {
            Ok(()) => Ok(Alone::Added),
            Err(failed) => Err(failed.clone()),
        });
    }
}

/// What writing `booking` changed, for the store's change log.
fn changed_by(booking: &Booking) -> Changed {
    let mut changed = Changed::of(booking.business());
    changed.booking(booking);
    changed
}

/// Answers every job with `failed`: none of them was written.
fn fail(jobs: impl Iterator<Item = Job>, failed: &agendo_core::Error) {
    for job in jobs {
        let _ = job.answer.send(Err(failed.clone()));
    }
}

/// The guarded insert alone, in SQLite's own transaction for one
/// statement: no `BEGIN` and `COMMIT` trips. A refusal is named by the
/// shared guard under the same lock.
async fn insert_alone(
    mut writer: OwnedMutexGuard<Writer>,
    booking: &Booking,
) -> Result<Alone, agendo_core::Error> {
    let changed = changed_by(booking);
    // Cut short, whether the statement took effect is unknown.
    let ticket = writer.changes.reserve(&changed);
    let raw = writer.raw().map_err(storage)?;
    let done = super::query(guarded_insert(&booking.fields()))
        .execute(raw)
        .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => {
            ticket.publish(Ended::Committed);
            Ok(Alone::Added)
        }
        Ok(_) => {
            ticket.publish(Ended::RolledBack);
            // Still under the writer's lock, nothing changed since: the
            // shared guard names who holds the time.
            let mut tx = SqliteTx {
                conn: Conn::Writer(Lease(Some(writer))),
            };
            agendo_sql::work::guard(&mut tx, booking).await?;
            Err(agendo_core::Error::WriteConflict)
        }
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            ticket.publish(Ended::RolledBack);
            Err(agendo_core::Error::AlreadyExists {
                record: agendo_core::RecordKind::Booking,
                id: booking.id().to_string(),
            })
        }
        Err(e) => {
            ticket.publish(Ended::RolledBack);
            Err(storage(e))
        }
    }
}

/// The booking and its events in one transaction of their own.
async fn book_alone(
    writer: OwnedMutexGuard<Writer>,
    booking: &Booking,
    events: &[Event],
    at: DateTime<Utc>,
) -> Result<Alone, agendo_core::Error> {
    let mut tx = SqliteTx::begun(writer);
    let added = book_insert_in(&mut tx, booking).await?;
    if matches!(added, Alone::Added) {
        events_in(&mut tx, booking, events, at).await?;
        tx.commit(changed_by(booking)).await?;
    }
    Ok(added)
}
