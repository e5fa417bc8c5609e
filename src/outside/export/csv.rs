//! CSV as spreadsheets read it: every cell quoted, a header row, and text that a spreadsheet would
//! run as a formula (starting = + - @, tab or CR) prefixed with ' so it is shown instead.

use std::io::Write;

use crate::domain::audit::Entry;
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

/// Writes `entries` as CSV with a header row (cells neutralised against spreadsheet formulas).
pub fn write_audit(entries: &[Entry], out: &mut impl Write) -> Result<()> {
    let header = [
        "id",
        "at_utc",
        "at_local",
        "user_id",
        "username",
        "action",
        "table_name",
        "record_id",
        "patient_id",
        "old_value",
        "new_value",
        "detail",
        "hash",
        "laptop",
    ];
    line(out, header)?;
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    for e in entries {
        let row = [
            e.id.to_string(),
            e.at_utc.clone(),
            e.at_local.clone(),
            num(e.user_id),
            text(&e.username),
            e.action.clone(),
            text(&e.table_name),
            num(e.record_id),
            num(e.patient_id),
            text(&e.old_value),
            text(&e.new_value),
            text(&e.detail),
            e.hash.clone(),
            text(&e.laptop),
        ];
        line(out, row.iter().map(String::as_str))?;
    }
    out.flush()
        .map_err(|e| Error::Storage(format!("The CSV file could not be written ({e}).")))
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

    #[test]
    fn the_audit_csv_has_a_header_and_one_line_per_entry() {
        let mut out = Vec::new();
        write_audit(&crate::domain::audit::tests::chain(2), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.starts_with("\"id\",\"at_utc\","));
    }
}
