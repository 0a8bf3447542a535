//! The task pane and the pages a person opens: `/pane/` (the pane Outlook loads, with a strict
//! CSP that still lets Office.js and the dialog work, and no X-Frame-Options: Outlook on the web
//! frames it), its bundles under `/pane/assets/` (content-hashed names, cached for a year), and
//! `/` (the demo page in demo mode; otherwise a short page naming the service and its
//! manifests). The files are the build of `addin/`, embedded by `build.rs`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Serialize;

use super::error::ApiError;
use super::extract::public_base;
use crate::config::Settings;
use crate::state::AppState;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/pane_files.rs"));
}

/// Where Outlook frames the pane: Outlook on the web and the new Outlook (the desktop clients
/// load it top-level).
const FRAME_ANCESTORS: &str = "'self' https://outlook.office.com https://outlook.office365.com \
     https://outlook.live.com https://*.outlook.com https://*.office.com https://*.office365.com \
     https://*.officeapps.live.com";

/// GET, and HEAD (a load balancer's or a proxy's check) answered the same way without a body.
fn get_or_head() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", get_or_head().to(home))
        .route("/pane", get_or_head().to(to_pane))
        .route("/pane/", get_or_head().to(pane))
        .route("/pane/assets/{file}", get_or_head().to(asset));
}

fn file(path: &str) -> Option<&'static [u8]> {
    embedded::FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, bytes)| *bytes)
}

/// The hashed path of a bundle (`office-host` → `/pane/assets/office-host-HASH.js`).
pub fn asset_url(name: &str) -> Option<String> {
    embedded::ASSETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, path)| format!("/pane/{path}"))
}

fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    Some(format!(
        "{scheme}://{}",
        rest.split('/').next().unwrap_or(rest)
    ))
}

/// Scripts from us and from where Office.js comes; tokens from Entra (MSAL's fallback when a
/// host lacks Nested App Authentication); nothing inline but the JSON settings block.
fn content_security_policy(settings: &Settings) -> String {
    let office = origin(&settings.addin.office_js_url).unwrap_or_default();
    let entra = origin(&settings.entra.authority).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' {office}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {entra}; frame-src 'self' {entra}; frame-ancestors {FRAME_ANCESTORS}; \
         base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

fn html(body: String, csp: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "strict-origin-when-cross-origin"));
    if let Some(csp) = csp {
        response.insert_header((header::CONTENT_SECURITY_POLICY, csp));
    }
    response.body(body)
}

async fn to_pane() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/pane/"))
        .finish()
}

/// What the pane's script reads from its page (`#outforce-config`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaneConfig {
    client_id: String,
    scope: String,
    authority: String,
}

/// The built pane's page (`addin/dist/pane.html`, from `addin/src/pane/pane.html`).
#[derive(Template)]
#[template(path = "pane.html")]
struct PanePage<'a> {
    config: PaneConfig,
    office_js: &'a str,
}

/// The page at `/` outside the demo (`templates/home.html`).
#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    name: &'a str,
    version: &'a str,
    base: &'a str,
}

fn rendered(page: &impl Template) -> Result<String, ApiError> {
    page.render()
        .map_err(|error| ApiError::Internal(error.into()))
}

async fn pane(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let client_id = settings.entra.client_id.clone().unwrap_or_default();
    let app_id_uri = settings
        .entra
        .app_id_uri
        .clone()
        .unwrap_or_else(|| format!("api://{client_id}"));
    let page = PanePage {
        config: PaneConfig {
            scope: format!("{app_id_uri}/{}", settings.entra.scope),
            authority: format!(
                "{}/organizations",
                settings.entra.authority.trim_end_matches('/')
            ),
            client_id,
        },
        office_js: &settings.addin.office_js_url,
    };
    Ok(html(
        rendered(&page)?,
        Some(content_security_policy(settings)),
    ))
}

/// Whether the browser takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`).
fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                matches!(
                    p.replace(' ', "").as_str(),
                    "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
                )
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let name = format!("assets/{}", path.as_str());
    let missing = || ApiError::NotFound(format!("no asset {}", path.as_str()));
    if name.ends_with(".gz") {
        return Err(missing());
    }
    let plain = file(&name).ok_or_else(missing)?;
    let gzipped = accepts_gzip(&req)
        .then(|| file(&format!("{name}.gz")))
        .flatten();
    let content_type = if name.ends_with(".js") {
        "text/javascript; charset=utf-8"
    } else if name.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        // The name changes with the content: a year, and never revalidated.
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    Ok(match gzipped {
        Some(bytes) => response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(bytes),
        None => response.body(plain),
    })
}

async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    if settings.demo {
        let page = file("demo.html").ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("the embedded pane has no demo.html"))
        })?;
        return Ok(html(String::from_utf8_lossy(page).into_owned(), None));
    }
    let page = HomePage {
        name: &settings.addin.name,
        version: env!("CARGO_PKG_VERSION"),
        base: &public_base(&req, settings),
    };
    Ok(html(
        rendered(&page)?,
        Some("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'".into()),
    ))
}
