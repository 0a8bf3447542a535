//! The names of the records a link relates to: as Salesforce holds them now (one Composite
//! call, kept a few minutes per rep), or as the rep saw them when Salesforce cannot say.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::extract::Rep;
use crate::relations::Kind;
use crate::state::AppState;

/// A record the meeting is related to.
#[derive(Serialize, ToSchema)]
pub struct RelatedRecord {
    pub(super) id: String,
    #[serde(rename = "type")]
    pub(super) kind: Kind,
    /// As Salesforce holds it now, or as the rep saw it when Salesforce cannot say; `null`
    /// when neither is known.
    pub(super) name: Option<String>,
}

/// Whether a view's names are asked of Salesforce (when reading a link) or are those the rep
/// just sent (when saving it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Names {
    Refreshed,
    AsStored,
}

/// The names of `ids` as Salesforce holds them now, from the cache or one Composite call; none
/// when Salesforce cannot be asked (the stored names stand in).
pub(super) async fn current_names(
    state: &AppState,
    rep: &Rep,
    ids: &[&str],
) -> HashMap<String, Arc<str>> {
    let mut known = HashMap::new();
    let mut missing = Vec::new();
    for id in ids {
        match state
            .record_names
            .get(&(rep.user.id.clone(), id.to_string()))
            .await
        {
            Some(name) => {
                known.insert(id.to_string(), name);
            }
            None => missing.push(*id),
        }
    }
    if missing.is_empty() {
        return known;
    }
    let asked = async {
        let mut session = state.sessions.open(&rep.user).await?;
        crate::salesforce::records::names(&mut session, &missing).await
    };
    match asked.await {
        Ok(found) => {
            for (id, name) in found {
                let name: Arc<str> = name.into();
                state
                    .record_names
                    .insert((rep.user.id.clone(), id.clone()), Arc::clone(&name))
                    .await;
                known.insert(id, name);
            }
        }
        Err(error) => tracing::info!(error = %error, "related records' names not refreshed"),
    }
    known
}
