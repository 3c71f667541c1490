//! Every operation of the API document has its counterpart in the Python
//! and mobile bindings, or a reason it has none (`bindings/parity.json`):
//! a new route in neither list fails this test, and so does a listed
//! operation the document no longer has. The bindings' own suites check
//! that each named method exists.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{Db, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_has_a_binding_or_a_reason() {
    let server = Server::start(Db::Sqlite).await;
    let doc = server
        .anonymous()
        .get("/openapi.json")
        .await
        .expect(200)
        .body;
    server.stop().await;
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../bindings/parity.json"
    ))
    .expect("bindings/parity.json");
    let table: Value = serde_json::from_str(&text).expect("parity.json is JSON");
    let mapped = table["operations"].as_object().unwrap();
    let excluded = table["exclusions"].as_object().unwrap();
    for (op, reason) in excluded {
        assert!(
            reason.as_str().is_some_and(|r| r.len() > 10),
            "{op}: an exclusion says why"
        );
        assert!(!mapped.contains_key(op), "{op} is both mapped and excluded");
    }
    let missing: Vec<&String> = operations
        .iter()
        .filter(|op| !mapped.contains_key(*op) && !excluded.contains_key(*op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations with no binding and no reason in bindings/parity.json: {missing:?}"
    );
    let stale: Vec<&String> = mapped
        .keys()
        .chain(excluded.keys())
        .filter(|op| !operations.contains(*op))
        .collect();
    assert!(
        stale.is_empty(),
        "bindings/parity.json lists operations the API lacks: {stale:?}"
    );
}
