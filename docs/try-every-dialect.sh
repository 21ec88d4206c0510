#!/usr/bin/env bash
# The README's curl examples, one per dialect, runnable against `cargo xtask dev`:
#   ADMIN_TOKEN=... bash docs/try-every-dialect.sh        (BASE defaults to http://127.0.0.1:8787)
# It creates a campaign and an operator through the admin API, then signs one person up in
# every dialect and prints each answer.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8787}
: "${ADMIN_TOKEN:?set ADMIN_TOKEN to the token cargo xtask dev printed or was given}"
RUN=$(date +%s)
auth=(-H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json')

echo "== admin: a campaign and an operator"
curl -sS "$BASE/admin/campaigns" "${auth[@]}" \
  -d "{\"id\":\"try-$RUN\",\"name\":\"Try every dialect\",\"allowed_origins\":[\"$BASE\"]}"; echo
OPERATOR=$(curl -sS "$BASE/admin/operators" "${auth[@]}" \
  -d "{\"name\":\"Box office\",\"permissions\":[\"accounts:create\",\"accounts:update\",\"owner\"],\"campaigns\":[\"try-$RUN\"]}")
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1" <<<"$OPERATOR"; }
API_KEY=$(field '["credentials"]["api_key"]')
BASIC_USER=$(field '["credentials"]["basic"]["user"]'); BASIC_PASSWORD=$(field '["credentials"]["basic"]["password"]')
MD_USERID=$(field '["credentials"]["movedigital"]["userid"]'); MD_SESSIONID=$(field '["credentials"]["movedigital"]["sessionid"]')
MD_SESSION=$(field '["credentials"]["movedigital"]["session"]'); BEARER=$(field '["credentials"]["bearer"]')

echo "== native"
curl -sS "$BASE/v1/accounts" -H 'content-type: application/json' -H 'x-publishable-key: pk_demo_local_only' \
  -d "{\"campaign\":\"demo\",\"email\":\"native-$RUN@example.com\",\"password\":\"Analytical-Engine\"}"; echo

echo "== poken: create with the OAuth2 code, exchange it, update the profile"
CREATED=$(curl -sS "$BASE/poken/account/create" \
  --data-urlencode "alias=ada$RUN" --data-urlencode 'password=Analytical-1843' \
  --data-urlencode "email=poken-$RUN@example.com" --data-urlencode 'country=gb' --data-urlencode 'response_type=code')
echo "$CREATED"
CODE=$(sed -n 's:.*<code>\(.*\)</code>.*:\1:p' <<<"$CREATED")
TOKEN=$(curl -sS "$BASE/poken/oauth2/token" -d grant_type=authorization_code --data-urlencode "code=$CODE" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -sS "$BASE/poken/account/profile" -H "authorization: Bearer $TOKEN" -d visibility=PUBLIC -d timezone=Europe/Warsaw; echo

echo "== getresponse"
curl -sS "$BASE/getresponse" -H 'content-type: application/json' -d "{\"jsonrpc\":\"2.0\",\"method\":\"add_account\",\"id\":1,
  \"params\":[\"$API_KEY\",{\"password\":\"12#\$qwER\",\"first_name\":\"John\",\"last_name\":\"Doe\",
  \"email\":\"gr-$RUN@example.com\",\"company_name\":\"Implix\",\"phone\":\"+48111111111\",\"country_code\":\"PL\",
  \"country\":\"Poland\",\"city\":\"Gdańsk\",\"state\":\"pomorskie\",\"street\":\"Żabiańska\",\"zip_code\":\"24-213\",
  \"campaign\":{\"name\":\"trains\",\"description\":\"Fani pociągów.\",\"confirmation_subject\":\"CONFIRMATION_SUBJECT_ID\",
  \"confirmation_body\":\"CONFIRMATION_BODY_ID\",\"language_code\":\"PL\",\"optin\":\"single\"}}]}"; echo

echo "== movedigital"
curl -sS "$BASE/movedigital/services/rest/" -d method=movedigital.accounts.proxy.createAccount \
  --data-urlencode "userid=$MD_USERID" --data-urlencode "sessionid=$MD_SESSIONID" --data-urlencode "session=$MD_SESSION" \
  --data-urlencode "username=md$RUN" -d password=ignored -d confirm_password=ignored \
  --data-urlencode "email=md-$RUN@example.com" -d eula_agree=yes; echo

echo "== engagement"
curl -sS "$BASE/engagement/users" -u "$BASIC_USER:$BASIC_PASSWORD" -H 'content-type: application/json;charset=UTF-8' \
  -d "{\"firstName\":\"Latha\",\"lastName\":\"Ganesh\",\"country\":\"India\",\"email\":\"eng-$RUN@example.com\",
       \"mobileNumber\":\"919876543210\",\"smsSubscription\":true,\"voiceSubscription\":true,\"emailSubscription\":true,\"state\":\"\"}"; echo

echo "== any route in another dialect: Engagement's route answering natively"
curl -sS "$BASE/engagement/users?dialect=native" -u "$BASIC_USER:$BASIC_PASSWORD" -H 'content-type: application/json' \
  -d "{\"firstName\":\"Latha\",\"lastName\":\"Ganesh\",\"country\":\"India\",\"email\":\"eng-$RUN@example.com\"}"; echo
