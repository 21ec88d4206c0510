#!/usr/bin/env python3
"""Writes rules.jsonl: the inputs the rule set must judge identically natively and in wasm,
and seed_values.jsonl: the vendor dialects' own values, which only the edge reads.

Each line is ["kind", "input"]. Deterministic: re-running it gives the same files. Run from
this folder: python3 generate.py (the verdicts are re-blessed with ENLIST_BLESS=1, see
shared/tests/same_verdicts.rs and edge/tests/seed_values.rs).
"""
import json
import string

cases = []
def add(kind, *inputs):
    for i in inputs:
        cases.append([kind, i])

# Every two-letter code, upper and lower case: all 249 countries and 427 non-countries.
letters = string.ascii_uppercase
for i, a in enumerate(letters):
    for j, b in enumerate(letters):
        code = a + b
        add("country", code if (i + j) % 2 == 0 else code.lower())
add("country", "", " ", "POL", "P", "12", "p1", "ÜS", " us ", "u s", "\tpl\n", "ＰＬ", "PL\u0000")

add("country_name", "Poland", "India", "poland", "POLAND", "United States", "United States of America",
    "USA", "U.S.A.", "UK", "United Kingdom", "Great Britain", "Russia", "Russian Federation", "South Korea",
    "North Korea", "Korea", "Bolivia", "Bolivia (Plurinational State of)", "Cote d'Ivoire", "Côte d’Ivoire",
    "Vietnam", "Viet Nam", "The Netherlands", "Netherlands", "Saint Lucia", "St. Lucia", "Czechia",
    "Czech Republic", "Congo", "DR Congo", "Virgin Islands", "Åland Islands", "Aland", "Curaçao", "Réunion",
    "Atlantis", "Polska", "Europe", "PL", "", "   ", "Germany ", " france", "Bosnia & Herzegovina",
    "Bosnia and Herzegovina", "Trinidad and Tobago", "Hong Kong", "Macau", "Taiwan", "Iran", "Syria", "Laos",
    "Moldova", "Tanzania", "Venezuela", "Turkey", "Türkiye", "Eswatini", "Myanmar", "Burma", "Palestine",
    "Kosovo", "Antarctica", "Vatican City", "Holy See", "New Zealand", "Ivory Coast", "Cape Verde")

add("email", "ada@example.com", "Ada.Lovelace+events@sub.example.co.uk", "  padded@example.org ",
    "o'brien@example.ie", "john.doe@example.mail", "JOHN.DOE@EXAMPLE.MAIL", "not-an-email", "@example.com",
    "ada@", "ada@localhost", "Ada <ada@example.com>", "ada@[127.0.0.1]", "ada@@example.com",
    "ada example@example.com", "ada@example.com\n", "ada\u0000@example.com", "", " ", "a@b.co", "a@b.c",
    "ada@example..com", ".ada@example.com", "ada.@example.com", "ada..lovelace@example.com",
    "\"ada lovelace\"@example.com", "ada@exa_mple.com", "ada@-example.com", "ada@example-.com",
    "ada@xn--bcher-kva.example", "ada@bücher.example", "zoë@example.com", "用户@例子.广告", "ada@example.123",
    "ada@example.c", "a" * 64 + "@example.com", "a" * 65 + "@example.com", "ada@" + "b" * 63 + ".com",
    "ada@" + "b" * 64 + ".com", "x@" + ("a" * 60 + ".") * 4 + "com", "ada+tag+more@example.com",
    "ada%example.com@example.org", "ada@example.com.", "ADA@Example.Com", "ada@sub.sub.sub.example.museum",
    "ada,lovelace@example.com", "ada;@example.com", "ada@example.com;drop table", "<script>@example.com",
    "ada@example.com ", "\u202eada@example.com", "ada@exam ple.com", "mailto:ada@example.com")

reserved_disguises = ["admin", "Admin", "ADMIN", "Adm1n", "4dmin", "@dmin", "r00t", "Root", "admin2024",
    "sup-port", "s.u.p.p.o.r.t", "ＡＤＭＩＮ", "аdmin", "ѕupport", "5y5tem", "m0derat0r", "enlist", "P0ken",
    "getresponse", "webmaster", "postmaster1", "n0reply", "administrate", "rooter", "supporter", "sysadmin99"]
add("alias", "jo", "ada_lovelace", "Grace.Hopper", "k8s-fan", "r2d2", "user2024", "", " ", "a", "é", "12345",
    "007", "ada lovelace", "zoë", "_ada", "-ada", ".ada", "ada.", "a" * 32, "a" * 33, "a-", "ab", "a1", "1a",
    "ada\u0000", "ada\n", "ada🙂", "Ａda", "ADA", "aDa", *reserved_disguises)

common_samples = ["123456", "password", "12345678", "qwerty", "baseball", "dragon", "football", "monkey",
    "letmein", "shadow", "master", "superman", "1qaz2wsx", "trustno1", "iloveyou", "sunshine", "princess",
    "starwars", "whatever", "passw0rd", "Password", "PASSWORD", "Passw0rd", "qwertyuiop", "1234567890",
    "michael", "jennifer", "jordan23", "hunter", "zxcvbnm", "asdfghjkl", "welcome", "charlie", "donald",
    "freedom", "mustang", "access", "batman", "computer", "internet"]
add("password", *common_samples)
add("password", "", " ", "1234567", "zq8!vW3#", "ééééééé", "éééééééé", "Analytical-Engine-1843",
    "correct horse battery staple", "Tr0ub4dor&3", "aaaaaaaaaaaaaaaa", "abcdefghijklmnop", "Xk#9v!Qz2@Lm",
    "        ", "x" * 256, "x" * 257, "xQ" * 128, "пароль-надёжный", "密码密码密码密码", "12#$qwER",
    "Trainspotting", "trainspott1ng", "Trainspott!ng", "P@ssw0rd!2026", "aA1!aA1!", "qwerty12",
    "tab\there1", "new\nline99", "nul\u0000byte9", "🙂🙂🙂🙂🙂🙂🙂🙂")
add("password_gr", "12#$qwER", "Trainspotting", "trainspott1ng", "TRAINSPOTT1NG", "Trainspott!ng",
    "password", "Password1", "Zażółć-Gęślą", "ZAŻÓŁĆ-1", "żółw-GĘŚ", "AbCdEfGh", "abcdefg1", "Ab1", "Ab1!Ab1!",
    "Correct Horse", "correct horse 9", "UPPER lower", "Mixed123", "mixedCASE", "ÅÄÖåäö12")

add("state", "ny", "NY", "New York", "new york", "district of columbia", "US Virgin Islands",
    "U.S. Virgin Islands", "pomorskie", "XX", "", " ", "Calif.", "CA", "ca ", "Texas", "TX", "Washington",
    "Washington DC", "PR", "Puerto Rico", "AE", "Armed Forces Europe", "Ontario", "N.Y.")

add("timezone", "Europe/Warsaw", " europe/warsaw ", "EUROPE/WARSAW", "America/Argentina/Buenos_Aires", "UTC",
    "utc", "Etc/GMT+2", "Europe/Gdansk", "GMT+2", "+02:00", "Mars/Olympus", "Europe/", "", "Asia/Kolkata",
    "Asia/Calcutta", "America/New_York", "America/new_york", "US/Pacific", "Pacific/Auckland",
    "Africa/Abidjan", "Antarctica/Troll", "Europe/Kyiv", "Europe/Kiev", "Local", "Z", "CET", "EST5EDT",
    "Australia/Lord_Howe", "America/Indiana/Indianapolis", "europe/warsaw/x", "Europe\\Warsaw",
    "Europe/Warsaw\u0000")

add("lang", "en", "en-GB", "pt_BR", "PL", " de-at ", "xx", "eng", "e", "en-XX", "en-", "en-GBR", "es-419",
    "english", "en GB", "", "zh", "zh-TW", "zh_Hant", "fr-CA", "it-IT", "es-ES", "sr-Latn", "he", "iw",
    "nb-NO", "no", "ar-EG", "EN-us", "en_us", "ja-JP", "ko", "tlh", "en-gb-oed", "de-DE-1996", "pt-PT", "uk",
    "uk-UA", "cy-GB", "zu", "aa")

add("phone", "+48111111111", "+48 111 111 111", "0048 (111) 111-111", "+1 (415) 555-2671", "+91 98765 43210",
    "+39 06 698 12345", "+683 4002", "+44 20 7946 0958", "111111111", "+999 1234567", "+1 415 555 267",
    "+48 12", "+4812345678901234", "+48 111-111-11x", "++48111111111", "+48 0111 111 111", "9876543210", "",
    " ", "+7 912 345 67 89", "+7 912 345 67 8", "+86 138 0013 8000", "+49 30 901820", "+33 1 23 45 67 89",
    "+61 2 9876 5432", "+27 21 123 4567", "+380 44 123 4567", "+1-800-FLOWERS", "+48.111.111.111",
    "+48/111/111/111", "0049 30 901820", "+0 123456", "+48\u00a0111\u00a0111\u00a0111", "+٤٨١١١١١١١١١",
    "+48 111 111 111 ext 5", "tel:+48111111111", "+", "00", "+123456789012345", "+1234567890123456",
    "+972 3 123 4567", "+880 1712 345678", "+55 11 91234 5678", "+52 55 1234 5678", "+81 3 1234 5678",
    "+82 2 312 3456", "+65 6123 4567", "+971 4 123 4567", "+351 21 123 4567")

add("url", "https://example.com", "HTTP://Example.COM/Path?q=1#top", "example.org/blog",
    "https://sub.example.co.uk:8443/x", "http://192.0.2.10/", "javascript:alert(1)", "ftp://example.com",
    "https://", "https://localhost", "https://exa mple.com", "https://-bad-.com", "https://example.com:99999",
    "https://user:pw@example.com", "https://example.c0m", "not a url", "https://example..com", "",
    "https://example.com:0", "https://example.com:", "https://例子.广告", "https://xn--fsqu00a.xn--3lr804guic",
    "www.example.com", "https://example.com/" + "a" * 2100, "https://example.com/path with space",
    "https://example.com/\u0000", "data:text/html,hi", "//example.com", "https:/example.com",
    "https://example.com?q=<script>", "https://EXAMPLE.com/CaseKept", "http://256.1.1.1/",
    "http://1.2.3.4:8080/x", "https://a.b", "https://ab.cd", "https://example.com#frag", "mailto:ada@example.com",
    "https://example.com./", "https://_dmarc.example.com")

add("ip", "3232235777", "0", "4294967295", "4294967296", "-1", "192.168.1.1", "12a", "99999999999", "+5", "",
    " 16909060 ", "00000000001", "2130706433", "1.0", "0x7f000001", "١٢٣", "18446744073709551616", "42")
add("unix", "1700000000", "253402300799", "253402300800", "-5", "1.5", "soon", "1e9", "0", "", " 86400 ",
    "1732406400", "999999999999", "9999999999999", "00001")
add("date", "2024-02-29", "2026-11-24T10:15:00Z", "2026-11-24T10:15", "2026-11-24T10:15:59+05:30",
    "2026-11-24 23:59:59", "2023-02-29", "2026-13-01", "2026-1-01", "24-11-2026", "2026-11-24T25:00",
    "2026-11-24T10:60", "yesterday", "2026-11-24T10:15+5", "", "1899-12-31", "1900-01-01", "2000-02-29",
    "2100-02-29", "2026-04-31", "2026-11-24T10:15:00-03:00", "2026-11-24T10:15:00+15:00", "2026-11-24Z",
    "2026/11/24", "2026-11-24T", "2026-11-24T10", "9999-12-31T23:59:59Z")

for spelling, words in [("flag_true_false", ["true", "false", "TRUE", "False", "yes", "1", "", " true "]),
                        ("flag_yes_no", ["yes", "no", "YES", "No", "true", "y", "", "nope"]),
                        ("flag_on_off", ["on", "off", "ON", "Off", "1", "true", "", "onn"])]:
    add(spelling, *words)
add("visibility", "CONTACTS", "EVENT_PARTICIPANTS", "PUBLIC", "public", "event_participants", "FRIENDS", "",
    "PUBLIC ", "EVERYONE")
add("email_frequency", "DAILY", "WEEKLY", "NO_EMAIL", "no_email", "MONTHLY", "", "weekly")
add("send_email", "0", "1", "2", "3", "4", "5", "02", "-1", "", "four")
add("optin", "single", "double", "Double", "SINGLE", "triple", "", "confirmed")
add("text", "Gdańsk", "  Gdańsk ", "Żabiańska", "Line\nbreak", "nul\u0000", "evil\u202etxt.exe", " \t ", "",
    "a" * 100, "a" * 101, "O'Brien-Smith", "José María", "李小龍", "Ⅻ", "tab\tbed", "🙂 smile",
    "zero\u200bwidth", "\u2066isolate\u2069")
add("accept_language", "de-CH, fr;q=0.8", "pt-BR, fr;q=0.5, de;q=0.7", "pl;q=0.5, it;q=0.5", "ja, zh", "",
    "fr;q=0, es", "*;q=0.1, garbage;;q=x", "it-IT", "ES", "en-US,en;q=0.9", "q=1", "de;q=2, fr", "pl;q=-1, it",
    "fr;q=0.001, de;q=0.0009", "xx, yy, es-MX", ",,,", "de;q=abc, it;q=0.2")

forms = [
    {"email": "ada@example.com", "password": "Analytical-1843"},
    {"email": "nope", "password": "short"},
    {},
    {"email": "ada@example.com", "password": "password"},
    {"email": "ada@example.com", "password": "Analytical-1843", "alias": "Adm1n"},
    {"email": "ada@example.com", "password": "Analytical-1843", "country": "us"},
    {"email": "ada@example.com", "password": "Analytical-1843", "country": "us", "state": "ny"},
    {"email": "ada@example.com", "password": "Analytical-1843", "country": "PL", "country_name": "Germany"},
    {"email": "ada@example.com", "password": "Analytical-1843", "country_name": "India"},
    {"email": "ada@example.com", "password": "Analytical-1843", "phone": "+48 111 111 111", "lang": "pt_BR",
     "time_zone": "europe/warsaw", "website": "example.org", "first_name": " Ada ", "last_name": "Lovelace"},
    {"email": "ada@example.com", "password": "Analytical-1843", "eula": "no"},
    {"email": "ada@example.com", "password": "Analytical-1843", "city": "x" * 101, "postal_code": "24-213"},
    {"email": "john.doe@example.mail", "password": "12#$qwER", "first_name": "John", "last_name": "Doe",
     "organization": "Implix", "phone": "+48111111111", "country": "PL", "country_name": "Poland",
     "city": "Gdańsk", "state": "pomorskie", "address": "Żabiańska", "postal_code": "24-213"},
    {"email": "a@b.co", "password": "Xk#9v!Qz2", "work_email": "bad", "work_phone": "123", "work_fax": "+48 58 123 45 67"},
    {"email": "a@b.co", "password": "Xk#9v!Qz2", "prefix": "Dr.", "middle_name": "Augusta", "title": "Countess",
     "department": "Mathematics", "specialty": "Engines", "region": "London"},
]
for form in forms:
    add("form", json.dumps(form, ensure_ascii=False, sort_keys=True))

# The seeds' own values (Poken, GetResponse, MoveDigital, Engagement): the edge's, not the rule set's.
SEED_KINDS = {"ip", "unix", "date", "flag_true_false", "flag_yes_no", "flag_on_off", "visibility",
              "email_frequency", "send_email", "optin"}
for name, chosen in [("rules.jsonl", [c for c in cases if c[0] not in SEED_KINDS]),
                     ("seed_values.jsonl", [c for c in cases if c[0] in SEED_KINDS])]:
    with open(name, "w", encoding="utf-8") as out:
        for case in chosen:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{name}: {len(chosen)} inputs")
