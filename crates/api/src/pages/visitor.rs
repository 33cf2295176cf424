//! Who is looking at a page: the signed-in account (from the `hb_session` cookie, which holds
//! the same kind of token as a bearer login), the language, and the CSRF token that every
//! POST form of the page must send back.
//!
//! CSRF: for a signed-in visitor the token is an HMAC of the session token, so it needs no
//! storage and dies with the session; anonymous forms (login, register) use a double-submit
//! cookie (`hb_csrf`) whose value the form must repeat. Either way a site that cannot read
//! our cookies cannot forge the field.
//!
//! Pages are compressed, and some repeat what a link put in the address: a token written the
//! same way on every page could then be guessed from the sizes of compressed answers
//! (BREACH). So each page writes the token masked with fresh random bytes
//! ([`mask`]), and a form is accepted when its field unmasks to the token.

use super::i18n::Lang;
use super::statics;
use crate::auth::Session;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use hmac::{Hmac, Mac};
use hourbook_domain::access::Actor;
use hourbook_store::accounts::{Account, token_hash};
use minijinja::{Value, context};
use rand::RngCore;
use sha2::Sha256;

/// The session cookie.
pub const SESSION_COOKIE: &str = "hb_session";
/// The double-submit CSRF cookie of anonymous forms.
pub const CSRF_COOKIE: &str = "hb_csrf";
/// The remembered language.
pub const LANG_COOKIE: &str = "hb_lang";
/// Birth date and guardian from registration, until the profile is saved.
pub const PENDING_COOKIE: &str = "hb_pending";

/// A signed-in visitor.
pub struct SignedIn {
    /// The account.
    pub account: Account,
    /// Its roles.
    pub actor: Actor,
    token: String,
}

/// The visitor of a page.
pub struct Visitor {
    /// The signed-in account, if any.
    pub signed_in: Option<SignedIn>,
    /// The page language.
    pub lang: Lang,
    /// The path asked for (for the language switch and the way back after signing in).
    pub path: String,
    csrf: String,
    secure: bool,
    /// The cookies the browser sent, and those the answer sets or removes.
    jar: CookieJar,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn session_csrf(session_token: &str) -> String {
    // HMAC accepts keys of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(session_token.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"hourbook page form");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// `token` (URL-safe base64) as a page writes it: `pad ‖ pad ⊕ token`, with a fresh random
/// pad each time, so no two pages carry the same bytes.
fn mask(token: &str) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Ok(token) = engine.decode(token) else {
        return String::new();
    };
    let mut pad = vec![0u8; token.len()];
    rand::thread_rng().fill_bytes(&mut pad);
    let hidden: Vec<u8> = pad.iter().zip(&token).map(|(p, t)| p ^ t).collect();
    engine.encode([pad, hidden].concat())
}

/// The token a masked field carries (the empty string for anything else). Tokens are 32
/// bytes (an HMAC-SHA256, or 32 random bytes), so a masked one is 64.
fn unmask(field: &str) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    match engine.decode(field) {
        Ok(bytes) if bytes.len() == 64 => {
            let (pad, hidden) = bytes.split_at(bytes.len() / 2);
            let token: Vec<u8> = pad.iter().zip(hidden).map(|(p, h)| p ^ h).collect();
            engine.encode(token)
        }
        _ => String::new(),
    }
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn query_lang(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

fn choose_lang(parts: &Parts, asked: Option<&str>, jar: &CookieJar) -> Lang {
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::choose(asked, jar.get(LANG_COOKIE).map(Cookie::value), accept)
}

/// The language of a request's page, chosen as for a [`Visitor`] (without a session lookup).
pub fn page_lang(parts: &Parts) -> Lang {
    choose_lang(
        parts,
        query_lang(parts).as_deref(),
        &CookieJar::from_headers(&parts.headers),
    )
}

/// Whether the visitor reached us over HTTPS: the configured public URL says so, or the
/// proxy in front of us does.
fn over_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.server.public_url.starts_with("https://")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let jar = CookieJar::from_headers(&parts.headers);
        let mut signed_in = None;
        if let Some(token) = jar
            .get(SESSION_COOKIE)
            .map(Cookie::value)
            .filter(|t| !t.is_empty())
            && let Some((account, actor)) = state
                .store
                .resolve_session(&token_hash(token), state.clock.now())
                .await?
        {
            signed_in = Some(SignedIn {
                account,
                actor,
                token: token.to_string(),
            });
        }
        let asked = query_lang(parts);
        let lang = choose_lang(parts, asked.as_deref(), &jar);
        let mut visitor = Visitor {
            signed_in,
            lang,
            path: local_path(parts.uri.path()),
            csrf: String::new(),
            secure: over_https(state, &parts.headers),
            jar,
        };
        if asked.as_deref().and_then(Lang::parse).is_some() {
            visitor.set_cookie(LANG_COOKIE, lang.tag(), Some(365 * 24 * 3600));
        }
        visitor.csrf = match &visitor.signed_in {
            Some(s) => session_csrf(&s.token),
            None => match visitor.cookie(CSRF_COOKIE) {
                Some(v) if v.len() == 43 => v.to_string(),
                _ => {
                    let fresh = random_token();
                    visitor.set_cookie(CSRF_COOKIE, &fresh, None);
                    fresh
                }
            },
        };
        Ok(visitor)
    }
}

impl Visitor {
    /// A cookie the browser sent (or this answer set).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.jar.get(name).map(Cookie::value)
    }

    fn cookie_named(&self, name: &str, value: &str) -> Cookie<'static> {
        Cookie::build((name.to_string(), value.to_string()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .build()
    }

    /// Sets a cookie on the answer: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS; for
    /// the browser session unless `max_age_seconds` is given.
    pub fn set_cookie(&mut self, name: &str, value: &str, max_age_seconds: Option<i64>) {
        let mut cookie = self.cookie_named(name, value);
        if let Some(age) = max_age_seconds {
            cookie.set_max_age(time::Duration::seconds(age));
        }
        self.jar = std::mem::take(&mut self.jar).add(cookie);
    }

    /// Tells the browser to forget a cookie.
    pub fn clear_cookie(&mut self, name: &str) {
        let cookie = self.cookie_named(name, "");
        self.jar = std::mem::take(&mut self.jar).remove(cookie);
    }

    /// Whether a submitted form's `csrf` field is this visitor's token, masked.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        !self.csrf.is_empty() && same(&self.csrf, &unmask(submitted))
    }

    /// Signs the visitor in with a new session (after login or registration).
    pub fn start_session(&mut self, session: &Session, ttl_seconds: i64) {
        self.set_cookie(SESSION_COOKIE, &session.token.clone(), Some(ttl_seconds));
        self.csrf = session_csrf(&session.token);
    }

    /// The session token of a signed-in visitor (to end it).
    pub fn session_token(&self) -> Option<&str> {
        self.signed_in.as_ref().map(|s| s.token.as_str())
    }

    /// The signed-in account, or a redirect to the login page that comes back here.
    pub fn require_sign_in(&self) -> Result<&SignedIn, Box<Response>> {
        self.signed_in.as_ref().ok_or_else(|| {
            let next = format!("/login?next={}", url_path(&self.path));
            Box::new((self.jar.clone(), Redirect::to(&next)).into_response())
        })
    }

    fn finish(self, response: Response) -> Response {
        let mut response = (self.jar, response).into_response();
        // Pages carry a CSRF token and personal data: never cached by shared caches.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        response
    }

    /// Renders a page with the layout's context (language, words, CSRF token, who is signed
    /// in, asset URLs) added to `page`.
    pub fn render(self, status: StatusCode, template: &str, page: Value) -> ApiResult<Response> {
        let me = self.signed_in.as_ref().map(|s| {
            context! {
                name => s.account.name.clone(),
                // Members of an organization get its pages in the menu.
                workspace => !s.actor.memberships.is_empty(),
            }
        });
        let base = context! {
            lang => self.lang.tag(),
            t => self.lang.words(),
            csrf => mask(&self.csrf),
            me => me,
            here => self.path.clone(),
            css => statics::url("app.css"),
            js => statics::url("app.js"),
            htmx => statics::url("htmx.min.js"),
        };
        let html = super::render(template, minijinja::value::merge_maps([page, base]))?;
        Ok(self.finish((status, html).into_response()))
    }

    /// `303 See Other` to `to` (after a successful POST), with any cookies set.
    pub fn redirect(self, to: &str) -> Response {
        self.finish(Redirect::to(to).into_response())
    }

    /// The answer to a form that fails its CSRF check or cannot be read.
    pub fn expired(self, status: StatusCode) -> Response {
        let lang = self.lang;
        self.render(status, "expired.html", context! {})
            .unwrap_or_else(|_| (status, Html(lang.text("errors.expired"))).into_response())
    }
}

/// The path asked for, as the pages link back to it (the language switch): a path that a
/// browser would read as another site (`//host`) or that holds anything our own paths do
/// not becomes `/`.
pub fn local_path(path: &str) -> String {
    let ours = path.starts_with('/')
        && !path.starts_with("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c));
    if ours {
        path.to_string()
    } else {
        "/".to_string()
    }
}

/// A local path made safe to put in a query string (only what our own paths contain).
fn url_path(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "/-_.".contains(*c))
        .collect()
}

/// Where to go after signing in: a local path only (never `//host` or a full URL).
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.?=&".contains(c));
    if ok { next } else { "/me/near" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_back_only_to_local_paths() {
        assert_eq!(local_path("/shifts/ab-12"), "/shifts/ab-12");
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("/a\\b"), "/");
        assert_eq!(local_path("/%2F%2Fevil"), "/");
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/shifts/abc"), "/shifts/abc");
        assert_eq!(safe_next("//evil.example"), "/me/near");
        assert_eq!(safe_next("https://evil.example"), "/me/near");
        assert_eq!(safe_next("/\\evil"), "/me/near");
    }

    #[test]
    fn pages_write_the_token_masked_differently_each_time() {
        let token = session_csrf("a");
        let (one, two) = (mask(&token), mask(&token));
        assert_ne!(one, two, "a fresh pad each time");
        assert!(!one.contains(&token));
        assert_eq!(unmask(&one), token);
        assert_eq!(unmask(&two), token);
        assert_eq!(unmask(&token), "", "the bare token is not a masked one");
        assert_eq!(unmask("not base64 !"), "");
        assert_eq!(unmask(""), "");
    }

    #[test]
    fn the_session_csrf_token_depends_on_the_session() {
        assert_ne!(session_csrf("a"), session_csrf("b"));
        assert!(same(&session_csrf("a"), &session_csrf("a")));
        assert!(!same("abc", "abd"));
    }
}
