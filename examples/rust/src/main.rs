//! Agendo's engine inside a Rust program: `agendo-core`'s use cases over
//! an `agendo-sqlite` file, no server.
//!
//!   cargo run -p agendo-example-embed -- [salon.db]
//!
//! It sets up a salon (a service, a professional working weekdays), finds
//! the free slots of the coming week, books the first, and shows the same
//! slot refused for a second client, in English and Portuguese.

use std::process::ExitCode;
use std::sync::Arc;

use agendo_core::agenda::{Agenda, BookRequest, Context, SlotsRequest};
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Business, Client, Professional, Service};
use agendo_core::ids::{BusinessId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::{Currency, Money};
use agendo_core::{Error, Lang};
use agendo_sqlite::SqliteStore;
use chrono::{DateTime, Days, Utc};

/// Why a run stopped.
#[derive(Debug)]
enum Failure {
    /// The engine refused or failed.
    Engine(Error),
    /// The SQLite file could not be opened.
    Store(agendo_sqlite::Error),
    /// The coming week has no free slot.
    NoFreeSlot,
    /// The same slot was booked twice: the engine's promise broken.
    DoubleBooked,
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        Failure::Engine(err)
    }
}

impl Failure {
    fn message(&self, lang: Lang) -> String {
        match self {
            Failure::Engine(err) => err.message(lang),
            Failure::Store(err) => lang.pick(
                format!("cannot open the database: {err}"),
                format!("não foi possível abrir o banco: {err}"),
            ),
            Failure::NoFreeSlot => lang
                .pick(
                    "no free slot in the coming week",
                    "nenhum horário livre na próxima semana",
                )
                .to_owned(),
            Failure::DoubleBooked => lang
                .pick(
                    "the same slot was booked twice",
                    "o mesmo horário foi reservado duas vezes",
                )
                .to_owned(),
        }
    }
}

/// What a run did.
#[derive(Debug)]
struct Outcome {
    free: usize,
    booked: DateTime<Utc>,
    refusal: Error,
}

#[tokio::main]
async fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "salon.db".to_owned());
    match run(&path, Utc::now()).await {
        Ok(outcome) => {
            println!(
                "{} free slots; booked {}",
                outcome.free,
                outcome.booked.to_rfc3339()
            );
            println!(
                "second booking refused: {}",
                outcome.refusal.message(Lang::En)
            );
            println!(
                "segunda reserva recusada: {}",
                outcome.refusal.message(Lang::PtBr)
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{}", err.message(Lang::En));
            eprintln!("{}", err.message(Lang::PtBr));
            ExitCode::FAILURE
        }
    }
}

async fn run(path: &str, now: DateTime<Utc>) -> Result<Outcome, Failure> {
    let store = SqliteStore::open(path).await.map_err(Failure::Store)?;
    let agenda = Agenda::new(Arc::new(store));

    let shop = Business::new(
        BusinessId::random(),
        "Salão da Ana",
        chrono_tz::America::Sao_Paulo,
        Currency::BRL,
        Lang::PtBr,
    )?;
    agenda.create_business(&shop).await?;
    let staff = Context::staff(shop.id(), now);

    let cut = Service::new(
        ServiceId::random(),
        shop.id(),
        "Corte feminino",
        45,
        Money::parse("80.00", Currency::BRL)?,
    )?;
    agenda.save_service(&staff, &cut).await?;
    let hours = HoursQuery::from_json(
        r#"{"weekly": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]],
            "wed": [["09:00", "18:00"]], "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]]}}"#,
    )?
    .to_hours()?;
    let ana = Professional::new(ProfessionalId::random(), shop.id(), "Ana")?
        .with_services([cut.id()])
        .with_hours(hours);
    agenda.save_professional(&staff, &ana).await?;
    let maria = Client::new(ClientId::random(), shop.id(), "Maria")?;
    let joao = Client::new(ClientId::random(), shop.id(), "João")?;
    agenda.save_client(&staff, &maria).await?;
    agenda.save_client(&staff, &joao).await?;

    let today = now.with_timezone(&shop.zone()).date_naive();
    let week = SlotsRequest {
        service: cut.id(),
        professional: None,
        from: today,
        to: today + Days::new(7),
        step_minutes: None,
    };
    let slots = agenda.slots(&staff, &week).await?;
    let first = slots
        .iter()
        .next()
        .map(|s| s.start())
        .ok_or(Failure::NoFreeSlot)?;
    let request = |client: ClientId| BookRequest {
        service: cut.id(),
        professional: ana.id(),
        client,
        start: first,
        discount: None,
    };
    let booking = agenda.book(&staff, &request(maria.id())).await?;
    let refusal = match agenda.book(&staff, &request(joao.id())).await {
        Err(refusal) => refusal,
        Ok(_) => return Err(Failure::DoubleBooked),
    };
    Ok(Outcome {
        free: slots.len(),
        booked: booking.appointment().start(),
        refusal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_example_books_once_and_refuses_the_same_slot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("salon.db");
        // A Sunday: the coming week holds five working days.
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let outcome = run(path.to_str().unwrap(), now).await.unwrap();
        assert_eq!(outcome.free, 5 * 12);
        assert_eq!(outcome.booked.to_rfc3339(), "2026-03-02T12:00:00+00:00");
        assert_eq!(outcome.refusal.code(), "slot_taken");
    }
}
