//! Solves a DIMACS min-cost max-flow instance (see `hourbook_matching::flow`) and prints one
//! JSON line `{"flow":..,"cost":..,"seconds":..}`; `seconds` covers the solve only, not reading
//! or parsing the file.
//!
//! ```text
//! cargo run --release -p hourbook-matching --example solve_dimacs -- instance.dimacs
//! ```

use hourbook_matching::flow::FlowNetwork;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: solve_dimacs INSTANCE.dimacs");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("solve_dimacs: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut network, source, sink) = match FlowNetwork::read_dimacs(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("solve_dimacs: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    drop(text);
    let start = Instant::now();
    let solution = network.min_cost_max_flow(source, sink, |_| {});
    let seconds = start.elapsed().as_secs_f64();
    println!(
        r#"{{"flow":{},"cost":{},"seconds":{}}}"#,
        solution.flow, solution.cost, seconds
    );
    ExitCode::SUCCESS
}
