//! Wall-clock times of day and working windows, as a person writes them.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::{Error, Problem};

/// A time of day on a wall clock, `HH:MM`, from `00:00` to `24:00`.
///
/// `24:00` is the midnight that ends a day, so a window can run to the end of
/// the day: on a date `d` it means `00:00` of `d + 1`. There are no seconds:
/// working hours are written in minutes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WallTime {
    minutes: u16,
}

impl WallTime {
    /// `00:00`, the midnight that starts a day.
    pub const MIDNIGHT: WallTime = WallTime { minutes: 0 };

    /// `24:00`, the midnight that ends a day.
    pub const END_OF_DAY: WallTime = WallTime { minutes: 24 * 60 };

    /// The time `hour:minute`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::BadTime`] unless `hour` is 0 to 23
    /// and `minute` 0 to 59, or the time is exactly `24:00`.
    ///
    /// # Example
    /// ```
    /// use agendo_core::time::WallTime;
    /// assert_eq!(WallTime::new(9, 30)?.to_string(), "09:30");
    /// assert_eq!(WallTime::new(24, 0)?, WallTime::END_OF_DAY);
    /// assert!(WallTime::new(24, 1).is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(hour: u8, minute: u8) -> Result<WallTime, Error> {
        if minute > 59 || hour > 24 || (hour == 24 && minute != 0) {
            return Err(Error::invalid(
                "time",
                Problem::BadTime {
                    value: format!("{hour:02}:{minute:02}"),
                },
            ));
        }
        Ok(WallTime {
            minutes: u16::from(hour) * 60 + u16::from(minute),
        })
    }

    /// Reads a time written exactly as `HH:MM`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::BadTime`] for anything else:
    /// `9:00`, `09:00:00`, `25:00`, `24:30`.
    ///
    /// # Example
    /// ```
    /// use agendo_core::time::WallTime;
    /// assert_eq!(WallTime::parse("24:00")?, WallTime::END_OF_DAY);
    /// assert!(WallTime::parse("25:00").is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<WallTime, Error> {
        let bad = || {
            Error::invalid(
                "time",
                Problem::BadTime {
                    value: text.to_owned(),
                },
            )
        };
        let &[h1, h2, b':', m1, m2] = text.as_bytes() else {
            return Err(bad());
        };
        let digit = |b: u8| b.is_ascii_digit().then(|| b - b'0');
        let (Some(h1), Some(h2), Some(m1), Some(m2)) = (digit(h1), digit(h2), digit(m1), digit(m2))
        else {
            return Err(bad());
        };
        WallTime::new(h1 * 10 + h2, m1 * 10 + m2).map_err(|_| bad())
    }

    /// Minutes since the midnight that starts the day, 0 to 1440.
    pub fn minutes_since_midnight(&self) -> u16 {
        self.minutes
    }

    /// This time on `date` as a local date and time; `24:00` is `00:00` of
    /// the next day. `None` only past the last date chrono can represent.
    pub fn on(&self, date: NaiveDate) -> Option<NaiveDateTime> {
        if *self == WallTime::END_OF_DAY {
            return date.succ_opt().map(|next| next.and_time(NaiveTime::MIN));
        }
        let time = NaiveTime::from_hms_opt(
            u32::from(self.minutes / 60),
            u32::from(self.minutes % 60),
            0,
        )?;
        Some(date.and_time(time))
    }
}

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl fmt::Debug for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for WallTime {
    type Err = Error;

    fn from_str(text: &str) -> Result<WallTime, Error> {
        WallTime::parse(text)
    }
}

/// A window of working time within one day, `[start, end)` in wall-clock
/// time, ending after it starts (R15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    start: WallTime,
    end: WallTime,
}

impl Window {
    /// The window from `start` to `end`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::WindowNotIncreasing`] when `end` is
    /// not after `start`. A window cannot cross midnight: write the night
    /// shift as `22:00–24:00` on one day and `00:00–06:00` on the next.
    ///
    /// # Example
    /// ```
    /// use agendo_core::time::{WallTime, Window};
    /// let morning = Window::new(WallTime::parse("09:00")?, WallTime::parse("12:00")?)?;
    /// assert_eq!(morning.to_string(), "09:00-12:00");
    /// assert!(Window::new(WallTime::parse("12:00")?, WallTime::parse("09:00")?).is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(start: WallTime, end: WallTime) -> Result<Window, Error> {
        if end <= start {
            return Err(Error::invalid(
                "window",
                Problem::WindowNotIncreasing { start, end },
            ));
        }
        Ok(Window { start, end })
    }

    /// Reads a window from its two ends written as `HH:MM`.
    ///
    /// # Errors
    /// As [`WallTime::parse`] for each end, then as [`Window::new`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::time::Window;
    /// assert_eq!(Window::parse("13:00", "24:00")?.to_string(), "13:00-24:00");
    /// assert!(Window::parse("13:00", "25:00").is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(start: &str, end: &str) -> Result<Window, Error> {
        Window::new(WallTime::parse(start)?, WallTime::parse(end)?)
    }

    /// When the window starts.
    pub fn start(&self) -> WallTime {
        self.start
    }

    /// When the window ends.
    pub fn end(&self) -> WallTime {
        self.end
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::{WallTime, Window};
    use chrono::NaiveDate;

    #[test]
    fn only_hh_mm_from_midnight_to_24_00_parses() {
        for ok in ["00:00", "09:05", "23:59", "24:00"] {
            assert_eq!(WallTime::parse(ok).unwrap().to_string(), ok);
        }
        for bad in [
            "",
            "9:00",
            "09:0",
            "09:00:00",
            "25:00",
            "24:01",
            "12:60",
            "ab:cd",
            "-1:00",
            "09h00",
            "٠٩:٠٠",
        ] {
            assert!(WallTime::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn end_of_day_is_midnight_of_the_next_date() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(
            WallTime::END_OF_DAY.on(d).unwrap().to_string(),
            "2027-01-01 00:00:00"
        );
        assert_eq!(
            WallTime::parse("13:45").unwrap().on(d).unwrap().to_string(),
            "2026-12-31 13:45:00"
        );
    }

    #[test]
    fn window_must_end_after_it_starts() {
        assert!(Window::parse("09:00", "09:00").is_err());
        assert!(Window::parse("24:00", "24:00").is_err());
        assert!(Window::parse("00:00", "24:00").is_ok());
    }
}
