//! The query contract: the JSON form of a slot search.
//!
//! This is the one wire type that lives in `core`, because it *is* the
//! engine's public query format: the HTTP host, the Python and mobile
//! bindings and the `slots` example all read it, and other schedulers can be
//! compared with ours on exactly the same input. It is parsed in two stages:
//! serde reads the shape ([`SlotQuery::from_json`]), then
//! [`SlotQuery::to_search`] reads every value into the validated
//! [`SlotSearch`], naming the field of the first bad one.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc, Weekday};
use serde::{Deserialize, Deserializer, Serialize};

use super::answer::SlotAnswer;
use super::calendar::{Block, Booking, StaffCalendar};
use super::hours::{WeeklyHours, WorkingHours};
use super::keys::{BlockKey, BookingKey, StaffKey};
use super::rules::{Buffers, DateRange, Mode, SlotRules};
use super::search::{check_staff_count, SlotSearch};
use crate::error::{Error, Problem};
use crate::time::{parse_zone, Span, Window};

/// A slot search as JSON (R17).
///
/// ```json
/// { "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-05-30",
///   "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
///   "buffer_before_minutes": 0, "buffer_after_minutes": 0, "step_minutes": 30,
///   "min_notice_minutes": 0, "horizon_days": null, "daily_limit": null, "mode": "any",
///   "staff": [ { "id": "ana", "timezone": null,
///       "weekly": { "mon": [["09:00","12:00"],["13:00","18:00"]], "tue": [] },
///       "overrides": [ { "date": "2026-03-05", "windows": [] } ],
///       "blocks":   [ { "id": "b1", "start": "2026-03-03T15:00:00Z", "end": "2026-03-03T16:00:00Z" } ],
///       "bookings": [ { "id": "k1", "start": "2026-03-04T12:00:00Z", "end": "2026-03-04T12:30:00Z" } ],
///       "capacity": 1 } ] }
/// ```
///
/// `step_minutes` (default: the duration), the buffers, notice, horizon and
/// daily limit, `mode` (default `any`), a professional's `timezone` (default:
/// the top level's), `overrides`, `blocks`, `bookings` and `capacity`
/// (default 1) may be omitted or `null`; weekdays (`mon` … `sun`) left out are
/// closed. Unknown fields are refused, so a misspelt rule is an error rather
/// than silently ignored. Instants are RFC 3339 with an offset; dates
/// `YYYY-MM-DD`; times `HH:MM`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    /// The IANA zone of the professionals' hours, unless one has its own.
    pub timezone: String,
    /// The first local date searched, `YYYY-MM-DD`.
    pub from: String,
    /// The last local date searched, included.
    pub to: String,
    /// The instant the search is made at, RFC 3339.
    pub now: String,
    /// How long the service takes.
    pub duration_minutes: i64,
    /// Time kept free before the service.
    #[serde(default)]
    pub buffer_before_minutes: Option<i64>,
    /// Time kept free after the service.
    #[serde(default)]
    pub buffer_after_minutes: Option<i64>,
    /// Minutes between candidate starts; the duration if left out.
    #[serde(default)]
    pub step_minutes: Option<i64>,
    /// The least time between now and a start.
    #[serde(default)]
    pub min_notice_minutes: Option<i64>,
    /// How many days of 24 hours ahead of now starts may be.
    #[serde(default)]
    pub horizon_days: Option<i64>,
    /// The most bookings starting on one local date per professional.
    #[serde(default)]
    pub daily_limit: Option<i64>,
    /// `any` or `all`.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// The professionals.
    pub staff: Vec<StaffQuery>,
}

/// One professional of a [`SlotQuery`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffQuery {
    /// The caller's key, echoed in answers.
    pub id: String,
    /// The professional's own IANA zone, if not the query's.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Working windows per weekday.
    pub weekly: WeeklyQuery,
    /// Dated replacements of a day's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub overrides: Vec<OverrideQuery>,
    /// Time taken out of the hours.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub blocks: Vec<BusyQuery>,
    /// Existing bookings, by the time they hold (buffers included).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub bookings: Vec<BusyQuery>,
    /// How many bookings at once; 1 if left out.
    #[serde(default)]
    pub capacity: Option<i64>,
}

/// Working windows per weekday, each `["HH:MM", "HH:MM"]`; a day left out
/// is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyQuery {
    /// Monday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub mon: Vec<(String, String)>,
    /// Tuesday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tue: Vec<(String, String)>,
    /// Wednesday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub wed: Vec<(String, String)>,
    /// Thursday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub thu: Vec<(String, String)>,
    /// Friday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub fri: Vec<(String, String)>,
    /// Saturday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub sat: Vec<(String, String)>,
    /// Sunday's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub sun: Vec<(String, String)>,
}

/// A dated replacement of a day's windows; no window closes the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideQuery {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// The windows that hold on it.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub windows: Vec<(String, String)>,
}

/// A block or a booking: a key and a span of instants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusyQuery {
    /// The caller's key, echoed in explanations and conflicts.
    pub id: String,
    /// The first instant, RFC 3339.
    pub start: String,
    /// The first instant after, RFC 3339.
    pub end: String,
}

impl SlotQuery {
    /// Reads a query from JSON text.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] naming the path of the value that could not
    /// be read (`staff[0].capacity`, or `query` for the document itself), with
    /// the line and column: for broken JSON, a missing or unknown field, or a
    /// value of the wrong type.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::SlotQuery;
    /// let err = SlotQuery::from_json(r#"{"timezone": 3}"#).unwrap_err();
    /// assert_eq!(err.field(), Some("timezone"));
    /// ```
    pub fn from_json(text: &str) -> Result<SlotQuery, Error> {
        read_json(text)
    }

    /// Reads every value of the query into a validated [`SlotSearch`].
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the path of the first bad value, such as
    /// `staff[0].weekly.mon[1]` for a window that ends before it starts, with
    /// the problem: an unknown zone, a bad date, time or instant, `to` before
    /// `from`, a range over 400 days, a negative or out-of-range number, a
    /// repeated staff id or override date, or a query too large to answer.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::SlotQuery;
    /// let query = SlotQuery::from_json(r#"{
    ///     "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-02",
    ///     "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
    ///     "staff": [{ "id": "ana", "weekly": { "mon": [["09:00", "25:00"]] } }]
    /// }"#)?;
    /// let err = query.to_search().unwrap_err();
    /// assert_eq!(err.field(), Some("staff[0].weekly.mon[0][1]"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn to_search(&self) -> Result<SlotSearch, Error> {
        let head = self.head().read()?;
        // `SlotSearch::new` makes these two checks too; making them here
        // refuses an oversized list before reading it, and names the repeated
        // id by its index in the query.
        check_staff_count(self.staff.len())?;
        let mut staff = Vec::with_capacity(self.staff.len());
        for (i, member) in self.staff.iter().enumerate() {
            let path = format!("staff[{i}]");
            let calendar = member.to_calendar(head.zone, &path)?;
            add_staff(&mut staff, calendar, &path, &member.id)?;
        }
        head.search(staff)
    }

    fn head(&self) -> Head<'_> {
        Head {
            timezone: &self.timezone,
            from: &self.from,
            to: &self.to,
            now: &self.now,
            duration_minutes: self.duration_minutes,
            buffer_before_minutes: self.buffer_before_minutes,
            buffer_after_minutes: self.buffer_after_minutes,
            step_minutes: self.step_minutes,
            min_notice_minutes: self.min_notice_minutes,
            horizon_days: self.horizon_days,
            daily_limit: self.daily_limit,
            mode: self.mode,
        }
    }
}

/// The values of a query other than its professionals, as written: the
/// one reading of them for both readers of a query ([`SlotQuery::to_search`]
/// and [`SlotSearch::from_json`]).
pub(super) struct Head<'a> {
    pub(super) timezone: &'a str,
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) now: &'a str,
    pub(super) duration_minutes: i64,
    pub(super) buffer_before_minutes: Option<i64>,
    pub(super) buffer_after_minutes: Option<i64>,
    pub(super) step_minutes: Option<i64>,
    pub(super) min_notice_minutes: Option<i64>,
    pub(super) horizon_days: Option<i64>,
    pub(super) daily_limit: Option<i64>,
    pub(super) mode: Option<Mode>,
}

/// A [`Head`] read: what a search needs besides its professionals.
pub(super) struct ReadHead {
    pub(super) zone: chrono_tz::Tz,
    range: DateRange,
    now: DateTime<Utc>,
    rules: SlotRules,
    mode: Mode,
}

impl Head<'_> {
    /// Reads every value, naming the field of the first bad one.
    pub(super) fn read(&self) -> Result<ReadHead, Error> {
        let zone = parse_zone(self.timezone).map_err(|e| e.at("timezone"))?;
        let from = parse_date(self.from, "from")?;
        let to = parse_date(self.to, "to")?;
        let now = parse_instant(self.now, "now")?;
        let range = DateRange::new(from, to)?;

        let number = |value: Option<i64>, field: &str| value.map(|v| count(v, field)).transpose();
        let duration = count(self.duration_minutes, "duration_minutes")?;
        let mut rules = SlotRules::new(duration)?;
        if let Some(step) = number(self.step_minutes, "step_minutes")? {
            rules = rules.with_step(step)?;
        }
        let before = number(self.buffer_before_minutes, "buffer_before_minutes")?;
        let after = number(self.buffer_after_minutes, "buffer_after_minutes")?;
        let rules = rules
            .with_buffers(Buffers::new(before.unwrap_or(0), after.unwrap_or(0))?)
            .with_min_notice(number(self.min_notice_minutes, "min_notice_minutes")?.unwrap_or(0))?
            .with_horizon_days(number(self.horizon_days, "horizon_days")?)?
            .with_daily_limit(number(self.daily_limit, "daily_limit")?)?;
        Ok(ReadHead {
            zone,
            range,
            now,
            rules,
            mode: self.mode.unwrap_or_default(),
        })
    }
}

impl ReadHead {
    /// The search of these professionals.
    pub(super) fn search(self, staff: Vec<StaffCalendar>) -> Result<SlotSearch, Error> {
        SlotSearch::new(self.range, self.now, self.rules, self.mode, staff)
    }
}

/// Adds the calendar of the professional at `path`, refusing a repeated id.
pub(super) fn add_staff(
    staff: &mut Vec<StaffCalendar>,
    calendar: StaffCalendar,
    path: &str,
    id: &str,
) -> Result<(), Error> {
    if staff.iter().any(|s| s.key() == calendar.key()) {
        return Err(Error::invalid(
            format!("{path}.id"),
            Problem::Duplicate {
                value: id.to_owned(),
            },
        ));
    }
    staff.push(calendar);
    Ok(())
}

impl TryFrom<&SlotQuery> for SlotSearch {
    type Error = Error;

    fn try_from(query: &SlotQuery) -> Result<SlotSearch, Error> {
        query.to_search()
    }
}

/// Reads a query and answers it.
///
/// # Errors
/// As [`SlotQuery::to_search`].
///
/// # Example
/// ```
/// use agendo_core::availability::{find_slots, SlotQuery};
/// let query = SlotQuery::from_json(r#"{
///     "timezone": "Europe/London", "from": "2026-03-02", "to": "2026-03-02",
///     "now": "2026-03-01T12:00:00Z", "duration_minutes": 60,
///     "staff": [{ "id": "ana", "weekly": { "mon": [["09:00", "11:00"]] } }]
/// }"#)?;
/// assert_eq!(find_slots(&query)?.len(), 2);
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn find_slots(query: &SlotQuery) -> Result<SlotAnswer, Error> {
    Ok(query.to_search()?.find_slots())
}

impl StaffQuery {
    fn to_calendar(&self, default_zone: chrono_tz::Tz, path: &str) -> Result<StaffCalendar, Error> {
        let (key, zone) =
            staff_key_and_zone(&self.id, self.timezone.as_deref(), default_zone, path)?;
        let hours = read_hours(
            self.weekly.days(),
            self.overrides.iter().map(OverrideQuery::parts),
            &format!("{path}."),
        )?;
        let blocks = parse_busy(&self.blocks, &format!("{path}.blocks"), |key, span| {
            Ok(Block::new(BlockKey::parse(key)?, span))
        })?;
        let bookings = parse_busy(&self.bookings, &format!("{path}.bookings"), |key, span| {
            Ok(Booking::new(BookingKey::parse(key)?, span))
        })?;
        staff_calendar(key, zone, hours, blocks, bookings, self.capacity, path)
    }
}

/// A professional's key and zone (the query's unless they name their own).
pub(super) fn staff_key_and_zone(
    id: &str,
    timezone: Option<&str>,
    default_zone: chrono_tz::Tz,
    path: &str,
) -> Result<(StaffKey, chrono_tz::Tz), Error> {
    let key = StaffKey::parse(id).map_err(|e| e.at(format!("{path}.id")))?;
    let zone = match timezone {
        Some(name) => parse_zone(name).map_err(|e| e.at(format!("{path}.timezone")))?,
        None => default_zone,
    };
    Ok((key, zone))
}

/// A professional's calendar from the values read, with their capacity.
pub(super) fn staff_calendar(
    key: StaffKey,
    zone: chrono_tz::Tz,
    hours: WorkingHours,
    blocks: Vec<Block>,
    bookings: Vec<Booking>,
    capacity: Option<i64>,
    path: &str,
) -> Result<StaffCalendar, Error> {
    let capacity = match capacity {
        Some(capacity) => count(capacity, &format!("{path}.capacity"))?,
        None => 1,
    };
    StaffCalendar::new(key, zone, hours)
        .with_blocks(blocks)
        .with_bookings(bookings)
        .with_capacity(capacity)
        .map_err(|e| e.at(format!("{path}.capacity")))
}

/// A professional's working hours as JSON: the weekly windows and the
/// dated overrides, in the shape of the slot query's `weekly` and
/// `overrides` (`{"weekly":{"mon":[["09:00","12:00"]]},"overrides":[]}`).
/// Hosts use it to read and write stored hours.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursQuery {
    /// Working windows per weekday.
    #[serde(default)]
    pub weekly: WeeklyQuery,
    /// Dated replacements of a day's windows.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub overrides: Vec<OverrideQuery>,
}

impl HoursQuery {
    /// Reads the hours, naming a bad value by its path (`weekly.mon[1]`).
    ///
    /// # Errors
    /// [`Error::Invalid`] for the first bad window, date or repeated date.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::HoursQuery;
    /// let hours: HoursQuery = serde_json::from_str(r#"{"weekly":{"mon":[["09:00","12:00"]]}}"#).unwrap();
    /// assert_eq!(hours.to_hours()?.weekly().day(chrono::Weekday::Mon).len(), 1);
    /// let bad: HoursQuery = serde_json::from_str(r#"{"weekly":{"tue":[["12:00","09:00"]]}}"#).unwrap();
    /// assert_eq!(bad.to_hours().unwrap_err().field(), Some("weekly.tue[0]"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn to_hours(&self) -> Result<WorkingHours, Error> {
        read_hours(
            self.weekly.days(),
            self.overrides.iter().map(OverrideQuery::parts),
            "",
        )
    }

    /// Reads the hours' shape from JSON text (the values are checked by
    /// [`HoursQuery::to_hours`]).
    ///
    /// # Errors
    /// [`Error::MalformedJson`] naming the path of the value that could not
    /// be read, such as `weekly.mon` or `weekly.funday` for an unknown day.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::HoursQuery;
    /// let err = HoursQuery::from_json(r#"{"weekly":{"funday":[]}}"#).unwrap_err();
    /// assert_eq!(err.field(), Some("weekly.funday"));
    /// ```
    pub fn from_json(text: &str) -> Result<HoursQuery, Error> {
        read_json(text)
    }
}

impl From<&WorkingHours> for HoursQuery {
    fn from(hours: &WorkingHours) -> HoursQuery {
        let windows = |windows: &[Window]| -> Vec<(String, String)> {
            windows
                .iter()
                .map(|w| (w.start().to_string(), w.end().to_string()))
                .collect()
        };
        let mut weekly = WeeklyQuery::default();
        for (day, list) in hours.weekly().days() {
            *weekly.day_mut(day) = windows(list);
        }
        HoursQuery {
            weekly,
            overrides: hours
                .overrides()
                .map(|(date, w)| OverrideQuery {
                    date: date.to_string(),
                    windows: windows(w),
                })
                .collect(),
        }
    }
}

/// Reads weekly windows and overrides, paths starting with `prefix`.
pub(super) fn read_hours<'q, S: AsRef<str> + 'q>(
    weekly: [(Weekday, &'q [(S, S)]); 7],
    overrides: impl IntoIterator<Item = (&'q str, &'q [(S, S)])>,
    prefix: &str,
) -> Result<WorkingHours, Error> {
    let mut week = WeeklyHours::closed();
    for (day, windows) in weekly {
        if windows.is_empty() {
            continue;
        }
        let day_path = || format!("{prefix}weekly.{}", crate::time::weekday_name(day));
        let windows = parse_windows(windows, &day_path)?;
        week = week.with_day(day, windows).map_err(|e| e.at(day_path()))?;
    }
    let mut hours = WorkingHours::new(week);
    for (k, (date, windows)) in overrides.into_iter().enumerate() {
        let o_path = || format!("{prefix}overrides[{k}]");
        let date =
            crate::time::read_date(date, "date").map_err(|e| e.at(format!("{}.date", o_path())))?;
        let windows_path = || format!("{}.windows", o_path());
        let windows = parse_windows(windows, &windows_path)?;
        hours = hours.with_override(date, windows).map_err(|e| match e {
            Error::Invalid {
                problem: Problem::Duplicate { .. },
                ..
            } => e.at(format!("{}.date", o_path())),
            e => e.at(windows_path()),
        })?;
    }
    Ok(hours)
}

impl OverrideQuery {
    fn parts(&self) -> (&str, &[(String, String)]) {
        (&self.date, &self.windows)
    }
}

impl WeeklyQuery {
    pub(super) fn days(&self) -> [(Weekday, &[(String, String)]); 7] {
        [
            (Weekday::Mon, &self.mon),
            (Weekday::Tue, &self.tue),
            (Weekday::Wed, &self.wed),
            (Weekday::Thu, &self.thu),
            (Weekday::Fri, &self.fri),
            (Weekday::Sat, &self.sat),
            (Weekday::Sun, &self.sun),
        ]
    }

    fn day_mut(&mut self, day: Weekday) -> &mut Vec<(String, String)> {
        match day {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }
}

/// The query that reads back into `search`: for writing a search built in
/// code as JSON, to log it or to give it to another scheduler.
impl From<&SlotSearch> for SlotQuery {
    fn from(search: &SlotSearch) -> SlotQuery {
        let zone = search.staff().first().map(StaffCalendar::zone);
        let rules = search.rules();
        let instant = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let windows = |windows: &[Window]| -> Vec<(String, String)> {
            windows
                .iter()
                .map(|w| (w.start().to_string(), w.end().to_string()))
                .collect()
        };
        let busy = |key: &str, span: Span| BusyQuery {
            id: key.to_owned(),
            start: instant(span.start()),
            end: instant(span.end()),
        };
        let staff = search
            .staff()
            .iter()
            .map(|s| {
                let mut weekly = WeeklyQuery::default();
                for (day, hours) in s.hours().weekly().days() {
                    *weekly.day_mut(day) = windows(hours);
                }
                StaffQuery {
                    id: s.key().to_string(),
                    timezone: (Some(s.zone()) != zone).then(|| s.zone().name().to_owned()),
                    weekly,
                    overrides: s
                        .hours()
                        .overrides()
                        .map(|(date, w)| OverrideQuery {
                            date: date.to_string(),
                            windows: windows(w),
                        })
                        .collect(),
                    blocks: s
                        .blocks()
                        .iter()
                        .map(|b| busy(b.key().as_str(), b.span()))
                        .collect(),
                    bookings: s
                        .bookings()
                        .iter()
                        .map(|b| busy(b.key().as_str(), b.span()))
                        .collect(),
                    capacity: Some(i64::from(s.capacity())),
                }
            })
            .collect();
        SlotQuery {
            timezone: zone.map_or("UTC", |z| z.name()).to_owned(),
            from: search.range().from().to_string(),
            to: search.range().to().to_string(),
            now: instant(search.now()),
            duration_minutes: i64::from(rules.duration_minutes()),
            buffer_before_minutes: Some(i64::from(rules.buffers().before_minutes())),
            buffer_after_minutes: Some(i64::from(rules.buffers().after_minutes())),
            step_minutes: Some(i64::from(rules.step_minutes())),
            min_notice_minutes: Some(i64::from(rules.min_notice_minutes())),
            horizon_days: rules.horizon_days().map(i64::from),
            daily_limit: rules.daily_limit().map(i64::from),
            mode: Some(search.mode()),
            staff,
        }
    }
}

fn parse_windows<S: AsRef<str>>(
    windows: &[(S, S)],
    path: &dyn Fn() -> String,
) -> Result<Vec<Window>, Error> {
    // The path is written only for an error, as in `parse_busy`.
    windows
        .iter()
        .enumerate()
        .map(|(j, (start, end))| {
            let at = |k: usize| move |e: Error| e.at(format!("{}[{j}][{k}]", path()));
            let start = start.as_ref().parse().map_err(at(0))?;
            let end = end.as_ref().parse().map_err(at(1))?;
            Window::new(start, end).map_err(|e| e.at(format!("{}[{j}]", path())))
        })
        .collect()
}

fn parse_busy<T>(
    items: &[BusyQuery],
    path: &str,
    build: impl Fn(&str, Span) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    // Paths are written only for an error: a query may hold thousands of
    // bookings, and formatting three paths for each would cost more than
    // reading them.
    items
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let at = |field: &'static str| move |e: Error| e.at(format!("{path}[{k}].{field}"));
            let start = read_instant(&item.start).map_err(at("start"))?;
            let end = read_instant(&item.end).map_err(at("end"))?;
            let span = Span::new(start, end).map_err(at("end"))?;
            build(&item.id, span).map_err(at("id"))
        })
        .collect()
}

/// Reads a non-negative count or number of minutes into a `u32`.
fn count(value: i64, field: &str) -> Result<u32, Error> {
    if value < 0 {
        return Err(Error::invalid(field, Problem::Negative { value }));
    }
    u32::try_from(value).map_err(|_| {
        Error::invalid(
            field,
            Problem::AboveMaximum {
                value,
                max: i64::from(u32::MAX),
            },
        )
    })
}

fn parse_date(text: &str, field: &str) -> Result<NaiveDate, Error> {
    crate::time::read_date(text, field)
}

fn parse_instant(text: &str, field: &str) -> Result<DateTime<Utc>, Error> {
    crate::time::read_instant(text, field)
}

/// Reads an RFC 3339 instant; the error's field is `instant` until the
/// caller names it.
fn read_instant(text: &str) -> Result<DateTime<Utc>, Error> {
    crate::time::read_instant(text, "instant")
}

/// Reads JSON `null` as an empty list: clients that write every field send
/// `null` for "none".
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads `text` again, tracking the path, to name where it fails.
/// Reads a JSON document of the engine's contract shapes. Tracking the path
/// costs on every value read, so the text is read without it; only a text
/// that fails is read again to learn where.
///
/// # Errors
/// [`Error::MalformedJson`] naming the path of the value that could not be
/// read (`query` for the document itself), with the line and column.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text)
        .map_err(|err| locate_json_error::<T>(text).unwrap_or_else(|| json_error(".", &err)))
}

fn locate_json_error<T: serde::de::DeserializeOwned>(text: &str) -> Option<Error> {
    let mut reader = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut reader) {
        Err(err) => Some(json_error(&err.path().to_string(), err.inner())),
        Ok(_) => reader.end().err().map(|err| json_error(".", &err)),
    }
}

fn json_error(path: &str, err: &serde_json::Error) -> Error {
    // serde_path_to_error writes `.` for the document and `?` where the
    // reader stopped before knowing the key.
    let field = match path {
        "" | "." | "?" => "query".to_owned(),
        path => path.to_owned(),
    };
    // serde_json appends the position to its message; it is kept apart.
    let message = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let detail = message.strip_suffix(&suffix).unwrap_or(&message).to_owned();
    Error::MalformedJson {
        field,
        detail,
        line: err.line(),
        column: err.column(),
    }
}
