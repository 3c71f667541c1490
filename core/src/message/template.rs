//! What a message says: templates per notice, channel and language, with
//! variables (`{{client}}`, `{{when}}`…) filled from the booking or the
//! receivable.
//!
//! A business may replace any default with its own text. A template is
//! checked when it is saved: every `{{…}}` must name a variable its notice
//! has (a payment notice has no `{{service}}`), so a message never goes
//! out with a hole in it. Defaults exist for every notice, channel and
//! language and pass the same check (a test holds them to it).

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Problem};
use crate::ids::{BookingId, ReceivableId};
use crate::lang::Lang;
use crate::notify::{NoticeKind, Subject};

/// The longest title (an e-mail's subject, an inbox line), in characters.
pub const MAX_TITLE: usize = 200;
/// The longest body, in characters.
pub const MAX_BODY: usize = 4_000;

/// What a template is for: the notice, without the day of an overdue one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// A booking was made.
    BookingMade,
    /// A booking was confirmed.
    BookingConfirmed,
    /// A booking moved.
    BookingChanged,
    /// A booking was cancelled.
    BookingCancelled,
    /// The reminder the day before.
    ReminderDayBefore,
    /// The reminder shortly before.
    ReminderShortlyBefore,
    /// A payment is due today.
    PaymentDue,
    /// A payment is overdue.
    PaymentOverdue,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 8] = [
        Topic::BookingMade,
        Topic::BookingConfirmed,
        Topic::BookingChanged,
        Topic::BookingCancelled,
        Topic::ReminderDayBefore,
        Topic::ReminderShortlyBefore,
        Topic::PaymentDue,
        Topic::PaymentOverdue,
    ];

    /// The topic of a notice.
    pub fn of(kind: NoticeKind) -> Topic {
        match kind {
            NoticeKind::BookingMade => Topic::BookingMade,
            NoticeKind::BookingConfirmed => Topic::BookingConfirmed,
            NoticeKind::BookingChanged => Topic::BookingChanged,
            NoticeKind::BookingCancelled => Topic::BookingCancelled,
            NoticeKind::ReminderDayBefore => Topic::ReminderDayBefore,
            NoticeKind::ReminderShortlyBefore => Topic::ReminderShortlyBefore,
            NoticeKind::PaymentDue => Topic::PaymentDue,
            NoticeKind::PaymentOverdue { .. } => Topic::PaymentOverdue,
        }
    }

    /// The topic as written in APIs: `booking_made`, `payment_overdue`…
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::BookingMade => "booking_made",
            Topic::BookingConfirmed => "booking_confirmed",
            Topic::BookingChanged => "booking_changed",
            Topic::BookingCancelled => "booking_cancelled",
            Topic::ReminderDayBefore => "reminder_day_before",
            Topic::ReminderShortlyBefore => "reminder_shortly_before",
            Topic::PaymentDue => "payment_due",
            Topic::PaymentOverdue => "payment_overdue",
        }
    }

    /// Reads a topic.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `topic`, naming the topics.
    pub fn parse(text: &str) -> Result<Topic, Error> {
        Topic::ALL
            .into_iter()
            .find(|t| t.as_str() == text.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "topic",
                    Problem::UnknownValue {
                        value: crate::error::clip(text),
                        expected: "booking_made, booking_confirmed, booking_changed, \
                                   booking_cancelled, reminder_day_before, \
                                   reminder_shortly_before, payment_due, payment_overdue",
                    },
                )
            })
    }

    /// Whether the topic is about a booking (else a receivable).
    pub fn is_booking(self) -> bool {
        !matches!(self, Topic::PaymentDue | Topic::PaymentOverdue)
    }

    /// What fills a message of this topic, read from the ids given: the
    /// booking for a booking's topic, the receivable for a payment's (the
    /// other is not read).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `booking_id` or `receivable_id` when the one
    /// the topic needs is missing or not an id.
    pub fn subject(
        self,
        booking: Option<&str>,
        receivable: Option<&str>,
    ) -> Result<Subject, Error> {
        let (field, id) = if self.is_booking() {
            ("booking_id", booking)
        } else {
            ("receivable_id", receivable)
        };
        let id = id.ok_or_else(|| Error::invalid(field, Problem::Required))?;
        let at = |e: Error| e.at(field);
        if self.is_booking() {
            BookingId::parse(id).map(Subject::Booking).map_err(at)
        } else {
            ReceivableId::parse(id).map(Subject::Receivable).map_err(at)
        }
    }

    /// The variables a template of this topic may use.
    pub fn variables(self) -> &'static [&'static str] {
        if self.is_booking() {
            BOOKING_VARIABLES
        } else {
            PAYMENT_VARIABLES
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The variables of a booking's messages.
pub const BOOKING_VARIABLES: &[&str] = &[
    "client",
    "service",
    "professional",
    "when",
    "date",
    "time",
    "price",
    "business",
    "link",
];

/// The variables of a payment's messages.
pub const PAYMENT_VARIABLES: &[&str] = &["client", "amount", "due", "description", "business"];

/// Which kind of text a template is: an e-mail (subject and body), a short
/// text (SMS, WhatsApp, the development channel), or a line in a
/// professional's inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Form {
    /// An e-mail to a client: a subject and a body.
    Email,
    /// A short text to a client: a body.
    Text,
    /// A professional's inbox: a title and a body.
    Inbox,
}

impl Form {
    /// Every form.
    pub const ALL: [Form; 3] = [Form::Email, Form::Text, Form::Inbox];

    /// The form as written in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Email => "email",
            Form::Text => "text",
            Form::Inbox => "inbox",
        }
    }

    /// Reads a form.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `form`.
    pub fn parse(text: &str) -> Result<Form, Error> {
        Form::ALL
            .into_iter()
            .find(|f| f.as_str() == text.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "form",
                    Problem::UnknownValue {
                        value: crate::error::clip(text),
                        expected: "email, text, inbox",
                    },
                )
            })
    }
}

/// A business's own text for one topic, form and language.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    topic: Topic,
    form: Form,
    lang: Lang,
    title: String,
    body: String,
}

impl Template {
    /// A template, checked: every variable must be one its topic has, the
    /// title at most [`MAX_TITLE`] characters on one line (empty for a
    /// text, which has none), the body 1 to [`MAX_BODY`].
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `title` or `body`: an unknown variable
    /// ([`Problem::UnknownVariable`]), an unclosed `{{`
    /// ([`Problem::UnclosedVariable`]), too long, empty, a control
    /// character.
    ///
    /// # Example
    /// ```
    /// use agendo_core::message::{Form, Template, Topic};
    /// use agendo_core::Lang;
    /// let ok = Template::new(Topic::ReminderDayBefore, Form::Text, Lang::PtBr, "",
    ///     "Oi {{client}}, até amanhã às {{time}}!");
    /// assert!(ok.is_ok());
    /// let bad = Template::new(Topic::PaymentDue, Form::Text, Lang::PtBr, "", "{{service}} vence hoje");
    /// assert_eq!(bad.unwrap_err().field(), Some("body"));
    /// ```
    pub fn new(
        topic: Topic,
        form: Form,
        lang: Lang,
        title: &str,
        body: &str,
    ) -> Result<Template, Error> {
        let title = title.trim();
        let body = body.trim();
        if form == Form::Text && !title.is_empty() {
            return Err(Error::invalid(
                "title",
                Problem::UnknownValue {
                    value: crate::error::clip(title),
                    expected: "nothing: a text has no title",
                },
            ));
        }
        if form != Form::Text && title.is_empty() {
            return Err(Error::invalid("title", Problem::Empty));
        }
        check_text("title", title, MAX_TITLE, false)?;
        if body.is_empty() {
            return Err(Error::invalid("body", Problem::Empty));
        }
        check_text("body", body, MAX_BODY, true)?;
        for (field, text) in [("title", title), ("body", body)] {
            for name in variables(text).map_err(|p| Error::invalid(field, p))? {
                if !topic.variables().contains(&name) {
                    return Err(Error::invalid(
                        field,
                        Problem::UnknownVariable {
                            name: crate::error::clip(name),
                            known: topic.variables().join(", "),
                        },
                    ));
                }
            }
        }
        Ok(Template {
            topic,
            form,
            lang,
            title: title.to_owned(),
            body: body.to_owned(),
        })
    }

    /// The default template of `topic`, `form` and `lang`.
    pub fn default_for(topic: Topic, form: Form, lang: Lang) -> Template {
        let (title, body) = defaults(topic, form, lang);
        Template {
            topic,
            form,
            lang,
            title: title.to_owned(),
            body: body.to_owned(),
        }
    }

    /// The topic.
    pub fn topic(&self) -> Topic {
        self.topic
    }
    /// The form.
    pub fn form(&self) -> Form {
        self.form
    }
    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }
    /// The title (empty for a text).
    pub fn title(&self) -> &str {
        &self.title
    }
    /// The body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The title and body with `values` in place of the variables; a
    /// variable without a value becomes empty.
    pub fn render(&self, values: &BTreeMap<String, String>) -> (String, String) {
        (fill(&self.title, values), fill(&self.body, values))
    }
}

fn check_text(field: &str, text: &str, max: usize, lines: bool) -> Result<(), Error> {
    let len = text.chars().count();
    if len > max {
        return Err(Error::invalid(field, Problem::TooLong { len, max }));
    }
    if let Some((index, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !(lines && matches!(c, '\n' | '\t' | '\r')))
    {
        return Err(Error::invalid(
            field,
            Problem::ControlCharacter {
                code: u32::from(c),
                position: index + 1,
            },
        ));
    }
    Ok(())
}

/// The names of the variables `text` uses, in order.
fn variables(text: &str) -> Result<Vec<&str>, Problem> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err(Problem::UnclosedVariable);
        };
        names.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    Ok(names)
}

fn fill(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        if let Some(value) = values.get(after[..close].trim()) {
            out.push_str(value);
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// The defaults: `(title, body)`.
fn defaults(topic: Topic, form: Form, lang: Lang) -> (&'static str, &'static str) {
    match form {
        Form::Inbox => inbox_defaults(topic, lang),
        Form::Email | Form::Text => {
            let (title, body) = client_defaults(topic, lang);
            (if form == Form::Text { "" } else { title }, body)
        }
    }
}

fn client_defaults(topic: Topic, lang: Lang) -> (&'static str, &'static str) {
    match (lang, topic) {
        (Lang::PtBr, Topic::BookingMade) => (
            "Agendamento recebido: {{service}}, {{when}}",
            "Olá, {{client}}! Seu horário de {{service}} com {{professional}} em {{business}} \
             ficou para {{when}}. Valor: {{price}}.\nPara ver, remarcar ou cancelar: {{link}}",
        ),
        (Lang::PtBr, Topic::BookingConfirmed) => (
            "Horário confirmado: {{service}}, {{when}}",
            "Olá, {{client}}! {{business}} confirmou seu horário de {{service}} com \
             {{professional}}: {{when}}.\nPara ver, remarcar ou cancelar: {{link}}",
        ),
        (Lang::PtBr, Topic::BookingChanged) => (
            "Horário alterado: {{service}}, agora {{when}}",
            "Olá, {{client}}! Seu horário de {{service}} com {{professional}} em {{business}} \
             mudou para {{when}}.\nPara ver, remarcar ou cancelar: {{link}}",
        ),
        (Lang::PtBr, Topic::BookingCancelled) => (
            "Horário cancelado: {{service}}, {{when}}",
            "Olá, {{client}}. Seu horário de {{service}} com {{professional}} em {{business}}, \
             {{when}}, foi cancelado.",
        ),
        (Lang::PtBr, Topic::ReminderDayBefore) => (
            "Lembrete: {{service}} amanhã, {{when}}",
            "Olá, {{client}}! Lembrete do seu horário de {{service}} com {{professional}} em \
             {{business}}: {{when}}.\nSe não puder vir, remarque ou cancele: {{link}}",
        ),
        (Lang::PtBr, Topic::ReminderShortlyBefore) => (
            "Daqui a pouco: {{service}}, {{when}}",
            "Olá, {{client}}! Seu horário de {{service}} com {{professional}} em {{business}} \
             é daqui a pouco: {{when}}.",
        ),
        (Lang::PtBr, Topic::PaymentDue) => (
            "Pagamento vence hoje: {{amount}}",
            "Olá, {{client}}! O pagamento de {{amount}} a {{business}} ({{description}}) \
             vence hoje, {{due}}.",
        ),
        (Lang::PtBr, Topic::PaymentOverdue) => (
            "Pagamento em atraso: {{amount}}",
            "Olá, {{client}}. O pagamento de {{amount}} a {{business}} ({{description}}) \
             venceu em {{due}} e ainda não foi registrado. Se já pagou, desconsidere.",
        ),
        (Lang::En, Topic::BookingMade) => (
            "Booking received: {{service}}, {{when}}",
            "Hello {{client}}! Your {{service}} with {{professional}} at {{business}} is \
             booked for {{when}}. Price: {{price}}.\nTo see, move or cancel it: {{link}}",
        ),
        (Lang::En, Topic::BookingConfirmed) => (
            "Booking confirmed: {{service}}, {{when}}",
            "Hello {{client}}! {{business}} confirmed your {{service}} with {{professional}}: \
             {{when}}.\nTo see, move or cancel it: {{link}}",
        ),
        (Lang::En, Topic::BookingChanged) => (
            "Booking moved: {{service}}, now {{when}}",
            "Hello {{client}}! Your {{service}} with {{professional}} at {{business}} moved \
             to {{when}}.\nTo see, move or cancel it: {{link}}",
        ),
        (Lang::En, Topic::BookingCancelled) => (
            "Booking cancelled: {{service}}, {{when}}",
            "Hello {{client}}. Your {{service}} with {{professional}} at {{business}}, \
             {{when}}, was cancelled.",
        ),
        (Lang::En, Topic::ReminderDayBefore) => (
            "Reminder: {{service}} tomorrow, {{when}}",
            "Hello {{client}}! A reminder of your {{service}} with {{professional}} at \
             {{business}}: {{when}}.\nIf you cannot come, move or cancel it: {{link}}",
        ),
        (Lang::En, Topic::ReminderShortlyBefore) => (
            "Soon: {{service}}, {{when}}",
            "Hello {{client}}! Your {{service}} with {{professional}} at {{business}} is \
             soon: {{when}}.",
        ),
        (Lang::En, Topic::PaymentDue) => (
            "Payment due today: {{amount}}",
            "Hello {{client}}! The payment of {{amount}} to {{business}} ({{description}}) \
             is due today, {{due}}.",
        ),
        (Lang::En, Topic::PaymentOverdue) => (
            "Payment overdue: {{amount}}",
            "Hello {{client}}. The payment of {{amount}} to {{business}} ({{description}}) \
             was due on {{due}} and is not recorded yet. If you have paid, please ignore this.",
        ),
    }
}

fn inbox_defaults(topic: Topic, lang: Lang) -> (&'static str, &'static str) {
    match (lang, topic) {
        (Lang::PtBr, Topic::BookingMade) => (
            "Novo agendamento: {{client}}, {{when}}",
            "{{client}} marcou {{service}} para {{when}}.",
        ),
        (Lang::PtBr, Topic::BookingConfirmed) => (
            "Confirmado: {{client}}, {{when}}",
            "O horário de {{client}} ({{service}}) em {{when}} foi confirmado.",
        ),
        (Lang::PtBr, Topic::BookingChanged) => (
            "Horário alterado: {{client}}, agora {{when}}",
            "O horário de {{client}} ({{service}}) mudou para {{when}}.",
        ),
        (Lang::PtBr, Topic::BookingCancelled) => (
            "Cancelado: {{client}}, {{when}}",
            "O horário de {{client}} ({{service}}) em {{when}} foi cancelado.",
        ),
        (Lang::PtBr, Topic::ReminderDayBefore | Topic::ReminderShortlyBefore) => (
            "Lembrete: {{client}}, {{when}}",
            "{{client}}, {{service}}, {{when}}.",
        ),
        (Lang::PtBr, Topic::PaymentDue) => (
            "Pagamento vence hoje: {{client}}, {{amount}}",
            "{{description}}: {{amount}}, vence em {{due}}.",
        ),
        (Lang::PtBr, Topic::PaymentOverdue) => (
            "Pagamento em atraso: {{client}}, {{amount}}",
            "{{description}}: {{amount}}, venceu em {{due}}.",
        ),
        (Lang::En, Topic::BookingMade) => (
            "New booking: {{client}}, {{when}}",
            "{{client}} booked {{service}} for {{when}}.",
        ),
        (Lang::En, Topic::BookingConfirmed) => (
            "Confirmed: {{client}}, {{when}}",
            "{{client}}'s {{service}} on {{when}} was confirmed.",
        ),
        (Lang::En, Topic::BookingChanged) => (
            "Booking moved: {{client}}, now {{when}}",
            "{{client}}'s {{service}} moved to {{when}}.",
        ),
        (Lang::En, Topic::BookingCancelled) => (
            "Cancelled: {{client}}, {{when}}",
            "{{client}}'s {{service}} on {{when}} was cancelled.",
        ),
        (Lang::En, Topic::ReminderDayBefore | Topic::ReminderShortlyBefore) => (
            "Reminder: {{client}}, {{when}}",
            "{{client}}, {{service}}, {{when}}.",
        ),
        (Lang::En, Topic::PaymentDue) => (
            "Payment due today: {{client}}, {{amount}}",
            "{{description}}: {{amount}}, due on {{due}}.",
        ),
        (Lang::En, Topic::PaymentOverdue) => (
            "Payment overdue: {{client}}, {{amount}}",
            "{{description}}: {{amount}}, due on {{due}}.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_passes_the_check_it_imposes() {
        for topic in Topic::ALL {
            for form in Form::ALL {
                for lang in [Lang::En, Lang::PtBr] {
                    let default = Template::default_for(topic, form, lang);
                    let checked = Template::new(topic, form, lang, default.title(), default.body());
                    assert_eq!(checked.as_ref(), Ok(&default), "{topic} {form:?} {lang:?}");
                }
            }
        }
    }

    #[test]
    fn unknown_and_unclosed_variables_are_refused_naming_the_field() {
        let unknown = Template::new(
            Topic::PaymentDue,
            Form::Email,
            Lang::En,
            "Due: {{service}}",
            "x",
        )
        .unwrap_err();
        assert_eq!(unknown.field(), Some("title"));
        assert!(unknown.to_string().contains("service"), "{unknown}");
        assert!(unknown.to_string().contains("amount"), "{unknown}");
        let unclosed =
            Template::new(Topic::BookingMade, Form::Text, Lang::En, "", "Hi {{client").unwrap_err();
        assert_eq!(unclosed.field(), Some("body"));
        let titled = Template::new(Topic::BookingMade, Form::Text, Lang::En, "x", "y");
        assert_eq!(titled.unwrap_err().field(), Some("title"));
    }

    #[test]
    fn rendering_fills_spaced_names_and_leaves_single_braces() {
        let t = Template::new(
            Topic::BookingMade,
            Form::Text,
            Lang::PtBr,
            "",
            "Oi {{ client }} {x} {{when}}.",
        )
        .unwrap();
        let values = BTreeMap::from([
            ("client".to_owned(), "Maria".to_owned()),
            ("when".to_owned(), "seg, 07/12 às 09:00".to_owned()),
        ]);
        assert_eq!(t.render(&values).1, "Oi Maria {x} seg, 07/12 às 09:00.");
    }

    #[test]
    fn a_value_that_looks_like_a_variable_is_not_expanded_again() {
        let t = Template::new(Topic::BookingMade, Form::Text, Lang::En, "", "{{client}}!").unwrap();
        let values = BTreeMap::from([("client".to_owned(), "{{link}}".to_owned())]);
        assert_eq!(t.render(&values).1, "{{link}}!");
    }
}
