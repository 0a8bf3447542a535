//! The signed-in rep and the admin, as actix extractors: a handler that takes a [`Rep`] only
//! runs for a valid token, and gets the rep's stored tenant and user rows with it; one that
//! takes an [`Admin`] only for a token carrying the configured app role.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use secrecy::SecretString;

use super::error::ApiError;
use crate::identity::TokenError;
pub use crate::reps::Rep;
use crate::state::AppState;

/// A signed-in rep and the token itself: the assertion for on-behalf-of exchanges.
pub struct RepAssertion(pub Rep, pub SecretString);

/// A signed-in rep whose token carries the admin app role.
#[derive(Debug, Clone)]
pub struct Admin(pub Rep);

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))
}

/// The stored rep behind the request's bearer token, and the token. A rep's first call with a
/// token also sees to their mailbox's grant and watch, in the background
/// ([`crate::sync::watch::grant`]).
async fn signed_in(req: &HttpRequest) -> Result<(Rep, String), ApiError> {
    let state = state(req)?;
    let token = bearer(req).ok_or(TokenError::Missing)?;
    let caller = state.identity.authenticate(&token).await?;
    let rep = state.reps.resolve(caller).await?;
    let assertion = SecretString::from(token.clone());
    crate::sync::watch::grant::on_pane_call(&state, &rep, &assertion).await;
    Ok((rep, token))
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for Rep {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { signed_in(&req).await.map(|(rep, _)| rep) })
    }
}

impl FromRequest for RepAssertion {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (rep, token) = signed_in(&req).await?;
            Ok(RepAssertion(rep, token.into()))
        })
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state(&req)?;
            let token = bearer(&req).ok_or(TokenError::Missing)?;
            let caller = state.identity.authenticate(&token).await?;
            let role = &state.identity.settings().admin_role;
            if !caller.has_role(role) {
                return Err(ApiError::Forbidden {
                    code: "not_admin",
                    message: format!("this needs the {role} role, which an Entra admin assigns"),
                });
            }
            Ok(Admin(state.reps.resolve(caller).await?))
        })
    }
}

/// How reps and Office reach this service: the configured public URL, else the scheme and host
/// the request came by.
pub fn public_base(req: &HttpRequest, settings: &crate::config::Settings) -> String {
    match &settings.http.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}
