//! The conformance suite against an SQLite file, one fresh file per case.

use std::sync::Arc;

use agendo_sqlite::SqliteStore;

fn run(case: agendo_conformance::Case) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path().join("agendo.db"))
            .await
            .expect("open the store");
        case(Arc::new(store.clone())).await;
        store.close().await;
    });
}

agendo_conformance::store_tests!(run);
