//! CSV as spreadsheets read it: every cell quoted, a header row, and text that a spreadsheet would
//! run as a formula (starting = + - @, tab or CR) prefixed with ' so it is shown instead.

use std::io::Write;

use crate::error::{Error, Result};
use crate::storage::Db;

/// One quoted cell, neutralised against formula injection.
pub fn cell(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// Writes one line of cells, each quoted and neutralised.
pub fn line<'a>(out: &mut impl Write, cells: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let quoted: Vec<String> = cells.into_iter().map(cell).collect();
    writeln!(out, "{}", quoted.join(","))
        .map_err(|e| Error::Storage(format!("The CSV file could not be written ({e}).")))
}

/// Writes `table` with its column names as the header; returns the number of rows.
pub fn write_table(db: &Db, table: &str, out: &mut impl Write) -> Result<u64> {
    db.each_row(table, |cells| line(out, cells.iter().map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised_and_quotes_doubled() {
        let cases = [
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "\"'+1\""),
            ("-2", "\"'-2\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("Zoë, \"Z\"", "\"Zoë, \"\"Z\"\"\""),
            ("", "\"\""),
        ];
        for (text, expected) in cases {
            assert_eq!(cell(text), expected, "{text}");
        }
    }
}
