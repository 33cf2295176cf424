//! Writes a random roster-planning min-cost max-flow instance in DIMACS format to stdout.
//!
//! ```text
//! cargo run --release -p hourbook-matching --example roster_instance -- VOLUNTEERS SHIFTS SEED > x.dimacs
//! ```
//!
//! Shape (as in roster planning): source → volunteer (either 1–4 unit arcs with costs 0, 300,
//! 600, 900 — a convex "spread the hours" penalty — or one arc of capacity 1–3 at cost 0) →
//! (volunteer, day) node (capacity 1: one shift a day) → shift (capacity 1, cost 0..=10 000 =
//! 10 000 minus the match score) → sink (capacity = seats left, 1..=10).
//!
//! Shifts are spread over 20 days at `ceil(SHIFTS / 20)` sites placed at random in a unit
//! square; volunteers live at random points and are eligible for 20–200 shifts (20–100 when
//! there are more than 500 shifts), mostly at nearby sites. The score falls with distance and
//! has a random part. The same arguments always give the same file (ChaCha8 seeded by SEED).

use hourbook_matching::flow::FlowNetwork;
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;

const DAYS: usize = 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed: Option<Vec<u64>> = args.iter().map(|a| a.parse().ok()).collect();
    let Some(&[volunteers, shifts, seed]) = parsed.as_deref() else {
        eprintln!("usage: roster_instance VOLUNTEERS SHIFTS SEED > instance.dimacs");
        return ExitCode::from(2);
    };
    let (network, source, sink) = roster(volunteers as usize, shifts as usize, seed);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match network
        .write_dimacs(source, sink, &mut out)
        .and_then(|()| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster_instance: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the instance; returns the network, source and sink.
fn roster(volunteers: usize, shifts: usize, seed: u64) -> (FlowNetwork, usize, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let days = DAYS.min(shifts.max(1));
    let sites = shifts.div_ceil(days).max(1);
    let site_at: Vec<(f64, f64)> = (0..sites).map(|_| (rng.r#gen(), rng.r#gen())).collect();
    // Shift i is at site i / days on day i % days.
    let seats: Vec<i64> = (0..shifts).map(|_| rng.gen_range(1..=10)).collect();
    let most = if shifts <= 500 { 200 } else { 100 };
    let (lo, hi) = (20.min(shifts), most.min(shifts));

    // Nodes: source, sink, volunteers, shifts, then (volunteer, day) nodes as they come.
    let source = 0;
    let sink = 1;
    let volunteer_node = |v: usize| 2 + v;
    let shift_node = |s: usize| 2 + volunteers + s;
    let mut arcs: Vec<(usize, usize, i64, i64)> = Vec::new();
    let mut next_node = 2 + volunteers + shifts;
    for v in 0..volunteers {
        if rng.gen_bool(0.7) {
            for k in 0..rng.gen_range(1..=4) {
                arcs.push((source, volunteer_node(v), 1, 300 * k));
            }
        } else {
            arcs.push((source, volunteer_node(v), rng.gen_range(1..=3), 0));
        }
        if shifts == 0 {
            continue;
        }
        let home: (f64, f64) = (rng.r#gen(), rng.r#gen());
        let distance = |s: usize| {
            let (x, y) = site_at[s / days];
            ((x - home.0).powi(2) + (y - home.1).powi(2)).sqrt()
        };
        // Eligible: the nearest of a larger random sample, so mostly nearby sites.
        let want = rng.gen_range(lo..=hi);
        let sample = (2 * want).min(shifts);
        let mut candidates: Vec<(f64, usize)> = index::sample(&mut rng, shifts, sample)
            .into_iter()
            .map(|s| (distance(s), s))
            .collect();
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        candidates.truncate(want);
        let mut by_day: BTreeMap<usize, Vec<(f64, usize)>> = BTreeMap::new();
        for (d, s) in candidates {
            by_day.entry(s % days).or_default().push((d, s));
        }
        for (_, day_shifts) in by_day {
            let day_node = next_node;
            next_node += 1;
            arcs.push((volunteer_node(v), day_node, 1, 0));
            for (d, s) in day_shifts {
                let score = 10_000.0 - 6_000.0 * d - rng.gen_range(0.0..4_000.0);
                let score = score.clamp(0.0, 10_000.0) as i64;
                arcs.push((day_node, shift_node(s), 1, 10_000 - score));
            }
        }
    }
    for (s, &seat) in seats.iter().enumerate() {
        arcs.push((shift_node(s), sink, seat, 0));
    }
    let mut network = FlowNetwork::new(next_node);
    for (from, to, cap, cost) in arcs {
        network.add_arc(from, to, cap, cost);
    }
    (network, source, sink)
}
