//! The map page (一图) as files embedded in the binary: plain HTML, CSS and JS modules, one module
//! per view, no build step and nothing fetched from the internet. `api::page` serves them.

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";

/// The served name of the vendored Apache ECharts (`page/vendor/echarts/`, see its README):
/// the version is in the name, so browsers may keep the file for good and a new version is a new
/// URL. `update.sh` there fetches a new version; then change the name here.
pub const ECHARTS: &str = "echarts-5.6.0.min.js";

/// The page itself, served at `/`.
pub const INDEX_HTML: &str = include_str!("page/index.html");

/// Every file under `/assets/`, by name.
pub const ASSETS: &[(&str, Asset)] = &[
    (
        "app.css",
        Asset {
            content_type: "text/css; charset=utf-8",
            body: include_str!("page/app.css"),
        },
    ),
    ("app.js", js(include_str!("page/app.js"))),
    ("i18n.js", js(include_str!("page/i18n.js"))),
    ("api.js", js(include_str!("page/api.js"))),
    ("util.js", js(include_str!("page/util.js"))),
    ("chains.js", js(include_str!("page/chains.js"))),
    ("map.js", js(include_str!("page/map.js"))),
    ("mapview.js", js(include_str!("page/mapview.js"))),
    ("scenario.js", js(include_str!("page/scenario.js"))),
    ("suppliers.js", js(include_str!("page/suppliers.js"))),
    ("lists.js", js(include_str!("page/lists.js"))),
    ("compare.js", js(include_str!("page/compare.js"))),
    ("changes.js", js(include_str!("page/changes.js"))),
    ("goals.js", js(include_str!("page/goals.js"))),
    ("notices.js", js(include_str!("page/notices.js"))),
    ("regions.js", js(include_str!("page/regions.js"))),
    ("search.js", js(include_str!("page/search.js"))),
    ("whatif.js", js(include_str!("page/whatif.js"))),
    (
        ECHARTS,
        js(include_str!("page/vendor/echarts/echarts.min.js")),
    ),
    (
        "favicon.svg",
        Asset {
            content_type: "image/svg+xml",
            body: include_str!("page/favicon.svg"),
        },
    ),
];

const fn js(body: &'static str) -> Asset {
    Asset {
        content_type: JS,
        body,
    }
}

/// Whether the file called `name` never changes under that name (a versioned vendor file).
pub fn immutable(name: &str) -> bool {
    name == ECHARTS
}

/// The embedded file called `name`, if any.
pub fn asset(name: &str) -> Option<Asset> {
    ASSETS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_the_page_imports_is_embedded() {
        let mut sources: Vec<&str> = ASSETS.iter().map(|(_, a)| a.body).collect();
        sources.push(INDEX_HTML);
        for text in sources {
            for part in text.split("from './").skip(1) {
                let name = part.split('\'').next().unwrap_or_default();
                assert!(asset(name).is_some(), "{name} is imported but not embedded");
            }
        }
        assert!(INDEX_HTML.contains("/assets/app.js"));
        // The geographic view loads ECharts by its served name.
        let regions = asset("regions.js").unwrap().body;
        assert!(regions.contains(&format!("'/assets/{ECHARTS}'")));
        assert!(asset("../Cargo.toml").is_none());
    }
}
