//! The repository carries its own reference (`docs/`): nothing in it may point at files outside
//! it, and the links between its Markdown files must resolve.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Pointers to a reference outside the repository, which a clone does not have. Written in
/// pieces so that this file does not match itself.
const OUTSIDE: [&str; 3] = [
    concat!("DOMAIN", ".md"),
    concat!("/work", "/shared"),
    concat!("..", "/shared"),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file of the repository, relative to its root with `/` separators: the files git tracks
/// plus new ones it does not ignore; without git (a source archive), every file outside
/// `target/` and `.git`.
fn repository_files() -> Vec<String> {
    let git = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output();
    let mut files: Vec<String> = match git {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout)
            .expect("git prints paths as UTF-8")
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        _ => {
            let mut found = Vec::new();
            walk(root(), &mut found);
            found
        }
    };
    // A file deleted in the working tree is still listed by `--cached`.
    files.retain(|f| root().join(f).is_file());
    files.sort();
    files.dedup();
    assert!(
        files.iter().any(|f| f == "Cargo.toml") && files.iter().any(|f| f == "README.md"),
        "the file list misses the repository's own files: {files:?}"
    );
    files
}

fn walk(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if name != "target" && name != ".git" {
                walk(&path, out);
            }
        } else {
            let relative = path.strip_prefix(root()).unwrap();
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}

/// The text of a file, or `None` for a binary one.
fn text(file: &str) -> Option<String> {
    String::from_utf8(std::fs::read(root().join(file)).unwrap()).ok()
}

#[test]
fn nothing_in_the_repository_points_at_files_outside_it() {
    let mut found = Vec::new();
    let mut checked = 0;
    for file in repository_files() {
        let Some(text) = text(&file) else { continue };
        checked += 1;
        for (n, line) in text.lines().enumerate() {
            for needle in OUTSIDE {
                if line.contains(needle) {
                    found.push(format!("{file}:{}: {needle}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} text files were checked");
    assert!(
        found.is_empty(),
        "these lines point outside the repository; point them at docs/ instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_reference_documents_exist_and_the_index_lists_them() {
    let index = text("docs/README.md").expect("docs/README.md is text");
    for doc in ["domain.md", "analyses.md"] {
        let body = text(&format!("docs/{doc}")).unwrap_or_else(|| panic!("docs/{doc} is not text"));
        assert!(body.lines().count() > 100, "docs/{doc} is nearly empty");
        assert!(
            index.contains(&format!("]({doc})")),
            "docs/README.md does not link {doc}"
        );
    }
}

/// `docs/<name>.md` mentioned anywhere (code comments, READMEs) must exist.
#[test]
fn every_mentioned_docs_file_exists() {
    let mut missing = Vec::new();
    let mut mentions = 0;
    for file in repository_files() {
        let Some(text) = text(&file) else { continue };
        for (i, _) in text.match_indices("docs/") {
            // `docs/` must start a path, not end one (`qmap-docs/`, `https://x/docs/`).
            if text[..i].ends_with(|c: char| c.is_alphanumeric() || "-_./".contains(c)) {
                continue;
            }
            let name: String = text[i..]
                .chars()
                .take_while(|&c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
                .collect();
            let name = name.trim_end_matches('.');
            if name.ends_with(".md") {
                mentions += 1;
                if !root().join(name).is_file() {
                    missing.push(format!("{file}: {name}"));
                }
            }
        }
    }
    assert!(mentions > 0, "no file mentions a docs/ file");
    assert!(
        missing.is_empty(),
        "mentioned but missing:\n{}",
        missing.join("\n")
    );
}

/// Relative links of the Markdown files (`[text](path#anchor)`) resolve to a file, and an anchor
/// to a heading of that file.
#[test]
fn the_links_between_markdown_files_resolve() {
    let files = repository_files();
    let mut broken = Vec::new();
    let mut links = 0;
    for file in files.iter().filter(|f| f.ends_with(".md")) {
        let body = text(file).unwrap();
        let dir = Path::new(file).parent().unwrap_or(Path::new(""));
        for target in link_targets(&body) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            links += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let linked: PathBuf = if path.is_empty() {
                PathBuf::from(file)
            } else {
                normalize(&dir.join(path))
            };
            let full = root().join(&linked);
            if !full.exists() {
                broken.push(format!("{file}: {target} (no such file)"));
                continue;
            }
            if let Some(anchor) = anchor {
                let linked_text = text(&linked.to_string_lossy()).unwrap_or_default();
                if !anchors(&linked_text).contains(anchor) {
                    broken.push(format!("{file}: {target} (no such heading)"));
                }
            }
        }
    }
    assert!(links > 0, "no relative links were found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The targets of the inline links `[text](target)` of a Markdown text, outside code.
fn link_targets(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop inline code spans, which may hold `](` legitimately.
        let prose: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join(" ");
        let mut rest = prose.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].trim().to_string());
                rest = &rest[end + 1..];
            }
        }
    }
    out
}

/// The anchors GitHub makes for the headings of a Markdown text: lower case, spaces to `-`,
/// punctuation other than `-` and `_` dropped, letters of any script kept, repeats numbered.
fn anchors(body: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut fenced = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#').trim();
        let slug: String = heading
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                '-' | '_' => Some(c),
                c if c.is_alphanumeric() => Some(c),
                _ => None,
            })
            .flat_map(char::to_lowercase)
            .collect();
        let mut candidate = slug.clone();
        let mut n = 0;
        while seen.contains(&candidate) {
            n += 1;
            candidate = format!("{slug}-{n}");
        }
        seen.insert(candidate);
    }
    seen
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
