use outforce::sync::event_map::PrivatePolicy;
use outforce::sync::policy::{Deletion, Policy};
use serde_json::json;

#[test]
fn policies_come_from_the_configuration_with_the_designs_defaults() {
    assert_eq!(
        Policy::from_settings(None),
        Policy {
            private: PrivatePolicy::AsPrivate,
            deleted: Deletion::Delete
        }
    );
    let set = json!({ "private": "time_and_attendees", "deleted": "keep" });
    let policy = Policy::from_settings(Some(&set));
    assert_eq!(policy.private, PrivatePolicy::TimeAndAttendeesOnly);
    assert_eq!(policy.deleted, Deletion::Keep);
    let skip = json!({ "private": "skip" });
    assert_eq!(
        Policy::from_settings(Some(&skip)).private,
        PrivatePolicy::Skip
    );
    let unknown = json!({ "private": "maybe", "deleted": 3 });
    assert_eq!(Policy::from_settings(Some(&unknown)), Policy::default());
}
