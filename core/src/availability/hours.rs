//! Working hours: the recurring week and its dated overrides (R15, R16).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::error::{Error, Problem};
use crate::time::Window;

/// The most windows one day may have. A day of 48 half-hour windows is
/// already more than any schedule needs; the limit bounds the work per day.
pub const MAX_WINDOWS_PER_DAY: usize = 48;

/// A professional's recurring week: working windows for each weekday, in local
/// wall-clock time (R15). A day with no window is closed.
///
/// Windows may overlap or touch; they are merged when turned into instants.
///
/// # Example
/// ```
/// use agendo_core::availability::WeeklyHours;
/// use agendo_core::time::Window;
/// use chrono::Weekday;
///
/// let week = WeeklyHours::closed().with_day(
///     Weekday::Mon,
///     [Window::parse("09:00", "12:00")?, Window::parse("13:00", "18:00")?],
/// )?;
/// assert_eq!(week.day(Weekday::Mon).len(), 2);
/// assert!(week.day(Weekday::Tue).is_empty());
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeeklyHours {
    days: [Vec<Window>; 7],
}

impl WeeklyHours {
    /// A week closed every day.
    pub fn closed() -> WeeklyHours {
        WeeklyHours::default()
    }

    /// The same week with `day`'s windows replaced by `windows`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::TooMany`] past
    /// [`MAX_WINDOWS_PER_DAY`] windows.
    pub fn with_day(
        mut self,
        day: Weekday,
        windows: impl IntoIterator<Item = Window>,
    ) -> Result<WeeklyHours, Error> {
        self.days[day.num_days_from_monday() as usize] = day_windows(windows)?;
        Ok(self)
    }

    /// The windows of `day`, sorted by start.
    pub fn day(&self, day: Weekday) -> &[Window] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// Each weekday, Monday first, with its windows.
    pub fn days(&self) -> impl Iterator<Item = (Weekday, &[Window])> {
        std::iter::successors(Some(Weekday::Mon), |d| Some(d.succ()))
            .zip(&self.days)
            .map(|(day, windows)| (day, windows.as_slice()))
    }
}

/// A professional's working hours: the recurring week, and dated overrides
/// that replace a day's windows (R16). An override with no window closes the
/// day: a holiday, a day off.
///
/// # Example
/// ```
/// use agendo_core::availability::{WeeklyHours, WorkingHours};
/// use agendo_core::time::Window;
/// use chrono::{NaiveDate, Weekday};
///
/// let week = WeeklyHours::closed().with_day(Weekday::Thu, [Window::parse("09:00", "18:00")?])?;
/// let carnival = NaiveDate::from_ymd_opt(2026, 2, 19).unwrap(); // a Thursday
/// let hours = WorkingHours::new(week).with_override(carnival, [])?;
/// assert!(hours.windows_on(carnival).is_empty());
/// assert_eq!(hours.windows_on(carnival + chrono::Days::new(7)).len(), 1);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkingHours {
    weekly: WeeklyHours,
    overrides: BTreeMap<NaiveDate, Vec<Window>>,
}

impl WorkingHours {
    /// Working hours that follow `weekly` on every date.
    pub fn new(weekly: WeeklyHours) -> WorkingHours {
        WorkingHours {
            weekly,
            overrides: BTreeMap::new(),
        }
    }

    /// The same hours with `date`'s windows replaced by `windows`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::Duplicate`] when `date` already has
    /// an override (two overrides for one date would leave it unclear which
    /// holds), or [`Problem::TooMany`] past [`MAX_WINDOWS_PER_DAY`] windows.
    pub fn with_override(
        mut self,
        date: NaiveDate,
        windows: impl IntoIterator<Item = Window>,
    ) -> Result<WorkingHours, Error> {
        let windows = day_windows(windows)?;
        if self.overrides.contains_key(&date) {
            return Err(Error::invalid(
                "date",
                Problem::Duplicate {
                    value: date.to_string(),
                },
            ));
        }
        self.overrides.insert(date, windows);
        Ok(self)
    }

    /// The recurring week.
    pub fn weekly(&self) -> &WeeklyHours {
        &self.weekly
    }

    /// The dated overrides, in date order.
    pub fn overrides(&self) -> impl Iterator<Item = (NaiveDate, &[Window])> {
        self.overrides.iter().map(|(d, w)| (*d, w.as_slice()))
    }

    /// The windows that hold on `date`: its override if it has one, else its
    /// weekday's windows.
    pub fn windows_on(&self, date: NaiveDate) -> &[Window] {
        match self.overrides.get(&date) {
            Some(windows) => windows,
            None => self.weekly.day(date.weekday()),
        }
    }

    /// The most windows any one day can have under these hours.
    pub(crate) fn max_windows_per_day(&self) -> usize {
        let weekly = self.weekly.days.iter().map(Vec::len);
        let overrides = self.overrides.values().map(Vec::len);
        weekly.chain(overrides).max().unwrap_or(0)
    }
}

fn day_windows(windows: impl IntoIterator<Item = Window>) -> Result<Vec<Window>, Error> {
    let mut windows: Vec<Window> = windows.into_iter().collect();
    if windows.len() > MAX_WINDOWS_PER_DAY {
        return Err(Error::invalid(
            "windows",
            Problem::TooMany {
                count: windows.len(),
                max: MAX_WINDOWS_PER_DAY,
            },
        ));
    }
    windows.sort_unstable();
    Ok(windows)
}
