//! Writing a bundle as CSV files in the template's layout: one `<sheet name>.csv` per sheet, in
//! UTF-8 with a byte-order mark (so that Excel opens it as UTF-8), into a folder or a zip.

use super::from_bundle::{self, Out};
use crate::model::Bundle;
use std::io::Write;
use std::path::Path;

/// Each sheet's file name and CSV bytes.
pub fn files(bundle: &Bundle) -> Vec<(String, Vec<u8>)> {
    from_bundle::rows(bundle)
        .into_iter()
        .map(|rows| {
            let mut out = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                let header: Vec<&str> = rows.sheet.columns.iter().map(|c| c.header).collect();
                w.write_record(&header).expect("writing to memory");
                for row in &rows.rows {
                    let fields: Vec<String> = row
                        .iter()
                        .map(|c| match c {
                            Out::Empty => String::new(),
                            Out::Text(t) => t.clone(),
                            Out::Number(n) => format!("{n}"),
                        })
                        .collect();
                    w.write_record(&fields).expect("writing to memory");
                }
                w.flush().expect("writing to memory");
            }
            (format!("{}.csv", rows.sheet.name), out)
        })
        .collect()
}

/// Writes the CSV files into `dir` (created if needed).
pub fn write_dir(bundle: &Bundle, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in files(bundle) {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}

/// The CSV files as one zip.
pub fn zip_bytes(bundle: &Bundle) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files(bundle) {
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}
