//! The rules of a slot search: what is booked, how starts are spaced, how
//! far ahead, and over which dates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Problem};

/// The longest service and the largest step, in minutes: one week.
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;
/// The longest buffer before or after a service, in minutes: one day.
pub const MAX_BUFFER_MINUTES: u32 = 24 * 60;
/// The longest minimum notice, in minutes: 366 days.
pub const MAX_NOTICE_MINUTES: u32 = 366 * 24 * 60;
/// The furthest horizon, in days: about ten years.
pub const MAX_HORIZON_DAYS: u32 = 3660;
/// The largest daily limit.
pub const MAX_DAILY_LIMIT: u32 = 100_000;
/// The most dates one search may cover.
pub const MAX_RANGE_DAYS: i64 = 400;

/// How long a service takes and the time it keeps free around itself.
///
/// Buffers widen the time a booking holds (cleaning the chair, travelling to
/// the next pool) without changing the appointment the client sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Buffers {
    before: u32,
    after: u32,
}

impl Buffers {
    /// No buffer on either side.
    pub const NONE: Buffers = Buffers {
        before: 0,
        after: 0,
    };

    /// Buffers of `before` and `after` minutes.
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::AboveMaximum`] for the field
    /// `buffer_before_minutes` or `buffer_after_minutes` past
    /// [`MAX_BUFFER_MINUTES`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::Buffers;
    /// let buffers = Buffers::new(0, 15)?;
    /// assert_eq!(buffers.after_minutes(), 15);
    /// assert!(Buffers::new(0, 2000).is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(before_minutes: u32, after_minutes: u32) -> Result<Buffers, Error> {
        at_most("buffer_before_minutes", before_minutes, MAX_BUFFER_MINUTES)?;
        at_most("buffer_after_minutes", after_minutes, MAX_BUFFER_MINUTES)?;
        Ok(Buffers {
            before: before_minutes,
            after: after_minutes,
        })
    }

    /// Minutes kept free before the service.
    pub fn before_minutes(&self) -> u32 {
        self.before
    }

    /// Minutes kept free after the service.
    pub fn after_minutes(&self) -> u32 {
        self.after
    }
}

/// What a slot search looks for: a service's duration and buffers, the step
/// between candidate starts, and the booking window rules (R17).
///
/// # Example
/// ```
/// use agendo_core::availability::{Buffers, SlotRules};
/// let rules = SlotRules::new(45)?
///     .with_step(15)?
///     .with_buffers(Buffers::new(0, 10)?)
///     .with_min_notice(120)?
///     .with_horizon_days(Some(60))?
///     .with_daily_limit(Some(8))?;
/// assert_eq!(rules.step_minutes(), 15);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlotRules {
    duration: u32,
    step: u32,
    buffers: Buffers,
    min_notice: u32,
    horizon_days: Option<u32>,
    daily_limit: Option<u32>,
}

impl SlotRules {
    /// Rules for a service of `duration_minutes`, with starts stepping by the
    /// duration, no buffers, no notice, no horizon and no daily limit.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `duration_minutes` below 1 or past
    /// [`MAX_DURATION_MINUTES`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::SlotRules;
    /// assert_eq!(SlotRules::new(45)?.step_minutes(), 45);
    /// assert_eq!(SlotRules::new(0).unwrap_err().field(), Some("duration_minutes"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(duration_minutes: u32) -> Result<SlotRules, Error> {
        positive("duration_minutes", duration_minutes, MAX_DURATION_MINUTES)?;
        Ok(SlotRules {
            duration: duration_minutes,
            step: duration_minutes,
            buffers: Buffers::NONE,
            min_notice: 0,
            horizon_days: None,
            daily_limit: None,
        })
    }

    /// The same rules with candidate starts `minutes` apart.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `step_minutes` below 1 or past
    /// [`MAX_DURATION_MINUTES`].
    pub fn with_step(self, minutes: u32) -> Result<SlotRules, Error> {
        positive("step_minutes", minutes, MAX_DURATION_MINUTES)?;
        Ok(SlotRules {
            step: minutes,
            ..self
        })
    }

    /// The same rules with `buffers` around the service.
    pub fn with_buffers(self, buffers: Buffers) -> SlotRules {
        SlotRules { buffers, ..self }
    }

    /// The same rules with starts at least `minutes` after now.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `min_notice_minutes` past [`MAX_NOTICE_MINUTES`].
    pub fn with_min_notice(self, minutes: u32) -> Result<SlotRules, Error> {
        at_most("min_notice_minutes", minutes, MAX_NOTICE_MINUTES)?;
        Ok(SlotRules {
            min_notice: minutes,
            ..self
        })
    }

    /// The same rules with starts before now plus `days` days of 24 hours,
    /// or no horizon for `None`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `horizon_days` past [`MAX_HORIZON_DAYS`].
    pub fn with_horizon_days(self, days: Option<u32>) -> Result<SlotRules, Error> {
        if let Some(days) = days {
            at_most("horizon_days", days, MAX_HORIZON_DAYS)?;
        }
        Ok(SlotRules {
            horizon_days: days,
            ..self
        })
    }

    /// The same rules with at most `limit` bookings starting on one local
    /// date per professional, or no limit for `None`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `daily_limit` past [`MAX_DAILY_LIMIT`].
    pub fn with_daily_limit(self, limit: Option<u32>) -> Result<SlotRules, Error> {
        if let Some(limit) = limit {
            at_most("daily_limit", limit, MAX_DAILY_LIMIT)?;
        }
        Ok(SlotRules {
            daily_limit: limit,
            ..self
        })
    }

    /// How long the service takes, in minutes.
    pub fn duration_minutes(&self) -> u32 {
        self.duration
    }

    /// Minutes between candidate starts.
    pub fn step_minutes(&self) -> u32 {
        self.step
    }

    /// The buffers around the service.
    pub fn buffers(&self) -> Buffers {
        self.buffers
    }

    /// The least time between now and a start, in minutes.
    pub fn min_notice_minutes(&self) -> u32 {
        self.min_notice
    }

    /// How many days ahead starts may be, if limited.
    pub fn horizon_days(&self) -> Option<u32> {
        self.horizon_days
    }

    /// The most bookings starting on one local date, if limited.
    pub fn daily_limit(&self) -> Option<u32> {
        self.daily_limit
    }
}

/// How several professionals combine in one search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One of them: a start is answered when at least one is free, listing
    /// every one who is ("any barber").
    #[default]
    Any,
    /// All of them together: a start is answered only when every one is free
    /// ("the aesthetician and the laser room").
    All,
}

/// The local dates a search covers, `from` to `to` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateRange {
    /// The dates from `from` to `to`, both included.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `to` with [`Problem::RangeReversed`]
    /// when `to` is before `from`, or [`Problem::RangeTooLong`] when the range
    /// covers more than [`MAX_RANGE_DAYS`] dates; for `from` or `to` with
    /// [`Problem::OutsideSupportedYears`] outside the years the engine
    /// answers for.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::DateRange;
    /// use chrono::NaiveDate;
    /// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    /// assert_eq!(DateRange::new(d("2026-03-02"), d("2026-05-30"))?.days(), 90);
    /// assert!(DateRange::new(d("2026-03-02"), d("2026-03-01")).is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DateRange, Error> {
        crate::time::check_date(from, "from")?;
        crate::time::check_date(to, "to")?;
        if to < from {
            return Err(Error::invalid("to", Problem::RangeReversed { from, to }));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_RANGE_DAYS {
            return Err(Error::invalid(
                "to",
                Problem::RangeTooLong {
                    days,
                    max: MAX_RANGE_DAYS,
                },
            ));
        }
        Ok(DateRange { from, to })
    }

    /// The first date.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last date.
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// How many dates the range covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Whether `date` is in the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// The dates in order.
    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }
}

fn at_most(field: &str, value: u32, max: u32) -> Result<(), Error> {
    if value > max {
        return Err(Error::invalid(
            field,
            Problem::AboveMaximum {
                value: i64::from(value),
                max: i64::from(max),
            },
        ));
    }
    Ok(())
}

fn positive(field: &str, value: u32, max: u32) -> Result<(), Error> {
    if value == 0 {
        return Err(Error::invalid(
            field,
            Problem::BelowMinimum { value: 0, min: 1 },
        ));
    }
    at_most(field, value, max)
}

#[cfg(test)]
mod tests {
    use super::{DateRange, SlotRules, MAX_RANGE_DAYS};
    use chrono::NaiveDate;

    #[test]
    fn zero_duration_or_step_is_refused_naming_the_field() {
        assert_eq!(
            SlotRules::new(0).unwrap_err().field(),
            Some("duration_minutes")
        );
        let rules = SlotRules::new(30).unwrap();
        assert_eq!(rules.step_minutes(), 30);
        assert_eq!(
            rules.with_step(0).unwrap_err().field(),
            Some("step_minutes")
        );
    }

    #[test]
    fn range_of_400_dates_is_allowed_and_401_is_not() {
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let last_ok = from + chrono::Days::new(MAX_RANGE_DAYS as u64 - 1);
        assert_eq!(DateRange::new(from, last_ok).unwrap().days(), 400);
        let err = DateRange::new(from, last_ok.succ_opt().unwrap()).unwrap_err();
        assert!(err.to_string().contains("covers 401 days"), "{err}");
        assert_eq!(DateRange::new(from, from).unwrap().iter().count(), 1);
    }
}
