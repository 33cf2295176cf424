//! Writes the flow network that roster planning solves, for a generated district, in DIMACS
//! format to stdout: the instance `benches/compare_ortools.py` hands to OR-Tools and to our
//! solver.
//!
//! ```text
//! cargo run --release -p hourbook-matching --example roster_instance -- VOLUNTEERS SHIFTS SEED [city|summer] > x.dimacs
//! ```
//!
//! `city` (the default): SHIFTS shifts over a 25 km disc around the district centre and
//! VOLUNTEERS demo volunteers living over the same disc (`district::city`). `summer`: a
//! childcare programme of 16 sites over SHIFTS / 16 weekdays (`district::summer_childcare`).
//! Source and sink are marked with `c source 1` / `c sink 2` lines.

use hourbook_matching::district::{city, summer_childcare};
use hourbook_matching::{PlanOptions, roster_network};
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Option<Vec<u64>> = args.iter().take(3).map(|a| a.parse().ok()).collect();
    let (Some(&[volunteers, shifts, seed]), kind) =
        (numbers.as_deref(), args.get(3).map(String::as_str))
    else {
        eprintln!("usage: roster_instance VOLUNTEERS SHIFTS SEED [city|summer]");
        return ExitCode::from(2);
    };
    let instance = match kind {
        None | Some("city") => city(seed, volunteers as usize, shifts as usize, 25.0),
        Some("summer") => {
            summer_childcare(seed, volunteers as usize, 16, (shifts as usize / 16).max(1))
        }
        Some(other) => {
            eprintln!("unknown kind {other:?}: city or summer");
            return ExitCode::from(2);
        }
    };
    let net = roster_network(
        &instance.volunteers,
        &instance.shifts,
        &instance.ctx,
        PlanOptions::default(),
    );
    let mut out = io::BufWriter::new(io::stdout().lock());
    match net.write_dimacs(0, 1, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write the instance: {e}");
            ExitCode::FAILURE
        }
    }
}
