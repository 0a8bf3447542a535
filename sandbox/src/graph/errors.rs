//! Graph's error envelope: `{"error":{"code","message","innerError":{"date","request-id",
//! "client-request-id"}}}`.

use chrono::Utc;
use serde_json::{Value, json};

pub fn body(code: &str, message: &str) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    })
}

/// The throttling body, as Graph sends it with a 429.
pub fn throttled(code: &str, message: &str) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "code": "429",
                "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "message": "Please retry after",
                "request-id": request_id,
                "status": "429",
            },
        }
    })
}
