//! Backup and restore (R53): `pg_dump` of a database in use, restored with
//! `pg_restore` into an empty one; the store over the copy finds every
//! booking, and its guard still holds.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use agendo_conformance::Salon;
use agendo_core::store::{Access, BookingFilter, Store};
use agendo_core::Error;
use agendo_postgres::PgStore;

/// Where `pg_dump` and `pg_restore` are; `cargo xtask test` sets it.
fn bin(program: &str) -> PathBuf {
    let dir = std::env::var("AGENDO_PG_BIN").unwrap_or("/usr/lib/postgresql/15/bin".into());
    PathBuf::from(dir).join(program)
}

fn run(program: &str, args: &[&str]) {
    let output = Command::new(bin(program))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_dump_restores_every_booking() {
    support::on_fresh_store(4, |store, source| async move {
        let salon = Salon::open(Arc::new(store.clone())).await;
        salon
            .book(&salon.ana, &salon.maria, "2026-03-02T12:00:00Z")
            .await;
        salon
            .book(&salon.bia, &salon.maria, "2026-03-03T14:30:00Z")
            .await;
        let cancelled = salon
            .book(&salon.bia, &salon.joao, "2026-03-04T15:00:00Z")
            .await;
        salon
            .agenda
            .cancel(&salon.staff(), cancelled.id(), "viagem")
            .await
            .unwrap();
        let all = BookingFilter::default();
        let mut before = store
            .begin(salon.business.id(), Access::Read)
            .await
            .unwrap();
        let expected = before.bookings(&all).await.unwrap();
        drop(before);
        assert_eq!(expected.len(), 3);

        let dir = std::env::temp_dir().join(format!("agendo-dump-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let dump = dir.join("agendo.dump");
        run(
            "pg_dump",
            &[
                "--format=custom",
                "--file",
                &dump.to_string_lossy(),
                "--dbname",
                &source,
            ],
        );

        support::with_fresh_database(|target| async move {
            run(
                "pg_restore",
                &[
                    "--no-owner",
                    "--exit-on-error",
                    "--dbname",
                    &target,
                    &dump.to_string_lossy(),
                ],
            );
            let restored = PgStore::connect_with(&target, 2).await.unwrap();
            let mut back = restored
                .begin(salon.business.id(), Access::Read)
                .await
                .unwrap();
            assert_eq!(back.bookings(&all).await.unwrap(), expected);
            assert_eq!(
                back.business().await.unwrap().as_ref(),
                Some(&salon.business)
            );
            drop(back);
            // The restored schema keeps the exclusion constraint.
            let copy = Salon {
                agenda: agendo_core::agenda::Agenda::new(Arc::new(restored.clone())),
                ..salon
            };
            let clash = copy
                .agenda
                .book(
                    &copy.staff(),
                    &copy.cut_at(&copy.ana, &copy.joao, "2026-03-02T12:00:00Z"),
                )
                .await;
            assert!(matches!(clash, Err(Error::SlotTaken { .. })), "{clash:?}");
            restored.close().await;
        })
        .await;
        std::fs::remove_dir_all(&dir).unwrap();
    });
}
