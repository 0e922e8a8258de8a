//! One file per subcommand: read input, call the client, render, write. This is the only layer
//! that holds stdout and stderr and picks the output mode; `render/` formats each mode, `pod/`
//! judges, and errors go up typed (`crate::error`), for `exit::code_for` to map.

mod add;
mod apply;
mod cluster;
mod config;
mod deployment;
mod diff;
mod edit;
mod events;
mod import;
mod input;
mod kill;
mod list;
mod login;
mod remove;
mod revert;
mod show;
mod sim;
mod update;
mod validate;
mod versions;
mod wait;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::SystemTime;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::{Cli, Command, GlobalArgs, PodCommand};
use crate::config::{self as settings, Flags, Settings};
use crate::marathon::Client;
use crate::pod::text::printable;
use crate::pod::PodId;
use crate::render::Style;

pub use crate::render::Mode;

/// What every command gets: the global flags, the output mode and style, and stdout.
pub struct Ctx<'a> {
    pub global: &'a GlobalArgs,
    pub mode: Mode,
    pub style: Style,
    pub out: &'a mut dyn Write,
}

impl Ctx<'_> {
    /// Resolves flags > env > config file > defaults; warnings about the config go to stderr.
    pub fn settings(&self) -> Result<Settings> {
        self.resolve(true)
    }

    /// [`Ctx::settings`], with the config warnings only when `warn` (a second resolution, as
    /// for a definition fetched from a URL, says nothing new).
    pub fn resolve(&self, warn: bool) -> Result<Settings> {
        let flags = Flags {
            url: self.global.url.clone(),
            cluster: self.global.cluster.clone(),
            token: self.global.token.clone(),
            request_timeout: self.global.request_timeout,
            max_response: self.global.max_response,
            ca_cert: self.global.ca_cert.clone(),
            insecure: self.global.insecure,
        };
        let loaded = settings::load(&flags, &settings::process_env)?;
        if warn {
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
        }
        Ok(loaded.settings)
    }

    pub fn client(&self) -> Result<Client> {
        let settings = self.settings()?;
        warn_if_unverified(&settings.url, settings.tls.insecure);
        Client::new(&settings, self.log()).map_err(|e| ca_file_context(e, &settings))
    }

    /// Where `--verbose` lines go: stderr, escaped (they carry URLs and server text).
    pub fn log(&self) -> Option<crate::http::Log> {
        if self.global.verbose {
            Some(|line| eprintln!("verbose: {}", crate::pod::text::printable(line)))
        } else {
            None
        }
    }

    /// Reports a write that started a deployment, in the form each mode wants. The human form is
    /// the original DC/OS CLI's `Created deployment <id>`, which scripts already parse.
    pub fn report_deployment(&mut self, pod: &PodId, deployment: Option<&str>) -> Result<()> {
        if deployment.is_none() {
            eprintln!(
                "warning: Marathon did not say which deployment it started \
                 (no Marathon-Deployment-Id header)"
            );
        }
        match (self.mode, deployment) {
            (Mode::Json, _) => crate::render::write_json(
                self.out,
                &json!({"podId": pod.as_str(), "deploymentId": deployment}),
            )?,
            (Mode::Quiet, Some(id)) => writeln!(self.out, "{}", printable(id))?,
            (Mode::Human, Some(id)) => writeln!(self.out, "Created deployment {}", printable(id))?,
            (_, None) => {}
        }
        // Scripts reading this line must get it before a `--wait` that may take minutes.
        self.out.flush()?;
        Ok(())
    }
}

/// A CA file that cannot be used, named with the setting that gave it: a relative path in a
/// `dcos.toml` is read from the directory podctl runs in, which the path alone does not say.
fn ca_file_context(error: crate::http::SetupError, settings: &Settings) -> anyhow::Error {
    let origin = match (&error, &settings.ca_cert_origin, &settings.tls.ca_cert) {
        (crate::http::SetupError::CaFile { .. }, Some(origin), Some(path)) => {
            let relative = if path.is_relative() {
                " (a relative path, read from the directory podctl runs in)"
            } else {
                ""
            };
            format!("{origin}{relative}")
        }
        _ => return error.into(),
    };
    anyhow::Error::new(error).context(origin)
}

/// The time ages and "since" columns are measured from: the system clock, or for tests (golden
/// files of tables against `podctl sim --clock manual`) the RFC 3339 time in `PODCTL_TEST_NOW`.
fn now() -> SystemTime {
    std::env::var("PODCTL_TEST_NOW")
        .ok()
        .and_then(|t| crate::pod::time::parse_timestamp(&t))
        .unwrap_or_else(SystemTime::now)
}

/// The table layout `--no-headers` and `--flat` ask for.
fn layout(args: &crate::cli::TableArgs) -> crate::render::Layout {
    crate::render::Layout {
        headers: !args.no_headers,
        flat: args.flat,
    }
}

/// Writes a JSON document as Marathon sent it, with a final newline.
fn write_json_text(ctx: &mut Ctx, json: &[u8]) -> Result<()> {
    ctx.out.write_all(json)?;
    ctx.out.write_all(b"\n")?;
    Ok(())
}

/// Says, every time, that an https URL is used without verifying its certificate.
pub(super) fn warn_if_unverified(url: &str, insecure: bool) {
    if insecure && url.starts_with("https:") {
        eprintln!(
            "warning: TLS certificates are not verified (--insecure): anyone between you and \
             {} can read and change this traffic, tokens included",
            crate::pod::text::printable(url)
        );
    }
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<()> {
    let stdout = io::stdout();
    let terminal = stdout.is_terminal();
    let no_color =
        cli.global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let width = terminal
        .then(|| terminal_size::terminal_size_of(&stdout))
        .flatten()
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        // A terminal that reports no size (some ptys say 0) is not cut at all.
        .filter(|w| *w > 0);
    let style = Style {
        color: terminal && !no_color,
        width,
    };
    let mode = if cli.global.json {
        Mode::Json
    } else if cli.global.quiet {
        Mode::Quiet
    } else {
        Mode::Human
    };
    let mut out = BufWriter::new(stdout.lock());
    let mut ctx = Ctx {
        global: &cli.global,
        mode,
        style,
        out: &mut out,
    };
    let result = match &cli.command {
        Command::Pod(cmd) => match cmd {
            PodCommand::Add(args) => add::run(&mut ctx, args),
            PodCommand::List(args) => list::run(&mut ctx, args),
            PodCommand::Show(args) => show::run(&mut ctx, args),
            PodCommand::Update(args) => update::run(&mut ctx, args),
            PodCommand::Remove(args) => remove::run(&mut ctx, args),
            PodCommand::Kill(args) => kill::run(&mut ctx, args),
            PodCommand::Versions(args) => versions::run(&mut ctx, args),
            PodCommand::Validate(args) => validate::run(&mut ctx, args),
            PodCommand::Apply(args) => apply::run(&mut ctx, args),
            PodCommand::Diff(args) => diff::run(&mut ctx, args),
            PodCommand::Revert(args) => revert::run(&mut ctx, args),
            PodCommand::Edit(args) => edit::run(&mut ctx, args),
        },
        Command::Cluster(cmd) => cluster::run(&mut ctx, cmd),
        Command::Deployment(cmd) => deployment::run(&mut ctx, cmd),
        Command::Config(cmd) => config::run(&mut ctx, cmd),
        Command::Completion(args) => crate::docs::write_completion(args.shell, ctx.out)
            .context("writing the completion script"),
        Command::Sim(args) => sim::run(&mut ctx, args),
        Command::Events(args) => events::run(&mut ctx, args),
    };
    let flushed = out.flush().context("writing to stdout");
    result.and(flushed)
}
