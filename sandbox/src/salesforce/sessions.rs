//! Authorization codes, sessions (access tokens) and refresh tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Who a code, session or refresh token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: String,
    pub org_id: String,
    pub consumer_key: String,
    pub scope: String,
}

pub struct PendingCode {
    pub grant: Grant,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    expires: Instant,
}

struct Session {
    grant: Grant,
    expires: Instant,
    /// The refresh token that minted it: revoking that one ends this session too.
    refresh_token: Option<String>,
}

pub struct Sessions {
    timeout: Duration,
    codes: HashMap<String, PendingCode>,
    access: HashMap<String, Session>,
    refresh: HashMap<String, Grant>,
}

/// An authorization code is good for 15 minutes, once.
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

impl Sessions {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The emulator's clock moved forward: codes and sessions are that much nearer their end.
    pub fn advance(&mut self, by: Duration) {
        let now = Instant::now();
        let earlier = |t: Instant| t.checked_sub(by).unwrap_or(now).min(t);
        for code in self.codes.values_mut() {
            code.expires = earlier(code.expires);
        }
        for session in self.access.values_mut() {
            session.expires = earlier(session.expires);
        }
    }

    pub fn issue_code(
        &mut self,
        grant: Grant,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        let code = format!("aPrx{}", random());
        let pending = PendingCode {
            grant,
            redirect_uri: redirect_uri.into(),
            code_challenge,
            expires: Instant::now() + CODE_LIFETIME,
        };
        self.codes.insert(code.clone(), pending);
        code
    }

    /// The code's grant, once: a second use finds nothing.
    pub fn take_code(&mut self, code: &str) -> Option<PendingCode> {
        self.codes
            .remove(code)
            .filter(|pending| pending.expires > Instant::now())
    }

    /// A session for `grant`, started by `refresh_token` if one minted it.
    pub fn issue_access(&mut self, grant: &Grant, refresh_token: Option<&str>) -> String {
        let org15 = grant.org_id.get(..15).unwrap_or(&grant.org_id);
        let token = format!("{org15}!AR8AQ{}", random());
        let session = Session {
            grant: grant.clone(),
            expires: Instant::now() + self.timeout,
            refresh_token: refresh_token.map(str::to_string),
        };
        self.access.insert(token.clone(), session);
        token
    }

    pub fn issue_refresh(&mut self, grant: &Grant) -> String {
        let token = format!("5Aep861{}", random());
        self.refresh.insert(token.clone(), grant.clone());
        token
    }

    /// The grant behind a live access token.
    pub fn session(&self, access_token: &str) -> Option<&Grant> {
        self.access
            .get(access_token)
            .filter(|session| session.expires > Instant::now())
            .map(|session| &session.grant)
    }

    pub fn refresh_grant(&self, refresh_token: &str) -> Option<&Grant> {
        self.refresh.get(refresh_token)
    }

    /// Replaces a refresh token with a new one for the same grant (rotation).
    pub fn rotate(&mut self, refresh_token: &str) -> Option<String> {
        let grant = self.refresh.remove(refresh_token)?;
        Some(self.issue_refresh(&grant))
    }

    /// Revokes an access token, or a refresh token and every session it minted. `false` when
    /// the token is unknown.
    pub fn revoke(&mut self, token: &str) -> bool {
        if self.access.remove(token).is_some() {
            return true;
        }
        if self.refresh.remove(token).is_some() {
            self.access
                .retain(|_, session| session.refresh_token.as_deref() != Some(token));
            return true;
        }
        false
    }

    pub fn expire_access_of(&mut self, user_id: &str) {
        self.access
            .retain(|_, session| session.grant.user_id != user_id);
    }

    pub fn revoke_refresh_of(&mut self, user_id: &str) {
        self.refresh.retain(|_, grant| grant.user_id != user_id);
    }
}

fn random() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
