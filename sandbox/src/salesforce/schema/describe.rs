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
        let text = matches!(
            self.kind,
            Kind::Text { .. } | Kind::Picklist { .. } | Kind::Id | Kind::Reference { .. }
        );
        let textarea = matches!(
            self.kind,
            Kind::Text {
                flavor: TextFlavor::TextArea,
                ..
            }
        );
        let (precision, scale, digits) = match self.kind {
            Kind::Double | Kind::Currency => (18, 2, 0),
            Kind::Int => (0, 0, 9),
            _ => (0, 0, 0),
        };
        let mut out = json!({
            "aggregatable": !textarea && !matches!(self.kind, Kind::JunctionIdList),
            "aiPredictionField": false,
            "autoNumber": false,
            // Salesforce stores text as UTF-8 with up to 3 bytes a character.
            "byteLength": if text { length * 3 } else { 0 },
            "calculated": false,
            "calculatedFormula": null,
            "cascadeDelete": false,
            "caseSensitive": false,
            "compoundFieldName": null,
            "controllerName": null,
            "createable": self.access != Access::ReadOnly,
            "custom": self.custom,
            "defaultValue": self.default.as_ref().map(|d| d.to_json()),
            "defaultValueFormula": null,
            "defaultedOnCreate": self.default.is_some() || system,
            "dependentPicklist": false,
            "deprecatedAndHidden": false,
            "digits": digits,
            "displayLocationInDecimal": false,
            "encrypted": false,
            "externalId": self.external_id,
            "extraTypeInfo": if textarea { json!("plaintextarea") } else { Json::Null },
            "filterable": !matches!(self.kind, Kind::JunctionIdList) && !textarea,
            "filteredLookupInfo": null,
            "formulaTreatNullNumberAsZero": false,
            "groupable": !textarea && !matches!(self.kind, Kind::Double | Kind::Currency | Kind::DateTime | Kind::JunctionIdList),
            "highScaleNumber": false,
            "htmlFormatted": false,
            "idLookup": self.external_id || matches!(self.kind, Kind::Id) || self.name == "Email",
        });
        let rest = json!({
            "inlineHelpText": null,
            "label": self.label,
            "length": length,
            "mask": null,
            "maskType": null,
            "name": self.name,
            "nameField": self.name == "Name",
            "namePointing": matches!(&self.kind, Kind::Reference { to, .. } if to.len() > 1),
            "nillable": !self.required && !matches!(self.kind, Kind::Boolean | Kind::Id),
            "permissionable": self.custom && !self.required,
            "picklistValues": picklist,
            "polymorphicForeignKey": matches!(&self.kind, Kind::Reference { to, .. } if to.len() > 1),
            "precision": precision,
            "queryByDistance": false,
            "referenceTargetField": null,
            "referenceTo": reference_to,
            "relationshipName": relationship,
            "relationshipOrder": null,
            "restrictedDelete": false,
            "restrictedPicklist": false,
            "scale": scale,
            "searchPrefilterable": false,
            "soapType": soap_type,
            "sortable": !matches!(self.kind, Kind::JunctionIdList) && !textarea,
            "type": kind,
            "unique": self.unique,
            "updateable": self.access == Access::ReadWrite,
            "writeRequiresMasterRead": false,
        });
        if let (Some(fields), Json::Object(rest)) = (out.as_object_mut(), rest) {
            fields.extend(rest);
            fields.sort_keys();
        }
        out
    }
}

impl SObject {
    pub fn urls(&self, version: &str) -> Json {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        json!({
            "compactLayouts": format!("{base}/describe/compactLayouts"),
            "rowTemplate": format!("{base}/{{ID}}"),
            "approvalLayouts": format!("{base}/describe/approvalLayouts"),
            "uiDetailTemplate": null,
            "uiEditTemplate": null,
            "defaultValues": format!("{base}/defaultValues?recordTypeId&fields"),
            "listviews": format!("{base}/listviews"),
            "describe": format!("{base}/describe"),
            "uiNewRecord": null,
            "quickActions": format!("{base}/quickActions"),
            "layouts": format!("{base}/describe/layouts"),
            "sobject": base,
        })
    }

    /// The entry in the global describe (`/sobjects`).
    pub fn summary(&self, version: &str) -> Json {
        json!({
            "activateable": false,
            "associateEntityType": null,
            "associateParentEntity": null,
            "createable": self.createable,
            "custom": false,
            "customSetting": false,
            "deepCloneable": false,
            "deletable": self.createable,
            "deprecatedAndHidden": false,
            "feedEnabled": false,
            "hasSubtypes": false,
            "isInterface": false,
            "isSubtype": false,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": self.createable,
            "mergeable": matches!(self.name.as_str(), "Account" | "Contact" | "Lead"),
            "mruEnabled": self.createable,
            "name": self.name,
            "queryable": true,
            "replicateable": true,
            "retrieveable": true,
            "searchable": self.searchable,
            "triggerable": self.createable,
            "undeletable": self.createable,
            "updateable": self.createable,
            "urls": self.urls(version),
        })
    }

    /// The relationships through which other objects' records point at this one's: each lookup
    /// field to it, named as the plural of the child's label (`Contacts`, `Opportunities`): our
    /// approximation of Salesforce's names for the standard objects the emulator has.
    fn child_relationships(&self, objects: &[SObject]) -> Vec<Json> {
        let mut children = Vec::new();
        for child in objects {
            for field in &child.fields {
                let Some((_, to)) = field.relationship() else {
                    continue;
                };
                if !to.iter().any(|t| t == &self.name) {
                    continue;
                }
                let plural = child.label_plural.replace(' ', "");
                children.push(json!({
                    "cascadeDelete": false,
                    "childSObject": child.name,
                    "deprecatedAndHidden": false,
                    "field": field.name,
                    "junctionIdListNames": [],
                    "junctionReferenceTo": [],
                    "relationshipName": if field.name.ends_with("__c") { Json::Null } else { json!(plural) },
                    "restrictedDelete": false,
                }));
            }
        }
        children
    }

    /// `/sobjects/{name}/describe`: every member of DescribeSObjectResult, the fields with
    /// every member of Field, the child relationships and the Master record type.
    pub fn describe(&self, version: &str, objects: &[SObject]) -> Json {
        let mut summary = self.summary(version);
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        if let Some(object) = summary.as_object_mut() {
            object.insert("actionOverrides".into(), json!([]));
            object.insert(
                "childRelationships".into(),
                json!(self.child_relationships(objects)),
            );
            object.insert("compactLayoutable".into(), json!(self.createable));
            object.insert("defaultImplementation".into(), Json::Null);
            object.insert("extendedBy".into(), Json::Null);
            object.insert("extendsInterfaces".into(), Json::Null);
            object.insert(
                "fields".into(),
                self.fields.iter().map(Field::describe).collect(),
            );
            object.insert("implementedBy".into(), Json::Null);
            object.insert("implementsInterfaces".into(), Json::Null);
            object.insert("listviewable".into(), Json::Null);
            object.insert("lookupLayoutable".into(), Json::Null);
            object.insert("namedLayoutInfos".into(), json!([]));
            object.insert("networkScopeFieldName".into(), Json::Null);
            object.insert(
                "recordTypeInfos".into(),
                json!([{
                    "active": true,
                    "available": true,
                    "defaultRecordTypeMapping": true,
                    "developerName": "Master",
                    "master": true,
                    "name": "Master",
                    "recordTypeId": "012000000000000AAA",
                    "urls": { "layout": format!("{base}/describe/layouts/012000000000000AAA") },
                }]),
            );
            object.insert("searchLayoutable".into(), json!(self.searchable));
            object.insert("sobjectDescribeOption".into(), json!("FULL"));
            object.insert(
                "supportedScopes".into(),
                json!([
                    { "label": "All", "name": "everything" },
                    { "label": "My", "name": "mine" },
                ]),
            );
            object.sort_keys();
        }
        summary
    }
}
