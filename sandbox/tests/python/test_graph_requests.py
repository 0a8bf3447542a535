"""Microsoft Graph's documented request sequences, replayed with `requests` against the Graph
emulator (with a token that Microsoft's `msal` obtains from the Entra emulator): a delta round
trip, a JSON batch with dependencies, and a subscription's validation handshake followed by a
change notification.

Run by sandbox/tests/python_clients.rs, which starts the emulators, registers the app, adds the
mailbox and trusts the sandbox CA through REQUESTS_CA_BUNDLE.
"""

import os
import time
from datetime import datetime, timedelta, timezone

import msal
import pytest
import requests

import webhooks

GRAPH = os.environ["GRAPH_URL"]
USER = os.environ["GRAPH_USER"]


@pytest.fixture(scope="module")
def graph():
    app = msal.ConfidentialClientApplication(
        os.environ["ENTRA_CLIENT_ID"],
        client_credential=os.environ["ENTRA_CLIENT_SECRET"],
        authority=os.environ["ENTRA_AUTHORITY"],
        instance_discovery=False,
    )
    token = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"
    return session


def event(subject, day, hour=9):
    start = f"2025-07-{day:02d}T{hour:02d}:00:00"
    end = f"2025-07-{day:02d}T{hour + 1:02d}:00:00"
    return {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": "Eastern Standard Time"},
        "end": {"dateTime": end, "timeZone": "Eastern Standard Time"},
    }


def follow(graph, url, page_size):
    """Follows @odata.nextLink to the end of a round; its items and @odata.deltaLink."""
    items = []
    while True:
        page = graph.get(url, headers={"Prefer": f"odata.maxpagesize={page_size}"})
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["value"])
        if "@odata.nextLink" in body:
            url = body["@odata.nextLink"]
        else:
            return items, body["@odata.deltaLink"]


def test_delta_round_trip(graph):
    created = [graph.post(f"{GRAPH}/users/{USER}/events", json=event(f"Delta {d}", d)).json() for d in (7, 8, 9)]
    window = "startDateTime=2025-07-06T00:00:00Z&endDateTime=2025-07-13T00:00:00Z"
    items, delta_link = follow(graph, f"{GRAPH}/users/{USER}/calendarView/delta?{window}", 2)
    assert {i["subject"] for i in items} >= {"Delta 7", "Delta 8", "Delta 9"}

    graph.patch(f"{GRAPH}/users/{USER}/events/{created[0]['id']}", json={"subject": "Delta 7 (moved)"})
    assert graph.delete(f"{GRAPH}/users/{USER}/events/{created[1]['id']}").status_code == 204
    changes, _ = follow(graph, delta_link, 10)
    by_id = {c["id"]: c for c in changes}
    assert by_id[created[0]["id"]]["subject"] == "Delta 7 (moved)"
    assert by_id[created[1]["id"]]["@removed"] == {"reason": "deleted"}
    assert created[2]["id"] not in by_id

    refused = graph.get(f"{GRAPH}/users/{USER}/calendarView/delta?{window}&$select=subject")
    assert refused.status_code == 400


def test_batch_with_dependencies(graph):
    batch = {
        "requests": [
            {"id": "1", "method": "POST", "url": f"/users/{USER}/events", "headers": {"Content-Type": "application/json"}, "body": event("Batch", 15)},
            {"id": "2", "method": "GET", "url": f"/users/{USER}/events?$top=1", "dependsOn": ["1"]},
            {"id": "3", "method": "GET", "url": f"/users/{USER}/events/AAMkNoSuchEvent"},
            {"id": "4", "method": "GET", "url": f"/users/{USER}/events", "dependsOn": ["3"]},
        ]
    }
    answer = graph.post(f"{GRAPH}/$batch", json=batch)
    assert answer.status_code == 200
    status = {r["id"]: r["status"] for r in answer.json()["responses"]}
    assert status == {"1": 201, "2": 200, "3": 404, "4": 424}


def test_subscription_handshake_then_notification(graph):
    server, url, received = webhooks.start()
    expires = (datetime.now(timezone.utc) + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    created = graph.post(f"{GRAPH}/subscriptions", json={
        "changeType": "created,updated,deleted",
        "notificationUrl": url,
        "resource": f"/users/{USER}/events",
        "expirationDateTime": expires,
        "clientState": "python-client-state",
    })
    assert created.status_code == 201, created.text
    subscription = created.json()
    graph.post(f"{GRAPH}/users/{USER}/events", json=event("Notify", 20))
    for _ in range(100):
        if received:
            break
        time.sleep(0.05)
    server.shutdown()
    note = received[0]["value"][0]
    assert note["subscriptionId"] == subscription["id"]
    assert note["clientState"] == "python-client-state"
    assert note["changeType"] == "created"
    assert graph.delete(f"{GRAPH}/subscriptions/{subscription['id']}").status_code == 204
