//! `podctl sim`: start the simulator and print its base URL as the first line of stdout.

use std::net::ToSocketAddrs;

use anyhow::Result;

use super::Ctx;
use crate::cli::{GlobalArgs, SimArgs, SimClock};
use crate::error::UsageError;
use crate::pod::text::printable;
use crate::sim::{DcosOptions, Seed, SimOptions, Simulator};

pub fn run(ctx: &mut Ctx, args: &SimArgs) -> Result<()> {
    refuse_client_options(ctx.global)?;
    check_host(args)?;
    check_accounts(args)?;
    let mut sim = Simulator::bind(SimOptions {
        host: args.host.clone(),
        port: args.port,
        deploy_time: args.deploy_time,
        token: args.require_token.clone(),
        quiet: args.quiet_log,
        fail_images: args.fail_image.clone(),
        manual_clock: args.clock == SimClock::Manual,
        events: !args.no_events,
        basic: args.require_basic.clone(),
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        faults: args.fault.clone(),
        seed: Seed {
            pods: args.seed_pods,
            instances: args.instances,
            containers: args.containers as usize,
        },
        dcos: args.dcos.then(|| DcosOptions {
            users: args.user.clone(),
            service_accounts: args.service_account.clone(),
            token_ttl: args.token_ttl,
        }),
    })?;
    sim.stop_on_signals()?;
    // Scripts read this line to learn the port (`--port 0`): it must go out at once.
    writeln!(ctx.out, "{}", sim.base_url())?;
    ctx.out.flush()?;
    eprintln!(
        "podctl sim: a simulated Marathon is listening on {} (Ctrl-C to stop)",
        sim.base_url()
    );
    sim.run()
}

/// `--host` must name an address of this machine: one that does not even resolve is a bad
/// argument (exit 2), not a failure to listen. Listening beyond loopback without
/// `--require-token`, `--require-basic` or `--dcos` lets anyone on the network change the
/// simulated cluster, which deserves a warning.
fn check_host(args: &SimArgs) -> Result<()> {
    let addrs: Vec<std::net::SocketAddr> = match (args.host.as_str(), args.port).to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(e) => {
            return Err(UsageError::Usage(format!(
                "--host {}: not an address to listen on ({e})",
                printable(&args.host)
            ))
            .into())
        }
    };
    if addrs.is_empty() {
        return Err(UsageError::Usage(format!(
            "--host {}: names no address to listen on",
            printable(&args.host)
        ))
        .into());
    }
    let open = args.require_token.is_none() && args.require_basic.is_none() && !args.dcos;
    if open && addrs.iter().any(|a| !a.ip().is_loopback()) {
        eprintln!(
            "podctl sim: warning: listening on {} beyond this machine, and the simulator has no \
             authentication: anyone who can reach it can change the simulated cluster \
             (use --require-token or --require-basic)",
            printable(&args.host)
        );
    }
    Ok(())
}

/// `--user ID:PASSWORD` and `--service-account ID=FILE` of the wrong shape, or one id given
/// twice, are bad arguments (exit 2), found before anything is read or bound.
fn check_accounts(args: &SimArgs) -> Result<()> {
    let bad = |message: String| Err(UsageError::Usage(message).into());
    let mut ids = std::collections::HashSet::new();
    for given in &args.user {
        match given.split_once(':') {
            Some((id, _)) if !id.is_empty() => {
                if !ids.insert(id) {
                    return bad(format!(
                        "--user \"{}\" is given more than once",
                        printable(id)
                    ));
                }
            }
            _ => {
                return bad(format!(
                    "--user expects ID:PASSWORD, got \"{}\"",
                    printable(given)
                ))
            }
        }
    }
    for given in &args.service_account {
        match given.split_once('=') {
            Some((id, file)) if !id.is_empty() && !file.is_empty() => {
                if !ids.insert(id) {
                    return bad(format!(
                        "--service-account \"{}\": that account is given more than once",
                        printable(id)
                    ));
                }
            }
            _ => {
                return bad(format!(
                    "--service-account expects ID=PUBLIC_KEY.pem, got \"{}\"",
                    printable(given)
                ))
            }
        }
    }
    Ok(())
}

/// The client options are accepted by clap before any subcommand; the simulator has no use for
/// them, and silently ignoring `--url` or `--token` here would mislead.
fn refuse_client_options(global: &GlobalArgs) -> Result<()> {
    let given = [
        ("--url", global.url.is_some()),
        ("--cluster", global.cluster.is_some()),
        ("--token", global.token.is_some()),
        ("--json", global.json),
        ("--quiet", global.quiet),
        ("--no-color", global.no_color),
        ("--verbose", global.verbose),
        ("--request-timeout", global.request_timeout.is_some()),
        ("--ca-cert", global.ca_cert.is_some()),
        ("--insecure", global.insecure),
    ];
    match given.iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(UsageError::Usage(format!(
            "podctl sim does not take {flag}: it is an option of the client commands \
             (see `podctl sim --help`)"
        ))
        .into()),
        None => Ok(()),
    }
}
