//! Who a person is: e-mail addresses, passwords, volunteer numbers and ID-card numbers.

use crate::error::DomainError;

/// A syntactically plausible e-mail address, trimmed and lower-cased so that one address
/// maps to one account however it is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` of at most 254 characters.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let email = raw.trim().to_lowercase();
        let invalid =
            || DomainError::invalid("email", "must be an e-mail address like name@example.com");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Minimum password length (API contract).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password against the policy: 10 to 200 characters.
pub fn check_new_password(password: &str) -> Result<(), DomainError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > 200 {
        return Err(DomainError::invalid(
            "password",
            "must be at most 200 characters",
        ));
    }
    Ok(())
}

/// A display name: 1 to 100 characters after trimming, no control characters.
pub fn parse_name(raw: &str, field: &str) -> Result<String, DomainError> {
    crate::text::single_line(raw, field, 100)
}

/// The platform's own opaque volunteer number, e.g. `HB-2027-000123`.
pub fn volunteer_number(year: i32, sequence: u64) -> String {
    format!("HB-{year}-{sequence:06}")
}

/// A mainland resident ID-card number (GB 11643-1999): 17 digits and a check character.
///
/// Only its masked form and a keyed hash are ever stored; see the store's profile code.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    // Never print the number itself, not even in debug logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    /// Validates length, digits, the embedded birth date and the ISO 7064 MOD 11-2 check character.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let id = raw.trim().to_uppercase();
        let invalid =
            || DomainError::invalid("id_number", "is not a valid 18-character ID-card number");
        let bytes = id.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(invalid());
        }
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(invalid());
        }
        if chrono::NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_err() {
            return Err(invalid());
        }
        Ok(Self(id))
    }

    /// The number with all but the first four and last four characters hidden: `3301**********1234`.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }

    /// The full number, for keyed hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Li.Ming@Example.COM ").unwrap().as_str(),
            "li.ming@example.com"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@b.cn",
            "a@.cn",
            "a@b.",
            "a b@c.cn",
            "a@b@c.cn",
            "a\u{0}b@c.cn",
            "a\u{1}b@c.cn",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_policy_counts_characters_not_bytes() {
        assert!(check_new_password("123456789").is_err());
        assert!(check_new_password("1234567890").is_ok());
        assert!(check_new_password("志愿服务志愿服务志愿").is_ok());
    }

    #[test]
    fn id_numbers_check_their_check_digit_and_are_masked() {
        // A well-known sample number with a valid check digit.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert!(!format!("{id:?}").contains("19491231"));
        assert!(IdNumber::parse("110105194912310021").is_err());
        assert!(IdNumber::parse("1101051949123100").is_err());
    }

    #[test]
    fn volunteer_numbers_are_zero_padded() {
        assert_eq!(volunteer_number(2027, 123), "HB-2027-000123");
    }
}
