//! Latency percentiles of one recommendation (index query + filter + score + top 20) among
//! 1k / 10k / 100k open shifts, in process: criterion reports means, the target is on p99.
//!
//! ```text
//! cargo bench -p hourbook-matching --bench recommend_latency
//! ```

use hourbook_matching::ShiftCatalog;
use hourbook_matching::district::{Instance, city};
use std::hint::black_box;
use std::time::{Duration, Instant};

const QUERIES: usize = 20_000;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!(
        "{:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "shifts", "nearby", "p50 µs", "p90 µs", "p99 µs", "max µs"
    );
    // 2000 is `matching.max_nearby_shifts` in config/default.toml; usize::MAX scores every
    // shift within the volunteer's radius.
    for (shifts, nearby) in [
        (1_000, 2_000),
        (10_000, 2_000),
        (100_000, 2_000),
        (100_000, usize::MAX),
    ] {
        let Instance {
            volunteers,
            shifts: open,
            ctx,
        } = city(2027, 1_000, shifts, 25.0);
        let catalog = ShiftCatalog::new(open);
        let mut took = Vec::with_capacity(QUERIES);
        // Warm up caches and the allocator before measuring.
        for round in 0..(QUERIES + 2_000) {
            let v = &volunteers[round % volunteers.len()];
            let started = Instant::now();
            let top = catalog.recommend(v, &ctx, 20, nearby);
            black_box(top);
            if round >= 2_000 {
                took.push(started.elapsed());
            }
        }
        took.sort();
        let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "{shifts:>8} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            if nearby == usize::MAX {
                "all".to_string()
            } else {
                nearby.to_string()
            },
            us(at(0.50)),
            us(at(0.90)),
            us(at(0.99)),
            us(took[took.len() - 1]),
        );
    }
}
