//! Bytes -> the parsing `pod add` does (size limit, BOM, UTF-8, duplicate keys) -> validation.
//! Nothing may panic, hang or blow the stack; what parses must equal serde_json's reading.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podctl::pod::text::parse_definition;
use podctl::pod::validate;

fuzz_target!(|data: &[u8]| {
    match parse_definition("fuzz.json", data) {
        Ok(value) => {
            // Our parser only refuses more than serde_json, never reads differently.
            let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            let plain: serde_json::Value = serde_json::from_slice(text)
                .expect("parse_definition accepted what serde_json refuses");
            assert_eq!(value, plain);
            for problem in validate::validate(&value) {
                let _ = (problem.pointer(), problem.marathon_path());
            }
        }
        Err(invalid) => {
            assert_eq!(invalid.problems.len(), 1);
            let line = invalid.to_string();
            assert!(
                line.starts_with("fuzz.json: ") && !line.contains('\n'),
                "{line}"
            );
        }
    }
});
