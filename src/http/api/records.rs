//! `GET /api/v1/records/search`: the Accounts, Opportunities and Cases a rep can relate a
//! meeting to (its What), found by name as they type. One Salesforce call per search.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::salesforce::records::{self, WhatRecord, WhatType};
use crate::state::AppState;

/// Results per type: a list the pane shows without scrolling far.
const PER_TYPE: usize = 10;
/// A sentence is not a name.
const TERM_CHARS: std::ops::RangeInclusive<usize> = 2..=100;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/records/search", web::get().to(search));
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What the rep typed: words the names start with (one-letter words are ignored), at
    /// most 100 characters.
    #[param(example = "acme")]
    q: Option<String>,
    /// Comma-separated: `account`, `opportunity`, `case`; all three when absent.
    #[param(example = "account,opportunity")]
    types: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchView {
    records: Vec<WhatRecord>,
}

/// Accounts, Opportunities and Cases by name, for a meeting's What.
#[utoipa::path(
    get,
    path = "/api/v1/records/search",
    operation_id = "search_records",
    tag = "rep",
    security(("bearer" = [])),
    params(SearchQuery),
    responses(
        (status = 200, description = "the records found, by type", body = SearchView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 409, response = crate::http::openapi::responses::Precondition),
        (status = 502, response = crate::http::openapi::responses::Upstream),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn search(
    rep: Rep,
    query: web::Query<SearchQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let typed = query.q.as_deref().unwrap_or_default().trim();
    let term = records::sosl_prefix_term(typed)
        .filter(|_| TERM_CHARS.contains(&typed.chars().count()))
        .ok_or_else(|| {
            ApiError::invalid("q", "up to 100 characters, with a word of two or more")
        })?;
    let types = match query.types.as_deref().filter(|t| !t.trim().is_empty()) {
        None => WhatType::ALL.to_vec(),
        Some(list) => {
            let mut types = Vec::new();
            for word in list.split(',') {
                let kind = WhatType::parse(word).ok_or_else(|| {
                    ApiError::invalid(
                        "types",
                        "a comma-separated list of account, opportunity, case",
                    )
                })?;
                if !types.contains(&kind) {
                    types.push(kind);
                }
            }
            types
        }
    };
    let mut session = state.sessions.open(&rep.user).await?;
    let records = records::search_what(&mut session, &term, &types, PER_TYPE).await?;
    Ok(HttpResponse::Ok().json(SearchView { records }))
}
