//! The map page in a real browser: `qmap serve --demo` on a free port, headless Chromium driven
//! over WebDriver (chromedriver), every view checked for console errors and screenshotted to
//! `target/screenshots/`.
//!
//! Ignored by default because they need Chromium and chromedriver (`.ci/run` installs the
//! Debian packages and runs `cargo test --test browser -- --ignored`).

use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHAIN: &str = "pb-power-battery";

/// How long any wait may take before the test gives up. Generous on purpose: waits only guard
/// against hangs, and the machine running them may be a loaded 2-core box.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// The pause between two looks of a poll.
const POLL: Duration = Duration::from_millis(100);

/// Starts `command` with its stdout piped and returns it with the first value `find` picks out of
/// a stdout line (the address it announces). The rest of stdout is drained on a thread, so the
/// process never blocks on a full pipe. `guard` wraps the child first, so it is cleaned up even
/// when the announcement never comes.
fn spawn_announcing<G, T: Send + 'static>(
    command: &mut Command,
    what: &str,
    guard: impl FnOnce(Child) -> G,
    find: impl Fn(&str) -> Option<T> + Send + 'static,
) -> (G, T) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} does not start: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let guard = guard(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            if let Some(found) = find(&line) {
                let _ = tx.send(found);
                break;
            }
        }
        for _ in lines {}
    });
    match rx.recv_timeout(HANG_GUARD) {
        Ok(found) => (guard, found),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{what} exited without announcing its address")
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} announced no address within {HANG_GUARD:?}")
        }
    }
}

/// The `qmap serve` process, killed when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `qmap serve --demo` over `data` on a port the system picks, and returns its base URL.
fn serve(data: &std::path::Path) -> (Server, String) {
    spawn_announcing(
        Command::new(env!("CARGO_BIN_EXE_qmap"))
            .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn"),
        "qmap serve",
        Server,
        |line| {
            let rest = line.split("qmap is serving on ").nth(1)?;
            let url = rest.split_whitespace().next()?;
            Some(url.trim_end_matches('/').to_string())
        },
    )
}

/// Process ids of the members of process group `group` other than its leader, read from /proc:
/// the live ones, or also the dead ones not yet reaped (zombies) with `zombies`.
fn group_members(group: u32, zombies: bool) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
        let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
        let state = fields.next()?;
        let pgrp: u32 = fields.nth(1)?.parse().ok()?;
        (pgrp == group && pid != group && (zombies || state != "Z")).then_some(pid)
    })
    .collect()
}

/// Live processes other than this one whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let me = std::process::id();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        // A zombie's command line reads empty, so only live processes match.
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        (pid != me && String::from_utf8_lossy(&cmdline).contains(needle)).then_some(pid)
    })
    .collect()
}

/// Sends SIGKILL to every process of group `group` (std has no call for a group).
fn kill_group(group: u32) {
    let _ = Command::new("sh")
        .args(["-c", &format!("kill -KILL -- -{group}")])
        .stderr(Stdio::null())
        .status();
}

/// Ends a WebDriver session with a plain blocking HTTP request: it works from `Drop`, while a
/// test panics, where the async client can no longer be driven.
fn delete_session(port: u16, session: &str) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(60)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    // chromedriver answers once the browser has quit, and may keep the connection open after:
    // the first bytes of the answer are all there is to wait for.
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read(&mut [0; 1024]);
    }
}

/// chromedriver in a process group of its own, with the Chromium it starts (and Chromium's
/// helpers) in that group too. Dropping it, pass or fail (a panic included), closes the session
/// if still open, kills the whole group and waits until no member is left: no browser outlives
/// the test.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
    /// Chromium profiles, removed only once the browser is gone.
    profiles: Vec<tempfile::TempDir>,
}

impl Driver {
    fn start() -> Driver {
        let (mut driver, port) = spawn_announcing(
            Command::new("chromedriver")
                .arg("--port=0")
                .stderr(Stdio::null())
                .process_group(0),
            "chromedriver",
            |child| Driver {
                child,
                port: 0,
                session: None,
                profiles: Vec::new(),
            },
            |line| {
                let rest = line.split("started successfully on port ").nth(1)?;
                rest.trim_end_matches('.').trim().parse::<u16>().ok()
            },
        );
        driver.port = port;
        driver
    }

    /// A WebDriver session on a headless Chromium. Starting Chromium can fail by chance on a
    /// loaded machine (chromedriver gives it a fixed time), so it is tried three times, each
    /// with a fresh profile.
    async fn session(&mut self) -> Client {
        let mut last = None;
        for attempt in 1..=3 {
            let profile = tempfile::tempdir().unwrap();
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".into(),
                json!({
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--window-size=1600,1000",
                        format!("--user-data-dir={}", profile.path().display()),
                    ]
                }),
            );
            // Scripts that await the API and page loads get as long as any wait.
            caps.insert(
                "timeouts".into(),
                json!({"script": HANG_GUARD.as_millis() as u64, "pageLoad": HANG_GUARD.as_millis() as u64}),
            );
            self.profiles.push(profile);
            match ClientBuilder::native()
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => {
                    self.session = client.session_id().await.ok().flatten();
                    return client;
                }
                Err(e) => {
                    eprintln!("no WebDriver session on attempt {attempt}: {e}");
                    last = Some(e);
                }
            }
        }
        panic!("no WebDriver session after three attempts: {last:?}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            delete_session(self.port, &session);
        }
        // The group's id is chromedriver's pid, which cannot be reused until it is reaped below.
        let group = self.child.id();
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            kill_group(group);
            let left = group_members(group, false);
            if left.is_empty() {
                break;
            }
            if Instant::now() > deadline {
                // No panic in a drop (it may run during one): say it loudly instead.
                eprintln!("browser processes {left:?} outlived SIGKILL");
                break;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The dead helpers now belong to init, which reaps them soon: give it a moment, so
        // that nothing of this browser is left even in the process table.
        let reaped = Instant::now() + Duration::from_secs(10);
        while !group_members(group, true).is_empty() && Instant::now() < reaped {
            std::thread::sleep(POLL);
        }
    }
}

/// A served demo store and a browser pointed at it.
struct Page {
    client: Client,
    base: String,
    // Dropped in this order: the browser (and its profiles), the server, then its data.
    driver: Driver,
    _server: Server,
    _data: tempfile::TempDir,
}

impl Page {
    async fn open() -> Page {
        Page::open_on(tempfile::tempdir().unwrap()).await
    }

    /// Serves `data` (with `--demo`, which loads the demo chains only into an empty store).
    async fn open_on(data: tempfile::TempDir) -> Page {
        let (server, base) = serve(data.path());
        let mut driver = Driver::start();
        let client = driver.session().await;
        Page {
            client,
            base,
            driver,
            _server: server,
            _data: data,
        }
    }

    /// Opens `#/route` and waits until the view called `view` has rendered; the chain list also
    /// until no chain is pending (right after the server's start its analyses may still run:
    /// the page asks again until they are done).
    async fn show(&self, route: &str, view: &str) {
        self.show_now(route, view).await;
        if view == "chains" {
            self.wait_until(
                "return document.querySelectorAll('.chain-card[data-pending]').length === 0",
                "no chain pending",
            )
            .await;
        }
    }

    /// Asserts that the page has stopped polling: the call counter `window.<counter>` (kept by
    /// a test's wrapped `fetch`) does not move over two poll intervals and more.
    async fn assert_asks_no_more(&self, counter: &str) {
        let read = format!("return window.{counter}");
        let calls = self.js(&read).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(self.js(&read).await, calls, "window.{counter} moved");
    }

    /// Opens `#/route` and waits until the view called `view` has rendered.
    async fn show_now(&self, route: &str, view: &str) {
        let url = format!("{}/#/{route}", self.base);
        // A change of the hash alone re-renders on `hashchange`, after the navigation returns:
        // clear the last view's ready mark first, so it cannot pass for the new view's.
        let _ = self
            .try_js(&format!(
                "if (location.href !== {}) delete document.body.dataset.ready; return true",
                json!(url)
            ))
            .await;
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("navigating to {url}: {e}"));
        self.wait_until(
            &format!(
                "return document.body.dataset.view === '{view}' && document.body.dataset.ready === '1'"
            ),
            &format!("view {view} at #/{route}"),
        )
        .await;
        self.assert_no_errors(route).await;
    }

    async fn try_js(&self, script: &str) -> Result<Value, CmdError> {
        self.client.execute(script, vec![]).await
    }

    async fn js(&self, script: &str) -> Value {
        self.try_js(script)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `condition` (a script returning a boolean) until it returns true. A script error
    /// counts as "not yet" (the page may be between two renders); past the deadline the last
    /// answer or error is reported with the page's errors.
    async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            let last = match self.try_js(condition).await {
                Ok(Value::Bool(true)) => return,
                Ok(other) => format!("the condition returned {other}"),
                Err(e) => format!("the condition failed: {e}"),
            };
            if Instant::now() > deadline {
                let errors = match self.try_js("return window.__qmapErrors || []").await {
                    Ok(errors) => errors.to_string(),
                    Err(e) => format!("unreadable ({e})"),
                };
                panic!("timed out after {HANG_GUARD:?} waiting for {what}; last: {last}; page errors: {errors}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn assert_no_errors(&self, at: &str) {
        let errors = self.js("return window.__qmapErrors").await;
        assert_eq!(errors, json!([]), "console errors at #/{at}");
    }

    /// GET or POST an API path from inside the page (WebDriver awaits the promise), with the
    /// token the page is logged in with, if any.
    async fn api(&self, path: &str, body: Option<Value>) -> Value {
        let auth = "const token = localStorage.getItem('qmap.token'); \
                    const auth = token ? {authorization: 'Bearer ' + token} : {};";
        let script = match body {
            None => format!("{auth} return fetch('{path}', {{headers: auth}}).then(r => r.json())"),
            Some(b) => format!(
                "{auth} return fetch('{path}', {{method: 'POST', headers: {{...auth, 'content-type': 'application/json'}}, body: JSON.stringify({b})}}).then(r => r.json())"
            ),
        };
        self.js(&script).await
    }

    /// Logs the page in with `token` (as the login form does: kept in localStorage) and reloads.
    async fn log_in(&self, token: &str) {
        self.client
            .goto(&format!("{}/#/", self.base))
            .await
            .unwrap_or_else(|e| panic!("opening the page: {e}"));
        self.js(&format!(
            "localStorage.setItem('qmap.token', {}); return true",
            json!(token.trim())
        ))
        .await;
        self.client.refresh().await.unwrap();
        self.wait_until(
            "return document.body.dataset.ready === '1'",
            "the page after logging in",
        )
        .await;
    }

    async fn count(&self, selector: &str) -> u64 {
        self.js(&format!(
            "return document.querySelectorAll('{selector}').length"
        ))
        .await
        .as_u64()
        .unwrap()
    }

    /// Waits until `selector` matches exactly `n` elements.
    async fn wait_count(&self, selector: &str, n: u64) {
        self.wait_until(
            &format!("return document.querySelectorAll('{selector}').length === {n}"),
            &format!("{n} × {selector}"),
        )
        .await;
    }

    async fn click(&self, selector: &str) {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
    }

    async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the session politely; the driver's drop kills whatever is left either way.
    async fn close(mut self) {
        match self.client.clone().close().await {
            Ok(()) => self.driver.session = None,
            Err(e) => eprintln!("closing the WebDriver session: {e} (the browser is killed)"),
        }
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn every_view_loads_without_console_errors() {
    let page = Page::open().await;

    page.show("", "chains").await;
    assert_eq!(page.count(".chain-card").await, 3);
    // Worst first: the card order follows severity coverage, lowest first.
    let first = page
        .js("return document.querySelector('.chain-card').dataset.chain")
        .await;
    let chains = page.api("/api/v1/chains", None).await;
    let pct = |c: &Value| {
        let cov = &c["coverage"];
        cov["severity_assigned"].as_f64().unwrap() / cov["severity_total"].as_f64().unwrap()
    };
    let worst = chains
        .as_array()
        .unwrap()
        .iter()
        .min_by(|a, b| pct(a).total_cmp(&pct(b)))
        .unwrap();
    assert_eq!(first, worst["id"]);
    page.screenshot("chains").await;

    for (route, view, shot) in [
        (format!("chain/{CHAIN}"), "map", "map"),
        (format!("chain/{CHAIN}/scenario"), "scenario", "scenario"),
        (format!("chain/{CHAIN}/suppliers"), "suppliers", "suppliers"),
        (format!("chain/{CHAIN}/lists"), "lists", "lists"),
        ("compare".to_string(), "compare", "compare"),
        (format!("chain/{CHAIN}/changes"), "changes", "changes-demo"),
        ("goals".to_string(), "goals", "goals"),
        ("chain/h2-hydrogen".to_string(), "map", "map-hydrogen"),
        (
            "chain/oe-optical-fiber/suppliers".to_string(),
            "suppliers",
            "suppliers-optical",
        ),
    ] {
        page.show(&route, view).await;
        page.screenshot(shot).await;
        if view == "compare" {
            // One bar per chain for overall coverage, and per element for chains and dataset.
            assert!(page.count(".chart rect.bar[data-element]").await >= 4 * 5);
            assert_eq!(page.count(".chart rect.bar:not([data-element])").await, 3);
            assert_eq!(page.count("table[data-table=comparison] tbody tr").await, 3);
        }
        if view == "changes" {
            // With two surveys the comparison, with fewer the notice saying how to make one.
            assert!(
                page.count("[data-section=summary], [data-notice=few-surveys]")
                    .await
                    >= 1
            );
        }
    }

    // The supplier view lists the master's suppliers in tier columns.
    page.show(&format!("chain/{CHAIN}/suppliers/pb-cz-ev"), "suppliers")
        .await;
    let view = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/masters/pb-cz-ev/suppliers"),
            None,
        )
        .await;
    let suppliers = view["suppliers"].as_array().unwrap().len() as u64;
    assert_eq!(page.count(".sup-card[data-supplier]").await, suppliers);

    // English switch, remembered across a reload.
    page.show("", "chains").await;
    page.click("#lang").await;
    page.wait_until(
        "return document.body.dataset.ready === '1' && document.querySelector('.page-head h1')?.textContent === 'Key industry chains'",
        "English titles",
    )
    .await;
    page.client.refresh().await.unwrap();
    page.wait_until(
        "return document.body.dataset.ready === '1' && document.querySelector('.brand span')?.textContent === 'Chain quality maps'",
        "English after reload",
    )
    .await;
    assert_eq!(
        page.js("return localStorage.getItem('qmap.lang')").await,
        "en"
    );
    page.show(&format!("chain/{CHAIN}"), "map").await;
    page.screenshot("map-en").await;
    page.click("#lang").await;
    page.wait_until(
        "return document.documentElement.lang === 'zh-CN' && document.body.dataset.view === 'map' && document.body.dataset.ready === '1'",
        "Chinese again",
    )
    .await;
    page.assert_no_errors("after switching languages").await;
    page.close().await;
}

/// Right after a start the chain list may list chains whose analysis is still being computed
/// (`pending`). The home page shows them with "计算中…" in the analysis figures (no zeros, no
/// coverage ring, no button into a view that needs the analysis), asks again every two seconds
/// until no row is pending, then shows the full cards and stops asking. The server's rows are
/// made pending in the page (its `fetch` wrapped): the demo chains are analysed too fast to
/// catch them pending.
#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn pending_chains_show_computing_and_the_list_asks_again_until_none_is() {
    let page = Page::open().await;
    page.show("goals", "goals").await;
    // Until the test says `__release`, every row pending; then once the first row full and the
    // others pending; then the server's own answers.
    page.js(
        "window.__chainCalls = 0; window.__release = false; let partial = false;
         const real = window.fetch.bind(window);
         window.fetch = async (url, options) => {
           const res = await real(url, options);
           if (!String(url).endsWith('/api/v1/chains')) return res;
           window.__chainCalls += 1;
           if (window.__release && partial) return res;
           partial = window.__release;
           const cheap = ['id', 'name', 'chief', 'segments', 'firms', 'masters', 'supplies', 'demand_problems'];
           const rows = (await res.json()).map((r, i) => (partial && i === 0 ? r
             : Object.assign(Object.fromEntries(cheap.filter((k) => k in r).map((k) => [k, r[k]])), { pending: true })));
           return new Response(JSON.stringify(rows), { status: 200, headers: { 'content-type': 'application/json' } });
         };
         return true",
    )
    .await;
    page.show_now("", "chains").await;
    assert_eq!(page.count(".chain-card").await, 3);
    assert_eq!(page.count(".chain-card[data-pending]").await, 3);
    assert_eq!(page.count("[data-pending-note]").await, 1);
    let card = page
        .js(&format!(
            "const c = document.querySelector('.chain-card[data-chain=\"{CHAIN}\"]');
             return {{ computing: [...c.querySelectorAll('.kpi.pending b')].map((b) => b.textContent),
                      ring: c.querySelectorAll('.ring').length, bars: c.querySelectorAll('.el-bar').length,
                      map: c.querySelectorAll('a[href=\"#/chain/{CHAIN}\"]').length,
                      firms: c.querySelector('.kpi b').textContent }}"
        ))
        .await;
    assert_eq!(card["computing"], json!(["计算中…", "计算中…", "计算中…"]));
    assert_eq!(card["ring"], 0);
    assert_eq!(card["bars"], 0);
    assert_eq!(card["map"], 0);
    assert_eq!(card["firms"], "57");

    // Once the rows get ready, the page shows them in full.
    page.js("window.__release = true; return true").await;
    page.wait_until(
        "return document.querySelectorAll('.chain-card').length === 3 \
         && document.querySelectorAll('.chain-card[data-pending]').length === 0",
        "every card full",
    )
    .await;
    assert_eq!(page.count("[data-pending-note]").await, 0);
    assert_eq!(page.count(".kpi.pending").await, 0);
    assert_eq!(page.count(".chain-card .ring").await, 3);
    assert_eq!(page.count(".chain-card .flag").await, 1);
    // No row pending: the page asks no more.
    page.assert_asks_no_more("__chainCalls").await;
    page.assert_no_errors("").await;
    page.close().await;
}

/// Right after a write the comparison may answer an earlier revision's figures
/// (`as_of_revision`). The planners' page then says "数据更新中，当前显示第 N 版的结果" above
/// the figures, asks again every two seconds, and once the answer is current shows it without
/// the line and stops asking. The server's answer is marked in the page (its `fetch` wrapped):
/// the demo's scope is computed too fast to catch an earlier one.
#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn an_earlier_revisions_comparison_is_said_so_until_the_current_one_is_ready() {
    let page = Page::open().await;
    page.show("goals", "goals").await;
    page.js(
        "window.__cmpCalls = 0; window.__release = false;
         const real = window.fetch.bind(window);
         window.fetch = async (url, options) => {
           const res = await real(url, options);
           if (!String(url).endsWith('/api/v1/comparison')) return res;
           window.__cmpCalls += 1;
           if (window.__release) return res;
           const body = Object.assign(await res.json(), { as_of_revision: 7 });
           return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
         };
         return true",
    )
    .await;
    page.show_now("compare", "compare").await;
    let line = page
        .js("const n = document.querySelectorAll('.as-of-note'); \
             return { count: n.length, text: n[0] && n[0].textContent, table: document.querySelectorAll('[data-table=comparison] tbody tr').length }")
        .await;
    assert_eq!(line["count"], 1);
    assert_eq!(line["text"], "数据更新中，当前显示第 7 版的结果");
    assert_eq!(line["table"], 3);

    page.js("window.__release = true; return true").await;
    page.wait_until(
        "return document.querySelectorAll('.as-of-note').length === 0 \
         && document.querySelectorAll('[data-table=comparison] tbody tr').length === 3",
        "the current comparison, without the line",
    )
    .await;
    // Current: the page asks no more.
    page.assert_asks_no_more("__cmpCalls").await;
    page.assert_no_errors("").await;
    page.close().await;
}

/// The first comparison after a start, while the whole dataset's figures are computed, is
/// answered 202 `computing` (simulated here by wrapping `fetch`: the demo is computed too fast
/// to catch): the loading line says so, the page asks again after `Retry-After`, and shows the
/// comparison once it is answered.
#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_comparison_being_computed_says_so_and_shows_once_computed() {
    let page = Page::open().await;
    page.show("goals", "goals").await;
    page.js("window.__cmpCalls = 0; window.__release = false;
         const real = window.fetch.bind(window);
         window.fetch = async (url, options) => {
           if (!String(url).endsWith('/api/v1/comparison')) return real(url, options);
           window.__cmpCalls += 1;
           if (window.__release) return real(url, options);
           const body = { code: 'computing', message: 'being computed' };
           return new Response(JSON.stringify(body), { status: 202,
             headers: { 'content-type': 'application/json', 'retry-after': '1' } });
         };
         return true")
        .await;
    let url = format!("{}/#/compare", page.base);
    page.client.goto(&url).await.unwrap();
    page.wait_until(
        "return window.__cmpCalls >= 2 && document.querySelector('#view .loading') !== null \
         && document.querySelector('#view .loading').textContent.includes('正在计算全部产业链的数据')",
        "the loading line saying the figures are being computed, asked again",
    )
    .await;
    page.js("window.__release = true; return true").await;
    page.wait_until(
        "return document.body.dataset.view === 'compare' && document.body.dataset.ready === '1' \
         && document.querySelectorAll('[data-table=comparison] tbody tr').length === 3",
        "the comparison, once answered",
    )
    .await;
    page.assert_no_errors("compare").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_map_shows_one_mark_per_firm_and_a_click_shows_why_a_firm_is_critical() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}"), "map").await;
    let map = page.api(&format!("/api/v1/chains/{CHAIN}/map"), None).await;
    let firms = map["firms"].as_array().unwrap();
    assert_eq!(firms.len(), 57);
    assert_eq!(page.count("#map .marks [data-id]").await, 57);
    assert_eq!(page.count("#map .marks .master").await, 3);
    assert_eq!(page.count("#map .marks .critical").await, 15);
    assert_eq!(page.count("#map .marks .foreign").await, 14);
    assert_eq!(
        page.count("#map .provider").await as usize,
        map["providers"].as_array().unwrap().len()
    );

    // The picture downloads: PNG and a one-page PDF, as the server draws them.
    for (format, kind) in [("png", "image/png"), ("pdf", "application/pdf")] {
        page.js(&format!(
            "window.__saved = null; const make = URL.createObjectURL; \
             URL.createObjectURL = (blob) => {{ URL.createObjectURL = make; window.__saved = `${{blob.type}} ${{blob.size}}`; return make(blob); }}; \
             document.querySelector('[data-picture={format}]').click(); return true"
        ))
        .await;
        page.wait_until("return window.__saved !== null", "the picture saved")
            .await;
        let saved = page.js("return window.__saved").await;
        assert!(
            saved.as_str().unwrap().starts_with(kind),
            "{format}: {saved}"
        );
    }

    let additive = firms.iter().find(|f| f["id"] == "pb-zjg-additive").unwrap();
    page.click("#map [data-id='pb-zjg-additive']").await;
    page.wait_until(
        "return !!document.querySelector(\".firm-panel[data-firm='pb-zjg-additive']\")",
        "the firm panel",
    )
    .await;
    let panel = page
        .js("return document.querySelector('.firm-panel').textContent")
        .await;
    let panel = panel.as_str().unwrap();
    assert!(panel.contains(additive["name"].as_str().unwrap()));
    assert!(panel.contains("传导路径"), "the evidence path is shown");
    for step in additive["evidence"].as_array().unwrap() {
        assert!(
            panel.contains(step["part"].as_str().unwrap()),
            "part {step}"
        );
    }
    for p in map["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["org"] == "pb-zjg-additive")
    {
        assert!(
            panel.contains(p["title"].as_str().unwrap()),
            "problem {}",
            p["id"]
        );
    }
    assert_eq!(
        page.count(".firm-panel .path li").await as usize,
        additive["evidence"].as_array().unwrap().len() + 1
    );
    assert_eq!(
        page.count("#map .highlight .evidence").await as usize,
        additive["evidence"].as_array().unwrap().len()
    );
    assert!(page
        .js("return location.hash")
        .await
        .as_str()
        .unwrap()
        .ends_with("/map/pb-zjg-additive"));
    page.screenshot("map-firm").await;

    // Filters dim the firms without a matching demand problem.
    page.js("const s = document.querySelector('[data-filter=severity]'); s.value = '5'; s.dispatchEvent(new Event('change')); return true").await;
    let severe: std::collections::BTreeSet<&str> = map["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"].as_u64() == Some(5) && p["status"] != "resolved")
        .map(|p| p["org"].as_str().unwrap())
        .collect();
    assert_eq!(
        page.count("#map .marks [data-id]:not(.dim)").await as usize,
        severe.len()
    );
    page.assert_no_errors("after filtering").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_segment_filter_lists_every_segment_and_dims_the_firms_of_the_others() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}"), "map").await;
    let map = page.api(&format!("/api/v1/chains/{CHAIN}/map"), None).await;
    let segments = map["chain"]["segments"].as_array().unwrap();
    assert!(segments.len() >= 5, "the demo chain has its segments");

    // 全部 first, then one option per segment, in chain order, by its Chinese name.
    let options = page
        .js("return [...document.querySelectorAll('select[data-filter=segment] option')].map((o) => [o.value, o.textContent])")
        .await;
    let mut expected = vec![json!(["", "全部"])];
    expected.extend(segments.iter().map(|s| json!([s["id"], s["name"]])));
    assert_eq!(options, Value::Array(expected));
    let select_text = page
        .js("return document.querySelector('select[data-filter=segment]').textContent")
        .await;
    assert!(
        !select_text.as_str().unwrap().contains("[object"),
        "no stringified elements in the drop-down: {select_text}"
    );

    // Pick the segment with the most firms, the way a user does: by its name.
    let firms = map["firms"].as_array().unwrap();
    let in_segment = |id: &Value| -> std::collections::BTreeSet<String> {
        firms
            .iter()
            .filter(|f| &f["segment"] == id)
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let segment = segments
        .iter()
        .max_by_key(|s| in_segment(&s["id"]).len())
        .unwrap();
    let expected = in_segment(&segment["id"]);
    assert!(!expected.is_empty() && expected.len() < firms.len());
    page.client
        .find(Locator::Css("select[data-filter=segment]"))
        .await
        .unwrap()
        .select_by_label(segment["name"].as_str().unwrap())
        .await
        .unwrap();
    page.wait_until(
        "return document.querySelector('#map').classList.contains('filtered')",
        "the filtered map",
    )
    .await;
    // Only that segment's firms stay lit; every other firm (and its label) is dimmed.
    let lit: std::collections::BTreeSet<String> = serde_json::from_value(
        page.js("return [...document.querySelectorAll('#map .marks [data-id]:not(.dim)')].map((e) => e.dataset.id)")
            .await,
    )
    .unwrap();
    assert_eq!(lit, expected, "lit firms for segment {}", segment["id"]);
    assert_eq!(
        page.count("#map .marks [data-id].dim").await as usize,
        firms.len() - expected.len()
    );
    assert_eq!(
        page.count("#map .labels .label:not(.dim)").await as usize,
        expected.len()
    );
    let status = page
        .js("return document.querySelector('.map-status').textContent")
        .await;
    assert!(
        status
            .as_str()
            .unwrap()
            .contains(&format!("符合筛选的企业：{}", expected.len())),
        "the status counts the matching firms: {status}"
    );
    page.screenshot("map-segment").await;

    // 全部 lights every firm again.
    page.client
        .find(Locator::Css("select[data-filter=segment]"))
        .await
        .unwrap()
        .select_by_label("全部")
        .await
        .unwrap();
    page.wait_count("#map .marks [data-id].dim", 0).await;
    assert_eq!(
        page.js("return document.querySelector('#map').classList.contains('filtered')")
            .await,
        json!(false)
    );
    page.assert_no_errors("after the segment filter").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn cutting_all_foreign_suppliers_greys_out_what_the_api_says_is_disabled() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}/scenario"), "scenario")
        .await;
    assert_eq!(page.count("#map .marks .disabled").await, 0);
    page.click("[data-scn=all_foreign]").await;
    page.click("[data-action=run]").await;
    page.wait_until(
        "return !!document.body.dataset.scenarioDisabled",
        "the scenario result",
    )
    .await;
    let answer = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/scenarios"),
            Some(json!({"failures": ["all_foreign"]})),
        )
        .await;
    let disabled = answer["disabled"].as_array().unwrap().len() as u64;
    assert!(disabled > 0);
    assert_eq!(page.count("#map .marks .disabled").await, disabled);
    let failed = answer["disabled"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["failed"] == true)
        .count() as u64;
    assert_eq!(page.count("#map .marks .failed").await, failed);
    let masters = answer["disabled_masters"].as_array().unwrap().len() as u64;
    assert_eq!(page.count("#map .marks .master.disabled").await, masters);
    let summary = page
        .js("return document.querySelector('.scn-summary').textContent")
        .await;
    assert!(summary.as_str().unwrap().contains(&disabled.to_string()));
    page.screenshot("scenario-all-foreign").await;

    // A region prefix replaces the foreign cut.
    page.click("[data-action=clear]").await;
    page.wait_until(
        "return document.body.dataset.scenarioDisabled === ''",
        "the cleared scenario",
    )
    .await;
    assert_eq!(page.count("#map .marks .disabled").await, 0);
    page.js("const i = document.querySelector('[data-scn=region_prefix]'); i.value = '3205'; i.dispatchEvent(new Event('input')); return true").await;
    page.click("[data-action=run]").await;
    let answer = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/scenarios"),
            Some(json!({"failures": [{"region_prefix": "3205"}]})),
        )
        .await;
    let expected = answer["disabled"].as_array().unwrap().len();
    page.wait_until(
        &format!("return document.body.dataset.scenarioDisabled === '{expected}'"),
        "the region scenario",
    )
    .await;
    assert_eq!(page.count("#map .marks .disabled").await as usize, expected);
    page.assert_no_errors("after the scenarios").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_csv_downloads_have_one_row_per_listed_item() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}/lists"), "lists").await;
    let problems = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/problems?demand=true&per_page=1000"),
            None,
        )
        .await;
    let candidates = page
        .api(&format!("/api/v1/chains/{CHAIN}/projects"), None)
        .await;
    let projects = page
        .api(
            &format!("/api/v1/projects?chain={CHAIN}&per_page=1000"),
            None,
        )
        .await;
    let tools = page
        .api(&format!("/api/v1/chains/{CHAIN}/policy-tools"), None)
        .await;
    let gaps = page
        .api(&format!("/api/v1/chains/{CHAIN}/gaps"), None)
        .await;
    let len = |v: &Value| v.as_array().unwrap().len();
    let expected = [
        ("problems", problems["total"].as_u64().unwrap() as usize),
        ("projects", projects["total"].as_u64().unwrap() as usize),
        (
            "candidates",
            len(&candidates["common_technology"])
                + len(&candidates["chain_collaboration"])
                + len(&candidates["key_product"]),
        ),
        ("policy-tools", len(&tools["gaps"])),
        (
            "gaps",
            len(&gaps["gaps"]["infrastructure"]) + len(&gaps["gaps"]["capacity"]),
        ),
    ];
    for (list, rows) in expected {
        // Centred first, so the sticky header cannot take the click.
        page.js(&format!(
            "window.__qmapLastCsv = null; document.querySelector('[data-csv={list}]').scrollIntoView({{block: 'center'}}); return true"
        ))
        .await;
        page.click(&format!("[data-csv={list}]")).await;
        page.wait_until(
            &format!("return window.__qmapLastCsv?.name === '{CHAIN}-{list}.csv'"),
            &format!("the {list} CSV"),
        )
        .await;
        let csv = page.js("return window.__qmapLastCsv").await;
        let text = csv["text"].as_str().unwrap();
        assert!(text.starts_with('\u{feff}'), "{list}: UTF-8 BOM for Excel");
        // Quoted fields may hold commas but never line breaks in these lists.
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(
            lines.len() - 1,
            rows,
            "{list}: one row per item plus the header"
        );
        // The page shows 50 rows at a time; the CSV has them all.
        assert_eq!(
            page.count(&format!("table[data-table={list}] tbody tr"))
                .await as usize,
            rows.min(50)
        );
    }
    let csv = page.js("return window.__qmapLastCsv.text").await;
    assert!(
        csv.as_str().unwrap().contains("基础设施缺口"),
        "Chinese labels in the CSV"
    );
    page.assert_no_errors("after the downloads").await;
    page.close().await;
}

/// Capabilities show by their catalogue names (the code on hover) in the lists, the firm panel
/// and the providers' tooltips; the gaps CSV has the name and the code in columns of their own.
#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn capabilities_show_by_their_catalogue_names_with_the_code_on_hover() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}/lists"), "lists").await;
    let catalogue = page.api("/api/v1/capabilities", None).await;
    let names: std::collections::HashMap<String, String> = catalogue
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(names["testing:thermal-runaway"], "热失控测试");
    // Every capability cell: the name shown, the code in `title` and `data-code`.
    let cells = |scope: &str| {
        format!(
            "return [...document.querySelectorAll('{scope} [data-code]')]\
             .map((e) => [e.dataset.code, e.title, e.textContent])"
        )
    };
    let assert_named = |cells: &Value, at: &str| {
        let cells = cells.as_array().unwrap();
        assert!(!cells.is_empty(), "{at}: no capability shown");
        for c in cells {
            let code = c[0].as_str().unwrap();
            assert_eq!(c[1].as_str().unwrap(), code, "{at}: the code on hover");
            assert_eq!(c[2].as_str().unwrap(), names[code], "{at}: {code} by name");
        }
    };

    for table in ["problems", "gaps", "recommendations", "policy-tools"] {
        let shown = page.js(&cells(&format!("table[data-table={table}]"))).await;
        assert_named(&shown, table);
    }
    page.js(
        "window.__qmapLastCsv = null; document.querySelector('[data-csv=gaps]').scrollIntoView({block: 'center'}); return true",
    )
    .await;
    page.click("[data-csv=gaps]").await;
    page.wait_until(
        &format!("return window.__qmapLastCsv?.name === '{CHAIN}-gaps.csv'"),
        "the gaps CSV",
    )
    .await;
    let csv = page.js("return window.__qmapLastCsv.text").await;
    let lines: Vec<&str> = csv.as_str().unwrap().split("\r\n").collect();
    assert!(
        lines[0].starts_with("\u{feff}缺口类型,能力,能力代码,"),
        "{}",
        lines[0]
    );
    let gaps = page
        .api(&format!("/api/v1/chains/{CHAIN}/gaps"), None)
        .await;
    let first = &gaps["gaps"]["infrastructure"][0]["code"];
    let code = first.as_str().unwrap();
    assert!(
        lines[1].starts_with(&format!("基础设施缺口,{},{code},", names[code])),
        "{}",
        lines[1]
    );

    // The firm panel: each need by name.
    page.show(&format!("chain/{CHAIN}/map/pb-ly-cell"), "map")
        .await;
    page.wait_until(
        "return document.querySelectorAll('.needs [data-code]').length > 0",
        "the needs in the firm panel",
    )
    .await;
    let shown = page.js(&cells(".needs")).await;
    assert_named(&shown, "the firm panel");
    page.assert_no_errors("after the capability names").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_wait_takes_a_script_error_for_not_yet() {
    let page = Page::open().await;
    page.show("", "chains").await;
    // As during a re-render: the condition reads an element that is not there yet, and throws
    // (null.textContent) on the first two polls; the third poll renders it.
    page.js("window.__polls = 0; return true").await;
    page.wait_until(
        "window.__polls += 1; \
         if (window.__polls === 3) document.body.append(Object.assign(document.createElement('p'), {id: 'late', textContent: 'drawn'})); \
         return document.getElementById('late').textContent === 'drawn'",
        "an element drawn late",
    )
    .await;
    assert_eq!(page.js("return window.__polls").await, json!(3));
    // The failed polls are WebDriver's errors, not the page's.
    page.assert_no_errors("after failed polls").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_failing_browser_test_leaves_no_browser_behind() {
    // A test that panics with its page open, on a task of its own so that its failure can be
    // looked at from here.
    let (tx, rx) = std::sync::mpsc::channel();
    let failing = tokio::spawn(async move {
        let page = Page::open().await;
        page.show("", "chains").await;
        let profiles: Vec<String> = page
            .driver
            .profiles
            .iter()
            .map(|p| p.path().display().to_string())
            .collect();
        tx.send((page.driver.child.id(), profiles)).unwrap();
        panic!("a deliberate failure, to check that the browser does not outlive it");
    });
    let failure = failing.await.expect_err("the inner test fails");
    assert!(failure.is_panic());
    let (group, profiles) = rx.recv().unwrap();
    assert!(!profiles.is_empty());
    assert_eq!(
        group_members(group, false),
        Vec::<u32>::new(),
        "chromedriver's process group outlived the failed test"
    );
    for profile in profiles {
        assert_eq!(
            processes_mentioning(&profile),
            Vec::<u32>::new(),
            "a Chromium with profile {profile} outlived the failed test"
        );
    }
}

/// Runs a `qmap` command to completion and returns its stdout.
fn qmap(args: &[&str], data: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "qmap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_page_logs_in_with_a_token_and_shows_only_what_the_role_may_read() {
    let data = tempfile::tempdir().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for f in ["power_battery_jiangsu.json", "hydrogen_shaanxi.json"] {
        qmap(&["import", fixtures.join(f).to_str().unwrap()], data.path());
    }
    let enterprise = qmap(
        &[
            "token",
            "create",
            "--role",
            "enterprise",
            "--org",
            "pb-ly-cell",
        ],
        data.path(),
    );
    let planner = qmap(&["token", "create", "--role", "planner"], data.path());
    let page = Page::open_on(data).await;

    // With tokens configured nothing is open: the page asks for one.
    page.client
        .goto(&format!("{}/#/", page.base))
        .await
        .unwrap();
    page.wait_until(
        "return !!document.querySelector('form.login')",
        "the login form",
    )
    .await;
    page.screenshot("login").await;
    let login = |token: &str| {
        format!(
            "document.getElementById('token').value = '{}'; document.querySelector('form.login').requestSubmit(); return true",
            token.trim()
        )
    };

    // The enterprise sees its own chain and its supplier view, not the chain's map.
    page.js(&login(&enterprise)).await;
    page.wait_until(
        "return document.body.dataset.view === 'chains' && document.body.dataset.ready === '1' && document.querySelectorAll('.chain-card').length === 1",
        "the enterprise's chains",
    )
    .await;
    assert_eq!(
        page.js("return document.querySelector('.chain-card').dataset.chain")
            .await,
        json!(CHAIN)
    );
    assert_eq!(
        page.js("return document.querySelector('[data-nav=\"compare\"]').hidden")
            .await,
        json!(true)
    );
    page.screenshot("enterprise-chains").await;
    page.show(&format!("chain/{CHAIN}/suppliers/pb-ly-cell"), "suppliers")
        .await;
    assert!(page.count("[data-supplier]").await + page.count(".supplier").await > 0);
    page.client
        .goto(&format!("{}/#/chain/{CHAIN}/map", page.base))
        .await
        .unwrap();
    page.wait_until(
        "return document.body.dataset.view === 'map' && document.body.dataset.ready === '1' && !!document.querySelector('.error-box')",
        "the refusal",
    )
    .await;
    page.assert_no_errors("enterprise map").await;

    // A planner compares chains but opens no firm-level map either.
    page.client
        .goto(&format!("{}/#/", page.base))
        .await
        .unwrap();
    page.wait_until(
        "return document.body.dataset.view === 'chains' && document.body.dataset.ready === '1'",
        "the chains view",
    )
    .await;
    // The user box fills in on its own request: wait for its log-out button.
    page.wait_until(
        "return document.querySelector('#user button')?.textContent === '退出'",
        "the log-out button",
    )
    .await;
    page.click("#user button").await;
    page.wait_until(
        "return !!document.querySelector('form.login')",
        "the login form after logging out",
    )
    .await;
    assert_eq!(
        page.js("return localStorage.getItem('qmap.token')").await,
        Value::Null
    );
    page.js(&login(&planner)).await;
    page.wait_until(
        "return document.body.dataset.view === 'chains' && document.body.dataset.ready === '1' && document.querySelectorAll('.chain-card').length === 2",
        "the planner's chains",
    )
    .await;
    // No button leads to a refusal: a planner's cards open the changes, not the map.
    assert_eq!(page.count(".chain-card a.btn[data-open=changes]").await, 2);
    assert_eq!(page.count(".chain-card h2 a").await, 0);
    assert_eq!(
        page.js("return [...document.querySelectorAll('.chain-card .btn')].filter(b => b.textContent === '查看图谱' || b.textContent === '下载 SVG').length")
            .await,
        Value::from(0)
    );
    page.show("compare", "compare").await;
    page.screenshot("planner-compare").await;
    page.close().await;
}

/// Two surveys of the power battery chain with known differences, as bundles: the earlier one
/// (2024) and the later one (2025, the fixture with three open problems resolved). From 2024 to
/// 2025: 常熟氟源 joins (and with it a domestic PVDF supply: 盐城锂盛's import-only PVDF is
/// localised), 昆山旧铜箔 leaves (so 常州纳管 becomes the single, critical source of 碳纳米管导电浆料
/// for the master 溧阳锂享), 深圳硅碳 becomes a second 负极材料 source for the master (溧阳碳素 and
/// its graphite supplier stop being critical), three problems are new (one of them the joining
/// firm's), three resolved, one changes severity, and 无锡锂智装备 moves segment.
fn two_power_battery_surveys() -> (Value, Value) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/power_battery_jiangsu.json");
    let fixture: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();

    let mut later = fixture.clone();
    let mut resolved = 0;
    for p in later["problems"].as_array_mut().unwrap() {
        if p["status"] == "open" && resolved < 3 {
            p["status"] = json!("resolved");
            resolved += 1;
        }
    }

    let mut earlier = fixture;
    let joining = "pb-cs-pvdf";
    let list = |b: &mut Value, key: &str| std::mem::take(b[key].as_array_mut().unwrap());
    let orgs: Vec<Value> = list(&mut earlier, "organizations")
        .into_iter()
        .filter(|o| o["id"] != joining)
        .map(|mut o| {
            if o["id"] == "pb-wx-equipment" {
                o["chains"][0]["segment"] = json!("pack");
            }
            o
        })
        .chain([json!({
            "id": "pb-ks-oldfoil", "name": "昆山旧铜箔材料有限公司", "kind": "enterprise",
            "region": "320583",
            "chains": [{"chain": CHAIN, "role": "member", "segment": "raw"}]
        })])
        .collect();
    let supply = |from: &str, to: &str, part: &str| json!({"chain": CHAIN, "from": from, "to": to, "part": part});
    let supplies: Vec<Value> = list(&mut earlier, "supplies")
        .into_iter()
        .filter(|s| s["from"] != joining && s["to"] != joining)
        .filter(|s| !(s["from"] == "pb-sz-anode" && s["to"] == "pb-ly-cell"))
        .chain([
            supply("pb-ks-oldfoil", "pb-ly-anode", "铜箔"),
            supply("pb-ks-oldfoil", "pb-ly-cell", "碳纳米管导电浆料"),
            supply("pb-jp-pvdf", "pb-yc-lfp", "PVDF粘结剂"),
        ])
        .collect();
    let mut problems: Vec<Value> = list(&mut earlier, "problems")
        .into_iter()
        .filter(|p| p["org"] != joining)
        .collect();
    // The last two open problems are new in 2025; one problem was less severe in 2024.
    for _ in 0..2 {
        let last_open = problems
            .iter()
            .rposition(|p| p["status"] == "open")
            .unwrap();
        problems.remove(last_open);
    }
    problems[5]["severity"] = json!(2);
    earlier["organizations"] = Value::Array(orgs);
    earlier["supplies"] = Value::Array(supplies);
    earlier["problems"] = Value::Array(problems);
    (earlier, later)
}

/// The tokens of a served store holding the two surveys of `two_power_battery_surveys`.
struct Tokens {
    planner: String,
    enterprise: String,
}

/// Serves a store holding only the two surveys of `two_power_battery_surveys` (imported with
/// `qmap import --label … --replace`, so `--demo` loads nothing over them), with an admin, a
/// planner and an enterprise token (溧阳锂享, pb-ly-cell), the page logged in as the admin.
async fn page_with_two_surveys() -> (Page, Tokens) {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (earlier, later) = two_power_battery_surveys();
    for (label, bundle) in [("2024年度调查", earlier), ("2025年度调查", later)] {
        let file = files.path().join(format!("{label}.json"));
        std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
        qmap(
            &[
                "import",
                file.to_str().unwrap(),
                "--label",
                label,
                "--replace",
            ],
            data.path(),
        );
    }
    let admin = qmap(&["token", "create", "--role", "admin"], data.path());
    let planner = qmap(&["token", "create", "--role", "planner"], data.path());
    let enterprise = qmap(
        &[
            "token",
            "create",
            "--role",
            "enterprise",
            "--org",
            "pb-ly-cell",
        ],
        data.path(),
    );
    let page = Page::open_on(data).await;
    page.log_in(&admin).await;
    (
        page,
        Tokens {
            planner,
            enterprise,
        },
    )
}

/// The lists of a `/changes` answer, as the view names its tables (`group-list`) with their rows.
fn change_lists(changes: &Value) -> Vec<(String, Vec<Value>)> {
    let mut lists = Vec::new();
    for group in [
        "firms",
        "supplies",
        "problems",
        "critical_nodes",
        "single_source_parts",
        "foreign_only_parts",
    ] {
        for (list, rows) in changes[group].as_object().unwrap() {
            lists.push((format!("{group}-{list}"), rows.as_array().unwrap().clone()));
        }
    }
    lists
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_changes_view_lists_what_changed_between_two_surveys() {
    let (page, _tokens) = page_with_two_surveys().await;
    page.show(&format!("chain/{CHAIN}/changes"), "changes")
        .await;
    let revisions = page.api("/api/v1/revisions", None).await;
    let surveys: Vec<&Value> = revisions
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["label"].is_string())
        .collect();
    assert_eq!(surveys.len(), 2);
    let (from, to) = (&surveys[0]["revision"], &surveys[1]["revision"]);

    // The pickers offer the surveys by label and start at the latest two.
    let options = page
        .js("return [...document.querySelectorAll('select[data-pick=from] option')].map((o) => o.textContent)")
        .await;
    let options: Vec<String> = serde_json::from_value(options).unwrap();
    assert!(options[0].starts_with("2024年度调查"), "{options:?}");
    assert!(options[1].starts_with("2025年度调查"), "{options:?}");
    assert_eq!(
        page.js("return [document.querySelector('select[data-pick=from]').value, document.querySelector('select[data-pick=to]').value]")
            .await,
        json!([from.to_string(), to.to_string()])
    );

    // Every list of the API's answer is a table with one row per entry (none for an empty one),
    // and every summary figure is shown.
    let changes = page
        .api(&format!("/api/v1/chains/{CHAIN}/changes"), None)
        .await;
    assert_eq!(changes["from"]["revision"], *from);
    let lists = change_lists(&changes);
    for (key, rows) in &lists {
        assert_eq!(
            page.count(&format!("table[data-table={key}] tbody tr"))
                .await as usize,
            rows.len(),
            "rows of {key}"
        );
    }
    for (key, n) in changes["summary"].as_object().unwrap() {
        assert_eq!(
            page.js(&format!(
                "return document.querySelector('[data-summary={key}] b').textContent"
            ))
            .await,
            json!(n.to_string()),
            "summary {key}"
        );
    }
    // The known differences of the two surveys, by their Chinese names.
    let text =
        |key: &str| format!("return document.querySelector('table[data-table={key}]').textContent");
    for (key, name) in [
        ("firms-joined", "常熟氟源新材料有限公司"),
        ("firms-left", "昆山旧铜箔材料有限公司"),
        ("firms-changed", "无锡锂智装备有限公司"),
        ("critical_nodes-appeared", "常州纳管导电材料有限公司"),
        ("critical_nodes-disappeared", "溧阳碳素负极材料有限公司"),
        (
            "foreign_only_parts-disappeared",
            "盐城锂盛新能源材料有限公司",
        ),
    ] {
        let shown = page.js(&text(key)).await;
        assert!(
            shown.as_str().unwrap().contains(name),
            "{key} shows {name}: {shown}"
        );
    }
    assert_eq!(
        page.count("table[data-table=problems-resolved] tbody tr")
            .await,
        3
    );
    // The coverage at both surveys, overall and by element.
    assert!(page.count("table[data-table=coverage] tbody tr").await >= 2);

    // The trend: one line per key figure, one point per survey.
    assert_eq!(page.count("[data-chart=trend] .trend-line").await, 8);
    assert_eq!(
        page.count("[data-chart=trend] .trend-pt[data-figure=critical_nodes]")
            .await,
        2
    );

    // The later survey's map marks the firm that joined and the critical node that appeared;
    // the firm that left is listed beside it.
    page.wait_until(
        "return document.querySelector('#map')?.dataset.changesMarked === '1'",
        "the marked map",
    )
    .await;
    assert_eq!(
        page.count("#map .chg-ring.joined[data-for=pb-cs-pvdf]")
            .await,
        1
    );
    assert_eq!(
        page.count("#map .chg-ring.crit-new[data-for=pb-cz-cnt]")
            .await,
        1
    );
    assert_eq!(
        page.count("#map .chg-ring.crit-gone[data-for=pb-ly-anode]")
            .await,
        1
    );
    assert_eq!(
        page.count(".chg-side [data-left] li[data-firm=pb-ks-oldfoil]")
            .await,
        1
    );
    page.screenshot("changes").await;

    // CSV downloads: a UTF-8 BOM, the header, and one row per entry with ids and names.
    page.click("[data-csv=firms-joined]").await;
    let name = format!("{CHAIN}-changes-{from}-{to}-firms-joined.csv");
    page.wait_until(
        &format!("return window.__qmapLastCsv?.name === '{name}'"),
        "the joined firms' CSV",
    )
    .await;
    let csv = page.js("return window.__qmapLastCsv.text").await;
    let joined = &changes["firms"]["joined"][0];
    assert_eq!(
        csv,
        json!(format!(
            "\u{feff}编号,企业,角色,环节\r\n{},{},链员,{}\r\n",
            joined["id"].as_str().unwrap(),
            joined["name"].as_str().unwrap(),
            joined["segment_name"].as_str().unwrap()
        ))
    );
    page.click("[data-csv=problems-resolved]").await;
    page.wait_until(
        "return window.__qmapLastCsv?.name.endsWith('-problems-resolved.csv')",
        "the resolved problems' CSV",
    )
    .await;
    let csv = page.js("return window.__qmapLastCsv.text").await;
    let lines: Vec<&str> = csv
        .as_str()
        .unwrap()
        .trim_end_matches("\r\n")
        .split("\r\n")
        .collect();
    assert!(lines[0].starts_with("\u{feff}编号,名称,企业编号,企业,"));
    assert!(lines[0].ends_with(",结果"));
    let resolved = changes["problems"]["resolved"].as_array().unwrap();
    assert_eq!(lines.len(), 1 + resolved.len());
    for (line, p) in lines[1..].iter().zip(resolved) {
        assert!(line.starts_with(&format!("{},", p["id"].as_str().unwrap())));
        assert!(line.contains(p["org_name"].as_str().unwrap()), "{line}");
    }

    // Swapped, the comparison reads backwards: the firm that left has joined. (The button is
    // brought clear of the sticky top bar first: the downloads scrolled the page.)
    page.js("document.querySelector('[data-action=swap]').scrollIntoView({block: 'center'}); return true")
        .await;
    page.click("[data-action=swap]").await;
    page.wait_until(
        &format!(
            "return location.hash.endsWith('/changes/{to}/{from}') && document.body.dataset.ready === '1' \
             && !!document.querySelector('table[data-table=firms-joined]')"
        ),
        "the swapped comparison",
    )
    .await;
    let shown = page.js(&text("firms-joined")).await;
    assert!(shown.as_str().unwrap().contains("昆山旧铜箔材料有限公司"));
    page.assert_no_errors("after the downloads and the swap")
        .await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_planner_sees_only_figures_and_an_enterprise_its_upstream_in_the_changes_view() {
    let (page, tokens) = page_with_two_surveys().await;
    let admin_changes = page
        .api(&format!("/api/v1/chains/{CHAIN}/changes"), None)
        .await;
    let names: Vec<String> = change_lists(&admin_changes)
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .flat_map(|row| ["name", "org_name", "supplier_name", "buyer_name"].map(|k| row[k].clone()))
        .filter_map(|name| name.as_str().map(str::to_string))
        .collect();
    assert!(names.contains(&"常熟氟源新材料有限公司".to_string()));

    // A planner: the summary figures, the trend and the coverage; no lists, no firm names, no
    // tab or button that would be refused.
    page.log_in(&tokens.planner).await;
    page.show(&format!("chain/{CHAIN}/changes"), "changes")
        .await;
    let changes = page
        .api(&format!("/api/v1/chains/{CHAIN}/changes"), None)
        .await;
    for (key, n) in changes["summary"].as_object().unwrap() {
        assert_eq!(
            page.js(&format!(
                "return document.querySelector('[data-summary={key}] b').textContent"
            ))
            .await,
            json!(n.to_string()),
            "summary {key}"
        );
    }
    assert!(changes["summary"]["firms_joined"].as_u64().unwrap() > 0);
    assert_eq!(page.count(".chg-list, [data-group], #map").await, 0);
    assert_eq!(page.count("[data-csv]:not([data-csv=coverage])").await, 0);
    assert_eq!(page.count(".tabs").await, 0);
    assert_eq!(page.count("[data-chart=trend] .trend-line").await, 8);
    assert!(page.count("table[data-table=coverage] tbody tr").await >= 2);
    assert_eq!(page.count("[data-note=planner]").await, 1);
    let text = page
        .js("return document.getElementById('view').textContent")
        .await;
    for name in &names {
        assert!(
            !text.as_str().unwrap().contains(name.as_str()),
            "a planner sees no firm name, but {name} is shown"
        );
    }
    page.screenshot("changes-planner").await;

    // An enterprise: the lists within its upstream, as the API gives them to it; no map and no
    // trend (both refused to it).
    page.log_in(&tokens.enterprise).await;
    page.show(&format!("chain/{CHAIN}/changes"), "changes")
        .await;
    let changes = page
        .api(&format!("/api/v1/chains/{CHAIN}/changes"), None)
        .await;
    let lists = change_lists(&changes);
    assert!(lists.iter().any(|(_, rows)| !rows.is_empty()));
    for (key, rows) in &lists {
        assert_eq!(
            page.count(&format!("table[data-table={key}] tbody tr"))
                .await as usize,
            rows.len(),
            "rows of {key}"
        );
    }
    assert_eq!(page.count("#map, [data-chart=trend], .tabs").await, 0);
    assert_eq!(page.count("[data-note=enterprise]").await, 1);
    page.screenshot("changes-enterprise").await;
    page.assert_no_errors("as a planner and an enterprise")
        .await;
    page.close().await;
}

/// The boxes of the map's visible labels (as drawn: getBBox in map coordinates) that overlap
/// another's by more than half a pixel each way, as `[[a, b], ...]` of their firm ids.
const OVERLAPPING_LABELS: &str = "const ls = [...document.querySelectorAll('#map .labels text')]; \
     const bs = ls.map((l) => { const b = l.getBBox(); return { id: l.dataset.for, x: b.x, y: b.y, w: b.width, h: b.height }; }); \
     const out = []; \
     for (let i = 0; i < bs.length; i++) for (let j = i + 1; j < bs.length; j++) { \
       const a = bs[i], b = bs[j]; \
       if (a.x + 0.5 < b.x + b.w && b.x + 0.5 < a.x + a.w && a.y + 0.5 < b.y + b.h && b.y + 0.5 < a.y + a.h) out.push([a.id, b.id]); } \
     return out";

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn no_two_visible_labels_overlap_on_the_demo_chains() {
    let page = Page::open().await;
    for chain in ["pb-power-battery", "h2-hydrogen", "oe-optical-fiber"] {
        page.show(&format!("chain/{chain}"), "map").await;
        let labels = page.count("#map .labels text").await;
        assert!(
            labels > 10,
            "{chain}: the firms are named ({labels} labels)"
        );
        let overlapping = page.js(OVERLAPPING_LABELS).await;
        assert_eq!(overlapping, json!([]), "{chain}: overlapping labels");
        // Every firm is still there, labelled or with its tooltip.
        let map = page.api(&format!("/api/v1/chains/{chain}/map"), None).await;
        assert_eq!(
            page.count("#map .marks [data-id]").await as usize,
            map["firms"].as_array().unwrap().len()
        );
        page.screenshot(&format!("map-labels-{chain}")).await;
    }
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_5000_firm_chain_shows_groups_and_a_click_expands_one() {
    let (page, chain) = page_with_generated_chain(5_000, 5).await;
    page.show(&format!("chain/{chain}"), "map").await;
    let map = page.api(&format!("/api/v1/chains/{chain}/map"), None).await;
    let groups = map["groups"].as_array().unwrap();
    assert!(!groups.is_empty(), "a 5,000-firm chain is drawn in groups");
    assert_eq!(
        page.count("#map .groups [data-group]").await as usize,
        groups.len()
    );
    let listed = map["firms"].as_array().unwrap().len();
    assert_eq!(page.count("#map .marks [data-id]").await as usize, listed);
    assert!(listed <= 30 * map["chain"]["segments"].as_array().unwrap().len());
    assert_eq!(page.js(OVERLAPPING_LABELS).await, json!([]));
    let status = page
        .js("return document.querySelector('.map-status').textContent")
        .await;
    assert!(status.as_str().unwrap().contains("风险组"), "{status}");
    page.screenshot("map-5000-groups").await;

    // Click the biggest group's card: its first page of firms is drawn, its card counts the rest.
    let group = groups.iter().max_by_key(|g| g["firms"].as_u64()).unwrap();
    let gid = group["id"].as_str().unwrap();
    let first = page
        .api(
            &format!("/api/v1/chains/{chain}/map/groups/{}", urlencode(gid)),
            None,
        )
        .await;
    let page_ids: Vec<&str> = first["firms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(page_ids.len(), 30);
    page.js(&format!(
        "window.__qmapExpandFrom = performance.now(); \
         document.querySelector(`#map [data-group=\"{gid}\"] .group-card`).dispatchEvent(new MouseEvent('click', {{bubbles: true}})); return true"
    ))
    .await;
    page.wait_count("#map .marks [data-id]", (listed + page_ids.len()) as u64)
        .await;
    let ms = page
        .js("return performance.now() - window.__qmapExpandFrom")
        .await;
    println!("group {gid} expanded in {ms} ms (fetch and redraw)");
    for id in &page_ids {
        assert_eq!(
            page.count(&format!("#map .marks [data-id=\"{id}\"]")).await,
            1,
            "{id} is drawn"
        );
    }
    let left = group["firms"].as_u64().unwrap() - page_ids.len() as u64;
    let card = page
        .js(&format!(
            "return document.querySelector(`#map [data-group=\"{gid}\"]`).textContent"
        ))
        .await;
    assert!(
        card.as_str().unwrap().contains(&format!("{left} 家")),
        "{card}"
    );
    assert_eq!(page.js(OVERLAPPING_LABELS).await, json!([]));
    // A drawn firm of the group opens its panel like any other.
    page.js(&format!(
        "document.querySelector(`#map [data-id=\"{}\"]`).dispatchEvent(new MouseEvent('click', {{bubbles: true}})); return true",
        page_ids[0]
    ))
    .await;
    page.wait_until(
        &format!(
            "return !!document.querySelector(\".firm-panel[data-firm='{}']\")",
            page_ids[0]
        ),
        "the panel of an expanded firm",
    )
    .await;
    page.screenshot("map-5000-expanded").await;

    // The segment filter dims the other segments' firms and group cards.
    let segment = group["segment"].as_str().unwrap();
    page.js(&format!(
        "const s = document.querySelector('[data-filter=segment]'); s.value = '{segment}'; s.dispatchEvent(new Event('change')); return true"
    ))
    .await;
    let others = page
        .js(&format!(
            "return [...document.querySelectorAll('#map .groups [data-group]')].filter((g) => g.dataset.segment !== '{segment}').length"
        ))
        .await;
    assert_eq!(
        page.count("#map .groups [data-group].dim").await,
        others.as_u64().unwrap()
    );
    let lit = page
        .js("return [...document.querySelectorAll('#map .marks [data-id]:not(.dim)')].map((e) => e.dataset.id)")
        .await;
    assert!(lit.as_array().unwrap().iter().any(|id| id == page_ids[0]));
    page.assert_no_errors("after expanding a group").await;
    page.close().await;
}

/// Percent-encodes a path segment (group ids hold `~`, which is fine, but segment ids may not).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Not a test but a measurement (run by hand, figures go to BENCHMARKS.md): how long the map
/// view of a generated 20,000-firm chain takes from navigation to drawn (segments as groups with
/// their masters, critical and foreign firms), and how long a click on a group takes to draw its
/// first page of firms (fetch and redraw).
#[tokio::test]
#[ignore = "a benchmark, skipped by .ci/run: cargo test --test browser -- --ignored --nocapture large_chain"]
async fn large_chain_draw_times() {
    let (page, chain) = page_with_generated_chain(20_000, 42).await;
    for run in 0..3 {
        page.client.goto("about:blank").await.unwrap();
        page.client
            .goto(&format!("{}/#/chain/{chain}/map", page.base))
            .await
            .unwrap();
        page.wait_until(
            "return document.body.dataset.view === 'map' && document.body.dataset.ready === '1'",
            "the map",
        )
        .await;
        let ms = page.js("return window.__qmapReadyAt").await;
        let marks = page.count("#map .marks [data-id]").await;
        let groups = page.count("#map .groups [data-group]").await;
        assert!(groups > 0 && marks <= 30 * 7);
        println!("default view, run {run}: {ms} ms from navigation to drawn, {marks} firm marks, {groups} groups");
        page.js(
            "window.__qmapExpandFrom = performance.now(); \
             window.__qmapMarks = document.querySelectorAll('#map .marks [data-id]').length; \
             document.querySelector('#map .groups [data-group] .group-card').dispatchEvent(new MouseEvent('click', {bubbles: true})); return true",
        )
        .await;
        page.wait_until(
            "return document.querySelectorAll('#map .marks [data-id]').length !== window.__qmapMarks",
            "the expanded group",
        )
        .await;
        let ms = page
            .js("return performance.now() - window.__qmapExpandFrom")
            .await;
        let marks = page.count("#map .marks [data-id]").await;
        println!("  group expanded: {ms} ms to {marks} firm marks");
    }
    page.close().await;
}

/// A store with the three demo chains and an admin, a planner and an enterprise (溧阳锂享) token
/// (tokens configured, so nothing is open without one).
async fn page_with_admin_and_planner() -> (Page, String, String, String) {
    let data = tempfile::tempdir().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for f in [
        "power_battery_jiangsu.json",
        "hydrogen_shaanxi.json",
        "optoelectronics_suzhou.json",
    ] {
        qmap(&["import", fixtures.join(f).to_str().unwrap()], data.path());
    }
    let admin = qmap(&["token", "create", "--role", "admin"], data.path());
    let planner = qmap(&["token", "create", "--role", "planner"], data.path());
    let enterprise = qmap(
        &[
            "token",
            "create",
            "--role",
            "enterprise",
            "--org",
            "pb-ly-cell",
        ],
        data.path(),
    );
    (Page::open_on(data).await, admin, planner, enterprise)
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_three_lists_match_the_api_and_a_candidate_becomes_a_project() {
    let (page, admin, _planner, _enterprise) = page_with_admin_and_planner().await;
    page.log_in(&admin).await;
    let lists = format!("chain/{CHAIN}/lists");
    page.show(&lists, "lists").await;
    page.screenshot("lists-three").await;

    // Each of the three lists also downloads as a workbook from the server.
    assert_eq!(
        page.js("return [...document.querySelectorAll('[data-xlsx]')].map(b => b.dataset.xlsx)")
            .await,
        serde_json::json!(["problems", "projects", "policy_tools"])
    );
    page.js(
        "window.__saved = null; const make = URL.createObjectURL; \
         URL.createObjectURL = (blob) => { window.__saved = `${blob.type} ${blob.size}`; return make(blob); }; \
         document.querySelector('[data-xlsx=policy_tools]').click(); return true",
    )
    .await;
    page.wait_until("return window.__saved !== null", "the workbook saved")
        .await;
    let saved = page.js("return window.__saved").await;
    assert!(
        saved
            .as_str()
            .unwrap()
            .starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet "),
        "{saved}"
    );

    // 问题清单: every problem row of the first page (50 demand problems, most severe first)
    // shows the projects the API says tackle it.
    let problems = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/problems?demand=true&per_page=50"),
            None,
        )
        .await;
    let rows = problems["problems"].as_array().unwrap();
    let total = problems["total"].as_u64().unwrap();
    assert_eq!(
        page.count("table[data-table=problems] tbody tr").await as usize,
        rows.len()
    );
    let shown = page
        .js("return [...document.querySelectorAll('table[data-table=problems] tbody tr')].map(tr => [tr.cells[0].textContent, [...tr.querySelectorAll('[data-project]')].map(s => s.dataset.project)])")
        .await;
    let expected: Vec<Value> = rows
        .iter()
        .map(|p| {
            let ids: Vec<Value> = p["projects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].clone())
                .collect();
            json!([p["id"], ids])
        })
        .collect();
    assert_eq!(shown, Value::Array(expected));
    assert!(
        rows.iter()
            .any(|p| !p["projects"].as_array().unwrap().is_empty()),
        "the demo has tackled problems"
    );

    // The 未攻关 filter shows what ?tackled=false gives.
    let untackled = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/problems?demand=true&tackled=false&per_page=1000"),
            None,
        )
        .await;
    let n = untackled["total"].as_u64().unwrap();
    assert!(n > 0 && n < total);
    // Unfiltered, the rows without a live project are marked; filtered, only those are left.
    let marked = rows.iter().filter(|p| p["tackled"] == false).count() as u64;
    assert!(marked > 0);
    assert_eq!(
        page.count("table[data-table=problems] tbody tr [data-untackled]")
            .await,
        marked
    );
    let first_page = n.min(50);
    page.click("[data-filter=untackled]").await;
    page.wait_until(
        &format!("return document.querySelector('table[data-table=problems][data-filtered=untackled]') !== null && document.querySelectorAll('table[data-table=problems] tbody tr').length === {first_page}"),
        "the untackled problems",
    )
    .await;
    assert_eq!(
        page.count("table[data-table=problems] tbody tr [data-untackled]")
            .await,
        first_page
    );

    // 重点项目清单: the counts and the table match /projects?chain=.
    let projects = page
        .api(
            &format!("/api/v1/projects?chain={CHAIN}&per_page=1000"),
            None,
        )
        .await;
    let total = projects["total"].as_u64().unwrap();
    assert_eq!(
        page.count("table[data-table=projects] tbody tr").await,
        total
    );
    for (status, count) in projects["counts"]["by_status"].as_object().unwrap() {
        assert_eq!(
            page.js(&format!("return document.querySelector('[data-counts=status] [data-status={status}] b').textContent")).await,
            json!(count.to_string()),
            "projects {status}"
        );
    }
    for (category, count) in projects["counts"]["by_category"].as_object().unwrap() {
        assert_eq!(
            page.js(&format!("return document.querySelector('[data-counts=category] [data-category={category}] b').textContent")).await,
            json!(count.to_string()),
            "projects {category}"
        );
    }

    // 政策工具清单: the API's uncovered gaps are the marked rows (each capability shown by its
    // catalogue name, the code in `data-code`).
    let tools = page
        .api(&format!("/api/v1/chains/{CHAIN}/policy-tools"), None)
        .await;
    let uncovered = tools["uncovered"].as_array().unwrap();
    assert!(!uncovered.is_empty(), "the demo leaves a policy gap");
    assert_eq!(
        page.count("table[data-table=policy-tools] tbody tr").await as usize,
        tools["gaps"].as_array().unwrap().len()
    );
    let marked = page
        .js("return [...document.querySelectorAll('table[data-table=policy-tools] tbody tr[data-uncovered]')].map(tr => tr.cells[1].querySelector('[data-code]').dataset.code).sort()")
        .await;
    let mut codes: Vec<&str> = uncovered
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    codes.sort();
    assert_eq!(marked, json!(codes));

    // Consortia: one card per consortium of the API.
    let consortia = page
        .api(&format!("/api/v1/chains/{CHAIN}/consortia"), None)
        .await;
    assert_eq!(
        page.count("[data-consortium]").await as usize,
        consortia["consortia"].as_array().unwrap().len()
    );

    for list in ["problems", "candidates", "policy-tools", "consortia"] {
        page.js(&format!(
            "document.getElementById('list-{list}').scrollIntoView(); window.scrollBy(0, -70); return true"
        ))
        .await;
        page.screenshot(&format!("lists-{list}")).await;
    }

    // A refusal shows the API's message: the second candidate's draft, already created behind
    // the page's back, is a duplicate.
    let candidates = page
        .api(&format!("/api/v1/chains/{CHAIN}/projects"), None)
        .await;
    let drafts: Vec<Value> = ["common_technology", "chain_collaboration", "key_product"]
        .iter()
        .flat_map(|c| candidates[c].as_array().unwrap().clone())
        .map(|c| c["draft"].clone())
        .collect();
    assert!(drafts.len() >= 2 && drafts.iter().all(|d| d.is_object()));
    let created = page.api("/api/v1/projects", Some(drafts[1].clone())).await;
    assert_eq!(created["id"], drafts[1]["id"], "{created}");
    let second = "table[data-table=candidates] tbody tr:nth-child(2)";
    page.js(&format!(
        "document.querySelector('{second}').scrollIntoView({{block: 'center'}}); return true"
    ))
    .await;
    page.click(&format!("{second} [data-action=approve]")).await;
    page.wait_until(
        &format!("return (document.querySelector('{second} [data-error]')?.textContent || '').length > 0"),
        "the refusal's message",
    )
    .await;
    let total = total + 1;

    // 立项 on the first candidate creates the project.
    let approve = "table[data-table=candidates] tbody tr:first-child [data-action=approve]";
    page.js(&format!(
        "document.querySelector('{approve}').scrollIntoView({{block: 'center'}}); return true"
    ))
    .await;
    assert!(
        page.count(approve).await == 1,
        "an admin may turn a candidate into a project"
    );
    page.click(approve).await;
    page.wait_until(
        &format!("return document.body.dataset.ready === '1' && document.querySelectorAll('table[data-table=projects] tbody tr').length === {}", total + 1),
        "the new project in the list",
    )
    .await;
    let after = page
        .api(&format!("/api/v1/projects?chain={CHAIN}&per_page=1"), None)
        .await;
    assert_eq!(after["total"].as_u64().unwrap(), total + 1);
    page.assert_no_errors("after 立项").await;
    page.screenshot("lists-after-approve").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_goals_dashboard_shows_every_goal_and_a_planner_sees_figures_without_buttons() {
    let (page, _admin, planner, enterprise) = page_with_admin_and_planner().await;
    page.log_in(&planner).await;
    page.show("goals", "goals").await;
    page.screenshot("goals-planner").await;
    let progress = page.api("/api/v1/goals/progress", None).await;
    let goals = progress["goals"].as_array().unwrap();
    assert!(goals.len() >= 2);
    assert!(goals.iter().any(|g| g["met"] == json!(true)));
    assert!(goals.iter().any(|g| g["met"] == json!(false)));
    let shown = page
        .js("return Object.fromEntries([...document.querySelectorAll('[data-goal]')].map(g => [g.dataset.goal, g.dataset.met === 'true']))")
        .await;
    let expected: serde_json::Map<String, Value> = goals
        .iter()
        .map(|g| (g["id"].as_str().unwrap().to_string(), g["met"].clone()))
        .collect();
    assert_eq!(shown, Value::Object(expected));
    // Each target line says met or not as the API does.
    for g in goals {
        for line in g["targets"].as_array().unwrap() {
            let selector = format!(
                "[data-goal=\"{}\"] .goal-line[data-category={}]",
                g["id"].as_str().unwrap(),
                line["category"].as_str().unwrap()
            );
            assert_eq!(
                page.js(&format!(
                    "return document.querySelector('{selector}').dataset.met"
                ))
                .await,
                json!(line["met"].as_bool().unwrap().to_string()),
                "{selector}"
            );
        }
    }

    // The year filter asks the API again.
    let year = goals[0]["year"].as_i64().unwrap();
    let of_year = goals
        .iter()
        .filter(|g| g["year"].as_i64() == Some(year))
        .count();
    page.js(&format!("const s = document.querySelector('[data-filter=year]'); s.value = '{year}'; s.dispatchEvent(new Event('change')); return true")).await;
    page.wait_count("[data-goal]", of_year as u64).await;

    // The planner's three lists: figures and the policy-tool list, no firm-level list, no 立项.
    page.show(&format!("chain/{CHAIN}/lists"), "lists").await;
    page.screenshot("lists-planner").await;
    assert_eq!(page.count("[data-action=approve]").await, 0);
    assert_eq!(page.count("table[data-table=problems]").await, 0);
    assert_eq!(page.count("table[data-table=candidates]").await, 0);
    assert_eq!(page.count("table[data-table=projects]").await, 0);
    assert_eq!(page.count("[data-counts=untackled]").await, 1);
    assert!(page.count("table[data-table=policy-tools] tbody tr").await > 0);
    page.assert_no_errors("the planner's lists").await;

    // An enterprise sees what the API gives it: its own problems and projects, its consortia, the
    // goals; no candidates, no policy-tool list, no 立项.
    page.log_in(&enterprise).await;
    page.show(&format!("chain/{CHAIN}/lists"), "lists").await;
    page.screenshot("lists-enterprise").await;
    let own = page
        .api(
            &format!("/api/v1/chains/{CHAIN}/problems?demand=true&per_page=1000"),
            None,
        )
        .await;
    let own_projects = page
        .api(
            &format!("/api/v1/projects?chain={CHAIN}&per_page=1000"),
            None,
        )
        .await;
    let own_consortia = page
        .api(&format!("/api/v1/chains/{CHAIN}/consortia"), None)
        .await;
    assert_eq!(
        page.count("table[data-table=problems] tbody tr").await,
        own["total"].as_u64().unwrap()
    );
    assert_eq!(
        page.count("table[data-table=projects] tbody tr").await,
        own_projects["total"].as_u64().unwrap()
    );
    assert_eq!(
        page.count("[data-consortium]").await as usize,
        own_consortia["consortia"].as_array().unwrap().len()
    );
    assert_eq!(page.count("[data-action=approve]").await, 0);
    assert_eq!(page.count("table[data-table=candidates]").await, 0);
    assert_eq!(page.count("table[data-table=policy-tools]").await, 0);
    page.show("goals", "goals").await;
    assert_eq!(page.count("[data-goal]").await as usize, goals.len());
    page.close().await;
}

/// Clicks the page at `(x, y)` (CSS pixels from the viewport's top left) with a real mouse.
async fn click_at(page: &Page, x: f64, y: f64) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
    let mouse = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveTo {
            duration: None,
            x: x.round(),
            y: y.round(),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    page.client
        .perform_actions(mouse)
        .await
        .unwrap_or_else(|e| panic!("clicking at ({x}, {y}): {e}"));
}

/// The viewport position of `[lon, lat]` on the drawn geographic view.
async fn pixel_of(page: &Page, lon: f64, lat: f64) -> (f64, f64) {
    let p = page
        .js(&format!(
            "const box = document.querySelector('.geo-map'); \
             const chart = echarts.getInstanceByDom(box); \
             const [x, y] = chart.convertToPixel({{seriesIndex: 0}}, [{lon}, {lat}]); \
             const r = box.getBoundingClientRect(); \
             return [r.left + x, r.top + y]"
        ))
        .await;
    (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_geographic_view_draws_the_regions_and_a_click_shows_a_regions_figures() {
    let page = Page::open().await;
    page.show("regions", "regions").await;
    page.wait_until(
        "return document.querySelector('.geo-map')?.dataset.drawn === '1' \
         && document.querySelectorAll('.geo-map svg path').length >= 34",
        "the provinces drawn",
    )
    .await;
    assert_eq!(
        page.js("return document.querySelector('.geo-map').dataset.regions")
            .await,
        "34"
    );
    page.screenshot("regions").await;

    // A click on 江苏 (Nanjing–Yancheng, well inside) shows its figures, the API's.
    let geo = page
        .api(
            "/api/v1/coverage/regions.geojson?level=province&province=32",
            None,
        )
        .await;
    let props = &geo["features"][0]["properties"];
    let (x, y) = pixel_of(&page, 119.6, 33.2).await;
    click_at(&page, x, y).await;
    page.wait_until(
        "return !!document.querySelector('.geo-figures[data-region=\"320000\"]')",
        "江苏's figures",
    )
    .await;
    let figure = |key: &str| {
        format!("return document.querySelector('.geo-figures [data-figure={key}] td').textContent")
    };
    assert_eq!(page.js(&figure("needs")).await, props["needs"].to_string());
    assert_eq!(page.js(&figure("firms")).await, props["firms"].to_string());
    assert!(props["needs"].as_u64().unwrap() > 0);
    page.screenshot("regions-jiangsu").await;

    // The unmet-severity map, then the drill-down into 江苏's 13 cities of one chain.
    page.click("[data-metric=unmet]").await;
    page.click("[data-action=drill]").await;
    page.wait_until(
        "return document.body.dataset.ready === '1' && location.hash === '#/regions/32' \
         && document.querySelector('.geo-map')?.dataset.drawn === '1'",
        "江苏's cities",
    )
    .await;
    assert_eq!(
        page.js("return document.querySelector('.geo-map').dataset.regions")
            .await,
        "13"
    );
    page.show(&format!("chain/{CHAIN}/regions/32"), "regions")
        .await;
    page.wait_until(
        "return document.querySelector('.geo-map')?.dataset.drawn === '1'",
        "the chain's cities",
    )
    .await;
    assert_eq!(page.count("[data-tab=regions].active").await, 1);
    // 苏州 (around 120.6° E, 31.3° N).
    let (x, y) = pixel_of(&page, 120.62, 31.32).await;
    click_at(&page, x, y).await;
    page.wait_until(
        "return !!document.querySelector('.geo-figures[data-region=\"320500\"]')",
        "苏州's figures",
    )
    .await;
    page.screenshot("regions-chain-jiangsu").await;
    page.assert_no_errors("the geographic view").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_planner_sees_a_chains_geographic_view_and_an_enterprise_is_refused() {
    let (page, _admin, planner, enterprise) = page_with_admin_and_planner().await;
    page.log_in(&planner).await;
    // A planner may not read the chain's map (its header), but may read its coverage by region.
    page.show(&format!("chain/{CHAIN}/regions"), "regions")
        .await;
    page.wait_until(
        "return document.querySelector('.geo-map')?.dataset.drawn === '1' \
         && document.querySelectorAll('.geo-map svg path').length >= 34",
        "the planner's provinces",
    )
    .await;
    let title = page
        .js("return document.querySelector('.page-head h1').textContent")
        .await;
    assert!(title.as_str().unwrap().starts_with("动力电池"), "{title}");
    assert!(page.count("table[data-table=regions] tbody tr").await > 0);
    page.screenshot("regions-planner").await;
    page.assert_no_errors("the planner's geographic view").await;

    // An enterprise is offered no map entry, and gets the page's refusal at its address.
    page.log_in(&enterprise).await;
    page.wait_until(
        "return document.querySelector('[data-nav=regions]').hidden === true",
        "the map entry hidden",
    )
    .await;
    page.show("regions", "regions").await;
    assert_eq!(page.count(".geo-map").await, 0);
    assert_eq!(page.count(".error-box").await, 1);
    page.close().await;
}

/// A planner's home: every button and link of the chain cards opens a view that answers (none
/// is refused); the what-if page of the battery chain adds a provider in the city of the first
/// build recommendation, runs the what-if and shows coverage before and after with a positive
/// change that matches the API's answer; the header names the role.
#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_planner_runs_a_what_if_and_no_button_of_its_home_is_refused() {
    let (page, _admin, planner, _enterprise) = page_with_admin_and_planner().await;
    page.log_in(&planner).await;
    page.show("", "chains").await;
    assert_eq!(
        page.js("return document.querySelector('#user .user-role').dataset.role")
            .await,
        "planner"
    );
    // Only links (no download button that would answer 403), each opening a view that loads.
    assert_eq!(page.count(".chain-card button").await, 0);
    let links = page
        .js("return [...document.querySelectorAll('.view-chains a.btn, .chain-card a')].map(a => a.getAttribute('href'))")
        .await;
    let links: Vec<String> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert!(links.iter().any(|l| l.ends_with("/whatif")), "{links:?}");
    for link in &links {
        let route = link.trim_start_matches("#/");
        page.client
            .goto(&format!("{}/{link}", page.base))
            .await
            .unwrap();
        page.wait_until(
            "return document.body.dataset.ready === '1'",
            &format!("the view at {link}"),
        )
        .await;
        assert_eq!(
            page.count(".error-box").await,
            0,
            "{link} answers with an error"
        );
        page.assert_no_errors(route).await;
        // Leave the ready mark of this view behind before the next navigation.
        page.js("delete document.body.dataset.ready; return true")
            .await;
    }

    page.show("chain/pb-power-battery/whatif", "whatif").await;
    let gaps = page.api("/api/v1/chains/pb-power-battery/gaps", None).await;
    let rec = &gaps["recommendations"][0];
    let city = format!("{}00", rec["city"].as_str().unwrap());
    let code = rec["code"].as_str().unwrap();
    page.js(&format!(
        "const set = (k, v) => {{ const s = document.querySelector(`[data-wi=${{k}}]`); s.value = v; return s.value === v; }};
         return set('level', 'municipal') && set('city', {}) && set('code', {})",
        json!(city),
        json!(code)
    ))
    .await;
    page.click("[data-action=add-provider]").await;
    page.wait_count("[data-wi-add]", 1).await;
    page.click("[data-action=run]").await;
    page.wait_until(
        "return document.body.dataset.whatif !== undefined && !!document.querySelector('[data-table=whatif-totals]')",
        "the what-if result",
    )
    .await;
    let expected = page
        .api(
            "/api/v1/what-if",
            Some(json!({"chain": "pb-power-battery", "add": [{
                "id": "x", "name": "x", "level": "municipal", "region": city, "code": code
            }]})),
        )
        .await;
    let gained = expected["after"]["coverage"]["needs_assigned"]
        .as_i64()
        .unwrap()
        - expected["before"]["coverage"]["needs_assigned"]
            .as_i64()
            .unwrap();
    assert!(gained > 0, "{expected}");
    assert_eq!(
        page.js("return document.body.dataset.whatif").await,
        gained.to_string()
    );
    assert_eq!(
        page.js("return document.querySelector('[data-figure=needs_assigned] [data-delta]').dataset.delta")
            .await,
        gained.to_string()
    );
    // The region where the provider sits gains too.
    assert!(page.count("[data-table=whatif-provinces] tbody tr").await >= 1);
    assert!(page.count("[data-table=whatif-elements] tbody tr").await >= 1);
    page.assert_no_errors("whatif").await;
    page.screenshot("planner-whatif").await;

    // The what-if on the map: provinces of China, or the cities of the chain's province when
    // all its domestic needs lie in one; the change by default, then before and after.
    page.wait_until(
        "return document.querySelector('[data-wi=map]')?.dataset.drawn === '1'",
        "the what-if map",
    )
    .await;
    let provinces: Vec<String> = expected["before"]["by_province"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["region"] != "foreign" && p["coverage"]["needs_total"].as_u64() > Some(0))
        .map(|p| p["region"].as_str().unwrap().to_string())
        .collect();
    let one_province = provinces.len() == 1;
    let map = |key: &str| format!("return document.querySelector('[data-wi=map]').dataset.{key}");
    assert_eq!(
        page.js(&map("level")).await,
        if one_province { "city" } else { "province" }
    );
    // The region of the added provider (its city, or its province) gains coverage on the map,
    // as much as the API says, in percentage points.
    let (list, key) = if one_province {
        ("by_city", &city[..4])
    } else {
        ("by_province", &city[..2])
    };
    let share_of = |side: &str| {
        let row = expected[side][list]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["region"] == key)
            .unwrap_or_else(|| panic!("{key} in {side}.{list}"))["coverage"]
            .clone();
        row["severity_assigned"].as_f64().unwrap() / row["severity_total"].as_f64().unwrap()
    };
    let gain = (share_of("after") - share_of("before")) * 100.0;
    assert!(gain > 0.0, "{key} gains coverage");
    let value_of = |metric: &'static str| {
        format!(
            "const box = document.querySelector('[data-wi=map]');              if (box.dataset.metric !== '{metric}') return null;              const d = echarts.getInstanceByDom(box).getOption().series[0].data                .find(d => d.name.startsWith({})); return d ? d.value : null",
            json!(key)
        )
    };
    assert_eq!(page.js(&map("metric")).await, "change");
    let shown = page.js(&value_of("change")).await.as_f64().unwrap();
    assert!((shown - gain).abs() < 1e-6, "{shown} vs {gain}");
    // Every region of the level is drawn, and the hypothetical provider is one dot.
    let regions: u64 = page
        .js(&map("regions"))
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(regions >= if one_province { 10 } else { 34 }, "{regions}");
    assert!(page.count("[data-wi=map] svg path").await >= regions);
    assert_eq!(page.js(&map("points")).await, "1");
    page.click("[data-wi-metric=before]").await;
    let before = page.js(&value_of("before")).await.as_f64().unwrap();
    assert!((before - share_of("before") * 100.0).abs() < 1e-6);
    page.click("[data-wi-metric=after]").await;
    let after = page.js(&value_of("after")).await.as_f64().unwrap();
    assert!((after - share_of("after") * 100.0).abs() < 1e-6);
    page.click("[data-wi-metric=change]").await;
    page.js("document.querySelector('[data-wi=map]').scrollIntoView(); return true")
        .await;
    page.screenshot("planner-whatif-map").await;
    page.assert_no_errors("whatif map").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_chain_master_sees_disclosed_problems_in_full_and_the_rest_as_aggregates() {
    let (page, _admin, _planner, enterprise) = page_with_admin_and_planner().await;
    page.log_in(&enterprise).await;
    page.show(&format!("chain/{CHAIN}/suppliers/pb-ly-cell"), "suppliers")
        .await;
    page.screenshot("suppliers-disclosure").await;
    // 常州隔膜 disclosed its problem to its customers: its title is on its card.
    assert_eq!(
        page.js("return document.querySelector(\"[data-supplier='pb-cz-separator'] [data-problem='pb-p034']\")?.textContent ?? null")
            .await
            .as_str()
            .map(|s| s.contains("湿法隔膜热收缩率检测结果不一致")),
        Some(true)
    );
    // 常州正极 disclosed nothing: two problems as a count with their highest severity, no title.
    assert_eq!(
        page.count("[data-supplier=pb-cz-lfp] [data-undisclosed=\"2\"]")
            .await,
        1
    );
    assert_eq!(
        page.count("[data-supplier=pb-cz-lfp] [data-problem]").await,
        0
    );
    let text = page.js("return document.body.textContent").await;
    let text = text.as_str().unwrap();
    for (id, title) in [
        ("pb-p026", "磷酸铁锂正极材料批次一致性检测能力不足"),
        ("pb-p027", "正极材料产品碳足迹认证需求"),
    ] {
        let refused = page.api(&format!("/api/v1/problems/{id}"), None).await;
        assert_eq!(refused["code"], "forbidden", "{id}: {refused}");
        assert!(!text.contains(title) && !text.contains(id), "{id} is shown");
    }
    // The master asks it to disclose: the request is listed among those sent.
    page.click("[data-ask=pb-cz-lfp]").await;
    page.wait_until(
        "return document.querySelector(\"[data-ask='pb-cz-lfp']\").textContent === '已发送请求'",
        "the request sent",
    )
    .await;
    // Away and back: the view is drawn again from the API.
    page.show(&format!("chain/{CHAIN}/lists"), "lists").await;
    page.show(&format!("chain/{CHAIN}/suppliers/pb-ly-cell"), "suppliers")
        .await;
    assert_eq!(
        page.count("[data-inbox] [data-request] [data-status=pending]")
            .await,
        1
    );
    // On the problem list it sets the disclosure of its own problems, and of no one else's.
    page.show(&format!("chain/{CHAIN}/lists"), "lists").await;
    assert_eq!(page.count("select[data-disclosure=pb-p034]").await, 0);
    page.js("const s = document.querySelector('select[data-disclosure=pb-p001]'); s.value = 'chain'; s.dispatchEvent(new Event('change')); return true")
        .await;
    page.wait_until(
        "return !document.querySelector('select[data-disclosure=pb-p001]').disabled",
        "the disclosure saved",
    )
    .await;
    let p = page.api("/api/v1/problems/pb-p001", None).await;
    assert_eq!(p["disclosure"], "chain", "{p}");
    page.close().await;
}

/// Types `text` into the element `selector` (focusing it first).
async fn type_into(page: &Page, selector: &str, text: &str) {
    let el = page
        .client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
    el.click().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// A store with one generated chain of `firms` firms, served without tokens (`serve --demo`
/// over a non-empty store loads nothing and opens reads to all); returns the page and the
/// chain's id.
async fn page_with_generated_chain(firms: usize, seed: u64) -> (Page, String) {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("generated.json");
    let bundle = qmap::generate::generate(&qmap::generate::GenOptions {
        chains: 1,
        firms,
        seed,
    });
    let chain = bundle.chains[0].id.clone();
    std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let store = tempfile::tempdir().unwrap();
    qmap(&["import", file.to_str().unwrap()], store.path());
    (Page::open_on(store).await, chain)
}

/// A store with one generated 400-firm chain (327 demand problems, 7 pages of 50).
async fn page_with_a_big_chain() -> (Page, String) {
    page_with_generated_chain(400, 42).await
}

fn ids_of(page: &Value) -> Vec<Value> {
    page["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect()
}

const PROBLEM_IDS: &str =
    "return [...document.querySelectorAll('table[data-table=problems] tbody tr')].map(tr => tr.cells[0].textContent)";

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_problem_list_pages_and_filters_through_the_api() {
    let (page, chain) = page_with_a_big_chain().await;
    page.show(&format!("chain/{chain}/lists"), "lists").await;
    let api = |q: &str| format!("/api/v1/chains/{chain}/problems?demand=true&per_page=50&{q}");
    let first = page.api(&api("page=1"), None).await;
    let total = first["total"].as_u64().unwrap();
    assert!(total > 100, "more than two pages: {total}");
    // Demand problems, most severe first, 50 a page, the total shown.
    assert_eq!(page.count("table[data-table=problems] tbody tr").await, 50);
    assert_eq!(page.js(PROBLEM_IDS).await, Value::Array(ids_of(&first)));
    assert_eq!(
        page.js("return document.querySelector('[data-pager=problems]').dataset.total")
            .await,
        total.to_string()
    );
    let label = page
        .js("return document.querySelector('[data-pager=problems] [data-page-of]').textContent")
        .await;
    assert!(
        label.as_str().unwrap().contains(&total.to_string()),
        "{label}"
    );
    page.screenshot("lists-paged-1").await;

    // Next: page 2, other rows, the same total.
    page.click("[data-pager=problems] [data-page=next]").await;
    page.wait_until(
        "return document.querySelector('[data-pager=problems]')?.dataset.pageNo === '2'",
        "page 2",
    )
    .await;
    let second = page.api(&api("page=2"), None).await;
    assert_eq!(page.js(PROBLEM_IDS).await, Value::Array(ids_of(&second)));
    assert_ne!(ids_of(&first), ids_of(&second));
    page.screenshot("lists-paged-2").await;

    // A filter starts again from page 1 with its own total (severity 5 only).
    page.js("const s = document.querySelector('select[data-filter=severity]'); s.value = '5'; s.dispatchEvent(new Event('change')); return true").await;
    let sev5 = page.api(&api("page=1&severity=5"), None).await;
    let n = sev5["total"].as_u64().unwrap();
    assert!(n > 0 && n < total);
    page.wait_until(
        &format!("return document.querySelector('[data-pager=problems]')?.dataset.total === '{n}' && document.querySelector('[data-pager=problems]').dataset.pageNo === '1'"),
        "the severity-5 problems",
    )
    .await;
    assert_eq!(page.js(PROBLEM_IDS).await, Value::Array(ids_of(&sev5)));
    // All statuses: the resolved ones come too.
    page.js("const s = document.querySelector('select[data-filter=state]'); s.value = ''; s.dispatchEvent(new Event('change')); return true").await;
    let all = page
        .api(
            &format!("/api/v1/chains/{chain}/problems?per_page=50&severity=5"),
            None,
        )
        .await;
    assert!(all["total"].as_u64().unwrap() >= n);
    page.wait_until(
        &format!(
            "return document.querySelector('[data-pager=problems]')?.dataset.total === '{}'",
            all["total"]
        ),
        "every status",
    )
    .await;
    page.assert_no_errors("after paging").await;

    // The supplier view of the chain's master: the compact table above 300 suppliers, paged.
    page.show(&format!("chain/{chain}/suppliers"), "suppliers")
        .await;
    let masters = page
        .js("return [...document.querySelectorAll('[data-master]')].map(a => a.dataset.master)")
        .await;
    let master = masters[0].as_str().unwrap();
    let view = page
        .api(
            &format!("/api/v1/chains/{chain}/masters/{master}/suppliers"),
            None,
        )
        .await;
    let suppliers = view["suppliers"].as_array().unwrap().len();
    if suppliers > 300 {
        assert_eq!(page.count("table[data-table=suppliers]").await, 1);
        assert_eq!(page.count("table[data-table=suppliers] tbody tr").await, 50);
        // Tier 1 first.
        assert_eq!(
            page.js("return document.querySelector('table[data-table=suppliers] tbody tr').cells[0].textContent")
                .await,
            "1"
        );
    } else {
        assert_eq!(
            page.count(".sup-card[data-supplier]").await as usize,
            suppliers
        );
    }
    page.screenshot("suppliers-big").await;
    page.assert_no_errors("on the big supplier view").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_supplier_view_search_and_filters_narrow_the_list() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}/suppliers"), "suppliers")
        .await;
    let master = page
        .js("return document.querySelector('[data-master].primary').dataset.master")
        .await;
    let view = page
        .api(
            &format!(
                "/api/v1/chains/{CHAIN}/masters/{}/suppliers",
                master.as_str().unwrap()
            ),
            None,
        )
        .await;
    let suppliers = view["suppliers"].as_array().unwrap();
    let all = suppliers.len() as u64;
    assert!(all > 5, "{all}");
    assert_eq!(page.count(".sup-card[data-supplier]").await, all);
    // Tier 1 is the first tier column.
    assert_eq!(
        page.js("return document.querySelector('[data-tier]').dataset.tier")
            .await,
        "1"
    );
    // Search: 锂 keeps the suppliers whose names hold it.
    let with_li: Vec<&str> = suppliers
        .iter()
        .filter(|s| s["name"].as_str().unwrap().contains('锂'))
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!with_li.is_empty() && (with_li.len() as u64) < all);
    type_into(&page, "[data-sup-filter=q]", "锂").await;
    page.wait_count(".sup-card[data-supplier]", with_li.len() as u64)
        .await;
    let shown = page
        .js("return [...document.querySelectorAll('.sup-card[data-supplier]')].map(c => c.dataset.supplier).sort()")
        .await;
    let mut expected: Vec<&str> = with_li.clone();
    expected.sort();
    assert_eq!(shown, json!(expected));
    page.screenshot("suppliers-search").await;
    // Critical only, on top of the search.
    page.click("[data-sup-filter=critical]").await;
    let critical_li = suppliers
        .iter()
        .filter(|s| s["name"].as_str().unwrap().contains('锂') && s["critical"] == true)
        .count() as u64;
    page.wait_count(".sup-card[data-supplier]", critical_li)
        .await;
    // The compact table shows the same rows.
    page.click("[data-sup-mode=table]").await;
    page.wait_count("table[data-table=suppliers] tbody tr", critical_li)
        .await;
    // Back to everything, tiers 2 and deeper only.
    page.click("[data-sup-filter=critical]").await;
    page.js("const q = document.querySelector('[data-sup-filter=q]'); q.value = ''; q.dispatchEvent(new Event('input')); \
             const f = document.querySelector('[data-sup-filter=tier-from]'); f.value = '2'; f.dispatchEvent(new Event('change')); return true")
        .await;
    let deep = suppliers
        .iter()
        .filter(|s| s["tier"].as_u64().unwrap() >= 2)
        .count() as u64;
    assert!(deep > 0 && deep < all);
    page.wait_count("table[data-table=suppliers] tbody tr", deep)
        .await;
    page.screenshot("suppliers-table").await;
    page.assert_no_errors("after the supplier filters").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn the_header_search_finds_a_firm_by_pinyin_initials_and_jumps_to_it() {
    let page = Page::open().await;
    page.show("", "chains").await;
    // 宁德锂能动力科技有限公司 by its initials.
    type_into(&page, "#find", "ndln").await;
    page.wait_until(
        "return document.querySelector('[data-search-results] [data-hit]')?.dataset.hit === 'pb-nd-cell'",
        "the hit for ndln",
    )
    .await;
    let hit = page
        .js("return document.querySelector('[data-hit=pb-nd-cell]').textContent")
        .await;
    let hit = hit.as_str().unwrap();
    assert!(
        hit.contains("宁德锂能动力科技有限公司") && hit.contains("动力电池"),
        "{hit}"
    );
    page.screenshot("search-ndln").await;
    type_into(&page, "#find", "\u{E007}").await;
    page.wait_until(
        &format!("return location.hash === '#/chain/{CHAIN}/map/pb-nd-cell' && document.body.dataset.view === 'map' && document.body.dataset.ready === '1'"),
        "the firm on its chain map",
    )
    .await;
    page.screenshot("search-jumped").await;
    // A QI body by its initials (国家动力电池…): its details, with capability names.
    page.js("const f = document.getElementById('find'); f.value = ''; return true")
        .await;
    type_into(&page, "#find", "gjdldc").await;
    page.wait_until(
        "return document.querySelector('[data-search-results] [data-hit]')?.dataset.hit === 'pb-q-nat-battery'",
        "the hit for gjdldc",
    )
    .await;
    page.click("[data-hit=pb-q-nat-battery]").await;
    page.wait_until(
        "return document.querySelector('[data-org-details=pb-q-nat-battery] [data-capabilities]') !== null",
        "the QI body's details",
    )
    .await;
    page.screenshot("search-provider").await;
    // Something that matches nothing says so.
    page.click("[data-org-details] [data-close]").await;
    page.js("const f = document.getElementById('find'); f.value = ''; return true")
        .await;
    type_into(&page, "#find", "zzqxzz").await;
    page.wait_until(
        "return document.querySelector('[data-search-none]') !== null",
        "nothing found",
    )
    .await;
    page.assert_no_errors("after the searches").await;
    page.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_chain_master_reads_its_notices_and_acknowledges_one() {
    let (page, _admin, _planner, enterprise) = page_with_admin_and_planner().await;
    page.log_in(&enterprise).await;
    // The header badge counts the unread notices: nt-1 (a defect two tiers up that would
    // disable the master) and nt-2 (a delay from its separator supplier).
    page.wait_until(
        "return document.getElementById('notice-badge').textContent === '2' && !document.querySelector('[data-nav=notices]').hidden",
        "the unread badge",
    )
    .await;
    // The supplier view marks the separator with its open notice.
    page.show(&format!("chain/{CHAIN}/suppliers/pb-ly-cell"), "suppliers")
        .await;
    assert_eq!(
        page.count("[data-supplier=pb-cz-separator] [data-open-notices=\"1\"]")
            .await,
        1
    );
    page.show("notices", "notices").await;
    page.screenshot("notices-inbox").await;
    assert_eq!(
        page.js("return document.querySelector('[data-notice-inbox]').dataset.unread")
            .await,
        json!("2")
    );
    assert_eq!(page.count("[data-notice-inbox] li.notice.unread").await, 2);
    // What it sent upstream is listed with who was told.
    assert_eq!(
        page.count("[data-notice-outbox] [data-notice=nt-3] [data-recipients=\"1\"]")
            .await,
        1
    );
    page.click("[data-ack=nt-2]").await;
    page.wait_until(
        "return !!document.querySelector('[data-acked=nt-2]') && document.getElementById('notice-badge').textContent === '1'",
        "the acknowledgement",
    )
    .await;
    let inbox = page.api("/api/v1/notices", None).await;
    assert_eq!(inbox["unread"], 1, "{inbox}");
    page.assert_no_errors("notices").await;
    page.close().await;
}

/// Routes a walk follows: the views of the header and of a chain's tabs, not the deeper links
/// (a firm on the map, a changes view between two given surveys) that every view offers by the
/// dozen and that the other tests cover.
fn walkable(href: &str) -> bool {
    let parts: Vec<&str> = href
        .trim_start_matches("#/")
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [] | [_] => true,
        ["chain", _] | ["chain", _, _] => true,
        // An enterprise's home opens its own supplier view.
        ["chain", _, "suppliers", _] => true,
        _ => false,
    }
}

/// The in-page links (`#/…`) that the user can see now: header, view, tabs, card buttons.
const VISIBLE_LINKS: &str = "return [...document.querySelectorAll('a[href^=\"#/\"]')] \
     .filter(a => !a.closest('[hidden]') && a.getClientRects().length > 0) \
     .map(a => a.getAttribute('href'))";

/// For every role the setup offers (admin, a regulator of all chains, a regulator limited to
/// the battery chain, the battery chain's master, a firm of the chain that is not its master,
/// a planner): from the home page, every visible in-page link and card button, and on each view
/// reached every link of the header and of a chain's tabs, opens a view with no error box and
/// no console error; every 下载 SVG button of the home answers 200. A screenshot of each role's
/// home is saved as `roles-home-ROLE.png`.
#[tokio::test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn no_link_or_button_leads_to_a_refusal_for_any_role() {
    let data = tempfile::tempdir().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for f in [
        "power_battery_jiangsu.json",
        "hydrogen_shaanxi.json",
        "optoelectronics_suzhou.json",
    ] {
        qmap(&["import", fixtures.join(f).to_str().unwrap()], data.path());
    }
    let token = |args: &[&str]| {
        let mut all = vec!["token", "create"];
        all.extend_from_slice(args);
        qmap(&all, data.path())
    };
    let roles = [
        ("admin", token(&["--role", "admin"])),
        ("regulator", token(&["--role", "regulator"])),
        (
            "regulator-limited",
            token(&["--role", "regulator", "--chain", CHAIN]),
        ),
        (
            "enterprise-master",
            token(&["--role", "enterprise", "--org", "pb-ly-cell"]),
        ),
        (
            "enterprise-member",
            token(&["--role", "enterprise", "--org", "pb-cz-lfp"]),
        ),
        ("planner", token(&["--role", "planner"])),
    ];
    let page = Page::open_on(data).await;
    for (role, token) in &roles {
        page.log_in(token).await;
        page.show("", "chains").await;
        // The header's user box fills in on its own request; the nav entries follow it.
        page.wait_until(
            "return !!document.querySelector('#user .user-role[data-role]')",
            &format!("the header of {role}"),
        )
        .await;
        page.screenshot(&format!("roles-home-{role}")).await;
        let strings = |v: Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect()
        };
        let home = strings(page.js(VISIBLE_LINKS).await);
        assert!(!home.is_empty(), "{role}: the home offers nothing");

        // Every download button of the home answers.
        let svgs = strings(
            page.js("return [...document.querySelectorAll('.chain-card')] \
                     .filter(c => [...c.querySelectorAll('button')].some(b => b.textContent === '下载 SVG')) \
                     .map(c => c.dataset.chain)")
                .await,
        );
        for chain in &svgs {
            let status = page
                .js(&format!(
                    "const token = localStorage.getItem('qmap.token'); \
                     return fetch('/api/v1/chains/{chain}/map.svg', {{headers: {{authorization: 'Bearer ' + token}}}}).then(r => r.status)"
                ))
                .await;
            assert_eq!(status, json!(200), "{role}: 下载 SVG of {chain}");
        }
        // Buttons of the home other than downloads and links would be a route we do not know.
        let others = page
            .js(
                "return [...document.querySelectorAll('.view-chains button')] \
                 .filter(b => b.textContent !== '下载 SVG').map(b => b.textContent)",
            )
            .await;
        assert_eq!(others, json!([]), "{role}: unknown buttons on the home");

        let mut todo: Vec<(String, String)> =
            home.into_iter().map(|l| (l, "#/".to_string())).collect();
        let mut seen = std::collections::BTreeSet::new();
        while let Some((link, from)) = todo.pop() {
            if !seen.insert(link.clone()) {
                continue;
            }
            page.client
                .goto(&format!("{}/{link}", page.base))
                .await
                .unwrap();
            page.wait_until(
                "return document.body.dataset.ready === '1'",
                &format!("{role}: the view at {link}"),
            )
            .await;
            let refusal = page
                .js("const e = [...document.querySelectorAll('.error-box, .error-text')].find(e => e.textContent.trim()); return e ? e.textContent : null")
                .await;
            assert_eq!(
                refusal,
                Value::Null,
                "{role}: {link} (a link of {from}) answers with an error"
            );
            page.assert_no_errors(&format!("{link} as {role}")).await;
            for next in strings(page.js(VISIBLE_LINKS).await) {
                if walkable(&next) && !seen.contains(&next) {
                    todo.push((next, link.clone()));
                }
            }
            // Leave the ready mark of this view behind before the next navigation.
            page.js("delete document.body.dataset.ready; return true")
                .await;
        }
        eprintln!("{role}: {} views, home {:?}", seen.len(), seen);
    }
    page.close().await;
}
