//! The IPC boundary's parser: a command's JSON argument becomes a typed input or an
//! `invalid_request` error naming the field, never a panic or a serde message without context.

use serde::de::{DeserializeOwned, Deserializer, Visitor};
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

/// The fields an input type takes, as serde reads them: the keys a payload may have. Empty for `{}`,
/// and for an input that flattens another into itself (serde reads that one as a map).
pub fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    // The reader gives no values, so the input itself always fails; only the names are wanted.
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

/// A reader that gives nothing and notes the field names a struct asks it for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("only the field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, Self::Error> {
        *self.0 = fields;
        self.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
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
    fn an_inputs_fields_are_read_from_its_type() {
        assert_eq!(fields_of::<crate::domain::sessions::SessionRef>(), ["session_id"]);
        assert_eq!(fields_of::<VitalsInput>()[..3], ["session_id", "clinical_time", "sbp"]);
        assert!(fields_of::<crate::app::clinic::Nothing>().is_empty());
    }

    #[test]
    fn well_formed_input_parses() {
        let v: VitalsInput = parse(Some(json!({"session_id": 3, "sbp": 120, "temp_c": null}))).unwrap();
        assert_eq!(v.session_id, 3);
        assert_eq!(v.sbp, Some(120.0));
        assert_eq!(v.temp_c, None);
    }
}
