//! The one error type of `agendo-core`.
//!
//! Each variant is a cause and carries the values that explain it, so an
//! adapter can render its own message, map it to a status code through
//! [`Error::code`], or show the engine's message in the reader's language
//! through [`Error::message`]. `Display` is the English message: lowercase,
//! no final period, as the Rust API guidelines ask.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::availability::{BlockKey, BookingKey, StaffKey};
use crate::lang::Lang;
use crate::time::{Span, WallTime};

/// Everything that can go wrong in `agendo-core`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given to the engine is not acceptable.
    #[error("{field}: {problem}")]
    Invalid {
        /// Where the value is, as a path into the query: `staff[0].weekly.mon[1]`.
        field: String,
        /// What is wrong with it.
        problem: Problem,
    },

    /// A query is not JSON of the expected shape.
    #[error("{field}: {detail} (line {line}, column {column})")]
    MalformedJson {
        /// The path to the value that could not be read (`query` for the whole document).
        field: String,
        /// The JSON reader's description of the problem (English).
        detail: String,
        /// The line of the input where reading stopped, from 1.
        line: usize,
        /// The column of the input where reading stopped, from 1.
        column: usize,
    },

    /// A local time falls in a gap (clocks jumped forward over it) and the
    /// chosen [`Disambiguation`](crate::time::Disambiguation) rejects gaps.
    #[error("{local} does not exist in {zone}: clocks jump from offset {before} to {after}")]
    NonexistentLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone it was read in.
        zone: Tz,
        /// The offset in force just before the gap.
        before: FixedOffset,
        /// The offset in force just after the gap.
        after: FixedOffset,
    },

    /// A local time falls in a fold (clocks went back over it) and the chosen
    /// [`Disambiguation`](crate::time::Disambiguation) rejects folds.
    #[error("{local} is ambiguous in {zone}: it happens at offset {before} and again at {after}")]
    AmbiguousLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone it was read in.
        zone: Tz,
        /// The offset of the first occurrence.
        before: FixedOffset,
        /// The offset of the second occurrence.
        after: FixedOffset,
    },

    /// A local time cannot be turned into an instant the engine can represent.
    #[error("{local} in {zone} is outside the range of supported instants")]
    LocalTimeOutOfRange {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone it was read in.
        zone: Tz,
    },

    /// A requested booking does not lie inside the professional's working
    /// hours (R18).
    #[error("{staff} does not work the whole of {span}")]
    OutsideWorkingHours {
        /// The professional.
        staff: StaffKey,
        /// The appointment that was asked for.
        span: Span,
    },

    /// A requested booking meets one of the professional's blocks (R16, R18).
    #[error("{staff} is blocked by {block} during {span}")]
    Blocked {
        /// The professional.
        staff: StaffKey,
        /// The first block, in time order, that the booking meets.
        block: BlockKey,
        /// That block's span.
        span: Span,
    },

    /// A requested booking meets as many bookings as the professional can
    /// take at once (R18): the slot is taken.
    #[error(
        "{staff} is fully booked then: {} already take {capacity} place(s)",
        join(bookings)
    )]
    SlotTaken {
        /// The professional.
        staff: StaffKey,
        /// Every booking the requested time meets, in time order.
        bookings: Vec<BookingKey>,
        /// How many bookings the professional can take at once.
        capacity: u32,
    },
}

impl Error {
    /// Builds an [`Error::Invalid`] for `field`.
    pub(crate) fn invalid(field: impl Into<String>, problem: Problem) -> Error {
        Error::Invalid {
            field: field.into(),
            problem,
        }
    }

    /// Names the field an [`Error::Invalid`] is about, replacing the name it
    /// had: a constructor knows a value only as `end`, the query reader knows
    /// it as `staff[0].weekly.mon[1]`. Other errors are returned unchanged.
    pub(crate) fn at(self, path: impl Into<String>) -> Error {
        match self {
            Error::Invalid { problem, .. } => Error::Invalid {
                field: path.into(),
                problem,
            },
            other => other,
        }
    }

    /// The field an invalid value or malformed JSON is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } | Error::MalformedJson { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable, machine-readable name of the cause, for APIs and logs:
    /// `invalid_field`, `malformed_json`, `nonexistent_local_time`,
    /// `ambiguous_local_time`, `local_time_out_of_range`,
    /// `outside_working_hours`, `blocked` or `slot_taken`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_field",
            Error::MalformedJson { .. } => "malformed_json",
            Error::NonexistentLocalTime { .. } => "nonexistent_local_time",
            Error::AmbiguousLocalTime { .. } => "ambiguous_local_time",
            Error::LocalTimeOutOfRange { .. } => "local_time_out_of_range",
            Error::OutsideWorkingHours { .. } => "outside_working_hours",
            Error::Blocked { .. } => "blocked",
            Error::SlotTaken { .. } => "slot_taken",
        }
    }

    /// The message for a person reading `lang` (R57).
    ///
    /// # Example
    /// ```
    /// use agendo_core::{Lang, time::WallTime};
    /// let err = WallTime::parse("25:00").unwrap_err();
    /// assert!(err.message(Lang::En).contains("is not a time of day"));
    /// assert!(err.message(Lang::PtBr).contains("não é um horário"));
    /// ```
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Error::Invalid { field, problem } => {
                format!("{field}: {}", problem.message(lang))
            }
            Error::MalformedJson {
                field,
                detail,
                line,
                column,
            } => format!("{field}: JSON inválido: {detail} (linha {line}, coluna {column})"),
            Error::NonexistentLocalTime {
                local,
                zone,
                before,
                after,
            } => format!(
                "{local} não existe em {zone}: o relógio salta do deslocamento {before} para {after}"
            ),
            Error::AmbiguousLocalTime {
                local,
                zone,
                before,
                after,
            } => format!(
                "{local} é ambíguo em {zone}: acontece com o deslocamento {before} e de novo com {after}"
            ),
            Error::LocalTimeOutOfRange { local, zone } => {
                format!("{local} em {zone} está fora do intervalo de instantes suportado")
            }
            Error::OutsideWorkingHours { staff, span } => {
                format!("{staff} não trabalha durante todo o período {span}")
            }
            Error::Blocked { staff, block, span } => {
                format!("{staff} está bloqueado por {block} durante {span}")
            }
            Error::SlotTaken {
                staff,
                bookings,
                capacity,
            } => format!(
                "{staff} está com a agenda cheia nesse horário: {} já ocupam {capacity} vaga(s)",
                join(bookings)
            ),
        }
    }
}

/// What is wrong with a value, independent of where the value is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A text or a list that must have content is empty.
    #[error("must not be empty")]
    Empty,

    /// A text is longer than allowed.
    #[error("is {len} characters long; at most {max} are allowed")]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },

    /// A list has more entries than allowed.
    #[error("has {count} entries; at most {max} are allowed")]
    TooMany {
        /// How many entries it has.
        count: usize,
        /// The most allowed.
        max: usize,
    },

    /// A count or a number of minutes is negative.
    #[error("must not be negative, got {value}")]
    Negative {
        /// The value given.
        value: i64,
    },

    /// A number is smaller than the smallest allowed.
    #[error("must be at least {min}, got {value}")]
    BelowMinimum {
        /// The value given.
        value: i64,
        /// The smallest allowed.
        min: i64,
    },

    /// A number is larger than the largest allowed.
    #[error("must be at most {max}, got {value}")]
    AboveMaximum {
        /// The value given.
        value: i64,
        /// The largest allowed.
        max: i64,
    },

    /// A name is not an IANA time zone.
    #[error("unknown time zone \"{name}\" (expected an IANA name such as America/Sao_Paulo)")]
    UnknownZone {
        /// The name given.
        name: String,
    },

    /// A text is not a wall-clock time `HH:MM` between `00:00` and `24:00`.
    #[error("\"{value}\" is not a time of day (expected HH:MM from 00:00 to 24:00)")]
    BadTime {
        /// The text given.
        value: String,
    },

    /// A text is not a calendar date `YYYY-MM-DD` in years 1 to 9999.
    #[error("\"{value}\" is not a date (expected YYYY-MM-DD in years 1 to 9999)")]
    BadDate {
        /// The text given.
        value: String,
    },

    /// A text is not an RFC 3339 instant with an offset.
    #[error("\"{value}\" is not an RFC 3339 instant with an offset, such as 2026-03-01T12:00:00Z")]
    BadInstant {
        /// The text given.
        value: String,
    },

    /// A working window does not end after it starts.
    #[error("end {end} is not after start {start}")]
    WindowNotIncreasing {
        /// The window's start.
        start: WallTime,
        /// The window's end.
        end: WallTime,
    },

    /// A span of time does not end after it starts.
    #[error("end {end} is not after start {start}")]
    SpanNotIncreasing {
        /// The span's start.
        start: DateTime<Utc>,
        /// The span's end.
        end: DateTime<Utc>,
    },

    /// A date range ends before it starts.
    #[error("{to} is before the start of the range, {from}")]
    RangeReversed {
        /// The first date of the range.
        from: NaiveDate,
        /// The last date of the range.
        to: NaiveDate,
    },

    /// A date range is longer than allowed.
    #[error("the range covers {days} days; at most {max} are allowed")]
    RangeTooLong {
        /// How many dates the range covers.
        days: i64,
        /// The most allowed.
        max: i64,
    },

    /// A value that must be unique appears twice.
    #[error("\"{value}\" appears more than once")]
    Duplicate {
        /// The repeated value.
        value: String,
    },

    /// A query would examine more candidate starts than the engine allows in
    /// one call, which bounds the time and memory any query can take.
    #[error(
        "the query could examine up to {candidates} candidate starts; at most {max} are allowed \
         (shorten the date range, raise step_minutes or ask for fewer professionals)"
    )]
    TooMuchWork {
        /// An upper bound of the candidate starts the query asks for.
        candidates: u64,
        /// The most allowed.
        max: u64,
    },
}

impl Problem {
    /// The description for a person reading `lang` (R57).
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Problem::Empty => "não pode ser vazio".to_owned(),
            Problem::TooLong { len, max } => {
                format!("tem {len} caracteres; o máximo permitido é {max}")
            }
            Problem::TooMany { count, max } => {
                format!("tem {count} itens; o máximo permitido é {max}")
            }
            Problem::Negative { value } => format!("não pode ser negativo; recebido {value}"),
            Problem::BelowMinimum { value, min } => {
                format!("deve ser no mínimo {min}; recebido {value}")
            }
            Problem::AboveMaximum { value, max } => {
                format!("deve ser no máximo {max}; recebido {value}")
            }
            Problem::UnknownZone { name } => format!(
                "fuso horário desconhecido \"{name}\" (esperado um nome IANA como America/Sao_Paulo)"
            ),
            Problem::BadTime { value } => {
                format!("\"{value}\" não é um horário (esperado HH:MM de 00:00 a 24:00)")
            }
            Problem::BadDate { value } => {
                format!("\"{value}\" não é uma data (esperado AAAA-MM-DD entre os anos 1 e 9999)")
            }
            Problem::BadInstant { value } => format!(
                "\"{value}\" não é um instante RFC 3339 com deslocamento, como 2026-03-01T12:00:00Z"
            ),
            Problem::WindowNotIncreasing { start, end } => {
                format!("o fim {end} não é depois do início {start}")
            }
            Problem::SpanNotIncreasing { start, end } => {
                format!("o fim {end} não é depois do início {start}")
            }
            Problem::RangeReversed { from, to } => {
                format!("{to} é anterior ao início do intervalo, {from}")
            }
            Problem::RangeTooLong { days, max } => {
                format!("o intervalo cobre {days} dias; o máximo permitido é {max}")
            }
            Problem::Duplicate { value } => format!("\"{value}\" aparece mais de uma vez"),
            Problem::TooMuchWork { candidates, max } => format!(
                "a consulta poderia examinar até {candidates} horários candidatos; o máximo \
                 permitido é {max} (encurte o período, aumente step_minutes ou consulte menos \
                 profissionais)"
            ),
        }
    }
}

/// Joins keys for a message: `k1, k2, k3`.
pub(crate) fn join<K: std::fmt::Display>(keys: &[K]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{Error, Problem};
    use crate::lang::Lang;

    #[test]
    fn invalid_field_message_names_the_field_in_both_languages() {
        let err = Error::invalid("duration_minutes", Problem::Negative { value: -5 });
        assert_eq!(
            err.to_string(),
            "duration_minutes: must not be negative, got -5"
        );
        assert_eq!(
            err.message(Lang::PtBr),
            "duration_minutes: não pode ser negativo; recebido -5"
        );
        assert_eq!(err.field(), Some("duration_minutes"));
        assert_eq!(err.code(), "invalid_field");
    }

    #[test]
    fn at_renames_the_field_of_an_invalid_value_only() {
        let err = Error::invalid("end", Problem::Empty).at("staff[2].weekly.mon[0]");
        assert_eq!(err.field(), Some("staff[2].weekly.mon[0]"));
        let json = Error::MalformedJson {
            field: "query".into(),
            detail: "expected value".into(),
            line: 1,
            column: 1,
        };
        assert_eq!(json.clone().at("elsewhere"), json);
    }
}
