//! `/api/v1/admin/sync-configs`: the tenant's sync configurations (what syncs, in which
//! direction, with which policies), created, read, changed and deleted by an admin, and
//! assigned to users or Entra groups. Precedence: a user's own assignment, then their groups'
//! (the lowest priority first), then the tenant's default. Every settings document is checked
//! field by field before it is saved; every change makes a new version (an update names the
//! version it read, so two admins cannot overwrite each other) and is kept in the audit trail.
//! After a change, every watched mailbox of the tenant reads its window afresh.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::ids::EntraObjectId;
use crate::state::AppState;
use crate::storage::sync_configs::audited::{self, Draft};
use crate::storage::sync_configs::{self, Principal, SyncConfig};
use crate::storage::{self, StorageError, mailbox_watches};
use crate::sync::model::settings::SyncSettings;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sync-configs", web::get().to(list))
        .route("/sync-configs", web::post().to(create))
        .route("/sync-configs/{id}", web::get().to(read))
        .route("/sync-configs/{id}", web::put().to(update))
        .route("/sync-configs/{id}", web::delete().to(delete))
        .route("/sync-configs/{id}/history", web::get().to(history))
        .route(
            "/sync-configs/{id}/assignments/{kind}/{principal}",
            web::put().to(assign),
        )
        .route(
            "/sync-configs/{id}/assignments/{kind}/{principal}",
            web::delete().to(unassign),
        );
}

/// The most characters in a configuration's name.
const NAME_CHARS: usize = 100;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigIn {
    #[schema(example = "EMEA sales")]
    name: String,
    /// Whether it applies to every user with no assignment of their own or their groups'.
    #[serde(default)]
    is_default: bool,
    /// The policies; a missing one takes the default. Checked field by field: a value that
    /// does not fit is a 400 naming it (`settings.window_days_ahead`).
    #[schema(value_type = SyncSettings)]
    #[serde(default = "empty_object")]
    settings: Value,
    /// On update: the version read, which must still be the current one.
    version: Option<i32>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentView {
    /// `user` (an Entra object id) or `group` (an Entra group id).
    kind: String,
    id: String,
    /// Among a user's groups, the lowest wins.
    priority: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ConfigView {
    id: String,
    name: String,
    is_default: bool,
    /// Every setting, defaults included.
    settings: SyncSettings,
    version: i32,
    assignments: Vec<AssignmentView>,
    #[schema(value_type = String, format = DateTime)]
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ConfigList {
    configs: Vec<ConfigView>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    #[schema(value_type = String, format = DateTime)]
    at: DateTime<Utc>,
    /// The admin who made it, by Entra object id.
    by: String,
    /// `created`, `updated`, `deleted`, `assigned` or `unassigned`.
    action: String,
    /// The version the change made (or left).
    version: i32,
    /// The configuration as it was written, or the assignment made or taken.
    #[schema(value_type = Object)]
    detail: Value,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeList {
    changes: Vec<ChangeView>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    /// For a group: among a user's groups, the lowest wins (100 unless said).
    priority: Option<i32>,
}

async fn view(state: &AppState, config: SyncConfig) -> Result<ConfigView, ApiError> {
    let assignments = audited::assignments(&state.db, &config.id)
        .await?
        .into_iter()
        .map(|a| AssignmentView {
            kind: a.principal_kind,
            id: a.principal_id,
            priority: a.priority,
        })
        .collect();
    Ok(ConfigView {
        id: config.id,
        name: config.name,
        is_default: config.is_default,
        settings: config.settings.0,
        version: config.version,
        assignments,
        updated_at: config.updated_at,
    })
}

/// The body checked: a name, and settings every field of which is valid.
fn checked(body: &ConfigIn) -> Result<(String, SyncSettings), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("1 to {NAME_CHARS} characters"),
        ));
    }
    let settings =
        SyncSettings::parse(&body.settings).map_err(|e| ApiError::invalid(e.field, e.message))?;
    Ok((name.to_string(), settings))
}

fn taken(error: StorageError) -> ApiError {
    match error {
        StorageError::Conflict(_) => ApiError::Precondition {
            code: "sync_config_taken",
            message: "another configuration has this name, or is the default already".into(),
        },
        other => other.into(),
    }
}

/// A configuration changed: every watched mailbox of the tenant reads its window afresh at its
/// next round (due now), so meetings the change selects, or no longer does, are found at once
/// rather than when they next change.
async fn reread(state: &AppState, admin: &crate::reps::Rep) -> Result<(), ApiError> {
    mailbox_watches::forget_tenant_rounds(&state.db, &admin.tenant.id, storage::now()).await?;
    Ok(())
}

fn not_found() -> ApiError {
    ApiError::NotFound("your tenant has no such sync configuration".into())
}

/// The tenant's configuration `id`.
pub(super) async fn own(
    state: &AppState,
    admin: &crate::reps::Rep,
    id: &str,
) -> Result<SyncConfig, ApiError> {
    sync_configs::find(&state.db, id)
        .await?
        .filter(|c| c.tenant_id == admin.tenant.id)
        .ok_or_else(not_found)
}

/// The tenant's sync configurations, by name, each with its assignments.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sync-configs",
    operation_id = "list_sync_configs",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the configurations", body = ConfigList),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn list(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut configs = Vec::new();
    for config in sync_configs::list_for_tenant(&state.db, &admin.tenant.id).await? {
        configs.push(view(&state, config).await?);
    }
    Ok(HttpResponse::Ok().json(ConfigList { configs }))
}

/// Creates a configuration (version 1).
#[utoipa::path(
    post,
    path = "/api/v1/admin/sync-configs",
    operation_id = "create_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    request_body = ConfigIn,
    responses(
        (status = 201, description = "the configuration", body = ConfigView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 409, response = crate::http::openapi::responses::Precondition),
    )
)]
pub async fn create(
    Admin(admin): Admin,
    body: web::Json<ConfigIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (name, settings) = checked(&body)?;
    let draft = Draft {
        name: &name,
        is_default: body.is_default,
        settings: &settings,
    };
    let actor = admin.user.entra_object_id.as_str();
    let config = audited::create(&state.db, &admin.tenant.id, draft, actor, storage::now())
        .await
        .map_err(taken)?;
    reread(&state, &admin).await?;
    Ok(HttpResponse::Created().json(view(&state, config).await?))
}

/// One configuration, with its assignments.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sync-configs/{id}",
    operation_id = "get_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the configuration's id")),
    responses(
        (status = 200, description = "the configuration", body = ConfigView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn read(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let config = own(&state, &admin, &path).await?;
    Ok(HttpResponse::Ok().json(view(&state, config).await?))
}

/// Replaces a configuration's name, default flag and settings; `version` must be the one read.
#[utoipa::path(
    put,
    path = "/api/v1/admin/sync-configs/{id}",
    operation_id = "update_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the configuration's id")),
    request_body = ConfigIn,
    responses(
        (status = 200, description = "the configuration, one version on", body = ConfigView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
        (status = 409, response = crate::http::openapi::responses::Precondition),
    )
)]
pub async fn update(
    Admin(admin): Admin,
    path: web::Path<String>,
    body: web::Json<ConfigIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (name, settings) = checked(&body)?;
    let Some(version) = body.version else {
        return Err(ApiError::invalid(
            "version",
            "the version you read (GET it first), so that no one else's change is lost",
        ));
    };
    let draft = Draft {
        name: &name,
        is_default: body.is_default,
        settings: &settings,
    };
    let actor = admin.user.entra_object_id.as_str();
    let id = path.into_inner();
    let updated = audited::update(
        &state.db,
        &admin.tenant.id,
        &id,
        version,
        draft,
        actor,
        storage::now(),
    )
    .await;
    let config = match updated {
        Ok(config) => config,
        Err(StorageError::Conflict("version")) => {
            return Err(ApiError::Precondition {
                code: "version_conflict",
                message: "someone changed this configuration since you read it: read it again"
                    .into(),
            });
        }
        Err(StorageError::NotFound) => return Err(not_found()),
        Err(other) => return Err(taken(other)),
    };
    reread(&state, &admin).await?;
    Ok(HttpResponse::Ok().json(view(&state, config).await?))
}

/// Deletes a configuration and its assignments; its users fall back to the next that applies.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/sync-configs/{id}",
    operation_id = "delete_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the configuration's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn delete(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.user.entra_object_id.as_str();
    if !audited::delete(&state.db, &admin.tenant.id, &path, actor, storage::now()).await? {
        return Err(not_found());
    }
    reread(&state, &admin).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who changed the configuration, what, and when, oldest first (kept after it is deleted).
#[utoipa::path(
    get,
    path = "/api/v1/admin/sync-configs/{id}/history",
    operation_id = "get_sync_config_history",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the configuration's id")),
    responses(
        (status = 200, description = "its changes", body = ChangeList),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn history(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let found = audited::changes(&state.db, &admin.tenant.id, &path).await?;
    if found.is_empty() {
        return Err(not_found());
    }
    let changes = found
        .into_iter()
        .map(|c| ChangeView {
            at: c.at,
            by: c.actor,
            action: c.action,
            version: c.version,
            detail: c.detail.0,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ChangeList { changes }))
}

/// A principal from the path: `user/{objectId}` or `group/{groupId}`.
fn principal<'a>(kind: &str, id: &'a EntraObjectId) -> Result<Principal<'a>, ApiError> {
    let well_formed = !id.as_str().is_empty()
        && id.as_str().len() <= 64
        && id
            .as_str()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !well_formed {
        return Err(ApiError::invalid(
            "principal",
            "an Entra object id (a GUID)",
        ));
    }
    match kind {
        "user" => Ok(Principal::User(id)),
        "group" => Ok(Principal::Group(id.as_str())),
        _ => Err(ApiError::invalid("kind", "user or group")),
    }
}

/// Assigns the configuration to a user or a group (replacing their earlier assignment).
#[utoipa::path(
    put,
    path = "/api/v1/admin/sync-configs/{id}/assignments/{kind}/{principal}",
    operation_id = "assign_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "the configuration's id"),
        ("kind" = String, Path, description = "`user` or `group`"),
        ("principal" = String, Path, description = "the user's or group's Entra object id"),
    ),
    request_body = AssignIn,
    responses(
        (status = 200, description = "the configuration and its assignments", body = ConfigView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn assign(
    Admin(admin): Admin,
    path: web::Path<(String, String, String)>,
    body: Option<web::Json<AssignIn>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, kind, principal_id) = path.into_inner();
    let principal_id = EntraObjectId::new(principal_id);
    let who = principal(&kind, &principal_id)?;
    let priority = body.and_then(|b| b.priority).unwrap_or(100);
    if !(0..=10_000).contains(&priority) {
        return Err(ApiError::invalid("priority", "0 to 10000"));
    }
    let actor = admin.user.entra_object_id.as_str();
    audited::assign(
        &state.db,
        &admin.tenant.id,
        &id,
        who,
        priority,
        actor,
        storage::now(),
    )
    .await
    .map_err(|error| match error {
        StorageError::NotFound => not_found(),
        other => other.into(),
    })?;
    reread(&state, &admin).await?;
    let config = own(&state, &admin, &id).await?;
    Ok(HttpResponse::Ok().json(view(&state, config).await?))
}

/// Takes the configuration from a user or a group.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/sync-configs/{id}/assignments/{kind}/{principal}",
    operation_id = "unassign_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "the configuration's id"),
        ("kind" = String, Path, description = "`user` or `group`"),
        ("principal" = String, Path, description = "the user's or group's Entra object id"),
    ),
    responses(
        (status = 204, description = "taken away"),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn unassign(
    Admin(admin): Admin,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, kind, principal_id) = path.into_inner();
    let principal_id = EntraObjectId::new(principal_id);
    let who = principal(&kind, &principal_id)?;
    let actor = admin.user.entra_object_id.as_str();
    let removed =
        audited::unassign(&state.db, &admin.tenant.id, &id, who, actor, storage::now()).await?;
    if !removed {
        return Err(ApiError::NotFound(
            "this configuration is not assigned to them".into(),
        ));
    }
    reread(&state, &admin).await?;
    Ok(HttpResponse::NoContent().finish())
}
