//! The conformance suite against Postgres, one fresh database per case.

mod support;

use std::sync::Arc;

fn run(case: agendo_conformance::Case) {
    support::on_fresh_store(64, |store, _| case(Arc::new(store)));
}

agendo_conformance::store_tests!(run);
