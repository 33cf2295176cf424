//! Headless Chromium driven through chromedriver (WebDriver, via fantoccini) at a phone's
//! viewport (360 x 740), with a fresh profile directory per test and screenshots saved to
//! `<target dir>/screenshots/<test>-<page>.png`.
//!
//! chromedriver is found from `HOURBOOK_CHROMEDRIVER`, `/usr/bin/chromedriver` or `PATH`;
//! Chromium from `HOURBOOK_CHROMIUM` or `/usr/bin/chromium` (else chromedriver's own
//! choice). Without chromedriver a test prints "skipped: no chromedriver" and passes, unless
//! `HOURBOOK_REQUIRE_ALL_BACKENDS=1`, when it fails.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The phone viewport every page must fit.
pub const WIDTH: i64 = 360;
/// Its height.
pub const HEIGHT: i64 = 740;

fn executable(path: &Path) -> bool {
    path.is_file()
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| executable(p))
    })
}

/// chromedriver, if installed.
pub fn chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOURBOOK_CHROMEDRIVER").map(PathBuf::from) {
        return executable(&p).then_some(p);
    }
    let usual = PathBuf::from("/usr/bin/chromedriver");
    if executable(&usual) {
        return Some(usual);
    }
    on_path("chromedriver")
}

fn chromium() -> Option<PathBuf> {
    std::env::var_os("HOURBOOK_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")))
        .filter(|p| executable(p))
}

/// `<target dir>/screenshots`: `CARGO_TARGET_DIR` when set (relative to the workspace), else
/// the `target` directory this test binary was built into.
pub fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace")
        .to_path_buf();
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => std::env::current_exe()
            .ok()
            // <target>/<profile>/deps/<binary>
            .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
            .unwrap_or_else(|| workspace.join("target")),
    };
    target.join("screenshots")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running chromedriver and a Chromium session.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    test: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// chromedriver in a process group of its own, with the Chromium it starts: a test that
/// fails before it closes its session must not leave browsers running.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // Our own process group, by its id (chromedriver leads it).
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Chrome DevTools command, sent through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.command, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Starts chromedriver and a phone-sized headless Chromium for `test`, or `None` (after
    /// printing why) when there is no chromedriver.
    pub async fn start(test: &str) -> Option<Browser> {
        let Some(driver_path) = chromedriver() else {
            assert!(
                std::env::var("HOURBOOK_REQUIRE_ALL_BACKENDS").as_deref() != Ok("1"),
                "chromedriver is required (HOURBOOK_REQUIRE_ALL_BACKENDS=1) but none was found: \
                 set HOURBOOK_CHROMEDRIVER or install chromium-driver"
            );
            eprintln!("skipped: no chromedriver");
            return None;
        };
        // fantoccini talks to chromedriver over plain HTTP, but its client is built with
        // rustls, which needs a crypto provider chosen once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let driver = Driver(
            Command::new(&driver_path)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("chromedriver starts"),
        );
        let profile = tempfile::tempdir().expect("profile dir");
        let mut options = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", "--lang=zh-CN",
                format!("--window-size={WIDTH},{HEIGHT}"),
                format!("--user-data-dir={}", profile.path().display()),
            ],
            // A phone set to Chinese, as most volunteers' are: pages answer in zh-CN.
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
            "mobileEmulation": {
                "deviceMetrics": {"width": WIDTH, "height": HEIGHT, "pixelRatio": 2.0, "touch": true, "mobile": true}
            }
        });
        if let Some(binary) = chromium() {
            options["binary"] = json!(binary.display().to_string());
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            match ClientBuilder::rustls()
                .expect("TLS roots")
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        test: test.to_string(),
                        _driver: driver,
                        _profile: profile,
                    });
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start a Chromium session through {driver_path:?}: {last_error}");
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .expect("script runs")
    }

    /// Saves `<test>-<page>.png` and checks the page fits the phone: no horizontal scrolling,
    /// and every visible button at least 44 px tall.
    pub async fn check_page(&self, page: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = self.client.screenshot().await.expect("screenshot");
        let path = dir.join(format!("{}-{page}.png", self.test));
        std::fs::write(&path, png).expect("write screenshot");
        let width = self
            .js("return document.documentElement.scrollWidth", vec![])
            .await;
        assert!(
            width.as_i64().is_some_and(|w| w <= WIDTH),
            "{page}: the page scrolls sideways (scrollWidth {width}); see {}",
            path.display()
        );
        let small = self
            .js(
                "return Array.from(document.querySelectorAll('.button, button'))
                   .filter(e => e.offsetParent !== null)
                   .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
                   .filter(([, h]) => h < 44)",
                vec![],
            )
            .await;
        assert_eq!(
            small,
            json!([]),
            "{page}: buttons under 44 px tall; see {}",
            path.display()
        );
    }

    /// Opens a path of the app at `base`.
    pub async fn open(&self, base: &str, path: &str) {
        self.client
            .goto(&format!("{base}{path}"))
            .await
            .expect("page opens");
    }

    /// Types into the input with this id (after clearing it).
    pub async fn fill(&self, id: &str, value: &str) {
        let input = self.client.find(Locator::Id(id)).await.expect(id);
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }

    /// Sets an input's value directly (date inputs, whose typing depends on the locale).
    pub async fn set(&self, id: &str, value: &str) {
        self.js(
            "document.getElementById(arguments[0]).value = arguments[1]",
            vec![json!(id), json!(value)],
        )
        .await;
    }

    /// Clicks the element `css` finds.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks `css` and waits until the browser is at `path` (a form submission or a link
    /// followed); on a timeout saves `<test>-failure.png` and fails with the page's text.
    pub async fn click_to(&self, css: &str, path: &str) {
        self.click(css).await;
        for _ in 0..50 {
            if self.path().await == path {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if let Ok(png) = self.client.screenshot().await {
            let dir = screenshot_dir();
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}-failure.png", self.test)), png);
        }
        panic!(
            "after clicking {css}: at {} instead of {path}; the page says:\n{}",
            self.path().await,
            self.text().await
        );
    }

    /// Waits (up to 5 s) for an element to appear, e.g. the next step of a form.
    pub async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"));
    }

    /// Lets `origin` ask where the phone is, and puts the phone at `(lat, lon)`.
    pub async fn place_phone_at(&self, origin: &str, (lat, lon): (f64, f64)) {
        for (command, params) in [
            (
                "Browser.grantPermissions",
                json!({"origin": origin, "permissions": ["geolocation"]}),
            ),
            (
                "Emulation.setGeolocationOverride",
                json!({"latitude": lat, "longitude": lon, "accuracy": 10}),
            ),
        ] {
            self.client
                .issue_cmd(DevTools { command, params })
                .await
                .unwrap_or_else(|e| panic!("{command}: {e}"));
        }
    }

    /// Waits (up to 5 s) until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        for _ in 0..50 {
            if self.text().await.contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("waited for {text:?}; the page says:\n{}", self.text().await);
    }

    /// The current path (and query).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Ends the session.
    pub async fn close(self) {
        let client = self.client.clone();
        client.close().await.ok();
    }
}
