//! The IPC boundary's parser: a command's JSON argument becomes a typed input or an
//! `invalid_request` error naming the field, never a panic or a serde message without context.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// Parses a command's `input` argument; `None` means the caller sent no `input` at all.
pub fn parse<T: DeserializeOwned>(input: Option<Value>) -> Result<T> {
    let value = input.ok_or_else(|| Error::InvalidRequest("The request had no input. Nothing was saved.".into()))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at '{path}'")
        };
        Error::InvalidRequest(format!("The request was malformed{at}: {inner}. Nothing was saved."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vitals::VitalsInput;
    use serde_json::json;

    fn message(input: Option<Value>) -> String {
        let err = parse::<VitalsInput>(input).unwrap_err();
        assert_eq!(err.kind(), "invalid_request");
        err.to_string()
    }

    #[test]
    fn malformed_payloads_are_refused_with_the_field_named() {
        assert_eq!(message(None), "The request had no input. Nothing was saved.");
        assert_eq!(
            message(Some(json!({"session_id": 1, "sbp": "high"}))),
            "The request was malformed at 'sbp': invalid type: string \"high\", expected f64. Nothing was saved."
        );
        assert_eq!(
            message(Some(json!({"session_id": 1, "sbp": 120, "drop_table": true}))),
            "The request was malformed at 'drop_table': unknown field `drop_table`, expected one of `session_id`, `clinical_time`, `sbp`, `dbp`, `hr`, `spo2`, `rr`, `temp_c`, `etco2`, `dissociation`, `moaas`. Nothing was saved."
        );
        assert_eq!(
            message(Some(json!({"sbp": 120}))),
            "The request was malformed: missing field `session_id`. Nothing was saved."
        );
        assert_eq!(
            message(Some(json!("vitals"))),
            "The request was malformed: invalid type: string \"vitals\", expected struct VitalsInput. Nothing was saved."
        );
    }

    #[test]
    fn well_formed_input_parses() {
        let v: VitalsInput = parse(Some(json!({"session_id": 3, "sbp": 120, "temp_c": null}))).unwrap();
        assert_eq!(v.session_id, 3);
        assert_eq!(v.sbp, Some(120.0));
        assert_eq!(v.temp_c, None);
    }
}
