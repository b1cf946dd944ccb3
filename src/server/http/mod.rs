//! HTTP plumbing shared by the routes: typed extractors, the cross-site
//! guard and page policy, and sending a stored file.

pub mod extract;
pub mod guard;
pub mod serve;
