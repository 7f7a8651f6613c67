//! The map page in a real browser: `qmap serve --demo` on a free port, headless Chromium driven
//! over WebDriver (chromedriver), every view checked for console errors and screenshotted to
//! `target/screenshots/`.
//!
//! Ignored by default because they need Chromium and chromedriver (`.ci/run` installs the
//! Debian packages and runs `cargo test --test browser -- --ignored`).

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHAIN: &str = "pb-power-battery";

/// A child process killed when the test ends, pass or fail.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A served demo store and a browser pointed at it.
struct Page {
    client: Client,
    base: String,
    _server: Killed,
    _driver: Killed,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Page {
    async fn open() -> Page {
        Page::open_on(tempfile::tempdir().unwrap()).await
    }

    /// Serves `data` (with `--demo`, which loads the demo chains only into an empty store).
    async fn open_on(data: tempfile::TempDir) -> Page {
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let server = Killed(
            Command::new(env!("CARGO_BIN_EXE_qmap"))
                .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
                .arg("--data")
                .arg(data.path())
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .spawn()
                .expect("qmap serve starts"),
        );
        let driver_port = free_port();
        let driver = Killed(
            Command::new("chromedriver")
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver is installed"),
        );
        wait_for_port(port, "qmap serve");
        wait_for_port(driver_port, "chromedriver");
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
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .expect("a WebDriver session");
        Page {
            client,
            base: format!("http://127.0.0.1:{port}"),
            _server: server,
            _driver: driver,
            _dirs: (data, profile),
        }
    }

    /// Opens `#/route` and waits until the view called `view` has rendered.
    async fn show(&self, route: &str, view: &str) {
        self.client
            .goto(&format!("{}/#/{route}", self.base))
            .await
            .unwrap();
        self.wait_until(
            &format!(
                "return document.body.dataset.view === '{view}' && document.body.dataset.ready === '1'"
            ),
            &format!("view {view} at #/{route}"),
        )
        .await;
        self.assert_no_errors(route).await;
    }

    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.js(condition).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let errors = self.js("return window.__qmapErrors || []").await;
                panic!("timed out waiting for {what}; page errors: {errors}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn assert_no_errors(&self, at: &str) {
        let errors = self.js("return window.__qmapErrors").await;
        assert_eq!(errors, json!([]), "console errors at #/{at}");
    }

    /// GET or POST an API path from inside the page (WebDriver awaits the promise).
    async fn api(&self, path: &str, body: Option<Value>) -> Value {
        let script = match body {
            None => format!("return fetch('{path}').then(r => r.json())"),
            Some(b) => format!(
                "return fetch('{path}', {{method: 'POST', headers: {{'content-type': 'application/json'}}, body: JSON.stringify({b})}}).then(r => r.json())"
            ),
        };
        self.js(&script).await
    }

    async fn count(&self, selector: &str) -> u64 {
        self.js(&format!(
            "return document.querySelectorAll('{selector}').length"
        ))
        .await
        .as_u64()
        .unwrap()
    }

    async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    async fn close(self) {
        self.client.clone().close().await.unwrap();
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
    page.client
        .find(Locator::Css("#lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait_until(
        "return document.querySelector('.page-head h1').textContent === 'Key industry chains'",
        "English titles",
    )
    .await;
    page.client.refresh().await.unwrap();
    page.wait_until(
        "return document.body.dataset.ready === '1' && document.querySelector('.brand span').textContent === 'Chain quality maps'",
        "English after reload",
    )
    .await;
    assert_eq!(
        page.js("return localStorage.getItem('qmap.lang')").await,
        "en"
    );
    page.show(&format!("chain/{CHAIN}"), "map").await;
    page.screenshot("map-en").await;
    page.client
        .find(Locator::Css("#lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait_until(
        "return document.documentElement.lang === 'zh-CN'",
        "Chinese again",
    )
    .await;
    page.assert_no_errors("after switching languages").await;
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

    let additive = firms.iter().find(|f| f["id"] == "pb-zjg-additive").unwrap();
    page.client
        .find(Locator::Css("#map [data-id='pb-zjg-additive']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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
async fn cutting_all_foreign_suppliers_greys_out_what_the_api_says_is_disabled() {
    let page = Page::open().await;
    page.show(&format!("chain/{CHAIN}/scenario"), "scenario")
        .await;
    assert_eq!(page.count("#map .marks .disabled").await, 0);
    page.client
        .find(Locator::Css("[data-scn=all_foreign]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.client
        .find(Locator::Css("[data-action=run]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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
    page.client
        .find(Locator::Css("[data-action=clear]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(page.count("#map .marks .disabled").await, 0);
    page.js("const i = document.querySelector('[data-scn=region_prefix]'); i.value = '3205'; i.dispatchEvent(new Event('input')); return true").await;
    page.client
        .find(Locator::Css("[data-action=run]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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
            &format!("/api/v1/chains/{CHAIN}/problems?per_page=1000"),
            None,
        )
        .await;
    let projects = page
        .api(&format!("/api/v1/chains/{CHAIN}/projects"), None)
        .await;
    let gaps = page
        .api(&format!("/api/v1/chains/{CHAIN}/gaps"), None)
        .await;
    let len = |v: &Value| v.as_array().unwrap().len();
    let expected = [
        ("problems", problems["total"].as_u64().unwrap() as usize),
        (
            "projects",
            len(&projects["common_technology"])
                + len(&projects["chain_collaborative"])
                + len(&projects["key_product"]),
        ),
        (
            "gaps",
            len(&gaps["gaps"]["infrastructure"]) + len(&gaps["gaps"]["capacity"]),
        ),
    ];
    for (list, rows) in expected {
        page.client
            .find(Locator::Css(&format!("[data-csv={list}]")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let csv = page.js("return window.__qmapLastCsv").await;
        assert_eq!(csv["name"], format!("{CHAIN}-{list}.csv"));
        let text = csv["text"].as_str().unwrap();
        assert!(text.starts_with('\u{feff}'), "{list}: UTF-8 BOM for Excel");
        // Quoted fields may hold commas but never line breaks in these lists.
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(
            lines.len() - 1,
            rows,
            "{list}: one row per item plus the header"
        );
        assert_eq!(
            page.count(&format!("table[data-table={list}] tbody tr"))
                .await as usize,
            rows
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
        "return document.body.dataset.ready === '1' && !!document.querySelector('.error-box')",
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
        "return document.body.dataset.ready === '1'",
        "the chains view",
    )
    .await;
    page.js("document.querySelector('#user button').click(); return true")
        .await;
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
    page.show("compare", "compare").await;
    page.screenshot("planner-compare").await;
    page.close().await;
}

/// Not a test but a measurement (run by hand, figures go to BENCHMARKS.md): how long the map
/// view of a generated 20,000-firm chain takes from navigation to drawn, for the default view
/// (the most important 400 firms with per-segment totals) and for every firm.
#[tokio::test]
#[ignore = "a benchmark, skipped by .ci/run: cargo test --test browser -- --ignored --nocapture large_chain"]
async fn large_chain_draw_times() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("c20k.json");
    let bundle = qmap::generate::generate(&qmap::generate::GenOptions {
        chains: 1,
        firms: 20_000,
        seed: 42,
    });
    let chain = bundle.chains[0].id.clone();
    std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let store = tempfile::tempdir().unwrap();
    qmap(&["import", file.to_str().unwrap()], store.path());
    // No token: `serve --demo` over a non-empty store loads nothing and opens reads to all.
    let page = Page::open_on(store).await;
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
        assert_eq!(
            marks, 400,
            "the default view draws the 400 most important firms"
        );
        println!("default view, run {run}: {ms} ms from navigation to drawn, {marks} firm marks");
        // "Show more" until every firm is drawn, timing each step inside the page.
        loop {
            let step = page
                .js("const b = document.querySelector('[data-action=more]'); if (!b || b.hidden) return null; \
                     window.__qmapMoreFrom = performance.now(); \
                     window.__qmapMarks = document.querySelectorAll('#map .marks [data-id]').length; \
                     b.click(); return true")
                .await;
            if step.is_null() {
                break;
            }
            page.wait_until(
                "return document.querySelectorAll('#map .marks [data-id]').length !== window.__qmapMarks",
                "more firms",
            )
            .await;
            let ms = page
                .js("return performance.now() - window.__qmapMoreFrom")
                .await;
            let marks = page.count("#map .marks [data-id]").await;
            println!("  show more: {ms} ms to {marks} firm marks");
        }
        assert_eq!(page.count("#map .marks [data-id]").await, 20_000);
    }
    page.close().await;
}
