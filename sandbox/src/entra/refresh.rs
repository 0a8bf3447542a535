//! Refresh tokens: remembered for a user's grant, and redeemed for a new access token (and a
//! new refresh token; the old one stays valid until revoked, as with Entra).

use actix_web::HttpResponse;
use serde_json::json;

use super::errors::AadError;
use super::grants::{
    DelegatedUser, Endpoint, Form, authenticate, check_user_policy, delegated_body, missing,
};
use super::{RefreshGrant, Shared};

/// A refresh token from an earlier delegated grant buys a new access token (and a new refresh
/// token; the old one stays valid until revoked, as with Entra).
pub fn redeem(endpoint: &Endpoint, form: &Form, shared: &Shared) -> Result<HttpResponse, AadError> {
    let base = endpoint.base.as_str();
    let client_id = form.get("client_id").ok_or_else(|| missing("client_id"))?;
    let token = form
        .get("refresh_token")
        .ok_or_else(|| missing("refresh_token"))?;
    let grant = {
        let mut state = shared.lock();
        if state.revoked_refresh_tokens.contains(token) {
            return Err(AadError::new(
                400,
                "invalid_grant",
                50_173,
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
            ));
        }
        let now = state.now();
        let inactivity = state.refresh_inactivity;
        let grant = state
            .refresh_tokens
            .get_mut(token)
            .filter(|grant| &grant.client_id == client_id);
        if let Some(grant) = &grant
            && now - grant.last_used > inactivity
        {
            // .NET's seven digits of a second, as Entra writes instants.
            let issued = grant.issued.format("%Y-%m-%dT%H:%M:%S");
            let ticks = grant.issued.timestamp_subsec_nanos() / 100;
            let idle = span(inactivity);
            return Err(AadError::new(
                400,
                "invalid_grant",
                700_082,
                format!(
                    "The refresh token has expired due to inactivity. The token was issued on {issued}.{ticks:07}Z and was inactive for {idle}."
                ),
            ));
        }
        grant.map(|grant| {
            grant.last_used = now;
            grant.clone()
        })
    };
    let grant = grant.ok_or_else(|| {
        AadError::new(
            400,
            "invalid_grant",
            9_002_313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    // A grant made through a SPA or public-client redirect is refreshed without a secret.
    let authenticated = form.contains_key("client_secret") || form.contains_key("client_assertion");
    if !grant.public || authenticated {
        authenticate(endpoint, form, shared)?;
    }
    let app = shared.lock().apps.get(client_id).cloned();
    if let Some(app) = &app {
        check_user_policy(&grant.user.object_id, app, shared)?;
    }
    let body = match &grant.api {
        None => delegated_body(
            base,
            client_id,
            &grant.user,
            &grant.scopes,
            true,
            grant.public,
            shared,
        )?,
        Some(api) => json!({
            "token_type": "Bearer",
            "expires_in": 3599, "ext_expires_in": 3599,
            "access_token": super::code_grant::api_token(base, api, client_id, &grant.user, &grant.scopes, shared)?,
            "refresh_token": remember_refresh(client_id, &grant.user, &grant.scopes, Some(api.clone()), grant.public, shared),
        }),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// A span as .NET writes a TimeSpan (`90.00:00:00`, `12:00:00`), as Entra's messages do.
fn span(delta: chrono::TimeDelta) -> String {
    let secs = delta.num_seconds();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}.{clock}")
    } else {
        clock
    }
}

/// A new refresh token for a user's grant to `client_id` (Graph, or the API `api`).
pub(crate) fn remember_refresh(
    client_id: &str,
    user: &DelegatedUser,
    scopes: &[String],
    api: Option<String>,
    public: bool,
    shared: &Shared,
) -> String {
    let refresh_token = format!(
        "0.A{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut state = shared.lock();
    let now = state.now();
    let grant = RefreshGrant {
        client_id: client_id.to_string(),
        user: user.clone(),
        scopes: scopes.to_vec(),
        api,
        public,
        issued: now,
        last_used: now,
    };
    state.refresh_tokens.insert(refresh_token.clone(), grant);
    refresh_token
}
