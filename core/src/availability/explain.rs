//! "Why not free?": the rules that keep a start out of the answer.
//!
//! A receptionist on the phone hears "can't I come at 10:00?". The search
//! answers with the starts that are free; this says, for any other start and
//! each professional, every rule that removed it. It applies the same rules
//! as the search, one start at a time, and the two are checked against each
//! other by property tests.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::calendar::StaffCalendar;
use super::conflict::held_span;
use super::keys::{BlockKey, BookingKey, StaffKey};
use super::rules::Mode;
use super::search::{Bounds, DailyCounts, SlotSearch};
use crate::error::join;
use crate::lang::Lang;
use crate::time::timeline::{floor_micros, to_utc};
use crate::time::Span;

/// Why a start is or is not in a search's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    answered: bool,
    staff: Vec<StaffVerdict>,
}

impl Explanation {
    /// The start asked about.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// When the appointment would end.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Whether the search answers this start.
    pub fn answered(&self) -> bool {
        self.answered
    }

    /// The verdict for each professional, sorted by key.
    pub fn staff(&self) -> &[StaffVerdict] {
        &self.staff
    }
}

/// Whether one professional is free at a start, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaffVerdict {
    id: StaffKey,
    free: bool,
    reasons: Vec<Reason>,
}

impl StaffVerdict {
    /// The professional.
    pub fn staff(&self) -> &StaffKey {
        &self.id
    }

    /// Whether the professional is free: no rule removed the start.
    pub fn free(&self) -> bool {
        self.free
    }

    /// Every rule that removed the start, in the order the rules are listed
    /// in the crate documentation.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
}

/// A rule that removed a start for one professional.
///
/// Serialized with the rule's name in `rule`:
/// `{"rule":"blocked","blocks":["b1"]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The start fits a working window, but of a date outside the search.
    OutsideDateRange {
        /// The first date searched.
        from: NaiveDate,
        /// The last date searched.
        to: NaiveDate,
    },
    /// The appointment does not fit inside any working window.
    OutsideWorkingHours,
    /// The appointment fits a working window, but the start is not on the
    /// window's step grid.
    OffStep {
        /// The start of the window the grid steps from.
        window_start: DateTime<Utc>,
        /// Minutes between starts.
        step_minutes: u32,
    },
    /// The start is sooner than the minimum notice allows.
    TooSoon {
        /// The earliest start allowed.
        earliest: DateTime<Utc>,
    },
    /// The start is past the booking horizon.
    BeyondHorizon {
        /// The first start not allowed.
        limit: DateTime<Utc>,
    },
    /// The time held (buffers included) meets these blocks.
    Blocked {
        /// The blocks met, in time order.
        blocks: Vec<BlockKey>,
    },
    /// The time held meets as many bookings as the professional can take.
    AtCapacity {
        /// The bookings met, in time order.
        bookings: Vec<BookingKey>,
        /// How many bookings the professional can take at once.
        capacity: u32,
    },
    /// The professional already has the daily limit of bookings starting on
    /// the start's local date.
    DailyLimit {
        /// The local date.
        date: NaiveDate,
        /// Bookings starting that date.
        bookings: u32,
        /// The limit.
        limit: u32,
    },
}

impl Reason {
    /// The reason for a person reading `lang` (R57).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Reason::OutsideDateRange { from, to } => format!(
                "{} {from} {} {to}",
                lang.pick(
                    "the start is outside the dates searched,",
                    "o início está fora das datas consultadas, de"
                ),
                lang.pick("to", "a"),
            ),
            Reason::OutsideWorkingHours => lang
                .pick(
                    "the appointment does not fit inside the working hours",
                    "o atendimento não cabe no horário de trabalho",
                )
                .to_owned(),
            Reason::OffStep {
                window_start,
                step_minutes,
            } => match lang {
                Lang::En => format!("starts are offered every {step_minutes} minutes from {window_start:?}"),
                Lang::PtBr => format!(
                    "os horários são oferecidos a cada {step_minutes} minutos a partir de {window_start:?}"
                ),
            },
            Reason::TooSoon { earliest } => match lang {
                Lang::En => format!("sooner than the minimum notice allows; the earliest start is {earliest:?}"),
                Lang::PtBr => format!(
                    "antes da antecedência mínima; o início mais cedo possível é {earliest:?}"
                ),
            },
            Reason::BeyondHorizon { limit } => match lang {
                Lang::En => format!("beyond the booking horizon, which ends at {limit:?}"),
                Lang::PtBr => format!("além do horizonte de agendamento, que termina em {limit:?}"),
            },
            Reason::Blocked { blocks } => {
                format!("{} {}", lang.pick("blocked by", "bloqueado por"), join(blocks))
            }
            Reason::AtCapacity { bookings, capacity } => match lang {
                Lang::En => format!(
                    "fully booked: {} already take {capacity} place(s)",
                    join(bookings)
                ),
                Lang::PtBr => format!(
                    "agenda cheia: {} já ocupam {capacity} vaga(s)",
                    join(bookings)
                ),
            },
            Reason::DailyLimit {
                date,
                bookings,
                limit,
            } => match lang {
                Lang::En => format!(
                    "already {bookings} booking(s) on {date}; the daily limit is {limit}"
                ),
                Lang::PtBr => format!(
                    "já há {bookings} agendamento(s) em {date}; o limite diário é {limit}"
                ),
            },
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl SlotSearch {
    /// Says, for each professional, whether `start` is free and every rule
    /// that removed it if not, and whether the search answers it.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::{Reason, SlotQuery};
    ///
    /// let query = SlotQuery::from_json(r#"{
    ///     "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-02",
    ///     "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
    ///     "staff": [{ "id": "ana", "weekly": { "mon": [["09:00", "12:00"]] },
    ///         "blocks": [{ "id": "dentist", "start": "2026-03-02T12:00:00Z", "end": "2026-03-02T13:00:00Z" }] }]
    /// }"#)?;
    /// let why = query.to_search()?.explain("2026-03-02T12:30:00Z".parse().unwrap());
    /// assert!(!why.answered());
    /// assert_eq!(why.staff()[0].reasons()[0].to_string(), "blocked by dentist");
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn explain(&self, start: DateTime<Utc>) -> Explanation {
        let bounds = self.bounds();
        let at = floor_micros(start);
        let staff: Vec<StaffVerdict> = self
            .staff()
            .iter()
            .map(|staff| {
                let reasons = self.reasons(staff, &bounds, at);
                StaffVerdict {
                    id: staff.key().clone(),
                    free: reasons.is_empty(),
                    reasons,
                }
            })
            .collect();
        let answered = match self.mode() {
            Mode::Any => staff.iter().any(|v| v.free),
            Mode::All => staff.iter().all(|v| v.free),
        };
        Explanation {
            start: to_utc(at),
            end: to_utc(at.saturating_add(bounds.duration)),
            answered,
            staff,
        }
    }

    fn reasons(&self, staff: &StaffCalendar, bounds: &Bounds, start: i64) -> Vec<Reason> {
        let mut reasons = Vec::new();
        let appointment = Span::after(start, bounds.duration);
        reasons.extend(self.hours_reason(staff, bounds, appointment));
        if start < bounds.earliest {
            reasons.push(Reason::TooSoon {
                earliest: to_utc(bounds.earliest),
            });
        }
        if start >= bounds.latest {
            reasons.push(Reason::BeyondHorizon {
                limit: to_utc(bounds.latest),
            });
        }
        let held = held_span(appointment, self.rules().buffers());
        let blocks: Vec<BlockKey> = staff
            .blocks_meeting(held)
            .map(|b| b.key().clone())
            .collect();
        if !blocks.is_empty() {
            reasons.push(Reason::Blocked { blocks });
        }
        let bookings: Vec<BookingKey> = staff
            .bookings_meeting(held)
            .map(|b| b.key().clone())
            .collect();
        if bookings.len() >= staff.capacity() as usize {
            reasons.push(Reason::AtCapacity {
                bookings,
                capacity: staff.capacity(),
            });
        }
        if let Some(limit) = self.rules().daily_limit() {
            let date = staff.local_date(start);
            let counts = DailyCounts::new(staff, limit);
            if counts.is_full(date) {
                reasons.push(Reason::DailyLimit {
                    date,
                    bookings: u32::try_from(counts.count(date)).unwrap_or(u32::MAX),
                    limit,
                });
            }
        }
        reasons
    }

    /// Whether the appointment is a candidate of the search: inside a
    /// working window of a date searched, on that window's step grid.
    fn hours_reason(
        &self,
        staff: &StaffCalendar,
        bounds: &Bounds,
        appointment: Span,
    ) -> Option<Reason> {
        let start = appointment.start_micros();
        let mut off_step = None;
        let mut other_date = false;
        for (date, window) in staff.windows_around(start, appointment.end_micros()) {
            if !window.contains(&appointment) {
                continue;
            }
            if !self.range().contains(date) {
                other_date = true;
            } else if (start - window.start_micros()) % bounds.step == 0 {
                return None;
            } else {
                off_step = Some(window.start());
            }
        }
        Some(match (off_step, other_date) {
            (Some(window_start), _) => Reason::OffStep {
                window_start,
                step_minutes: self.rules().step_minutes(),
            },
            (None, true) => Reason::OutsideDateRange {
                from: self.range().from(),
                to: self.range().to(),
            },
            (None, false) => Reason::OutsideWorkingHours,
        })
    }
}
