//! What a user's settings show, on both sides: API tokens, sessions and
//! share links.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What an API token may do: `read` allows only GET and HEAD requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::EnumString)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Scope {
    Read,
    #[default]
    ReadWrite,
}

/// An API token as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    pub scope: Scope,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `None` never expires.
    pub expires_at: Option<String>,
    /// RFC 3339, to the minute; `None` never used.
    pub last_used_at: Option<String>,
}

/// What a new token is to be.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewToken {
    pub name: String,
    #[serde(default)]
    pub scope: Scope,
    /// Days until it expires, 1 to 3650; `None` never expires.
    #[serde(default, deserialize_with = "whole_number")]
    pub expires_in_days: Option<u32>,
}

/// JSON Schema's integers include `30.0`: a whole number is one however
/// JSON writes it.
pub(crate) fn whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    let Some(n) = Option::<f64>::deserialize(d)? else { return Ok(None) };
    let whole = (n.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&n)).then_some(n as u64);
    match whole.and_then(|w| T::try_from(w).ok()) {
        Some(w) => Ok(Some(w)),
        None => Err(serde::de::Error::custom(format!("expected a whole number, not {n}"))),
    }
}

/// A token just made: the only time its secret is shown. (Not flattened:
/// postcard cannot; the JSON API flattens it.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: String,
    pub info: TokenInfo,
}

/// A signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: Uuid,
    /// RFC 3339.
    pub created_at: String,
    pub expires_at: String,
    pub user_agent: String,
    /// The session of the request that asked.
    pub current: bool,
}

/// The settings page's data. Its lists come drawn by the server
/// (`pages::settings::plain`): no script changes a row (an action loads
/// them again), so the wasm holds no view of them. Empty in the page's
/// hydration data, as `DrawnPage::html`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The API tokens' table, each row with its Revoke form.
    pub tokens: String,
    /// The browser sessions' list.
    pub sessions: String,
    /// A token made by the form just before, shown this once (without
    /// JavaScript the form's answer is a redirect here).
    pub new_token: Option<CreatedToken>,
    /// A share link made by a form just before, shown this once (without
    /// JavaScript the form's answer is a redirect here), then the share
    /// links' table, each row with its Revoke form.
    pub shares: String,
}

impl Settings {
    /// A copy without its HTML, for the page's hydration data.
    pub fn without_html(&self) -> Self {
        let none = String::new;
        Self { tokens: none(), sessions: none(), shares: none(), ..self.clone() }
    }
}
