//! Instants as people read them: the local weekday, date and time in the
//! business's zone, never UTC.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::lang::Lang;

/// `at` as a person in `zone` reads it: `seg, 07/12 às 09:00` in pt-BR,
/// `Mon 7 Dec at 09:00` in English.
///
/// ```
/// use agendo_core::time::shown;
/// use agendo_core::Lang;
/// let at = "2026-12-07T12:00:00Z".parse().unwrap();
/// let zone = chrono_tz::America::Sao_Paulo;
/// assert_eq!(shown(at, zone, Lang::PtBr), "seg, 07/12 às 09:00");
/// assert_eq!(shown(at, zone, Lang::En), "Mon 7 Dec at 09:00");
/// ```
pub fn shown(at: DateTime<Utc>, zone: Tz, lang: Lang) -> String {
    let local = at.with_timezone(&zone);
    let (hour, minute) = (local.hour(), local.minute());
    match lang {
        Lang::PtBr => format!(
            "{}, {:02}/{:02} às {hour:02}:{minute:02}",
            weekday_pt(local.weekday()),
            local.day(),
            local.month()
        ),
        Lang::En => format!(
            "{} {} {} at {hour:02}:{minute:02}",
            local.weekday(),
            local.day(),
            MONTHS_EN[local.month0() as usize]
        ),
    }
}

/// A date as people write it: `07/12/2026` in pt-BR, `7 Dec 2026` in
/// English.
///
/// ```
/// use agendo_core::time::shown_date;
/// use agendo_core::Lang;
/// let date = "2026-12-07".parse().unwrap();
/// assert_eq!(shown_date(date, Lang::PtBr), "07/12/2026");
/// assert_eq!(shown_date(date, Lang::En), "7 Dec 2026");
/// ```
pub fn shown_date(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::PtBr => format!("{:02}/{:02}/{}", date.day(), date.month(), date.year()),
        Lang::En => format!(
            "{} {} {}",
            date.day(),
            MONTHS_EN[date.month0() as usize],
            date.year()
        ),
    }
}

/// A date's weekday and day of the month as a day picker shows them:
/// `("seg", "07/12")` in pt-BR, `("Mon", "7 Dec")` in English.
///
/// ```
/// use agendo_core::time::shown_day;
/// use agendo_core::Lang;
/// let date = "2026-12-07".parse().unwrap();
/// assert_eq!(shown_day(date, Lang::PtBr), ("seg", "07/12".to_owned()));
/// assert_eq!(shown_day(date, Lang::En), ("Mon", "7 Dec".to_owned()));
/// ```
pub fn shown_day(date: NaiveDate, lang: Lang) -> (&'static str, String) {
    match lang {
        Lang::PtBr => (
            weekday_pt(date.weekday()),
            format!("{:02}/{:02}", date.day(), date.month()),
        ),
        Lang::En => (
            WEEKDAYS_EN[date.weekday().num_days_from_monday() as usize],
            format!("{} {}", date.day(), MONTHS_EN[date.month0() as usize]),
        ),
    }
}

const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday_pt(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "seg",
        Weekday::Tue => "ter",
        Weekday::Wed => "qua",
        Weekday::Thu => "qui",
        Weekday::Fri => "sex",
        Weekday::Sat => "sáb",
        Weekday::Sun => "dom",
    }
}
