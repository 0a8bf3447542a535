//! The error codes of Salesforce's REST API (`errorCode` in an error array, `statusCode` in a
//! per-record result), typed so that callers match on meaning rather than on strings.

use serde::Deserialize;

macro_rules! codes {
    ($($variant:ident => $wire:literal,)*) => {
        /// An error code from the wire contract; any other code is kept as `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
            Other(String),
        }

        impl ErrorCode {
            pub fn parse(code: &str) -> Self {
                match code {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_string()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(code) => code,
                }
            }
        }
    };
}

codes! {
    InvalidSessionId => "INVALID_SESSION_ID",
    RequestLimitExceeded => "REQUEST_LIMIT_EXCEEDED",
    DuplicatesDetected => "DUPLICATES_DETECTED",
    DuplicateValue => "DUPLICATE_VALUE",
    EntityIsDeleted => "ENTITY_IS_DELETED",
    UnableToLockRow => "UNABLE_TO_LOCK_ROW",
    InvalidField => "INVALID_FIELD",
    MalformedQuery => "MALFORMED_QUERY",
    MalformedSearch => "MALFORMED_SEARCH",
    NotFound => "NOT_FOUND",
    RequiredFieldMissing => "REQUIRED_FIELD_MISSING",
    FieldCustomValidationException => "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    InvalidCrossReferenceKey => "INVALID_CROSS_REFERENCE_KEY",
    MalformedId => "MALFORMED_ID",
    InvalidType => "INVALID_TYPE",
    FieldIntegrityException => "FIELD_INTEGRITY_EXCEPTION",
    AllOrNoneOperationRolledBack => "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    ProcessingHalted => "PROCESSING_HALTED",
    ExceededIdLimit => "EXCEEDED_ID_LIMIT",
    InvalidReplicationDate => "INVALID_REPLICATION_DATE",
    InsufficientAccess => "INSUFFICIENT_ACCESS",
    ApiDisabledForOrg => "API_DISABLED_FOR_ORG",
    ServerUnavailable => "SERVER_UNAVAILABLE",
}

impl ErrorCode {
    /// Worth trying again later, unchanged: a locked row, the org's limit, a busy server.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::UnableToLockRow | Self::RequestLimitExceeded | Self::ServerUnavailable
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::parse(&code))
    }
}

/// One entry of an error array: `{"message","errorCode","fields"?}`, or `statusCode` in a
/// record's result.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiFault {
    #[serde(alias = "statusCode")]
    pub error_code: ErrorCode,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
    /// With `DUPLICATES_DETECTED`: the duplicate rule's verdict, naming the records matched.
    #[serde(default)]
    pub duplicate_result: Option<DuplicateResult>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateResult {
    #[serde(default)]
    pub duplicate_rule: String,
    #[serde(default)]
    pub match_results: Vec<MatchResult>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchResult {
    #[serde(default)]
    pub match_records: Vec<MatchRecord>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MatchRecord {
    pub record: MatchedRecord,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MatchedRecord {
    #[serde(rename = "Id")]
    pub id: String,
}

impl DuplicateResult {
    /// The first record the rule matched.
    pub fn existing_id(&self) -> Option<&str> {
        self.match_results
            .iter()
            .flat_map(|r| &r.match_records)
            .map(|m| m.record.id.as_str())
            .next()
    }
}

/// The first fault of an error body, if the body is Salesforce's error array.
pub fn first_fault(body: &[u8]) -> Option<ApiFault> {
    serde_json::from_slice::<Vec<ApiFault>>(body)
        .ok()?
        .into_iter()
        .next()
}
