//! The pod domain: definitions, ids, status and deployments as Marathon speaks them.
//!
//! Pure data and pure functions only: nothing here does I/O, prints or knows about HTTP. Both the
//! client (`commands`, `render`) and the simulator (`sim`) build on these types, which is what keeps
//! them speaking the same dialect of the API.
//!
//! `definition` (the typed pod), `id`, `validate` (the checks: a schema table and rules by
//! section), `normalize` (Marathon's defaults, as it writes a definition back), `diff` (what Marathon
//! would do with a changed definition), `status`,
//! `deployment`, `progress` (judging a rollout from what Marathon reports), `time` and `text` (parsing input and
//! escaping what reaches a terminal).

pub mod definition;
pub mod deployment;
pub mod diff;
pub mod event;
pub mod id;
pub mod normalize;
pub mod progress;
pub mod status;
pub mod text;
pub mod time;
pub mod validate;

pub use definition::PodDefinition;
pub use deployment::Deployment;
pub use id::PodId;
pub use status::PodStatus;
