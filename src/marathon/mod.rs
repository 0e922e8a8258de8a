//! The only code that speaks HTTP to Marathon: one typed method per endpoint, one private
//! `send`, one error type. It never prints and never decides exit codes.

pub mod auth;
mod client;
mod error;
pub mod events;
mod split;

pub use crate::http::Log;
pub use client::Client;
pub use error::{clip, ApiError, Detail};
