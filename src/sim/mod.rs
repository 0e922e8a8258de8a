//! `podctl sim`: an in-memory Marathon (placeholder until the simulator lands).

use std::time::Duration;

pub struct SimOptions {
    pub host: String,
    pub port: u16,
    pub deploy_time: Duration,
    pub token: Option<String>,
    pub quiet: bool,
}

pub struct Simulator {
    listener: std::net::TcpListener,
}

impl Simulator {
    pub fn bind(opts: SimOptions) -> anyhow::Result<Simulator> {
        let _ = (opts.deploy_time, opts.token, opts.quiet);
        Ok(Simulator {
            listener: std::net::TcpListener::bind((opts.host.as_str(), opts.port))?,
        })
    }
    pub fn base_url(&self) -> String {
        format!(
            "http://{}",
            self.listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default()
        )
    }
    pub fn run(self) -> anyhow::Result<()> {
        Ok(())
    }
}
