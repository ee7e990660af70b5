"""Call Torii's Data Forest API as NCP's samples do: sign `METHOD target\\ntimestamp\\naccessKey`
with HMAC-SHA256 under the secret key and send the three x-ncp-* headers.

    .venv/bin/python examples/dataforest/ncp_call.py http://127.0.0.1:8080 <access key> <secret key> \\
        /api/v2/aiworkspaces/getDockerImageList '{"search": {"typeName": "pytorch"}}'

Add `--xml` to send and receive XML. Prints the status and the body.
"""

import base64
import hashlib
import hmac
import sys
import time

import requests


def signature(secret_key, method, target, timestamp, access_key):
    message = method + " " + target + "\n" + timestamp + "\n" + access_key
    digest = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


def call(base_url, access_key, secret_key, target, body, xml=False):
    timestamp = str(int(time.time() * 1000))
    headers = {
        "x-ncp-apigw-timestamp": timestamp,
        "x-ncp-iam-access-key": access_key,
        "x-ncp-apigw-signature-v2": signature(secret_key, "POST", target, timestamp, access_key),
        "Content-Type": "application/xml" if xml else "application/json",
    }
    if xml:
        headers["Accept"] = "application/xml"
    response = requests.post(base_url + target, data=body.encode("utf-8"), headers=headers, timeout=30)
    return response.status_code, response.text


def main(argv):
    xml = "--xml" in argv
    base_url, access_key, secret_key, target, *rest = [arg for arg in argv if arg != "--xml"]
    status, text = call(base_url, access_key, secret_key, target, rest[0] if rest else "{}", xml)
    print(status)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
