#!/usr/bin/env python3
"""Rewrites the `country.<code>` lines of ../locales/<tag>.txt (en, de, fr, es, pl, it) from the
npm package i18n-iso-countries (MIT), keeping every other line. Usage: npm pack
i18n-iso-countries && tar xzf the .tgz, then python3 generate_country_names.py path/to/package"""
import json
import pathlib
import sys

package = sys.argv[1]
locales = pathlib.Path(__file__).resolve().parent.parent / "locales"
first = lambda value: value[0] if isinstance(value, list) else value
for lang in ["en", "de", "fr", "es", "pl", "it"]:
    names = json.load(open(f"{package}/langs/{lang}.json", encoding="utf-8"))["countries"]
    path = locales / f"{lang}.txt"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("country.")]
    countries = [f"country.{code}\t{first(names[code])}" for code in sorted(names)]
    path.write_text("\n".join(kept + countries) + "\n", encoding="utf-8")
