//! "Why not free?" from the stored records: for a start a receptionist is
//! asked about, each professional who performs the service (and each room
//! the service could take) with every rule that keeps the start out of
//! the answer, the blocks and bookings in the way named as people know
//! them (the block's reason, the client's name) and times in the
//! business's zone.
//!
//! It applies the slot search's own rules ([`crate::availability::Reason`])
//! to the same records the search reads, so it never disagrees with
//! [`Agenda::slots`].

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::runner::authorize;
use super::{load_business, Agenda, Context, SlotsRequest};
use crate::availability::{DateRange, Mode, Reason, SlotSearch, StaffCalendar};
use crate::business::Bookable;
use crate::error::Error;
use crate::ids::{BlockId, BookingId, ProfessionalId, ResourceId, ServiceId};
use crate::lang::Lang;
use crate::store::{Access, UnitOfWork};
use crate::time::{shown, Span};

use super::permission::{Action, Actor, Grant};

/// A question: why is `start` not free for `service`?
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyRequest {
    /// The service.
    pub service: ServiceId,
    /// One professional, or `None` for every one who performs it.
    pub professional: Option<ProfessionalId>,
    /// The start asked about.
    pub start: DateTime<Utc>,
}

/// The answer: whether the start is free, and for each professional and
/// room, every rule that removed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    /// The start asked about.
    pub start: DateTime<Utc>,
    /// When the appointment would end.
    pub end: DateTime<Utc>,
    /// Whether [`Agenda::book`] would take it with some professional (and
    /// room).
    pub free: bool,
    /// Each professional who performs the service, by name.
    pub professionals: Vec<Verdict>,
    /// Each room the service could take, by name; empty when it needs
    /// none.
    pub rooms: Vec<Verdict>,
    /// The business's zone, in which times are shown.
    pub zone: Tz,
}

/// Whether one professional (or room) is free at the start, and why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whose time.
    pub on: Bookable,
    /// Their name.
    pub name: String,
    /// Whether no rule removed the start.
    pub free: bool,
    /// Every rule that removed it, in the order the search applies them.
    pub causes: Vec<Cause>,
}

/// One rule that removed a start, with what stands in the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// The rule, as the search has it.
    pub reason: Reason,
    /// The blocks in the way, with their reasons and times.
    pub blocks: Vec<InTheWay>,
    /// The bookings in the way, with their clients and times.
    pub bookings: Vec<InTheWay>,
}

/// A block or booking in the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InTheWay {
    /// Its id.
    pub id: String,
    /// What people call it: a block's reason, a booking's client.
    pub label: String,
    /// The time it takes.
    pub span: Span,
}

impl Cause {
    /// The rule's name, as in the search's JSON (`blocked`,
    /// `at_capacity`…).
    pub fn rule(&self) -> &'static str {
        match self.reason {
            Reason::OutsideDateRange { .. } => "outside_date_range",
            Reason::OutsideWorkingHours => "outside_working_hours",
            Reason::OffStep { .. } => "off_step",
            Reason::TooSoon { .. } => "too_soon",
            Reason::BeyondHorizon { .. } => "beyond_horizon",
            Reason::Blocked { .. } => "blocked",
            Reason::AtCapacity { .. } => "at_capacity",
            Reason::DailyLimit { .. } => "daily_limit",
        }
    }

    /// The cause for a receptionist reading `lang`, with names and local
    /// times.
    pub fn message(&self, lang: Lang, zone: Tz) -> String {
        let at = |t: DateTime<Utc>| shown(t, zone, lang);
        let listed = |items: &[InTheWay]| {
            items
                .iter()
                .map(|i| {
                    let end = i.span.end().with_timezone(&zone).format("%H:%M");
                    format!("{} ({}–{end})", i.label, at(i.span.start()))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.reason {
            Reason::OutsideWorkingHours => lang
                .pick(
                    "outside the working hours",
                    "fora do horário de atendimento",
                )
                .to_owned(),
            Reason::OffStep {
                step_minutes,
                window_start,
                ..
            } => match lang {
                Lang::En => format!(
                    "starts are offered every {step_minutes} minutes from {}",
                    at(*window_start)
                ),
                Lang::PtBr => format!(
                    "os horários são oferecidos a cada {step_minutes} minutos a partir de {}",
                    at(*window_start)
                ),
            },
            Reason::TooSoon { earliest } => match lang {
                Lang::En => format!("too soon; the earliest start is {}", at(*earliest)),
                Lang::PtBr => format!(
                    "muito em cima da hora; o mais cedo possível é {}",
                    at(*earliest)
                ),
            },
            Reason::BeyondHorizon { limit } => match lang {
                Lang::En => format!("too far ahead; bookings open until {}", at(*limit)),
                Lang::PtBr => format!("longe demais; a agenda está aberta até {}", at(*limit)),
            },
            Reason::Blocked { .. } => format!(
                "{} {}",
                lang.pick("blocked:", "bloqueado:"),
                listed(&self.blocks)
            ),
            Reason::AtCapacity { capacity, .. } => match lang {
                Lang::En => format!("taken by {} (room for {capacity})", listed(&self.bookings)),
                Lang::PtBr => format!("ocupado por {} (vagas: {capacity})", listed(&self.bookings)),
            },
            other => other.message(lang),
        }
    }
}

impl Why {
    /// The whole answer for a receptionist reading `lang`: one line per
    /// professional and room.
    pub fn message(&self, lang: Lang) -> String {
        let mut lines = vec![format!(
            "{} {}: {}",
            shown(self.start, self.zone, lang),
            lang.pick("is", "está"),
            if self.free {
                lang.pick("free", "livre")
            } else {
                lang.pick("not free", "indisponível")
            }
        )];
        for verdict in self.professionals.iter().chain(&self.rooms) {
            let said = if verdict.free {
                lang.pick("free", "livre").to_owned()
            } else {
                verdict
                    .causes
                    .iter()
                    .map(|c| c.message(lang, self.zone))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            lines.push(format!("{}: {said}", verdict.name));
        }
        lines.join("\n")
    }
}

impl Agenda {
    /// Why `request.start` is or is not free for the service: each
    /// professional who performs it (or the one named) and each room it
    /// could take, with every rule that removed the start.
    ///
    /// # Errors
    /// As [`Agenda::slots`]; [`Error::Forbidden`] for an actor who may not
    /// read bookings, or a professional asking about another.
    pub async fn why_not_free(&self, ctx: &Context, request: &WhyRequest) -> Result<Why, Error> {
        let scope = authorize(ctx, Action::ReadBookings)?;
        // A professional sees their own agenda only: the question is about
        // them, whoever it names (another's clients are not theirs to see).
        let mut request = request.clone();
        if scope == Grant::Own {
            let Actor::Professional(own) = ctx.actor else {
                return Err(Error::Forbidden {
                    actor: ctx.actor.as_str(),
                    action: Action::ReadBookings,
                });
            };
            if request.professional.is_some_and(|p| p != own) {
                return Err(Error::Forbidden {
                    actor: ctx.actor.as_str(),
                    action: Action::ReadBookings,
                });
            }
            request.professional = Some(own);
        }
        let request = &request;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let business = load_business(&mut *work, ctx.business).await?;
        drop(work);
        let zone = business.zone();
        let date = request.start.with_timezone(&zone).date_naive();
        let slots = SlotsRequest {
            service: request.service,
            professional: request.professional,
            from: date,
            to: date,
            step_minutes: None,
        };
        let range = DateRange::new(date, date)?;
        let inputs = self.slot_inputs(ctx, &slots, range).await?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let mut professionals = Vec::with_capacity(inputs.calendars.len());
        for calendar in &inputs.calendars {
            let verdict = verdict(
                &mut *work,
                ctx,
                range,
                inputs.rules,
                calendar,
                request.start,
                false,
            )
            .await?;
            professionals.push(verdict);
        }
        let mut rooms = Vec::with_capacity(inputs.rooms.len());
        for calendar in &inputs.rooms {
            rooms.push(
                verdict(
                    &mut *work,
                    ctx,
                    range,
                    inputs.rules,
                    calendar,
                    request.start,
                    true,
                )
                .await?,
            );
        }
        professionals.sort_by(|a, b| a.name.cmp(&b.name));
        rooms.sort_by(|a, b| a.name.cmp(&b.name));
        let free = professionals.iter().any(|v| v.free)
            && (inputs.rooms.is_empty() || rooms.iter().any(|v| v.free))
            && inputs
                .answer(range, ctx.now)?
                .iter()
                .any(|slot| slot.start() == request.start);
        let duration = chrono::TimeDelta::minutes(i64::from(inputs.rules.duration_minutes()));
        Ok(Why {
            start: request.start,
            end: request.start + duration,
            free,
            professionals,
            rooms,
            zone,
        })
    }
}

async fn verdict(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    range: DateRange,
    rules: crate::availability::SlotRules,
    calendar: &StaffCalendar,
    start: DateTime<Utc>,
    room: bool,
) -> Result<Verdict, Error> {
    let search = SlotSearch::new(range, ctx.now, rules, Mode::Any, vec![calendar.clone()])?;
    let explained = search.explain(start);
    let staff = explained.staff().first();
    let key = calendar.key().as_str();
    let (on, name) = if room {
        let id = ResourceId::parse(key)?;
        let name = work
            .resource(id)
            .await?
            .map(|r| r.name().to_owned())
            .unwrap_or_else(|| key.to_owned());
        (Bookable::Resource(id), name)
    } else {
        let id = ProfessionalId::parse(key)?;
        let name = work
            .professional(id)
            .await?
            .map(|p| p.name().to_owned())
            .unwrap_or_else(|| key.to_owned());
        (Bookable::Professional(id), name)
    };
    let mut causes = Vec::new();
    for reason in staff.map(|s| s.reasons().to_vec()).unwrap_or_default() {
        let mut cause = Cause {
            reason: reason.clone(),
            blocks: Vec::new(),
            bookings: Vec::new(),
        };
        match &reason {
            Reason::Blocked { blocks } => {
                for key in blocks.iter().take(MAX_NAMED) {
                    let id = BlockId::parse(key.as_str())?;
                    if let Some(block) = work.block(id).await? {
                        let label = if block.reason().is_empty() {
                            "—".to_owned()
                        } else {
                            block.reason().to_owned()
                        };
                        cause.blocks.push(InTheWay {
                            id: id.to_string(),
                            label,
                            span: block.span(),
                        });
                    }
                }
            }
            Reason::AtCapacity { bookings, .. } => {
                for key in bookings.iter().take(MAX_NAMED) {
                    let id = BookingId::parse(key.as_str())?;
                    if let Some(booking) = work.booking(id).await? {
                        let label = match work.client(booking.client()).await? {
                            Some(client) => client.name().to_owned(),
                            None => id.to_string(),
                        };
                        cause.bookings.push(InTheWay {
                            id: id.to_string(),
                            label,
                            span: booking.appointment(),
                        });
                    }
                }
            }
            _ => {}
        }
        causes.push(cause);
    }
    Ok(Verdict {
        on,
        name,
        free: causes.is_empty(),
        causes,
    })
}

/// The most blocks or bookings named in one cause.
const MAX_NAMED: usize = 10;
