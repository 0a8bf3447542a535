//! Entra's OAuth error body: `error`, `error_description` ("AADSTSnnnnn: …" followed by trace and
//! correlation ids and a timestamp), `error_codes`, `timestamp`, `trace_id`, `correlation_id`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};

pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
    /// Extra fields (`claims`, `suberror`).
    pub extra: Vec<(&'static str, Value)>,
}

impl AadError {
    pub fn new(status: u16, error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            error,
            code,
            message: message.into(),
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &'static str, value: Value) -> Self {
        self.extra.push((key, value));
        self
    }

    pub fn response(&self) -> HttpResponse {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let timestamp = timestamp();
        let mut body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Value::Object(fields) = &mut body {
            for (key, value) in &self.extra {
                fields.insert((*key).to_string(), value.clone());
            }
        }
        HttpResponse::build(self.status).json(body)
    }
}

/// "2017-05-01 22:43:20Z", Entra's format.
fn timestamp() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string()
}
