//! A record as a query returns it: `attributes` first, then the selected fields in order, with
//! parent relationships as nested records (or null).

use serde_json::{Map, Value as Json, json};

use super::eval::value_at;
use crate::salesforce::store::{OrgData, Record};

pub fn render(org: &OrgData, record: &Record, paths: &[&[String]], version: &str) -> Json {
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        json!({ "type": record.sobject, "url": record.url(version) }),
    );
    let object = org.object(&record.sobject);
    let mut heads: Vec<&str> = Vec::new();
    for path in paths {
        if let Some(head) = path.first()
            && !heads.iter().any(|h| h.eq_ignore_ascii_case(head))
        {
            heads.push(head);
        }
    }
    for head in heads {
        let same_head = |p: &&&[String]| p.first().is_some_and(|h| h.eq_ignore_ascii_case(head));
        let tails: Vec<&[String]> = paths
            .iter()
            .filter(same_head)
            .filter(|p| p.len() > 1)
            .map(|p| &p[1..])
            .collect();
        if tails.is_empty() {
            let name = object
                .and_then(|o| o.field(head))
                .map_or(head.to_string(), |f| f.name.clone());
            let value = value_at(org, record, std::slice::from_ref(&name));
            out.insert(name, value.to_json());
            continue;
        }
        let Some(field) = object.and_then(|o| o.relationship(head)) else {
            continue;
        };
        let (relationship, _) = field.relationship().unwrap_or_default();
        let parent = record
            .text(&field.name)
            .and_then(|id| org.live(id))
            .map_or(Json::Null, |parent| render(org, parent, &tails, version));
        out.insert(relationship.to_string(), parent);
    }
    Json::Object(out)
}
