//! Contract tests of the Entra ID emulator: every status code, error body and field it promises,
//! checked over HTTPS against the documented shapes (reference/wire-contracts.md §5.10,
//! reference/office-platform.md §3).

use crate::client;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use outforce_sandbox::entra::{
    AppRegistration, Entra, OboFailure, Signing, TokenSpec, TokenVersion,
};
use outforce_sandbox::tls::Authority;
use serde_json::Value;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const SECRET: &str = "s3cr3t~value";
const USER: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";

struct Fixture {
    entra: Entra,
    http: reqwest::Client,
    _authority: Authority,
}

fn start() -> Fixture {
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: SECRET.into(),
        app_id_uri: format!("api://outforce.example/{API}"),
        application_permissions: vec!["Calendars.ReadWrite".into(), "Contacts.ReadWrite".into()],
    });
    let http = client::trusting(&authority, true);
    Fixture {
        entra,
        http,
        _authority: authority,
    }
}

impl Fixture {
    async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.entra.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!(
                "{}/{tenant}/oauth2/v2.0/token",
                self.entra.base_url()
            ))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Verifies a token against the published v2 keys as a careful API would.
    async fn verify(&self, token: &str) -> Result<Value, jsonwebtoken::errors::Error> {
        let keys = self.get("/common/discovery/v2.0/keys").await;
        let kid = jsonwebtoken::decode_header(token)?.kid.unwrap_or_default();
        let jwk = keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid.as_str());
        let Some(jwk) = jwk else {
            return Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into());
        };
        let jwk: Jwk = serde_json::from_value(jwk.clone()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[API, &format!("api://outforce.example/{API}")]);
        Ok(
            jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(&jwk)?, &validation)?
                .claims,
        )
    }
}

fn assert_aad_error(status: u16, body: &Value, expected_status: u16, error: &str, code: u64) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: ") && description.contains("\r\nCorrelation ID: "));
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} missing: {body}");
    }
    assert_eq!(
        body["timestamp"].as_str().unwrap().len(),
        "2017-05-01 22:43:20Z".len()
    );
}

#[tokio::test]
async fn metadata_v2_names_the_endpoints_and_the_issuer() {
    let f = start();
    let base = f.entra.base_url();
    let tenant = f
        .get(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))
        .await;
    assert_eq!(tenant["issuer"], format!("{base}/{TENANT}/v2.0"));
    assert_eq!(
        tenant["token_endpoint"],
        format!("{base}/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(
        tenant["jwks_uri"],
        format!("{base}/{TENANT}/discovery/v2.0/keys")
    );
    assert_eq!(
        tenant["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    let common = f.get("/common/v2.0/.well-known/openid-configuration").await;
    assert_eq!(
        common["issuer"],
        format!("{base}/{{tenantid}}/v2.0"),
        "common publishes the template"
    );
    let v1 = f
        .get(&format!("/{TENANT}/.well-known/openid-configuration"))
        .await;
    assert_eq!(v1["issuer"], format!("https://sts.windows.net/{TENANT}/"));
    assert_eq!(v1["jwks_uri"], format!("{base}/common/discovery/keys"));
    assert_eq!(f.entra.calls("openid_configuration_v2"), 2);
    assert_eq!(f.entra.calls("openid_configuration_v1"), 1);
}

#[tokio::test]
async fn keys_are_published_as_entra_publishes_them() {
    let f = start();
    let keys = f.get("/common/discovery/v2.0/keys").await;
    let keys = keys["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for key in keys {
        for field in ["kty", "use", "kid", "x5t", "n", "e", "x5c", "issuer"] {
            assert!(!key[field].is_null(), "{field} missing in {key}");
        }
        assert_eq!(
            (key["kty"].as_str(), key["use"].as_str(), key["e"].as_str()),
            (Some("RSA"), Some("sig"), Some("AQAB"))
        );
        assert_eq!(key["kid"], key["x5t"]);
        assert!(key.get("alg").is_none());
    }
    assert!(
        keys[0]["issuer"]
            .as_str()
            .unwrap()
            .ends_with("/{tenantid}/v2.0")
    );
    assert!(
        keys[1]["issuer"]
            .as_str()
            .unwrap()
            .ends_with("/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"),
        "the MSA key is tenant-bound"
    );
    assert_eq!(keys[0]["kid"], f.entra.current_kid().as_str());
    let v1 = f.get("/common/discovery/keys").await;
    assert_eq!(
        v1["keys"][0]["issuer"],
        "https://sts.windows.net/{tenantid}/"
    );
    assert_eq!(f.entra.calls("keys_v2"), 1);
}

#[tokio::test]
async fn minted_tokens_carry_the_v2_and_v1_claim_sets() {
    let f = start();
    let v2 = f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap();
    let claims = f.verify(&v2).await.unwrap();
    assert_eq!(
        claims["iss"],
        format!("{}/{TENANT}/v2.0", f.entra.base_url())
    );
    assert_eq!(
        (claims["ver"].as_str(), claims["scp"].as_str()),
        (Some("2.0"), Some("access_as_user"))
    );
    for field in [
        "aud",
        "tid",
        "oid",
        "azp",
        "preferred_username",
        "nbf",
        "exp",
        "iat",
        "sub",
    ] {
        assert!(!claims[field].is_null(), "{field}");
    }
    let header = jsonwebtoken::decode_header(&v2).unwrap();
    assert_eq!(
        (header.alg, header.x5t),
        (Algorithm::RS256, None),
        "v2 tokens carry only kid"
    );

    let v1_spec = TokenSpec {
        version: TokenVersion::V1,
        audience: format!("api://outforce.example/{API}"),
        ..TokenSpec::user(TENANT, USER, API)
    };
    let v1 = f.entra.mint(&v1_spec).unwrap();
    let claims = f.verify(&v1).await.unwrap();
    assert_eq!(claims["iss"], format!("https://sts.windows.net/{TENANT}/"));
    assert!(claims["appid"].is_string() && claims["upn"].is_string() && claims["azp"].is_null());
    assert!(
        jsonwebtoken::decode_header(&v1).unwrap().x5t.is_some(),
        "v1 tokens carry x5t too"
    );

    let admin = TokenSpec {
        roles: vec!["Outforce.Admin".into()],
        ..TokenSpec::user(TENANT, USER, API)
    };
    let claims = f.verify(&f.entra.mint(&admin).unwrap()).await.unwrap();
    assert_eq!(claims["roles"], serde_json::json!(["Outforce.Admin"]));
}

#[tokio::test]
async fn hostile_tokens_fail_verification() {
    let f = start();
    let user = TokenSpec::user(TENANT, USER, API);
    for signing in [
        Signing::UnpublishedKey,
        Signing::UnpublishedKeyPublishedKid,
        Signing::None,
        Signing::Hs256WithPublicKey,
    ] {
        let token = f
            .entra
            .mint(&TokenSpec {
                signing: signing.clone(),
                ..user.clone()
            })
            .unwrap();
        assert!(
            f.verify(&token).await.is_err(),
            "{signing:?} must not verify"
        );
    }
    let none = f
        .entra
        .mint(&TokenSpec {
            signing: Signing::None,
            ..user.clone()
        })
        .unwrap();
    assert!(none.ends_with('.'), "alg none has an empty signature");
    let expired = TokenSpec {
        issued_at: -7200,
        not_before: -7200,
        expires_in: -3600,
        ..user.clone()
    };
    assert!(f.verify(&f.entra.mint(&expired).unwrap()).await.is_err());
    let other_api = TokenSpec {
        audience: "00000003-0000-0000-c000-000000000000".into(),
        ..user.clone()
    };
    assert!(f.verify(&f.entra.mint(&other_api).unwrap()).await.is_err());
    let msa = f.entra.mint_with_msa_key(&user).unwrap();
    let msa_kid = jsonwebtoken::decode_header(&msa).unwrap().kid.unwrap();
    assert_ne!(msa_kid, f.entra.current_kid());
}

#[tokio::test]
async fn rotation_withdraws_the_old_key() {
    let f = start();
    let before = f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap();
    assert!(f.verify(&before).await.is_ok());
    let old_kid = f.entra.current_kid();
    f.entra.rotate_keys().unwrap();
    assert_ne!(f.entra.current_kid(), old_kid);
    assert!(
        f.verify(&before).await.is_err(),
        "old-key tokens stop validating"
    );
    let after = f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap();
    assert!(f.verify(&after).await.is_ok());
}

#[tokio::test]
async fn client_credentials_issue_an_app_only_graph_token() {
    let f = start();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", API),
        ("client_secret", SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (status, body) = f.token(TENANT, &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_i64()),
        (Some("Bearer"), Some(3599))
    );
    assert!(body["ext_expires_in"].is_i64() && body.get("refresh_token").is_none());
    let claims =
        jsonwebtoken::dangerous::insecure_decode::<Value>(body["access_token"].as_str().unwrap())
            .unwrap()
            .claims;
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(
        claims["roles"],
        serde_json::json!(["Calendars.ReadWrite", "Contacts.ReadWrite"])
    );
    assert_eq!(
        (claims["idtyp"].as_str(), claims["tid"].as_str()),
        (Some("app"), Some(TENANT))
    );
    assert_eq!(f.entra.calls("token"), 1);
}

#[tokio::test]
async fn client_credentials_errors_have_entra_shapes() {
    let f = start();
    let with = |id: &'static str, secret: &'static str, scope: &'static str| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", scope),
        ]
    };
    let (s, b) = f
        .token(
            TENANT,
            &with(
                "unknown-app",
                SECRET,
                "https://graph.microsoft.com/.default",
            ),
        )
        .await;
    assert_aad_error(s, &b, 400, "unauthorized_client", 700_016);
    let (s, b) = f
        .token(
            TENANT,
            &with(API, "wrong", "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_aad_error(s, &b, 401, "invalid_client", 7_000_215);
    let (s, b) = f
        .token(
            TENANT,
            &with(API, SECRET, "https://graph.microsoft.com/Calendars.Read"),
        )
        .await;
    assert_aad_error(s, &b, 400, "invalid_scope", 1_002_012);
    let (s, b) = f
        .token(
            "common",
            &with(API, SECRET, "https://graph.microsoft.com/.default"),
        )
        .await;
    assert_aad_error(s, &b, 400, "invalid_request", 50_059);
    let (s, b) = f
        .token(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", API),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_aad_error(s, &b, 401, "invalid_client", 7_000_218);
    let (s, b) = f
        .token(TENANT, &[("grant_type", "password"), ("client_id", API)])
        .await;
    assert_aad_error(s, &b, 400, "unsupported_grant_type", 70_003);
}

#[tokio::test]
async fn client_credentials_for_an_unregistered_resource_is_invalid_resource() {
    let f = start();
    let for_scope = |scope: &'static str| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", API),
            ("client_secret", SECRET),
            ("scope", scope),
        ]
    };
    let (s, b) = f
        .token(TENANT, &for_scope("https://nobody.example/.default"))
        .await;
    assert_aad_error(s, &b, 400, "invalid_resource", 500_011);
    assert!(
        b["error_description"]
            .as_str()
            .unwrap()
            .contains("The resource principal named https://nobody.example was not found")
    );
    let (s, b) = f
        .token(TENANT, &for_scope("api://somebody-else/.default"))
        .await;
    assert_aad_error(s, &b, 400, "invalid_resource", 500_011);

    let our_api = format!("api://outforce.example/{API}/.default");
    let (s, b) = f
        .token(
            TENANT,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", API),
                ("client_secret", SECRET),
                ("scope", our_api.as_str()),
            ],
        )
        .await;
    assert_eq!(s, 200, "an app of the tenant is a resource: {b}");
    let (s, b) = f
        .token(
            TENANT,
            &for_scope("00000003-0000-0000-c000-000000000000/.default"),
        )
        .await;
    assert_eq!(s, 200, "Graph by its application id: {b}");
    let (s, _) = f
        .token(TENANT, &for_scope("https://graph.microsoft.com//.default"))
        .await;
    assert_eq!(s, 200, "Graph with the doubled slash MSAL tolerates");
}

#[tokio::test]
async fn on_behalf_of_refuses_an_app_only_assertion() {
    let f = start();
    let app_only = TokenSpec {
        scopes: None,
        roles: vec!["Sync.All".into()],
        ..TokenSpec::user(TENANT, API, API)
    };
    let (s, b) = obo(&f, &f.entra.mint(&app_only).unwrap()).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 50_000);
    assert!(b.get("access_token").is_none());
}

fn obo_form(assertion: &str, scope: &'static str) -> Vec<(&'static str, String)> {
    vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
        ),
        ("client_id", API.into()),
        ("client_secret", SECRET.into()),
        ("assertion", assertion.into()),
        ("scope", scope.into()),
        ("requested_token_use", "on_behalf_of".into()),
    ]
}

async fn obo(f: &Fixture, assertion: &str) -> (u16, Value) {
    let form = obo_form(
        assertion,
        "https://graph.microsoft.com/Calendars.ReadWrite offline_access",
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    f.token(TENANT, &form).await
}

#[tokio::test]
async fn on_behalf_of_exchanges_the_rep_token_for_a_graph_token() {
    let f = start();
    let (status, body) = obo(
        &f,
        &f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["scope"],
        "https://graph.microsoft.com/Calendars.ReadWrite"
    );
    assert!(
        body["refresh_token"].is_string(),
        "offline_access brings a refresh token"
    );
    let claims =
        jsonwebtoken::dangerous::insecure_decode::<Value>(body["access_token"].as_str().unwrap())
            .unwrap()
            .claims;
    assert_eq!(
        (claims["oid"].as_str(), claims["scp"].as_str()),
        (Some(USER), Some("Calendars.ReadWrite"))
    );
}

#[tokio::test]
async fn on_behalf_of_failures_have_entra_shapes() {
    let f = start();
    let user = TokenSpec::user(TENANT, USER, API);
    let claims = r#"{"access_token":{"polids":{"essential":true,"values":["9ab03e19-ed42-4168-b6b7-7001fb3e933a"]}}}"#;
    f.entra.set_obo_failure(
        USER,
        Some(OboFailure::InteractionRequired {
            claims: claims.into(),
        }),
    );
    let (s, b) = obo(&f, &f.entra.mint(&user).unwrap()).await;
    assert_aad_error(s, &b, 400, "interaction_required", 50_079);
    assert_eq!(b["claims"], claims);

    f.entra
        .set_obo_failure(USER, Some(OboFailure::ConsentRequired));
    let (s, b) = obo(&f, &f.entra.mint(&user).unwrap()).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 65_001);
    assert_eq!(b["suberror"], "consent_required");
    f.entra.set_obo_failure(USER, None);

    let expired = TokenSpec {
        issued_at: -7200,
        not_before: -7200,
        expires_in: -3600,
        ..user.clone()
    };
    let (s, b) = obo(&f, &f.entra.mint(&expired).unwrap()).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 500_133);
    let for_other_api = TokenSpec {
        audience: "another-api".into(),
        ..user.clone()
    };
    let (s, b) = obo(&f, &f.entra.mint(&for_other_api).unwrap()).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 50_013);
    let forged = TokenSpec {
        signing: Signing::UnpublishedKeyPublishedKid,
        ..user.clone()
    };
    let (s, b) = obo(&f, &f.entra.mint(&forged).unwrap()).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 50_013);
}

async fn refresh(f: &Fixture, refresh_token: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", API),
        ("client_secret", SECRET),
        ("refresh_token", refresh_token),
        (
            "scope",
            "https://graph.microsoft.com/Calendars.ReadWrite offline_access",
        ),
    ];
    f.token(TENANT, &form).await
}

#[tokio::test]
async fn a_refresh_token_keeps_background_sync_going_until_revoked() {
    let f = start();
    let (_, first) = obo(
        &f,
        &f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap(),
    )
    .await;
    let first_refresh = first["refresh_token"].as_str().unwrap();

    let (status, renewed) = refresh(&f, first_refresh).await;
    assert_eq!(status, 200, "{renewed}");
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(
        renewed["access_token"].as_str().unwrap(),
    )
    .unwrap()
    .claims;
    assert_eq!(
        (claims["oid"].as_str(), claims["scp"].as_str()),
        (Some(USER), Some("Calendars.ReadWrite"))
    );
    let second_refresh = renewed["refresh_token"]
        .as_str()
        .expect("a new refresh token each time");
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(
        refresh(&f, first_refresh).await.0,
        200,
        "the old refresh token stays valid"
    );

    // Conditional Access applies to refreshes too.
    let claims = r#"{"access_token":{"polids":{"essential":true,"values":["p1"]}}}"#;
    f.entra.set_obo_failure(
        USER,
        Some(OboFailure::InteractionRequired {
            claims: claims.into(),
        }),
    );
    let (s, b) = refresh(&f, second_refresh).await;
    assert_aad_error(s, &b, 400, "interaction_required", 50_079);
    f.entra.set_obo_failure(USER, None);

    f.entra.revoke_refresh_tokens(USER);
    let (s, b) = refresh(&f, second_refresh).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 50_173);
    let (s, b) = refresh(&f, "0.Anot-a-token").await;
    assert_aad_error(s, &b, 400, "invalid_grant", 9_002_313);
}

/// An idle refresh token expires: Entra refuses one unused for longer than its inactivity
/// lifetime (90 days by default) with `invalid_grant`, AADSTS700082, naming when it was issued
/// and how long it was idle ("Refresh tokens": learn.microsoft.com/entra/identity-platform/
/// refresh-tokens, "Token lifetime"). Each use starts the idle time again. Entra's clock moves
/// with `advance_clock`, as Salesforce's and Graph's do.
#[tokio::test]
async fn a_refresh_token_idle_past_its_inactivity_lifetime_is_refused() {
    let f = start();
    let (_, first) = obo(
        &f,
        &f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap(),
    )
    .await;
    let kept = first["refresh_token"].as_str().unwrap().to_string();
    let (_, other) = obo(
        &f,
        &f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap(),
    )
    .await;
    let idle = other["refresh_token"].as_str().unwrap().to_string();

    let day = std::time::Duration::from_secs(86_400);
    f.entra.advance_clock(60 * day);
    assert_eq!(refresh(&f, &kept).await.0, 200, "used on day 60");
    f.entra.advance_clock(60 * day);
    assert_eq!(
        refresh(&f, &kept).await.0,
        200,
        "day 120: idle 60 days only"
    );

    let (s, b) = refresh(&f, &idle).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 700_082);
    let description = b["error_description"].as_str().unwrap();
    assert!(
        description.starts_with("AADSTS700082: The refresh token has expired due to inactivity.")
            && description.contains("was inactive for 90.00:00:00."),
        "{description}"
    );

    f.entra
        .set_refresh_inactivity(std::time::Duration::from_secs(12 * 3600));
    f.entra
        .advance_clock(std::time::Duration::from_secs(13 * 3600));
    let (s, b) = refresh(&f, &kept).await;
    assert_aad_error(s, &b, 400, "invalid_grant", 700_082);
    assert!(
        b["error_description"]
            .as_str()
            .unwrap()
            .contains("inactive for 12:00:00.")
    );
}

/// The token endpoint fails now and then: 503 `temporarily_unavailable` or 500 `server_error`
/// (the transient error, AADSTS90033, which the Microsoft identity platform's error codes tell
/// clients to retry), or answers late. Scripted faults apply to the next calls in order,
/// whatever the grant.
#[tokio::test]
async fn token_endpoint_faults_come_in_order_and_then_it_answers() {
    use outforce_sandbox::entra::TokenFault;
    let f = start();
    let assertion = f.entra.mint(&TokenSpec::user(TENANT, USER, API)).unwrap();
    f.entra.script_token_faults(vec![
        TokenFault::TemporarilyUnavailable,
        TokenFault::ServerError,
        TokenFault::Latency(std::time::Duration::from_millis(300)),
    ]);
    let (s, b) = obo(&f, &assertion).await;
    assert_aad_error(s, &b, 503, "temporarily_unavailable", 90_033);
    let (s, b) = obo(&f, &assertion).await;
    assert_aad_error(s, &b, 500, "server_error", 90_033);
    let started = std::time::Instant::now();
    let (s, _) = obo(&f, &assertion).await;
    assert_eq!(s, 200);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "held back"
    );
    assert_eq!(obo(&f, &assertion).await.0, 200, "no fault left");

    f.entra
        .script_token_faults(vec![TokenFault::ServerError, TokenFault::ServerError]);
    f.entra.script_token_faults(Vec::new());
    assert_eq!(
        obo(&f, &assertion).await.0,
        200,
        "an empty script clears the queue"
    );
}
