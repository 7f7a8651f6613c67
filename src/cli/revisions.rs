//! `qmap revisions`: every revision of the store, with its survey label and what it changed.

use super::*;

pub(super) fn run_revisions(dir: &Path, json: bool) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let revisions = store.revisions()?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&revisions).expect("JSON")
        );
        return Ok(());
    }
    if revisions.is_empty() {
        println!(
            "no revision has a record yet (revision {}; revisions are recorded from this build on)",
            store.revision()
        );
    }
    println!(
        "{:>8}  {:<20}  {:<14} {:>9} {:>9} {:>9}  survey",
        "revision", "time (UTC)", "by", "added", "changed", "removed"
    );
    for r in revisions {
        let c = r.counts.sum();
        println!(
            "{:>8}  {:<20}  {:<14} {:>9} {:>9} {:>9}  {}",
            r.revision,
            utc(r.at),
            r.actor.as_deref().unwrap_or("-"),
            c.added,
            c.changed,
            c.removed,
            r.label.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
