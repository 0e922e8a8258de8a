//! `podctl config show|path`: the settings in effect and where they came from.

use anyhow::Result;
use serde_json::json;

use super::{Ctx, Mode};
use crate::cli::ConfigCommand;
use crate::config::{self, REDACTED};
use crate::render;

pub fn run(ctx: &mut Ctx, cmd: &ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Path => {
            let path = config::config_path(&config::process_env)?;
            writeln!(ctx.out, "{}", path.display())?;
        }
        ConfigCommand::Show => {
            let s = ctx.settings()?;
            let token = s.token.as_ref().map(|_| REDACTED);
            let exists = s.config_path.exists();
            match ctx.mode {
                Mode::Json => render::write_json(
                    ctx.out,
                    &json!({
                        "configPath": s.config_path,
                        "configExists": exists,
                        "cluster": s.cluster,
                        "url": s.url,
                        "urlFrom": s.url_origin.to_string(),
                        "token": token,
                        "tokenFrom": s.token_origin.as_ref().map(ToString::to_string),
                        "basicAuthUser": s.basic.as_ref().map(|b| b.username.clone()),
                        "requestTimeoutSeconds": s.timeout.as_secs_f64(),
                        "maxResponseBytes": s.max_response,
                        "caCert": s.tls.ca_cert,
                        "insecure": s.tls.insecure,
                    }),
                )?,
                _ => {
                    let file_state = if exists { "" } else { " (not created yet)" };
                    writeln!(
                        ctx.out,
                        "config file:  {}{file_state}",
                        s.config_path.display()
                    )?;
                    writeln!(
                        ctx.out,
                        "cluster:      {}",
                        s.cluster.as_deref().unwrap_or("-")
                    )?;
                    writeln!(ctx.out, "url:          {} (from {})", s.url, s.url_origin)?;
                    match (&token, &s.token_origin) {
                        (Some(t), Some(origin)) => {
                            writeln!(ctx.out, "token:        {t} (from {origin})")?
                        }
                        _ => writeln!(ctx.out, "token:        none")?,
                    }
                    if let Some(b) = &s.basic {
                        writeln!(ctx.out, "basic auth:   {} / ********", b.username)?;
                    }
                    writeln!(
                        ctx.out,
                        "timeout:      {} per request",
                        humantime::format_duration(s.timeout)
                    )?;
                    writeln!(
                        ctx.out,
                        "max response: {} (from {})",
                        crate::size::show(s.max_response),
                        s.max_response_origin
                    )?;
                    let tls = match (&s.tls.ca_cert, s.tls.insecure) {
                        (_, true) => "NOT verified (--insecure)".to_string(),
                        (Some(ca), false) => format!("verified, also trusting {}", ca.display()),
                        (None, false) => "verified against the system's CAs".to_string(),
                    };
                    writeln!(ctx.out, "tls:          {tls}")?;
                }
            }
        }
    }
    Ok(())
}
