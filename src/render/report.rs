//! The report of `pod validate`: one verdict per file, in each output mode.

use std::io::{self, Write};

use serde_json::json;

use super::{write_json, Mode};
use crate::pod::text::printable;
use crate::pod::validate::Problem;

/// One file's verdict.
pub struct Verdict {
    /// The file's name, a URL or `stdin`, as given (escaped when written).
    pub file: String,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// Writes the verdicts: JSON, only the files that fail one a line (`-q`, for `xargs`), or each
/// problem on its own line followed by `FILE: valid` for the files without errors.
pub fn write_report(out: &mut dyn Write, verdicts: &[Verdict], mode: Mode) -> io::Result<()> {
    match mode {
        Mode::Json => {
            let entries = |ps: &[Problem]| {
                ps.iter()
                    .map(|p| json!({"path": p.pointer(), "message": p.message}))
                    .collect::<Vec<_>>()
            };
            let list: Vec<_> = verdicts
                .iter()
                .map(|v| {
                    json!({
                        "file": v.file,
                        "valid": v.errors.is_empty(),
                        "errors": entries(&v.errors),
                        "warnings": entries(&v.warnings),
                    })
                })
                .collect();
            write_json(out, &list)
        }
        Mode::Quiet => verdicts
            .iter()
            .filter(|v| !v.errors.is_empty())
            .try_for_each(|v| writeln!(out, "{}", printable(&v.file))),
        Mode::Human => {
            for v in verdicts {
                for p in &v.errors {
                    writeln!(out, "{}", p.line(&v.file, ""))?;
                }
                for p in &v.warnings {
                    writeln!(out, "{}", p.line(&v.file, "warning: "))?;
                }
                if v.errors.is_empty() {
                    writeln!(out, "{}: valid", printable(&v.file))?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts() -> Vec<Verdict> {
        vec![
            Verdict {
                file: "good.json".into(),
                errors: Vec::new(),
                warnings: vec![Problem::new("/labels", "is empty")],
            },
            Verdict {
                file: "bad\u{1b}.json".into(),
                errors: vec![Problem::new("/id", "is missing")],
                warnings: Vec::new(),
            },
        ]
    }

    fn written(mode: Mode) -> String {
        let mut out = Vec::new();
        write_report(&mut out, &verdicts(), mode).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_mode_has_its_form() {
        let human = written(Mode::Human);
        assert!(human.contains("good.json: valid\n"), "{human}");
        assert!(human.contains("good.json: /labels: warning: "), "{human}");
        assert!(
            !human.contains('\u{1b}'),
            "file names are escaped: {human:?}"
        );
        let quiet = written(Mode::Quiet);
        assert_eq!(quiet.lines().count(), 1, "only the failing file: {quiet:?}");
        assert!(quiet.starts_with("bad"), "{quiet:?}");
        let json: serde_json::Value = serde_json::from_str(&written(Mode::Json)).unwrap();
        assert_eq!(json[0]["valid"], true);
        assert_eq!(json[1]["errors"][0]["path"], "/id");
    }
}
