//! Messages: gathering the notices due into the queue, delivering what is
//! queued, and what staff read of it (the queue with its dead letters, a
//! professional's inbox, the business's templates and their preview).
//!
//! Where a notice comes from:
//! - the events not yet gathered (a booking made, confirmed, moved,
//!   cancelled): every notice of those bookings due at `now`;
//! - the active bookings starting within [`REMINDER_HORIZON`] and the
//!   unpaid receivables due around today: their reminders and payment
//!   notices.
//!
//! Each notice becomes one message per route ([`Reach::routes`]) for a
//! client, one inbox message for a professional, written in the business's
//! language from its template or the default. A message's id comes from
//! the notice's dedupe key and the channel, and the queue keeps one
//! message per id, so gathering again (every few seconds, on several
//! workers, after a crash) queues nothing twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use super::permission::{Action, Grant};
use super::runner::{authorize, EVENTS_PAGE};
use super::{load_business, Agenda, Context, Event};
use crate::booking::Booking;
use crate::business::{Business, Client};
use crate::error::{Error, RecordKind};
use crate::ids::{
    BookingId, BusinessId, ClientId, MessageId, ProfessionalId, ReceivableId, ServiceId,
};
use crate::lang::Lang;
use crate::message::{
    ChannelKind, ChannelSetup, Channels, Claimed, Delivery, Form, Message, MessageFilter,
    MessageStatus, Outcome, Reach, Template, Topic, OWN_CHANNELS,
};
use crate::notify::{due_notices, Notice, NoticeKind, Recipient, Subject};
use crate::page::{newest_key, Page, PageRequest};
use crate::payment::Receivable;
use crate::store::{Access, BookingFilter, UnitOfWork};
use crate::time::{shown, shown_date};
use crate::webhook::HookDelivery;

/// How far ahead of `now` a gathering looks for bookings whose reminders
/// may be due: the day-before reminder of an appointment late tomorrow,
/// a day's DST change and the longest "shortly before" reminder fit.
pub const REMINDER_HORIZON: TimeDelta = TimeDelta::hours(50);

/// How long a claimed message is leased to its worker: longer than any
/// channel's time-out, so a live worker records its outcome before
/// another may claim it again.
pub const LEASE: TimeDelta = TimeDelta::minutes(2);

/// The links a message carries, made by the host (they are signed with
/// its secret and name its public address).
pub trait Links: Send + Sync {
    /// The link with which the client sees, moves or cancels `booking`.
    fn manage(&self, booking: &Booking) -> Option<String>;
}

/// No links: messages say nothing where a link would go.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLinks;

impl Links for NoLinks {
    fn manage(&self, _booking: &Booking) -> Option<String> {
        None
    }
}

/// What one gathering did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gathered {
    /// Messages newly queued.
    pub queued: usize,
    /// Events read.
    pub events: usize,
}

/// A preview: a template filled for one booking or receivable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The title as it would go (empty for a text).
    pub title: String,
    /// The body as it would go.
    pub body: String,
    /// The variables and their values.
    pub values: BTreeMap<String, String>,
}

impl Agenda {
    /// The businesses with messages to gather at `now`
    /// ([`crate::store::Store::businesses_to_gather`]).
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn businesses_to_gather(&self, now: DateTime<Utc>) -> Result<Vec<BusinessId>, Error> {
        let today = now.date_naive();
        let days = |n: i64| {
            today
                .checked_add_signed(TimeDelta::days(n))
                .unwrap_or(today)
        };
        self.store
            .businesses_to_gather(
                now,
                now + REMINDER_HORIZON,
                days(-(i64::from(crate::notify::MAX_OVERDUE_DAYS) + 2)),
                days(2),
            )
            .await
    }

    /// Queues the messages of `business`'s notices due at `now` that are
    /// not queued yet (see the module's documentation), over the channels
    /// `reach` says go out, with links from `links`.
    ///
    /// # Errors
    /// [`Error::Storage`]; [`Error::WriteConflict`] after three tries.
    pub async fn gather(
        &self,
        business: BusinessId,
        now: DateTime<Utc>,
        reach: Reach,
        links: &dyn Links,
    ) -> Result<Gathered, Error> {
        // Most rounds find nothing new: look in a read unit first, so an
        // idle worker never takes the business's writer.
        let mut read = self.store.begin(business, Access::Read).await?;
        match compose(&mut *read, now, reach, links).await? {
            Some(found) if !found.messages.is_empty() || found.last.is_some() => {}
            _ => return Ok(Gathered::default()),
        }
        drop(read);
        super::runner::retry(|| async {
            let mut work = self.store.begin(business, Access::Write).await?;
            let Some(found) = compose(&mut *work, now, reach, links).await? else {
                return Ok(Gathered::default());
            };
            let queued = work.queue_messages(&found.messages).await?;
            work.queue_hook_deliveries(&found.hooks).await?;
            if let Some(number) = found.last {
                work.set_gathered(number).await?;
            }
            work.commit().await?;
            Ok(Gathered {
                queued,
                events: found.events,
            })
        })
        .await
    }

    /// Takes up to `limit` messages due at `now` to send, leased for
    /// [`LEASE`].
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Claimed>, Error> {
        self.store.claim_messages(now, now + LEASE, limit).await
    }

    /// Sends a claimed message through `channels` (the development channel
    /// records it instead) and records the outcome at `clock()` after the
    /// try; `jitter` (0 to 1000) spreads retries.
    ///
    /// # Errors
    /// [`Error::Storage`] when the outcome cannot be recorded (the lease
    /// then lapses and the message is tried again).
    pub async fn deliver(
        &self,
        channels: &dyn Channels,
        claimed: &Claimed,
        clock: &(dyn Fn() -> DateTime<Utc> + Sync),
        jitter: u16,
    ) -> Result<Outcome, Error> {
        let message = &claimed.message;
        let delivery = match message.channel {
            ChannelKind::Dev | ChannelKind::Inbox => Delivery::Sent { reference: None },
            kind if OWN_CHANNELS.contains(&kind) => {
                let mut work = self.store.begin(message.business, Access::Read).await?;
                let setups = work.channel_setups().await?;
                drop(work);
                let setup = setups.iter().find(|s| s.kind == kind);
                channels.send(message, setup).await
            }
            _ => channels.send(message, None).await,
        };
        let outcome = Outcome::of(delivery, claimed.message.attempts, clock(), jitter);
        self.store.settle_message(claimed, &outcome).await?;
        Ok(outcome)
    }

    /// A page of the business's messages that pass `filter`, newest
    /// first: what went out, what waits, and the dead letters with their
    /// reason.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not read messages;
    /// [`Error::NotFound`] for a booking or receivable filtered on that is
    /// not the business's.
    pub async fn messages_page(
        &self,
        ctx: &Context,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> Result<Page<Message>, Error> {
        authorize(ctx, Action::ReadMessages)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        match filter.subject {
            Some(Subject::Booking(id)) if work.booking(id).await?.is_none() => {
                return Err(Error::NotFound {
                    record: RecordKind::Booking,
                    id: id.to_string(),
                })
            }
            Some(Subject::Receivable(id)) if work.receivable(id).await?.is_none() => {
                return Err(Error::NotFound {
                    record: RecordKind::Receivable,
                    id: id.to_string(),
                })
            }
            _ => {}
        }
        let messages = work.messages(filter).await?;
        Ok(newest_first(messages, page))
    }

    /// A page of the staff inbox, newest first: a professional reads
    /// their own; the owner and the front desk read everyone's, or one
    /// professional's when `professional` is given.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors without an inbox, and for a
    /// professional asking for another's.
    pub async fn inbox(
        &self,
        ctx: &Context,
        professional: Option<ProfessionalId>,
        unread: bool,
        page: &PageRequest,
    ) -> Result<Page<Message>, Error> {
        let scope = authorize(ctx, Action::ReadInbox)?;
        let professional = match (scope, ctx.actor) {
            (Grant::Own, super::Actor::Professional(own)) => {
                if professional.is_some_and(|asked| asked != own) {
                    // Another's inbox is not theirs to read.
                    return Err(Error::Forbidden {
                        actor: ctx.actor.as_str(),
                        action: Action::ReadInbox,
                    });
                }
                Some(own)
            }
            _ => professional,
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        if let Some(id) = professional {
            if work.professional(id).await?.is_none() {
                return Err(Error::NotFound {
                    record: RecordKind::Professional,
                    id: id.to_string(),
                });
            }
        }
        let mut messages = work
            .messages(&MessageFilter {
                channel: Some(ChannelKind::Inbox),
                professional,
                ..MessageFilter::default()
            })
            .await?;
        if unread {
            messages.retain(|m| m.read_at.is_none());
        }
        Ok(newest_first(messages, page))
    }

    /// Marks an inbox message read.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a message that is not in the actor's inbox.
    pub async fn mark_read(&self, ctx: &Context, id: MessageId) -> Result<Message, Error> {
        let scope = authorize(ctx, Action::ReadInbox)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let missing = || Error::NotFound {
            record: RecordKind::Message,
            id: id.to_string(),
        };
        let message = work.message(id).await?.ok_or_else(missing)?;
        let own = match (scope, ctx.actor) {
            (Grant::Own, super::Actor::Professional(own)) => message.professional() == Some(own),
            _ => true,
        };
        if message.channel != ChannelKind::Inbox || !own {
            return Err(missing());
        }
        work.mark_read(id, ctx.now).await?;
        let read = work.message(id).await?.ok_or_else(missing)?;
        work.commit().await?;
        Ok(read)
    }

    /// Sends a dead message again: its attempts count from zero, from
    /// `now`.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::IllegalMessageTransition`] when it
    /// is not dead.
    pub async fn resend(&self, ctx: &Context, id: MessageId) -> Result<Message, Error> {
        authorize(ctx, Action::ResendMessages)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let missing = || Error::NotFound {
            record: RecordKind::Message,
            id: id.to_string(),
        };
        let message = work.message(id).await?.ok_or_else(missing)?;
        if message.status != MessageStatus::Dead {
            return Err(Error::NotDead {
                message: id,
                status: message.status.as_str(),
            });
        }
        work.revive_message(id, ctx.now).await?;
        let revived = work.message(id).await?.ok_or_else(missing)?;
        work.commit().await?;
        Ok(revived)
    }

    /// The templates in force: the business's own, and the default for
    /// every topic, form and language it has not replaced (`true` marks
    /// its own).
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not read messages.
    pub async fn templates(&self, ctx: &Context) -> Result<Vec<(Template, bool)>, Error> {
        authorize(ctx, Action::ReadMessages)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let own = work.templates().await?;
        let mut out = Vec::new();
        for topic in Topic::ALL {
            for form in Form::ALL {
                for lang in [Lang::PtBr, Lang::En] {
                    out.push(in_force(&own, topic, form, lang));
                }
            }
        }
        Ok(out)
    }

    /// The channels the business set up itself (their settings; the
    /// credentials stay sealed).
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not change the business.
    pub async fn channel_setups(&self, ctx: &Context) -> Result<Vec<ChannelSetup>, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.channel_setups().await
    }

    /// Keeps the business's own setup of a channel, replacing the one of
    /// its kind: messages on it go out through the business's provider
    /// account from the next gathering.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not change the business;
    /// [`Error::Invalid`] for `channel` when it is not one of
    /// [`OWN_CHANNELS`].
    pub async fn set_channel(&self, ctx: &Context, setup: &ChannelSetup) -> Result<(), Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        own_channel(setup.kind)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        work.put_channel_setup(setup).await?;
        work.commit().await
    }

    /// Removes the business's setup of a channel; whether there was one.
    /// Messages queued for it are then refused as not set up.
    ///
    /// # Errors
    /// As [`Agenda::set_channel`].
    pub async fn remove_channel(&self, ctx: &Context, kind: ChannelKind) -> Result<bool, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        own_channel(kind)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let removed = work.delete_channel_setup(kind).await?;
        work.commit().await?;
        Ok(removed)
    }

    /// Keeps the business's own template (checked when made,
    /// [`Template::new`]).
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not change the business.
    pub async fn set_template(&self, ctx: &Context, template: &Template) -> Result<(), Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        work.put_template(template).await?;
        work.commit().await
    }

    /// Goes back to the default template; whether there was one of the
    /// business's own.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not change the business.
    pub async fn remove_template(
        &self,
        ctx: &Context,
        topic: Topic,
        form: Form,
        lang: Lang,
    ) -> Result<bool, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let removed = work.delete_template(topic, form, lang).await?;
        work.commit().await?;
        Ok(removed)
    }

    /// `template` (or the one in force for its topic, form and language)
    /// filled for `subject`, as it would go to the client.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a booking or receivable not found;
    /// [`Error::Invalid`] for `subject` when a booking's topic is asked of
    /// a receivable or the other way round.
    pub async fn preview(
        &self,
        ctx: &Context,
        template: &Template,
        subject: Subject,
        links: &dyn Links,
    ) -> Result<Preview, Error> {
        authorize(ctx, Action::ReadMessages)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let shop = load_business(&mut *work, ctx.business).await?;
        let mut writer = Writer::new(&mut *work, &shop, Reach::default(), links, ctx.now).await?;
        writer.lang = template.lang();
        let wrong = || {
            Error::invalid(
                "subject",
                crate::error::Problem::UnknownValue {
                    value: subject.key(),
                    expected: if template.topic().is_booking() {
                        "a booking, for this topic"
                    } else {
                        "a receivable, for this topic"
                    },
                },
            )
        };
        let values = match subject {
            Subject::Booking(id) if template.topic().is_booking() => {
                let booking = writer.work.booking(id).await?.ok_or(Error::NotFound {
                    record: RecordKind::Booking,
                    id: id.to_string(),
                })?;
                writer.booking_values(&booking).await?
            }
            Subject::Receivable(id) if !template.topic().is_booking() => {
                let receivable = writer.work.receivable(id).await?.ok_or(Error::NotFound {
                    record: RecordKind::Receivable,
                    id: id.to_string(),
                })?;
                writer.payment_values(&receivable).await?
            }
            _ => return Err(wrong()),
        };
        let (title, body) = template.render(&values);
        Ok(Preview {
            title,
            body,
            values,
        })
    }

    /// The template in force for `topic`, `form` and `lang`: the
    /// business's own or the default.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for actors who may not read messages.
    pub async fn template(
        &self,
        ctx: &Context,
        topic: Topic,
        form: Form,
        lang: Lang,
    ) -> Result<(Template, bool), Error> {
        authorize(ctx, Action::ReadMessages)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        Ok(in_force(&work.templates().await?, topic, form, lang))
    }
}

fn newest_first(messages: Vec<Message>, page: &PageRequest) -> Page<Message> {
    Page::of(messages, |m| newest_key(m.created_at, m.id), page)
}

/// What a gathering found: the messages not queued yet, and the events
/// read (how many, and the last one's number).
struct Found {
    messages: Vec<Message>,
    hooks: Vec<HookDelivery>,
    events: usize,
    last: Option<u64>,
}

/// The messages of the business's notices due at `now` that `work` does
/// not hold yet (see the module's documentation); `None` without a
/// business.
async fn compose(
    work: &mut dyn UnitOfWork,
    now: DateTime<Utc>,
    reach: Reach,
    links: &dyn Links,
) -> Result<Option<Found>, Error> {
    let Some(shop) = work.business().await? else {
        return Ok(None);
    };
    let after = work.gathered().await?;
    // An event stamped after `now` (its command began after this round
    // took the time) is left for the next round: its notices are not due
    // yet at `now`, and passing it would lose them.
    let events: Vec<_> = work
        .events_after(after, EVENTS_PAGE)
        .await?
        .into_iter()
        .take_while(|e| e.at <= now)
        .collect();
    let touched: BTreeSet<BookingId> = events.iter().filter_map(|r| booking_of(&r.event)).collect();
    let mut bookings: BTreeMap<BookingId, Booking> = work
        .bookings(&BookingFilter {
            during: crate::time::Span::new(now, now + REMINDER_HORIZON).ok(),
            ..BookingFilter::default()
        })
        .await?
        .into_iter()
        .filter(|b| b.status().is_active())
        .map(|b| (b.id(), b))
        .collect();
    // The touched bookings outside the horizon (a cancellation, a booking
    // far ahead), read at once.
    let others: Vec<BookingId> = touched
        .iter()
        .filter(|id| !bookings.contains_key(id))
        .copied()
        .collect();
    if !others.is_empty() {
        let filter = BookingFilter {
            ids: Some(others),
            ..BookingFilter::default()
        };
        for booking in work.bookings(&filter).await? {
            bookings.insert(booking.id(), booking);
        }
    }
    let receivables: BTreeMap<ReceivableId, Receivable> = work
        .receivables()
        .await?
        .into_iter()
        .filter(|r| r.paid_at().is_none())
        .map(|r| (r.id(), r))
        .collect();
    let listed: Vec<Booking> = bookings.values().cloned().collect();
    let owed: Vec<Receivable> = receivables.values().cloned().collect();
    let notices: Vec<Notice> = due_notices(&shop, &listed, &owed, now)
        .into_iter()
        .filter(|n| match n.subject {
            // Notices of a change come from its event; a booking not
            // touched since the last gathering has only its reminders
            // left to give.
            Subject::Booking(id) => {
                touched.contains(&id)
                    || matches!(
                        n.kind,
                        NoticeKind::ReminderDayBefore | NoticeKind::ReminderShortlyBefore
                    )
            }
            Subject::Receivable(_) => true,
        })
        .collect();
    let reach = reach.with(&work.channel_setups().await?);
    let mut writer = Writer::new(work, &shop, reach, links, now).await?;
    let mut planned = Vec::new();
    for notice in &notices {
        planned.extend(writer.plan(notice).await?);
    }
    let ids: Vec<MessageId> = planned.iter().map(|p| p.id).collect();
    let known: BTreeSet<MessageId> = writer
        .work
        .known_messages(&ids)
        .await?
        .into_iter()
        .collect();
    let mut messages = Vec::new();
    for plan in planned.into_iter().filter(|p| !known.contains(&p.id)) {
        let values = match plan.notice.subject {
            Subject::Booking(id) => match bookings.get(&id) {
                Some(booking) => writer.booking_values(booking).await?,
                None => continue,
            },
            Subject::Receivable(id) => match receivables.get(&id) {
                Some(receivable) => writer.payment_values(receivable).await?,
                None => continue,
            },
        };
        messages.push(writer.message(plan, values));
    }
    let endpoints = if events.is_empty() {
        Vec::new()
    } else {
        writer.work.endpoints().await?
    };
    let hooks = super::webhooks::deliveries(&shop, &endpoints, &events, now);
    Ok(Some(Found {
        messages,
        hooks,
        events: events.len(),
        last: events.last().map(|e| e.number),
    }))
}

/// Refuses a channel a business cannot set up itself.
fn own_channel(kind: ChannelKind) -> Result<(), Error> {
    if OWN_CHANNELS.contains(&kind) {
        Ok(())
    } else {
        Err(Error::invalid(
            "channel",
            crate::error::Problem::UnknownValue {
                value: kind.as_str().to_owned(),
                expected: "whatsapp, sms",
            },
        ))
    }
}

/// The template in force for `topic`, `form` and `lang`: the business's
/// own, among `own`, or the default.
fn in_force(own: &[Template], topic: Topic, form: Form, lang: Lang) -> (Template, bool) {
    own.iter()
        .find(|t| t.topic() == topic && t.form() == form && t.lang() == lang)
        .map_or_else(
            || (Template::default_for(topic, form, lang), false),
            |t| (t.clone(), true),
        )
}

/// The booking an event is about, if any.
fn booking_of(event: &Event) -> Option<BookingId> {
    match event {
        Event::BookingCreated { booking, .. }
        | Event::BookingConfirmed { booking }
        | Event::BookingRescheduled { booking, .. }
        | Event::BookingCancelled { booking, .. }
        | Event::BookingCompleted { booking }
        | Event::BookingNoShow { booking, .. } => Some(*booking),
        _ => None,
    }
}

/// A message decided but not yet written.
struct Plan<'n> {
    notice: &'n Notice,
    id: MessageId,
    key: String,
    channel: ChannelKind,
    address: String,
    name: String,
}

/// What writing messages of one business reads once: its templates and
/// the people and services named.
struct Writer<'w, 'l> {
    work: &'w mut dyn UnitOfWork,
    shop: Business,
    reach: Reach,
    links: &'l dyn Links,
    now: DateTime<Utc>,
    templates: Vec<Template>,
    /// The language values are written in: the business's, or a
    /// previewed template's.
    lang: Lang,
    clients: HashMap<ClientId, Option<Client>>,
    /// The names of services and professionals, read on first need.
    names: Option<Names>,
}

struct Names {
    services: HashMap<ServiceId, String>,
    professionals: HashMap<ProfessionalId, String>,
}

impl<'w, 'l> Writer<'w, 'l> {
    async fn new(
        work: &'w mut dyn UnitOfWork,
        shop: &Business,
        reach: Reach,
        links: &'l dyn Links,
        now: DateTime<Utc>,
    ) -> Result<Writer<'w, 'l>, Error> {
        let templates = work.templates().await?;
        Ok(Writer {
            work,
            shop: shop.clone(),
            reach,
            links,
            now,
            templates,
            lang: shop.locale(),
            clients: HashMap::new(),
            names: None,
        })
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        if !self.clients.contains_key(&id) {
            let client = self.work.client(id).await?;
            self.clients.insert(id, client);
        }
        Ok(self.clients.get(&id).cloned().flatten())
    }

    async fn client_name(&mut self, id: ClientId) -> Result<String, Error> {
        Ok(self
            .client(id)
            .await?
            .map(|c| c.name().to_owned())
            .unwrap_or_default())
    }

    /// The messages `notice` makes: one per route to a client, one in a
    /// professional's inbox.
    async fn plan<'n>(&mut self, notice: &'n Notice) -> Result<Vec<Plan<'n>>, Error> {
        let routes: Vec<(ChannelKind, String, String)> = match notice.recipient {
            Recipient::Client(id) => match self.client(id).await? {
                Some(client) => self
                    .reach
                    .routes(client.email(), client.phone())
                    .into_iter()
                    .map(|(kind, address)| (kind, address, client.name().to_owned()))
                    .collect(),
                None => Vec::new(),
            },
            Recipient::Professional(id) => match self.names().await?.professionals.get(&id) {
                Some(name) => vec![(ChannelKind::Inbox, id.to_string(), name.clone())],
                None => Vec::new(),
            },
        };
        Ok(routes
            .into_iter()
            .map(|(channel, address, name)| {
                let key = format!("{}/{channel}", notice.dedupe_key);
                Plan {
                    notice,
                    id: MessageId::of(self.shop.id(), &key),
                    key,
                    channel,
                    address,
                    name,
                }
            })
            .collect())
    }

    async fn names(&mut self) -> Result<&Names, Error> {
        let names = match self.names.take() {
            Some(names) => names,
            None => Names {
                services: (self.work.services().await?.iter())
                    .map(|s| (s.id(), s.name().to_owned()))
                    .collect(),
                professionals: (self.work.professionals().await?.iter())
                    .map(|p| (p.id(), p.name().to_owned()))
                    .collect(),
            },
        };
        Ok(self.names.insert(names))
    }

    async fn booking_values(
        &mut self,
        booking: &Booking,
    ) -> Result<BTreeMap<String, String>, Error> {
        let lang = self.lang;
        let zone = self.shop.zone();
        let start = booking.appointment().start();
        let local = start.with_timezone(&zone);
        let client = self.client_name(booking.client()).await?;
        let names = self.names().await?;
        let service = names
            .services
            .get(&booking.service())
            .cloned()
            .unwrap_or_default();
        let professional = names
            .professionals
            .get(&booking.professional())
            .cloned()
            .unwrap_or_default();
        let link = self.links.manage(booking).unwrap_or_default();
        Ok(BTreeMap::from([
            ("client".to_owned(), client),
            ("service".to_owned(), service),
            ("professional".to_owned(), professional),
            ("when".to_owned(), shown(start, zone, lang)),
            ("date".to_owned(), shown_date(local.date_naive(), lang)),
            ("time".to_owned(), local.format("%H:%M").to_string()),
            ("price".to_owned(), booking.price().shown(lang)),
            ("business".to_owned(), self.shop.name().to_owned()),
            ("link".to_owned(), link),
        ]))
    }

    async fn payment_values(
        &mut self,
        receivable: &Receivable,
    ) -> Result<BTreeMap<String, String>, Error> {
        let lang = self.lang;
        let client = self.client_name(receivable.client()).await?;
        Ok(BTreeMap::from([
            ("client".to_owned(), client),
            ("amount".to_owned(), receivable.amount().shown(lang)),
            ("due".to_owned(), shown_date(receivable.due(), lang)),
            (
                "description".to_owned(),
                receivable.description().to_owned(),
            ),
            ("business".to_owned(), self.shop.name().to_owned()),
        ]))
    }

    fn message(&self, plan: Plan<'_>, values: BTreeMap<String, String>) -> Message {
        let lang = self.shop.locale();
        let topic = Topic::of(plan.notice.kind);
        let form = plan.channel.form(plan.address.contains('@'));
        let (template, _) = in_force(&self.templates, topic, form, lang);
        let (title, body) = template.render(&values);
        let inbox = plan.channel == ChannelKind::Inbox;
        Message {
            id: plan.id,
            business: self.shop.id(),
            key: plan.key,
            channel: plan.channel,
            recipient: plan.notice.recipient,
            address: plan.address,
            name: plan.name,
            topic,
            subject: plan.notice.subject,
            lang,
            title,
            body,
            values,
            due_at: plan.notice.due_at,
            created_at: self.now,
            // The inbox is the app itself: a message there is delivered.
            status: if inbox {
                MessageStatus::Sent
            } else {
                MessageStatus::Pending
            },
            attempts: 0,
            next_at: self.now,
            last_error: None,
            sent_at: inbox.then_some(self.now),
            reference: None,
            read_at: None,
        }
    }
}
