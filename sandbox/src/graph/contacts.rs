//! Contacts and contact folders (`/contacts`, `/contactFolders`, `childFolders`, contacts in a
//! folder, delta per folder) and the mailbox's master categories.

use serde_json::{Map, Value, json};

use super::api::{Call, Change, Env, Reply, entity, page};
use super::delta;
use super::mailbox::{Contact, Folder, Ids, Tombstone, change_key, opaque};
use super::time::stamp;
use super::views::etag;

const COMPUTED: &[&str] = &[
    "id",
    "@odata.etag",
    "@odata.context",
    "changeKey",
    "createdDateTime",
    "lastModifiedDateTime",
    "parentFolderId",
];
const MAX_EMAILS: usize = 3;

pub fn route(env: &mut Env<'_>, call: &Call<'_>, mailbox: &str, rest: &[&str]) -> Reply {
    let default = match env.mailboxes.get(mailbox) {
        Some(m) => m.default_folder.clone(),
        None => return Reply::not_found(),
    };
    match (call.method, rest) {
        ("GET", ["contacts", "delta"]) => delta::contacts(env, call, mailbox, &default),
        ("GET", ["contactFolders", folder, "contacts", "delta"]) => {
            delta::contacts(env, call, mailbox, folder)
        }
        (_, ["contacts"]) => collection(env, call, mailbox, &default),
        (_, ["contacts", id]) => item(env, call, mailbox, Some(&default), id),
        ("GET", ["contactFolders"]) => folders(env, call, mailbox, None),
        ("POST", ["contactFolders"]) => create_folder(env, call, mailbox, None),
        ("GET", ["contactFolders", folder]) => {
            match env.mailboxes.get(mailbox).and_then(|m| m.folder(folder)) {
                Some(f) => Reply::ok(folder_json(f)),
                None => Reply::not_found(),
            }
        }
        ("GET", ["contactFolders", folder, "childFolders"]) => {
            folders(env, call, mailbox, Some(folder))
        }
        ("POST", ["contactFolders", folder, "childFolders"]) => {
            create_folder(env, call, mailbox, Some(folder))
        }
        (_, ["contactFolders", folder, "contacts"]) => collection(env, call, mailbox, folder),
        (_, ["contactFolders", folder, "contacts", id]) => {
            item(env, call, mailbox, Some(folder), id)
        }
        ("GET", ["outlook", "masterCategories"]) => {
            let categories = env
                .mailboxes
                .get(mailbox)
                .map(|m| m.master_categories.clone())
                .unwrap_or_default();
            Reply::ok(
                json!({ "@odata.context": format!("{}/$metadata#users('{mailbox}')/outlook/masterCategories", call.base), "value": categories }),
            )
        }
        ("POST", ["outlook", "masterCategories"]) => create_category(env, call, mailbox),
        _ => Reply::error(
            405,
            "ErrorInvalidRequest",
            "The OData request is not supported.",
        ),
    }
}

pub fn contact_json(contact: &Contact, immutable: bool, select: Option<&[String]>) -> Value {
    let mut out = Map::new();
    out.insert("@odata.etag".into(), json!(etag(&contact.change_key)));
    out.insert("id".into(), json!(contact.ids.shown(immutable)));
    let defaults = json!({
        "createdDateTime": stamp(contact.created),
        "lastModifiedDateTime": stamp(contact.modified),
        "changeKey": contact.change_key,
        "categories": [],
        "parentFolderId": contact.folder,
        "birthday": null, "fileAs": "", "displayName": "", "givenName": null, "initials": null, "middleName": null,
        "nickName": null, "surname": null, "title": null, "yomiGivenName": null, "yomiSurname": null, "yomiCompanyName": null,
        "generation": null, "imAddresses": [], "jobTitle": null, "companyName": null, "department": null, "officeLocation": null,
        "profession": null, "businessHomePage": null, "assistantName": null, "manager": null, "homePhones": [], "mobilePhone": null,
        "businessPhones": [], "spouseName": null, "personalNotes": "", "children": [], "emailAddresses": [],
        "homeAddress": {}, "businessAddress": {}, "otherAddress": {},
    });
    if let Value::Object(defaults) = defaults {
        for (key, value) in defaults {
            let given = contact.props.get(&key).filter(|_| key != "parentFolderId");
            out.insert(key, given.cloned().unwrap_or(value));
        }
    }
    for (key, value) in &contact.props {
        out.entry(key.clone()).or_insert_with(|| value.clone());
    }
    if out.get("displayName").and_then(Value::as_str) == Some("") {
        let name = [contact.props.get("givenName"), contact.props.get("surname")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        out.insert("displayName".into(), json!(name));
    }
    if let Some(select) = select {
        out.retain(|key, _| {
            key == "id"
                || key == "@odata.etag"
                || select.iter().any(|s| s.eq_ignore_ascii_case(key))
        });
    }
    Value::Object(out)
}

fn folder_json(folder: &Folder) -> Value {
    json!({ "id": folder.id, "displayName": folder.display_name, "parentFolderId": folder.parent })
}

fn folders(env: &mut Env<'_>, call: &Call<'_>, mailbox: &str, parent: Option<&str>) -> Reply {
    let Some(m) = env.mailboxes.get(mailbox) else {
        return Reply::not_found();
    };
    if parent.is_some_and(|p| m.folder(p).is_none()) {
        return Reply::not_found();
    }
    let parent = parent.unwrap_or(&m.default_folder);
    let items = m
        .folders
        .iter()
        .filter(|f| f.parent.as_deref() == Some(parent))
        .map(folder_json)
        .collect();
    page(
        call,
        &format!("{}/$metadata#users('{mailbox}')/contactFolders", call.base),
        items,
        10,
    )
}

fn create_folder(env: &mut Env<'_>, call: &Call<'_>, mailbox: &str, parent: Option<&str>) -> Reply {
    let Some(name) = call
        .body
        .as_ref()
        .and_then(|b| b["displayName"].as_str())
        .map(str::to_string)
    else {
        return Reply::error(400, "ErrorInvalidRequest", "displayName is required.");
    };
    let Some(m) = env.mailboxes.get_mut(mailbox) else {
        return Reply::not_found();
    };
    let parent = parent
        .map(str::to_string)
        .unwrap_or_else(|| m.default_folder.clone());
    if m.folder(&parent).is_none() {
        return Reply::not_found();
    }
    if m.folders.iter().any(|f| {
        f.parent.as_deref() == Some(parent.as_str()) && f.display_name.eq_ignore_ascii_case(&name)
    }) {
        return Reply::error(
            409,
            "ErrorFolderExists",
            "A folder with the specified name already exists.",
        );
    }
    let folder = Folder {
        id: opaque("AAMkAGF"),
        display_name: name,
        parent: Some(parent),
    };
    let json = folder_json(&folder);
    m.folders.push(folder);
    Reply::with(201, json)
}

fn body_object(call: &Call<'_>) -> Result<Map<String, Value>, Reply> {
    let body = match &call.body {
        Some(Value::Object(map)) => map.clone(),
        _ => {
            return Err(Reply::error(
                400,
                "ErrorInvalidRequest",
                "Empty Payload. JSON content expected.",
            ));
        }
    };
    if body
        .get("emailAddresses")
        .and_then(Value::as_array)
        .is_some_and(|e| e.len() > MAX_EMAILS)
    {
        return Err(Reply::error(
            400,
            "ErrorInvalidRequest",
            "A contact can have at most 3 email addresses.",
        ));
    }
    Ok(body)
}

fn change(mailbox: &str, contact: &Contact, change_type: &'static str) -> Change {
    Change {
        mailbox: mailbox.into(),
        collection: "Contacts",
        folder: Some(contact.folder.clone()),
        ids: contact.ids.clone(),
        change_type,
        etag: Some(etag(&contact.change_key)),
    }
}

/// The address of `emailAddresses/any(a:a/address eq '…')`, the filter Graph documents for
/// finding a contact by address (its quote doubled inside); any other filter is refused, as
/// the emulator reads no other.
fn address_filter(expression: &str) -> Result<String, Reply> {
    let refused = || {
        Reply::error(
            400,
            "ErrorInvalidUrlQueryFilter",
            "The query filter contains one or more invalid nodes.",
        )
    };
    let compact: String = expression.split_whitespace().collect::<Vec<_>>().join(" ");
    let inner = compact
        .strip_prefix("emailAddresses/any(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(refused)?;
    let (variable, test) = inner.split_once(':').ok_or_else(refused)?;
    let quoted = test
        .trim()
        .strip_prefix(&format!("{}/address eq '", variable.trim()))
        .and_then(|rest| rest.strip_suffix('\''))
        .ok_or_else(refused)?;
    Ok(quoted.replace("''", "'"))
}

/// Whether one of the contact's addresses is `address` (Exchange compares them without case).
fn carries(contact: &Contact, address: &str) -> bool {
    contact
        .props
        .get("emailAddresses")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter().any(|e| {
                e["address"]
                    .as_str()
                    .is_some_and(|a| a.eq_ignore_ascii_case(address))
            })
        })
}

fn collection(env: &mut Env<'_>, call: &Call<'_>, mailbox: &str, folder: &str) -> Reply {
    let now = env.now;
    let Some(m) = env.mailboxes.get_mut(mailbox) else {
        return Reply::not_found();
    };
    if m.folder(folder).is_none() {
        return Reply::not_found();
    }
    let select: Option<Vec<String>> = call
        .param("$select")
        .map(|s| s.split(',').map(|f| f.trim().to_string()).collect());
    match call.method {
        "GET" => {
            let wanted = match call.param("$filter").map(address_filter).transpose() {
                Ok(wanted) => wanted,
                Err(reply) => return reply,
            };
            let items = m
                .contacts
                .iter()
                .filter(|c| c.folder == folder)
                .filter(|c| wanted.as_deref().is_none_or(|address| carries(c, address)))
                .map(|c| contact_json(c, call.prefer.immutable_ids, select.as_deref()))
                .collect();
            page(
                call,
                &format!("{}/$metadata#users('{mailbox}')/contacts", call.base),
                items,
                10,
            )
        }
        "POST" => {
            let body = match body_object(call) {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            let seq = m.next_seq();
            let mut props = Map::new();
            props.extend(
                body.into_iter()
                    .filter(|(k, _)| !COMPUTED.contains(&k.as_str())),
            );
            let contact = Contact {
                ids: Ids::new(),
                folder: folder.to_string(),
                props,
                created: now,
                modified: now,
                change_key: change_key(),
                seq,
            };
            let json = entity(
                contact_json(&contact, call.prefer.immutable_ids, None),
                call,
                mailbox,
                "contacts",
            );
            env.changes.push(change(mailbox, &contact, "created"));
            m.contacts.push(contact);
            Reply::with(201, json)
        }
        other => Reply::error(
            405,
            "ErrorInvalidRequest",
            &format!("The OData request method {other} is not supported."),
        ),
    }
}

fn item(
    env: &mut Env<'_>,
    call: &Call<'_>,
    mailbox: &str,
    folder: Option<&str>,
    id: &str,
) -> Reply {
    let now = env.now;
    let Some(m) = env.mailboxes.get_mut(mailbox) else {
        return Reply::not_found();
    };
    let in_folder =
        |c: &Contact| folder.is_none_or(|f| c.folder == f || f == m.default_folder.as_str());
    let Some(index) = m.contacts.iter().position(|c| c.ids.is(id) && in_folder(c)) else {
        return if id.starts_with("AA") {
            Reply::not_found()
        } else {
            Reply::error(400, "ErrorInvalidIdMalformed", "Id is malformed.")
        };
    };
    if let Some(tag) = &call.if_match
        && tag != "*"
        && *tag != etag(&m.contacts[index].change_key)
    {
        return Reply::error(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        );
    }
    let select: Option<Vec<String>> = call
        .param("$select")
        .map(|s| s.split(',').map(|f| f.trim().to_string()).collect());
    match call.method {
        "GET" => Reply::ok(entity(
            contact_json(
                &m.contacts[index],
                call.prefer.immutable_ids,
                select.as_deref(),
            ),
            call,
            mailbox,
            "contacts",
        )),
        "PATCH" => {
            let body = match body_object(call) {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            let seq = m.next_seq();
            let contact = &mut m.contacts[index];
            // Arrays such as emailAddresses are replaced whole, as Graph does.
            contact.props.extend(
                body.into_iter()
                    .filter(|(k, _)| !COMPUTED.contains(&k.as_str())),
            );
            contact.modified = now;
            contact.change_key = change_key();
            contact.seq = seq;
            env.changes.push(change(mailbox, contact, "updated"));
            let json = contact_json(contact, call.prefer.immutable_ids, None);
            Reply::ok(entity(json, call, mailbox, "contacts"))
        }
        "DELETE" => {
            let seq = m.next_seq();
            let contact = m.contacts.remove(index);
            env.changes.push(change(mailbox, &contact, "deleted"));
            m.contact_tombstones.push(Tombstone {
                ids: contact.ids,
                seq,
                folder: Some(contact.folder),
            });
            Reply::no_content()
        }
        other => Reply::error(
            405,
            "ErrorInvalidRequest",
            &format!("The OData request method {other} is not supported."),
        ),
    }
}

fn create_category(env: &mut Env<'_>, call: &Call<'_>, mailbox: &str) -> Reply {
    let Some(name) = call
        .body
        .as_ref()
        .and_then(|b| b["displayName"].as_str())
        .map(str::to_string)
    else {
        return Reply::error(400, "ErrorInvalidRequest", "displayName is required.");
    };
    let color = call
        .body
        .as_ref()
        .and_then(|b| b["color"].as_str())
        .unwrap_or("none")
        .to_string();
    let Some(m) = env.mailboxes.get_mut(mailbox) else {
        return Reply::not_found();
    };
    if m.master_categories.iter().any(|c| {
        c["displayName"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    }) {
        return Reply::error(
            409,
            "ErrorDuplicateObject",
            "An object with this name already exists.",
        );
    }
    let category =
        json!({ "id": uuid::Uuid::new_v4().to_string(), "displayName": name, "color": color });
    m.master_categories.push(category.clone());
    Reply::with(
        201,
        entity(category, call, mailbox, "outlook/masterCategories"),
    )
}
