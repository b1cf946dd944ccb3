//! The content origin's address: scheme, host and port, nothing more.

use std::net::SocketAddr;
use std::str::FromStr;
use url::Url;

/// Where agent-made files are served, e.g. `https://usercontent.example.com`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentOrigin(Url);

impl FromStr for ContentOrigin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(s).map_err(|e| format!("not a URL ({e}): {s}"))?;
        let bare = url.username().is_empty() && url.password().is_none() && url.query().is_none();
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("not an http(s) origin: {s}"));
        }
        if !bare || url.path() != "/" || url.fragment().is_some() {
            return Err(format!("an origin has no path, query or user: {s}"));
        }
        Ok(Self(url))
    }
}

impl std::fmt::Display for ContentOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.origin().ascii_serialization())
    }
}

impl ContentOrigin {
    /// `usercontent.localhost` on the app's port: browsers resolve every
    /// `*.localhost` to loopback, so this needs no DNS on one machine.
    pub fn beside(site: SocketAddr) -> Self {
        Self(Url::parse(&format!("http://usercontent.localhost:{}/", site.port())).expect("a valid URL"))
    }

    pub fn host(&self) -> &str {
        self.0.host_str().expect("checked when parsed")
    }

    /// Whether a request's `Host` (or HTTP/2 authority) names this origin.
    /// Ports are ignored, as cookies ignore them: a proxy may change them.
    pub fn is_host_of(&self, authority: &str) -> bool {
        axum::http::uri::Authority::from_str(authority).is_ok_and(|a| a.host().eq_ignore_ascii_case(self.host()))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_http_origins_parse() {
        let origin: ContentOrigin = "https://UserContent.Example.com".parse().unwrap();
        assert_eq!(origin.to_string(), "https://usercontent.example.com");
        assert!(origin.is_host_of("usercontent.example.com:443") && origin.is_host_of("USERCONTENT.example.com"));
        assert!(!origin.is_host_of("example.com") && !origin.is_host_of("usercontent.example.com.evil"));
        for bad in ["ftp://x.example", "https://x.example/path", "https://u:p@x.example", "https://x.example/?q", "x"] {
            assert!(bad.parse::<ContentOrigin>().is_err(), "{bad}");
        }
        let local = ContentOrigin::beside("127.0.0.1:4321".parse().unwrap());
        assert_eq!(local.to_string(), "http://usercontent.localhost:4321");
    }
}
