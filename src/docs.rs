//! The generated files kept in the repository: shell completion scripts (`completions/`) and man
//! pages (`man/`), rendered from the clap definition in `cli.rs`.
//!
//! A unit test compares them with what the current CLI generates and fails when they are stale;
//! `UPDATE_GENERATED=1 cargo test --lib docs` writes them anew. Only the completion script is
//! needed at run time (`podctl completion SHELL`); the generator, and with it `clap_mangen`,
//! exists for that test alone.

use std::io::Write;
#[cfg(test)]
use std::path::PathBuf;

use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use crate::cli::Shell;

/// The environment variable that switches podctl into completion mode.
pub const COMPLETE_VAR: &str = "COMPLETE";

fn completer(shell: Shell) -> &'static dyn EnvCompleter {
    match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::Powershell => &Powershell,
        Shell::Elvish => &Elvish,
    }
}

/// Writes the completion script for a shell. The script asks `podctl` itself for candidates at
/// each Tab, which is how pod, instance and deployment ids can be completed.
pub fn write_completion(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    completer(shell).write_registration(COMPLETE_VAR, "podctl", "podctl", "podctl", out)
}

#[cfg(test)]
/// The file each shell's script is kept in under `completions/`.
pub fn completion_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "podctl.bash",
        Shell::Zsh => "_podctl",
        Shell::Fish => "podctl.fish",
        Shell::Powershell => "_podctl.ps1",
        Shell::Elvish => "podctl.elv",
    }
}

#[cfg(test)]
/// Every generated file: its path relative to the repository root, and its contents.
pub fn generated_files() -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    for shell in Shell::ALL {
        let mut buf = Vec::new();
        write_completion(shell, &mut buf)?;
        files.push((
            PathBuf::from("completions").join(completion_file(shell)),
            buf,
        ));
    }
    add_man_pages(&crate::cli::command(), &mut files)?;
    Ok(files)
}

#[cfg(test)]
/// `podctl.1`, then one page per subcommand (`podctl-pod-add.1`), skipping hidden ones and help.
fn add_man_pages(cmd: &clap::Command, files: &mut Vec<(PathBuf, Vec<u8>)>) -> std::io::Result<()> {
    let name = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string();
    files.push((
        PathBuf::from("man").join(format!("{name}.1")),
        man_page(cmd)?,
    ));
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        add_man_pages(sub, files)?;
    }
    Ok(())
}

#[cfg(test)]
/// One man page: clap_mangen's sections, with the `help` subcommand left out (it has no page),
/// and the `after_help` text kept as written, in no-fill blocks under their own headings:
/// clap_mangen would refill it, which runs lists and examples together.
fn man_page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let mut page = cmd.clone().after_help(None::<&str>);
    if page.find_subcommand("help").is_some() {
        page = page.mut_subcommand("help", |help| help.hide(true));
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    if let Some(after) = cmd.get_after_help() {
        let sections = after_help_sections(&after.to_string());
        match text.find(".SH VERSION\n") {
            Some(at) => text.insert_str(at, &sections),
            None => text.push_str(&sections),
        }
    }
    Ok(text.into_bytes())
}

#[cfg(test)]
/// The `after_help` text as roff: each paragraph that starts with a heading line (`Examples:`,
/// `Exit codes:`) becomes a section of that name, other paragraphs go under NOTES.
fn after_help_sections(after: &str) -> String {
    let mut out = String::new();
    let mut current = "";
    for paragraph in after.split("\n\n") {
        let (heading, body) = match paragraph.split_once('\n') {
            Some((first, rest)) if first.ends_with(':') && !first.starts_with(' ') => {
                let heading = match first.trim_end_matches(':') {
                    "Exit codes" => "EXIT STATUS".to_string(),
                    "Example" | "Examples" => "EXAMPLES".to_string(),
                    other => other.to_uppercase(),
                };
                (heading, rest)
            }
            _ => ("NOTES".to_string(), paragraph),
        };
        if heading == current {
            out.push_str(".PP\n");
        } else {
            out.push_str(&format!(".SH {heading}\n"));
        }
        out.push_str(".nf\n");
        for line in body.lines() {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with(['.', '\'']) {
                out.push_str("\\&");
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(".fi\n");
        current = match heading.as_str() {
            "NOTES" => "NOTES",
            "EXAMPLES" => "EXAMPLES",
            _ => "",
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Fails when a committed file differs from what the CLI generates, naming the file and the
    /// command that regenerates them all.
    #[test]
    fn generated_files_are_up_to_date() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let update = std::env::var_os("UPDATE_GENERATED").is_some();
        let files = generated_files().unwrap();
        let mut stale = Vec::new();
        for (path, contents) in &files {
            let full = root.join(path);
            if std::fs::read(&full).ok().as_deref() != Some(contents.as_slice()) {
                if update {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, contents).unwrap();
                } else {
                    stale.push(path.display().to_string());
                }
            }
        }
        // Pages of commands that no longer exist are stale too.
        for dir in ["completions", "man"] {
            for entry in std::fs::read_dir(root.join(dir)).into_iter().flatten() {
                let path = entry.unwrap().path();
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                if !files.iter().any(|(p, _)| *p == relative) {
                    if update {
                        std::fs::remove_file(&path).unwrap();
                    } else {
                        stale.push(format!("{} (no longer generated)", relative.display()));
                    }
                }
            }
        }
        assert!(
            stale.is_empty(),
            "generated files are stale: {}\nregenerate them with: UPDATE_GENERATED=1 cargo test --lib docs",
            stale.join(", ")
        );
    }

    #[test]
    fn there_is_a_man_page_per_subcommand() {
        let files = generated_files().unwrap();
        let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        for page in [
            "man/podctl.1",
            "man/podctl-pod-add.1",
            "man/podctl-deployment-watch.1",
            "man/podctl-cluster-use.1",
        ] {
            assert!(
                names.iter().any(|n| n == page),
                "{page} missing from {names:?}"
            );
        }
        let add = &files
            .iter()
            .find(|(p, _)| p.ends_with("podctl-pod-add.1"))
            .unwrap()
            .1;
        let text = String::from_utf8_lossy(add);
        assert!(
            text.contains("podctl pod add"),
            "synopsis names the full command"
        );
        assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    }

    #[test]
    fn man_pages_name_no_help_page_and_keep_the_exit_codes_as_written() {
        let files = generated_files().unwrap();
        for (path, contents) in &files {
            let text = String::from_utf8_lossy(contents);
            assert!(!text.contains("help(1)"), "{}: {text}", path.display());
        }
        let top = &files
            .iter()
            .find(|(p, _)| p.ends_with("podctl.1"))
            .unwrap()
            .1;
        let text = String::from_utf8_lossy(top);
        let section = text
            .split_once(".SH EXIT STATUS\n")
            .unwrap_or_else(|| panic!("no EXIT STATUS section: {text}"))
            .1;
        let block = section
            .strip_prefix(".nf\n")
            .and_then(|b| b.split_once("\n.fi\n"))
            .unwrap_or_else(|| panic!("the exit codes are not one no-fill block: {section}"))
            .0;
        assert!(
            block
                .lines()
                .any(|l| l.starts_with("  7  not authorised") && l.ends_with("PODCTL_TOKEN)")),
            "{block}"
        );
        // As the README says: a login is the other way to be authorised.
        assert!(
            block.contains("log in with `podctl cluster login`"),
            "{block}"
        );
        assert!(
            block.lines().any(|l| l.starts_with("130  interrupted")),
            "{block}"
        );
        let sim = &files
            .iter()
            .find(|(p, _)| p.ends_with("podctl-sim.1"))
            .unwrap()
            .1;
        let text = String::from_utf8_lossy(sim);
        assert!(
            !text.contains("\\-\\-url"),
            "client options in podctl-sim(1): {text}"
        );
        assert!(text.contains(".SH EXAMPLES\n.nf\n"), "{text}");
    }

    /// The README's instructions that are easy to get subtly wrong.
    #[test]
    fn the_readme_installs_locked_and_documents_proxies() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        assert!(readme.contains("cargo install --locked --path ."));
        assert!(!readme.contains("cargo install --path"));
        let config = readme
            .split_once("## Configuration")
            .and_then(|(_, rest)| rest.split_once("\n## "))
            .unwrap()
            .0;
        for word in ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "30 days", "1 MiB"] {
            assert!(
                config.contains(word),
                "Configuration does not mention {word}"
            );
        }
        let quickstart = readme
            .split_once("## Quickstart")
            .and_then(|(_, rest)| rest.split_once("\n## "))
            .unwrap()
            .0;
        assert!(
            quickstart.contains("podctl cluster use local"),
            "how to switch back"
        );
    }

    #[test]
    fn completion_scripts_call_podctl() {
        for shell in Shell::ALL {
            let mut buf = Vec::new();
            write_completion(shell, &mut buf).unwrap();
            let text = String::from_utf8(buf).unwrap();
            assert!(
                text.contains("podctl") && text.contains(COMPLETE_VAR),
                "{shell:?}: {text}"
            );
        }
    }
}
