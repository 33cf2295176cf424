//! Match quality on the demo district: first come, first served against the optimal plan, on
//! the same event and the same pool.
//!
//! ```text
//! cargo run --release -p hourbook-matching --example roster_compare [-- SEED VOLUNTEERS MAX_SHIFTS [travel]]
//! ```
//!
//! With `travel`, the plan weighs distance alone (every other weight and the spread penalty
//! at zero): how short travel gets when nothing else counts.

use hourbook_domain::demo::{EVENT_CHILDCARE, EVENT_DROWNING, EVENT_TRAFFIC};
use hourbook_matching::compare::{Quality, first_come_first_served};
use hourbook_matching::district::{Instance, demo_event};
use hourbook_matching::{PlanOptions, Weights, plan_roster};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2027);
    let volunteers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let mut options = PlanOptions::default();
    if let Some(most) = args.next().and_then(|a| a.parse().ok()) {
        options.max_shifts_per_volunteer = most;
    }
    let travel_only = args.next().as_deref() == Some("travel");
    if travel_only {
        options.spread_penalty = 0.0;
    }
    println!(
        "demo district, seed {seed}, {volunteers} volunteers, at most {} shifts each{}\n",
        options.max_shifts_per_volunteer,
        if travel_only {
            ", plan by distance alone"
        } else {
            ""
        }
    );
    for (name, event) in [
        ("summer childcare", EVENT_CHILDCARE),
        ("drowning prevention", EVENT_DROWNING),
        ("civilized traffic", EVENT_TRAFFIC),
    ] {
        let Instance {
            volunteers,
            shifts,
            mut ctx,
        } = demo_event(seed, volunteers, event);
        if travel_only {
            ctx.weights = Weights {
                distance: 100.0,
                preferred_skill: 0.0,
                urgency: 0.0,
                fairness: 0.0,
                requirement_progress: 0.0,
            };
        }
        let fcfs = first_come_first_served(&volunteers, &shifts, &ctx, options);
        let started = std::time::Instant::now();
        let plan = plan_roster(&volunteers, &shifts, &ctx, options, |_| {});
        let took = started.elapsed();
        let before = Quality::measure(&fcfs, &volunteers, &shifts, &ctx);
        let after = Quality::measure(&plan.assignments, &volunteers, &shifts, &ctx);
        println!(
            "{name}: {} shifts, {} seats (optimal plan in {:.0} ms)",
            shifts.len(),
            before.seats,
            took.as_secs_f64() * 1000.0
        );
        println!("  {:<34} {:>12} {:>12}", "", "first-come", "optimal");
        let row = |label: &str, a: String, b: String| println!("  {label:<34} {a:>12} {b:>12}");
        row(
            "fill rate",
            format!("{:.1} %", before.fill_rate()),
            format!("{:.1} %", after.fill_rate()),
        );
        row(
            "seats filled",
            before.filled.to_string(),
            after.filled.to_string(),
        );
        row(
            "preferred-skill coverage (shifts)",
            format!("{:.1} %", 100.0 * before.skill_coverage),
            format!("{:.1} %", 100.0 * after.skill_coverage),
        );
        row(
            "mean travel",
            format!("{:.2} km", before.mean_km),
            format!("{:.2} km", after.mean_km),
        );
        row(
            "90th-percentile travel",
            format!("{:.2} km", before.p90_km),
            format!("{:.2} km", after.p90_km),
        );
        row(
            "volunteers with a shift",
            before.volunteers_used.to_string(),
            after.volunteers_used.to_string(),
        );
        row(
            "hours: Gini over those volunteers",
            format!("{:.3}", before.hours_gini),
            format!("{:.3}", after.hours_gini),
        );
        row(
            "hours: most for one volunteer",
            format!("{:.1} h", before.max_hours),
            format!("{:.1} h", after.max_hours),
        );
        println!(
            "  no plan fills more than {} seats ({:.1} %){}",
            plan.fill_bound,
            100.0 * plan.fill_bound as f64 / before.seats.max(1) as f64,
            if after.filled == plan.fill_bound {
                ": the optimal plan's fill is the most possible"
            } else {
                ""
            }
        );
        // The planner's measure: scores less the spread penalty.
        match plan.score_gap {
            Some(0.0) => {
                println!("  no plan filling as many seats does better: the plan is optimal")
            }
            Some(gap) => println!(
                "  no plan filling as many seats does better by more than {gap:.2} points ({:.3} % of {:.1})",
                100.0 * gap / plan.total_score.max(f64::MIN_POSITIVE),
                plan.total_score
            ),
            None => println!("  no certificate for the plan's score"),
        }
        println!(
            "  fill rate +{:.1} points; mean travel {:.0} % of first-come\n",
            after.fill_rate() - before.fill_rate(),
            100.0 * after.mean_km / before.mean_km.max(f64::MIN_POSITIVE)
        );
    }
}
