//! `qmap audit`: the audit log of writes.

use super::*;

pub(super) fn run_audit(dir: &Path, limit: Option<usize>, json: bool) -> Result<(), CliError> {
    let store = Store::open(dir)?;
    let entries = store.audit(limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&entries).expect("JSON"));
        return Ok(());
    }
    if entries.is_empty() {
        println!("the audit log is empty");
    }
    for e in entries {
        println!(
            "{:>6}  {}  {:<14} {:<10} {}  → {}",
            e.seq,
            utc(e.at),
            e.actor,
            e.role.map_or("-", |r| r.as_str()),
            e.action,
            e.outcome
        );
    }
    Ok(())
}

/// A Unix time as `YYYY-MM-DD HH:MM:SSZ` (UTC), for people reading lists and logs.
pub fn utc(secs: u64) -> String {
    let (year, month, day) = crate::access::civil_date(secs);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00Z");
        assert_eq!(utc(1_795_301_999), "2026-11-21 22:59:59Z");
    }
}
