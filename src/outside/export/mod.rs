//! Exports of the records for other software: CSV (one file per record type, for spreadsheets and
//! archives) and a FHIR R4 JSON bundle (for moving records to an EHR). Exports are not encrypted.

pub mod csv;
pub mod fhir;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::files;
use crate::storage::{Db, RECORD_TABLES};
use fhir::SessionReader;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Fhir,
}

/// Export every record in `format` into the existing `folder`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub format: Format,
    pub folder: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportedFile {
    pub name: String,
    pub records: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub format: Format,
    pub folder: String,
    pub files: Vec<ExportedFile>,
    pub total: u64,
}

/// The file name of the FHIR export.
pub const FHIR_BUNDLE: &str = "infusion-chart-fhir-bundle.json";

/// Writes the export into `folder`, each file through a temporary name, fsynced and renamed; on a
/// failure no file of this export is left. Call it inside `Db::read_snapshot` for a consistent export.
pub fn write(db: &Db, session: &SessionReader, now: DateTime<Utc>, format: Format, folder: &Path) -> Result<Exported> {
    let mut written: Vec<ExportedFile> = Vec::new();
    match format {
        Format::Csv => {
            for table in RECORD_TABLES {
                let name = format!("{table}.csv");
                let mut records = 0;
                let done = files::write_atomically(&folder.join(&name), false, |out| {
                    records = csv::write_table(db, table, out)?;
                    Ok(())
                });
                if let Err(e) = done {
                    // Half an export is not handed over: the files already written go too.
                    for file in &written {
                        let _ = std::fs::remove_file(folder.join(&file.name));
                    }
                    return Err(e);
                }
                written.push(ExportedFile { name, records });
            }
        }
        Format::Fhir => {
            let mut records = 0;
            files::write_atomically(&folder.join(FHIR_BUNDLE), false, |out| {
                records = fhir::write_bundle(db, session, now, out)?;
                Ok(())
            })?;
            written.push(ExportedFile {
                name: FHIR_BUNDLE.into(),
                records,
            });
        }
    }
    Ok(Exported {
        format,
        folder: folder.display().to_string(),
        total: written.iter().map(|f| f.records).sum(),
        files: written,
    })
}
