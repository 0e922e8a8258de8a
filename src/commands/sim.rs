//! `podctl sim`: start the simulator and print its base URL as the first line of stdout.

use anyhow::Result;

use super::Ctx;
use crate::cli::{SimArgs, SimClock};
use crate::sim::{Seed, SimOptions, Simulator};

pub fn run(ctx: &mut Ctx, args: &SimArgs) -> Result<()> {
    let sim = Simulator::bind(SimOptions {
        host: args.host.clone(),
        port: args.port,
        deploy_time: args.deploy_time,
        token: args.require_token.clone(),
        quiet: args.quiet_log,
        fail_images: args.fail_image.clone(),
        manual_clock: args.clock == SimClock::Manual,
        basic: args.require_basic.clone(),
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        faults: args.fault.clone(),
        seed: Seed {
            pods: args.seed_pods,
            instances: args.instances,
            containers: args.containers as usize,
        },
    })?;
    // Scripts read this line to learn the port (`--port 0`): it must go out at once.
    writeln!(ctx.out, "{}", sim.base_url())?;
    ctx.out.flush()?;
    eprintln!(
        "podctl sim: a simulated Marathon is listening on {} (Ctrl-C to stop)",
        sim.base_url()
    );
    sim.run()
}
