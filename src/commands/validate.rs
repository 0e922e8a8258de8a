//! `podctl pod validate`: check definitions offline with Marathon's rules; no cluster, no config.

use anyhow::Result;
use serde_json::json;

use super::input;
use super::{Ctx, Mode};
use crate::cli::{Source, ValidateArgs};
use crate::exit::{self, Exit, Failure};
use crate::pod::text::printable;
use crate::pod::validate::{Invalid, Problem};

/// One file's verdict.
struct Verdict {
    file: String,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

pub fn run(ctx: &mut Ctx, args: &ValidateArgs) -> Result<()> {
    if args.files.iter().filter(|f| f.as_str() == "-").count() > 1 {
        return Err(Failure::new(Exit::Usage, "`-` (stdin) may be given only once").into());
    }
    let mut verdicts = Vec::with_capacity(args.files.len());
    let mut unreadable = false;
    for file in &args.files {
        let source = Source::from_arg(Some(file));
        let verdict = match input::read(ctx, &source) {
            Ok((name, bytes)) => match input::parse(&name, &bytes) {
                Ok(value) => {
                    let (errors, warnings) = input::examine(&value, args.strict);
                    Verdict {
                        file: name,
                        errors,
                        warnings,
                    }
                }
                Err(invalid) => Verdict {
                    file: name,
                    errors: invalid.problems,
                    warnings: Vec::new(),
                },
            },
            Err(e) => match e.downcast::<Invalid>() {
                // Too big to read: refused like any other invalid definition.
                Ok(invalid) => Verdict {
                    file: invalid.source,
                    errors: invalid.problems,
                    warnings: Vec::new(),
                },
                Err(e) => {
                    // A file that cannot be read is reported like a problem, and the rest go on.
                    if exit::code_for(&e) != Exit::Invalid {
                        unreadable = true;
                    }
                    // The line starts with the file's name already: say it once.
                    let text = format!("{e:#}");
                    let shown = printable(file);
                    let reason = text
                        .strip_prefix(&format!("reading pod definition from {file}: "))
                        .or_else(|| {
                            text.strip_prefix(&format!("fetching pod definition from {shown}: "))
                        })
                        .map_or(text.as_str(), |rest| rest);
                    Verdict {
                        file: file.clone(),
                        errors: vec![Problem::new("", reason)],
                        warnings: Vec::new(),
                    }
                }
            },
        };
        verdicts.push(verdict);
    }

    match ctx.mode {
        Mode::Json => {
            let list: Vec<_> = verdicts
                .iter()
                .map(|v| {
                    let entries = |ps: &[Problem]| {
                        ps.iter()
                            .map(|p| json!({"path": p.pointer(), "message": p.message}))
                            .collect::<Vec<_>>()
                    };
                    json!({
                        "file": v.file,
                        "valid": v.errors.is_empty(),
                        "errors": entries(&v.errors),
                        "warnings": entries(&v.warnings),
                    })
                })
                .collect();
            crate::render::write_json(ctx.out, &list)?;
        }
        Mode::Quiet => {
            // Only the files that fail, one per line, for `xargs` and friends.
            for v in verdicts.iter().filter(|v| !v.errors.is_empty()) {
                writeln!(ctx.out, "{}", printable(&v.file))?;
            }
        }
        Mode::Human => {
            for v in &verdicts {
                for p in &v.errors {
                    writeln!(ctx.out, "{}", p.line(&v.file, ""))?;
                }
                for p in &v.warnings {
                    writeln!(ctx.out, "{}", p.line(&v.file, "warning: "))?;
                }
                if v.errors.is_empty() {
                    writeln!(ctx.out, "{}: valid", printable(&v.file))?;
                }
            }
        }
    }

    let invalid = verdicts.iter().filter(|v| !v.errors.is_empty()).count();
    if unreadable {
        return Err(Failure::new(Exit::Failure, "some files could not be read").into());
    }
    if invalid > 0 {
        // "1 of 6 definitions invalid", "1 of 1 definition invalid", "2 of 2 definitions invalid".
        let total = verdicts.len();
        let s = if total == 1 { "" } else { "s" };
        return Err(Failure::new(
            Exit::Invalid,
            format!("{invalid} of {total} definition{s} invalid"),
        )
        .into());
    }
    Ok(())
}
