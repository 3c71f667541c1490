//! The engine's richer answers as JSON values, one shape for both
//! bindings: Python hands them out as dicts, the mobile library as JSON
//! text. Money is `{"amount": "80.00", "currency": "BRL"}` (exact decimal
//! text), instants are RFC 3339 in UTC, dates `YYYY-MM-DD`, and texts for
//! people come in the language asked for.

use agendo_core::agenda::{Cause, History, InTheWay, Owed, Payments, Verdict, Why};
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Activity, Bookable, Business, Resource};
use agendo_core::commission::{CommissionRule, Statement};
use agendo_core::money::{Money, Share};
use agendo_core::page::Page;
use agendo_core::picture::Picture;
use agendo_core::Lang;
use serde_json::{json, Value};

/// Money as exact decimal text and its currency.
pub fn money(m: Money) -> Value {
    json!({"amount": m.amount().to_string(), "currency": m.currency().code()})
}

/// A page: its items and the next page's cursor (`null` on the last).
pub fn page<T>(page: &Page<T>, item: impl Fn(&T) -> Value) -> Value {
    json!({"items": page.items.iter().map(item).collect::<Vec<_>>(), "next": page.next})
}

/// A resource.
pub fn resource(r: &Resource) -> Value {
    json!({
        "id": r.id().to_string(),
        "name": r.name(),
        "kind": r.kind(),
        "capacity": r.capacity(),
        "hours": HoursQuery::from(r.hours()),
        "active": r.activity() == Activity::Active,
    })
}

/// A receivable and where it stands.
pub fn owed(o: &Owed) -> Value {
    let r = &o.receivable;
    json!({
        "id": r.id().to_string(),
        "client": r.client().to_string(),
        "booking": r.booking().map(|b| b.to_string()),
        "amount": money(r.amount()),
        "due": r.due().to_string(),
        "description": r.description(),
        "status": o.status.as_str(),
        "overdue_from": o.overdue_from,
        "paid_at": r.paid_at(),
    })
}

/// A commission rule.
pub fn rule(rule: &CommissionRule) -> Value {
    let fields = agendo_core::agenda::CommissionFields::of(rule);
    let (percent, amount) = match rule.rate {
        Share::Percent(p) => (Some(p.value().to_string()), None),
        Share::Fixed(m) => (None, Some(m.amount().to_string())),
    };
    json!({
        "professional": fields.professional.map(|p| p.to_string()),
        "service": fields.service.map(|s| s.to_string()),
        "percent": percent,
        "amount": amount,
    })
}

/// A monthly commission statement.
pub fn statement(s: &Statement) -> Value {
    json!({
        "professional": s.professional.to_string(),
        "month": s.month.to_string(),
        "lines": s.lines.iter().map(|l| json!({
            "booking": l.booking.to_string(),
            "service": l.service.to_string(),
            "start": l.start,
            "price": money(l.price),
            "rule": l.rule.as_ref().map(rule),
            "commission": money(l.commission),
        })).collect::<Vec<_>>(),
        "revenue": money(s.revenue),
        "total": money(s.total),
    })
}

/// A business's profile and notification settings.
pub fn profile(b: &Business) -> Value {
    let p = b.profile();
    let n = b.notify();
    json!({
        "legal_name": p.legal_name(),
        "tax_id": p.tax_id().map(|t| t.as_str()),
        "phone": p.phone().map(|t| t.as_str()),
        "email": p.email().map(|t| t.as_str()),
        "address": p.address(),
        "colour": p.colour().map(|c| c.to_string()),
        "description": p.description(),
        "notify": {
            "day_before_at": n.day_before_at().map(|t| t.to_string()),
            "minutes_before": n.minutes_before(),
            "payment_at": n.payment_at().to_string(),
            "overdue_days": n.overdue_days(),
        },
    })
}

/// A booking's history, each line with its text in `lang` and local
/// times in the business's zone.
pub fn history(h: &History, lang: Lang) -> Value {
    json!({
        "booking": h.booking.id().to_string(),
        "lines": h.lines.iter().map(|l| json!({
            "at": l.at,
            "change": l.change.code(),
            "by": l.by.as_ref().map(|w| w.actor.to_string()),
            "by_account": l.by.as_ref().and_then(|w| w.account).map(|a| a.to_string()),
            "by_name": l.by_name,
            "text": l.message(lang, h.zone),
        })).collect::<Vec<_>>(),
    })
}

fn in_the_way(items: &[InTheWay]) -> Vec<Value> {
    items
        .iter()
        .map(
            |i| json!({"id": i.id, "label": i.label, "start": i.span.start(), "end": i.span.end()}),
        )
        .collect()
}

fn cause(c: &Cause, lang: Lang, zone: chrono_tz::Tz) -> Value {
    json!({
        "rule": c.rule(),
        "message": c.message(lang, zone),
        "blocks": in_the_way(&c.blocks),
        "bookings": in_the_way(&c.bookings),
    })
}

fn verdict(v: &Verdict, lang: Lang, zone: chrono_tz::Tz) -> Value {
    let (id, kind) = match v.on {
        Bookable::Professional(p) => (p.to_string(), "professional"),
        Bookable::Resource(r) => (r.to_string(), "resource"),
    };
    json!({
        "id": id,
        "kind": kind,
        "name": v.name,
        "free": v.free,
        "causes": v.causes.iter().map(|c| cause(c, lang, zone)).collect::<Vec<_>>(),
    })
}

/// "Why not free?", with names and local times in `lang`.
pub fn why(w: &Why, lang: Lang) -> Value {
    json!({
        "start": w.start,
        "end": w.end,
        "free": w.free,
        "professionals": w.professionals.iter().map(|v| verdict(v, lang, w.zone)).collect::<Vec<_>>(),
        "resources": w.rooms.iter().map(|v| verdict(v, lang, w.zone)).collect::<Vec<_>>(),
        "message": w.message(lang),
    })
}

/// A payment as the lists give it.
pub fn payment(p: &agendo_core::payment::Payment) -> Value {
    json!({
        "id": p.id().to_string(),
        "client": p.client().to_string(),
        "booking": p.booking().map(|b| b.to_string()),
        "method": p.method().as_str(),
        "amount": money(p.amount()),
        "net": money(p.net()),
        "status": p.status().as_str(),
        "created_at": p.created_at(),
    })
}

/// A page of payments with the totals of all the filter keeps.
pub fn payments(p: &Payments) -> Value {
    json!({
        "items": p.page.items.iter().map(payment).collect::<Vec<_>>(),
        "next": p.page.next,
        "count": p.count,
        "amount": money(p.amount),
        "refunded": money(p.refunded),
        "net": money(p.net),
    })
}

/// A picture's description (its bytes are handed out apart).
pub fn picture(p: &Picture) -> Value {
    json!({
        "media_type": p.encoding().media_type(),
        "width": p.width(),
        "height": p.height(),
        "version": format!("{:016x}", p.digest()),
    })
}
