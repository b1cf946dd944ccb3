//! Extractors whose rejections are the API's own JSON errors, so a handler
//! receives typed values: ids, bodies and listing queries.

use crate::error::AppError;
use crate::model::ArtifactQuery;
use crate::server::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum_client_ip::ClientIp;
use serde::Serialize;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// `axum::extract::Path`, but an id that does not parse is a 404 `{"detail"}`
/// (it names nothing) and every other rejection is the API's error too.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// `axum::Json`, but a bad body answers `{"detail": ...}` like every other error.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge("Request body is larger than the server accepts".into()))
            }
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

/// Answers as `axum::Json` does, written by sonic-rs, whose string escaping
/// is vectorised: serde_json's, a byte at a time, was a fifth of a listing
/// page's time (bench/NOTES.md).
impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match sonic_rs::to_vec(&self.0) {
            Ok(body) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(e) => AppError::Internal(format!("serialising the answer: {e}")).into_response(),
        }
    }
}

fn query_pairs(parts: &Parts) -> impl Iterator<Item = (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> {
    form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
}

/// The filter, search, order and page of a listing, from the query string;
/// a wrong value is a 400 that names it.
pub struct Listing(pub ArtifactQuery);

impl<S: Send + Sync> FromRequestParts<S> for Listing {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let pairs: Vec<_> = query_pairs(parts).collect();
        ArtifactQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))).map(Self).map_err(AppError::from)
    }
}

/// `?download=true` (or `1`): the file as an attachment instead of inline.
pub struct Download(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Download {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(query_pairs(parts).any(|(k, v)| k == "download" && matches!(&*v, "true" | "1"))))
    }
}

/// The client address that sign-in limits count: read where
/// `client_ip_source` says (the header the proxy in front sets), else the
/// connection's peer; `None` for a request that came over no connection
/// (the tests' `oneshot`).
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // axum-client-ip reads its source from the request's extensions.
        parts.extensions.insert(state.config.client_ip.clone());
        let read = ClientIp::from_request_parts(parts, state).await.ok().map(|ClientIp(ip)| ip);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
        Ok(Self(read.or(peer)))
    }
}
