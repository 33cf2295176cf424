//! Volunteer profiles. ID-card numbers are never stored: only their masked form, for display,
//! and a keyed hash, to find duplicates without being able to recover the number.

use crate::entities::{organization, volunteer_profile};
use crate::signups::{SignupRules, reseat_where_waiting};
use crate::{Result, Store, StoreError, from_json, parse_id, seconds, to_json};
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use hourbook_domain::profile::{AvailabilitySlot, Guardian, SkillHolding, VolunteerProfile};
use hourbook_domain::roster::WaitReason;
use hourbook_domain::{Coordinates, DomainError, OrganizationKind};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Serialize;
use sha2::Sha256;
use uuid::Uuid;

/// A profile as shown to its owner (and to those with a reason to see it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Phone.
    pub phone: Option<String>,
    /// Home.
    pub home: Coordinates,
    /// Travel radius.
    pub travel_radius_km: f64,
    /// Skills.
    pub skills: Vec<SkillHolding>,
    /// Availability.
    pub availability: Vec<AvailabilitySlot>,
    /// Linked school.
    pub school_organization_id: Option<Uuid>,
    /// Student number.
    pub student_number: Option<String>,
    /// ID number, masked.
    pub id_number: Option<String>,
    /// Findable by organizers.
    pub discoverable: bool,
    /// Guardian.
    pub guardian: Option<Guardian>,
}

impl Profile {
    /// The rule-bearing part of the profile, for eligibility.
    pub fn rules_view(&self) -> VolunteerProfile {
        VolunteerProfile {
            birth_date: self.birth_date,
            phone: self.phone.clone(),
            home: self.home,
            travel_radius_km: self.travel_radius_km,
            skills: self.skills.clone(),
            availability: self.availability.clone(),
            school_organization_id: self.school_organization_id,
            student_number: self.student_number.clone(),
            id_number: None,
            discoverable: self.discoverable,
            guardian: self.guardian.clone(),
        }
    }
}

impl TryFrom<volunteer_profile::Model> for Profile {
    type Error = StoreError;
    fn try_from(m: volunteer_profile::Model) -> Result<Self> {
        Ok(Self {
            birth_date: m.birth_date,
            phone: m.phone,
            home: Coordinates {
                lat: m.home_lat,
                lon: m.home_lon,
            },
            travel_radius_km: m.travel_radius_km,
            skills: from_json(&m.skills)?,
            availability: from_json(&m.availability)?,
            school_organization_id: m
                .school_organization_id
                .as_deref()
                .map(parse_id)
                .transpose()?,
            student_number: m.student_number,
            id_number: m.id_number_masked,
            discoverable: m.discoverable,
            guardian: m.guardian.as_deref().map(from_json).transpose()?,
        })
    }
}

fn keyed_hash(key: &[u8], value: &str) -> String {
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What saving a profile without an ID number does to the one on file. Only its keyed hash
/// and masked form are stored, so a form cannot show it back to be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingIdNumber {
    /// The profile replaces everything: no ID number means none on file (the API's PUT).
    Clears,
    /// The one on file stays (a form whose ID number field was left blank).
    Keeps,
}

/// Writes a profile row inside the caller's transaction (also used by the demo loader).
pub(crate) async fn upsert_profile(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    profile: &VolunteerProfile,
    missing_id: MissingIdNumber,
    id_hash_key: &[u8],
    now: DateTime<Utc>,
) -> Result<()> {
    let model = volunteer_profile::ActiveModel {
        account_id: Set(account_id.to_string()),
        birth_date: Set(profile.birth_date),
        phone: Set(profile.phone.clone()),
        home_lat: Set(profile.home.lat),
        home_lon: Set(profile.home.lon),
        travel_radius_km: Set(profile.travel_radius_km),
        skills: Set(to_json(&profile.skills)),
        availability: Set(to_json(&profile.availability)),
        school_organization_id: Set(profile.school_organization_id.map(|id| id.to_string())),
        student_number: Set(profile.student_number.clone()),
        id_number_masked: Set(profile.id_number.as_ref().map(|id| id.masked())),
        id_number_hash: Set(profile
            .id_number
            .as_ref()
            .map(|id| keyed_hash(id_hash_key, id.expose()))),
        discoverable: Set(profile.discoverable),
        guardian: Set(profile.guardian.as_ref().map(to_json)),
        guardian_consent_at: Set(profile.guardian_consented().then(|| seconds(now))),
        updated_at: Set(seconds(now)),
    };
    use volunteer_profile::Column as C;
    let mut columns = vec![
        C::BirthDate,
        C::Phone,
        C::HomeLat,
        C::HomeLon,
        C::TravelRadiusKm,
        C::Skills,
        C::Availability,
        C::SchoolOrganizationId,
        C::StudentNumber,
        C::Discoverable,
        C::Guardian,
        C::GuardianConsentAt,
        C::UpdatedAt,
    ];
    if profile.id_number.is_some() || missing_id == MissingIdNumber::Clears {
        columns.extend([C::IdNumberMasked, C::IdNumberHash]);
    }
    volunteer_profile::Entity::insert(model)
        .on_conflict(
            OnConflict::column(C::AccountId)
                .update_columns(columns)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl Store {
    /// Creates or replaces the caller's profile.
    pub async fn save_profile(
        &self,
        account_id: Uuid,
        profile: VolunteerProfile,
        missing_id: MissingIdNumber,
        id_hash_key: &[u8],
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Profile> {
        crate::retrying(|| {
            self.save_profile_once(account_id, &profile, missing_id, id_hash_key, rules, now)
        })
        .await
    }

    async fn save_profile_once(
        &self,
        account_id: Uuid,
        profile: &VolunteerProfile,
        missing_id: MissingIdNumber,
        id_hash_key: &[u8],
        rules: &SignupRules,
        now: DateTime<Utc>,
    ) -> Result<Profile> {
        if let Some(school) = profile.school_organization_id {
            let org = organization::Entity::find_by_id(school.to_string())
                .one(self.db())
                .await?;
            if org.is_none_or(|o| o.kind != OrganizationKind::School.as_str()) {
                return Err(DomainError::invalid(
                    "school_organization_id",
                    "is not a school on Hourbook",
                )
                .into());
            }
        }
        let txn = self.write().await?;
        // Promotions re-check eligibility under this lock: a profile must not change in between.
        let volunteer_id = account_id.to_string();
        crate::signups::lock_account(&txn, &volunteer_id).await?;
        upsert_profile(&txn, account_id, profile, missing_id, id_hash_key, now).await?;
        // A renewed certificate or a guardian's consent may open seats the volunteer waited for.
        reseat_where_waiting(&txn, &volunteer_id, WaitReason::Ineligible, rules, now).await?;
        let saved = volunteer_profile::Entity::find_by_id(volunteer_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("profile"))?
            .try_into()?;
        txn.commit().await?;
        Ok(saved)
    }

    /// The account's profile, if it has filled one in.
    pub async fn profile(&self, account_id: Uuid) -> Result<Option<Profile>> {
        volunteer_profile::Entity::find_by_id(account_id.to_string())
            .one(self.db())
            .await?
            .map(Profile::try_from)
            .transpose()
    }
}
