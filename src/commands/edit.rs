//! `podctl pod edit`: the current definition, normalised, in the user's editor; what comes back
//! is checked like any definition and sent as `pod update` would send it.
//!
//! As `kubectl edit` does, an invalid result is opened again with the problems in a comment
//! block at the top, and an unchanged or emptied file sends nothing. The editor is found and run
//! as git finds and runs it (`$VISUAL`, `$EDITOR`, `vi`; through `sh -c` when the variable holds
//! more than a program name), on a temporary file only the user can read.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use tempfile::TempDir;

use super::input::{self, Loaded};
use super::wait::{follow_with, prepare, Target};
use super::{Ctx, Mode};
use crate::cli::{EditArgs, Source};
use crate::error::{NotFound, WaitError};
use crate::http::is_interrupted;
use crate::pod::diff::compare;
use crate::pod::normalize::canonical;
use crate::pod::text::printable;
use crate::pod::validate::{Invalid, Problem};
use crate::pod::PodId;
use crate::render;

/// After Ctrl-C, how long the editor has to exit by itself (it got the same signal from the
/// terminal) before it is killed, so that podctl never hangs on an editor that ignores it.
const EDITOR_GRACE: Duration = Duration::from_secs(2);

/// How many times an invalid definition is opened again before podctl gives up: an editor
/// (or script) that keeps saving invalid text is not followed forever.
const MAX_ROUNDS: usize = 50;

/// How often the editor is checked on while it runs.
const EDITOR_POLL: Duration = Duration::from_millis(20);

/// The editor when neither `VISUAL` nor `EDITOR` names one, as for git.
const DEFAULT_EDITOR: &str = "vi";

/// Characters that make git run the editor variable through `sh -c` (git's `prepare_shell_cmd`):
/// with any of them it is a shell command (`code --wait`), without, a program name.
const SHELL_SPECIAL: &[char] = &[
    '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*', '?', '[',
    '#', '~', '=', '%',
];

pub fn run(ctx: &mut Ctx, args: &EditArgs) -> Result<()> {
    let id = &args.id;
    let doing = || format!("editing pod {id}");
    let client = ctx.client()?;
    let deployed = client.pod(id).with_context(doing)?;
    let started_from = deployed.version.clone();
    let deployed = serde_json::to_value(&deployed).context("encoding the pod definition")?;
    // A directory of our own (mode 0700): nobody else can put a file or a link where the
    // definition is written and read back, whatever the editor does with the file meanwhile.
    let dir = tempfile::Builder::new()
        .prefix("podctl-edit-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .context("creating a temporary directory for the definition")?;
    let path = dir.path().join(file_name(id));
    let editor = editor_command(|name| std::env::var(name).ok());

    let edited = match edit_until_valid(ctx, args, &deployed, &path, &editor)? {
        Outcome::Valid(edited) => edited,
        Outcome::Emptied => {
            eprintln!("Edit cancelled: the file is empty; nothing sent");
            return Ok(());
        }
        Outcome::GaveUp {
            text,
            invalid,
            rounds,
        } => {
            let kept = keep(dir, &path, &text)?;
            let after = if rounds >= MAX_ROUNDS {
                format!(" after {rounds} attempts")
            } else {
                String::new()
            };
            return Err(anyhow::Error::new(invalid).context(format!(
                "the definition is still invalid{after}; nothing sent (it is kept in {kept})"
            )));
        }
    };
    if compare(&deployed, &edited.value).is_unchanged() {
        eprintln!("Edit cancelled: no changes made; nothing sent");
        return Ok(());
    }

    // The edit may have taken minutes: the pod may be gone, or changed by someone else.
    let now = match client.pod(id) {
        Ok(now) => now,
        Err(e) if e.status() == Some(404) => {
            let kept = keep(dir, &path, &edited.body_text)?;
            return Err(NotFound(format!(
                "pod {id} was removed while it was being edited; nothing sent \
                 (the edited definition is kept in {kept})"
            ))
            .into());
        }
        Err(e) => return Err(e).with_context(doing),
    };
    if now.version != started_from && !args.force {
        let kept = keep(dir, &path, &edited.body_text)?;
        return Err(anyhow!(
            "pod {id} was changed while it was being edited (version {} is now {}); \
             nothing sent: edit it again, or give --force to replace it anyway \
             (the edited definition is kept in {kept})",
            printable(started_from.as_deref().unwrap_or("-")),
            printable(now.version.as_deref().unwrap_or("-")),
        ));
    }
    // What the edit does to the pod as it is now (with --force, maybe no longer as it was).
    let now = serde_json::to_value(&now).context("encoding the pod definition")?;
    let comparison = compare(&now, &edited.value);
    if comparison.is_unchanged() {
        eprintln!("The pod already has the edited definition; nothing sent");
        return Ok(());
    }
    let body = edited.loaded.body()?;
    // Subscribed before the write: no event of the deployment it starts is missed.
    let early = prepare(&client, &args.wait);
    let deployment = match client.update_pod(id, body, args.force) {
        Ok(deployment) => deployment,
        Err(e) => {
            let kept = keep(dir, &path, &edited.body_text)?;
            eprintln!("note: the edited definition is kept in {kept}");
            return Err(e).with_context(doing);
        }
    };
    if ctx.mode == Mode::Human {
        writeln!(ctx.out, "{id}: {}", comparison.verdict.summary())?;
    }
    ctx.report_deployment(id, deployment.as_deref())?;
    let target = Target {
        deployment,
        pods: vec![(id.clone(), None)],
    };
    follow_with(ctx, &client, &args.wait, target, early)
}

/// Writes `text` to the temporary file and keeps it and its directory (they are no longer
/// removed on exit), so that an edit that could not be sent is not lost; returns its path.
fn keep(dir: TempDir, path: &Path, text: &str) -> Result<String> {
    write_private(path, text).context("saving the edited definition")?;
    let kept = dir.keep().join(path.file_name().unwrap_or_default());
    Ok(printable(&kept.display().to_string()).into_owned())
}

/// The temporary file's name: the pod id's segments joined by `.` (`/prod/web`:
/// `prod.web.json`), so that the editor shows which pod it is and highlights JSON.
fn file_name(id: &PodId) -> String {
    format!(
        "{}.json",
        id.as_str().trim_start_matches('/').replace('/', ".")
    )
}

/// How editing ended.
enum Outcome {
    Valid(Edited),
    /// The file was emptied: the edit is cancelled.
    Emptied,
    /// An invalid definition was saved again as it was shown, or [`MAX_ROUNDS`] were not
    /// enough.
    GaveUp {
        text: String,
        invalid: Invalid,
        rounds: usize,
    },
}

/// A definition that came back from the editor and passed the checks.
struct Edited {
    loaded: Loaded,
    value: Value,
    /// The text as saved, without the comment lines.
    body_text: String,
}

/// Opens the editor until the file holds a valid definition, is emptied, or is saved unchanged
/// after problems were shown.
fn edit_until_valid(
    ctx: &Ctx,
    args: &EditArgs,
    deployed: &Value,
    path: &Path,
    editor: &str,
) -> Result<Outcome> {
    let id = &args.id;
    let name = "the edited definition";
    let mut body = render::json_text(&canonical(deployed))?;
    let mut problems: Vec<Problem> = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        write_private(path, &compose(id, &problems, &body))?;
        run_editor(editor, path)?;
        let (_, bytes) = input::read(ctx, &Source::File(path.to_path_buf()))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                // Reopened, not given up: an editor saving in another encoding would otherwise
                // lose the whole edit for one character.
                let invalid = Invalid {
                    source: name.to_string(),
                    problems: vec![Problem::new(
                        "",
                        "the file is not UTF-8 text: the bytes that were not are shown as \
                         \u{fffd}; put back what they were",
                    )],
                };
                let text = strip_comments(&String::from_utf8_lossy(e.as_bytes()));
                if round >= MAX_ROUNDS {
                    return Ok(Outcome::GaveUp {
                        text,
                        invalid,
                        rounds: round,
                    });
                }
                problems = invalid.problems;
                body = text;
                continue;
            }
        };
        let stripped = strip_comments(&text);
        if stripped.trim().is_empty() {
            return Ok(Outcome::Emptied);
        }
        if !problems.is_empty() && stripped.trim() == body.trim() {
            let invalid = Invalid {
                source: name.to_string(),
                problems,
            };
            return Ok(Outcome::GaveUp {
                text: stripped,
                invalid,
                rounds: round,
            });
        }
        match input::check(name, stripped.as_bytes(), Some(id), &args.checks) {
            Ok((loaded, warnings)) => {
                // What the validator says of the deployed definition itself is no news.
                let known = input::examine(&canonical(deployed), args.checks.strict).1;
                for w in warnings.iter().filter(|w| !known.contains(w)) {
                    eprintln!("warning: {}", w.line(name, ""));
                }
                let value = loaded.value.clone();
                return Ok(Outcome::Valid(Edited {
                    loaded,
                    value,
                    body_text: stripped,
                }));
            }
            Err(invalid) if round >= MAX_ROUNDS => {
                return Ok(Outcome::GaveUp {
                    text: stripped,
                    invalid,
                    rounds: round,
                });
            }
            Err(invalid) => {
                problems = invalid.problems;
                body = stripped;
            }
        }
    }
}

/// The editor to run: `$VISUAL`, else `$EDITOR`, else `vi`; a blank variable counts as unset.
fn editor_command(var: impl Fn(&str) -> Option<String>) -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(var)
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_EDITOR.to_string())
}

/// The process for `editor` on `path`: the program itself, or, when the variable is more than a
/// program name, `sh -c '<editor> "$@"'` with the path as its argument, as git runs it, so that
/// `code --wait` and quoted paths work and the file name is never parsed by the shell.
fn editor_process(editor: &str, path: &Path) -> Command {
    if editor.contains(SHELL_SPECIAL) {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("{editor} \"$@\""))
            .arg(editor)
            .arg(path);
        command
    } else {
        let mut command = Command::new(editor);
        command.arg(path);
        command
    }
}

/// Runs the editor and waits for it. Ctrl-C (which the terminal sends the editor too) gives it
/// [`EDITOR_GRACE`] to exit before it is killed; either way nothing is sent.
fn run_editor(editor: &str, path: &Path) -> Result<()> {
    let shown = printable(editor).into_owned();
    let mut child = editor_process(editor, path).spawn().with_context(|| {
        format!("starting the editor `{shown}` (set VISUAL or EDITOR to the one to use)")
    })?;
    let mut interrupted_at: Option<Instant> = None;
    let status: Option<ExitStatus> = loop {
        if let Some(status) = child.try_wait().context("waiting for the editor")? {
            break Some(status);
        }
        if is_interrupted() {
            let since = *interrupted_at.get_or_insert_with(Instant::now);
            if since.elapsed() >= EDITOR_GRACE {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
        std::thread::sleep(EDITOR_POLL);
    };
    if is_interrupted() {
        return Err(WaitError::Interrupted(
            "interrupted while the editor was open; nothing sent".to_string(),
        )
        .into());
    }
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(anyhow!(
            "the editor `{shown}` failed ({}); nothing sent",
            describe(status)
        )),
        None => Err(anyhow!("the editor `{shown}` was stopped; nothing sent")),
    }
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => status.to_string(),
    }
}

/// Writes the file the editor opens, readable and writable by the user alone: created anew
/// with mode 0600 (an editor may have replaced it with a file of another mode).
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).context("replacing the definition to edit");
        }
        _ => {}
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .context("writing the definition to edit")?;
    file.write_all(text.as_bytes())
        .context("writing the definition to edit")
}

/// The text the editor gets: how to edit, the problems of the last attempt (if any), then the
/// definition. Line numbers in the problems are counted in this file, not in the one saved.
fn compose(id: &PodId, problems: &[Problem], body: &str) -> String {
    let mut head = vec![
        format!("# Edit the definition of pod {id} and save it to update the pod."),
        "# Lines starting with '#' are ignored; an empty file cancels the edit.".to_string(),
    ];
    if !problems.is_empty() {
        head.push("#".to_string());
        head.push(
            "# The definition is not valid and was not sent. Fix these problems and save again"
                .to_string(),
        );
        head.push("# (saving it as it is gives up):".to_string());
    }
    let offset = head.len() + problems.len();
    for p in problems {
        let message = shift_line_numbers(&p.message, offset);
        let pointer = p.pointer();
        let line = if pointer.is_empty() {
            message
        } else {
            format!("{pointer}: {message}")
        };
        head.push(format!("#   {}", printable(&line)));
    }
    let mut text = head.join("\n");
    text.push('\n');
    text.push_str(body);
    if !body.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// serde_json's `at line N column M`, for a text parsed without its comment lines, said of the
/// file that puts `offset` lines in front of it.
fn shift_line_numbers(message: &str, offset: usize) -> String {
    const MARK: &str = " line ";
    let Some(at) = message.rfind(MARK) else {
        return message.to_string();
    };
    let start = at + MARK.len();
    let digits: String = message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let rest = &message[start + digits.len()..];
    match digits.parse::<usize>() {
        Ok(n) if rest.starts_with(" column ") => {
            format!("{}{}{rest}", &message[..start], n + offset)
        }
        _ => message.to_string(),
    }
}

/// The text without its comment lines (those whose first non-blank character is `#`; no line of
/// JSON starts so).
fn strip_comments(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_is_visual_then_editor_then_vi() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            editor_command(env(&[("VISUAL", "nvim"), ("EDITOR", "nano")])),
            "nvim"
        );
        assert_eq!(editor_command(env(&[("EDITOR", "nano")])), "nano");
        assert_eq!(
            editor_command(env(&[("VISUAL", " "), ("EDITOR", "code --wait")])),
            "code --wait"
        );
        assert_eq!(editor_command(env(&[])), "vi");
    }

    #[test]
    fn an_editor_with_arguments_runs_through_the_shell_as_in_git() {
        let path = Path::new("/tmp/podctl-edit-x.json");
        let plain = editor_process("nano", path);
        assert_eq!(plain.get_program(), "nano");
        assert_eq!(plain.get_args().collect::<Vec<_>>(), [path.as_os_str()]);
        let shell = editor_process("code --wait", path);
        assert_eq!(shell.get_program(), "sh");
        let args: Vec<_> = shell.get_args().collect();
        assert_eq!(
            args,
            [
                "-c",
                "code --wait \"$@\"",
                "code --wait",
                "/tmp/podctl-edit-x.json"
            ]
        );
    }

    #[test]
    fn the_file_is_named_after_the_pod() {
        let id = PodId::parse("/prod/web").unwrap();
        assert_eq!(file_name(&id), "prod.web.json");
    }

    #[test]
    fn comment_lines_are_dropped_and_json_kept() {
        let text = "# one\n  # two\n{\n  \"id\": \"/web#1\"\n}\n#end";
        assert_eq!(strip_comments(text), "{\n  \"id\": \"/web#1\"\n}\n");
    }

    #[test]
    fn problems_head_the_file_with_line_numbers_of_the_file() {
        let id = PodId::parse("/web").unwrap();
        let problems = vec![
            Problem::new("", "expected `,` or `}` at line 3 column 5"),
            Problem::new("/id", "is \"/x\u{1b}[31m\""),
        ];
        let text = compose(&id, &problems, "{\n  \"id\": \"/web\"\n  \"x\": 1\n}\n");
        let lines: Vec<&str> = text.lines().collect();
        // 2 lines of instructions, 3 about the problems, 2 problems: the body starts at line 8.
        assert_eq!(lines[5], "#   expected `,` or `}` at line 10 column 5");
        assert_eq!(lines[6], "#   /id: is \"/x\\u{1b}[31m\"");
        assert_eq!(lines[9], "  \"x\": 1");
        assert_eq!(
            strip_comments(&text),
            "{\n  \"id\": \"/web\"\n  \"x\": 1\n}\n"
        );
        assert!(!compose(&id, &[], "{}\n").contains("not valid"));
    }

    #[test]
    fn only_serde_positions_are_shifted() {
        assert_eq!(
            shift_line_numbers("EOF while parsing at line 1 column 0", 4),
            "EOF while parsing at line 5 column 0"
        );
        assert_eq!(
            shift_line_numbers("must be a line 3 thing", 4),
            "must be a line 3 thing"
        );
    }
}
