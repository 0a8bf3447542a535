//! Who a token belongs to: `/services/oauth2/userinfo` (OpenID Connect) and the identity URL
//! (`id` in the token response).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::errors;
use super::oauth::{bearer, origin};
use super::{Shared, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/services/oauth2/userinfo", web::get().to(userinfo))
        .route("/id/{org_id}/{user_id}", web::get().to(identity));
}

/// The user behind the request's bearer token.
fn authenticated(req: &HttpRequest, state: &State) -> Option<super::User> {
    let grant = bearer(req).and_then(|token| state.sessions.session(token))?;
    state.users.get(&grant.user_id).cloned()
}

/// The identity service's answer to a missing, unknown or expired token.
fn bad_oauth_token() -> HttpResponse {
    HttpResponse::Forbidden()
        .content_type("text/plain")
        .body("Bad_OAuth_Token")
}

async fn userinfo(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let mut state = shared.lock();
    state.count("userinfo");
    let Some(user) = authenticated(&req, &state) else {
        return bad_oauth_token();
    };
    let base = origin(&req);
    errors::json(
        HttpResponse::Ok(),
        json!({
            "sub": format!("{base}/id/{}/{}", user.org_id, user.id),
            "user_id": user.id,
            "organization_id": user.org_id,
            "preferred_username": user.username,
            "nickname": user.first_name.to_lowercase(),
            "name": format!("{} {}", user.first_name, user.last_name),
            "email": user.email,
            "email_verified": true,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": "Europe/London",
            "photos": photos(&base),
            "profile": format!("{base}/{}", user.id),
            "picture": format!("{base}/profilephoto/005/F"),
            "is_salesforce_integration_user": false,
            "urls": urls(&base, &user),
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_GB",
            "utcOffset": 0,
            "updated_at": "2026-01-05T09:30:00Z",
        }),
    )
}

async fn identity(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let mut state = shared.lock();
    state.count("identity");
    let Some(user) = authenticated(&req, &state) else {
        return bad_oauth_token();
    };
    let (org_id, user_id) = path.into_inner();
    if org_id != user.org_id || user_id != user.id {
        return HttpResponse::Forbidden()
            .content_type("text/plain")
            .body("Bad_Id");
    }
    let base = origin(&req);
    // The address as the user's record holds it; null where it holds none.
    let record = state
        .data
        .get(&user.org_id)
        .and_then(|data| data.record(&user.id));
    let lives = |field: &str| {
        record
            .and_then(|r| r.get(field).as_text())
            .map_or(Value::Null, |text| json!(text))
    };
    errors::json(
        HttpResponse::Ok(),
        json!({
            "id": format!("{base}/id/{org_id}/{user_id}"),
            "asserted_user": true,
            "user_id": user.id,
            "organization_id": user.org_id,
            "username": user.username,
            "nick_name": user.first_name.to_lowercase(),
            "display_name": format!("{} {}", user.first_name, user.last_name),
            "email": user.email,
            "email_verified": true,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": "Europe/London",
            "photos": photos(&base),
            "addr_street": lives("Street"),
            "addr_city": lives("City"),
            "addr_state": lives("State"),
            "addr_country": lives("Country"),
            "addr_zip": lives("PostalCode"),
            "mobile_phone": null,
            "mobile_phone_verified": false,
            "is_lightning_login_user": false,
            "status": { "created_date": null, "body": null },
            "urls": urls(&base, &user),
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_GB",
            "utcOffset": 0,
            "last_modified_date": "2026-01-05T09:30:00.000+0000",
            "is_app_installed": true,
        }),
    )
}

fn photos(base: &str) -> Value {
    json!({
        "picture": format!("{base}/profilephoto/005/F"),
        "thumbnail": format!("{base}/profilephoto/005/T"),
    })
}

/// The endpoints, with `{version}` left for the client to fill in. The SOAP URLs end in the
/// org's 15-character Id, as a real org's do.
fn urls(base: &str, user: &super::User) -> Value {
    let data = format!("{base}/services/data/v{{version}}");
    let org = user.org_id.get(..15).unwrap_or(&user.org_id);
    json!({
        "enterprise": format!("{base}/services/Soap/c/{{version}}/{org}"),
        "metadata": format!("{base}/services/Soap/m/{{version}}/{org}"),
        "partner": format!("{base}/services/Soap/u/{{version}}/{org}"),
        "rest": format!("{data}/"),
        "sobjects": format!("{data}/sobjects/"),
        "search": format!("{data}/search/"),
        "query": format!("{data}/query/"),
        "recent": format!("{data}/recent/"),
        "tooling_soap": format!("{base}/services/Soap/T/{{version}}/{org}"),
        "tooling_rest": format!("{data}/tooling/"),
        "profile": format!("{base}/{}", user.id),
        "feeds": format!("{data}/chatter/feeds"),
        "groups": format!("{data}/chatter/groups"),
        "users": format!("{data}/chatter/users"),
        "feed_items": format!("{data}/chatter/feed-items"),
        "feed_elements": format!("{data}/chatter/feed-elements"),
        "custom_domain": base,
    })
}
