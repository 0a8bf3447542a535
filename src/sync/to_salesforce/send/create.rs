//! The run's creates: each meeting claimed in the org (one Event for a shared meeting), the
//! writes an earlier attempt may have made looked for ([`super::super::twins`]), the intent
//! recorded, then the Events sent in sObject Collections.

use serde_json::{Map, Value};

use super::super::finish::{self, How};
use super::super::intent::Intent;
use super::super::plan::Write;
use super::super::rep::Item;
use super::super::twins::{self, Earlier};
use super::super::{shared, steps};
use super::{Done, EVENT, Sender, Update, refusal};
use crate::salesforce::collections::{self, MAX_RECORDS};
use crate::storage;
use crate::storage::event_links;
use crate::sync::error::SyncError;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::history::Call;

impl Sender<'_, '_> {
    /// The run's creates: claimed, looked for, their intent recorded, then sent.
    pub(super) async fn create<'j>(
        &mut self,
        creates: Vec<(usize, Item<'j>, Box<Write>)>,
        updates: &mut Vec<(usize, Item<'j>, Update)>,
        done: &mut Done<'j>,
    ) {
        let rep = &mut *self.rep;
        let mut ready = Vec::with_capacity(creates.len());
        for (i, item, write) in creates {
            let claimed = async {
                steps::follow_attendees(rep, &item, &write.relations).await?;
                shared::claim(rep, &item, &write).await
            }
            .await;
            match claimed {
                Ok(()) => ready.push((i, item, write)),
                Err(error) => done.push((i, item, Err(error))),
            }
        }
        // With the key field a create is an upsert by the link's key, and finds its Event by
        // itself; without, what an earlier attempt made is looked for first.
        let mut fresh = Vec::with_capacity(ready.len());
        if rep.shape.key_field.is_some() {
            fresh = ready;
        } else {
            let pairs: Vec<(&Item<'_>, &Write)> = ready
                .iter()
                .map(|(_, item, write)| (item, &**write))
                .collect();
            match twins::look_for(rep, &pairs).await {
                Ok(answers) => {
                    for ((i, item, write), answer) in ready.into_iter().zip(answers) {
                        match answer {
                            Earlier::Nothing => fresh.push((i, item, write)),
                            Earlier::Found {
                                event_id,
                                same: true,
                            } => {
                                let how = How::Created {
                                    call: Call::FindWritten,
                                    found_again: true,
                                };
                                let result =
                                    finish::written(rep, &item, &event_id, &write, how).await;
                                done.push((i, item, result));
                            }
                            Earlier::Found {
                                event_id,
                                same: false,
                            } => {
                                let parts = write.content.clone();
                                let update = Update {
                                    event_id,
                                    write,
                                    parts,
                                    adopted: true,
                                };
                                updates.push((i, item, update));
                            }
                            Earlier::Failed(_) => {
                                let error = answer.error().unwrap_or_else(|| {
                                    SyncError::Undecided(LinkCode::EarlierWriteAmbiguous)
                                });
                                done.push((i, item, Err(error)));
                            }
                        }
                    }
                }
                Err(error) => {
                    for (i, item, _) in ready {
                        done.push((i, item, Err(error.again())));
                    }
                }
            }
        }
        // Each intent recorded before its create is sent (rule 2).
        let now = storage::now();
        let mut sendable = Vec::with_capacity(fresh.len());
        for (i, item, write) in fresh {
            let intent = Intent::of(&write.fields, now).to_text();
            match event_links::outcome::record_write_intent(
                &rep.state.db,
                &item.link.id,
                &intent,
                now,
            )
            .await
            {
                Ok(()) => sendable.push((i, item, write)),
                Err(error) => done.push((i, item, Err(error.into()))),
            }
        }
        let call = match rep.shape.key_field {
            Some(_) => Call::Upsert,
            None => Call::Create,
        };
        while !sendable.is_empty() {
            let chunk: Vec<_> = sendable.drain(..sendable.len().min(MAX_RECORDS)).collect();
            let created = match &rep.shape.key_field {
                Some(key_field) => {
                    let records: Vec<(&str, &Map<String, Value>)> = chunk
                        .iter()
                        .map(|(_, item, w)| (item.link.id.as_str(), &w.fields.fields))
                        .collect();
                    collections::upsert(&mut rep.session, EVENT, key_field, &records).await
                }
                None => {
                    let records: Vec<&Map<String, Value>> =
                        chunk.iter().map(|(_, _, w)| &w.fields.fields).collect();
                    collections::create(&mut rep.session, EVENT, &records).await
                }
            };
            match created {
                Ok(outcomes) => {
                    for ((i, item, write), outcome) in chunk.into_iter().zip(outcomes) {
                        let result = match outcome {
                            Ok(id) => {
                                let how = How::Created {
                                    call,
                                    found_again: false,
                                };
                                finish::written(rep, &item, &id, &write, how).await
                            }
                            Err(refused) => refusal(rep, &item, refused, call).await,
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
}
