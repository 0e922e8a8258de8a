//! `podctl pod diff`: the normalised deployed definition against a local one, as a unified diff
//! with a verdict per pod; exit 0 when nothing differs, 1 when something does (like diff(1)).

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::apply::{collect, deployed, Local};
use super::{input, Ctx, Mode};
use crate::cli::{CheckArgs, DiffArgs, Source};
use crate::error::{Comparing, Differs, UsageError};
use crate::pod::diff::{compare, creation, Verdict};
use crate::pod::text::printable;
use crate::pod::PodId;

/// One pod's comparison, as `--json` writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Compared {
    id: String,
    source: String,
    /// `unchanged`, `no-restart`, `scale`, `restart` or `create`.
    verdict: &'static str,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<u32>,
    diff: String,
}

pub fn run(ctx: &mut Ctx, args: &DiffArgs) -> Result<()> {
    let locals =
        locals(ctx, args).map_err(|e| e.context(Comparing("reading definitions".into())))?;
    let client = ctx
        .client()
        .map_err(|e| e.context(Comparing("comparing definitions".into())))?;
    let mut results = Vec::with_capacity(locals.len());
    for local in &locals {
        let current = deployed(&client, &local.id)
            .map_err(|e| e.context(Comparing(format!("comparing pod {}", local.id))))?;
        let colour = ctx.mode == Mode::Human && ctx.style.color;
        let source = printable(&local.source).into_owned();
        let result = match current {
            None => Compared {
                id: local.id.to_string(),
                source,
                verdict: "create",
                summary: "new pod: would be created".to_string(),
                from: None,
                to: None,
                diff: creation(&local.value).unified_labelled(
                    colour,
                    &format!("{} (not deployed)", local.id),
                    &local.source,
                ),
            },
            Some(current) => {
                let c = compare(&current, &local.value);
                let (from, to) = match c.verdict {
                    Verdict::ScaleOnly { from, to } => (Some(from), Some(to)),
                    _ => (None, None),
                };
                Compared {
                    id: local.id.to_string(),
                    source,
                    verdict: c.verdict.kind(),
                    summary: c.verdict.summary(),
                    from,
                    to,
                    diff: c.unified_labelled(
                        colour,
                        &format!("{} (deployed)", local.id),
                        &local.source,
                    ),
                }
            }
        };
        if ctx.mode == Mode::Human {
            ctx.out.write_all(result.diff.as_bytes())?;
            writeln!(ctx.out, "{}: {}", result.id, result.summary)?;
        }
        results.push(result);
    }
    if ctx.mode == Mode::Json {
        crate::render::write_json(ctx.out, &results)?;
    }
    let differ = results.iter().filter(|r| r.verdict != "unchanged").count();
    if differ > 0 {
        return Err(Differs(format!("{differ} of {} pods differ", results.len())).into());
    }
    Ok(())
}

/// `ID [FILE|-]` or `FILE|DIR...`: an argument naming an existing path (or `-`) is a definition.
fn locals(ctx: &Ctx, args: &DiffArgs) -> Result<Vec<Local>> {
    let first = args.args.first().map(String::as_str).unwrap_or("-");
    let is_path = |a: &str| {
        a == "-" || a.starts_with("http://") || a.starts_with("https://") || Path::new(a).exists()
    };
    if is_path(first) {
        return collect(ctx, &args.args, args.recursive, None);
    }
    let id = PodId::parse_arg(first).map_err(|e| {
        UsageError::Usage(format!(
            "{} is neither a file nor a pod id ({e})",
            printable(first)
        ))
    })?;
    if args.args.len() > 2 {
        return Err(UsageError::Usage(
            "give one definition after a pod id (`pod diff ID [FILE|-]`), or only definitions \
             (`pod diff FILE...`)"
                .into(),
        )
        .into());
    }
    let no_checks = CheckArgs {
        no_validate: true,
        strict: false,
    };
    let loaded = input::load(
        ctx,
        &Source::from_arg(args.args.get(1).map(String::as_str)),
        Some(&id),
        &no_checks,
    )?;
    let source = match args.args.get(1).map(String::as_str) {
        None | Some("-") => "stdin".to_string(),
        Some(file) => file.to_string(),
    };
    Ok(vec![Local {
        source,
        value: loaded.value,
        id: loaded.id,
    }])
}
