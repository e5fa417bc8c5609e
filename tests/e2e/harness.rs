//! Runs the real app binary in a real window: Xvfb, tauri-driver (which starts WebKitWebDriver,
//! which starts the app), and a W3C WebDriver client. Every wait is bounded; every child is ended
//! on drop, by process group, so a failed run leaves nothing behind to spoil the next.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long any one thing may take to appear before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// A child process in its own process group, killed with its descendants on drop.
struct Group(Child);

impl Group {
    fn spawn(cmd: &mut Command) -> Group {
        let program = format!("{:?}", cmd.get_program());
        Group(
            cmd.process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {program}: {e} (run `make test`, which installs it)")),
        )
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: killpg only sends a signal; the group is the one this child leads.
        unsafe { libc::killpg(self.0.id() as libc::pid_t, libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < WAIT, "timed out after {WAIT:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A virtual X display of its own, so tests run headless and never touch a real desktop.
pub struct Display {
    pub name: String,
    _xvfb: Group,
}

impl Display {
    pub fn start() -> Display {
        // Tests run in parallel threads of one process: each takes the next display number that is free.
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let number = loop {
            let n = 100 + (std::process::id() % 300) * 4 + NEXT.fetch_add(1, Ordering::SeqCst) % 400;
            if !Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                break n;
            }
        };
        let name = format!(":{number}");
        let xvfb = Group::spawn(
            Command::new("Xvfb")
                .args([name.as_str(), "-screen", "0", "1400x950x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        wait_until("Xvfb to start", || socket.exists());
        Display { name, _xvfb: xvfb }
    }

    pub fn screenshot(&self, file: &Path) {
        screenshot(&self.name, file);
    }

    /// The window at a 1366×768 laptop's size, captured, then back to its own size.
    pub async fn screenshot_at_laptop_size(&self, app: &App, file: &Path) {
        let rect = app.client.get_window_rect().await.unwrap();
        app.client.set_window_rect(0, 0, 1366, 768).await.unwrap();
        // From the top, where the at-a-glance strip is.
        let _ = app.client.execute("window.scrollTo(0, 0);", vec![]).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        screenshot(&self.name, file);
        app.client
            .set_window_rect(rect.0 as u32, rect.1 as u32, rect.2 as u32, rect.3 as u32)
            .await
            .unwrap();
    }

    /// Waits until a top-level window titled `title` is mapped on this display.
    pub fn wait_for_window(&self, title: &str) {
        wait_until(&format!("a window titled {title:?}"), || {
            Command::new("xwininfo")
                .args(["-display", &self.name, "-root", "-tree"])
                .output()
                .map(|out| String::from_utf8_lossy(&out.stdout).contains(&format!("\"{title}\"")))
                .unwrap_or(false)
        });
    }

    /// Starts the app binary directly (no WebDriver), as a double-click would.
    pub fn launch_directly(&self, data_dir: &Path) -> impl Drop {
        Group::spawn(app_environment(
            &mut Command::new(env!("CARGO_BIN_EXE_infusion-chart")),
            &self.name,
            data_dir,
        ))
    }
}

/// The app, launched through tauri-driver on `display` with its data in `data_dir`.
pub struct App {
    // Declared first so it is dropped first: the driver and app die before the client tries to talk.
    _driver: Group,
    pub client: Client,
    display: String,
    /// When the WebDriver session asked for the app to start.
    pub started: Instant,
}

impl App {
    pub async fn launch(display: &Display, data_dir: &Path) -> App {
        App::launch_with(display, data_dir, &[]).await
    }

    /// `launch`, with more of the app's environment set (its time zone, its clock).
    pub async fn launch_with(display: &Display, data_dir: &Path, env: &[(&str, &str)]) -> App {
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new(tauri_driver());
        command.envs(env.iter().copied());
        let driver = Group::spawn(app_environment(&mut command, &display.name, data_dir).args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ]));
        // tauri-driver listens before WebKitWebDriver does; a session request sent between the two is dropped.
        for (what, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            wait_until(&format!("{what} to listen"), || {
                TcpStream::connect(("127.0.0.1", port)).is_ok()
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_infusion-chart") }),
        );
        let started = Instant::now();
        let client = tokio::time::timeout(
            WAIT,
            ClientBuilder::native()
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .expect("the app window to open in time")
        .expect("a WebDriver session with the app");
        App {
            _driver: driver,
            client,
            display: display.name.clone(),
            started,
        }
    }

    /// Ends the WebDriver session, which closes the window and so quits the app.
    pub async fn quit(self) {
        self.client.close().await.expect("the app to close");
    }

    pub async fn wait_for(&self, xpath: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(xpath))
            .await
        {
            Ok(element) => element,
            Err(e) => self.fail(&format!("{xpath} did not appear: {e}")).await,
        }
    }

    /// Fails the test with a screenshot and the page's text, so a failure can be seen, not guessed.
    async fn fail(&self, what: &str) -> ! {
        let shot = output_dir().join("e2e-failure.png");
        screenshot(&self.display, &shot);
        let page = match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no page: {e})"),
        };
        panic!("{what}\nscreenshot: {}\npage text:\n{page}", shot.display());
    }

    /// The input a `<label for>` with exactly this text names: fields are found as a person finds them.
    pub async fn field(&self, label: &str) -> Element {
        let label_el = self
            .wait_for(&format!("//label[normalize-space()={}]", xpath_literal(label)))
            .await;
        let id = label_el
            .attr("for")
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("label {label:?} has no `for`"));
        self.client.find(Locator::Id(&id)).await.unwrap()
    }

    pub async fn type_into(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Date pickers and lists take their value as a person would pick it, set on the element itself.
    pub async fn pick(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        self.set_value(field, value).await;
    }

    /// As `pick`, for a field found by its id (the items of an outcome scale, whose labels are long).
    pub async fn pick_id(&self, id: &str, value: &str) {
        let field = self.wait_for(&format!("//*[@id={}]", xpath_literal(id))).await;
        self.set_value(field, value).await;
    }

    async fn set_value(&self, field: Element, value: &str) {
        let set = self
            .client
            .execute(
                "const [el, value] = arguments; el.value = value;
                 if (el.value !== value) return false;
                 el.dispatchEvent(new Event('input', {bubbles: true}));
                 el.dispatchEvent(new Event('change', {bubbles: true}));
                 return true;",
                vec![serde_json::to_value(&field).unwrap(), json!(value)],
            )
            .await
            .unwrap();
        if set != json!(true) {
            self.fail(&format!("{value:?} is not one of the field's choices")).await;
        }
    }

    /// The text of every element at `xpath`, in page order.
    pub async fn texts(&self, xpath: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self.client.find_all(Locator::XPath(xpath)).await.unwrap_or_default() {
            out.push(element.text().await.unwrap_or_default());
        }
        out
    }

    pub async fn click_button(&self, text: &str) {
        self.click(&format!("//button[normalize-space()={}]", xpath_literal(text)))
            .await;
    }

    pub async fn click_link(&self, text: &str) {
        self.click(&format!("//a[contains(normalize-space(), {})]", xpath_literal(text)))
            .await;
    }

    /// Clicks the element at `xpath` once it is there, finding it again if the view redrew it meanwhile.
    async fn click(&self, xpath: &str) {
        let start = Instant::now();
        loop {
            let element = self.wait_for(xpath).await;
            self.centre(&element).await;
            match element.click().await {
                Ok(()) => return,
                Err(e) if start.elapsed() < WAIT && format!("{e:?}").contains("StaleElementReference") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => self.fail(&format!("clicking {xpath} failed: {e}")).await,
            }
        }
    }

    /// Waits until one of the elements at `xpath` shows text containing `expected`, and returns its text.
    pub async fn wait_for_text(&self, xpath: &str, expected: &str) -> String {
        let start = Instant::now();
        loop {
            let mut seen = Vec::new();
            for element in self.client.find_all(Locator::XPath(xpath)).await.unwrap_or_default() {
                let text = element.text().await.unwrap_or_default();
                if text.contains(expected) {
                    return text;
                }
                seen.push(text);
            }
            if start.elapsed() > WAIT {
                self.fail(&format!("{xpath} shows {seen:?}, never {expected:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ticks or unticks the checkbox a label names.
    pub async fn tick(&self, label: &str) {
        let field = self.field(label).await;
        self.centre(&field).await;
        field.click().await.unwrap();
    }

    /// Scrolls `element` to the middle of the window, so the sticky header bar cannot cover it.
    async fn centre(&self, element: &Element) {
        let _ = self
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(element).unwrap()],
            )
            .await;
    }

    /// What the field a label names holds right now.
    pub async fn value_of(&self, label: &str) -> String {
        self.field(label).await.prop("value").await.unwrap().unwrap_or_default()
    }

    /// Everything the window shows as text.
    pub async fn page_text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits, up to `limit`, for the page to show `text` anywhere.
    pub async fn wait_for_page_text(&self, text: &str, limit: Duration) {
        let start = Instant::now();
        while !self.page_text().await.contains(text) {
            if start.elapsed() > limit {
                self.fail(&format!("the page never showed {text:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn count(&self, xpath: &str) -> usize {
        self.client.find_all(Locator::XPath(xpath)).await.unwrap().len()
    }
}

/// The environment the app runs in: the test's display and data folder, never the user's.
fn app_environment<'a>(cmd: &'a mut Command, display: &str, data_dir: &Path) -> &'a mut Command {
    cmd.env("DISPLAY", display)
        .env("INFUSION_CHART_DATA_DIR", data_dir)
        // Reports are handed to a viewer that does nothing; the test reads the file itself.
        .env("INFUSION_CHART_VIEWER", "true")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        // No session bus: the single-instance check stands aside, so relaunches are not forwarded.
        .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
}

/// Captures the whole X screen (WebKitWebDriver's own screenshot call hangs under Xvfb).
fn screenshot(display: &str, file: &Path) {
    // WebDriver answers from the DOM; give WebKit a moment to paint what it holds.
    std::thread::sleep(Duration::from_millis(400));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let status = Command::new("import")
        .args(["-display", display, "-window", "root", file.to_str().unwrap()])
        .status()
        .expect("ImageMagick's import (run `make test`, which installs it)");
    assert!(status.success(), "screenshot of {display} failed");
    println!("screenshot: {}", file.display());
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let installed = cargo_home.join("bin").join("tauri-driver");
    if installed.exists() {
        installed
    } else {
        "tauri-driver".into()
    }
}

/// Quotes text for XPath 1.0, which has no escapes.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        format!("concat('{}')", text.split('\'').collect::<Vec<_>>().join("', \"'\", '"))
    }
}

/// Where tests leave what a person should look at (screenshots): `target/test-output/`.
pub fn output_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-output")
}
