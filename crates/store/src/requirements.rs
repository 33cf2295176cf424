//! Requirement programs and the students a school sees against them.

use crate::entities::{account, ledger_entry, requirement, requirement_version, volunteer_profile};
use crate::{Result, Store, StoreError, from_json, parse_id, parse_name, seconds, to_json};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use hourbook_domain::access::Actor;
use hourbook_domain::ledger::Provenance;
use hourbook_domain::requirement::{
    Counted, Evaluation, RequirementInput, Rule, in_force, star_level,
};
use hourbook_domain::{DomainError, OrganizationKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A program with every version of its rule, oldest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Requirement {
    /// Id.
    pub id: Uuid,
    /// The school or League committee.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// The rule in force today.
    pub current: Option<Rule>,
    /// Every version.
    pub versions: Vec<Rule>,
}

/// A linked student, as their school sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudentVolunteer {
    /// Account id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Volunteer number.
    pub volunteer_number: String,
    /// The school's own number for them.
    pub student_number: Option<String>,
}

/// A student's progress toward a requirement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudentProgress {
    /// Who.
    pub volunteer: StudentVolunteer,
    /// Minutes that count toward the requirement.
    pub total_minutes: i64,
    /// Those minutes split: recorded on site (check-in and check-out) or entered by hand.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// Requirement met.
    pub met: bool,
    /// Minutes still missing.
    pub missing_minutes: i64,
    /// The details: window, categories.
    pub evaluation: Evaluation,
    /// Star level from all verified hours.
    pub stars: usize,
}

/// A ledger entry as requirements count it: on its local day.
fn counted_of(e: &ledger_entry::Model, tz: Tz) -> Result<Counted> {
    Ok(Counted {
        day: e.started_at.with_timezone(&tz).date_naive(),
        category: e.category.clone(),
        minutes: e.minutes,
        source: parse_name(&e.source)?,
    })
}

fn rule_of(v: requirement_version::Model) -> Result<Rule> {
    Ok(Rule {
        min_minutes: v.min_minutes,
        window: parse_name(&v.window_kind)?,
        window_days: v.window_days.map(|d| d.max(0) as u32),
        category_minimums: from_json(&v.category_minimums)?,
        effective_from: v.effective_from,
    })
}

async fn load(
    db: &impl ConnectionTrait,
    m: requirement::Model,
    today: NaiveDate,
) -> Result<Requirement> {
    let versions = requirement_version::Entity::find()
        .filter(requirement_version::Column::RequirementId.eq(m.id.clone()))
        .order_by_asc(requirement_version::Column::EffectiveFrom)
        .order_by_asc(requirement_version::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(rule_of)
        .collect::<Result<Vec<_>>>()?;
    Ok(Requirement {
        id: parse_id(&m.id)?,
        organization_id: parse_id(&m.organization_id)?,
        name: m.name,
        current: in_force(&versions, today).cloned(),
        versions,
    })
}

async fn insert_version(
    db: &impl ConnectionTrait,
    requirement_id: &str,
    rule: &Rule,
    created_by: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    requirement_version::Entity::insert(requirement_version::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        requirement_id: Set(requirement_id.to_string()),
        min_minutes: Set(rule.min_minutes),
        window_kind: Set(<&str>::from(rule.window).to_string()),
        window_days: Set(rule.window_days.map(|d| d as i32)),
        category_minimums: Set(to_json(&rule.category_minimums)),
        effective_from: Set(rule.effective_from),
        created_by: Set(created_by.to_string()),
        created_at: Set(seconds(now)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Inserts a program with its first version; returns its id.
pub(crate) async fn insert_requirement(
    db: &impl ConnectionTrait,
    org: Uuid,
    name: String,
    rule: &Rule,
    created_by: Uuid,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = Uuid::new_v4().to_string();
    requirement::Entity::insert(requirement::ActiveModel {
        id: Set(id.clone()),
        organization_id: Set(org.to_string()),
        name: Set(name),
        created_at: Set(seconds(now)),
    })
    .exec_without_returning(db)
    .await?;
    insert_version(db, &id, rule, created_by, now).await?;
    Ok(id)
}

impl Store {
    /// Only a school's or League committee's admins set its requirements.
    async fn check_requirement_admin(&self, actor: &Actor, org: Uuid) -> Result<()> {
        let organization = self.organization(org).await?;
        if !actor.admin_of(org) {
            return Err(StoreError::Forbidden(
                "only the organization's admins set its requirements",
            ));
        }
        if !matches!(
            organization.kind,
            OrganizationKind::School | OrganizationKind::LeagueCommittee
        ) {
            return Err(DomainError::invalid(
                "organization_id",
                "only schools and League committees set requirements",
            )
            .into());
        }
        Ok(())
    }

    /// Creates a program with its first version.
    pub async fn create_requirement(
        &self,
        actor: &Actor,
        org: Uuid,
        input: RequirementInput,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Requirement> {
        self.check_requirement_admin(actor, org).await?;
        let today = now.with_timezone(&tz).date_naive();
        let (name, rule) = input.validate(today)?;
        let txn = self.write().await?;
        let id = insert_requirement(&txn, org, name, &rule, actor.account_id, now).await?;
        let m = requirement::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("requirement"))?;
        let view = load(&txn, m, today).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Adds a version (a new threshold from `effective_from`); the name may change too.
    pub async fn revise_requirement(
        &self,
        actor: &Actor,
        org: Uuid,
        requirement_id: Uuid,
        input: RequirementInput,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Requirement> {
        self.check_requirement_admin(actor, org).await?;
        let today = now.with_timezone(&tz).date_naive();
        let (name, rule) = input.validate(today)?;
        if rule.effective_from < today {
            return Err(DomainError::invalid(
                "effective_from",
                "must not be in the past: checks already made stand as they were",
            )
            .into());
        }
        let txn = self.write().await?;
        let m = requirement::Entity::find_by_id(requirement_id.to_string())
            .one(&txn)
            .await?
            .filter(|m| m.organization_id == org.to_string())
            .ok_or(StoreError::NotFound("requirement"))?;
        requirement::Entity::update(requirement::ActiveModel {
            id: Set(m.id.clone()),
            name: Set(name),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        insert_version(&txn, &m.id, &rule, actor.account_id, now).await?;
        let m = requirement::Entity::find_by_id(m.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("requirement"))?;
        let view = load(&txn, m, today).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// An organization's programs (requirements are not secret: students plan by them).
    pub async fn requirements(
        &self,
        org: Uuid,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<Requirement>> {
        self.organization(org).await?;
        let today = now.with_timezone(&tz).date_naive();
        let mut out = Vec::new();
        for m in requirement::Entity::find()
            .filter(requirement::Column::OrganizationId.eq(org.to_string()))
            .order_by_asc(requirement::Column::Name)
            .all(self.db())
            .await?
        {
            out.push(load(self.db(), m, today).await?);
        }
        Ok(out)
    }

    /// The volunteer's progress on `today` toward each requirement in force of the school they
    /// linked (none without a link): the same evaluation the school's student list makes.
    pub async fn my_progress(
        &self,
        volunteer: Uuid,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Requirement, Rule, Evaluation)>> {
        let Some(school) = volunteer_profile::Entity::find_by_id(volunteer.to_string())
            .one(self.db())
            .await?
            .and_then(|p| p.school_organization_id)
        else {
            return Ok(Vec::new());
        };
        let counted = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::VolunteerId.eq(volunteer.to_string()))
            .all(self.db())
            .await?
            .iter()
            .map(|e| counted_of(e, tz))
            .collect::<Result<Vec<_>>>()?;
        let today = now.with_timezone(&tz).date_naive();
        let mut out = Vec::new();
        for requirement in self.requirements(parse_id(&school)?, tz, now).await? {
            if let Some(rule) = in_force(&requirement.versions, today).cloned() {
                let evaluation = rule.evaluate(&counted, today);
                out.push((requirement, rule, evaluation));
            }
        }
        Ok(out)
    }

    /// The students who linked `org` (and only they: unlinking takes them off at once), each
    /// evaluated against `requirement_id` on `on` (default today), for the school's staff, by
    /// student number.
    pub async fn students(
        &self,
        actor: &Actor,
        org: Uuid,
        requirement_id: Uuid,
        on: Option<NaiveDate>,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<StudentProgress>> {
        self.organization(org).await?;
        if !actor.may_verify(org) {
            return Err(StoreError::Forbidden(
                "only the school's staff see its students",
            ));
        }
        let today = now.with_timezone(&tz).date_naive();
        let on = on.unwrap_or(today);
        let program = requirement::Entity::find_by_id(requirement_id.to_string())
            .one(self.db())
            .await?
            .filter(|m| m.organization_id == org.to_string())
            .ok_or(StoreError::NotFound("requirement"))?;
        let program = load(self.db(), program, today).await?;
        let rule = in_force(&program.versions, on).cloned().ok_or_else(|| {
            DomainError::invalid("on", "the requirement was not in force on that date")
        })?;
        let profiles = volunteer_profile::Entity::find()
            .filter(volunteer_profile::Column::SchoolOrganizationId.eq(org.to_string()))
            .all(self.db())
            .await?;
        let ids: Vec<String> = profiles.iter().map(|p| p.account_id.clone()).collect();
        let mut people: HashMap<String, account::Model> = HashMap::new();
        let mut entries: HashMap<String, Vec<Counted>> = HashMap::new();
        let mut totals: HashMap<String, i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            for a in account::Entity::find()
                .filter(account::Column::Id.is_in(chunk.iter().cloned()))
                .all(self.db())
                .await?
            {
                people.insert(a.id.clone(), a);
            }
            for e in ledger_entry::Entity::find()
                .filter(ledger_entry::Column::VolunteerId.is_in(chunk.iter().cloned()))
                .all(self.db())
                .await?
            {
                *totals.entry(e.volunteer_id.clone()).or_default() += e.minutes;
                let counted = counted_of(&e, tz)?;
                entries
                    .entry(e.volunteer_id.clone())
                    .or_default()
                    .push(counted);
            }
        }
        let mut out = Vec::with_capacity(profiles.len());
        for p in profiles {
            let Some(person) = people.get(&p.account_id) else {
                continue;
            };
            let evaluation = rule.evaluate(
                entries.get(&p.account_id).map_or(&[][..], Vec::as_slice),
                on,
            );
            out.push(StudentProgress {
                volunteer: StudentVolunteer {
                    id: parse_id(&person.id)?,
                    name: person.name.clone(),
                    volunteer_number: person.volunteer_number.clone(),
                    student_number: p.student_number.clone(),
                },
                total_minutes: evaluation.counted_minutes,
                provenance: evaluation.provenance,
                met: evaluation.met,
                missing_minutes: evaluation.missing_minutes,
                stars: star_level(totals.get(&p.account_id).copied().unwrap_or_default()),
                evaluation,
            });
        }
        // As a school lists its students: by their number, then name.
        out.sort_by(|a, b| {
            let key = |s: &StudentProgress| {
                (
                    s.volunteer.student_number.clone(),
                    s.volunteer.name.clone(),
                    s.volunteer.id,
                )
            };
            key(a).cmp(&key(b))
        });
        Ok(out)
    }
}
