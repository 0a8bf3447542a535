"""The sandbox's control API, driven from Python as a browser test, a benchmark harness or a
person exploring the demo would drive it: every switch is set here and its effect seen through
the emulators' own APIs, with Microsoft's `msal` and `simple-salesforce` as the clients.

Run by sandbox/tests/python_clients.rs, which starts the whole sandbox seeded with the demo data
and its control API, and trusts the sandbox CA through REQUESTS_CA_BUNDLE.
"""

import base64
import html
import json
import os
import re
import time
import urllib.parse

import msal
import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

import webhooks

CONTROL = os.environ["CONTROL_URL"]
TENANT = os.environ["ENTRA_TENANT"]
API = os.environ["ENTRA_CLIENT_ID"]
SECRET = os.environ["ENTRA_CLIENT_SECRET"]
REP = os.environ["REP_OBJECT_ID"]
REP_USERNAME = os.environ["REP_USERNAME"]
VERSION = "64.0"


def control(method, path, **kwargs):
    return requests.request(method, f"{CONTROL}{path}", timeout=30, **kwargs)


def switch(document):
    answer = control("POST", "/switches", json=document)
    assert answer.status_code == 204, answer.text


@pytest.fixture(scope="module")
def emulators():
    return control("GET", "/").json()["emulators"]


@pytest.fixture(scope="module")
def org():
    return control("GET", "/salesforce/orgs").json()[0]


def rep_of(org):
    return next(u for u in org["users"] if u["username"] == REP_USERNAME)


def session(org):
    answer = control("POST", "/salesforce/sessions", json={"user_id": rep_of(org)["id"]})
    assert answer.status_code == 201, answer.text
    return answer.json()


def salesforce(org, token=None):
    live = session(org)
    host = urllib.parse.urlparse(live["instance_url"]).netloc
    return Salesforce(instance=host, session_id=token or live["access_token"], version=VERSION)


def rest(org, method, path, token=None, **kwargs):
    live = session(org)
    return requests.request(
        method,
        f"{live['instance_url']}/services/data/v{VERSION}/{path}",
        headers={"Authorization": f"Bearer {token or live['access_token']}"},
        timeout=30,
        **kwargs,
    )


def graph_token(emulators):
    app = msal.ConfidentialClientApplication(
        API, client_credential=SECRET, authority=f"{emulators['entra']}/{TENANT}",
        instance_discovery=False, token_cache=msal.TokenCache(),
    )
    return app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])["access_token"]


def graph(emulators, method, path, **kwargs):
    return requests.request(
        method, f"{emulators['graph']}/v1.0/{path}",
        headers={"Authorization": f"Bearer {graph_token(emulators)}"}, timeout=30, **kwargs,
    )


# Salesforce


def test_records_are_seeded_read_changed_and_queried_through_the_control_api(org):
    base = f"/salesforce/orgs/{org['id']}"
    created = control("POST", f"{base}/records", json={"type": "Account", "fields": {"Name": "Control Co"}})
    assert created.status_code == 201, created.text
    account = created.json()["id"]
    assert control("PATCH", f"{base}/records/{account}", json={"fields": {"Industry": "Retail"}}).status_code == 204
    assert control("GET", f"{base}/records/{account}").json()["Industry"] == "Retail"
    found = control("GET", f"{base}/query", params={"q": "SELECT Id FROM Account WHERE Name = 'Control Co'"})
    assert [r["Id"] for r in found.json()["records"]] == [account]
    assert control("DELETE", f"{base}/records/{account}").status_code == 204
    assert control("GET", f"{base}/records/{account}").json()["IsDeleted"] is True
    assert control("GET", f"{base}/records/001000000000000AAA").status_code == 404
    before = control("GET", "/salesforce/calls").json().get("limits", 0)
    assert rest(org, "GET", "limits").status_code == 200
    assert control("GET", "/salesforce/calls").json()["limits"] == before + 1


def test_a_new_org_and_user_are_targeted_by_the_org_switch():
    created = control("POST", "/salesforce/orgs", json={"name": "Second Org", "api_allowance": 500, "sandbox": True})
    assert created.status_code == 201, created.text
    second = created.json()["id"]
    user = control("POST", f"/salesforce/orgs/{second}/users", json={
        "username": "ops@second.example", "first_name": "Ops", "last_name": "User",
    })
    assert user.status_code == 201, user.text
    switch({"salesforce": {"org": second, "custom_fields": [{"sobject": "Account", "name": "Tier__c"}]}})
    token = control("POST", "/salesforce/sessions", json={"user_id": user.json()["id"]}).json()
    host = urllib.parse.urlparse(token["instance_url"]).netloc
    sf = Salesforce(instance=host, session_id=token["access_token"], version=VERSION)
    assert sf.query("SELECT Tier__c FROM Account")["totalSize"] == 0
    listed = {o["id"]: o for o in control("GET", "/salesforce/orgs").json()}
    assert listed[second]["sandbox"] is True and listed[second]["api_max"] == 500
    assert [u["username"] for u in listed[second]["users"]] == ["ops@second.example"]


def test_a_user_created_with_an_address_carries_it_in_the_identity_url(org):
    # The identity service's addr_* are the user's address (Salesforce's "Identity URLs":
    # addr_street, addr_city, addr_state, addr_country, addr_zip), null where none is set.
    user = control("POST", f"/salesforce/orgs/{org['id']}/users", json={
        "username": "field.rep@contoso-demo.example", "first_name": "Field", "last_name": "Rep",
        "address": {"street": "1 Market St", "city": "San Francisco", "state": "CA",
                    "postal_code": "94105", "country": "US"},
    })
    assert user.status_code == 201, user.text
    refused = control("POST", f"/salesforce/orgs/{org['id']}/users", json={
        "username": "x@contoso-demo.example", "first_name": "X", "last_name": "Y",
        "address": {"town": "Nowhere"},
    })
    assert refused.status_code == 400, refused.text
    live = control("POST", "/salesforce/sessions", json={"user_id": user.json()["id"]}).json()
    identity = requests.get(f"{live['instance_url']}/id/{org['id']}/{user.json()['id']}",
                            headers={"Authorization": f"Bearer {live['access_token']}"}, timeout=30)
    assert identity.status_code == 200, identity.text
    body = identity.json()
    assert (body["addr_street"], body["addr_city"], body["addr_state"], body["addr_zip"], body["addr_country"]) == (
        "1 Market St", "San Francisco", "CA", "94105", "US")
    rep = control("POST", "/salesforce/sessions", json={"user_id": rep_of(org)["id"]}).json()
    plain = requests.get(f"{rep['instance_url']}/id/{org['id']}/{rep_of(org)['id']}",
                         headers={"Authorization": f"Bearer {rep['access_token']}"}, timeout=30).json()
    assert plain["addr_country"] is None and plain["addr_city"] is None


def test_an_external_id_field_added_through_the_control_api_takes_upserts(org):
    switch({"salesforce": {"custom_fields": [
        {"sobject": "Event", "name": "Outlook_Id__c", "label": "Outlook Id", "length": 255, "external_id": True, "unique": True},
    ]}})
    sf = salesforce(org)
    event = {"Subject": "Upserted", "StartDateTime": "2026-03-02T09:00:00.000+0000", "DurationInMinutes": 30}
    assert sf.Event.upsert("Outlook_Id__c/AAMkOutlook1", event) == 201
    assert sf.Event.upsert("Outlook_Id__c/AAMkOutlook1", {"Subject": "Upserted again"}) == 200
    rows = sf.query("SELECT Subject FROM Event WHERE Outlook_Id__c = 'AAMkOutlook1'")["records"]
    assert [r["Subject"] for r in rows] == ["Upserted again"]
    refused = control("POST", "/switches", json={"salesforce": {"custom_fields": [{"sobject": "Event", "name": "NoSuffix"}]}})
    assert refused.status_code == 400 and "__c" in refused.json()["error"]
    unknown = control("POST", "/switches", json={"salesforce": {"no_such_switch": 1}})
    assert unknown.status_code == 400 and "no_such_switch" in unknown.json()["error"]
    assert control("GET", "/nowhere").status_code == 404


def test_a_duplicate_rule_blocks_a_second_contact_with_the_same_email(org):
    switch({"salesforce": {"duplicate_rules": [{"sobject": "Contact", "fields": ["Email"]}]}})
    sf = salesforce(org)
    sf.Contact.create({"LastName": "Original", "Email": "dup@control.example"})
    with pytest.raises(SalesforceError) as blocked:
        sf.Contact.create({"LastName": "Copy", "Email": "DUP@control.example"})
    error = blocked.value.content[0]
    assert error["errorCode"] == "DUPLICATES_DETECTED"
    assert error["duplicateResult"]["duplicateRule"] == "Standard_Contact_Duplicate_Rule"
    assert len(error["duplicateResult"]["matchResults"][0]["matchRecords"]) == 1


def test_scripted_and_random_faults_then_clear(org):
    switch({"salesforce": {"faults": {"clear": True, "script": [
        {"path_prefix": f"/services/data/v{VERSION}/limits", "faults": [{"kind": "unavailable"}, {"kind": "latency", "ms": 200}]},
    ]}}})
    assert rest(org, "GET", "limits").status_code == 503
    started = time.monotonic()
    assert rest(org, "GET", "limits").status_code == 200
    assert time.monotonic() - started >= 0.2, "the latency fault held the answer back"
    switch({"salesforce": {"faults": {"random": {"seed": 7, "rate": 1.0, "faults": [{"kind": "internal_error"}]}}}})
    assert rest(org, "GET", "limits").json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    switch({"salesforce": {"faults": {"clear": True}}})
    assert rest(org, "GET", "limits").status_code == 200


def test_other_salesforce_faults_have_salesforces_shapes(org):
    kinds = ["unable_to_lock_row", "invalid_session", "duplicates_detected", "dropped_connection"]
    switch({"salesforce": {"faults": {"clear": True, "script": [
        {"path_prefix": f"/services/data/v{VERSION}/sobjects", "faults": [{"kind": k} for k in kinds]},
    ]}}})
    assert rest(org, "GET", "sobjects").json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert rest(org, "GET", "sobjects").status_code == 401
    assert rest(org, "GET", "sobjects").json()[0]["errorCode"] == "DUPLICATES_DETECTED"
    with pytest.raises(requests.exceptions.RequestException):
        rest(org, "GET", "sobjects").json()
    switch({"salesforce": {"faults": {"clear": True}}})


def test_a_save_whose_answer_is_lost_is_committed_all_the_same(org):
    # The "committed but the client never heard" case: the record is saved, then the connection
    # drops before the answer, so a client that retries blindly makes a duplicate.
    switch({"salesforce": {"faults": {"clear": True, "script": [
        {"path_prefix": f"/services/data/v{VERSION}/sobjects/Account", "faults": [{"kind": "lost_answer"}]},
    ]}}})
    with pytest.raises(requests.exceptions.RequestException):
        rest(org, "POST", "sobjects/Account", json={"Name": "Lost Answer Ltd"}).json()
    switch({"salesforce": {"faults": {"clear": True}}})
    found = rest(org, "GET", "query", params={"q": "SELECT Id FROM Account WHERE Name = 'Lost Answer Ltd'"}).json()
    assert found["totalSize"] == 1, found


def test_search_lag_and_the_clock(org):
    switch({"salesforce": {"search_lag_seconds": 60}})
    sf = salesforce(org)
    sf.Contact.create({"LastName": "Fresh", "Email": "fresh@lag.example"})
    sosl = "FIND {fresh@lag.example} IN EMAIL FIELDS RETURNING Contact(Id)"
    assert sf.search(sosl)["searchRecords"] == []
    switch({"advance_clock_seconds": 61})
    assert len(sf.search(sosl)["searchRecords"]) == 1
    switch({"salesforce": {"search_lag_seconds": 0}})


def test_api_allowance_session_timeout_and_expiry(org):
    switch({"salesforce": {"api_remaining": 0}})
    answer = rest(org, "GET", "limits")
    assert answer.status_code == 403 and answer.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    switch({"salesforce": {"api_remaining": 100000}})

    switch({"salesforce": {"session_timeout_seconds": 60}})
    token = session(org)["access_token"]
    switch({"advance_clock_seconds": 61})
    assert rest(org, "GET", "limits", token=token).json()[0]["errorCode"] == "INVALID_SESSION_ID"
    switch({"salesforce": {"session_timeout_seconds": 7200}})

    token = session(org)["access_token"]
    switch({"salesforce": {"expire_sessions_of": [rep_of(org)["id"]]}})
    assert rest(org, "GET", "limits", token=token).status_code == 401


def test_shared_activities_adds_event_who_ids(org):
    names = lambda: {f["name"] for f in rest(org, "GET", "sobjects/Event/describe").json()["fields"]}
    switch({"salesforce": {"shared_activities": False}})
    assert "EventWhoIds" not in names()
    switch({"salesforce": {"shared_activities": True}})
    assert "EventWhoIds" in names()


def test_a_connected_app_the_login_page_and_revoked_refresh_tokens(org, emulators):
    callback = "https://outforce.example/callback"
    assert control("POST", "/salesforce/connected-apps", json={
        "consumer_key": "PyKey", "consumer_secret": "PySecret", "callback_urls": [callback],
    }).status_code == 204
    login = emulators["salesforce_login"]
    authorize = {"response_type": "code", "client_id": "PyKey", "redirect_uri": callback}

    switch({"salesforce": {"login_page": "deny"}})
    denied = requests.get(f"{login}/services/oauth2/authorize", params=authorize, allow_redirects=False)
    assert "error=access_denied" in denied.headers["Location"]

    switch({"salesforce": {"login_page": rep_of(org)["id"]}})
    approved = requests.get(f"{login}/services/oauth2/authorize", params=authorize, allow_redirects=False)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(approved.headers["Location"]).query)["code"][0]
    tokens = requests.post(f"{login}/services/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": "PyKey",
        "client_secret": "PySecret", "redirect_uri": callback,
    }).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
               "client_id": "PyKey", "client_secret": "PySecret"}
    assert requests.post(f"{login}/services/oauth2/token", data=refresh).status_code == 200
    switch({"salesforce": {"revoke_refresh_tokens_of": [rep_of(org)["id"]]}})
    refused = requests.post(f"{login}/services/oauth2/token", data=refresh)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


# Microsoft Graph


def test_mailbox_items_are_seeded_and_read_as_their_owner(emulators):
    assert control("POST", "/graph/mailboxes", json={
        "tenant_id": TENANT, "user_id": "11111111-2222-3333-4444-555555555555",
        "address": "sam@contoso-demo.example", "name": "Sam Lee",
    }).status_code == 204
    created = control("POST", "/graph/mailboxes/11111111-2222-3333-4444-555555555555/requests", json={
        "method": "POST", "path": "events", "body": {
            "subject": "Seeded", "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"},
        },
    }).json()
    assert created["status"] == 201
    read = control("POST", "/graph/mailboxes/11111111-2222-3333-4444-555555555555/requests", json={
        "method": "GET", "path": f"events/{created['body']['id']}",
    }).json()
    assert read["body"]["subject"] == "Seeded"
    listed = graph(emulators, "GET", "users/11111111-2222-3333-4444-555555555555/events")
    assert [e["subject"] for e in listed.json()["value"]] == ["Seeded"]
    assert control("GET", "/graph/calls").json()["events"] >= 1


def test_an_invitation_is_delivered_to_an_attendees_calendar_and_cancelled(emulators):
    # Exchange puts the organizer's meeting in an attendee's calendar (same iCalUId, not theirs
    # to organize); a cancellation leaves their copy there, cancelled.
    attendee = "22222222-aaaa-bbbb-cccc-000000000001"
    assert control("POST", "/graph/mailboxes", json={
        "tenant_id": TENANT, "user_id": attendee, "address": "riley@contoso-demo.example", "name": "Riley Park",
    }).status_code == 204
    made = control("POST", f"/graph/mailboxes/{REP}/requests", json={"method": "POST", "path": "events", "body": {
        "subject": "Pricing review", "start": {"dateTime": "2026-03-03T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-03T10:00:00", "timeZone": "UTC"},
    }}).json()["body"]
    invited = control("POST", f"/graph/mailboxes/{REP}/events/{made['id']}/invitations", json={"attendee": attendee})
    assert invited.status_code == 201, invited.text
    copy = graph(emulators, "GET", f"users/{attendee}/events/{invited.json()['id']}").json()
    assert (copy["subject"], copy["iCalUId"], copy["isOrganizer"]) == ("Pricing review", made["iCalUId"], False)
    assert copy["organizer"]["emailAddress"]["address"] == REP_USERNAME
    cancelled = control("POST", f"/graph/mailboxes/{attendee}/events/{invited.json()['id']}/cancellation")
    assert cancelled.status_code == 204, cancelled.text
    copy = graph(emulators, "GET", f"users/{attendee}/events/{invited.json()['id']}").json()
    assert copy["isCancelled"] is True and copy["subject"].startswith("Canceled: ")
    assert control("POST", f"/graph/mailboxes/{REP}/events/nope/invitations", json={"attendee": attendee}).status_code == 404


def test_throttling_latency_and_scripted_graph_faults(emulators):
    path = f"users/{REP}/outlook/masterCategories"
    switch({"graph": {"throttling": {"budget": 1, "window_seconds": 600}}})
    graph(emulators, "GET", path)
    throttled = graph(emulators, "GET", path)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    switch({"graph": {"throttling": {"budget": 10000, "window_seconds": 600}, "latency_ms": 200}})
    started = time.monotonic()
    assert graph(emulators, "GET", path).status_code == 200
    assert time.monotonic() - started >= 0.2
    switch({"graph": {"latency_ms": 0, "faults": {"clear": True, "script": [{"path_prefix": f"/v1.0/{path}", "faults": [
        {"kind": "throttled", "retry_after_seconds": 1.5}, {"kind": "unavailable"},
        {"kind": "internal_error"}, {"kind": "token_revoked"},
    ]}]}}})
    statuses = [graph(emulators, "GET", path).status_code for _ in range(5)]
    assert statuses == [429, 503, 500, 401, 200]
    # Random faults, seeded: at rate 1 every call fails with one of them; cleared, none does.
    switch({"graph": {"faults": {"clear": True, "random": {"seed": 3, "rate": 1.0, "faults": [
        {"kind": "unavailable"}, {"kind": "internal_error"}]}}}})
    assert {graph(emulators, "GET", path).status_code for _ in range(8)} <= {500, 503}
    answer = control("POST", "/switches", json={"graph": {"faults": {"random": {"seed": 3, "rate": 2, "faults": []}}}})
    assert answer.status_code == 400 and "rate" in answer.json()["error"]
    switch({"graph": {"faults": {"clear": True}}})
    assert graph(emulators, "GET", path).status_code == 200


def test_an_access_policy_keeps_the_app_out_of_other_mailboxes(emulators):
    switch({"graph": {"access_policies": [{"app_id": API, "mailboxes": ["99999999-0000-0000-0000-000000000000"]}]}})
    refused = graph(emulators, "GET", f"users/{REP}/events")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "ErrorAccessDenied"
    switch({"graph": {"access_policies": [{"app_id": API, "mailboxes": [REP]}]}})
    assert graph(emulators, "GET", f"users/{REP}/events").status_code == 200


def test_a_reset_sync_state_makes_the_delta_token_gone(emulators):
    window = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-08T00:00:00Z"
    url = f"users/{REP}/calendarView/delta?{window}"
    page = graph(emulators, "GET", url).json()
    while "@odata.nextLink" in page:
        page = requests.get(page["@odata.nextLink"], headers={"Authorization": f"Bearer {graph_token(emulators)}"}).json()
    delta = page["@odata.deltaLink"]
    switch({"graph": {"reset_sync_state_of": [REP]}})
    gone = requests.get(delta, headers={"Authorization": f"Bearer {graph_token(emulators)}"})
    assert gone.status_code == 410


def test_webhooks_subscriptions_retries_and_deliveries(emulators):
    server, url, _ = webhooks.start(status=500)
    from datetime import datetime, timedelta, timezone
    expires = (datetime.now(timezone.utc) + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    subscription = {
        "changeType": "created", "notificationUrl": url, "lifecycleNotificationUrl": url,
        "resource": f"/users/{REP}/events", "expirationDateTime": expires, "clientState": "control",
    }
    switch({"graph": {"allow_http_webhooks": False}})
    assert graph(emulators, "POST", "subscriptions", json=subscription).status_code == 400
    switch({"graph": {"allow_http_webhooks": True, "retry_delays_ms": [10, 10]}})
    created = graph(emulators, "POST", "subscriptions", json=subscription)
    assert created.status_code == 201, created.text
    subscription_id = created.json()["id"]
    assert subscription_id in control("GET", "/graph/subscriptions").json()
    control("POST", f"/graph/mailboxes/{REP}/requests", json={"method": "POST", "path": "events", "body": {
        "subject": "Notify", "start": {"dateTime": "2026-03-03T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-03T10:00:00", "timeZone": "UTC"},
    }})
    attempts = []
    for _ in range(100):
        attempts = [d for d in control("GET", "/graph/deliveries").json() if d["subscription_id"] == subscription_id]
        if len(attempts) >= 3:
            break
        time.sleep(0.05)
    assert [(d["attempt"], d["status"]) for d in attempts][:3] == [(1, 500), (2, 500), (3, 500)]
    lifecycle = control("POST", f"/graph/subscriptions/{subscription_id}/lifecycle", json={"event": "missed"})
    assert lifecycle.json()["webhook_status"] == 500
    server.shutdown()


# Entra ID


def login_page_sign_in(auth_uri, username):
    """What a person does at the emulated login page: clicks their name."""
    page = requests.get(auth_uri)
    assert page.status_code == 200, page.text
    hidden = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text)}
    user = re.search(rf'name="user" value="([^"]+)" data-username="{re.escape(username)}"', page.text).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlparse(auth_uri))
    answer = requests.post(f"{origin}{html.unescape(action)}", data={**hidden, "user": user}, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_msal_public_client_authorization_code_flow_with_pkce(emulators):
    desktop = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
    assert control("POST", "/entra/apps", json={
        "tenant_id": TENANT, "client_id": desktop, "app_id_uri": f"api://desktop/{desktop}",
    }).status_code == 204
    switch({"entra": {
        "users": [{"tenant_id": TENANT, "object_id": "22222222-3333-4444-5555-666666666666",
                   "username": "blake@contoso-demo.example", "name": "Blake Rep"}],
        "redirect_uris": [{"client_id": desktop, "uri": "http://localhost", "kind": "public"}],
    }})
    app = msal.PublicClientApplication(
        desktop, authority=f"{emulators['entra']}/{TENANT}", instance_discovery=False,
        token_cache=msal.TokenCache(),
    )
    scope = f"api://localhost/{API}/access_as_user"
    flow = app.initiate_auth_code_flow(scopes=[scope], redirect_uri="http://localhost:8400", login_hint="blake@contoso-demo.example")
    assert flow["code_verifier"], "msal uses PKCE"
    location = login_page_sign_in(flow["auth_uri"], "blake@contoso-demo.example")
    assert location.startswith("http://localhost:8400")
    response = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert "access_token" in result, result
    claims = claims_of(result["access_token"])
    assert (claims["aud"], claims["scp"], claims["azp"]) == (API, "access_as_user", desktop)
    assert claims["preferred_username"] == "blake@contoso-demo.example"
    assert result["id_token_claims"]["oid"] == "22222222-3333-4444-5555-666666666666"

    account = app.get_accounts()[0]
    again = app.acquire_token_silent([scope], account=account, force_refresh=True)
    assert "access_token" in again, again
    switch({"entra": {"revoke_refresh_tokens_of": ["22222222-3333-4444-5555-666666666666"]}})
    refused = app.acquire_token_silent_with_error([scope], account=account, force_refresh=True)
    assert refused["error"] == "invalid_grant", refused

    unregistered = app.initiate_auth_code_flow(scopes=[scope], redirect_uri="http://127.0.0.1:9/elsewhere")
    page = requests.get(unregistered["auth_uri"])
    assert page.status_code == 400 and "AADSTS50011" in page.text


def test_obo_and_conditional_access_failures_and_key_rotation(emulators):
    minted = control("POST", "/entra/tokens", json={
        "tenant_id": TENANT, "object_id": REP, "audience": API, "username": REP_USERNAME,
    })
    assert minted.status_code == 201
    assertion = minted.json()["access_token"]
    calendars = ["https://graph.microsoft.com/Calendars.ReadWrite"]

    def on_behalf_of():
        # A new app each time: msal holds back a request that just failed the same way.
        app = msal.ConfidentialClientApplication(
            API, client_credential=SECRET, authority=f"{emulators['entra']}/{TENANT}",
            instance_discovery=False, token_cache=msal.TokenCache(),
        )
        return app.acquire_token_on_behalf_of(assertion, calendars)

    switch({"entra": {"obo_failures": [{"object_id": REP, "failure": "interaction_required", "claims": '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'}]}})
    challenged = on_behalf_of()
    assert challenged["error"] == "interaction_required" and "acrs" in challenged["claims"]
    switch({"entra": {"obo_failures": [{"object_id": REP, "failure": "consent_required"}]}})
    assert 65001 in on_behalf_of()["error_codes"]
    switch({"entra": {"obo_failures": [{"object_id": REP, "failure": None}]}})
    assert "access_token" in on_behalf_of()

    keys = lambda: {k["kid"] for k in requests.get(f"{emulators['entra']}/common/discovery/v2.0/keys").json()["keys"]}
    before = keys()
    switch({"entra": {"rotate_keys": True}})
    assert keys() != before
    switch({"entra": {"keys_outage": "fail"}})
    assert requests.get(f"{emulators['entra']}/common/discovery/v2.0/keys").status_code == 503
    switch({"entra": {"keys_outage": "hang"}})
    with pytest.raises(requests.exceptions.Timeout):
        requests.get(f"{emulators['entra']}/common/discovery/v2.0/keys", timeout=0.5)
    switch({"entra": {"keys_outage": "none"}})
    assert keys()
    assert control("GET", "/entra/calls").json()["token"] >= 1


def test_an_idle_refresh_token_expires_as_entras_clock_moves(emulators):
    # Entra refuses a refresh token unused for longer than its inactivity lifetime
    # (invalid_grant, AADSTS700082); the switches shorten the lifetime and move the clock.
    minted = control("POST", "/entra/tokens", json={
        "tenant_id": TENANT, "object_id": REP, "audience": API, "username": REP_USERNAME,
    }).json()["access_token"]
    token_url = f"{emulators['entra']}/{TENANT}/oauth2/v2.0/token"
    scope = "https://graph.microsoft.com/Calendars.ReadWrite offline_access"
    obo = requests.post(token_url, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id": API, "client_secret": SECRET,
        "assertion": minted, "scope": scope, "requested_token_use": "on_behalf_of",
    }, timeout=30)
    assert obo.status_code == 200, obo.text
    refresh = {"grant_type": "refresh_token", "client_id": API, "client_secret": SECRET,
               "refresh_token": obo.json()["refresh_token"], "scope": scope}
    switch({"entra": {"refresh_token_inactivity_seconds": 3600}, "advance_clock_seconds": 1800})
    assert requests.post(token_url, data=refresh, timeout=30).status_code == 200
    switch({"advance_clock_seconds": 3601})
    refused = requests.post(token_url, data=refresh, timeout=30)
    assert refused.status_code == 400 and refused.json()["error_codes"] == [700082], refused.text
    assert "inactive for 01:00:00" in refused.json()["error_description"]
    switch({"entra": {"refresh_token_inactivity_seconds": 7776000}})


def test_token_endpoint_faults_are_switched_on_in_order(emulators):
    minted = control("POST", "/entra/tokens", json={
        "tenant_id": TENANT, "object_id": REP, "audience": API, "username": REP_USERNAME,
    }).json()["access_token"]
    token_url = f"{emulators['entra']}/{TENANT}/oauth2/v2.0/token"
    obo = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id": API, "client_secret": SECRET,
           "assertion": minted, "scope": "https://graph.microsoft.com/Calendars.ReadWrite",
           "requested_token_use": "on_behalf_of"}
    switch({"entra": {"token_faults": [{"kind": "temporarily_unavailable"}, {"kind": "server_error"},
                                       {"kind": "latency", "ms": 200}]}})
    first = requests.post(token_url, data=obo, timeout=30)
    assert first.status_code == 503 and first.json()["error"] == "temporarily_unavailable", first.text
    second = requests.post(token_url, data=obo, timeout=30)
    assert second.status_code == 500 and second.json()["error"] == "server_error", second.text
    started = time.monotonic()
    assert requests.post(token_url, data=obo, timeout=30).status_code == 200
    assert time.monotonic() - started >= 0.2
    switch({"entra": {"token_faults": [{"kind": "server_error"}]}})
    switch({"entra": {"token_faults": []}})
    assert requests.post(token_url, data=obo, timeout=30).status_code == 200
