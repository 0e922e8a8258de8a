//! `podctl sim`: an in-memory Marathon that follows the pods contract, for newcomers, tests and CI.
//!
//! It uses `pod` for every type it speaks and never touches `commands`, `marathon` or `render`.
