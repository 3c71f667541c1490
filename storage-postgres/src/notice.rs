//! What a commit tells the other hosts: the payload of its notification on
//! [`crate::CHANNEL`], so each host brings forward only the searches the
//! commit touched ([`agendo_core::store::ChangeLog`]).
//!
//! The text is `HOST[ BUSINESS[ CHANGES]]`: the sending host's id (a host
//! skips its own, counted when it committed), the business of the unit
//! (none for a commit outside one), and what changed, comma-separated:
//! `a` (an account or session), `*` (a record every search reads) or the
//! calendars changed, each `p|r:ID:START:END` (professional or resource,
//! the span in microseconds since 1970 UTC). Past [`MAX_PAYLOAD`] bytes the
//! calendars become `*`.

use agendo_core::business::Bookable;
use agendo_core::ids::{BusinessId, ProfessionalId, ResourceId};
use agendo_core::store::Changed;
use agendo_core::time::Span;
use chrono::DateTime;
use uuid::Uuid;

/// The longest payload sent; Postgres refuses one of 8000 bytes or more.
pub const MAX_PAYLOAD: usize = 7_900;

/// The payload of `changed`, committed by `host`.
pub fn write(host: Uuid, changed: &Changed) -> String {
    let Some(business) = changed.business() else {
        return host.to_string();
    };
    let head = format!("{host} {business}");
    let mut items: Vec<String> = Vec::new();
    if changed.access() {
        items.push("a".to_owned());
    }
    if changed.records() {
        items.push("*".to_owned());
    } else {
        items.extend(changed.calendars().iter().map(|(on, span)| {
            let (kind, id) = match on {
                Bookable::Professional(id) => ('p', id.as_uuid()),
                Bookable::Resource(id) => ('r', id.as_uuid()),
            };
            format!(
                "{kind}:{id}:{}:{}",
                span.start().timestamp_micros(),
                span.end().timestamp_micros()
            )
        }));
    }
    if items.is_empty() {
        return head;
    }
    let text = format!("{head} {}", items.join(","));
    if text.len() <= MAX_PAYLOAD {
        return text;
    }
    // Too long: every search of the business is read again.
    let access = if changed.access() { "a," } else { "" };
    format!("{head} {access}*")
}

/// A payload no host reads, so every other host reads again whatever it
/// kept (notifications were lost).
pub fn unknown(host: Uuid) -> String {
    format!("{host} !")
}

/// What a payload says: the host that sent it and what it changed; `None`
/// when it cannot be read (then anything may have changed).
pub fn read(payload: &str) -> Option<(Uuid, Changed)> {
    let mut parts = payload.split(' ');
    let host = Uuid::parse_str(parts.next()?).ok()?;
    let Some(business) = parts.next() else {
        return Some((host, Changed::default()));
    };
    let mut changed = Changed::of(BusinessId::from_uuid(Uuid::parse_str(business).ok()?));
    if let Some(list) = parts.next() {
        for item in list.split(',') {
            match item {
                "*" => changed.record(),
                "a" => changed.account(),
                _ => {
                    let mut fields = item.split(':');
                    let kind = fields.next()?;
                    let id = Uuid::parse_str(fields.next()?).ok()?;
                    let on = match kind {
                        "p" => Bookable::Professional(ProfessionalId::from_uuid(id)),
                        "r" => Bookable::Resource(ResourceId::from_uuid(id)),
                        _ => return None,
                    };
                    let mut instant =
                        || DateTime::from_timestamp_micros(fields.next()?.parse().ok()?);
                    let (start, end) = (instant()?, instant()?);
                    if fields.next().is_some() {
                        return None;
                    }
                    changed.calendar(on, Span::new(start, end).ok()?);
                }
            }
        }
    }
    if parts.next().is_some() {
        return None;
    }
    Some((host, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(minutes: i64) -> Span {
        let start: DateTime<chrono::Utc> = "2026-03-02T12:00:00Z".parse().unwrap();
        Span::new(start, start + chrono::TimeDelta::minutes(minutes)).unwrap()
    }

    #[test]
    fn a_payload_reads_back_as_written() {
        let host = Uuid::new_v4();
        let mut changed = Changed::of(BusinessId::random());
        changed.calendar(Bookable::Professional(ProfessionalId::random()), span(30));
        changed.calendar(Bookable::Resource(ResourceId::random()), span(45));
        assert_eq!(read(&write(host, &changed)), Some((host, changed.clone())));
        // A record change says all: the calendars go unsaid.
        changed.record();
        assert!(write(host, &changed).ends_with(" *"));
        let (_, heard) = read(&write(host, &changed)).unwrap();
        assert!(heard.records());
        assert_eq!(heard.business(), changed.business());
        let outside = Changed::default();
        assert_eq!(read(&write(host, &outside)), Some((host, outside)));
        let quiet = Changed::of(BusinessId::random());
        assert_eq!(read(&write(host, &quiet)), Some((host, quiet)));
        let mut signed_out = Changed::of(BusinessId::random());
        signed_out.account();
        assert_eq!(read(&write(host, &signed_out)), Some((host, signed_out)));
    }

    #[test]
    fn too_many_calendars_become_a_record_change() {
        let mut changed = Changed::of(BusinessId::random());
        for _ in 0..200 {
            changed.calendar(Bookable::Professional(ProfessionalId::random()), span(30));
        }
        let text = write(Uuid::new_v4(), &changed);
        assert!(text.len() <= MAX_PAYLOAD);
        assert!(read(&text).is_some_and(|(_, c)| c.records()));
    }

    #[test]
    fn an_unreadable_payload_is_none() {
        let host = Uuid::new_v4();
        let business = BusinessId::random();
        for bad in [
            String::new(),
            "host".to_owned(),
            format!("{host} nope"),
            format!("{host} {business} x:{host}:0:1"),
            format!("{host} {business} p:{host}:5:1"),
            format!("{host} {business} p:{host}:0"),
            format!("{host} {business} * extra"),
            unknown(host),
        ] {
            assert_eq!(read(&bad), None, "{bad}");
        }
    }
}
