//! `podctl pod validate`: check definitions offline with Marathon's rules; no cluster, no config.

use anyhow::Result;

use super::input;
use super::Ctx;
use crate::cli::{Source, ValidateArgs};
use crate::error::CheckError;
use crate::pod::validate::{Invalid, Problem};
use crate::render::{self, Verdict};

pub fn run(ctx: &mut Ctx, args: &ValidateArgs) -> Result<()> {
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
                    if !e.chain().any(|cause| cause.is::<Invalid>()) {
                        unreadable = true;
                    }
                    // The line starts with the file's name already: say it once.
                    let text = format!("{e:#}");
                    let reason = text
                        .strip_prefix(&format!("reading pod definition from {file}: "))
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

    render::write_report(ctx.out, &verdicts, ctx.mode)?;

    let invalid = verdicts.iter().filter(|v| !v.errors.is_empty()).count();
    if unreadable {
        return Err(CheckError::Unreadable.into());
    }
    if invalid > 0 {
        return Err(CheckError::Invalid {
            invalid,
            total: verdicts.len(),
        }
        .into());
    }
    Ok(())
}
