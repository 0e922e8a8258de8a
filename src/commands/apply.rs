//! `podctl pod apply`: bring pods in line with definition files. Each pod that does not exist is
//! created (POST), each that differs after normalisation is updated (PUT), the rest get no write
//! at all. Reading a set of definitions (files, directories, arrays, stdin) lives here too;
//! `pod diff` uses it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

use super::wait::{prepare, wait_all, Target, Timing};
use super::{input, Ctx, Mode};
use crate::cli::{ApplyArgs, CheckArgs, Source};
use crate::error::UsageError;
use crate::marathon::Client;
use crate::pod::diff::{compare, creation, Comparison, Verdict};
use crate::pod::progress::Goal;
use crate::pod::text::{self, printable};
use crate::pod::validate::{Invalid, Problem};
use crate::pod::PodId;

/// The most definitions one `apply` or `diff` reads (each file is also limited in size): a
/// directory of a million files is a mistake, not a deployment.
pub const MAX_DEFINITIONS: usize = 1000;

/// One definition read from a file, an array element or stdin.
pub struct Local {
    /// Where it came from, for messages: `deploy/web.json`, `all.json[2]`, `stdin`.
    pub source: String,
    pub value: Value,
    pub id: PodId,
}

/// What apply does with one pod.
enum Action {
    Create,
    Update(Comparison),
    Unchanged,
}

/// One pod's result, as `--json` writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    id: String,
    source: String,
    /// `created`, `updated`, `unchanged`, `failed`, `not-attempted` (after a failure); with
    /// `--dry-run`: `create`, `update`, `unchanged`.
    action: &'static str,
    /// For an update: `restart`, `scale` or `no-restart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    dry_run: bool,
    pods: &'a [Outcome],
}

pub fn run(ctx: &mut Ctx, args: &ApplyArgs) -> Result<()> {
    let locals = collect(ctx, &args.files, args.recursive, Some(&args.checks))?;
    let client = ctx.client()?;
    let mut plan = Vec::with_capacity(locals.len());
    for local in locals {
        let action = match deployed(&client, &local.id)? {
            None => Action::Create,
            Some(current) => {
                let comparison = compare(&current, &local.value);
                if comparison.is_unchanged() {
                    Action::Unchanged
                } else {
                    Action::Update(comparison)
                }
            }
        };
        plan.push((local, action));
    }

    // Subscribed before the first write, once for all: no event of a deployment apply starts is
    // missed.
    let writes = plan.iter().any(|(_, a)| !matches!(a, Action::Unchanged));
    let early = if writes && !args.dry_run {
        prepare(&client, &args.wait)
    } else {
        None
    };
    let mut outcomes = Vec::with_capacity(plan.len());
    let mut targets = Vec::new();
    let mut failure = None;
    for (i, (local, action)) in plan.iter().enumerate() {
        let mut outcome = outcome(local, action, args.dry_run);
        if args.diff {
            let shown = diff_text(local, action, ctx.mode == Mode::Human && ctx.style.color);
            if ctx.mode == Mode::Human {
                ctx.out.write_all(shown.as_bytes())?;
            } else if ctx.mode == Mode::Json && !shown.is_empty() {
                outcome.diff = Some(diff_text(local, action, false));
            }
        }
        if args.dry_run || matches!(action, Action::Unchanged) {
            line(ctx, &outcome)?;
            outcomes.push(outcome);
            continue;
        }
        let sent = local
            .body()
            .and_then(|body| write(&client, local, action, body, args.force));
        match sent {
            Ok(deployment) => {
                if deployment.is_none() {
                    eprintln!(
                        "warning: {}: Marathon did not say which deployment it started \
                         (no Marathon-Deployment-Id header)",
                        local.id
                    );
                }
                outcome.deployment_id = deployment.clone();
                line(ctx, &outcome)?;
                targets.push(Target {
                    deployment,
                    pods: vec![(local.id.clone(), goal(action))],
                });
                outcomes.push(outcome);
            }
            Err(e) => {
                outcome.action = "failed";
                outcome.error = Some(printable(&format!("{e:#}")).into_owned());
                outcomes.push(outcome);
                // A pod that needs no write was not left out: it is as it should be.
                let rest: Vec<String> = plan[i + 1..]
                    .iter()
                    .filter(|(_, a)| !matches!(a, Action::Unchanged))
                    .map(|(l, _)| l.id.to_string())
                    .collect();
                failure = Some(e.context(partial(&outcomes, &rest)));
                // A script reading the JSON learns of these too, not only from the error line.
                for (l, a) in &plan[i + 1..] {
                    let mut skipped = self::outcome(l, a, false);
                    if !matches!(a, Action::Unchanged) {
                        skipped.action = "not-attempted";
                    }
                    outcomes.push(skipped);
                }
                break;
            }
        }
    }
    if ctx.mode == Mode::Json {
        crate::render::write_json(
            ctx.out,
            &Report {
                dry_run: args.dry_run,
                pods: &outcomes,
            },
        )?;
    }
    ctx.out.flush()?;
    if let Some(failure) = failure {
        return Err(failure);
    }
    if args.wait.wait && !args.dry_run {
        // A pod unchanged now may still be deploying (a retry after a --wait that timed out):
        // exiting 0 then would call a pod ready that is not, so its deployment is followed too.
        let unchanged: Vec<&PodId> = plan
            .iter()
            .filter(|(_, a)| matches!(a, Action::Unchanged))
            .map(|(l, _)| &l.id)
            .collect();
        if !unchanged.is_empty() {
            for d in client.deployments().context("listing deployments")? {
                let pods: Vec<(PodId, Option<Goal>)> = unchanged
                    .iter()
                    .filter(|id| d.affected_pods.iter().any(|p| PodId::lenient(p) == ***id))
                    .map(|id| ((*id).clone(), None))
                    .collect();
                if !pods.is_empty() {
                    targets.push(Target {
                        deployment: Some(d.id.clone()),
                        pods,
                    });
                }
            }
        }
        let timing = Timing {
            timeout: args.wait.timeout,
            interval: args.wait.interval,
        };
        // The deployments run side by side in Marathon: they are followed together, with one
        // deadline, until every one is done.
        wait_all(ctx, &client, &targets, timing, Instant::now(), early)?;
    }
    Ok(())
}

/// The deployed definition, or `None` when there is no such pod.
pub(super) fn deployed(client: &Client, id: &PodId) -> Result<Option<Value>> {
    match client.pod(id) {
        Ok(pod) => Ok(Some(
            serde_json::to_value(pod).context("encoding the deployed definition")?,
        )),
        Err(e) if e.is_marathons_not_found() => Ok(None),
        // Taken for "no such pod", it would make every pod one to create.
        Err(e) if e.status() == Some(404) => Err(e).with_context(|| {
            format!(
                "reading pod {id}, answered by something that is not Marathon (is the URL \
                 Marathon's? On DC/OS it ends in /service/marathon)"
            )
        }),
        Err(e) => Err(e).with_context(|| format!("reading pod {id}")),
    }
}

impl Local {
    fn body(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(&self.value).context("encoding the pod definition")
    }
}

fn write(
    client: &Client,
    local: &Local,
    action: &Action,
    body: Vec<u8>,
    force: bool,
) -> Result<Option<String>> {
    match action {
        Action::Create => client
            .create_pod(body)
            .with_context(|| format!("creating pod {}", local.id)),
        _ => client
            .update_pod(&local.id, body, force)
            .with_context(|| format!("updating pod {}", local.id)),
    }
}

/// What to wait for: a new or restarted pod runs its current definition, a scaled one has its
/// instances (any version); for a change that restarts nothing, whatever the plan says.
fn goal(action: &Action) -> Option<Goal> {
    match action {
        Action::Create => Some(Goal::Running {
            current_version: true,
        }),
        Action::Update(c) => match c.verdict {
            Verdict::Restart { .. } => Some(Goal::Running {
                current_version: true,
            }),
            Verdict::ScaleOnly { .. } => Some(Goal::Running {
                current_version: false,
            }),
            Verdict::NoRestart { .. } | Verdict::Unchanged => None,
        },
        Action::Unchanged => None,
    }
}

fn outcome(local: &Local, action: &Action, dry_run: bool) -> Outcome {
    let mut o = Outcome {
        id: local.id.to_string(),
        source: printable(&local.source).into_owned(),
        action: "unchanged",
        change: None,
        reason: None,
        from: None,
        to: None,
        deployment_id: None,
        diff: None,
        error: None,
    };
    match action {
        Action::Create => o.action = if dry_run { "create" } else { "created" },
        Action::Unchanged => {}
        Action::Update(c) => {
            o.action = if dry_run { "update" } else { "updated" };
            o.change = Some(c.verdict.kind());
            match &c.verdict {
                Verdict::ScaleOnly { from, to } => {
                    o.from = Some(*from);
                    o.to = Some(*to);
                }
                Verdict::Restart { first_reason } | Verdict::NoRestart { first_reason } => {
                    o.reason = Some(first_reason.clone());
                }
                Verdict::Unchanged => {}
            }
        }
    }
    o
}

/// The pod's line: `/web: created (deployment <id>)`, `/db: updated, scale 2 → 3 (...)`,
/// `/cache: unchanged`; with `--dry-run`, `would be ...` and the reason. `-q` prints only the
/// deployment ids; `--json` prints everything at the end.
fn line(ctx: &mut Ctx, o: &Outcome) -> Result<()> {
    let deployment = o.deployment_id.as_deref().map(printable);
    match ctx.mode {
        Mode::Json => return Ok(()),
        Mode::Quiet => {
            if let Some(d) = deployment {
                writeln!(ctx.out, "{d}")?;
            }
        }
        Mode::Human => {
            let change = match (o.change, o.from, o.to) {
                (Some("scale"), Some(from), Some(to)) => format!(", scale {from} → {to}"),
                (Some("no-restart"), ..) => ", no restart".to_string(),
                (Some(kind), ..) => format!(", {kind}"),
                (None, ..) => String::new(),
            };
            let text = match o.action {
                "create" => "would be created".to_string(),
                "update" => {
                    let reason = o
                        .reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default();
                    format!("would be updated{change}{reason}")
                }
                "unchanged" => "unchanged".to_string(),
                action => {
                    let shown = deployment.map_or_else(
                        || "no deployment id".to_string(),
                        |d| format!("deployment {d}"),
                    );
                    format!("{action}{change} ({shown})")
                }
            };
            writeln!(ctx.out, "{}: {text}", o.id)?;
        }
    }
    // A script reading the lines gets each as soon as it is true, before a long `--wait`.
    ctx.out.flush()?;
    Ok(())
}

fn diff_text(local: &Local, action: &Action, colour: bool) -> String {
    let old = format!("{} (deployed)", local.id);
    match action {
        Action::Create => creation(&local.value).unified_labelled(
            colour,
            &format!("{} (not deployed)", local.id),
            &local.source,
        ),
        Action::Update(c) => c.unified_labelled(colour, &old, &local.source),
        Action::Unchanged => String::new(),
    }
}

/// Says, for the error of a refused write, which pods were applied before it and which were not
/// tried.
fn partial(outcomes: &[Outcome], rest: &[String]) -> String {
    let applied: Vec<String> = outcomes
        .iter()
        .filter(|o| o.action == "created" || o.action == "updated")
        .map(|o| format!("{} ({})", o.id, o.action))
        .collect();
    let mut message = if applied.is_empty() {
        "nothing was applied".to_string()
    } else {
        format!("applied before the failure: {}", applied.join(", "))
    };
    if !rest.is_empty() {
        message.push_str(&format!("; not attempted: {}", rest.join(", ")));
    }
    message
}

/// Reads every definition named by `args`: files (a definition or an array of them), directories
/// (their `*.json` files in name order, hidden ones skipped; with `recursive` their
/// subdirectories too), `-` for stdin, and URLs. With `checks`, each is validated and a problem
/// anywhere stops everything before a request is made; all problems are reported. Two
/// definitions of one pod are refused.
pub(super) fn collect(
    ctx: &Ctx,
    args: &[String],
    recursive: bool,
    checks: Option<&CheckArgs>,
) -> Result<Vec<Local>> {
    if args.iter().filter(|a| a.as_str() == "-").count() > 1 {
        return Err(UsageError::Usage("`-` (stdin) may be given only once".into()).into());
    }
    let mut sources = Vec::new();
    for arg in args {
        let source = Source::from_arg(Some(arg));
        match &source {
            Source::File(path) if path.is_dir() => {
                let before = sources.len();
                walk(path, recursive, &mut sources)?;
                if sources.len() == before {
                    return Err(UsageError::Usage(format!(
                        "{} holds no *.json file{}",
                        printable(&path.display().to_string()),
                        if recursive {
                            ""
                        } else {
                            " (subdirectories need --recursive)"
                        }
                    ))
                    .into());
                }
            }
            _ => sources.push(source),
        }
        if sources.len() > MAX_DEFINITIONS {
            return Err(too_many());
        }
    }
    let mut locals = Vec::new();
    let mut invalid: Vec<Invalid> = Vec::new();
    for source in &sources {
        let (name, bytes) = input::read(ctx, source)?;
        let values = match text::parse_definitions(&name, &bytes) {
            Ok(values) => values,
            Err(e) => {
                invalid.push(e);
                continue;
            }
        };
        let many = values.len() > 1;
        for (i, value) in values.into_iter().enumerate() {
            let name = if many {
                format!("{name}[{i}]")
            } else {
                name.clone()
            };
            match check(&name, value, checks) {
                Ok(local) => locals.push(local),
                Err(e) => invalid.push(e),
            }
            if locals.len() > MAX_DEFINITIONS {
                return Err(too_many());
            }
        }
    }
    if let Some(last) = invalid.pop() {
        // Every problem is shown, one `error:` per definition, before anything is sent.
        for other in invalid {
            eprintln!("error: {other}");
        }
        return Err(last.into());
    }
    let mut seen: BTreeMap<&PodId, &str> = BTreeMap::new();
    for local in &locals {
        if let Some(first) = seen.insert(&local.id, &local.source) {
            return Err(Invalid {
                source: local.source.clone(),
                problems: vec![Problem::new(
                    "/id",
                    format!("pod {} is also defined in {first}", local.id),
                )],
            }
            .into());
        }
    }
    Ok(locals)
}

fn too_many() -> anyhow::Error {
    UsageError::Usage(format!(
        "more than {MAX_DEFINITIONS} pod definitions; apply them in smaller sets"
    ))
    .into()
}

/// One definition's checks (validation when asked, and an id in any case).
fn check(name: &str, value: Value, checks: Option<&CheckArgs>) -> Result<Local, Invalid> {
    if let Some(checks) = checks.filter(|c| !c.no_validate) {
        let (errors, warnings) = input::examine(&value, checks.strict);
        if !errors.is_empty() {
            return Err(Invalid {
                source: name.to_string(),
                problems: errors,
            });
        }
        for w in warnings {
            eprintln!("warning: {}", w.line(name, ""));
        }
    }
    match value.get("id").and_then(Value::as_str) {
        Some(id) if !id.trim_matches('/').is_empty() => Ok(Local {
            source: name.to_string(),
            id: PodId::lenient(id),
            value,
        }),
        _ => Err(Invalid {
            source: name.to_string(),
            problems: vec![Problem::new(
                "/id",
                "is missing; every definition must name its pod",
            )],
        }),
    }
}

/// The `*.json` files under `dir`, sorted by name; subdirectories only when `recursive`
/// (symbolic links to directories are not followed, so a link cannot make a loop).
fn walk(dir: &Path, recursive: bool, out: &mut Vec<Source>) -> Result<()> {
    let shown = || printable(&dir.display().to_string()).into_owned();
    let mut entries: Vec<(PathBuf, bool)> = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading directory {}", shown()))? {
        let entry = entry.with_context(|| format!("reading directory {}", shown()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        entries.push((path, real_dir));
    }
    entries.sort();
    for (path, real_dir) in entries {
        if real_dir {
            if recursive {
                walk(&path, recursive, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "json")
            && (path.is_file() || !path.exists())
        {
            // A broken link is kept, so that reading it fails naming it: skipping it would
            // leave its pod alone without a word.
            out.push(Source::File(path));
        }
        if out.len() > MAX_DEFINITIONS {
            return Err(too_many());
        }
    }
    Ok(())
}
