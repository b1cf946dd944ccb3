//! HTTP plumbing shared by the routes: typed extractors.

pub mod extract;
