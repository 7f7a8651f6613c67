//! `qmap analyze`: the weak links and QI of a bundle file or a store, as JSON or a summary table,
//! computed by the service layer as the API computes them.

use super::*;

/// The report of a snapshot: one chain's weak links and QI, or every chain's and the
/// dataset-wide scope (the same analyses, cached the same way, as the API serves).
pub fn analyze_snapshot(snap: &Snapshot, chain: Option<&str>) -> Result<FullReport, CliError> {
    let report = match chain {
        Some(id) => FullReport {
            chains: vec![snap
                .chain_analysis(id)
                .map_err(|_| CliError::UnknownChain {
                    chain: id.to_string(),
                })?],
            dataset: None,
        },
        None => FullReport {
            chains: snap.all_chain_analyses().map_err(service_error)?,
            dataset: Some(snap.dataset_analysis().map_err(service_error)?),
        },
    };
    Ok(report)
}

/// `qmap analyze`: the report of a bundle file or of a store, as JSON or as a summary table.
pub(super) fn run_analyze(
    file: Option<&Path>,
    data: Option<&Path>,
    revision: Option<u64>,
    chain: Option<&str>,
    json: bool,
    timings: bool,
) -> Result<(), CliError> {
    let start = Instant::now();
    let mut timings = Timings::new(timings);
    let dataset = match (file, data) {
        (Some(file), _) => load_dataset(file, &mut timings)?,
        (None, Some(dir)) => {
            let store = Store::open(dir)?;
            let mut dataset = store.load()?;
            timings.lap("load");
            if let Some(revision) = revision {
                let undo = store.undo(revision, store.revision())?;
                if undo.from_empty {
                    dataset = Dataset::new();
                }
                dataset.apply(&undo.change);
                timings.lap("revision");
            }
            dataset
        }
        (None, None) => unreachable!("clap requires FILE or --data"),
    };
    memory_note(&timings);
    let snap = Snapshot::of(dataset, 0);
    let report = analyze_snapshot(&snap, chain)?;
    timings.lap("analysis");
    memory_note(&timings);
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
        if json {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        } else {
            out.write_all(report_summary(&snap.dataset, &report).as_bytes())?;
        }
        out.flush()
    })();
    match written {
        // The reader went away (`qmap analyze … | head`): not worth an error message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(source) => {
            return Err(CliError::WriteFile {
                path: PathBuf::from("<stdout>"),
                source,
            })
        }
        Ok(()) => {}
    }
    timings.lap("output");
    memory_note(&timings);
    if timings.enabled {
        eprintln!("{:>10}: {:>9.3} s", "total", secs(start.elapsed()));
    }
    // Freeing millions of small strings takes a noticeable share of the run, and the process
    // ends right after this anyway.
    std::mem::forget(report);
    std::mem::forget(snap);
    Ok(())
}

/// With `--timings`, the processor time the process has used so far (user + system, all
/// threads: on a shared machine it varies far less than the wall time of the stages) and the
/// memory it holds now and at most so far (Linux's `VmRSS` and `VmHWM`), after the stage just
/// timed; nothing where `/proc` does not tell.
fn memory_note(timings: &Timings) {
    if !timings.enabled {
        return;
    }
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    // Fields 14 and 15 of `/proc/self/stat` (user and system time in clock ticks, 100 a second
    // on Linux), counted after the parenthesized command name, which may hold spaces.
    let cpu = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let rest = &stat[stat.rfind(')')? + 1..];
            let mut fields = rest.split_whitespace().skip(11);
            let user: u64 = fields.next()?.parse().ok()?;
            let system: u64 = fields.next()?.parse().ok()?;
            Some((user + system) as f64 / 100.0)
        });
    if let (Some(rss), Some(peak)) = (field("VmRSS:"), field("VmHWM:")) {
        let cpu = cpu.map_or(String::new(), |c| format!("cpu {c:.2} s so far, "));
        eprintln!(
            "{:>10}  {cpu}resident {} MB, peak {} MB",
            "",
            rss / 1024,
            peak / 1024
        );
    }
}

/// How many critical nodes the summary lists per chain.
pub(super) const TOP_CRITICAL: usize = 10;

/// A readable per-chain summary: headline figures, a per-segment table and the most damaging
/// critical nodes.
pub fn report_summary(dataset: &Dataset, report: &FullReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for chain in &report.chains {
        chain_summary(&mut s, dataset, &chain.weak);
        coverage_summary(&mut s, "  QI coverage", &chain.qi.figures.coverage);
        let gaps = &chain.qi.gaps;
        let _ = writeln!(
            s,
            "  gaps: {} infrastructure (no provider in reach), {} capacity; key projects: {} common-technology, {} chain-collaborative, {} key-product",
            gaps.infrastructure.iter().map(|g| g.needs).sum::<u64>(),
            gaps.capacity.iter().map(|g| g.needs).sum::<u64>(),
            chain.qi.projects.common_technology.len(),
            chain.qi.projects.chain_collaboration.len(),
            chain.qi.projects.key_product.len(),
        );
        s.push('\n');
    }
    if report.chains.is_empty() {
        s.push_str("no chains\n");
    }
    if let Some(all) = &report.dataset {
        coverage_summary(
            &mut s,
            "dataset (capacities shared)",
            &all.qi.figures.coverage,
        );
    }
    s
}

pub(super) fn coverage_summary(
    s: &mut String,
    label: &str,
    c: &crate::analysis::coverage::Coverage,
) {
    use std::fmt::Write;
    let pct = |a: u64, b: u64| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let _ = writeln!(
        s,
        "{label}: {} needs, {} reachable ({:.0}%), {} assigned ({:.0}%); severity {}/{} assigned; tier cost {}",
        c.needs_total,
        c.needs_reachable,
        pct(c.needs_reachable, c.needs_total),
        c.needs_assigned,
        pct(c.needs_assigned, c.needs_total),
        c.severity_assigned,
        c.severity_total,
        c.tier_cost
    );
}

pub(super) fn chain_summary(s: &mut String, dataset: &Dataset, chain: &ChainReport) {
    use std::fmt::Write;
    let name_of = |id: &str| {
        dataset
            .organizations
            .get(id)
            .map_or(String::new(), |o| o.name.clone())
    };
    let _ = writeln!(
        s,
        "{} ({}): {} firms, {} supplies, {} masters",
        chain.name,
        chain.id,
        chain.firms,
        chain.supplies,
        chain.masters.len()
    );
    let _ = writeln!(
        s,
        "  critical nodes {} · single-source parts {} · foreign-only parts {}",
        chain.critical_nodes.len(),
        chain.single_source_parts.len(),
        chain.foreign_only_parts.len()
    );
    let mut rows = vec![[
        "segment",
        "firms",
        "masters",
        "foreign",
        "problems",
        "load",
        "critical",
        "single",
        "foreign-only",
    ]
    .map(String::from)
    .to_vec()];
    for seg in &chain.segments {
        rows.push(vec![
            seg.name.clone(),
            seg.firms.to_string(),
            seg.masters.to_string(),
            seg.foreign_firms.to_string(),
            seg.demand_problems.to_string(),
            seg.problem_load.to_string(),
            seg.critical_nodes.to_string(),
            seg.single_source_parts.to_string(),
            seg.foreign_only_parts.to_string(),
        ]);
    }
    table(s, &rows);
    let mut worst: Vec<_> = chain.critical_nodes.iter().collect();
    worst.sort_by(|a, b| {
        (b.disabled_masters.len(), b.disabled_count)
            .cmp(&(a.disabled_masters.len(), a.disabled_count))
            .then_with(|| a.id.cmp(&b.id))
    });
    if !worst.is_empty() {
        let mut rows = vec![
            ["critical firm", "name", "masters down", "firms down", "via"]
                .map(String::from)
                .to_vec(),
        ];
        for c in worst.iter().take(TOP_CRITICAL) {
            let via = c
                .evidence
                .iter()
                .map(|e| format!("{}→{}", e.part, e.buyer))
                .collect::<Vec<_>>()
                .join(" ");
            rows.push(vec![
                c.id.clone(),
                name_of(&c.id),
                c.disabled_masters.len().to_string(),
                c.disabled_count.to_string(),
                via,
            ]);
        }
        table(s, &rows);
        if worst.len() > TOP_CRITICAL {
            let _ = writeln!(
                s,
                "  … and {} more critical firms",
                worst.len() - TOP_CRITICAL
            );
        }
    }
    s.push('\n');
}

/// Appends `rows` as an indented table, columns aligned by display width (CJK = 2 columns), the
/// first column left-aligned and the others right-aligned, the last column left-aligned too.
pub(super) fn table(s: &mut String, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        s.push_str("  ");
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.width());
            let left = c == 0 || !cell.chars().all(|ch| ch.is_ascii_digit());
            if c > 0 {
                s.push_str("  ");
            }
            if left {
                s.push_str(cell);
                if c + 1 < row.len() {
                    s.push_str(&pad);
                }
            } else {
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_aligns_chinese_text_by_display_width() {
        let mut s = String::new();
        table(
            &mut s,
            &[
                vec!["segment".into(), "firms".into()],
                vec!["电芯".into(), "12".into()],
                vec!["正负极材料".into(), "3".into()],
            ],
        );
        assert_eq!(
            s,
            "  segment     firms\n  电芯           12\n  正负极材料      3\n"
        );
    }
}
