//! An HTTPS client that trusts the sandbox's certificate authority and nothing else.

use outforce_sandbox::tls::Authority;

/// Follows no redirects when `follow_redirects` is false, so OAuth redirects can be inspected.
pub fn trusting(authority: &Authority, follow_redirects: bool) -> reqwest::Client {
    let ca =
        reqwest::Certificate::from_pem(authority.pem().as_bytes()).expect("the sandbox CA is PEM");
    let redirects = if follow_redirects {
        reqwest::redirect::Policy::default()
    } else {
        reqwest::redirect::Policy::none()
    };
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .redirect(redirects)
        .build()
        .expect("an HTTPS client")
}
