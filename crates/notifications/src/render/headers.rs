//! Header types lettre does not have.

use lettre::message::header::{Header, HeaderName, HeaderValue};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

macro_rules! text_header {
    ($(#[$doc:meta])* $ty:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $ty(pub String);

        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }

            fn parse(s: &str) -> Result<Self, BoxError> {
                Ok(Self(s.trim().to_string()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(
    /// `Content-Language` (RFC 3282): the language of the message, `zh-CN` or `en`.
    ContentLanguage,
    "Content-Language"
);
text_header!(
    /// `Auto-Submitted` (RFC 3834): `auto-generated`, so auto-responders stay quiet.
    AutoSubmitted,
    "Auto-Submitted"
);
text_header!(
    /// `List-Unsubscribe` (RFC 2369): `<https://…>`.
    ListUnsubscribe,
    "List-Unsubscribe"
);
text_header!(
    /// `List-Unsubscribe-Post` (RFC 8058): `List-Unsubscribe=One-Click`.
    ListUnsubscribePost,
    "List-Unsubscribe-Post"
);
