//! Signed links that work without logging in: one-click unsubscribe, only for the account
//! and kind of message they were made for; and a host's link to confirm one volunteer's
//! claim, only for that claim (it stops working once the claim is decided).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use hourbook_store::outbox::MessageKind;
use sha2::Sha256;
use uuid::Uuid;

/// Makes and checks unsubscribe tokens with a key from the configuration.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(<key>)")
    }
}

impl LinkSigner {
    /// A signer with this secret.
    pub fn new(key: &str) -> Self {
        Self {
            key: key.as_bytes().to_vec(),
        }
    }

    fn keyed(&self, purpose: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(purpose);
        mac
    }

    fn mac(&self, account: Uuid, kind: MessageKind) -> Hmac<Sha256> {
        let mut mac = self.keyed(b"hourbook-unsubscribe\0");
        mac.update(account.as_bytes());
        mac.update(kind.name().as_bytes());
        mac
    }

    fn claim_mac(&self, claim: Uuid) -> Hmac<Sha256> {
        let mut mac = self.keyed(b"hourbook-claim-host\0");
        mac.update(claim.as_bytes());
        mac
    }

    /// The token of the host's link for `claim`.
    pub fn claim_host_token(&self, claim: Uuid) -> String {
        let tag = URL_SAFE_NO_PAD.encode(self.claim_mac(claim).finalize().into_bytes());
        format!("{}.{tag}", claim.simple())
    }

    /// The claim a genuine host token names; `None` for anything else.
    pub fn check_claim_host(&self, token: &str) -> Option<Uuid> {
        let (claim, tag) = token.split_once('.')?;
        let claim: Uuid = claim.parse().ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.claim_mac(claim).verify_slice(&tag).ok()?;
        Some(claim)
    }

    /// The token for turning `kind` off for `account`.
    pub fn unsubscribe_token(&self, account: Uuid, kind: MessageKind) -> String {
        let tag = URL_SAFE_NO_PAD.encode(self.mac(account, kind).finalize().into_bytes());
        format!("{}.{}.{tag}", account.simple(), kind.name())
    }

    /// The account and kind a genuine token names; `None` for anything else.
    pub fn check_unsubscribe(&self, token: &str) -> Option<(Uuid, MessageKind)> {
        let mut parts = token.splitn(3, '.');
        let account: Uuid = parts.next()?.parse().ok()?;
        let kind: MessageKind = parts.next()?.parse().ok()?;
        let tag = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        // Constant-time comparison.
        self.mac(account, kind).verify_slice(&tag).ok()?;
        Some((account, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_account_and_kind_and_nothing_else() {
        let signer = LinkSigner::new("secret");
        let account = Uuid::new_v4();
        let token = signer.unsubscribe_token(account, MessageKind::Reminder24h);
        assert_eq!(
            signer.check_unsubscribe(&token),
            Some((account, MessageKind::Reminder24h))
        );
        // Another kind with the same tag, another account, another key, or a cut tag fail.
        let tag = token.rsplit('.').next().unwrap();
        let forged = format!("{}.reminder_2h.{tag}", account.simple());
        assert_eq!(signer.check_unsubscribe(&forged), None);
        let other = format!("{}.reminder_24h.{tag}", Uuid::new_v4().simple());
        assert_eq!(signer.check_unsubscribe(&other), None);
        assert_eq!(LinkSigner::new("other").check_unsubscribe(&token), None);
        assert_eq!(signer.check_unsubscribe(&token[..token.len() - 2]), None);
        assert_eq!(signer.check_unsubscribe("garbage"), None);
        assert_eq!(signer.check_unsubscribe(""), None);
    }

    #[test]
    fn a_host_token_names_its_claim_and_is_no_unsubscribe_token() {
        let signer = LinkSigner::new("secret");
        let claim = Uuid::new_v4();
        let token = signer.claim_host_token(claim);
        assert_eq!(signer.check_claim_host(&token), Some(claim));
        let tag = token.rsplit('.').next().unwrap();
        assert_eq!(
            signer.check_claim_host(&format!("{}.{tag}", Uuid::new_v4().simple())),
            None
        );
        assert_eq!(LinkSigner::new("other").check_claim_host(&token), None);
        // The same account id signed for unsubscribing does not open a claim, nor back.
        let unsubscribe = signer.unsubscribe_token(claim, MessageKind::ClaimDecided);
        assert_eq!(signer.check_claim_host(&unsubscribe), None);
        assert_eq!(signer.check_unsubscribe(&token), None);
    }
}
