//! The authenticated rep, and the admin, as actix extractors: a handler that takes a [`Rep`]
//! only runs for a valid token; one that takes an [`Admin`] only for a token carrying the
//! configured app role.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::{Caller, TokenError};
use crate::http::ApiError;
use crate::state::AppState;

/// A rep with a valid token for our API.
#[derive(Debug, Clone)]
pub struct Rep(pub Arc<Caller>);

/// A rep with a valid token, and the token itself: the assertion for on-behalf-of exchanges.
pub struct RepAssertion(pub Arc<Caller>, pub secrecy::SecretString);

/// A rep whose token carries the admin app role.
#[derive(Debug, Clone)]
pub struct Admin(pub Arc<Caller>);

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The caller behind the request's bearer token, and the token.
async fn authenticate(req: HttpRequest) -> Result<(Arc<Caller>, String), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState is not registered")))?;
    let token = bearer(&req).ok_or(TokenError::Missing)?;
    let caller = state.identity.authenticate(&token).await?;
    Ok((caller, token))
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for Rep {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(|(caller, _)| Rep(caller)) })
    }
}

impl FromRequest for RepAssertion {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (caller, token) = authenticate(req).await?;
            Ok(RepAssertion(caller, token.into()))
        })
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (caller, _) = authenticate(req.clone()).await?;
            let role = req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.identity.settings().admin_role.clone())
                .unwrap_or_default();
            if caller.has_role(&role) {
                Ok(Admin(caller))
            } else {
                Err(ApiError::Forbidden {
                    code: "not_admin",
                    message: format!("this needs the {role} role, which an Entra admin assigns"),
                })
            }
        })
    }
}
