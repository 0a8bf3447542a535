//! A response as the contract tests look at it: status, JSON body (null when empty), headers.

use serde_json::Value;

pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

/// Sends `request` with extra headers and an optional JSON body.
pub async fn send(
    mut request: reqwest::RequestBuilder,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Answer {
        status,
        body,
        headers,
    }
}
