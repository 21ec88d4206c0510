#!/usr/bin/env python3
"""Writes country-names.tsv (alpha-2, then the name in en, de, fr, es, pl, it) from the npm
package i18n-iso-countries (MIT). Usage: npm pack i18n-iso-countries && tar xzf the .tgz, then
python3 generate_country_names.py path/to/package"""
import json
import sys

package = sys.argv[1]
langs = ["en", "de", "fr", "es", "pl", "it"]
names = {lang: json.load(open(f"{package}/langs/{lang}.json", encoding="utf-8"))["countries"] for lang in langs}
first = lambda value: value[0] if isinstance(value, list) else value
with open("country-names.tsv", "w", encoding="utf-8") as out:
    for code in sorted(names["en"]):
        out.write("\t".join([code] + [first(names[lang][code]) for lang in langs]) + "\n")
