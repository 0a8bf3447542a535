//! Identifiers that are all strings on the wire and in the database, and easy to mix up: our own
//! tenant and user rows, the Entra tenant and object a token names, the Salesforce org and user a
//! connection acts as. Each is its own type, so a function that wants one cannot be handed
//! another; they compare equal to their text, and read and write as TEXT.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        // Read and written as the text it is, on either database.
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                self.0.encode_by_ref(buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(Self(String::decode(value)?))
            }
        }

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Read access to the text, as for a `String`; the other way, text into an id, is
        // always spelt out (`From`), so one kind of id is never taken for another.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    };
}

id_type!(
    /// Our row for a tenant (`tenants.id`).
    TenantId
);
id_type!(
    /// Our row for a rep or admin (`users.id`).
    UserId
);
id_type!(
    /// The Entra ID tenant a token names (`tid`).
    EntraTenantId
);
id_type!(
    /// A user's object id in their Entra tenant (`oid`): with the tenant, who a rep is.
    EntraObjectId
);
id_type!(
    /// A Salesforce org (`00D…`).
    OrgId
);
id_type!(
    /// A Salesforce user (`005…`).
    SalesforceUserId
);
id_type!(
    /// An Outlook event (or one occurrence of a series) in a rep's mailbox: Graph's immutable id.
    OutlookEventId
);

impl OrgId {
    /// An org Id as an admin copies it (15 characters from Setup, or 18 from the API), in the
    /// 18-character form the API uses; `None` when it cannot be an org Id.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if !text.starts_with("00D") || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        match text.len() {
            18 => Some(Self::from(text.to_string())),
            15 => {
                // The case-safe suffix: one character per five, encoding which are upper case.
                const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
                let suffix: String = text
                    .as_bytes()
                    .chunks(5)
                    .map(|chunk| {
                        let flags = chunk
                            .iter()
                            .enumerate()
                            .filter(|(_, b)| b.is_ascii_uppercase())
                            .fold(0usize, |acc, (i, _)| acc | (1 << i));
                        char::from(ALPHABET[flags])
                    })
                    .collect();
                Some(Self::from(format!("{text}{suffix}")))
            }
            _ => None,
        }
    }
}
