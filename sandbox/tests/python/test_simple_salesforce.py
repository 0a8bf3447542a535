"""The Python `simple-salesforce` package against the Salesforce emulator.

Run by sandbox/tests/python_clients.rs, which starts the emulator, seeds an org (a rep with a
live session, 2,500 contacts, an external id field on Contact), passes the session and the
instance in the environment, and trusts the sandbox CA through REQUESTS_CA_BUNDLE.
simple-salesforce builds https://{instance}/services/data/v{version}/ itself.
"""

import datetime
import os

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

SEEDED = int(os.environ["SF_SEEDED_CONTACTS"])


def client(session=None):
    return Salesforce(
        instance=os.environ["SF_INSTANCE"],
        session_id=session or os.environ["SF_SESSION"],
        version=os.environ["SF_VERSION"],
    )


def test_query_pages_through_next_records_url():
    sf = client()
    first = sf.query("SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Seeded%'")
    assert first["totalSize"] == SEEDED
    assert first["done"] is False
    assert first["nextRecordsUrl"].startswith("/services/data/v")
    everything = sf.query_all("SELECT Id FROM Contact WHERE LastName LIKE 'Seeded%'")
    ids = {record["Id"] for record in everything["records"]}
    assert len(ids) == SEEDED


def test_create_read_update_delete():
    sf = client()
    created = sf.Contact.create({"FirstName": "Py", "LastName": "Client", "Email": "py@client.example"})
    assert created["success"] is True
    contact_id = created["id"]
    assert sf.Contact.get(contact_id)["Name"] == "Py Client"
    assert sf.Contact.update(contact_id, {"Title": "Tester"}) == 204
    assert sf.Contact.get(contact_id)["Title"] == "Tester"
    assert sf.Contact.delete(contact_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Contact.get(contact_id)
    assert gone.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    deleted = sf.query_all(f"SELECT Id FROM Contact WHERE Id = '{contact_id}'", include_deleted=True)
    assert deleted["totalSize"] == 1


def test_upsert_by_external_id_and_get_by_custom_id():
    sf = client()
    assert sf.Contact.upsert("Ext_Id__c/PY-1", {"LastName": "Upserted"}) == 201
    assert sf.Contact.upsert("Ext_Id__c/PY-1", {"LastName": "Again"}) == 200
    assert sf.Contact.get_by_custom_id("Ext_Id__c", "PY-1")["LastName"] == "Again"


def test_sosl_search_and_quick_search_find_an_email():
    sf = client()
    email = "sosl-user+tag@search.example"
    contact_id = sf.Contact.create({"LastName": "Searchable", "Email": email})["id"]
    escaped = email.replace("-", "\\-").replace("+", "\\+")
    found = sf.search(f"FIND {{{escaped}}} IN EMAIL FIELDS RETURNING Contact(Id, Email)")
    assert [r["Id"] for r in found["searchRecords"]] == [contact_id]
    quick = sf.quick_search("Searchable")
    assert contact_id in [r["Id"] for r in quick["searchRecords"]]


def test_describe_updated_deleted_and_limits():
    sf = client()
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    assert fields["Email"]["type"] == "email"
    assert fields["Ext_Id__c"]["externalId"] is True
    now = datetime.datetime.now(datetime.timezone.utc)
    window = (now - datetime.timedelta(hours=1), now + datetime.timedelta(minutes=5))
    updated = sf.Contact.updated(*window)
    assert len(updated["ids"]) >= SEEDED
    assert updated["latestDateCovered"].endswith("+0000")
    assert "deletedRecords" in sf.Contact.deleted(*window)
    assert sf.limits()["DailyApiRequests"]["Max"] > 0
    assert sf.api_usage["api-usage"].used > 0


def test_composite_and_collections_through_restful():
    sf = client()
    version = os.environ["SF_VERSION"]
    composite = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {"method": "POST", "url": f"/services/data/v{version}/sobjects/Account", "referenceId": "acct", "body": {"Name": "Py Corp"}},
                {"method": "POST", "url": f"/services/data/v{version}/sobjects/Contact", "referenceId": "ct",
                 "body": {"LastName": "Composite", "AccountId": "@{acct.id}"}},
            ],
        },
    )
    assert [r["httpStatusCode"] for r in composite["compositeResponse"]] == [201, 201]
    saved = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"allOrNone": False, "records": [
            {"attributes": {"type": "Contact"}, "LastName": "Batch One"},
            {"attributes": {"type": "Contact"}, "FirstName": "Missing last name"},
        ]},
    )
    assert saved[0]["success"] is True
    assert saved[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"


def test_errors_map_to_the_clients_exceptions():
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        client().query("SELECT FROM Contact")
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    with pytest.raises(SalesforceExpiredSession):
        client("00Dxx0000000000!AQ0AQnotasession").query("SELECT Id FROM Contact")


def test_sosl_in_all_fields_the_most_common_form():
    sf = client()
    sf.Account.create({"Name": "Zebulon Widgets"})
    found = sf.search("FIND {Zebulon} IN ALL FIELDS RETURNING Account(Id, Name)")
    assert [r["Name"] for r in found["searchRecords"]] == ["Zebulon Widgets"]
    quick = sf.quick_search("Zebulon")
    assert any(r["attributes"]["type"] == "Account" for r in quick["searchRecords"])


def test_composite_all_or_none_halts_on_a_collections_subrequest_with_failed_records():
    sf = client()
    base = f"/services/data/v{os.environ['SF_VERSION']}"
    answer = sf.restful("composite", method="POST", json={
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": f"{base}/sobjects/Account", "referenceId": "first", "body": {"Name": "Rolled Back Co"}},
            {"method": "POST", "url": f"{base}/composite/sobjects", "referenceId": "contacts", "body": {
                "allOrNone": False,
                "records": [
                    {"attributes": {"type": "Contact"}, "LastName": "Valid"},
                    {"attributes": {"type": "Contact"}, "FirstName": "No last name"},
                ],
            }},
            {"method": "POST", "url": f"{base}/sobjects/Account", "referenceId": "later", "body": {"Name": "Never Co"}},
        ],
    })
    results = {r["referenceId"]: r for r in answer["compositeResponse"]}
    assert results["first"]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert results["later"]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert results["contacts"]["body"][1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    leftovers = sf.query("SELECT Id FROM Account WHERE Name IN ('Rolled Back Co', 'Never Co')")
    assert leftovers["totalSize"] == 0
