//! The one runner of commands: authorize → begin → replay → execute →
//! record events → remember the key → commit, retried on write conflicts.

use std::future::Future;

use super::command::Command;
use super::event::{EventRecord, Journal};
use super::kept::Records;
use super::permission::{grant, Action, Grant};
use super::{access, booking, commissions, hours, payments, receivables, setup, Agenda, Context};
use crate::error::Error;
use crate::store::{Access, IdempotencyRecord, Outcome, UnitOfWork};

/// How many times a command runs when concurrent writers get in its way.
const ATTEMPTS: usize = 3;

/// The most events one read of the outbox answers.
pub const EVENTS_PAGE: usize = 500;

impl Agenda {
    /// Runs `command` for `ctx`: the one path every change takes.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when the actor may not; the command's own
    /// errors; [`Error::IdempotencyKeyReused`] when the context's key was
    /// used for another command; [`Error::WriteConflict`] when concurrent
    /// writers got in the way three times.
    pub async fn run(&self, ctx: &Context, command: &Command) -> Result<Outcome, Error> {
        self.run_traced(ctx, command)
            .await
            .map(|(outcome, _)| outcome)
    }

    /// [`Agenda::run`], telling also whether the outcome was replayed from
    /// the idempotency key rather than made now.
    pub(super) async fn run_traced(
        &self,
        ctx: &Context,
        command: &Command,
    ) -> Result<(Outcome, bool), Error> {
        self.run_journaled(ctx, command)
            .await
            .map(|(outcome, journal)| (outcome, journal.is_none()))
    }

    /// [`Agenda::run`], with the journal of the command when it ran now;
    /// `None` when its outcome was replayed from the idempotency key.
    pub(super) async fn run_journaled(
        &self,
        ctx: &Context,
        command: &Command,
    ) -> Result<(Outcome, Option<Journal>), Error> {
        let scope = authorize(ctx, command.action())?;
        let fingerprint = ctx.key.as_ref().map(|_| command.fingerprint());
        // A booking's end reads only its policy of these: kept, it is not
        // read again in the unit of work.
        let kept = match command {
            Command::Cancel { .. } | Command::NoShow { .. } => {
                self.kept
                    .records(&*self.store, ctx.business, ctx.now)
                    .await?
            }
            _ => None,
        };
        let kept = kept.as_deref();
        retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let (Some(key), Some(fingerprint)) = (&ctx.key, &fingerprint) {
                match work.idempotency(key).await? {
                    Some(kept) if kept.request == *fingerprint => return Ok((kept.outcome, None)),
                    Some(_) => {
                        return Err(Error::IdempotencyKeyReused {
                            key: key.to_string(),
                        })
                    }
                    None => {}
                }
            }
            let mut journal = Journal::default();
            let outcome = execute(&mut *work, ctx, scope, kept, command, &mut journal).await?;
            if !journal.events.is_empty() {
                work.append_events(ctx.now, &journal.events).await?;
            }
            if let (Some(key), Some(fingerprint)) = (&ctx.key, &fingerprint) {
                work.put_idempotency(&IdempotencyRecord {
                    key: key.clone(),
                    request: fingerprint.clone(),
                    outcome: outcome.clone(),
                    at: ctx.now,
                })
                .await?;
            }
            work.commit().await?;
            Ok((outcome, Some(journal)))
        })
        .await
    }

    /// The business's events numbered after `after`, oldest first, at most
    /// `limit` (1 to [`EVENTS_PAGE`]).
    ///
    /// # Errors
    /// [`Error::Forbidden`] when the actor may not follow events;
    /// [`Error::Invalid`] for `limit` outside 1 to [`EVENTS_PAGE`].
    pub async fn events(
        &self,
        ctx: &Context,
        after: u64,
        limit: usize,
    ) -> Result<Vec<EventRecord>, Error> {
        authorize(ctx, Action::ReadEvents)?;
        if !(1..=EVENTS_PAGE).contains(&limit) {
            let value = i64::try_from(limit).unwrap_or(i64::MAX);
            let max = i64::try_from(EVENTS_PAGE).unwrap_or(i64::MAX);
            return Err(Error::invalid(
                "limit",
                if value < 1 {
                    crate::error::Problem::BelowMinimum { value, min: 1 }
                } else {
                    crate::error::Problem::AboveMaximum { value, max }
                },
            ));
        }
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.events_after(after, limit).await
    }
}

/// What the permission table grants the context's actor for `action`.
///
/// # Errors
/// [`Error::Forbidden`] when it grants nothing.
pub(super) fn authorize(ctx: &Context, action: Action) -> Result<Grant, Error> {
    match grant(&ctx.actor, action) {
        Grant::None => Err(Error::Forbidden {
            actor: ctx.actor.as_str(),
            action,
        }),
        other => Ok(other),
    }
}

/// Executes one command in `work`, recording its events in `journal`;
/// `kept`, the business's records as kept current, spares reading them.
async fn execute(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    kept: Option<&Records>,
    command: &Command,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    match command {
        Command::ChangeBusiness(fields) => setup::change_business(work, ctx, fields, journal).await,
        Command::CreateService(fields) => setup::create_service(work, ctx, fields, journal).await,
        Command::ChangeService { service, fields } => {
            setup::change_service(work, ctx, *service, fields, journal).await
        }
        Command::SaveService(service) => setup::save_service(work, ctx, service, journal).await,
        Command::CreateProfessional {
            fields,
            login,
            password,
        } => {
            let login = login.as_ref().zip(password.as_ref());
            setup::create_professional(work, ctx, fields, login, journal).await
        }
        Command::CreateAccount { fields, password } => {
            access::create_account(work, ctx, fields, password, journal).await
        }
        Command::ChangeProfessional {
            professional,
            fields,
        } => setup::change_professional(work, ctx, *professional, fields, journal).await,
        Command::SaveProfessional(professional) => {
            setup::save_professional(work, ctx, professional, journal).await
        }
        Command::SaveResource(resource) => setup::save_resource(work, ctx, resource, journal).await,
        Command::CreateResource(fields) => setup::create_resource(work, ctx, fields, journal).await,
        Command::ChangeResource { resource, fields } => {
            setup::change_resource(work, ctx, *resource, fields, journal).await
        }
        Command::CreateClient(fields) => setup::create_client(work, ctx, fields, journal).await,
        Command::ChangeClient { client, fields } => {
            setup::change_client(work, ctx, *client, fields, journal).await
        }
        Command::SaveClient(client) => setup::save_client(work, ctx, client, journal).await,
        Command::SetHours {
            professional,
            hours,
        } => hours::set_hours(work, ctx, scope, *professional, hours, journal).await,
        Command::AddBlock(fields) => hours::add_block(work, ctx, scope, fields, journal).await,
        Command::RemoveBlock { on, block } => {
            hours::remove_block(work, ctx, scope, *on, *block, journal).await
        }
        Command::Book(request) => booking::book(work, ctx, scope, request, journal).await,
        Command::BookAsContact(request) => {
            booking::book_as_contact(work, ctx, request, journal).await
        }
        Command::BookSeries(request) => {
            booking::book_series(work, ctx, scope, request, journal).await
        }
        Command::Confirm { booking } => booking::confirm(work, ctx, scope, *booking, journal).await,
        Command::Complete { booking } => {
            booking::complete(work, ctx, scope, *booking, journal).await
        }
        Command::Reschedule {
            booking,
            start,
            following,
        } => booking::reschedule(work, ctx, scope, *booking, *start, *following, journal).await,
        Command::Cancel {
            booking,
            reason,
            following,
        } => {
            let asked = booking::Cancelling {
                booking: *booking,
                reason,
                following: *following,
            };
            booking::cancel(work, ctx, scope, kept, &asked, journal).await
        }
        Command::NoShow { booking } => {
            booking::no_show(work, ctx, scope, kept, *booking, journal).await
        }
        Command::RecordPayment(request) => payments::record(work, ctx, request, journal).await,
        Command::ApprovePayment { payment } => {
            payments::approve(work, ctx, *payment, journal).await
        }
        Command::RefusePayment { payment } => payments::refuse(work, ctx, *payment, journal).await,
        Command::Refund {
            payment,
            amount,
            reason,
        } => payments::refund(work, ctx, *payment, *amount, reason, journal).await,
        Command::CreateReceivable(request) => {
            receivables::create(work, ctx, request, journal).await
        }
        Command::SetCommissions(rules) => commissions::set(work, ctx, rules, journal).await,
        Command::SetPicture { subject, picture } => {
            setup::set_picture(work, ctx, *subject, Some(picture), journal).await
        }
        Command::RemovePicture { subject } => {
            setup::set_picture(work, ctx, *subject, None, journal).await
        }
        Command::PayReceivable { receivable } => {
            receivables::pay(work, ctx, *receivable, journal).await
        }
    }
}

/// Runs `attempt` again when a concurrent writer got in its way.
pub(super) async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut left = ATTEMPTS;
    loop {
        left -= 1;
        match attempt().await {
            Err(Error::WriteConflict) if left > 0 => continue,
            other => return other,
        }
    }
}

/// The error for a key whose kept outcome is of another kind of record.
pub(super) fn reused(ctx: &Context) -> Error {
    Error::IdempotencyKeyReused {
        key: ctx
            .key
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}
