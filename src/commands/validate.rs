//! `podctl pod validate`: check definitions offline with Marathon's rules; no cluster, no config.

use anyhow::Result;

use super::input;
use super::Ctx;
use crate::cli::{Source, ValidateArgs};
use crate::error::{CheckError, UsageError};
use crate::pod::text::printable;
use crate::pod::validate::{Invalid, Problem};
use crate::render::{self, Verdict};

pub fn run(ctx: &mut Ctx, args: &ValidateArgs) -> Result<()> {
    if args.files.iter().filter(|f| f.as_str() == "-").count() > 1 {
        return Err(UsageError::Usage("`-` (stdin) may be given only once".into()).into());
    }
    let mut verdicts = Vec::with_capacity(args.files.len());
    let mut unreadable = false;
    for file in &args.files {
        let (verdict, read) = check(ctx, file, args.strict);
        unreadable |= !read;
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

/// One file's verdict, and whether it could be read at all. A file that cannot be read is
/// reported like a problem, and the rest go on.
fn check(ctx: &Ctx, file: &str, strict: bool) -> (Verdict, bool) {
    let verdict = |file: String, errors, warnings| Verdict {
        file,
        errors,
        warnings,
    };
    let (name, bytes) = match input::read(ctx, &Source::from_arg(Some(file))) {
        Ok(read) => read,
        Err(e) => {
            return match e.downcast::<Invalid>() {
                // Too big to read: refused like any other invalid definition.
                Ok(invalid) => (verdict(invalid.source, invalid.problems, Vec::new()), true),
                Err(e) => {
                    let read = e.chain().any(|cause| cause.is::<Invalid>());
                    // The line starts with the file's name already: say it once.
                    let text = format!("{e:#}");
                    let shown = printable(file);
                    let reason = text
                        .strip_prefix(&format!("reading pod definition from {file}: "))
                        .or_else(|| {
                            text.strip_prefix(&format!("fetching pod definition from {shown}: "))
                        })
                        .map_or(text.as_str(), |rest| rest);
                    let problems = vec![Problem::new("", reason)];
                    (verdict(file.to_string(), problems, Vec::new()), read)
                }
            };
        }
    };
    match input::parse(&name, &bytes) {
        Ok(value) => {
            let (errors, warnings) = input::examine(&value, strict);
            (verdict(name, errors, warnings), true)
        }
        Err(invalid) => (verdict(name, invalid.problems, Vec::new()), true),
    }
}
