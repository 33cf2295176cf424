//! Criterion benchmarks: recommendations among 1k / 10k / 100k open shifts, and roster plans
//! for a summer childcare programme (650 volunteers x 16 sites x 20 days) and a city
//! (10k volunteers x 1k shifts). Instances come from `hourbook_matching::district` (the demo
//! generator with a seed).
//!
//! ```text
//! cargo bench -p hourbook-matching --bench matching
//! ```

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hourbook_matching::district::{Instance, city, summer_childcare};
use hourbook_matching::{PlanOptions, ShiftCatalog, plan_roster};
use std::hint::black_box;

/// Volunteers whose recommendations are asked for, in turn.
const ASKING: usize = 1000;

fn recommendations(c: &mut Criterion) {
    let mut group = c.benchmark_group("recommend_top20");
    for shifts in [1_000, 10_000, 100_000] {
        let Instance {
            volunteers,
            shifts: open,
            ctx,
        } = city(2027, ASKING, shifts, 25.0);
        let catalog = ShiftCatalog::new(open);
        let mut next = 0;
        group.bench_function(BenchmarkId::from_parameter(shifts), |b| {
            b.iter(|| {
                let v = &volunteers[next % volunteers.len()];
                next += 1;
                // 2000: `matching.max_nearby_shifts` in config/default.toml.
                black_box(catalog.recommend(v, &ctx, 20, 2_000))
            })
        });
    }
    group.finish();
}

fn roster_plans(c: &mut Criterion) {
    let mut group = c.benchmark_group("roster_plan");
    group.sample_size(10);
    let cases = [
        ("650x16sites x20days", summer_childcare(2027, 650, 16, 20)),
        ("10000x1000", city(2027, 10_000, 1_000, 25.0)),
    ];
    for (name, instance) in cases {
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(plan_roster(
                    &instance.volunteers,
                    &instance.shifts,
                    &instance.ctx,
                    PlanOptions::default(),
                    |_| {},
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, recommendations, roster_plans);
criterion_main!(benches);
