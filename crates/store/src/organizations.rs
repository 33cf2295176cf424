//! Organizations and their members.

use crate::entities::{account, membership, organization};
use crate::{Result, Store, StoreError, commit, parse_id, parse_name, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::error::Validator;
use hourbook_domain::identity::{Email, parse_name as parse_display_name};
use hourbook_domain::{Coordinates, DomainError, MemberRole, OrganizationKind};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An organization as sent by a platform admin.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Administrative region code, e.g. `310107`.
    #[serde(default)]
    pub region_code: Option<String>,
    /// Where it is.
    #[serde(default)]
    pub location: Option<Coordinates>,
}

/// An organization.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organization {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Region code.
    pub region_code: Option<String>,
    /// Location.
    pub location: Option<Coordinates>,
}

impl TryFrom<organization::Model> for Organization {
    type Error = StoreError;
    fn try_from(m: organization::Model) -> Result<Self> {
        Ok(Self {
            id: parse_id(&m.id)?,
            name: m.name,
            kind: parse_name(&m.kind)?,
            region_code: m.region_code,
            location: m.lat.zip(m.lon).map(|(lat, lon)| Coordinates { lat, lon }),
        })
    }
}

/// A member as sent by an org admin.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// The member's account e-mail.
    pub email: String,
    /// The role to grant.
    pub role: MemberRole,
}

/// A membership.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Membership {
    /// Membership id.
    pub id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Account.
    pub account_id: Uuid,
    /// Member's name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: MemberRole,
}

impl Store {
    /// Creates an organization (platform admins only).
    pub async fn create_organization(
        &self,
        actor: &Actor,
        input: OrganizationInput,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        if !actor.platform_admin {
            return Err(StoreError::Forbidden(
                "only platform administrators create organizations",
            ));
        }
        let mut v = Validator::new();
        let name = v.check(parse_display_name(&input.name, "name"));
        let region_code = input
            .region_code
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if region_code
            .as_ref()
            .is_some_and(|r| r.len() > 12 || !r.chars().all(|c| c.is_ascii_digit()))
        {
            v.error("region_code", "must be up to 12 digits");
        }
        if let Some(at) = input.location {
            v.check(Coordinates::parse(at.lat, at.lon, "location"));
        }
        if input.kind == OrganizationKind::ExternalHost {
            v.error(
                "kind",
                "external hosts are recorded when they confirm a volunteer's claim",
            );
        }
        let name = v.finish_with(name)?;
        let id = Uuid::new_v4();
        organization::Entity::insert(organization::ActiveModel {
            id: Set(id.to_string()),
            name: Set(name.clone()),
            kind: Set(input.kind.as_str().into()),
            region_code: Set(region_code.clone()),
            lat: Set(input.location.map(|l| l.lat)),
            lon: Set(input.location.map(|l| l.lon)),
            created_at: Set(seconds(now)),
        })
        .exec_without_returning(self.db())
        .await?;
        Ok(Organization {
            id,
            name,
            kind: input.kind,
            region_code,
            location: input.location,
        })
    }

    /// One organization.
    pub async fn organization(&self, id: Uuid) -> Result<Organization> {
        organization::Entity::find_by_id(id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("organization"))?
            .try_into()
    }

    /// All organizations on Hourbook, by name (external hosts are not on it).
    pub async fn organizations(&self) -> Result<Vec<Organization>> {
        organization::Entity::find()
            .filter(organization::Column::Kind.ne(OrganizationKind::ExternalHost.as_str()))
            .order_by_asc(organization::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(Organization::try_from)
            .collect()
    }

    /// Grants a role in an organization to an existing account (org admins and platform admins).
    pub async fn add_member(
        &self,
        actor: &Actor,
        organization_id: Uuid,
        input: MemberInput,
        now: DateTime<Utc>,
    ) -> Result<Membership> {
        let organization = self.organization(organization_id).await?;
        if !actor.may_administer(organization_id) {
            return Err(StoreError::Forbidden(
                "only the organization's admins add members",
            ));
        }
        if organization.kind == OrganizationKind::ExternalHost {
            // Its confirmations came from its contact's link; nobody may verify in its name.
            return Err(StoreError::conflict(
                "an external host is a record of who confirmed claims and has no members",
            ));
        }
        let email = Email::parse(&input.email)?;
        let txn = self.write().await?;
        let account = account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                DomainError::invalid("email", "no account is registered with this e-mail address")
            })?;
        let existing = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(organization_id.to_string()))
            .filter(membership::Column::AccountId.eq(account.id.clone()))
            .filter(membership::Column::Role.eq(input.role.as_str()))
            .one(&txn)
            .await?;
        if existing.is_some() {
            return Err(StoreError::conflict("this account already holds that role"));
        }
        let id = Uuid::new_v4();
        membership::Entity::insert(membership::ActiveModel {
            id: Set(id.to_string()),
            organization_id: Set(organization_id.to_string()),
            account_id: Set(account.id.clone()),
            role: Set(input.role.as_str().into()),
            created_at: Set(seconds(now)),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            // A concurrent grant of the same role won the race.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                StoreError::conflict("this account already holds that role")
            }
            _ => e.into(),
        })?;
        let member = Membership {
            id,
            organization_id,
            account_id: parse_id(&account.id)?,
            name: account.name,
            email: account.email,
            role: input.role,
        };
        commit(txn, member).await
    }
}
