//! Erasing a volunteer's account (PIPL's right to deletion) without breaking the ledger: the
//! entries stay, because organizations and the hash chains need them, but they name nobody
//! once the account's details are gone. Entries hold only ids and numbers, never a name, so
//! every chain still verifies.

use crate::claims::ClaimStatus;
use crate::entities::{
    account, certificate, dispute, hour_claim, invitation, membership, notification_opt_out,
    outbox_message, session, signup, volunteer_profile,
};
use crate::matching::InvitationStatus;
use crate::signups::lock_account;
use crate::{Result, Store, StoreError, seconds};
use chrono::{DateTime, Utc};
use hourbook_domain::roster::SignupStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The name an erased account shows where its entries are listed.
pub const ERASED_NAME: &str = "已注销 (account deleted)";
/// The domain of an erased account's placeholder address: nothing is ever sent there.
pub(crate) const ERASED_DOMAIN: &str = "@deleted.invalid";

impl Store {
    /// Erases the account's personal details: name, e-mail, password, profile (birth date,
    /// home, phone, guardian, school link, ID number), sessions, settings, certificates (they
    /// carry the name), their e-mail messages and what their claims say in their words. Refused while the volunteer holds or waits for a
    /// seat on a shift (they cancel first, so nobody is left expecting them) or belongs to an
    /// organization (its admins remove them first).
    pub async fn erase_account(&self, account_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let id = account_id.to_string();
        let txn = self.write().await?;
        lock_account(&txn, &id).await?;
        let waiting = signup::Entity::find()
            .filter(signup::Column::VolunteerId.eq(id.clone()))
            .filter(signup::Column::Status.is_in([
                SignupStatus::Requested.as_str(),
                SignupStatus::Confirmed.as_str(),
                SignupStatus::Waitlisted.as_str(),
                SignupStatus::CheckedIn.as_str(),
            ]))
            .one(&txn)
            .await?;
        if waiting.is_some() {
            return Err(StoreError::conflict(
                "cancel your upcoming signups first: organizers are counting on them",
            ));
        }
        let member = membership::Entity::find()
            .filter(membership::Column::AccountId.eq(id.clone()))
            .one(&txn)
            .await?;
        if member.is_some() {
            return Err(StoreError::conflict(
                "you belong to an organization: ask its admins to remove you first",
            ));
        }
        account::Entity::update_many()
            .col_expr(account::Column::Name, Expr::value(ERASED_NAME))
            .col_expr(
                account::Column::Email,
                Expr::value(format!("erased-{}{ERASED_DOMAIN}", account_id.simple())),
            )
            // No password hashes to this: the account can never log in again.
            .col_expr(account::Column::PasswordHash, Expr::value("!erased"))
            .filter(account::Column::Id.eq(id.clone()))
            .exec(&txn)
            .await?;
        volunteer_profile::Entity::delete_by_id(id.clone())
            .exec(&txn)
            .await?;
        session::Entity::delete_many()
            .filter(session::Column::AccountId.eq(id.clone()))
            .exec(&txn)
            .await?;
        notification_opt_out::Entity::delete_many()
            .filter(notification_opt_out::Column::AccountId.eq(id.clone()))
            .exec(&txn)
            .await?;
        certificate::Entity::delete_many()
            .filter(certificate::Column::VolunteerId.eq(id.clone()))
            .exec(&txn)
            .await?;
        // Dispute texts are the volunteer's words; the answers stay with the organization.
        dispute::Entity::update_many()
            .col_expr(dispute::Column::Reason, Expr::value("(erased)"))
            .filter(dispute::Column::VolunteerId.eq(id.clone()))
            .exec(&txn)
            .await?;
        // Claims keep what the ledger entries behind them need (title, times, host); the
        // volunteer's words and the contact they named go, and pending ones are withdrawn.
        hour_claim::Entity::update_many()
            .col_expr(
                hour_claim::Column::Status,
                Expr::value(ClaimStatus::Withdrawn.as_ref()),
            )
            .col_expr(hour_claim::Column::DecidedAt, Expr::value(seconds(now)))
            .filter(hour_claim::Column::VolunteerId.eq(id.clone()))
            .filter(hour_claim::Column::Status.eq(ClaimStatus::Pending.as_ref()))
            .exec(&txn)
            .await?;
        hour_claim::Entity::update_many()
            .col_expr(
                hour_claim::Column::Description,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                hour_claim::Column::EvidenceUrl,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                hour_claim::Column::HostContactName,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                hour_claim::Column::HostContactEmail,
                Expr::value(Option::<String>::None),
            )
            .filter(hour_claim::Column::VolunteerId.eq(id.clone()))
            .exec(&txn)
            .await?;
        invitation::Entity::update_many()
            .col_expr(
                invitation::Column::Status,
                Expr::value(InvitationStatus::Withdrawn.as_ref()),
            )
            .col_expr(invitation::Column::RespondedAt, Expr::value(seconds(now)))
            .filter(invitation::Column::VolunteerId.eq(id.clone()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_ref()))
            .exec(&txn)
            .await?;
        // Sent or not, the messages name the person and their address, and so do the copies
        // sent to a minor's guardian.
        outbox_message::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(outbox_message::Column::RecipientAccountId.eq(id.clone()))
                    .add(outbox_message::Column::SubjectAccountId.eq(id.clone())),
            )
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
