//! The conformance suite against the in-memory reference store.

use std::sync::Arc;

use agendo_core::store::MemoryStore;

fn run(case: agendo_conformance::Case) {
    futures_executor::block_on(case(Arc::new(MemoryStore::new())));
}

agendo_conformance::store_tests!(run);
