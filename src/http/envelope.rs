//! The middleware every request passes through first: it gives the request its id (the one
//! `TracingLogger` assigned), answers with it in `X-Request-Id`, and puts errors that actix
//! raises itself (routing, extractors, payload limits) into the one error envelope, so no client
//! ever sees another shape. It also holds request heads to this service's limits (a URL of
//! 8 KiB, headers of 32 KiB) and answers beyond them with 414 or 431 in the envelope; only a
//! head beyond actix's own parser limit (128 KiB) is answered by actix itself, without a body.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _};
use tracing_actix_web::RequestId;

use super::error::{ApiError, code_for_status, envelope};
use super::request_id;

/// The longest URL (path and query) taken.
const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) taken.
const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The limit a request head breaks, if any.
fn oversized(req: &ServiceRequest) -> Option<(StatusCode, &'static str, String)> {
    let uri = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri > MAX_URI_BYTES {
        return Some((
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the URL is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the request headers are larger than {MAX_HEADER_BYTES} bytes"),
        ));
    }
    None
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = req
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut response = match oversized(&req) {
        Some((status, code, message)) => req.into_response(envelope(status, code, &message, &id)),
        // Handlers' errors arrive here as responses; an `Err` could only come from a middleware
        // inside this one, and there is none.
        None => {
            request_id::scope(id.clone(), async {
                next.call(req)
                    .await
                    .map(|response| enveloped(response.map_into_boxed_body(), &id))
            })
            .await?
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(request_id::HEADER), value);
    }
    Ok(response)
}

/// Replaces an error response that is not already in our envelope.
fn enveloped(response: ServiceResponse<BoxBody>, id: &str) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let foreign = match response.response().error() {
        Some(error) => error.as_error::<ApiError>().is_none(),
        // An error status with no error attached was built by a handler on purpose.
        None => false,
    };
    if !foreign {
        return response;
    }
    let message = if status.is_server_error() {
        if let Some(error) = response.response().error() {
            tracing::error!(request_id = %id, error = %error, "request failed");
        }
        "internal error".to_string()
    } else {
        response
            .response()
            .error()
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    let body = envelope(status, code_for_status(status), &message, id);
    response.into_response(body)
}
