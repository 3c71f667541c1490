//! Criterion benchmarks of the slot search on the fixed workloads.
//!
//! Run with: cargo bench -p agendo-benches --bench slots
//!
//! `find_slots` times the search of a validated query, what a host that
//! keeps its calendars in memory pays per request; `validate_and_find`
//! adds reading the query's values (1,000 RFC 3339 bookings for W1) into
//! the validated form; `json_to_slots` starts from JSON text
//! ([`SlotSearch::from_json`]), as the Python module's `find_slots` does;
//! `json_to_answer` is the whole path of the `slots` example, from JSON text
//! to JSON text (`SlotAnswer::to_json`); `json_to_answer_two_stage` is the
//! same through `SlotQuery` and serde's writer, the way a query that is not
//! plain (an escaped string, say) is read.

use agendo_benches::Workload;
use agendo_core::availability::{SlotQuery, SlotSearch};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn slots(c: &mut Criterion) {
    for (name, workload) in [("w1", Workload::W1), ("w2", Workload::W2)] {
        let query = workload.query();
        let search = query.to_search().expect("the workload is valid");
        let json = serde_json::to_string(&query).expect("the workload serializes");
        let mut group = c.benchmark_group(name);
        group.bench_function("find_slots", |b| b.iter(|| black_box(&search).find_slots()));
        group.bench_function("validate_and_find", |b| {
            b.iter(|| black_box(&query).to_search().map(|s| s.find_slots()))
        });
        // What `agendo.find_slots` (Python) does in Rust: JSON text in,
        // the answer out.
        group.bench_function("json_to_slots", |b| {
            b.iter(|| SlotSearch::from_json(black_box(&json)).map(|s| s.find_slots()))
        });
        group.bench_function("json_to_answer", |b| {
            b.iter(|| SlotSearch::from_json(black_box(&json)).map(|s| s.find_slots().to_json()))
        });
        // The same through the two-stage reader and serde's writer, which
        // every query whose text is not plain takes.
        group.bench_function("json_to_answer_two_stage", |b| {
            b.iter(|| {
                SlotQuery::from_json(black_box(&json))
                    .and_then(|q| q.to_search())
                    .map(|s| serde_json::to_string(&s.find_slots()))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, slots);
criterion_main!(benches);
