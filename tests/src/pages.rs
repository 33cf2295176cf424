//! A browser-less client of the web pages: it keeps cookies as a browser would, follows no
//! redirects on its own (tests look at them), and reads the CSRF token out of a form.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// A page answer.
#[derive(Debug)]
pub struct PageResponse {
    /// Status code.
    pub status: u16,
    /// `Location` of a redirect.
    pub location: Option<String>,
    /// Every `Set-Cookie` header, as sent.
    pub set_cookies: Vec<String>,
    /// Content-Type.
    pub content_type: String,
    /// Cache-Control.
    pub cache_control: String,
    /// The body.
    pub text: String,
}

impl PageResponse {
    /// Asserts the status, printing the page when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; page: {}",
            self.text
        );
        self
    }

    /// The value of the first form's hidden `csrf` field.
    #[track_caller]
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.text.find(marker).expect("a form with a csrf field") + marker.len();
        let end = self.text[start..].find('"').expect("closing quote") + start;
        self.text[start..end].to_string()
    }

    /// The `Set-Cookie` header that sets `name`.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
    }
}

/// A visitor with a cookie jar.
pub struct PageClient {
    base: String,
    client: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
    headers: Vec<(String, String)>,
}

impl PageClient {
    /// A visitor of the app at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_string(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Mutex::new(BTreeMap::new()),
            headers: Vec::new(),
        }
    }

    /// Sends this header with every request (`Accept-Language`, `X-Forwarded-Proto`...).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A cookie in the jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("jar").get(name).cloned()
    }

    /// Puts a cookie in the jar (or, with `None`, takes it out).
    pub fn set_cookie(&self, name: &str, value: Option<&str>) {
        let mut jar = self.cookies.lock().expect("jar");
        match value {
            Some(v) => jar.insert(name.into(), v.into()),
            None => jar.remove(name),
        };
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> PageResponse {
        let mut request = request;
        for (k, v) in &self.headers {
            request = request.header(k, v);
        }
        let jar = self
            .cookies
            .lock()
            .expect("jar")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !jar.is_empty() {
            request = request.header("cookie", jar);
        }
        let response = request.send().await.expect("request reaches the server");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let cache_control = header("cache-control").unwrap_or_default();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let cleared = c.contains("Max-Age=0");
                self.set_cookie(name, (!cleared).then_some(value));
            }
        }
        PageResponse {
            status: response.status().as_u16(),
            location,
            set_cookies,
            content_type,
            cache_control,
            text: response.text().await.expect("body"),
        }
    }

    /// GET a page.
    pub async fn get(&self, path: &str) -> PageResponse {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    /// POST a form.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> PageResponse {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .form(fields),
        )
        .await
    }

    /// Opens `path` and submits its form with `fields` and the form's CSRF token.
    pub async fn submit(&self, path: &str, action: &str, fields: &[(&str, &str)]) -> PageResponse {
        let csrf = self.get(path).await.expect(200).csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// Signs in through the login page; asserts the redirect.
    pub async fn log_in(&self, email: &str, password: &str) {
        self.submit(
            "/login",
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/me/near"),
            ],
        )
        .await
        .expect(303);
        assert!(self.cookie("hb_session").is_some(), "signed in");
    }
}
