//! The only code that speaks HTTP to Marathon: one typed method per endpoint, one private
//! `send`, one error type. It never prints and never decides exit codes.

mod client;
mod error;

pub use client::{read_body, Body, Client, Log, Written};
pub use error::{ApiError, Detail, Reach};
