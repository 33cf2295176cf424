//! Whether a shift may be proposed to a volunteer, and how well they fit, with reasons.
//!
//! The hard filters are `eligibility::may_be_proposed` (the same rules, in the same function,
//! as the `assess` signups use: ages, guardian consent,
//! required skills with valid certificates, travel radius, weekly availability) plus what only
//! matching cares about: the shift has not started, has a seat left, does not clash with a
//! confirmed shift, and the volunteer is not already on it.
//!
//! The score is `sum(weight * term)` with every term in `0..=1` ([`Weights`] documents each);
//! every term that contributes is reported back as a [`Reason`].

use crate::model::{Audience, MatchContext, OpenShift, Volunteer, Weights};
use hourbook_domain::eligibility::may_be_proposed;
use hourbook_domain::error::MessageParams;
use hourbook_domain::location::round_km;
use serde::Serialize;

/// One term of a score, explained.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// `distance`, `preferred_skill`, `urgent`, `fairness` or `requirement_progress`.
    #[schema(value_type = String, example = "distance")]
    pub code: &'static str,
    /// For people, in English, e.g. "1.8 km" or "starts in 2 days, 3 of 10 seats filled".
    pub detail: String,
    /// What `detail` says, as values, so that a client (the web pages among them) can word
    /// the reason in its own language: `km`; `skills` (skill codes, comma separated); `unit`
    /// (`hours` or `days`), `in`, `confirmed` and `capacity`; `hours`; `requirement`. Only
    /// what the audience may see: organizers get `unit` `near` (under 1 km) or `about` with
    /// whole `km`, and neither `hours` nor the volunteer's own progress.
    #[schema(value_type = std::collections::BTreeMap<String, String>, example = json!({"km": "1.8"}))]
    pub params: MessageParams,
    /// Points this term adds to the score. Organizers get 0 for the terms about the
    /// volunteer themselves (`distance`, `fairness`, `requirement_progress`): those points
    /// would give away how far from the shift they live and how many hours they have.
    pub points: f64,
}

fn params<const N: usize>(pairs: [(&'static str, String); N]) -> MessageParams {
    pairs.into_iter().collect()
}

/// A score with its reasons, strongest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Points, `0..=weights.maximum()`, rounded to 0.1.
    pub score: f64,
    /// The terms that contributed.
    pub reasons: Vec<Reason>,
}

/// Whether matching may propose `shift` to `volunteer`, who lives `distance_km` from it.
pub fn proposable(
    volunteer: &Volunteer,
    shift: &OpenShift,
    distance_km: f64,
    ctx: &MatchContext,
) -> bool {
    // The cheap checks first: most pairs fail on distance or seats before the calendar.
    distance_km <= volunteer.profile.travel_radius_km
        && shift.seats_left() > 0
        && shift.facts.starts_at > ctx.now
        && !volunteer.engaged.contains(&shift.id)
        && !volunteer.is_busy_during(shift)
        && (!volunteer.is_minor_on(shift, ctx.timezone, &ctx.ages) || shift.minor_seats_left() > 0)
        && may_be_proposed(
            &volunteer.profile,
            &shift.facts,
            shift.local(ctx.timezone),
            distance_km,
            &ctx.ages,
        )
}

/// How well `volunteer` fits `shift`, with the reasons; call only for pairs that are
/// [`proposable`].
pub fn score(
    volunteer: &Volunteer,
    shift: &OpenShift,
    distance_km: f64,
    ctx: &MatchContext,
) -> Scored {
    evaluate(volunteer, shift, distance_km, ctx, true)
}

/// The same score as [`score`] without writing the reasons: for ranking many pairs, where
/// only the best few are explained.
pub fn points(
    volunteer: &Volunteer,
    shift: &OpenShift,
    distance_km: f64,
    ctx: &MatchContext,
) -> f64 {
    evaluate(volunteer, shift, distance_km, ctx, false).score
}

fn evaluate(
    volunteer: &Volunteer,
    shift: &OpenShift,
    distance_km: f64,
    ctx: &MatchContext,
    explain: bool,
) -> Scored {
    let Weights {
        distance,
        preferred_skill,
        urgency,
        fairness,
        requirement_progress,
    } = ctx.weights;
    let mut reasons = Vec::with_capacity(if explain { 5 } else { 0 });
    let mut total = 0.0;
    let mut add = |code, weight: f64, term: f64, detail: &dyn Fn() -> (String, MessageParams)| {
        let points = round1(weight * term.clamp(0.0, 1.0));
        if points > 0.0 {
            total += points;
            if explain {
                let (detail, params) = detail();
                let personal = matches!(code, "distance" | "fairness" | "requirement_progress");
                let shown = ctx.audience == Audience::Volunteer || !personal;
                reasons.push(Reason {
                    code,
                    detail,
                    params,
                    points: if shown { points } else { 0.0 },
                });
            }
        }
    };

    let radius = volunteer.profile.travel_radius_km.max(0.1);
    add(
        "distance",
        distance,
        1.0 - distance_km / radius,
        &|| match ctx.audience {
            Audience::Volunteer => {
                let km = round_km(distance_km);
                (format!("{km} km"), params([("km", km.to_string())]))
            }
            Audience::Organizer if distance_km < 1.0 => (
                coarse_distance(distance_km),
                params([("unit", "near".to_string())]),
            ),
            Audience::Organizer => (
                coarse_distance(distance_km),
                params([
                    ("unit", "about".to_string()),
                    ("km", coarse_km(distance_km).to_string()),
                ]),
            ),
        },
    );

    if !shift.preferred_skills.is_empty() {
        let day = shift.local(ctx.timezone).date;
        let held = || {
            shift.preferred_skills.iter().filter(|skill| {
                volunteer
                    .profile
                    .skills
                    .iter()
                    .any(|h| h.skill == **skill && h.valid_on(day))
            })
        };
        add(
            "preferred_skill",
            preferred_skill,
            held().count() as f64 / shift.preferred_skills.len() as f64,
            &|| {
                let detail = held()
                    .map(|skill| skill.as_str().replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", ");
                let codes = held().map(|skill| skill.as_str()).collect::<Vec<_>>();
                (detail, params([("skills", codes.join(","))]))
            },
        );
    }

    let hours_to_start = (shift.facts.starts_at - ctx.now).num_minutes() as f64 / 60.0;
    let days_to_start = hours_to_start / 24.0;
    if days_to_start < ctx.urgent_within_days && shift.capacity > 0 {
        let fill = f64::from(shift.confirmed) / f64::from(shift.capacity);
        let (unit, count) = if hours_to_start < 24.0 {
            ("hours", hours_to_start.ceil().max(1.0))
        } else {
            ("days", days_to_start.floor())
        };
        add(
            "urgent",
            urgency,
            (1.0 - days_to_start / ctx.urgent_within_days) * (1.0 - fill),
            &|| {
                let detail = format!(
                    "starts in {count} {unit}, {} of {} seats filled",
                    shift.confirmed, shift.capacity
                );
                let values = params([
                    ("unit", unit.to_string()),
                    ("in", count.to_string()),
                    ("confirmed", shift.confirmed.to_string()),
                    ("capacity", shift.capacity.to_string()),
                ]);
                (detail, values)
            },
        );
    }

    let served_hours = volunteer.served_minutes as f64 / 60.0;
    if ctx.fairness_saturation_hours > 0.0 {
        add(
            "fairness",
            fairness,
            1.0 - served_hours / ctx.fairness_saturation_hours,
            &|| match ctx.audience {
                Audience::Volunteer => {
                    let hours = round1(served_hours);
                    (
                        format!("{hours} verified hours so far"),
                        params([("hours", hours.to_string())]),
                    )
                }
                Audience::Organizer => (
                    "a turn for someone with fewer hours".to_string(),
                    MessageParams::new(),
                ),
            },
        );
    }

    if let Some(goal) = &volunteer.goal
        && goal.missing_minutes > 0
        && shift.minutes() > 0
    {
        let counted = shift.minutes().min(goal.missing_minutes);
        add(
            "requirement_progress",
            requirement_progress,
            counted as f64 / shift.minutes() as f64,
            &|| {
                let requirement = ("requirement", goal.name.clone());
                match ctx.audience {
                    Audience::Volunteer => {
                        let hours = round1(goal.missing_minutes as f64 / 60.0);
                        (
                            format!("you need {hours} more hours for {}", goal.name),
                            params([requirement, ("hours", hours.to_string())]),
                        )
                    }
                    Audience::Organizer => (
                        format!("working toward {}", goal.name),
                        params([requirement]),
                    ),
                }
            },
        );
    }

    reasons.sort_by(|a, b| b.points.total_cmp(&a.points));
    Scored {
        score: round1(total),
        reasons,
    }
}

/// A distance an organizer may see: whole kilometres, so that distances from a few known
/// places do not pin down where a volunteer lives.
pub fn coarse_distance(km: f64) -> String {
    if km < 1.0 {
        "under 1 km".to_string()
    } else {
        format!("about {} km", coarse_km(km))
    }
}

/// A distance in km for organizers (whole km).
pub fn coarse_km(km: f64) -> f64 {
    km.round()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RequirementGoal;
    use crate::testing::{context, shift, volunteer};
    use chrono::Duration;
    use hourbook_domain::profile::SkillHolding;
    use hourbook_domain::{Skill, SkillList};

    #[test]
    fn closer_preferred_skilled_and_urgent_scores_higher_with_reasons() {
        let ctx = context();
        let mut v = volunteer();
        let mut s = shift(&ctx, Duration::days(2));
        s.capacity = 10;
        s.confirmed = 3;
        s.preferred_skills = SkillList::from_slice(&[Skill::FirstAid]);
        v.profile.skills = vec![SkillHolding {
            skill: Skill::FirstAid,
            certificate_expires_on: Some("2030-01-01".parse().unwrap()),
        }];
        v.goal = Some(RequirementGoal {
            name: "League recommendation".into(),
            missing_minutes: 360,
        });
        let near = score(&v, &s, 1.8, &ctx);
        let details: Vec<(&str, &str)> = near
            .reasons
            .iter()
            .map(|r| (r.code, r.detail.as_str()))
            .collect();
        assert!(details.contains(&("distance", "1.8 km")), "{details:?}");
        assert!(
            details.contains(&("preferred_skill", "first aid")),
            "{details:?}"
        );
        assert!(
            details.contains(&("urgent", "starts in 2 days, 3 of 10 seats filled")),
            "{details:?}"
        );
        assert!(
            details.contains(&(
                "requirement_progress",
                "you need 6 more hours for League recommendation"
            )),
            "{details:?}"
        );
        let sum: f64 = near.reasons.iter().map(|r| r.points).sum();
        assert!((near.score - sum).abs() < 0.05);
        assert_eq!(
            points(&v, &s, 1.8, &ctx),
            near.score,
            "the same score, unexplained"
        );
        assert!(near.score <= ctx.weights.maximum());

        let far = score(&v, &s, 4.5, &ctx);
        assert!(far.score < near.score);
        v.profile.skills.clear();
        assert!(score(&v, &s, 1.8, &ctx).score < near.score);
        v.served_minutes = 40 * 60;
        assert!(
            !score(&v, &s, 1.8, &ctx)
                .reasons
                .iter()
                .any(|r| r.code == "fairness")
        );
    }

    #[test]
    fn organizers_get_whole_kilometres_and_no_hours_in_words_or_values() {
        let mut ctx = context();
        ctx.audience = Audience::Organizer;
        let mut v = volunteer();
        v.served_minutes = 330;
        let s = shift(&ctx, Duration::days(2));
        let params = |km: f64, code: &str| {
            let scored = score(&v, &s, km, &ctx);
            let reason = scored.reasons.into_iter().find(|r| r.code == code).unwrap();
            assert_eq!(reason.points, 0.0, "{code}: points would give it away");
            (reason.detail, reason.params)
        };
        let (detail, values) = params(2.34, "distance");
        assert_eq!(detail, "about 2 km");
        assert_eq!(
            values,
            MessageParams::from([("unit", "about".into()), ("km", "2".into())])
        );
        let (detail, values) = params(0.4, "distance");
        assert_eq!(detail, "under 1 km");
        assert_eq!(values, MessageParams::from([("unit", "near".into())]));
        let (detail, values) = params(0.4, "fairness");
        assert!(
            !detail.contains("5.5") && values.is_empty(),
            "{detail} {values:?}"
        );
    }

    #[test]
    fn the_hard_filters_keep_out_what_matching_must_not_propose() {
        let ctx = context();
        let v = volunteer();
        let s = shift(&ctx, Duration::days(2));
        assert!(proposable(&v, &s, 1.0, &ctx));
        assert!(!proposable(&v, &s, v.profile.travel_radius_km + 0.1, &ctx));
        let mut full = s.clone();
        full.confirmed = full.capacity;
        assert!(!proposable(&v, &full, 1.0, &ctx));
        let started = shift(&ctx, Duration::minutes(-5));
        assert!(!proposable(&v, &started, 1.0, &ctx));
        let mut busy = v.clone();
        busy.busy.push((
            s.facts.starts_at + Duration::minutes(30),
            s.facts.ends_at + Duration::hours(1),
        ));
        assert!(!proposable(&busy, &s, 1.0, &ctx));
        let mut engaged = v.clone();
        engaged.engaged.push(s.id);
        assert!(!proposable(&engaged, &s, 1.0, &ctx));
        let mut skilled = s.clone();
        skilled.facts.required_skills = SkillList::from_slice(&[Skill::Lifeguard]);
        assert!(!proposable(&v, &skilled, 1.0, &ctx));
    }
}
