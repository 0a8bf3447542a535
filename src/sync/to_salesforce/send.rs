//! The send phase: each link's plan carried out. Single steps go link by link
//! ([`super::steps`]); creates, updates and deletes go to Salesforce as sObject Collections,
//! 200 records a call, each record finished with its own outcome ([`super::finish`]). Before
//! any of them, the relations the attendees call for are recorded; before a create, the
//! meeting is claimed in the org (one Event for a shared meeting), the writes an earlier
//! attempt may have made are looked for ([`super::twins`]), and the intent is recorded.

use serde_json::{Map, Value};

use super::finish::{self, How, entry, seen};
use super::merge;
use super::plan::{Plan, Removal, Write};
use super::rep::{Item, Rep};
use super::{series, shared, steps};
use crate::salesforce::SalesforceError;
use crate::salesforce::collections::{self, MAX_RECORDS};
use crate::storage;
use crate::storage::event_links::{self, EventLink, LinkState};
use crate::sync::error::SyncError;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;
use crate::sync::model::history::{Action, Call, Detail};

/// The run's creates.
mod create;

const EVENT: &str = "Event";

/// The links done so far, each with its result.
pub(super) type Done<'j> = Vec<(usize, Item<'j>, Result<(), SyncError>)>;

/// An update to send: only the parts Outlook changed since both sides last agreed.
pub(super) struct Update {
    pub event_id: String,
    pub write: Box<Write>,
    pub parts: Content,
    /// An earlier attempt's create, found again: written as Outlook says now.
    pub adopted: bool,
}

pub(super) struct Sender<'r, 's> {
    rep: &'r mut Rep<'s>,
}

impl<'r, 's> Sender<'r, 's> {
    pub fn new(rep: &'r mut Rep<'s>) -> Self {
        Self { rep }
    }

    /// Carries out every plan of the run: each link's result.
    pub async fn carry_out<'j>(mut self, planned: Vec<(usize, Item<'j>, Plan)>) -> Done<'j> {
        let mut done: Done<'j> = Vec::with_capacity(planned.len());
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        let mut deletes = Vec::new();
        for (i, item, plan) in planned {
            let rep = &mut *self.rep;
            let result = match plan {
                Plan::Nothing => Ok(()),
                Plan::InStep { event_id, write } => {
                    steps::in_step(rep, &item, &event_id, &write).await
                }
                Plan::Create(write) => {
                    creates.push((i, item, write));
                    continue;
                }
                Plan::Update {
                    event_id,
                    write,
                    parts,
                } => match steps::follow_attendees(rep, &item, &write.relations).await {
                    Ok(()) => {
                        let update = Update {
                            event_id,
                            write,
                            parts,
                            adopted: false,
                        };
                        updates.push((i, item, update));
                        continue;
                    }
                    Err(error) => Err(error),
                },
                Plan::Join { event_id } => shared::join(rep, &item, &event_id).await,
                Plan::TakeOver {
                    event_id,
                    owner,
                    write,
                } => {
                    let taken = async {
                        steps::follow_attendees(rep, &item, &write.relations).await?;
                        shared::take_over(rep, &item, &event_id, &owner, &write).await
                    }
                    .await;
                    match taken {
                        Ok(()) => {
                            // The Event is now this rep's: written whole, as their Outlook says.
                            let parts = write.content.clone();
                            let update = Update {
                                event_id,
                                write,
                                parts,
                                adopted: false,
                            };
                            updates.push((i, item, update));
                            continue;
                        }
                        Err(error) => Err(error),
                    }
                }
                Plan::WaitForOwner => Err(shared::wait_for_owner()),
                Plan::Skip { code, time_zone } => steps::skip(rep, &item, code, time_zone).await,
                Plan::Drop {
                    code,
                    change_key,
                    relations,
                } => {
                    let key = change_key.as_deref();
                    match relations {
                        Some(related) => {
                            match steps::follow_attendees(rep, &item, &related).await {
                                Ok(()) => {
                                    steps::leave_sync(rep, &item, code, Action::Skipped, key).await
                                }
                                Err(error) => Err(error),
                            }
                        }
                        None => steps::leave_sync(rep, &item, code, Action::Skipped, key).await,
                    }
                }
                Plan::LeaveScope { code, change_key } => {
                    let key = change_key.as_deref();
                    steps::leave_sync(rep, &item, code, Action::LeftScope, key).await
                }
                Plan::AskForRound => steps::ask_for_round(rep, &item).await,
                Plan::ExpandSeries(master) => series::expand(rep, &item, &master).await,
                Plan::Leave(code) => shared::leave(rep, &item, code).await,
                Plan::Remove { why, fate } => match steps::remove(rep, &item, why, fate).await {
                    Ok(Some(event_id)) => {
                        deletes.push((i, item, event_id, why));
                        continue;
                    }
                    Ok(None) => Ok(()),
                    Err(error) => Err(error),
                },
            };
            done.push((i, item, result));
        }
        self.create(creates, &mut updates, &mut done).await;
        self.update(updates, &mut done).await;
        self.delete(deletes, &mut done).await;
        done
    }

    /// The run's updates: those whose Event Salesforce changed since wait for its merge
    /// (both ways); the others' parts sent.
    async fn update<'j>(&mut self, updates: Vec<(usize, Item<'j>, Update)>, done: &mut Done<'j>) {
        let rep = &mut *self.rep;
        let checked: Vec<(&EventLink, &str)> = updates
            .iter()
            .map(|(_, item, update)| (&item.link, update.event_id.as_str()))
            .collect();
        let changed = merge::changed_in_salesforce(rep, &checked).await;
        drop(checked);
        let mut updates = match changed {
            Ok(changed) if changed.is_empty() => updates,
            Ok(changed) => {
                let mut rest = Vec::with_capacity(updates.len());
                for update in updates {
                    if changed.contains(&update.2.event_id) {
                        done.push((update.0, update.1, Err(merge::wait_for_merge())));
                    } else {
                        rest.push(update);
                    }
                }
                if let Err(error) = merge::ask_for_merge(rep).await {
                    tracing::warn!(user = %rep.user.id, error = %error, "the merge of Salesforce's changes was not queued; the next poll queues it");
                }
                rest
            }
            Err(error) => {
                for (i, item, _) in updates {
                    done.push((i, item, Err(error.again())));
                }
                return;
            }
        };
        while !updates.is_empty() {
            let chunk: Vec<_> = updates.drain(..updates.len().min(MAX_RECORDS)).collect();
            let fields: Vec<Map<String, Value>> = chunk
                .iter()
                .map(|(_, _, u)| u.parts.to_salesforce())
                .collect();
            let records: Vec<(&str, &Map<String, Value>)> = chunk
                .iter()
                .zip(&fields)
                .map(|((_, _, u), f)| (u.event_id.as_str(), f))
                .collect();
            match collections::update(&mut rep.session, EVENT, &records).await {
                Ok(outcomes) => {
                    for ((i, item, update), outcome) in chunk.into_iter().zip(outcomes) {
                        let result = match outcome {
                            Ok(()) => {
                                let how = if update.adopted {
                                    How::Created {
                                        call: Call::Update,
                                        found_again: true,
                                    }
                                } else {
                                    How::Updated {
                                        parts: update.parts,
                                    }
                                };
                                finish::written(rep, &item, &update.event_id, &update.write, how)
                                    .await
                            }
                            Err(refused) => refusal(rep, &item, refused, Call::Update).await,
                        };
                        done.push((i, item, result));
                    }
                }
                Err(error) => {
                    let error = SyncError::from(error);
                    for (i, item, _) in chunk {
                        done.push((i, item, Err(error.again())));
                    }
                }
            }
        }
    }

    /// The run's deletions. An Event gone already (deleted in Salesforce, or by an earlier
    /// attempt) is done.
    async fn delete<'j>(
        &mut self,
        mut deletes: Vec<(usize, Item<'j>, String, Removal)>,
        done: &mut Done<'j>,
    ) {
        let rep = &mut *self.rep;
        while !deletes.is_empty() {
            let chunk: Vec<_> = deletes.drain(..deletes.len().min(MAX_RECORDS)).collect();
            let ids: Vec<&str> = chunk.iter().map(|(_, _, id, _)| id.as_str()).collect();
            match collections::delete(&mut rep.session, &ids).await {
                Ok(outcomes) => {
                    for ((i, item, id, why), outcome) in chunk.into_iter().zip(outcomes) {
                        let result = match outcome {
                            Ok(_) => finish::deleted(rep, &item, &id, why).await,
                            Err(refused) => refusal(rep, &item, refused, Call::Delete).await,
                        };
                        done.push((i, item, result));
                    }
                }
                Err(error) => {
                    let error = SyncError::from(error);
                    for (i, item, _, _) in chunk {
                        done.push((i, item, Err(error.again())));
                    }
                }
            }
        }
    }
}

/// A record Salesforce refused inside a Collections call: that link alone fails, for good
/// unless the cause passes (a locked row, a busy server). The history keeps Salesforce's code
/// and the call; the rep's next change to the meeting tries again.
async fn refusal(
    rep: &Rep<'_>,
    item: &Item<'_>,
    refused: SalesforceError,
    call: Call,
) -> Result<(), SyncError> {
    let code = match refused {
        SalesforceError::Api { code, .. } if !code.is_transient() => code,
        other => return Err(other.into()),
    };
    let detail = seen(
        item,
        Detail {
            salesforce_code: Some(code.to_string()),
            call: Some(call),
            ..Detail::because(LinkCode::SalesforceRejected)
        },
    );
    let entry = entry(item, Action::Rejected, &detail);
    event_links::outcome::set_state(
        &rep.state.db,
        &item.link.id,
        LinkState::Failed,
        Some(LinkCode::SalesforceRejected),
        Some(&entry),
        storage::now(),
    )
    .await?;
    Ok(())
}
