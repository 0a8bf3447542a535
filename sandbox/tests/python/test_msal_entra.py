"""The Python `msal` package (Microsoft's own client) against the Entra ID emulator.

Run by sandbox/tests/python_clients.rs, which starts the emulator and passes its authority, an
app registration and user assertions in the environment, and trusts the sandbox CA through
REQUESTS_CA_BUNDLE.
"""

import os

import msal

AUTHORITY = os.environ["ENTRA_AUTHORITY"]
CLIENT_ID = os.environ["ENTRA_CLIENT_ID"]
SECRET = os.environ["ENTRA_CLIENT_SECRET"]
GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]
GRAPH_CALENDARS = ["https://graph.microsoft.com/Calendars.ReadWrite"]


def app(secret=SECRET):
    # instance_discovery=False: the emulator is not one of Microsoft's well-known hosts.
    return msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential=secret,
        authority=AUTHORITY,
        instance_discovery=False,
        token_cache=msal.TokenCache(),
    )


def test_client_credentials_gives_an_app_only_token():
    result = app().acquire_token_for_client(scopes=GRAPH_DEFAULT)
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer"
    assert result["expires_in"] > 3000


def test_client_credentials_with_a_wrong_secret_is_refused():
    result = app("not-the-secret").acquire_token_for_client(scopes=GRAPH_DEFAULT)
    assert result["error"] == "invalid_client", result
    assert 7000215 in result["error_codes"]


def test_client_credentials_without_default_scope_is_refused():
    result = app().acquire_token_for_client(scopes=GRAPH_CALENDARS)
    assert result["error"] == "invalid_scope", result
    assert 1002012 in result["error_codes"]


def test_on_behalf_of_gives_a_graph_token_for_the_rep():
    result = app().acquire_token_on_behalf_of(
        user_assertion=os.environ["ENTRA_USER_ASSERTION"], scopes=GRAPH_CALENDARS
    )
    assert "access_token" in result, result
    scopes = result["scope"].split() if isinstance(result["scope"], str) else result["scope"]
    assert "https://graph.microsoft.com/Calendars.ReadWrite" in scopes, result


def test_on_behalf_of_surfaces_the_conditional_access_challenge():
    result = app().acquire_token_on_behalf_of(
        user_assertion=os.environ["ENTRA_MFA_USER_ASSERTION"], scopes=GRAPH_CALENDARS
    )
    assert result["error"] == "interaction_required", result
    assert result["claims"] == os.environ["ENTRA_MFA_CLAIMS"]


def test_client_credentials_with_a_certificate():
    with open(os.environ["ENTRA_CERT_KEY_FILE"]) as key:
        credential = {"private_key": key.read(), "thumbprint": os.environ["ENTRA_CERT_THUMBPRINT"]}
    result = app(credential).acquire_token_for_client(scopes=GRAPH_DEFAULT)
    assert "access_token" in result, result
