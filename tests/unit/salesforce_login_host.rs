use outforce::config::SalesforceSettings;
use outforce::salesforce::login_host::*;

fn settings() -> SalesforceSettings {
    SalesforceSettings {
        my_domain_suffixes: vec![".my.salesforce.com".into(), ".my.site.com".into()],
        ..SalesforceSettings::default()
    }
}

#[test]
fn names_and_allowed_urls_resolve() {
    let s = settings();
    assert_eq!(resolve(&s, None).unwrap(), "https://login.salesforce.com");
    assert_eq!(
        resolve(&s, Some("sandbox")).unwrap(),
        "https://test.salesforce.com"
    );
    assert_eq!(
        resolve(&s, Some("https://Contoso.my.salesforce.com/")).unwrap(),
        "https://contoso.my.salesforce.com"
    );
    assert_eq!(
        resolve(&s, Some("https://contoso.my.site.com/partners")).unwrap(),
        "https://contoso.my.site.com/partners"
    );
}

#[test]
fn look_alikes_and_odd_urls_are_refused() {
    let s = settings();
    for url in [
        "https://evil.example",
        "http://contoso.my.salesforce.com",
        "https://contoso.my.salesforce.com.evil.example",
        "https://user@contoso.my.salesforce.com",
        "https://contoso.my.site.com/a/b",
        "https://contoso.my.site.com/p?x=1",
        "https://contoso.my.site.com/#x",
        "https://.my.salesforce.com:443",
    ] {
        assert_eq!(
            resolve(&s, Some(url)),
            Err(LoginHostError::NotAllowed),
            "{url}"
        );
    }
}

#[test]
fn the_jwt_audience_is_never_my_domain() {
    let s = settings();
    assert_eq!(
        jwt_audience(&s, "production").unwrap(),
        "https://login.salesforce.com"
    );
    assert_eq!(
        jwt_audience(&s, "https://contoso.my.site.com/partners").unwrap(),
        "https://contoso.my.site.com/partners"
    );
    assert_eq!(
        jwt_audience(&s, "https://contoso.my.salesforce.com"),
        Err(LoginHostError::MyDomainAudience)
    );
}
