use outforce::salesforce::rest::*;

#[test]
fn a_query_is_encoded_and_its_literals_escaped() {
    let soql = format!(
        "SELECT Id FROM User WHERE Email = '{}'",
        soql_escape("o'neil+x@a.example")
    );
    assert_eq!(
        soql,
        "SELECT Id FROM User WHERE Email = 'o\\'neil+x@a.example'"
    );
    assert_eq!(
        query_path(&soql).unwrap(),
        "query?q=SELECT+Id+FROM+User+WHERE+Email+%3D+%27o%5C%27neil%2Bx%40a.example%27"
    );
    assert_eq!(soql_escape("a\\b"), "a\\\\b");
}
