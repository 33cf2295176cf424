//! Who is acting, and what their roles let them do.

use crate::catalogue::MemberRole;
use uuid::Uuid;

/// A signed-in account with its roles, as resolved from its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account.
    pub account_id: Uuid,
    /// Platform administrators create organizations and appoint their first admins.
    pub platform_admin: bool,
    /// Roles held, per organization.
    pub memberships: Vec<(Uuid, MemberRole)>,
}

impl Actor {
    fn holds(&self, organization_id: Uuid, allowed: impl Fn(MemberRole) -> bool) -> bool {
        self.memberships
            .iter()
            .any(|(org, role)| *org == organization_id && allowed(*role))
    }

    /// May post events and shifts and run rosters for this organization.
    pub fn may_organize(&self, organization_id: Uuid) -> bool {
        self.holds(organization_id, MemberRole::may_organize)
    }

    /// May verify and correct hours recorded by this organization.
    pub fn may_verify(&self, organization_id: Uuid) -> bool {
        self.holds(organization_id, MemberRole::may_verify)
    }

    /// Holds the organization's admin role itself. Platform admins appoint an organization's
    /// admins; they do not set its rules.
    pub fn admin_of(&self, organization_id: Uuid) -> bool {
        self.holds(organization_id, |r| r == MemberRole::Admin)
    }

    /// May manage this organization's members.
    pub fn may_administer(&self, organization_id: Uuid) -> bool {
        self.platform_admin || self.holds(organization_id, |r| r == MemberRole::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_apply_only_in_their_own_organization() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let actor = Actor {
            account_id: Uuid::from_u128(9),
            platform_admin: false,
            memberships: vec![(a, MemberRole::Verifier)],
        };
        assert!(actor.may_verify(a));
        assert!(!actor.may_organize(a));
        assert!(!actor.may_verify(b));
        assert!(!actor.may_administer(a));
        let admin = Actor {
            platform_admin: true,
            memberships: vec![],
            ..actor
        };
        assert!(admin.may_administer(b));
        assert!(
            !admin.may_organize(b),
            "platform admins do not run other organizations' events"
        );
    }
}
