//! Who may do what: the one permission table (R5), asked by every host
//! (HTTP, the embedded engine, Python, mobile) through the use cases.
//!
//! An [`Actor`] asks for an [`Action`]; [`grant`] answers [`Grant::All`],
//! [`Grant::Own`] (only on the actor's own records: a professional's own
//! agenda, the booking of a manage link) or [`Grant::None`]. A use case
//! that gets `Own` checks the record it loads against the actor; another
//! professional's booking is then "not found", as a record of another
//! business is (R8), so its existence is not told either.

use super::Context;
use crate::account::Role;
use crate::booking::Booking;
use crate::business::Bookable;
use crate::error::{Error, RecordKind};
use crate::ids::{BookingId, ClientId, ProfessionalId};
use crate::lang::Lang;

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Actor {
    /// The program that embeds the engine, or the host's own jobs: it
    /// answers for its users itself and may do everything.
    Operator,
    /// The owner of the business.
    Owner,
    /// A receptionist.
    Receptionist,
    /// A professional, on their own agenda.
    Professional(ProfessionalId),
    /// A client signed in as themselves.
    Client(ClientId),
    /// Whoever holds a booking's manage link.
    ManageLink(BookingId),
    /// Someone on the public booking page, not signed in.
    Public,
}

impl Actor {
    /// The actor a staff account of `role` is (a professional's account
    /// names its professional; without one it owns no agenda).
    pub fn staff(role: Role, professional: Option<ProfessionalId>) -> Actor {
        match (role, professional) {
            (Role::Owner, _) => Actor::Owner,
            (Role::Receptionist, _) => Actor::Receptionist,
            (Role::Professional, Some(id)) => Actor::Professional(id),
            // A professional's account without a professional: nothing is
            // theirs, so `Own` grants nothing.
            (Role::Professional, None) => {
                Actor::Professional(ProfessionalId::from_uuid(uuid::Uuid::nil()))
            }
        }
    }

    /// A stable name for messages and logs: `operator`, `owner`,
    /// `receptionist`, `professional`, `client`, `manage_link`, `public`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Actor::Operator => "operator",
            Actor::Owner => "owner",
            Actor::Receptionist => "receptionist",
            Actor::Professional(_) => "professional",
            Actor::Client(_) => "client",
            Actor::ManageLink(_) => "manage_link",
            Actor::Public => "public",
        }
    }

    /// Whether the actor acts for the client (the cancellation policy's
    /// fees apply) rather than the business.
    pub fn is_client(&self) -> bool {
        matches!(
            self,
            Actor::Client(_) | Actor::ManageLink(_) | Actor::Public
        )
    }
}

impl Actor {
    /// Whether `on`'s time is the actor's own agenda: a professional's own.
    pub fn owns_time(&self, on: Bookable) -> bool {
        matches!((self, on), (Actor::Professional(p), Bookable::Professional(q)) if *p == q)
    }

    /// Whether `booking` is the actor's own: on a professional's agenda,
    /// a client's, the one a manage link names.
    pub fn owns_booking(&self, booking: &Booking) -> bool {
        match self {
            Actor::Professional(id) => booking.professional() == *id,
            Actor::Client(id) => booking.client() == *id,
            Actor::ManageLink(id) => booking.id() == *id,
            _ => false,
        }
    }
}

/// Refuses, when `scope` is the actor's own agenda, `action` on another's
/// time.
///
/// # Errors
/// [`Error::Forbidden`].
pub(super) fn own_time(
    ctx: &Context,
    scope: Grant,
    action: Action,
    on: Bookable,
) -> Result<(), Error> {
    if scope == Grant::Own && !ctx.actor.owns_time(on) {
        return Err(Error::Forbidden {
            actor: ctx.actor.as_str(),
            action,
        });
    }
    Ok(())
}

/// Refuses, when `scope` is the actor's own records, another's booking:
/// it is "not found", as another business's is (R5, R8).
///
/// # Errors
/// [`Error::NotFound`].
pub(super) fn own_booking(ctx: &Context, scope: Grant, booking: &Booking) -> Result<(), Error> {
    if scope == Grant::Own && !ctx.actor.owns_booking(booking) {
        return Err(Error::NotFound {
            record: RecordKind::Booking,
            id: booking.id().to_string(),
        });
    }
    Ok(())
}

/// What an actor may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Action {
    /// Change the business's settings.
    ChangeBusiness,
    /// Create, change and retire accounts.
    ManageAccounts,
    /// Create, change and retire services and resources.
    EditCatalog,
    /// Create, change and retire professionals.
    EditStaff,
    /// Set working hours and add or remove blocks.
    EditHours,
    /// Create, change and retire clients.
    EditClients,
    /// See clients and their histories.
    ReadClients,
    /// Book for a known client.
    Book,
    /// Book as a person known by their contact (the public page).
    BookAsContact,
    /// Confirm, complete, mark a no-show.
    Attend,
    /// Reschedule or cancel.
    Move,
    /// See bookings.
    ReadBookings,
    /// Record, approve and refuse payments.
    TakePayments,
    /// Refund payments.
    Refund,
    /// See payments.
    ReadPayments,
    /// Follow the business's events.
    ReadEvents,
    /// Read commission statements.
    ReadStatements,
    /// Read the messages sent to clients, dead letters included, and the
    /// templates.
    ReadMessages,
    /// Read the staff inbox.
    ReadInbox,
    /// Send a dead message again.
    ResendMessages,
}

impl Action {
    /// Every action, for tables and tests.
    pub const ALL: [Action; 20] = [
        Action::ChangeBusiness,
        Action::ManageAccounts,
        Action::EditCatalog,
        Action::EditStaff,
        Action::EditHours,
        Action::EditClients,
        Action::ReadClients,
        Action::Book,
        Action::BookAsContact,
        Action::Attend,
        Action::Move,
        Action::ReadBookings,
        Action::TakePayments,
        Action::Refund,
        Action::ReadPayments,
        Action::ReadEvents,
        Action::ReadStatements,
        Action::ReadMessages,
        Action::ReadInbox,
        Action::ResendMessages,
    ];

    /// A stable name: `change_business`, `book`, `take_payments`…
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ChangeBusiness => "change_business",
            Action::ManageAccounts => "manage_accounts",
            Action::EditCatalog => "edit_catalog",
            Action::EditStaff => "edit_staff",
            Action::EditHours => "edit_hours",
            Action::EditClients => "edit_clients",
            Action::ReadClients => "read_clients",
            Action::Book => "book",
            Action::BookAsContact => "book_as_contact",
            Action::Attend => "attend",
            Action::Move => "move",
            Action::ReadBookings => "read_bookings",
            Action::TakePayments => "take_payments",
            Action::Refund => "refund",
            Action::ReadPayments => "read_payments",
            Action::ReadEvents => "read_events",
            Action::ReadStatements => "read_statements",
            Action::ReadMessages => "read_messages",
            Action::ReadInbox => "read_inbox",
            Action::ResendMessages => "resend_messages",
        }
    }
}

impl Action {
    /// What the action is, for a message in `lang`: "refund payments",
    /// "reembolsar pagamentos".
    pub fn describe(self, lang: Lang) -> &'static str {
        let (en, pt) = match self {
            Action::ChangeBusiness => (
                "change the business's settings",
                "alterar as configurações do negócio",
            ),
            Action::ManageAccounts => ("manage accounts", "gerenciar contas de acesso"),
            Action::EditCatalog => ("change the services", "alterar os serviços"),
            Action::EditStaff => ("change the professionals", "alterar os profissionais"),
            Action::EditHours => (
                "change these working hours or blocks",
                "alterar esses horários de trabalho ou bloqueios",
            ),
            Action::EditClients => ("change clients", "alterar clientes"),
            Action::ReadClients => ("see clients", "ver clientes"),
            Action::Book => ("book on this agenda", "agendar nesta agenda"),
            Action::BookAsContact => ("book", "agendar"),
            Action::Attend => (
                "confirm or complete bookings",
                "confirmar ou concluir agendamentos",
            ),
            Action::Move => (
                "reschedule or cancel bookings",
                "remarcar ou cancelar agendamentos",
            ),
            Action::ReadBookings => ("see bookings", "ver agendamentos"),
            Action::TakePayments => ("record payments", "registrar pagamentos"),
            Action::Refund => ("refund payments", "reembolsar pagamentos"),
            Action::ReadPayments => ("see payments", "ver pagamentos"),
            Action::ReadEvents => ("follow the events", "acompanhar os eventos"),
            Action::ReadStatements => ("see commission statements", "ver extratos de comissão"),
            Action::ReadMessages => ("see the messages sent", "ver as mensagens enviadas"),
            Action::ReadInbox => ("read the staff inbox", "ler a caixa de entrada da equipe"),
            Action::ResendMessages => ("send messages again", "reenviar mensagens"),
        };
        lang.pick(en, pt)
    }
}

/// Who an actor named by [`Actor::as_str`] is, for a message in `lang`.
pub fn actor_label(name: &str, lang: Lang) -> &'static str {
    let (en, pt) = match name {
        "operator" => ("the operator", "o operador"),
        "owner" => ("the owner", "o proprietário"),
        "receptionist" => ("a receptionist", "a recepção"),
        "professional" => ("a professional", "um profissional"),
        "client" => ("a client", "um cliente"),
        "manage_link" => ("a booking's link", "o link do agendamento"),
        _ => ("someone not signed in", "quem não entrou na conta"),
    };
    lang.pick(en, pt)
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far an action is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grant {
    /// On every record of the business.
    All,
    /// On the actor's own records only.
    Own,
    /// Not at all.
    None,
}

/// The permission table.
///
/// | action | owner | receptionist | professional | client | manage link | public |
/// |---|---|---|---|---|---|---|
/// | change_business, manage_accounts, edit_catalog, edit_staff, take_payments, refund | all | – | – | – | – | – |
/// | read_payments, read_events | all | all | – | – | – | – |
/// | edit_clients | all | all | – | – | – | – |
/// | read_clients | all | all | all | – | – | – |
/// | edit_hours, book, attend, read_bookings | all | all | own | – | – | – |
/// | read_statements | all | – | own | – | – | – |
/// | move | all | all | own | own | own | – |
/// | book_as_contact | all | all | – | – | – | all |
///
/// The operator may do everything. A client's own actions beyond moving
/// their bookings are left for when clients sign in.
pub fn grant(actor: &Actor, action: Action) -> Grant {
    use Action as A;
    match actor {
        Actor::Operator | Actor::Owner => Grant::All,
        Actor::Receptionist => match action {
            A::ChangeBusiness
            | A::ManageAccounts
            | A::EditCatalog
            | A::EditStaff
            | A::TakePayments
            | A::Refund
            | A::ReadStatements => Grant::None,
            _ => Grant::All,
        },
        Actor::Professional(_) => match action {
            A::ReadClients => Grant::All,
            A::EditHours
            | A::Book
            | A::Attend
            | A::Move
            | A::ReadBookings
            | A::ReadStatements
            | A::ReadInbox => Grant::Own,
            _ => Grant::None,
        },
        Actor::Client(_) | Actor::ManageLink(_) => match action {
            A::Move => Grant::Own,
            _ => Grant::None,
        },
        Actor::Public => match action {
            A::BookAsContact => Grant::All,
            _ => Grant::None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(actor: Actor) -> Vec<(&'static str, Grant)> {
        Action::ALL
            .iter()
            .map(|a| (a.as_str(), grant(&actor, *a)))
            .collect()
    }

    fn expect(actor: Actor, all: &[&str], own: &[&str]) {
        for (action, got) in row(actor) {
            let want = if all.contains(&action) {
                Grant::All
            } else if own.contains(&action) {
                Grant::Own
            } else {
                Grant::None
            };
            assert_eq!(got, want, "{} may {action}", actor.as_str());
        }
    }

    const EVERYTHING: &[&str] = &[
        "change_business",
        "manage_accounts",
        "edit_catalog",
        "edit_staff",
        "edit_hours",
        "edit_clients",
        "read_clients",
        "book",
        "book_as_contact",
        "attend",
        "move",
        "read_bookings",
        "take_payments",
        "refund",
        "read_payments",
        "read_events",
        "read_statements",
        "read_messages",
        "read_inbox",
        "resend_messages",
    ];

    #[test]
    fn the_owner_and_the_operator_may_do_everything() {
        expect(Actor::Owner, EVERYTHING, &[]);
        expect(Actor::Operator, EVERYTHING, &[]);
    }

    #[test]
    fn a_receptionist_runs_the_agenda_and_clients_but_not_the_money_or_set_up() {
        expect(
            Actor::Receptionist,
            &[
                "edit_hours",
                "edit_clients",
                "read_clients",
                "book",
                "book_as_contact",
                "attend",
                "move",
                "read_bookings",
                "read_payments",
                "read_events",
                "read_messages",
                "read_inbox",
                "resend_messages",
            ],
            &[],
        );
    }

    #[test]
    fn a_professional_works_their_own_agenda_only() {
        expect(
            Actor::Professional(ProfessionalId::random()),
            &["read_clients"],
            &[
                "edit_hours",
                "book",
                "attend",
                "move",
                "read_bookings",
                "read_statements",
                "read_inbox",
            ],
        );
    }

    #[test]
    fn a_client_and_a_manage_link_move_their_own_booking_only() {
        expect(Actor::Client(ClientId::random()), &[], &["move"]);
        expect(Actor::ManageLink(BookingId::random()), &[], &["move"]);
    }

    #[test]
    fn the_public_may_only_book_as_a_contact() {
        expect(Actor::Public, &["book_as_contact"], &[]);
    }

    #[test]
    fn every_action_is_listed_once() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
        assert_eq!(names.len(), EVERYTHING.len());
    }
}
