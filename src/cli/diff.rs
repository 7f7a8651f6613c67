//! `qmap diff`: what changed between two revisions (by default the latest two surveys), on one
//! chain or every chain, as the API's `/chains/{id}/changes` says it.

use super::*;
use crate::service::history::ChainChangesReport;
use crate::service::{Principal, Service};
use rayon::prelude::*;

pub(super) fn run_diff(
    dir: &Path,
    from: Option<u64>,
    to: Option<u64>,
    chain: Option<&str>,
    json: bool,
) -> Result<(), CliError> {
    let loading = progress("loading the store");
    loading.enable_steady_tick(Duration::from_millis(200));
    let service = Service::open(Store::open(dir)?).map_err(service_error)?;
    loading.finish_and_clear();
    let (from, to) = service.compared(from, to).map_err(service_error)?;
    let (a, b) = (
        service.snapshot_at(Some(from)).map_err(service_error)?,
        service.snapshot_at(Some(to)).map_err(service_error)?,
    );
    let chains: Vec<String> = match chain {
        Some(id) => {
            if !a.has_chain(id) && !b.has_chain(id) {
                return Err(CliError::UnknownChain {
                    chain: id.to_string(),
                });
            }
            vec![id.to_string()]
        }
        None => {
            let mut ids: Vec<String> = a.dataset.chains.keys().cloned().collect();
            ids.extend(b.dataset.chains.keys().cloned());
            ids.sort();
            ids.dedup();
            ids
        }
    };
    // The command line reads everything, as an admin does.
    let who = Principal::Anonymous;
    let comparing = progress("comparing");
    comparing.set_length(chains.len() as u64);
    let reports: Vec<ChainChangesReport> = chains
        .par_iter()
        .map(|id| {
            let r = service.chain_changes(&who, id, Some(from), Some(to));
            comparing.inc(1);
            r
        })
        .collect::<Result<_, _>>()
        .map_err(service_error)?;
    comparing.finish_and_clear();
    let mut out = BufWriter::new(io::stdout().lock());
    let written = if json {
        let value = match chain {
            Some(_) => serde_json::to_value(&reports[0]),
            None => serde_json::to_value(serde_json::json!({
                "from": reports.first().map(|r| &r.from),
                "to": reports.first().map(|r| &r.to),
                "chains": reports,
            })),
        }
        .expect("JSON");
        serde_json::to_writer_pretty(&mut out, &value)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        out.write_all(summary(&reports).as_bytes())
    };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(CliError::WriteFile {
            path: PathBuf::from("<stdout>"),
            source,
        }),
        Ok(()) => Ok(()),
    }
}

/// How a revision reads in a heading: `2025年度调查 (revision 7)`.
fn named(r: &crate::service::history::RevisionRef) -> String {
    match &r.label {
        Some(label) => format!("{label} (revision {})", r.revision),
        None => format!("revision {}", r.revision),
    }
}

/// The readable report: per chain, the counts of every list and its first entries by name.
fn summary(reports: &[ChainChangesReport]) -> String {
    use std::fmt::Write;
    const SHOWN: usize = 5;
    let mut s = String::new();
    let Some(first) = reports.first() else {
        return s;
    };
    let _ = writeln!(s, "from {} to {}", named(&first.from), named(&first.to));
    for r in reports {
        let c = &r.changes;
        let _ = writeln!(s, "\n{} {}", c.chain, c.name);
        let mut list = |what: &str, names: Vec<String>| {
            if names.is_empty() {
                return;
            }
            let more = names.len().saturating_sub(SHOWN);
            let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
            let _ = write!(s, "  {what:<28} {:>5}  {}", names.len(), shown.join("、"));
            let _ = writeln!(
                s,
                "{}",
                if more > 0 {
                    format!(" … (+{more})")
                } else {
                    String::new()
                }
            );
        };
        let firm = |id: &str, name: &str| format!("{name}({id})");
        list(
            "firms joined",
            c.firms
                .joined
                .iter()
                .map(|f| firm(&f.id, &f.name))
                .collect(),
        );
        list(
            "firms left",
            c.firms.left.iter().map(|f| firm(&f.id, &f.name)).collect(),
        );
        list(
            "firms moved",
            c.firms
                .changed
                .iter()
                .map(|f| firm(&f.id, &f.name))
                .collect(),
        );
        let supply = |x: &crate::analysis::changes::SupplyEntry| {
            format!("{} → {}: {}", x.supplier_name, x.customer_name, x.part)
        };
        list(
            "supplies added",
            c.supplies.added.iter().map(supply).collect(),
        );
        list(
            "supplies removed",
            c.supplies.removed.iter().map(supply).collect(),
        );
        list(
            "problems opened",
            c.problems
                .opened
                .iter()
                .map(|p| format!("{} {}", p.id, p.title))
                .collect(),
        );
        list(
            "problems resolved",
            c.problems
                .resolved
                .iter()
                .map(|p| format!("{} {}", p.problem.id, p.problem.title))
                .collect(),
        );
        list(
            "problems changed",
            c.problems
                .changed
                .iter()
                .map(|p| format!("{} {}", p.id, p.title))
                .collect(),
        );
        let node = |n: &crate::analysis::changes::CriticalNodeEntry| firm(&n.id, &n.name);
        list(
            "critical nodes appeared",
            c.critical_nodes.appeared.iter().map(node).collect(),
        );
        list(
            "critical nodes disappeared",
            c.critical_nodes.disappeared.iter().map(node).collect(),
        );
        list(
            "critical nodes changed",
            c.critical_nodes
                .changed
                .iter()
                .map(|n| firm(&n.id, &n.name))
                .collect(),
        );
        let part =
            |p: &crate::analysis::changes::PartEntry| format!("{}: {}", p.buyer_name, p.part);
        list(
            "single sources appeared",
            c.single_source_parts.appeared.iter().map(part).collect(),
        );
        list(
            "single sources disappeared",
            c.single_source_parts.disappeared.iter().map(part).collect(),
        );
        list(
            "foreign-only appeared",
            c.foreign_only_parts.appeared.iter().map(part).collect(),
        );
        list(
            "foreign-only disappeared",
            c.foreign_only_parts.disappeared.iter().map(part).collect(),
        );
        let (a, b) = (&c.coverage.from.coverage, &c.coverage.to.coverage);
        let _ = writeln!(
            s,
            "  coverage: needs {} → {}, assigned {} → {}, severity assigned {}/{} → {}/{}",
            a.needs_total,
            b.needs_total,
            a.needs_assigned,
            b.needs_assigned,
            a.severity_assigned,
            a.severity_total,
            b.severity_assigned,
            b.severity_total
        );
    }
    s
}
