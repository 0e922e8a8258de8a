//! `podctl config show|path`: the settings in effect and where they came from.

use anyhow::Result;

use super::Ctx;
use crate::cli::ConfigCommand;
use crate::config;
use crate::render;

pub fn run(ctx: &mut Ctx, cmd: &ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Path => {
            let path = config::config_path(&config::process_env)?;
            writeln!(ctx.out, "{}", path.display())?;
        }
        ConfigCommand::Show => {
            let s = ctx.settings()?;
            let exists = s.config_path.exists();
            render::write_settings(ctx.out, &s, exists, ctx.mode)?;
        }
    }
    Ok(())
}
