//! Every clap type of podctl, and nothing else.
//!
//! House rules: derive only; the first doc line is the short help; examples go in `after_help`;
//! global flags are `global = true`; value names are UPPERCASE; short flags are explicit.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum, ValueHint};
use clap_complete::engine::ArgValueCompleter;

use crate::complete;
use crate::duration;
use crate::size;

use crate::pod::PodId;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  other failure
  2  usage error
  3  invalid pod definition (local check, or 400/422 from Marathon)
  4  pod, instance or deployment not found
  5  conflict: the pod exists, or a deployment holds it (see --force)
  6  cannot reach Marathon (refused, DNS, timeout, TLS, no leader)
  7  not authorised (401/403): give a token (--token, PODCTL_TOKEN)
     or log in with `podctl cluster login`; or that login was refused
  8  --wait or `deployment watch` timed out (the deployment goes on), or
     Marathon reports the deployment failed (a forced change, rollback or stop)
130  interrupted with Ctrl-C: a request is cancelled (a write may or may not
     have been applied), a wait stops (the deployment goes on)";

/// Deploy, inspect and manage Marathon pods, or simulate a Marathon to try it all.
#[derive(Debug, Parser)]
#[command(name = "podctl", version, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// The client options: how to reach Marathon and how to print. Every command but `sim` and
/// `completion` uses them; `--help` lists them under their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Marathon base URL, e.g. http://127.0.0.1:8080 or https://dcos.example.com/service/marathon
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,

    /// Use this cluster from the config file (or dcos:NAME, one of the DC/OS CLI's) instead of the current one
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCompleter::new(complete::cluster_names))]
    pub cluster: Option<String>,

    /// Token sent as `Authorization: token=TOKEN` (DC/OS ACS token)
    #[arg(long, global = true, value_name = "TOKEN", value_parser = parse_token)]
    pub token: Option<String>,

    /// Print the API's JSON instead of tables and messages
    #[arg(long, global = true, conflicts_with = "quiet")]
    pub json: bool,

    /// Print only ids (pod ids, deployment ids, instance ids)
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    /// Never use colour (also: the NO_COLOR environment variable)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Log each request to stderr: method, URL, status, time (credentials never shown)
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,

    /// Give up on one HTTP request after this long, e.g. 30s (default 60s)
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::parse_positive)]
    pub request_timeout: Option<Duration>,

    /// Refuse a response larger than this, e.g. 1GiB (default 256MiB)
    #[arg(long, global = true, value_name = "SIZE", value_parser = size::parse_response_limit)]
    pub max_response: Option<u64>,

    /// Trust the CA certificates in this PEM file (for a cluster with its own CA)
    #[arg(long, global = true, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca_cert: Option<PathBuf>,

    /// Do not verify TLS certificates (insecure; prefer --ca-cert)
    #[arg(long, global = true)]
    pub insecure: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy and manage pods
    #[command(
        subcommand,
        after_help = "\
Examples:
  podctl pod add examples/web.json --wait
  podctl pod list
  podctl pod show /web
  podctl pod validate pods/*.json"
    )]
    Pod(PodCommand),
    /// Manage the named Marathon clusters in the config file
    #[command(
        subcommand,
        after_help = "\
Examples:
  podctl cluster add prod --url https://dcos.example.com/service/marathon --token \"$DCOS_ACS_TOKEN\"
  podctl cluster list
  podctl cluster use prod
  podctl cluster import                # the DC/OS CLI's clusters (~/.dcos)
  podctl cluster login prod --username ci-deployer --private-key ci-deployer.pem"
    )]
    Cluster(ClusterCommand),
    /// List, follow, roll back and stop deployments
    #[command(
        subcommand,
        after_help = "\
Examples:
  podctl deployment list
  podctl deployment watch \"$(podctl deployment list -q | head -n 1)\"
  podctl deployment rollback 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43 --wait"
    )]
    Deployment(DeploymentCommand),
    /// Show the effective configuration
    #[command(
        subcommand,
        after_help = "\
Examples:
  podctl config show
  podctl --cluster prod config show --json"
    )]
    Config(ConfigCommand),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = COMPLETION_HELP)]
    Completion(CompletionArgs),
    /// Run an in-memory Marathon simulator for trying podctl without a cluster
    #[command(after_help = SIM_HELP)]
    Sim(SimArgs),
    /// Follow Marathon's event stream (`/v2/events`) until Ctrl-C
    #[command(after_help = EVENTS_HELP)]
    Events(EventsArgs),
}

const EVENTS_HELP: &str = "\
One line per event: time, type, and the pod, deployment, instance and state it carries;
with --json, each event's JSON on one line (for jq). A dropped connection is reopened with
back-off, and podctl says so: events in the gap are lost.

Examples:
  podctl events
  podctl events --pod /web --type deployment_success --type deployment_failed
  podctl events --json | jq -r 'select(.eventType == \"instance_changed_event\") | .condition'";

/// What `podctl events` follows.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only events of this type, e.g. deployment_success (repeatable; Marathon filters)
    #[arg(long = "type", value_name = "TYPE", value_parser = IdParser(parse_event_type))]
    pub types: Vec<String>,
    /// Only events about this pod (repeatable)
    #[arg(long = "pod", value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub pods: Vec<PodId>,
}

/// An event type as Marathon names them: lower case letters, digits and `_`.
fn parse_event_type(s: &str) -> Result<String, String> {
    if !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(s.to_string())
    } else {
        Err("an event type is lower case letters, digits and `_`, e.g. deployment_success".into())
    }
}

const COMPLETION_HELP: &str = "\
The script asks podctl for candidates at each Tab, so pod, instance and deployment ids of the
configured cluster complete too (each lookup gives up after 1 s, silently).

Install:
  bash        echo 'source <(podctl completion bash)' >> ~/.bashrc
  zsh         echo 'source <(podctl completion zsh)' >> ~/.zshrc
  fish        podctl completion fish > ~/.config/fish/completions/podctl.fish
  powershell  podctl completion powershell | Out-String | Invoke-Expression   # add to $PROFILE
  elvish      echo 'eval (podctl completion elvish | slurp)' >> ~/.config/elvish/rc.elv

Examples:
  podctl completion bash > /etc/bash_completion.d/podctl
  source <(podctl completion zsh)";

const SIM_HELP: &str = "\
Fault kinds (--fault 'METHOD PATH=KIND[xN]'; PATH is exact, without the query; `*` matches any
method or path; xN breaks only the first N matching requests):
  500html, 502, 503, 504   that status with an HTML page (Jetty's, or a proxy's)
  truncated                200 application/json with the real body cut in half
  nonjson                  200 text/html `<html>hello</html>`
  wrongtype                the real answer labelled text/plain
  reset                    the connection closes without a byte of answer
  slow=DURATION            the real answer after DURATION (e.g. slow=5s)
  redirect=URL             307 to URL
  huge=SIZE                200 with a JSON array of SIZE bytes (e.g. huge=100MB), streamed

Examples:
  podctl sim                       # listen on http://127.0.0.1:8080
  podctl sim --port 0 &            # any free port; the first line printed is the URL
  podctl sim --deploy-time 500ms   # faster deployments
  podctl sim --tls-cert cert.pem --tls-key key.pem       # https://127.0.0.1:8080
  podctl sim --require-basic admin:secret                # like Marathon's --http_credentials
  podctl sim --fault 'GET /v2/pods/::status=503x2'       # two 503s, then real answers
  podctl sim --fault 'POST /v2/pods=reset' --fault '* *=slow=2s'
  podctl sim --seed-pods 10000 --instances 3 --containers 3   # a big, stable cluster
  podctl sim --clock manual --port 0    # for tests: POST /_sim/clock/advance?by=2s moves time
  podctl sim --dcos --user admin:s3cret --service-account ci=ci-public.pem --token-ttl 8h
  curl -N -H 'Accept: text/event-stream' http://127.0.0.1:8080/v2/events   # Marathon's events

With --dcos, log in with POST /acs/api/v1/auth/login and {\"uid\": ID, \"password\": P} or, for a
service account, {\"uid\": ID, \"token\": JWT} (RS256, signed with its private key, claims uid and
exp); send the token it answers as `Authorization: token=TOKEN`. --require-token then adds one
fixed token that never expires. /_sim/ needs no token.";

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to print the script for
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: Shell,
}

/// Shells podctl completes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl Shell {
    pub const ALL: [Shell; 5] = [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Powershell,
        Shell::Elvish,
    ];
}

#[derive(Debug, Subcommand)]
pub enum PodCommand {
    /// Create a pod from a definition file, `-` or an http(s) URL (stdin when omitted)
    #[command(after_help = "\
Examples:
  podctl pod add examples/web.json
  cat web.json | podctl pod add -
  podctl pod add https://example.com/pods/web.json
  podctl pod add web.json --wait --timeout 5m     # until every instance is ready

Prints `Created deployment <id>`; with -q only the deployment id.")]
    Add(AddArgs),

    /// List pods with their instances and containers
    #[command(after_help = "\
Examples:
  podctl pod list
  podctl pod list -q              # pod ids only
  podctl pod list --json          # array of PodStatus
  podctl pod list --flat --no-headers | awk '$3 ~ /failed/ {print $1, $2}'")]
    List(ListArgs),

    /// Show a pod's status: summary and one row per container of each instance
    #[command(after_help = "\
Examples:
  podctl pod show /prod/web
  podctl pod show prod/web --json # the PodStatus
  podctl pod show /web --flat --no-headers | awk '{print $2, $5, $6}'")]
    Show(PodShowArgs),

    /// Replace a pod's definition (stdin when no file is given)
    #[command(after_help = "\
Examples:
  podctl pod update /web examples/web-v2.json
  podctl pod update /web examples/web-v2.json --force   # cancel a running deployment
  jq '.scaling.instances = 3' web.json | podctl pod update /web")]
    Update(UpdateArgs),

    /// Remove a pod and all its instances
    #[command(after_help = "\
Examples:
  podctl pod remove /web
  podctl pod remove /web --force  # even while a deployment holds it")]
    Remove(RemoveArgs),

    /// Kill pod instances; Marathon replaces them
    #[command(after_help = "\
Examples:
  podctl pod kill /web web.instance-6f0b31c2-1f3e-4c9a-9a4e-0f6a6d1b2c3d
  podctl pod kill /web $(podctl pod show /web --json | jq -r '.instances[].id') --wipe")]
    Kill(KillArgs),

    /// Check definitions offline with Marathon's rules (no cluster needed)
    #[command(after_help = "\
Prints `FILE: valid`, or one line per problem: `FILE: JSON-POINTER: MESSAGE`. Errors are what
Marathon refuses; warnings are what it accepts but that will not work or is probably a mistake
(unknown fields, ignored values), and --strict makes them errors. Warnings starting `depends on
the cluster:` name what only the server can check (features, roles, Mesos version); they stay
warnings under --strict.
Exit status: 0 when every file is valid, 3 when any is invalid, 1 when a file cannot be read.

Examples:
  podctl pod validate examples/web.json
  podctl pod validate pods/*.json --strict      # a CI gate
  podctl pod validate pods/*.json --json | jq '.[] | select(.valid | not)'")]
    Validate(ValidateArgs),

    /// List the versions of a pod's definition that Marathon keeps, or show one
    #[command(after_help = "\
The current version is marked with `*`. Versions can be written in any form Marathon accepts
(`2026-01-01T00:00:00.000Z`, `2026-01-01T00:00Z`); they are compared as instants.

Examples:
  podctl pod versions /web
  podctl pod versions /web --json
  podctl pod versions /web --show 2026-01-01T00:00:00.000Z")]
    Versions(VersionsArgs),

    /// Create or update pods from definition files and directories, leaving unchanged ones alone
    #[command(after_help = "\
Each FILE is a definition, or an array of them; each DIR is read for *.json files in name order
(hidden ones skipped; --recursive: subdirectories too); `-` reads stdin. Every definition is
checked before anything is sent. A pod that does not exist is created; one whose definition
differs from Marathon's (after Marathon's defaults are filled in) is updated; the rest get no
request at all. One line per pod:
  /web: created (deployment <id>)
  /api: updated, restart (deployment <id>)
  /db: updated, scale 2 → 3 (deployment <id>)
  /jobs: updated, no restart (deployment <id>)
  /cache: unchanged
When a write is refused, the pods before it stay applied, the rest are not tried, and the exit
code is the refusal's.

Examples:
  podctl pod apply deploy/ --wait --timeout 10m   # a CI deploy step
  podctl pod apply deploy/ --dry-run --diff       # what would change, sending nothing
  podctl pod apply web.json api.json --json")]
    Apply(ApplyArgs),

    /// Show how local definitions differ from the deployed ones (exit 0 same, 1 different)
    #[command(after_help = "\
`pod diff ID [FILE|-]` compares pod ID with a definition (stdin when omitted); `pod diff
FILE|DIR...` compares each definition with the pod of its id. An argument naming an existing file
or directory is a definition, otherwise a pod id. Both sides are normalised first (Marathon's
defaults, absolute ids, numbers), printed as JSON with sorted keys, and diffed; each pod ends
with a verdict: `/web: no change`, `/web: scale only: no restart (2 → 3 instances)`,
`/web: restart: containers[0].image.id changed`, `/web: new pod: would be created`.
Exit status: 0 when nothing differs, 1 when something does, 2 or more on errors (a failure that
is 1 elsewhere is 2 here, as for diff(1)).

Examples:
  podctl pod diff /web web.json
  podctl pod diff deploy/ -q || echo 'something to deploy'")]
    Diff(DiffArgs),

    /// Put back an earlier definition of a pod (by default the one before the current)
    #[command(after_help = "\
Prints what the change does (`restart: ...`, `scale only: ...`) and `Created deployment <id>`;
with -q only the deployment id. Nothing is sent when the version equals the current definition.

Examples:
  podctl pod revert /web
  podctl pod revert /web --to 2026-01-01T00:00:00.000Z --wait
  podctl pod versions /web        # the versions to choose from")]
    Revert(RevertArgs),

    /// Edit a pod's definition in $VISUAL or $EDITOR (else vi) and update the pod
    #[command(after_help = "\
The current definition, normalised, is opened in a private temporary file. Lines starting with
`#` are ignored. An invalid definition is opened again with the problems at the top; saving it
unchanged gives up. An unchanged or emptied file sends nothing, and so does a pod changed by
someone else meanwhile (unless --force). The editor variable is run like git runs it, so
`EDITOR=\"code --wait\"` works.

Examples:
  podctl pod edit /web
  EDITOR=nano podctl pod edit /web --wait
  podctl pod edit /web --force    # cancel a running deployment")]
    Edit(EditArgs),
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Definition files, directories of *.json files, or `-` for stdin
    #[arg(value_name = "FILE|DIR", required = true, value_hint = ValueHint::AnyPath)]
    pub files: Vec<String>,
    /// Read directories' subdirectories too
    #[arg(short = 'r', long)]
    pub recursive: bool,
    #[command(flatten)]
    pub checks: CheckArgs,
    /// Cancel a deployment that holds a pod being updated and deploy anyway
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Send nothing: say what would be created and updated
    #[arg(long)]
    pub dry_run: bool,
    /// Show each changed pod's diff (deployed against local) before its line
    #[arg(long)]
    pub diff: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A pod id and then a definition (`-` or none: stdin), or definition files and directories
    #[arg(value_name = "ID|FILE", required = true, add = ArgValueCompleter::new(complete::pod_ids_and_paths))]
    pub args: Vec<String>,
    /// Read directories' subdirectories too
    #[arg(short = 'r', long)]
    pub recursive: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Pod definition: a file, `-` for stdin, or an http(s) URL
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: Option<String>,
    #[command(flatten)]
    pub checks: CheckArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// The local checks made before a definition is sent.
#[derive(Debug, Args, Clone, Default)]
pub struct CheckArgs {
    /// Send the definition without checking it locally (for a newer Marathon that accepts more)
    #[arg(long)]
    pub no_validate: bool,
    /// Treat warnings (unknown fields, values Marathon ignores) as errors
    #[arg(long, conflicts_with = "no_validate")]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Definition files to check; `-` reads stdin
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<String>,
    /// Treat warnings (unknown fields, values Marathon ignores) as errors
    #[arg(long)]
    pub strict: bool,
}

/// Following the deployment a command started.
#[derive(Debug, Args, Clone)]
pub struct WaitArgs {
    /// Wait until the deployment has finished and the pod is ready (or gone)
    #[arg(short = 'w', long)]
    pub wait: bool,
    /// Give up waiting after this long, e.g. 90s or 5m (exit 8)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = duration::parse_positive, requires = "wait")]
    pub timeout: Duration,
    /// How often to poll Marathon while waiting, when its event stream is unavailable
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = duration::parse_interval, requires = "wait")]
    pub interval: Duration,
}

/// Timing of `deployment watch`.
#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    /// Give up after this long, e.g. 90s or 5m (exit 8)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = duration::parse_positive)]
    pub timeout: Duration,
    /// How often to poll Marathon, when its event stream is unavailable
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = duration::parse_interval)]
    pub interval: Duration,
}

/// How `pod list` and `pod show` lay their tables out.
#[derive(Debug, Args, Clone, Copy)]
pub struct TableArgs {
    /// Leave out the header row
    #[arg(long)]
    pub no_headers: bool,
    /// One row per container with the pod id (and instance) repeated and no blank or
    /// space-separated fields, for awk and cut
    #[arg(long)]
    pub flat: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub table: TableArgs,
}

#[derive(Debug, Args)]
pub struct PodShowArgs {
    /// Pod id, e.g. /prod/web (the leading slash is optional)
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    #[command(flatten)]
    pub table: TableArgs,
}

#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// Pod id, e.g. /prod/web (the leading slash is optional)
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    /// Print the definition stored as this version instead of the list
    #[arg(long, value_name = "VERSION", value_parser = IdParser(parse_version), add = ArgValueCompleter::new(complete::pod_versions))]
    pub show: Option<String>,
}

#[derive(Debug, Args)]
pub struct RevertArgs {
    /// Pod id, e.g. /prod/web
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    /// The version to put back, as listed by `podctl pod versions` (default: the one before
    /// the current)
    #[arg(long, value_name = "VERSION", value_parser = IdParser(parse_version), add = ArgValueCompleter::new(complete::pod_versions))]
    pub to: Option<String>,
    /// Cancel a deployment that holds the pod and deploy anyway
    #[arg(short = 'f', long)]
    pub force: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Pod id, e.g. /prod/web
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    #[command(flatten)]
    pub checks: CheckArgs,
    /// Cancel a deployment that holds the pod and deploy anyway, even over a definition changed
    /// by someone else while the editor was open
    #[arg(short = 'f', long)]
    pub force: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Pod id, e.g. /prod/web
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    /// New definition: a file, `-` for stdin, or an http(s) URL (stdin when omitted)
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: Option<String>,
    #[command(flatten)]
    pub checks: CheckArgs,
    /// Cancel a deployment that holds the pod and deploy anyway
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Show the diff of the deployed definition against the new one before sending it
    #[arg(long)]
    pub diff: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Pod id, e.g. /prod/web
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    /// Cancel a deployment that holds the pod and remove anyway
    #[arg(short = 'f', long)]
    pub force: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct KillArgs {
    /// Pod id, e.g. /prod/web
    #[arg(value_name = "ID", value_parser = IdParser(parse_pod_id), add = ArgValueCompleter::new(complete::pod_ids))]
    pub id: PodId,
    /// Instance ids, as shown by `podctl pod show`
    #[arg(value_name = "INSTANCE", required = true, add = ArgValueCompleter::new(complete::instance_ids))]
    pub instances: Vec<String>,
    /// Expunge the instances and their reservations; replacements get new ids
    #[arg(long)]
    pub wipe: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// List running deployments: affected pods, current actions, step, age
    #[command(after_help = "\
Examples:
  podctl deployment list
  podctl deployment list -q       # deployment ids only
  podctl deployment list --json")]
    List,
    /// Follow a deployment until it finishes and its pods are ready (or gone)
    #[command(after_help = "\
Examples:
  podctl deployment watch 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43
  podctl deployment watch \"$(podctl pod update /web web.json -q)\" --timeout 5m")]
    Watch(DeploymentWatchArgs),
    /// Cancel a deployment and revert its changes (starts a rollback deployment)
    #[command(after_help = "\
Examples:
  podctl deployment rollback 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43
  podctl deployment rollback 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43 --wait")]
    Rollback(DeploymentRollbackArgs),
    /// Stop a deployment where it is, without rolling back
    #[command(after_help = "\
Example:
  podctl deployment stop 5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43

Instances of the old and new definition may be left running side by side.")]
    Stop(DeploymentIdArgs),
}

#[derive(Debug, Args)]
pub struct DeploymentIdArgs {
    /// Deployment id, as printed by `pod add|update|remove` or `deployment list`
    #[arg(value_name = "DEPLOYMENT", value_parser = IdParser(parse_deployment_id), add = ArgValueCompleter::new(complete::deployment_ids))]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct DeploymentWatchArgs {
    /// Deployment id, as printed by `pod add|update|remove` or `deployment list`
    #[arg(value_name = "DEPLOYMENT", value_parser = IdParser(parse_deployment_id), add = ArgValueCompleter::new(complete::deployment_ids))]
    pub id: String,
    #[command(flatten)]
    pub watch: WatchArgs,
}

#[derive(Debug, Args)]
pub struct DeploymentRollbackArgs {
    /// Deployment id, as printed by `pod add|update|remove` or `deployment list`
    #[arg(value_name = "DEPLOYMENT", value_parser = IdParser(parse_deployment_id), add = ArgValueCompleter::new(complete::deployment_ids))]
    pub id: String,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Add (or replace) a named cluster (needs --url; --token optional); the first becomes current
    #[command(after_help = "\
The cluster's settings are given with the global options: --url (required; `user:pass@` in it
is stored as HTTP basic auth), --token, --request-timeout, --ca-cert and --insecure.

Examples:
  podctl cluster add local --url http://127.0.0.1:8080
  podctl cluster add prod --url https://dcos.example.com/service/marathon --token \"$DCOS_ACS_TOKEN\"")]
    Add(ClusterAddArgs),
    /// List clusters; the current one is marked with `*`
    #[command(after_help = "Example:\n  podctl cluster list")]
    List,
    /// Make a cluster the current one
    #[command(after_help = "Example:\n  podctl cluster use prod")]
    Use(ClusterNameArgs),
    /// Remove a cluster from the config file
    #[command(after_help = "Example:\n  podctl cluster remove old-staging")]
    Remove(ClusterNameArgs),
    /// Copy the DC/OS CLI's clusters ($DCOS_DIR, default ~/.dcos) into podctl's config
    #[command(after_help = "\
Each cluster is named after its `cluster.name` and keeps its Marathon URL, token, TLS setting
and timeout. Nothing under $DCOS_DIR is changed. Without `import`, podctl already uses the DC/OS
CLI's attached cluster when no podctl cluster is configured, or one named with
`--cluster dcos:NAME`.

Examples:
  podctl cluster import
  podctl cluster import prod --use")]
    Import(ClusterImportArgs),
    /// Log in to a DC/OS cluster and store its token (renewed by podctl with --private-key)
    #[command(after_help = "\
POSTs to <dcos_url>/acs/api/v1/auth/login, where <dcos_url> is the cluster's URL without
/service/marathon. A login that works at a URL with no path (the DC/OS root, such as
https://dcos.example.com) stores <url>/service/marathon as the cluster's Marathon URL, since
DC/OS serves Marathon there. With --private-key (a service account), the key's path is kept
and podctl logs in again by itself when the token is about to expire or is refused; the key is
never copied. A password is not kept unless --remember is given (see the README's Security
section). A password is never an argument: give a file or the name of a variable holding it.

Examples:
  podctl cluster login prod --username ci-deployer --private-key ~/keys/ci-deployer.pem
  podctl cluster login ci --url https://dcos.example.com/service/marathon \\
    --username ci-deployer --private-key ci.pem
  podctl cluster login prod --username alice --password-env DCOS_PASSWORD
  podctl cluster login lab --url https://dcos.example.com --username alice \\
    --password-file ~/.dcos-password")]
    Login(ClusterLoginArgs),
}

#[derive(Debug, Args)]
pub struct ClusterImportArgs {
    /// DC/OS CLI clusters to import, by `cluster.name` or id (default: all)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Make the imported cluster current (with several, the DC/OS CLI's attached one)
    #[arg(long = "use")]
    pub make_current: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("secret").required(true).multiple(false))]
pub struct ClusterLoginArgs {
    /// Cluster to log in to (default: the cluster in use); with --url, added or updated
    #[arg(value_name = "NAME", add = ArgValueCompleter::new(complete::cluster_names))]
    pub name: Option<String>,
    /// The user or service account id
    #[arg(long, value_name = "ID")]
    pub username: String,
    /// A file whose first line is the password
    #[arg(long, value_name = "FILE", group = "secret", value_hint = ValueHint::FilePath)]
    pub password_file: Option<PathBuf>,
    /// The name of an environment variable that holds the password
    #[arg(long, value_name = "VAR", group = "secret")]
    pub password_env: Option<String>,
    /// The service account's private key (PEM RSA); its path is kept to renew the token
    #[arg(long, value_name = "FILE", group = "secret", value_hint = ValueHint::FilePath)]
    pub private_key: Option<PathBuf>,
    /// Keep the password in the config file so that podctl can renew the token
    #[arg(long, conflicts_with = "private_key")]
    pub remember: bool,
}

#[derive(Debug, Args)]
pub struct ClusterAddArgs {
    /// Name to refer to the cluster by
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Make it the current cluster
    #[arg(long = "use")]
    pub make_current: bool,
}

#[derive(Debug, Args)]
pub struct ClusterNameArgs {
    /// Cluster name, as in `podctl cluster list`
    #[arg(value_name = "NAME", add = ArgValueCompleter::new(complete::cluster_names))]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings in effect and where each came from (never any of the token)
    #[command(after_help = "Example:\n  PODCTL_URL=http://127.0.0.1:9090 podctl config show")]
    Show,
    /// Print the path of the config file
    #[command(after_help = "Example:\n  $EDITOR \"$(podctl config path)\"")]
    Path,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// How long each deployment takes, e.g. 500ms or 3s; 0 makes them instant
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = duration::parse)]
    pub deploy_time: Duration,
    /// Require `Authorization: token=TOKEN` on every request, like DC/OS
    #[arg(long = "require-token", value_name = "TOKEN")]
    pub require_token: Option<String>,
    /// Do not log requests to stderr
    #[arg(long = "quiet-log")]
    pub quiet_log: bool,
    /// Containers whose image id matches this glob (e.g. 'crash*') keep failing; repeatable
    #[arg(long = "fail-image", value_name = "PATTERN")]
    pub fail_image: Vec<String>,
    /// Require HTTP basic auth with these credentials on every request but /ping (401 otherwise)
    #[arg(
        long = "require-basic",
        value_name = "USER:PASS",
        conflicts_with = "require_token"
    )]
    pub require_basic: Option<String>,
    /// Serve HTTPS with this PEM certificate (chain); needs --tls-key
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key", value_hint = ValueHint::FilePath)]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert", value_hint = ValueHint::FilePath)]
    pub tls_key: Option<PathBuf>,
    /// Break matching requests, e.g. 'GET /v2/pods=503x2' (kinds below); repeatable
    #[arg(long = "fault", value_name = "SPEC", value_parser = crate::sim::check_fault)]
    pub fault: Vec<String>,
    /// Preload this many STABLE pods (/seed/group-GGG/pod-NNNN) for scale tests
    #[arg(long = "seed-pods", value_name = "N", default_value_t = 0)]
    pub seed_pods: usize,
    /// Instances of each seeded pod
    #[arg(long, value_name = "I", default_value_t = 3, requires = "seed_pods")]
    pub instances: u32,
    /// Containers of each seeded pod
    #[arg(
        long,
        value_name = "C",
        default_value_t = 3,
        requires = "seed_pods",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub containers: u32,
    /// For tests: `manual` starts time at 2026-01-01T00:00:00Z, moves it only on
    /// `POST /_sim/clock/advance?by=DURATION` and makes ids sequential
    #[arg(long, value_name = "CLOCK", value_enum, default_value_t = SimClock::System)]
    pub clock: SimClock,
    /// Behave like DC/OS: Marathon also under /service/marathon/, login at
    /// /acs/api/v1/auth/login, and a valid token required on every request
    #[arg(long, conflicts_with = "require_basic")]
    pub dcos: bool,
    /// With --dcos: a user who may log in with this password; repeatable
    #[arg(long = "user", value_name = "ID:PASSWORD", requires = "dcos")]
    pub user: Vec<String>,
    /// With --dcos: a service account that logs in with a token signed by the private key of
    /// this PEM RSA public key; repeatable
    #[arg(
        long = "service-account",
        value_name = "ID=PUBLIC_KEY",
        requires = "dcos",
        value_hint = ValueHint::FilePath
    )]
    pub service_account: Vec<String>,
    /// With --dcos: how long an issued token lasts, e.g. 2s or 8h (on the simulator's clock)
    #[arg(
        long = "token-ttl",
        value_name = "DURATION",
        default_value = "5days",
        value_parser = duration::parse_positive,
        requires = "dcos"
    )]
    pub token_ttl: Duration,
    /// Serve no event stream: GET /v2/events answers 404, as through a proxy that does not route
    /// it (Marathon 1.10 itself cannot turn its stream off)
    #[arg(long)]
    pub no_events: bool,
}

/// Where `podctl sim` takes the time from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimClock {
    /// The system clock
    System,
    /// Stands still until advanced over HTTP (for tests)
    Manual,
}

/// Subcommands the client options do not apply to: their `--help` and man page leave them out.
pub const WITHOUT_CLIENT_OPTIONS: [&str; 2] = ["sim", "completion"];

/// The clap command as podctl parses it: [`Cli`], built, with the global client options hidden
/// where they do not apply (see [`WITHOUT_CLIENT_OPTIONS`]).
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // Global options are copied into the subcommands when the command is built.
    cmd.build();
    for name in WITHOUT_CLIENT_OPTIONS {
        cmd = cmd.mut_subcommand(name, |sub| {
            sub.mut_args(|arg| {
                let global = arg.is_global_set();
                arg.hide(global)
            })
        });
    }
    cmd
}

/// Parses the process's arguments with [`command`]; exits with clap's message on a usage error.
pub fn parse() -> Cli {
    let mut cmd = command();
    let matches = cmd.clone().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

/// Parses a `--token` value: an empty one (`--token "$UNSET"`) is a mistake, not "no token".
pub fn parse_token(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err(
            "the token is empty (is the variable you meant to pass unset?); \
                    leave out --token to send none"
                .to_string(),
        );
    }
    Ok(s.to_string())
}

/// Parses a pod id argument; Marathon's naming rules apply, so a bad id never reaches the server.
pub fn parse_pod_id(s: &str) -> Result<PodId, String> {
    PodId::parse_arg(s).map_err(|e| e.to_string())
}

/// Parses a version argument: a timestamp as Marathon writes them (compared as an instant).
pub fn parse_version(s: &str) -> Result<String, String> {
    match crate::pod::time::parse_timestamp(s) {
        Some(_) => Ok(s.to_string()),
        None => Err(
            "not a version: expected a timestamp such as 2026-01-01T00:00:00.000Z \
             (see `podctl pod versions ID`)"
                .to_string(),
        ),
    }
}

/// Parses a deployment id argument: nothing that would change the request's path.
pub fn parse_deployment_id(s: &str) -> Result<String, String> {
    crate::pod::deployment::check_deployment_id(s).map(str::to_string)
}

/// A value parser for ids, like a plain `fn` parser except that the refused value is shown
/// escaped and cut short: clap would echo a 100,000-character argument, or an escape sequence,
/// whole.
#[derive(Clone, Copy)]
pub struct IdParser<T>(pub fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> clap::builder::TypedValueParser for IdParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        (self.0)(&text).map_err(|reason| {
            const SHOWN: usize = 60;
            let mut shown: String = text.chars().take(SHOWN).collect();
            if text.chars().nth(SHOWN).is_some() {
                shown.push('…');
            }
            let name = arg
                .and_then(|a| a.get_value_names()?.first().map(ToString::to_string))
                .unwrap_or_else(|| "VALUE".to_string());
            let message = format!(
                "invalid value '{}' for '<{}>': {}\n",
                crate::pod::text::printable(&shown),
                name,
                crate::pod::text::printable(&reason)
            );
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, message).with_cmd(cmd)
        })
    }
}

/// Where a pod definition comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
    Url(String),
}

impl Source {
    /// Reads the `FILE|-|URL` argument as the original CLI did: nothing or `-` is stdin.
    pub fn from_arg(arg: Option<&str>) -> Source {
        match arg {
            None | Some("-") => Source::Stdin,
            Some(s) if s.starts_with("http://") || s.starts_with("https://") => {
                Source::Url(s.to_string())
            }
            Some(s) => Source::File(PathBuf::from(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_are_bounded_when_parsed() {
        let huge = "18446744073709551615s";
        for args in [
            &["podctl", "--request-timeout", huge, "pod", "list"][..],
            &["podctl", "pod", "add", "--wait", "--timeout", huge],
            &["podctl", "deployment", "watch", "d", "--interval", huge],
            &["podctl", "sim", "--deploy-time", huge],
        ] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        }
        let cli = Cli::try_parse_from(["podctl", "--request-timeout", "30days", "pod", "list"]);
        assert_eq!(
            cli.unwrap().global.request_timeout,
            Some(crate::duration::MAX)
        );
    }

    #[test]
    fn an_empty_token_is_refused() {
        for token in ["", " "] {
            let err = Cli::try_parse_from(["podctl", "--token", token, "pod", "list"]).unwrap_err();
            assert!(err.to_string().contains("empty"), "{err}");
        }
    }

    #[test]
    fn sources() {
        assert_eq!(Source::from_arg(None), Source::Stdin);
        assert_eq!(Source::from_arg(Some("-")), Source::Stdin);
        assert_eq!(
            Source::from_arg(Some("https://x/p.json")),
            Source::Url("https://x/p.json".into())
        );
        assert_eq!(
            Source::from_arg(Some("web.json")),
            Source::File("web.json".into())
        );
    }

    #[test]
    fn json_and_quiet_conflict() {
        let err = Cli::try_parse_from(["podctl", "--json", "-q", "pod", "list"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    /// A refused id is echoed escaped and short: clap would print a 100,000-character argument,
    /// or an escape sequence, as it came.
    #[test]
    fn refused_ids_are_echoed_escaped_and_short() {
        let long = "a".repeat(100_000);
        for args in [
            ["podctl", "pod", "show", long.as_str()],
            ["podctl", "pod", "show", "x\u{1b}]0;t\u{7}\u{202e}/y"],
            ["podctl", "deployment", "stop", ".."],
        ] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
            let text = err.to_string();
            assert!(text.len() < 400, "{text}");
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{202e}'),
                "{text:?}"
            );
            assert!(text.starts_with("error: invalid value '"), "{text}");
        }
    }
}
