#!/usr/bin/env python3
"""Writes hostile.jsonl: requests no route may answer with a 5xx or a created account.
Each line: {"route", "content_type" (or null), "headers", "body_b64"}. Deterministic.
Run from this folder: python3 generate_hostile.py"""
import base64
import json

ROUTES = {
    "native": "/v1/accounts",
    "poken": "/poken/account/create",
    "poken_profile": "/poken/account/profile",
    "poken_token": "/poken/oauth2/token",
    "getresponse": "/getresponse",
    "movedigital": "/movedigital/services/rest/",
    "engagement": "/engagement/users",
    "admin": "/admin/campaigns",
}
JSON_CT, FORM_CT = "application/json", "application/x-www-form-urlencoded"
cases = []

def add(route, body, content_type=JSON_CT, headers=None):
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    cases.append({"route": route, "content_type": content_type, "headers": headers or {},
                  "body_b64": base64.b64encode(raw).decode("ascii")})

nasty_strings = [
    "' OR 1=1 --", "'; DROP TABLE accounts; --", "\" OR \"\"=\"", "admin'--", "1; SELECT * FROM credentials",
    "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "../../etc/passwd", "%00", "\u0000",
    "a\u0000b@example.com", "ada@example.com\r\nBcc: victim@example.com", "x\r\nSet-Cookie: a=b", "\u202eadmin",
    "аdmin", "ＡＤＭＩＮ", "r00t", "\ud7ff" * 3, "𝓪𝓭𝓶𝓲𝓷", "\t\n\r", " " * 300, "A" * 5000, "é" * 300,
    "99999999999999999999999999999999", "-1", "1e309", "NaN", "null", "true", "[]", "{}",
]

# Bodies that are not what the route reads, or not readable at all.
broken_bodies = [b"", b"{", b"[1,2,3]", b"null", b"\"just a string\"", b"\xff\xfe\x00\x00garbage", b"\x00" * 64,
                 b"<?xml version=\"1.0\"?><account/>", b"alias=a&password=b", b"{\"a\":" * 500 + b"1" + b"}" * 500,
                 b"{\"email\":\"a@b.co\",\"email\":\"c@d.co\"}", ("{\"x\":\"" + "y" * 70000 + "\"}").encode()]
for route in ROUTES:
    for body in broken_bodies:
        ct = FORM_CT if route in ("poken", "poken_profile", "poken_token", "movedigital") and body[:1] not in (b"{", b"[") else JSON_CT
        add(route, body, ct)
    for ct in [None, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-7"]:
        add(route, b"{\"email\":\"a@b.co\"}", ct)

# Native: hostile values in every field, wrong types, unknown dialects.
for s in nasty_strings:
    add("native", json.dumps({"campaign": "demo", "email": s, "password": s, "alias": s, "first_name": s}),
        headers={"x-publishable-key": "pk_demo_local_only"})
for value in [1e300, -1, 2**70, [], {}, True, None]:
    add("native", json.dumps({"campaign": "demo", "email": value, "password": "Analytical-1843"}),
        headers={"x-publishable-key": "pk_demo_local_only"})
for key in ["pk_demo_local_only' OR '1'='1", "", "x" * 5000, "pk_%00"]:
    add("native", json.dumps({"campaign": "demo", "email": "a@example.com", "password": "Analytical-1843"}),
        headers={"x-publishable-key": key})
for campaign in ["demo' --", "../demo", "", "x" * 1000, "DEMO"]:
    add("native", json.dumps({"campaign": campaign, "email": "a@example.com", "password": "Analytical-1843"}),
        headers={"x-publishable-key": "pk_demo_local_only"})
for dialect in ["klingon", "", "NATIVE%00", "poken; drop", "../engagement"]:
    add("engagement", json.dumps({"firstName": "A"}), headers={"x-signup-dialect": dialect})

# Poken: repeated fields, hostile values, bad numbers.
for s in nasty_strings:
    q = json.dumps(s)[1:-1]
    add("poken", f"alias={q}&password={q}&email={q}&ip={q}&sendEmailId={q}", FORM_CT)
add("poken", "alias=a&alias=b&password=x&email=y", FORM_CT)
add("poken", "alias=abc&password=Analytical-1843&email=a%40example.com&ip=99999999999999999999", FORM_CT)
add("poken", "alias=abc&password=Analytical-1843&email=a%40example.com&sendEmailId=2&sendEmailTimestamp=99999999999999999999", FORM_CT)
add("poken", "alias=abc&password=Analytical-1843&email=a%40example.com&campaignId=demo", FORM_CT)
add("poken_token", "grant_type=authorization_code&code=pc_x.y", FORM_CT)
add("poken_token", "grant_type=password&username=a&password=b", FORM_CT)
add("poken_profile", "identityId=1%20OR%201%3D1&visibility=PUBLIC", FORM_CT, {"authorization": "Bearer pt_x.y"})
add("poken_profile", "visibility=PUBLIC", FORM_CT, {"authorization": "Bearer " + "a" * 9000})

# GetResponse: wrong JSON-RPC shapes.
for call in [
    {"method": "add_account"}, {"method": "add_account", "params": None}, {"method": "add_account", "params": "KEY"},
    {"method": "add_account", "params": ["KEY"]}, {"method": "add_account", "params": ["KEY", {}, {}]},
    {"method": "add_account", "params": [None, {}]}, {"method": "add_account", "params": [1, {"email": "a@b.co"}]},
    {"method": ["add_account"], "params": []}, {"method": "drop_all", "params": []}, {"jsonrpc": "3.0", "method": "add_account"},
    {"method": "add_account", "params": ["gr_x' OR 1=1_y", {"email": "a@b.co"}]}, {"id": {"nested": [1, 2]}, "method": "x"},
]:
    add("getresponse", json.dumps(call))
for s in nasty_strings[:15]:
    add("getresponse", json.dumps({"method": "add_account", "params": [s, {"email": s, "password": s, "phone": s, "campaign": {"name": s}}]}))

# MoveDigital: missing session, repeated fields, hostile values.
for s in nasty_strings[:20]:
    q = json.dumps(s)[1:-1]
    add("movedigital", f"method=movedigital.accounts.proxy.createAccount&userid={q}&sessionid={q}&session={q}&username={q}&email={q}", FORM_CT)
add("movedigital", "method=movedigital.accounts.proxy.createAccount&method=other", FORM_CT)
add("movedigital", "method=" + "a" * 10000, FORM_CT)

# Engagement: wrong types, hostile values, bad Basic headers.
for s in nasty_strings[:20]:
    add("engagement", json.dumps({"firstName": s, "lastName": s, "country": s, "email": s, "mobileNumber": s}),
        headers={"authorization": "Basic " + base64.b64encode(f"{s}:{s}".encode("utf-8", "surrogatepass")).decode()})
for header in ["Basic", "Basic !!!!", "Bearer x", "Basic " + "QQ==" * 3000, "basic YTpi"]:
    add("engagement", json.dumps({"firstName": "A", "lastName": "B", "country": "India", "email": "a@b.co"}), headers={"authorization": header})

# Admin without or with wrong tokens.
for header in [None, "Bearer ", "Bearer wrong", "Basic YTpi", "Bearer " + "x" * 5000]:
    add("admin", json.dumps({"id": "evil", "name": "Evil"}), headers={"authorization": header} if header else {})

with open("hostile.jsonl", "w", encoding="utf-8") as out:
    for case in cases:
        out.write(json.dumps(case, ensure_ascii=True) + "\n")
print(f"{len(cases)} hostile requests")
