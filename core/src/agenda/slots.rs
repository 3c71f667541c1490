//! Free slots from the stored records (R17): the engine's search fed with
//! a service, the professionals who perform it, their hours, blocks and
//! bookings, and the service's room or machine when it needs one.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::booking::staff_calendar;
use super::{
    active, load_business, load_professional, load_resource, load_service, Agenda, Context,
};
use crate::availability::{
    open_starts, AnswerJson, AnswerText, BlockKey, BookingKey, DateRange, Mode, SlotAnswer,
    SlotRules, SlotSearch, StaffCalendar, WorkingHours,
};
use crate::business::{Activity, Block, Bookable};
use crate::error::{Error, RecordKind};
use crate::ids::{ProfessionalId, ServiceId};
use crate::store::{Access, Change, Held, UnitOfWork};
use crate::time::Span;

/// A request for the free slots of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotsRequest {
    /// The service.
    pub service: ServiceId,
    /// One professional, or `None` for any active one who performs it.
    pub professional: Option<ProfessionalId>,
    /// The first local date, in the business's zone.
    pub from: NaiveDate,
    /// The last local date, inclusive.
    pub to: NaiveDate,
    /// How far apart starts are, in minutes; the service's duration when
    /// `None`.
    pub step_minutes: Option<u32>,
}

/// How far past the dates searched the records are read: a day in any zone
/// starts within 14 hours of UTC midnight and lasts at most 26 hours, and
/// buffers add at most a day.
const MARGIN_DAYS: u64 = 3;

impl Agenda {
    /// The free slots of a service from `from` to `to`, seen at `ctx.now`:
    /// the starts [`Agenda::book`] would accept, each listing the
    /// professionals (by id) free then. A service that needs a resource is
    /// offered only when the professional and the resource are both free.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the service or the professional;
    /// [`Error::Retired`] when either is retired (or the service's
    /// resource); [`Error::ServiceNotPerformed`]; [`Error::Invalid`] for
    /// `to` or `step_minutes`, or for `query` when the search is too large.
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use agendo_core::agenda::{Agenda, Context, SlotsRequest};
    /// use agendo_core::availability::{WeeklyHours, WorkingHours};
    /// use agendo_core::business::{Business, Professional, Service};
    /// use agendo_core::ids::{BusinessId, ProfessionalId, ServiceId};
    /// use agendo_core::money::{Currency, Money};
    /// use agendo_core::store::MemoryStore;
    /// use agendo_core::time::Window;
    /// use agendo_core::Lang;
    /// use chrono::{NaiveDate, Weekday};
    ///
    /// # futures_executor::block_on(async {
    /// let agenda = Agenda::new(Arc::new(MemoryStore::new()));
    /// let shop = Business::new(BusinessId::random(), "Barbearia", chrono_tz::America::Sao_Paulo, Currency::BRL, Lang::PtBr)?;
    /// agenda.create_business(&shop).await?;
    /// let ctx = Context::staff(shop.id(), "2026-03-01T12:00:00Z".parse().unwrap());
    /// let cut = Service::new(ServiceId::random(), shop.id(), "Corte", 30, Money::parse("40", Currency::BRL)?)?;
    /// agenda.save_service(&ctx, &cut).await?;
    /// let week = WeeklyHours::closed().with_day(Weekday::Mon, [Window::parse("09:00", "10:00")?])?;
    /// let ze = Professional::new(ProfessionalId::random(), shop.id(), "Zé")?
    ///     .with_services([cut.id()]).with_hours(WorkingHours::new(week));
    /// agenda.save_professional(&ctx, &ze).await?;
    ///
    /// let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    /// let request = SlotsRequest { service: cut.id(), professional: None, from: monday, to: monday, step_minutes: None };
    /// let slots = agenda.slots(&ctx, &request).await?;
    /// let starts: Vec<String> = slots.iter().map(|s| s.start().to_rfc3339()).collect();
    /// assert_eq!(starts, ["2026-03-02T12:00:00+00:00", "2026-03-02T12:30:00+00:00"]);
    /// # Ok::<(), agendo_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn slots(&self, ctx: &Context, request: &SlotsRequest) -> Result<SlotAnswer, Error> {
        let range = DateRange::new(request.from, request.to)?;
        let inputs = self.slot_inputs(ctx, request, range).await?;
        inputs.answer(range, ctx.now)
    }

    /// The JSON text of [`Agenda::slots`]'s answer
    /// ([`SlotAnswer::to_json`]), what a host sends. A kept search also
    /// keeps its answer's text, so searches that find it kept send it
    /// shared (or copy their cut of it out) instead of writing it again; kept texts hold at most
    /// 32 MiB together, and past that an answer's text is written for
    /// each search (and the searches no longer read are dropped, giving
    /// back what their texts held).
    ///
    /// # Errors
    /// As [`Agenda::slots`].
    pub async fn slots_json(
        &self,
        ctx: &Context,
        request: &SlotsRequest,
    ) -> Result<AnswerJson, Error> {
        let range = DateRange::new(request.from, request.to)?;
        let inputs = self.slot_inputs(ctx, request, range).await?;
        let (text, refused) = inputs.text(range, ctx.now, &self.slot_cache.texts)?;
        if refused {
            self.slot_cache.sweep(ctx.now);
        }
        Ok(text)
    }

    /// Who takes a booking of `service` at `start` when the client chose
    /// "any professional": the first of those free then, in the order the
    /// search lists a slot's staff (by key). `None` when nobody is free at
    /// that start (taken meanwhile, or not a start the search offers).
    ///
    /// # Errors
    /// As [`Agenda::slots`].
    pub async fn free_professional(
        &self,
        ctx: &Context,
        service: ServiceId,
        start: DateTime<Utc>,
    ) -> Result<Option<ProfessionalId>, Error> {
        let zone = {
            let mut work = self.store.begin(ctx.business, Access::Read).await?;
            load_business(&mut *work, ctx.business).await?.zone()
        };
        let day = start.with_timezone(&zone).date_naive();
        let request = SlotsRequest {
            service,
            professional: None,
            from: day,
            to: day,
            step_minutes: None,
        };
        let answer = self.slots(ctx, &request).await?;
        let first = answer
            .iter()
            .find(|slot| slot.start() == start)
            .and_then(|slot| slot.staff().next().map(|key| key.as_str().to_owned()));
        Ok(first.and_then(|key| ProfessionalId::parse(&key).ok()))
    }

    /// What a slot search of `request` needs from the store: kept while the
    /// store's [`Store::version`](crate::store::Store::version) stays the
    /// same, read afresh otherwise.
    pub(super) async fn slot_inputs(
        &self,
        ctx: &Context,
        request: &SlotsRequest,
        range: DateRange,
    ) -> Result<Arc<Inputs>, Error> {
        let key = InputsKey {
            business: ctx.business,
            service: request.service,
            professional: request.professional,
            from: request.from,
            to: request.to,
            step: request.step_minutes,
        };
        // The version is taken before reading: a commit during the read
        // makes the next search look again.
        let Some(version) = self.store.version() else {
            return Ok(Arc::new(self.read_inputs(ctx, request, range).await?));
        };
        if let Some(kept) = self.slot_cache.get(&key, ctx.now) {
            if kept.version == version {
                return Ok(kept.inputs);
            }
        }
        // One search brings a kept read forward (or reads) for everyone
        // asking the same while it does: the others wait for it, then find
        // its answer kept. After a commit, every search of a busy page
        // misses at once; reading once instead of once each keeps the store
        // free for the bookings.
        let turn = self.slot_cache.turn(key);
        let _reading = turn.lock().await;
        let version = self.store.version().unwrap_or(version);
        // A read brought forward keeps the time of its first read: no
        // calendar is kept longer than `KEPT_FOR` unread, whatever was heard.
        let (inputs, read_at) = match self.slot_cache.get(&key, ctx.now) {
            Some(kept) if kept.version == version => return Ok(kept.inputs),
            Some(kept) => match self.store.changed_since(kept.version, ctx.business) {
                // What changed since is applied; a calendar changed in a
                // way not known here (another host's commit) is read again.
                Some(changes) => {
                    let (applied, stale) = kept.inputs.apply(&changes)?;
                    let inputs = applied.map_or(kept.inputs, Arc::new);
                    if stale.is_empty() {
                        (inputs, kept.read_at)
                    } else {
                        let again = self.reread(ctx, &inputs, &stale).await?;
                        (Arc::new(again), kept.read_at)
                    }
                }
                None => (
                    Arc::new(self.read_inputs(ctx, request, range).await?),
                    ctx.now,
                ),
            },
            None => (
                Arc::new(self.read_inputs(ctx, request, range).await?),
                ctx.now,
            ),
        };
        self.slot_cache.put(key, version, read_at, inputs.clone());
        Ok(inputs)
    }

    /// `kept` with the calendars of `stale` read again.
    async fn reread(
        &self,
        ctx: &Context,
        kept: &Inputs,
        stale: &[Bookable],
    ) -> Result<Inputs, Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let blocks = work.blocks_meeting_any(stale, kept.reach).await?;
        let held = work.held_any(stale, kept.reach).await?;
        drop(work);
        let again = |on: Bookable, calendar: &StaffCalendar| -> Result<StaffCalendar, Error> {
            if !stale.contains(&on) {
                return Ok(calendar.clone());
            }
            share_out(
                on,
                calendar.zone(),
                calendar.hours().clone(),
                calendar.capacity(),
                &blocks,
                &held,
            )
        };
        let calendars = kept
            .calendars
            .iter()
            .zip(&kept.staff)
            .map(|(calendar, on)| again(*on, calendar))
            .collect::<Result<_, _>>()?;
        let rooms = kept
            .rooms
            .iter()
            .zip(&kept.room_ids)
            .map(|(calendar, on)| again(*on, calendar))
            .collect::<Result<_, _>>()?;
        Ok(Inputs {
            calendars,
            rooms,
            staff: kept.staff.clone(),
            room_ids: kept.room_ids.clone(),
            answered: OnceLock::new(),
            rendered: OnceLock::new(),
            ..*kept
        })
    }

    async fn read_inputs(
        &self,
        ctx: &Context,
        request: &SlotsRequest,
        range: DateRange,
    ) -> Result<Inputs, Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let business = load_business(&mut *work, ctx.business).await?;
        let service = load_service(&mut *work, request.service).await?;
        active(service.activity(), RecordKind::Service, service.id())?;
        let mut rules = SlotRules::new(service.duration_minutes())?.with_buffers(service.buffers());
        if let Some(step) = request.step_minutes {
            rules = rules.with_step(step)?;
        }
        let professionals = match request.professional {
            Some(id) => {
                let professional = load_professional(&mut *work, id).await?;
                active(professional.activity(), RecordKind::Professional, id)?;
                if !professional.performs(service.id()) {
                    return Err(Error::ServiceNotPerformed {
                        professional: id,
                        service: service.id(),
                    });
                }
                vec![professional]
            }
            None => work
                .professionals()
                .await?
                .into_iter()
                .filter(|p| p.activity() == Activity::Active && p.performs(service.id()))
                .collect(),
        };
        let duration =
            i64::from(service.duration_minutes()) * crate::time::timeline::MICROS_PER_MINUTE;
        let span = reach(range)?;
        let mut inputs = Inputs {
            rules,
            duration,
            reach: span,
            calendars: Vec::new(),
            staff: Vec::new(),
            rooms: Vec::new(),
            room_ids: Vec::new(),
            answered: OnceLock::new(),
            rendered: OnceLock::new(),
        };
        if professionals.is_empty() {
            return Ok(inputs);
        }
        // Every professional's blocks and bookings in two reads, then
        // shared out.
        let on: Vec<Bookable> = professionals
            .iter()
            .map(|p| Bookable::Professional(p.id()))
            .collect();
        let blocks = work.blocks_meeting_any(&on, span).await?;
        let held = work.held_any(&on, span).await?;
        for professional in &professionals {
            let on = Bookable::Professional(professional.id());
            inputs.calendars.push(share_out(
                on,
                business.zone(),
                professional.hours().clone(),
                professional.capacity(),
                &blocks,
                &held,
            )?);
            inputs.staff.push(on);
        }
        let rooms = match (service.resource(), service.resource_kind()) {
            (Some(id), _) => {
                let resource = load_resource(&mut *work, id).await?;
                active(resource.activity(), RecordKind::Resource, id)?;
                vec![resource]
            }
            (None, Some(kind)) => super::booking::rooms_of(&mut *work, kind).await?,
            (None, None) => Vec::new(),
        };
        for resource in rooms {
            let on = Bookable::Resource(resource.id());
            let hours = resource.hours().clone();
            inputs.room_ids.push(on);
            inputs.rooms.push(
                calendar(
                    &mut *work,
                    on,
                    hours,
                    resource.capacity(),
                    span,
                    business.zone(),
                )
                .await?,
            );
        }
        Ok(inputs)
    }
}

/// Where a committed change puts a booking or block of a kept calendar
/// (`None`: out of it).
enum Put {
    Booking(BookingKey, Option<Span>),
    Block(BlockKey, Option<Span>),
}

/// What a slot search reads from the store.
pub(crate) struct Inputs {
    pub(super) rules: SlotRules,
    duration: i64,
    /// The span of instants whose bookings and blocks were read.
    reach: Span,
    pub(super) calendars: Vec<StaffCalendar>,
    /// Whose each calendar is.
    staff: Vec<Bookable>,
    /// The rooms a booking may take (the service's one, or those of its
    /// kind); empty when it needs none.
    pub(super) rooms: Vec<StaffCalendar>,
    /// Which each room is.
    room_ids: Vec<Bookable>,
    /// The answer over a range with no minimum notice or horizon, found
    /// once: the answer at any `now` is a cut of it (see
    /// [`open_starts`]), so searches that find these inputs kept do not
    /// search again.
    answered: OnceLock<(DateRange, SlotAnswer)>,
    /// That answer's text, once a search asked for it and the kept texts
    /// had room for it.
    rendered: OnceLock<KeptText>,
}

/// An answer's text kept, counted in the texts' budget until dropped.
struct KeptText {
    text: AnswerText,
    budget: Arc<TextBudget>,
}

impl Drop for KeptText {
    fn drop(&mut self) {
        self.budget
            .used
            .fetch_sub(self.text.size(), Ordering::Relaxed);
    }
}

/// The bytes kept answer texts hold together, at most `limit`
/// ([`KEPT_TEXT_BYTES`]): every public search can be kept, and a text is
/// more than ten times the answer it is written from.
pub(crate) struct TextBudget {
    used: AtomicUsize,
    limit: usize,
}

impl Default for TextBudget {
    fn default() -> TextBudget {
        TextBudget {
            used: AtomicUsize::new(0),
            limit: KEPT_TEXT_BYTES,
        }
    }
}

/// The most bytes kept answer texts hold together.
const KEPT_TEXT_BYTES: usize = 32 << 20;

impl TextBudget {
    /// Whether the kept texts already hold all they may.
    fn full(&self) -> bool {
        self.used.load(Ordering::Relaxed) >= self.limit
    }

    /// `text` kept within the budget, or `None` when it has no room.
    fn keep(self: &Arc<Self>, text: AnswerText) -> Option<KeptText> {
        let size = text.size();
        let taken = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(size).filter(|&total| total <= self.limit)
            });
        taken.is_ok().then(|| KeptText {
            text,
            budget: self.clone(),
        })
    }
}

impl Inputs {
    /// These inputs with `changes` applied (`None` when none changes
    /// them), and the professionals and rooms whose calendars another host
    /// changed within what was read, to read again.
    fn apply(&self, changes: &[Change]) -> Result<(Option<Inputs>, Vec<Bookable>), Error> {
        let mut calendars: Option<(Vec<StaffCalendar>, Vec<StaffCalendar>)> = None;
        let mut stale = Vec::new();
        let whose: Vec<Bookable> = self.staff.iter().chain(&self.room_ids).copied().collect();
        for change in changes {
            // Each calendar as it stands now.
            let (staff, rooms) = calendars
                .as_ref()
                .map_or((&self.calendars, &self.rooms), |(s, r)| (s, r));
            let all = staff.iter().chain(rooms).zip(&whose);
            // The calendars this change moves something in, and to where.
            let mut changed: Vec<(usize, Put)> = Vec::new();
            match change {
                Change::Booking(id, held) => {
                    let key = BookingKey::parse(&id.to_string())?;
                    for (i, (calendar, on)) in all.enumerate() {
                        let span = held
                            .filter(|h| h.is_of(*on) && h.span.overlaps(&self.reach))
                            .map(|h| h.span);
                        if !calendar.has_booking_at(&key, span) {
                            changed.push((i, Put::Booking(key.clone(), span)));
                        }
                    }
                }
                Change::Block(id, now) => {
                    let key = BlockKey::parse(&id.to_string())?;
                    for (i, (calendar, on)) in all.enumerate() {
                        let span = now
                            .filter(|(of, span)| of == on && span.overlaps(&self.reach))
                            .map(|(_, span)| span);
                        if !calendar.has_block_at(&key, span) {
                            changed.push((i, Put::Block(key.clone(), span)));
                        }
                    }
                }
                Change::Calendar(of, span) => {
                    if whose.contains(of) && span.overlaps(&self.reach) && !stale.contains(of) {
                        stale.push(*of);
                    }
                }
            }
            if changed.is_empty() {
                continue;
            }
            let (staff, rooms) =
                calendars.get_or_insert_with(|| (self.calendars.clone(), self.rooms.clone()));
            for (i, put) in changed {
                let calendar = match i.checked_sub(staff.len()) {
                    None => &mut staff[i],
                    Some(room) => &mut rooms[room],
                };
                match put {
                    Put::Booking(key, span) => calendar.put_booking(&key, span),
                    Put::Block(key, span) => calendar.put_block(&key, span),
                }
            }
        }
        let applied = calendars.map(|(calendars, rooms)| Inputs {
            calendars,
            rooms,
            staff: self.staff.clone(),
            room_ids: self.room_ids.clone(),
            answered: OnceLock::new(),
            rendered: OnceLock::new(),
            ..*self
        });
        Ok((applied, stale))
    }

    /// The free slots of `range` seen at `now`, from what was read: a
    /// professional is free at a start when they (and, for a service that
    /// needs one, any one of its rooms) are.
    pub(super) fn answer(&self, range: DateRange, now: DateTime<Utc>) -> Result<SlotAnswer, Error> {
        let (earliest, latest) = open_starts(&self.rules, now);
        Ok(self.kept_answer(range)?.within(earliest, latest))
    }

    /// The text of [`Inputs::answer`], cut out of the kept answer's text
    /// (written and kept first when `budget` has room for it); and whether
    /// it had none.
    fn text(
        &self,
        range: DateRange,
        now: DateTime<Utc>,
        budget: &Arc<TextBudget>,
    ) -> Result<(AnswerJson, bool), Error> {
        let (earliest, latest) = open_starts(&self.rules, now);
        let all = match self.kept_answer(range)? {
            Cow::Borrowed(all) => all,
            Cow::Owned(all) => return Ok((all.within(earliest, latest).to_json().into(), false)),
        };
        if let Some(kept) = self.rendered.get() {
            return Ok((kept.text.within(all, earliest, latest), false));
        }
        if !budget.full() {
            if let Some(kept) = budget.keep(AnswerText::of(all)) {
                // Another search may have kept it meanwhile: this one is
                // then dropped, giving its room back.
                let kept = self.rendered.get_or_init(|| kept);
                return Ok((kept.text.within(all, earliest, latest), false));
            }
        }
        Ok((all.within(earliest, latest).to_json().into(), true))
    }

    /// The answer over `range` with no minimum notice or horizon: the one
    /// kept (found and kept first when none is), or found afresh when
    /// another range's is kept.
    fn kept_answer(&self, range: DateRange) -> Result<Cow<'_, SlotAnswer>, Error> {
        let kept = match self.answered.get() {
            Some(kept) => kept,
            // Another search may set it meanwhile, from the same inputs.
            None => {
                let all = self.answer_over(range)?;
                self.answered.get_or_init(|| (range, all))
            }
        };
        Ok(match kept {
            (kept, all) if *kept == range => Cow::Borrowed(all),
            _ => Cow::Owned(self.answer_over(range)?),
        })
    }

    /// The answer over `range` found as at the first instant read, which
    /// no start precedes, with neither minimum notice nor horizon.
    fn answer_over(&self, range: DateRange) -> Result<SlotAnswer, Error> {
        let rules = self.rules.with_min_notice(0)?.with_horizon_days(None)?;
        self.answer_with(range, self.reach.start(), rules)
    }

    /// The free slots of `range` found at `now` with `rules`.
    fn answer_with(
        &self,
        range: DateRange,
        now: DateTime<Utc>,
        rules: SlotRules,
    ) -> Result<SlotAnswer, Error> {
        let Inputs {
            duration,
            calendars,
            rooms,
            ..
        } = self;
        if calendars.is_empty() {
            return Ok(SlotAnswer::any_of(Vec::new(), *duration));
        }
        if rooms.is_empty() {
            return Ok(
                SlotSearch::new(range, now, rules, Mode::Any, calendars.clone())?.find_slots(),
            );
        }
        // A professional is free at a start when they and any one room are.
        let mut keyed = Vec::with_capacity(calendars.len());
        for calendar in calendars {
            let mut starts: Vec<i64> = Vec::new();
            for room in rooms {
                let pair = vec![calendar.clone(), room.clone()];
                let answer = SlotSearch::new(range, now, rules, Mode::All, pair)?.find_slots();
                starts.extend(answer.starts());
            }
            starts.sort_unstable();
            starts.dedup();
            keyed.push((calendar.key().clone(), starts));
        }
        Ok(SlotAnswer::any_of_starts(keyed, *duration))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct InputsKey {
    business: crate::ids::BusinessId,
    service: ServiceId,
    professional: Option<ProfessionalId>,
    from: NaiveDate,
    to: NaiveDate,
    step: Option<u32>,
}

/// The inputs of recent slot searches, each with the store version it was
/// read at. Bounded: when full, it is emptied (the next searches read
/// again).
#[derive(Default)]
pub(crate) struct SlotCache {
    // A `std::sync::Mutex`: nothing is awaited while it is held.
    entries: Mutex<HashMap<InputsKey, Kept>>,
    /// One lock per search being read, so only one reads at a time.
    turns: Mutex<HashMap<InputsKey, Arc<async_lock::Mutex<()>>>>,
    /// What the kept answers' texts hold.
    texts: Arc<TextBudget>,
    /// The second (of `now`) of the last sweep.
    swept: AtomicI64,
}

#[derive(Clone)]
struct Kept {
    version: u64,
    read_at: DateTime<Utc>,
    inputs: Arc<Inputs>,
}

/// The most searches kept.
const CACHED_SEARCHES: usize = 4_096;

/// The longest a read is kept even when the version stays the same: a
/// bound on staleness should a store miss hearing of a commit (a lost
/// notification between hosts).
const KEPT_FOR: TimeDelta = TimeDelta::seconds(30);

impl SlotCache {
    /// The read kept for `key`, unless it is too old at `now`.
    fn get(&self, key: &InputsKey, now: DateTime<Utc>) -> Option<Kept> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|kept| kept.read_at <= now && now - kept.read_at < KEPT_FOR)
            .cloned()
    }

    /// The lock readers of `key` take turns on.
    fn turn(&self, key: InputsKey) -> Arc<async_lock::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        if turns.len() >= CACHED_SEARCHES {
            // Locks held now stay held by their owners; later readers of
            // those keys get new ones, at worst reading once more.
            turns.clear();
        }
        turns.entry(key).or_default().clone()
    }

    /// Drops the searches that cannot be used at `now` (read longer than
    /// [`KEPT_FOR`] ago), giving back what their texts held; at most once a
    /// second of `now`, since it looks at every search kept.
    fn sweep(&self, now: DateTime<Utc>) {
        let second = now.timestamp();
        if self.swept.swap(second, Ordering::Relaxed) == second {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, kept| kept.read_at <= now && now - kept.read_at < KEPT_FOR);
    }

    fn put(&self, key: InputsKey, version: u64, read_at: DateTime<Utc>, inputs: Arc<Inputs>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHED_SEARCHES {
            entries.clear();
        }
        entries.insert(
            key,
            Kept {
                version,
                read_at,
                inputs,
            },
        );
    }
}

/// The span of instants whose records can matter to a search of `range`.
fn reach(range: DateRange) -> Result<Span, Error> {
    let start = range
        .from()
        .checked_sub_days(Days::new(MARGIN_DAYS))
        .unwrap_or(NaiveDate::MIN);
    let end = range
        .to()
        .checked_add_days(Days::new(MARGIN_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let utc = |date: NaiveDate| date.and_time(NaiveTime::MIN).and_utc();
    Span::new(utc(start), utc(end))
}

/// `on`'s calendar out of blocks and bookings read for several at once.
fn share_out(
    on: Bookable,
    zone: chrono_tz::Tz,
    hours: WorkingHours,
    capacity: u32,
    blocks: &[Block],
    held: &[Held],
) -> Result<StaffCalendar, Error> {
    let theirs: Vec<Block> = blocks.iter().filter(|b| b.on() == on).cloned().collect();
    staff_calendar(
        on,
        zone,
        hours,
        capacity,
        &theirs,
        held.iter()
            .filter(|h| h.is_of(on))
            .map(|h| (h.booking, h.span)),
    )
}

/// One professional's (or resource's) calendar over `span`: its hours,
/// blocks and active bookings.
async fn calendar(
    work: &mut dyn UnitOfWork,
    on: Bookable,
    hours: WorkingHours,
    capacity: u32,
    span: Span,
    zone: chrono_tz::Tz,
) -> Result<StaffCalendar, Error> {
    let blocks = work.blocks_meeting(on, span).await?;
    let held = work.held_any(&[on], span).await?;
    staff_calendar(
        on,
        zone,
        hours,
        capacity,
        &blocks,
        held.iter().map(|h| (h.booking, h.span)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::StaffKey;

    #[test]
    fn kept_texts_stay_within_their_budget_and_give_it_back() {
        let budget = Arc::new(TextBudget::default());
        let half_hour = 30 * crate::time::timeline::MICROS_PER_MINUTE;
        let starts = (0..10_000).map(|i| i * half_hour).collect();
        let ana = vec![StaffKey::parse("ana").unwrap()];
        let answer = SlotAnswer::combine(ana, Mode::Any, vec![starts], half_hour);
        let size = AnswerText::of(&answer).size();
        let kept: Vec<_> = (0..KEPT_TEXT_BYTES / size)
            .map(|_| budget.keep(AnswerText::of(&answer)))
            .collect();
        assert!(kept.iter().all(Option::is_some));
        assert!(budget.keep(AnswerText::of(&answer)).is_none());
        drop(kept);
        assert_eq!(budget.used.load(Ordering::Relaxed), 0);
        assert!(budget.keep(AnswerText::of(&answer)).is_some());
    }

    /// With no room left, a search's text is written per request, and the
    /// searches no longer read are dropped, giving their texts' room back
    /// for the next search to keep its own.
    #[test]
    fn searches_no_longer_read_give_their_texts_room_back() {
        use crate::availability::{WeeklyHours, WorkingHours};
        use crate::business::{Business, Professional, Service};
        use crate::ids::BusinessId;
        use crate::money::{Currency, Money};
        use crate::store::MemoryStore;
        use crate::time::Window;
        use chrono::Weekday;

        futures_executor::block_on(async {
            let store: Arc<dyn crate::store::Store> = Arc::new(MemoryStore::new());
            let zone = chrono_tz::America::Sao_Paulo;
            let shop = Business::new(
                BusinessId::random(),
                "Barbearia",
                zone,
                Currency::BRL,
                crate::Lang::PtBr,
            )
            .unwrap();
            let open = Agenda::new(store.clone());
            open.create_business(&shop).await.unwrap();
            let t0: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
            let ctx = |now: DateTime<Utc>| Context::staff(shop.id(), now);
            let price = Money::parse("40", Currency::BRL).unwrap();
            let cut = Service::new(ServiceId::random(), shop.id(), "Corte", 30, price).unwrap();
            open.save_service(&ctx(t0), &cut).await.unwrap();
            let day = [Window::parse("09:00", "18:00").unwrap()];
            let week = WeeklyHours::closed().with_day(Weekday::Mon, day).unwrap();
            let ze = Professional::new(ProfessionalId::random(), shop.id(), "Zé")
                .unwrap()
                .with_services([cut.id()])
                .with_hours(WorkingHours::new(week));
            open.save_professional(&ctx(t0), &ze).await.unwrap();
            let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
            let a = SlotsRequest {
                service: cut.id(),
                professional: None,
                from: monday,
                to: monday,
                step_minutes: None,
            };
            let b = SlotsRequest {
                step_minutes: Some(15),
                ..a.clone()
            };
            let size = |r: &SlotsRequest| {
                let open = open.clone();
                let r = r.clone();
                async move { AnswerText::of(&open.slots(&ctx(t0), &r).await.unwrap()).size() }
            };
            let (size_a, size_b) = (size(&a).await, size(&b).await);
            // Room for either text, not both.
            let budget = Arc::new(TextBudget {
                used: AtomicUsize::new(0),
                limit: size_a.max(size_b) + size_a.min(size_b) / 2,
            });
            let agenda = Agenda {
                slot_cache: Arc::new(SlotCache {
                    texts: budget.clone(),
                    ..SlotCache::default()
                }),
                ..Agenda::new(store.clone())
            };
            let used = || budget.used.load(Ordering::Relaxed);
            let same = |r: &SlotsRequest, now: DateTime<Utc>| {
                let (agenda, r) = (agenda.clone(), r.clone());
                let fresh = Agenda::new(store.clone());
                async move {
                    let text = agenda.slots_json(&ctx(now), &r).await.unwrap();
                    assert_eq!(
                        text.as_str(),
                        fresh.slots(&ctx(now), &r).await.unwrap().to_json()
                    );
                }
            };
            same(&a, t0).await;
            assert_eq!(used(), size_a);
            // No room for b's: written for the request; a is still read.
            same(&b, t0).await;
            assert_eq!(used(), size_a);
            // Past the time a is kept, b (read again) still finds no room,
            // and a is dropped.
            let later = t0 + KEPT_FOR + TimeDelta::seconds(1);
            same(&b, later).await;
            assert_eq!(used(), 0);
            // The next search of b keeps its text.
            same(&b, later + TimeDelta::milliseconds(1)).await;
            assert_eq!(used(), size_b);
            same(&b, later + TimeDelta::milliseconds(2)).await;
            assert_eq!(used(), size_b);
        });
    }
}
