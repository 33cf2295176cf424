//! Server-rendered pages, mobile first (a 360-px phone): the landing page, sign-in and
//! registration, the volunteer's profile, shifts near them, a shift's page with its signup
//! buttons, their shifts, and the public certificate and unsubscribe pages.
//!
//! Pages sign in with a cookie (`hb_session`) holding the same kind of session token a bearer
//! login gets, and call the same store functions as the JSON API, so the rules and their
//! errors are the API's. Every word comes from the message catalogues (`locales/{lang}/*.toml`);
//! every POST form carries a CSRF token (see `visitor`).

mod auth;
mod cards;
mod certificates;
mod claim_host;
mod error_pages;
mod forms;
mod home;
mod hours;
mod i18n;
mod invitations;
mod my_shifts;
mod near;
mod notifications;
mod organizer;
mod profile;
mod school;
mod shift;
mod statics;
mod unsubscribe;
mod verify;
mod visitor;

pub use error_pages::as_html as html_errors;
pub use i18n::Lang;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Router;
use axum::response::Html;
use axum::routing::{get, post};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::sync::OnceLock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/register", get(auth::register_form).post(auth::register))
        .route("/logout", post(auth::logout))
        .route("/me/profile", get(profile::form).post(profile::save))
        .route("/me/near", get(near::page))
        .route("/me/shifts", get(my_shifts::page))
        .route("/me/shifts.ics", get(my_shifts::calendar))
        .route("/me/hours", get(hours::page))
        .route("/me/invitations", get(invitations::page))
        .route(
            "/me/notifications",
            get(notifications::page).post(notifications::save),
        )
        .route("/invitations/{id}/accept", post(invitations::accept))
        .route("/invitations/{id}/decline", post(invitations::decline))
        .route("/shifts/{id}", get(shift::page))
        .route("/shifts/{id}/signup", post(shift::sign_up))
        .route("/signups/{id}/cancel", post(shift::cancel))
        .route("/signups/{id}/check-in", post(shift::check_in))
        .route("/signups/{id}/check-out", post(shift::check_out))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .route("/verify/{code}", get(verify::page))
        .route("/static/{version}/{file}", get(statics::serve))
        .route(
            "/claims/host/{token}",
            get(claim_host::show).post(claim_host::answer),
        )
        .merge(organizer::router())
        .merge(school::router())
        .merge(certificates::router())
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A misspelt catalogue key or value fails the render (and the tests) instead of
        // showing an empty spot.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(|out, state, value| {
            // minijinja's HTML escaping also turns `/` into `&#x2f;`: valid, but it makes
            // every link unreadable in the source. The five characters below are what
            // matters in text and in quoted attribute values.
            if state.auto_escape() == AutoEscape::Html
                && !value.is_safe()
                && let Some(text) = value.as_str()
            {
                return out
                    .write_str(&escape_html(text))
                    .map_err(minijinja::Error::from);
            }
            minijinja::escape_formatter(out, state, value)
        });
        // Templates are compiled into the binary: nothing to find on disk at run time.
        for (name, source) in [
            ("layout.html", include_str!("../../templates/layout.html")),
            ("forms.html", include_str!("../../templates/forms.html")),
            ("expired.html", include_str!("../../templates/expired.html")),
            ("error.html", include_str!("../../templates/error.html")),
            (
                "claim_host.html",
                include_str!("../../templates/claim_host.html"),
            ),
            ("home.html", include_str!("../../templates/home.html")),
            ("login.html", include_str!("../../templates/login.html")),
            (
                "register.html",
                include_str!("../../templates/register.html"),
            ),
            ("profile.html", include_str!("../../templates/profile.html")),
            ("near.html", include_str!("../../templates/near.html")),
            (
                "notifications.html",
                include_str!("../../templates/notifications.html"),
            ),
            (
                "my_shifts.html",
                include_str!("../../templates/my_shifts.html"),
            ),
            ("hours.html", include_str!("../../templates/hours.html")),
            (
                "invitations.html",
                include_str!("../../templates/invitations.html"),
            ),
            ("shift.html", include_str!("../../templates/shift.html")),
            (
                "unsubscribe.html",
                include_str!("../../templates/unsubscribe.html"),
            ),
            ("verify.html", include_str!("../../templates/verify.html")),
        ]
        .into_iter()
        .chain(organizer::TEMPLATES.iter().copied())
        .chain(school::TEMPLATES.iter().copied())
        .chain(certificates::TEMPLATES.iter().copied())
        {
            env.add_template(name, source)
                .expect("the bundled template parses");
        }
        env
    })
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and quoted attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a bundled template (HTML-escaped: every template name ends in `.html`).
fn render(name: &str, context: minijinja::Value) -> ApiResult<Html<String>> {
    templates()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map(Html)
        .map_err(|e| ApiError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_template_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for file in std::fs::read_dir(dir).expect("templates/") {
            let name = file
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .to_string();
            assert!(
                super::templates().get_template(&name).is_ok(),
                "templates/{name} is not registered in pages::templates()"
            );
        }
    }

    #[test]
    fn values_are_escaped_but_links_stay_readable() {
        let html = super::render(
            "expired.html",
            minijinja::context! {
                lang => "en", t => super::Lang::En.words(), csrf => "\"><script>",
                me => minijinja::context! { name => "x", workspace => false }, here => "/a/b", css => "/c", js => "/j", htmx => "/h",
            },
        )
        .expect("renders")
        .0;
        assert!(
            html.contains("value=\"&quot;&gt;&lt;script&gt;\""),
            "{html}"
        );
        assert!(html.contains("href=\"/a/b?lang=zh-CN\""), "{html}");
    }
}
