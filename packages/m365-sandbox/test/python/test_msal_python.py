"""The sandbox against a second, independent client stack: Microsoft's MSAL for Python and `requests`.

Run by sandbox/test/msal-python.test.ts, which starts a sandbox and passes its endpoints in SANDBOX_ENDPOINTS
(the JSON the sandbox writes to endpoints.json). Debian's python3-msal (1.21) and python3-requests.
Each test is independent: it asks for its own token and uses its own subject line.
"""
import base64
import hashlib
import json
import os
import unittest
import urllib.parse
import uuid

import msal
import requests

E = json.loads(os.environ["SANDBOX_ENDPOINTS"])
GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]


def app(credential):
    return msal.ConfidentialClientApplication(
        E["app"]["clientId"],
        client_credential=credential,
        authority=f"{E['loginUrl']}/{E['tenant']['id']}",
        # A local authority: no instance discovery against login.microsoftonline.com.
        validate_authority=False,
        instance_discovery=False,
        verify=E["caFile"],
    )


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def secret_token():
    result = app(E["app"]["clientSecret"]).acquire_token_for_client(scopes=GRAPH_DEFAULT)
    assert "access_token" in result, result
    return result["access_token"]


def graph(method, path, token, **kw):
    return requests.request(method, f"{E['graphUrl']}/v1.0{path}", headers={"Authorization": f"Bearer {token}", **kw.pop("headers", {})}, verify=E["caFile"], timeout=30, **kw)


def delivered(subject):
    q = urllib.parse.urlencode({"subject": subject})
    r = requests.get(f"{E['controlUrl']}/messages?{q}", verify=E["caFile"], timeout=30)
    r.raise_for_status()
    return r.json()


def message(subject, to=None):
    return {
        "subject": subject,
        "body": {"contentType": "Text", "content": "from MSAL for Python"},
        "toRecipients": [{"emailAddress": {"address": to or E["mailboxes"]["shared"]}}],
    }


class MsalPython(unittest.TestCase):
    def test_client_secret_token(self):
        token = secret_token()
        c = claims(token)
        self.assertEqual(c["tid"], E["tenant"]["id"])
        self.assertEqual(c["appid"], E["app"]["clientId"])
        self.assertIn("Mail.Send", c.get("roles", []))

    def test_certificate_token(self):
        # MSAL for Python 1.21 signs RS256 with an x5t header in base64url *with* padding.
        with open(E["app"]["privateKeyFile"]) as f:
            key = f.read()
        result = app({"private_key": key, "thumbprint": E["app"]["thumbprint"]}).acquire_token_for_client(scopes=GRAPH_DEFAULT)
        self.assertIn("access_token", result, result)
        self.assertEqual(claims(result["access_token"])["appid"], E["app"]["clientId"])

    def test_wrong_secret_is_refused_with_aadsts7000215(self):
        result = app("not-the-secret").acquire_token_for_client(scopes=GRAPH_DEFAULT)
        self.assertEqual(result.get("error"), "invalid_client")
        self.assertIn(7000215, result.get("error_codes", []))

    def test_send_mail(self):
        token = secret_token()
        subject = f"python sendMail {uuid.uuid4()}"
        r = graph("POST", f"/users/{E['mailboxes']['allowed']}/sendMail", token, json={"message": message(subject), "saveToSentItems": False})
        self.assertEqual(r.status_code, 202, r.text)
        self.assertEqual(r.text, "")
        copies = delivered(subject)
        self.assertEqual(len(copies), 1)
        self.assertEqual(copies[0]["from"]["address"].lower(), E["mailboxes"]["allowed"].lower())

    def test_errors_keep_graphs_envelope(self):
        token = secret_token()
        subject = f"python refused {uuid.uuid4()}"
        outside = graph("POST", f"/users/{E['mailboxes']['outsidePolicy']}/sendMail", token, json={"message": message(subject)})
        self.assertEqual(outside.status_code, 403)
        self.assertEqual(outside.json()["error"]["code"], "ErrorAccessDenied")
        self.assertTrue(outside.headers.get("request-id"))
        unknown = graph("POST", f"/users/nobody-{uuid.uuid4().hex[:8]}@{E['tenant']['domain']}/sendMail", token, json={"message": message(subject)})
        self.assertEqual(unknown.status_code, 404)
        self.assertEqual(unknown.json()["error"]["code"], "ErrorInvalidUser")
        self.assertEqual(delivered(subject), [])

    def test_upload_session(self):
        token = secret_token()
        sender = E["mailboxes"]["allowed"]
        subject = f"python upload {uuid.uuid4()}"
        data = os.urandom(5 * 1024 * 1024 + 123)
        draft = graph("POST", f"/users/{sender}/messages", token, json=message(subject))
        self.assertEqual(draft.status_code, 201, draft.text)
        mid = urllib.parse.quote(draft.json()["id"], safe="")
        session = graph("POST", f"/users/{sender}/messages/{mid}/attachments/createUploadSession", token, json={"AttachmentItem": {"attachmentType": "file", "name": "big.bin", "size": len(data)}})
        self.assertEqual(session.status_code, 201, session.text)
        upload_url = session.json()["uploadUrl"]
        self.assertEqual(session.json()["nextExpectedRanges"], ["0-"])
        chunk = 320 * 1024 * 10
        for start in range(0, len(data), chunk):
            part = data[start:start + chunk]
            # The upload URL is pre-authenticated: no Authorization header.
            put = requests.put(upload_url, data=part, headers={"Content-Range": f"bytes {start}-{start + len(part) - 1}/{len(data)}", "Content-Length": str(len(part))}, verify=E["caFile"], timeout=60)
            last = start + len(part) == len(data)
            self.assertEqual(put.status_code, 201 if last else 200, put.text)
        sent = graph("POST", f"/users/{sender}/messages/{mid}/send", token, headers={"Content-Length": "0"})
        self.assertEqual(sent.status_code, 202, sent.text)
        copies = delivered(subject)
        self.assertEqual(len(copies), 1)
        self.assertEqual(copies[0]["attachments"][0]["sha256"], hashlib.sha256(data).hexdigest())


if __name__ == "__main__":
    unittest.main()
