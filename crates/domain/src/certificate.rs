//! Service certificates: a signed statement of a volunteer's verified hours over a period.
//!
//! The signed document is JSON with a fixed field order, kept byte for byte as it was signed
//! (Ed25519): whoever holds the certificate file and the published public key can check it
//! offline, and the server re-checks it against the ledger at every verification.

use crate::ledger::Provenance;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The `format` of the documents this version signs.
pub const FORMAT: &str = "hourbook-certificate-v1";

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed from paper
/// survives.
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a verification code: 50 random bits.
const CODE_LEN: usize = 10;

/// Who the certificate is for, as printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CertifiedVolunteer {
    /// Name.
    pub name: String,
    /// The platform's volunteer number.
    pub volunteer_number: String,
    /// ID-card number, masked (`3301********1234`), when the volunteer gave one.
    pub masked_id: Option<String>,
}

/// The period the hours were served in (both days included, in the district's calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// What a certificate states. Field order is the signed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CertificateDocument {
    /// Always [`FORMAT`].
    pub format: String,
    /// Certificate number, e.g. `HBC-2027-000042`.
    pub number: String,
    /// Verification code, e.g. `7KQ4M-2XD9P`.
    pub code: String,
    /// The volunteer.
    pub volunteer: CertifiedVolunteer,
    /// The period.
    pub period: Period,
    /// Verified minutes in the period.
    pub total_minutes: i64,
    /// Minutes per service category.
    pub by_category: BTreeMap<String, i64>,
    /// The total split: minutes recorded on site (check-in and check-out) and minutes
    /// entered by hand (adjusted, claimed, corrected, imported).
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The organizations that recorded the hours.
    pub organizations: Vec<String>,
    /// What was done: the events served.
    pub events: Vec<String>,
    /// Ledger entries counted.
    pub entries: u64,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Which key signed it (see [`key_id`]).
    pub key_id: String,
}

/// A certificate as handed out: the document exactly as signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedCertificate {
    /// The signed JSON text of a [`CertificateDocument`].
    pub document: String,
    /// Ed25519 signature over `document`'s bytes, base64.
    pub signature: String,
}

impl SignedCertificate {
    /// Whether `public_key` signed exactly this document.
    pub fn signature_valid(&self, public_key: &VerifyingKey) -> bool {
        let Ok(bytes) = B64.decode(self.signature.trim()) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        public_key
            .verify(self.document.as_bytes(), &signature)
            .is_ok()
    }

    /// The document's content (`None` when it is not one of ours).
    pub fn read(&self) -> Option<CertificateDocument> {
        serde_json::from_str(&self.document)
            .ok()
            .filter(|d: &CertificateDocument| d.format == FORMAT)
    }
}

/// The short id of a public key: the first 8 bytes of its SHA-256, hex.
pub fn key_id(public_key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public_key.as_bytes())[..8])
}

/// Signs certificates with the key from the configuration.
#[derive(Clone)]
pub struct CertificateSigner {
    key: SigningKey,
}

impl std::fmt::Debug for CertificateSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertificateSigner({})", self.key_id())
    }
}

impl CertificateSigner {
    /// A signer from a base64 32-byte secret key.
    pub fn from_base64(secret: &str) -> Result<Self, String> {
        let bytes = B64
            .decode(secret.trim())
            .map_err(|_| "is not base64".to_string())?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "must be 32 bytes (base64 of 44 characters)".to_string())?;
        Ok(Self {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// A new random key pair.
    pub fn generate() -> Self {
        Self {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    /// The secret key, base64 (for the configuration).
    pub fn secret_base64(&self) -> String {
        B64.encode(self.key.to_bytes())
    }

    /// The public key.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key, base64 (to publish).
    pub fn public_base64(&self) -> String {
        public_key_base64(&self.public_key())
    }

    /// The public key's short id.
    pub fn key_id(&self) -> String {
        key_id(&self.public_key())
    }

    /// Signs a document (its `key_id` is set to this key's).
    pub fn sign(&self, mut document: CertificateDocument) -> SignedCertificate {
        document.key_id = self.key_id();
        // A struct of strings, numbers and maps always serialises.
        let text = serde_json::to_string(&document).unwrap_or_default();
        let signature = self.key.sign(text.as_bytes());
        SignedCertificate {
            document: text,
            signature: B64.encode(signature.to_bytes()),
        }
    }
}

/// The public keys certificates are checked with: the signing key's and those of keys retired
/// from signing. A certificate is checked with the key its `key_id` names, so rotating the
/// signing key leaves every certificate issued before it valid for as long as the old public
/// key stays on the ring.
#[derive(Debug, Clone)]
pub struct KeyRing {
    current: VerifyingKey,
    retired: Vec<VerifyingKey>,
}

impl KeyRing {
    /// The ring of `current` (signing now) and `retired` keys.
    pub fn new(current: VerifyingKey, retired: Vec<VerifyingKey>) -> Self {
        Self { current, retired }
    }

    /// The key certificates are signed with now.
    pub fn current(&self) -> &VerifyingKey {
        &self.current
    }

    /// Keys no longer signing whose certificates still check.
    pub fn retired(&self) -> &[VerifyingKey] {
        &self.retired
    }

    /// Whether a key on the ring (the one the document names) signed exactly this certificate.
    pub fn signed(&self, certificate: &SignedCertificate) -> bool {
        let Some(document) = certificate.read() else {
            return false;
        };
        std::iter::once(&self.current)
            .chain(&self.retired)
            .find(|k| key_id(k) == document.key_id)
            .is_some_and(|k| certificate.signature_valid(k))
    }
}

/// A public key's base64 form.
pub fn public_key_base64(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// A public key from its base64 form.
pub fn public_key_from_base64(raw: &str) -> Result<VerifyingKey, String> {
    let bytes = B64
        .decode(raw.trim())
        .map_err(|_| "is not base64".to_string())?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "must be 32 bytes".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "is not an Ed25519 public key".to_string())
}

/// A new verification code, `XXXXX-XXXXX`.
pub fn new_code(rng: &mut impl Rng) -> String {
    let chars: String = (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A code as typed (any case, with or without the dash or spaces, O for 0, I or L for 1) in
/// its canonical form; `None` when it cannot be one of ours.
pub fn normalize_code(raw: &str) -> Option<String> {
    let chars: String = raw
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    let ok = chars.len() == CODE_LEN && chars.bytes().all(|b| CODE_ALPHABET.contains(&b));
    ok.then(|| format!("{}-{}", &chars[..5], &chars[5..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn document() -> CertificateDocument {
        CertificateDocument {
            format: FORMAT.into(),
            number: "HBC-2027-000001".into(),
            code: "7KQ4M-2XD9P".into(),
            volunteer: CertifiedVolunteer {
                name: "李明".into(),
                volunteer_number: "HB-2027-000123".into(),
                masked_id: Some("3301********1234".into()),
            },
            period: Period {
                from: "2027-01-01".parse().unwrap(),
                to: "2027-06-30".parse().unwrap(),
            },
            total_minutes: 1260,
            by_category: BTreeMap::from([("childcare".into(), 1260)]),
            provenance: Provenance {
                recorded_minutes: 1200,
                hand_entered_minutes: 60,
            },
            organizations: vec!["长风社区服务中心".into()],
            events: vec!["暑期爱心暑托班".into()],
            entries: 7,
            issued_at: "2027-07-01T02:00:00Z".parse().unwrap(),
            key_id: String::new(),
        }
    }

    #[test]
    fn a_rotated_key_keeps_old_certificates_valid_while_it_is_on_the_ring() {
        let old = CertificateSigner::generate();
        let new = CertificateSigner::generate();
        let before = old.sign(document());
        let after = new.sign(document());
        let rotated = KeyRing::new(new.public_key(), vec![old.public_key()]);
        assert!(rotated.signed(&before));
        assert!(rotated.signed(&after));
        // Dropped from the ring: its certificates no longer check.
        let dropped = KeyRing::new(new.public_key(), vec![]);
        assert!(!dropped.signed(&before));
        assert!(dropped.signed(&after));
        // A document claiming another key's id is checked with that key, and fails.
        let mut forged = before.clone();
        forged.document = forged.document.replace(&old.key_id(), &new.key_id());
        assert!(!rotated.signed(&forged));
    }

    #[test]
    fn a_signed_certificate_verifies_with_its_key_only_and_not_once_edited() {
        let signer = CertificateSigner::generate();
        let signed = signer.sign(document());
        let key = signer.public_key();
        assert!(signed.signature_valid(&key));
        assert_eq!(signed.read().unwrap().key_id, signer.key_id());
        // Through base64, as published.
        let published = public_key_from_base64(&signer.public_base64()).unwrap();
        assert!(signed.signature_valid(&published));
        let again = CertificateSigner::from_base64(&signer.secret_base64()).unwrap();
        assert_eq!(again.public_base64(), signer.public_base64());
        // Another key, an edited document, a mangled signature: invalid.
        assert!(!signed.signature_valid(&CertificateSigner::generate().public_key()));
        let edited = SignedCertificate {
            document: signed.document.replace("1260", "9260"),
            ..signed.clone()
        };
        assert!(!edited.signature_valid(&key));
        let mangled = SignedCertificate {
            signature: "not a signature".into(),
            ..signed.clone()
        };
        assert!(!mangled.signature_valid(&key));
        assert!(CertificateSigner::from_base64("short").is_err());
    }

    #[test]
    fn codes_survive_being_typed_from_paper() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..1000 {
            let code = new_code(&mut rng);
            assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
            assert_eq!(
                normalize_code(&code.to_lowercase().replace('-', " ")).as_deref(),
                Some(code.as_str())
            );
        }
        assert_eq!(normalize_code("7kq4m2xd9p").as_deref(), Some("7KQ4M-2XD9P"));
        assert_eq!(
            normalize_code("oIl00-00000").as_deref(),
            Some("01100-00000")
        );
        assert_eq!(normalize_code("7KQ4M-2XD9"), None);
        assert_eq!(normalize_code("7KQ4M-2XD9U"), None);
        assert_eq!(normalize_code(""), None);
    }
}
