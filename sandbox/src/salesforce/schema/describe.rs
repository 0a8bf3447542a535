//! `describe` as the REST API renders it: the object's properties, its fields and its URLs.

use serde_json::{Value as Json, json};

use super::{Access, Field, Kind, SObject, TextFlavor};

impl Kind {
    /// The describe `type` and SOAP type.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Self::Id => ("id", "tns:ID"),
            Self::Text { flavor, .. } => match flavor {
                TextFlavor::String => ("string", "xsd:string"),
                TextFlavor::Email => ("email", "xsd:string"),
                TextFlavor::Phone => ("phone", "xsd:string"),
                TextFlavor::Url => ("url", "xsd:string"),
                TextFlavor::TextArea => ("textarea", "xsd:string"),
            },
            Self::Picklist { .. } => ("picklist", "xsd:string"),
            Self::Boolean => ("boolean", "xsd:boolean"),
            Self::Int => ("int", "xsd:int"),
            Self::Double => ("double", "xsd:double"),
            Self::Currency => ("currency", "xsd:double"),
            Self::Date => ("date", "xsd:date"),
            Self::DateTime => ("datetime", "xsd:dateTime"),
            Self::Reference { .. } => ("reference", "tns:ID"),
            Self::JunctionIdList => ("junctionidlist", "tns:ID"),
        }
    }
}

impl Field {
    fn describe(&self) -> Json {
        let (kind, soap_type) = self.kind.names();
        let length = match &self.kind {
            Kind::Text { length, .. } => *length,
            Kind::Id | Kind::Reference { .. } => 18,
            Kind::Picklist { .. } => 255,
            _ => 0,
        };
        let picklist: Vec<Json> = match &self.kind {
            Kind::Picklist { values } => values
                .iter()
                .map(|v| {
                    let is_default = self.default.as_ref().and_then(|d| d.as_text()) == Some(v);
                    json!({ "active": true, "defaultValue": is_default, "label": v, "validFor": null, "value": v })
                })
                .collect(),
            _ => Vec::new(),
        };
        let (relationship, reference_to) = match self.relationship() {
            Some((rel, to)) => (json!(rel), json!(to)),
            None => (Json::Null, json!([])),
        };
        let system = self.access == Access::ReadOnly;
        json!({
            "name": self.name,
            "label": self.label,
            "type": kind,
            "soapType": soap_type,
            "length": length,
            "custom": self.custom,
            "nillable": !self.required && !matches!(self.kind, Kind::Boolean | Kind::Id),
            "createable": self.access != Access::ReadOnly,
            "updateable": self.access == Access::ReadWrite,
            "defaultedOnCreate": self.default.is_some() || system,
            "calculated": false,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.external_id || matches!(self.kind, Kind::Id) || self.name == "Email",
            "filterable": !matches!(self.kind, Kind::JunctionIdList) && !matches!(self.kind, Kind::Text { flavor: TextFlavor::TextArea, .. }),
            "sortable": !matches!(self.kind, Kind::JunctionIdList | Kind::Text { flavor: TextFlavor::TextArea, .. }),
            "referenceTo": reference_to,
            "relationshipName": relationship,
            "picklistValues": picklist,
        })
    }
}

impl SObject {
    pub fn urls(&self, version: &str) -> Json {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        json!({
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        })
    }

    /// The entry in the global describe (`/sobjects`).
    pub fn summary(&self, version: &str) -> Json {
        json!({
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": false,
            "createable": self.createable,
            "updateable": self.createable,
            "deletable": self.createable,
            "queryable": true,
            "retrieveable": true,
            "replicateable": true,
            "searchable": self.searchable,
            "urls": self.urls(version),
        })
    }

    /// `/sobjects/{name}/describe`.
    pub fn describe(&self, version: &str) -> Json {
        let mut summary = self.summary(version);
        if let Some(object) = summary.as_object_mut() {
            object.insert(
                "fields".into(),
                self.fields.iter().map(Field::describe).collect(),
            );
            object.insert("childRelationships".into(), json!([]));
            object.insert("recordTypeInfos".into(), json!([]));
        }
        summary
    }
}
