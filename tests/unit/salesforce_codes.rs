use outforce::salesforce::codes::*;

#[test]
fn reads_the_error_array_and_record_results() {
    let fault = first_fault(
        br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
    )
    .unwrap();
    assert_eq!(fault.error_code, ErrorCode::InvalidSessionId);
    let record: ApiFault = serde_json::from_str(
        r#"{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}"#,
    )
    .unwrap();
    assert_eq!(record.error_code, ErrorCode::RequiredFieldMissing);
    assert_eq!(record.fields, ["LastName"]);
}

#[test]
fn every_code_reads_back_as_itself_and_unknown_codes_survive() {
    for wire in [
        "INVALID_SESSION_ID",
        "REQUEST_LIMIT_EXCEEDED",
        "DUPLICATES_DETECTED",
        "UNABLE_TO_LOCK_ROW",
        "PROCESSING_HALTED",
        "INVALID_REPLICATION_DATE",
    ] {
        let code = ErrorCode::parse(wire);
        assert!(!matches!(code, ErrorCode::Other(_)), "{wire}");
        assert_eq!(code.as_str(), wire);
    }
    assert_eq!(
        ErrorCode::parse("BRAND_NEW_CODE"),
        ErrorCode::Other("BRAND_NEW_CODE".into())
    );
    assert!(ErrorCode::UnableToLockRow.is_transient());
    assert!(!ErrorCode::InvalidField.is_transient());
}

#[test]
fn a_body_that_is_not_an_error_array_has_no_fault() {
    assert!(first_fault(b"<html>Bad gateway</html>").is_none());
    assert!(first_fault(b"[]").is_none());
}
