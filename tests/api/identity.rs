//! The task pane's Entra tokens: every hostile token is refused with 401 and a stable code (and
//! a `WWW-Authenticate` challenge); good v2 and v1 tokens pass; key rotation costs exactly one
//! JWKS refetch; a cached validation never outlives the token; the admin role is enforced.

use std::time::Duration;

use outforce_sandbox::entra::{Entra, MSA_TENANT, Signing, TokenSpec, TokenVersion};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_with};
use crate::signed_in::{self, API, TENANT};

const OTHER_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";

struct Fixture {
    app: TestApp,
    entra: Entra,
    _tenant_dirs: (tempfile::TempDir, Option<tempfile::TempDir>),
}

async fn fixture_with(allowed_tenants: &[&str]) -> Fixture {
    let tenant = signed_in::tenant();
    let (mut loaded, db_dir) = tenant.settings().await;
    loaded.settings.entra.allowed_tenants = allowed_tenants.iter().map(|t| t.to_string()).collect();
    let app = spawn_with(loaded, outforce::startup::registry()).await;
    let signed_in::Tenant { entra, ca_dir, .. } = tenant;
    Fixture {
        app,
        entra,
        _tenant_dirs: (ca_dir, db_dir),
    }
}

async fn fixture() -> Fixture {
    fixture_with(&[]).await
}

fn rep() -> TokenSpec {
    TokenSpec::user(TENANT, REP, API)
}

impl Fixture {
    fn mint(&self, spec: &TokenSpec) -> String {
        self.entra.mint(spec).unwrap()
    }

    async fn me(&self, token: Option<&str>) -> (u16, Value, Option<String>) {
        let mut request = self
            .app
            .client
            .get(format!("{}/api/v1/me", self.app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string());
        (status, response.json().await.unwrap(), challenge)
    }

    /// Asserts a 401 with `code` in the envelope and in the challenge.
    async fn refused(&self, token: Option<&str>, code: &str) {
        let (status, body, challenge) = self.me(token).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["request_id"].is_string());
        let challenge = challenge.expect("a 401 carries WWW-Authenticate");
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        if token.is_some() {
            assert!(
                challenge.contains(&format!("error_description=\"{code}\"")),
                "{challenge}"
            );
        }
    }
}

#[tokio::test]
async fn a_v2_token_for_our_api_identifies_the_rep() {
    let f = fixture().await;
    let (status, body, _) = f.me(Some(&f.mint(&rep()))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenant_id"], TENANT);
    assert_eq!(body["display_name"], "Sandbox Rep");
    assert_eq!(body["is_admin"], false);
    assert_eq!(body["salesforce"]["state"], "not_connected");
}

#[tokio::test]
async fn a_v1_token_with_the_app_id_uri_identifies_the_rep() {
    let f = fixture().await;
    let mut spec = rep();
    spec.version = TokenVersion::V1;
    spec.audience = signed_in::app_id_uri();
    assert_eq!(f.me(Some(&f.mint(&spec))).await.0, 200);
}

#[tokio::test]
async fn no_token() {
    fixture().await.refused(None, "token_missing").await;
}

#[tokio::test]
async fn a_malformed_token() {
    let f = fixture().await;
    f.refused(Some("not-a-jwt"), "token_malformed").await;
    f.refused(Some("eyJhbGciOiJSUzI1NiJ9.e30"), "token_malformed")
        .await;
}

#[tokio::test]
async fn alg_none() {
    let f = fixture().await;
    let mut spec = rep();
    spec.signing = Signing::None;
    f.refused(Some(&f.mint(&spec)), "token_algorithm").await;
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_bytes() {
    let f = fixture().await;
    let mut spec = rep();
    spec.signing = Signing::Hs256WithPublicKey;
    f.refused(Some(&f.mint(&spec)), "token_algorithm").await;
}

#[tokio::test]
async fn an_unknown_kid_after_one_refetch() {
    let f = fixture().await;
    assert_eq!(f.me(Some(&f.mint(&rep()))).await.0, 200);
    assert_eq!(f.app.state.identity.key_fetches(), 1);
    let mut spec = rep();
    spec.signing = Signing::UnpublishedKey;
    f.refused(Some(&f.mint(&spec)), "token_unknown_key").await;
    assert_eq!(
        f.app.state.identity.key_fetches(),
        2,
        "one refetch for an unknown kid"
    );
    for _ in 0..5 {
        f.refused(Some(&f.mint(&spec)), "token_unknown_key").await;
    }
    assert_eq!(
        f.app.state.identity.key_fetches(),
        2,
        "a flood of unknown kids is rate-limited"
    );
}

#[tokio::test]
async fn a_forged_signature_under_a_published_kid() {
    let f = fixture().await;
    let mut spec = rep();
    spec.signing = Signing::UnpublishedKeyPublishedKid;
    f.refused(Some(&f.mint(&spec)), "token_signature").await;
}

#[tokio::test]
async fn a_valid_signature_for_another_audience() {
    let f = fixture().await;
    let mut spec = rep();
    spec.audience = "00000003-0000-0000-c000-000000000000".into();
    f.refused(Some(&f.mint(&spec)), "token_audience").await;
}

#[tokio::test]
async fn a_token_for_another_apis_audience() {
    let f = fixture().await;
    let mut spec = rep();
    spec.audience = "api://someone-else.example/7d0c1c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f".into();
    f.refused(Some(&f.mint(&spec)), "token_audience").await;
}

#[tokio::test]
async fn another_authoritys_issuer_for_this_tid() {
    let f = fixture().await;
    let mut spec = rep();
    spec.issuer = Some(format!("https://login.microsoftonline.com/{TENANT}/v2.0"));
    f.refused(Some(&f.mint(&spec)), "token_issuer").await;
}

#[tokio::test]
async fn an_issuer_of_another_tenant_than_tid() {
    let f = fixture().await;
    let mut spec = rep();
    spec.issuer = Some(format!("{}/{OTHER_TENANT}/v2.0", f.entra.base_url()));
    f.refused(Some(&f.mint(&spec)), "token_issuer").await;
}

#[tokio::test]
async fn an_expired_token() {
    let f = fixture().await;
    let mut spec = rep();
    spec.issued_at = -7200;
    spec.not_before = -7200;
    spec.expires_in = -3600;
    f.refused(Some(&f.mint(&spec)), "token_expired").await;
}

#[tokio::test]
async fn a_token_not_yet_valid() {
    let f = fixture().await;
    let mut spec = rep();
    spec.not_before = 3600;
    f.refused(Some(&f.mint(&spec)), "token_not_yet_valid").await;
}

#[tokio::test]
async fn a_missing_or_wrong_scope() {
    let f = fixture().await;
    let mut spec = rep();
    spec.scopes = None;
    f.refused(Some(&f.mint(&spec)), "token_scope").await;
    spec.scopes = Some("Files.Read".into());
    f.refused(Some(&f.mint(&spec)), "token_scope").await;
}

#[tokio::test]
async fn a_personal_account() {
    let f = fixture().await;
    let spec = TokenSpec::user(MSA_TENANT, REP, API);
    let token = f.entra.mint_with_msa_key(&spec).unwrap();
    f.refused(Some(&token), "personal_account").await;
}

#[tokio::test]
async fn the_personal_accounts_key_cannot_sign_for_a_work_tenant() {
    let f = fixture().await;
    let token = f.entra.mint_with_msa_key(&rep()).unwrap();
    f.refused(Some(&token), "token_issuer").await;
}

#[tokio::test]
async fn a_tenant_not_on_the_allow_list() {
    let f = fixture_with(&[OTHER_TENANT]).await;
    f.refused(Some(&f.mint(&rep())), "tenant_not_allowed").await;
}

#[tokio::test]
async fn a_tampered_payload() {
    let f = fixture().await;
    let token = f.mint(&rep());
    let parts: Vec<&str> = token.split('.').collect();
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
    claims["oid"] = Value::String("0c4e9ab2-1d7a-4a2f-9d59-4c0c1e6d2f11".into());
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(claims.to_string()),
        parts[2]
    );
    f.refused(Some(&forged), "token_signature").await;
}

#[tokio::test]
async fn after_key_rotation_new_tokens_pass_and_old_ones_fail_with_one_refetch() {
    let f = fixture().await;
    let old = f.mint(&rep());
    assert_eq!(f.me(Some(&old)).await.0, 200);
    f.entra.rotate_keys().unwrap();
    let new = f.mint(&rep());
    assert_eq!(f.me(Some(&new)).await.0, 200);
    assert_eq!(
        f.app.state.identity.key_fetches(),
        2,
        "exactly one refetch for the new kid"
    );
    f.refused(Some(&old), "token_unknown_key").await;
    assert_eq!(f.app.state.identity.key_fetches(), 2);
}

#[tokio::test]
async fn a_cached_validation_never_outlives_the_token() {
    let f = fixture().await;
    let mut spec = rep();
    spec.expires_in = 2;
    let token = f.mint(&spec);
    assert_eq!(f.me(Some(&token)).await.0, 200);
    assert_eq!(f.me(Some(&token)).await.0, 200, "from the cache");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    f.refused(Some(&token), "token_expired").await;
}

#[tokio::test]
async fn the_admin_route_needs_the_admin_role() {
    let f = fixture().await;
    let url = format!("{}/api/v1/admin/tenant", f.app.address);
    let plain = f
        .app
        .client
        .get(&url)
        .bearer_auth(f.mint(&rep()))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 403);
    let challenge = plain.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    let body: Value = plain.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_admin");
    let mut admin = rep();
    admin.roles = vec!["Outforce.Admin".into()];
    let allowed = f
        .app
        .client
        .get(&url)
        .bearer_auth(f.mint(&admin))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let body: Value = allowed.json().await.unwrap();
    assert_eq!(body["reps"], 1);
}

#[tokio::test]
async fn a_token_with_a_critical_header_extension_is_refused() {
    let f = fixture().await;
    let mut spec = rep();
    spec.signing = Signing::PublishedWithCriticalHeader;
    f.refused(Some(&f.mint(&spec)), "token_critical_header")
        .await;
}

#[tokio::test]
async fn the_personal_accounts_tenant_in_upper_case_is_still_a_personal_account() {
    let f = fixture().await;
    let spec = TokenSpec::user(&MSA_TENANT.to_uppercase(), REP, API);
    f.refused(Some(&f.mint(&spec)), "personal_account").await;
    let allowed = fixture_with(&[&TENANT.to_uppercase()]).await;
    let (status, body, _) = allowed.me(Some(&allowed.mint(&rep()))).await;
    assert_eq!(
        status, 200,
        "an allow-list entry in upper case still matches: {body}"
    );
    assert_eq!(body["tenant_id"], TENANT);
}

#[tokio::test]
async fn a_sovereign_clouds_v1_issuer_comes_from_its_metadata() {
    let f = fixture().await;
    f.entra
        .set_v1_issuer("https://sts.chinacloudapi.cn/{tenantid}/");
    let v1 = TokenSpec {
        version: TokenVersion::V1,
        audience: crate::signed_in::app_id_uri(),
        ..rep()
    };
    let (status, body, _) = f.me(Some(&f.mint(&v1))).await;
    assert_eq!(status, 200, "{body}");
    let public_cloud = TokenSpec {
        issuer: Some(format!("https://sts.windows.net/{TENANT}/")),
        ..v1
    };
    f.refused(Some(&f.mint(&public_cloud)), "token_issuer")
        .await;
}
