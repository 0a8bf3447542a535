//! A connected rep's Salesforce session over its life: it works, it survives the org ending
//! the session (refreshed without the rep noticing, rotated refresh tokens kept), and when the
//! refresh token is revoked the rep is told to reconnect, and can.

use outforce::storage::connections::Provider;

use crate::world::{REP_A, REP_B, World, world};

async fn stored_refresh_token(w: &World) -> Vec<u8> {
    let connection = w.stored_connection(REP_A, Provider::Salesforce).await;
    connection.refresh_token_sealed.unwrap()
}

#[tokio::test]
async fn a_session_lives_through_expiry_and_revocation_and_a_reconnect() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");

    let (status, body) = w.connection(REP_A).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["id"], w.sf_user_a.as_str());
    assert_eq!(body["user"]["username"], "avery@contoso.example");
    assert_eq!(body["user"]["name"], "Avery Rep");
    assert_eq!(body["org_id"], w.org_id.as_str());
    assert_eq!(body["mode"], "per_rep");
    assert_eq!(
        body["api_usage"]["max"], 100_000,
        "Sforce-Limit-Info recorded"
    );
    let tokens_before = w.sf.calls("token");

    // The org ends the session (timeout): the next call refreshes, unseen by the rep.
    w.sf.expire_sessions(&w.sf_user_a);
    let (status, body) = w.connection(REP_A).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(w.sf.calls("token"), tokens_before + 1, "one refresh");
    let (status, _) = w.connection(REP_A).await;
    assert_eq!(status, 200);
    assert_eq!(
        w.sf.calls("token"),
        tokens_before + 1,
        "the new session was kept"
    );

    // The admin revokes the app's refresh tokens: the rep must reconnect.
    w.sf.revoke_refresh_tokens(&w.sf_user_a);
    w.sf.expire_sessions(&w.sf_user_a);
    let (status, body) = w.connection(REP_A).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "salesforce_reconnect_needed");
    let me = w.me(REP_A).await;
    assert_eq!(me["salesforce"]["state"], "reconnect_needed");
    assert_eq!(me["salesforce"]["error"], "invalid_grant");
    let refreshes = w.sf.calls("token");
    let (status, _) = w.connection(REP_A).await;
    assert_eq!(status, 409);
    assert_eq!(
        w.sf.calls("token"),
        refreshes,
        "a dead grant is not retried"
    );

    // Reconnecting mends it.
    assert_eq!(w.connect(REP_A).await, "connected");
    let me = w.me(REP_A).await;
    assert_eq!(me["salesforce"]["state"], "connected");
    assert_eq!(me["salesforce"]["error"], serde_json::Value::Null);
    assert_eq!(w.connection(REP_A).await.0, 200);
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored_and_used_next_time() {
    let w = world().await;
    w.sf.add_connected_app(outforce_sandbox::salesforce::ConnectedApp {
        rotate_refresh_tokens: true,
        ..w.connected_app()
    });
    assert_eq!(w.connect(REP_A).await, "connected");
    let first = stored_refresh_token(&w).await;

    w.sf.expire_sessions(&w.sf_user_a);
    assert_eq!(w.connection(REP_A).await.0, 200);
    let second = stored_refresh_token(&w).await;
    assert_ne!(
        first, second,
        "the rotated refresh token replaced the old one"
    );

    // The old one is void now; only the stored new one can refresh again.
    w.sf.expire_sessions(&w.sf_user_a);
    assert_eq!(w.connection(REP_A).await.0, 200);
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "connected");
}

#[tokio::test]
async fn a_rep_without_a_connection_is_told_to_connect_and_cannot_use_anothers() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let (status, body) = w.connection(REP_B).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "salesforce_not_connected");
    assert!(!body.to_string().contains(&w.sf_user_a));
}

#[tokio::test]
async fn a_session_is_renewed_once_per_call_and_an_outage_says_so_without_detail() {
    use outforce_sandbox::salesforce::faults::Fault;
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let tokens_before = w.sf.calls("token");
    let query = "/services/data/v64.0/query";
    w.sf.script_faults(query, vec![Fault::InvalidSession, Fault::InvalidSession]);
    let (status, body) = w.connection(REP_A).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "salesforce_unavailable");
    assert_eq!(
        w.sf.calls("token"),
        tokens_before + 1,
        "one refresh, not a loop"
    );
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "connected");

    w.sf.script_faults(query, vec![Fault::InternalError]);
    let (status, body) = w.connection(REP_A).await;
    assert_eq!(status, 502);
    assert!(!body.to_string().contains("ErrorId"), "{body}");
    assert_eq!(
        w.connection(REP_A).await.0,
        200,
        "works again after the outage"
    );
}
