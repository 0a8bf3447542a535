//! What an admin deploys and Office fetches: the manifests (`/manifest.xml`, `/manifest.json`)
//! and the add-in's icons (`/assets/icon-*.png`), public and cacheable.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::extract::public_base;
use crate::manifest::{self, Format};
use crate::state::AppState;

/// The icons the manifests name, drawn by `scripts/make-icons.py`.
const ICONS: &[(&str, &[u8])] = &[
    (
        "icon-16.png",
        include_bytes!("../../assets/icons/icon-16.png"),
    ),
    (
        "icon-32.png",
        include_bytes!("../../assets/icons/icon-32.png"),
    ),
    (
        "icon-64.png",
        include_bytes!("../../assets/icons/icon-64.png"),
    ),
    (
        "icon-80.png",
        include_bytes!("../../assets/icons/icon-80.png"),
    ),
    (
        "icon-128.png",
        include_bytes!("../../assets/icons/icon-128.png"),
    ),
    (
        "icon-192.png",
        include_bytes!("../../assets/icons/icon-192.png"),
    ),
    (
        "icon-outline-32.png",
        include_bytes!("../../assets/icons/icon-outline-32.png"),
    ),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/manifest.xml", web::get().to(xml))
        .route("/manifest.json", web::get().to(json))
        .route("/assets/{name}", web::get().to(icon))
        .route("/favicon.ico", web::get().to(favicon));
}

async fn favicon() -> Result<HttpResponse, ApiError> {
    icon(web::Path::from("icon-32.png".to_string())).await
}

fn manifest(req: &HttpRequest, state: &AppState, format: Format) -> Result<HttpResponse, ApiError> {
    let base = public_base(req, &state.settings);
    let body = manifest::render(&state.settings, format, &base)
        .map_err(|error| ApiError::Internal(error.into()))?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        // An admin who downloads it gets a file named as Office expects.
        .insert_header((
            header::CONTENT_DISPOSITION,
            match format {
                Format::Xml => "inline; filename=\"manifest.xml\"",
                Format::Json => "inline; filename=\"manifest.json\"",
            },
        ))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

async fn xml(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    manifest(&req, &state, Format::Xml)
}

async fn json(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    manifest(&req, &state, Format::Json)
}

async fn icon(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (_, bytes) = ICONS
        .iter()
        .find(|(file, _)| *file == name.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("no asset {}", name.as_str())))?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(*bytes))
}
