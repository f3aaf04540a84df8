#!/bin/bash
# --json: one JSON object per snapshot per line, with a schema version,
# numbers as numbers and booleans as booleans; parsed here with jq.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || t_skip "jq is not installed (apt-get install jq)"

jqq() { jq -e "$@" >/dev/null; }

tree=$(t_tree basic)
out=$T_DIR/out
t_run 60 "$out" -b --json -n 3 -d 0.05 --src "$tree/src" --dst "$tree/dst"; rc=$?
t_eq "exit status 4 (a migration under way)" "$rc" 4
t_eq "three lines" "$(wc -l <"$out")" 3
t_check "every line is one valid JSON object" jqq -s 'length == 3 and all(type == "object")' "$out"
j() { jq -e "$1" "$out" >/dev/null; }
t_check "schema version 2 on every line" j '.schema == 2'
t_check "type snapshot, seq increasing" jqq -s 'map(.seq) == [1,2,3] and all(.type == "snapshot")' "$out"
t_check "time is an ISO string" j '.time | test("^20[0-9-]{8}T[0-9:.]{12}Z$")'
t_check "delay is a number" j '.delay == 0.05'
t_check "sources carry spec and link" j '.sources.src.spec | endswith("/basic/src")'
t_check "sources link ok" j '.sources.dst.link == "ok"'
t_check "8 devices" j '.devices | length == 8'
t_check "device fields and types" j 'all(.devices[]; (.side|type)=="string" and (.name|type)=="string" and (.since|type)=="number" and (.transitions|type)=="number" and (.present|type)=="boolean" and (.migration|type)=="boolean")'
t_check "state token exactly as the kernel prints it" j '.devices[] | select(.side=="src" and .name=="0000:3b:00.2") | .state == "STOP_COPY" and .status == "ok"'
t_check "features as a list" j '.devices[] | select(.side=="src" and .name=="0000:3b:00.2") | .features == ["stop-copy","p2p","pre-copy","dirty-tracking"]'
t_check "features null without a features file" j '.devices[] | select(.name=="0000:3b:00.3" and .side=="dst") | .features == null'
t_check "no-migration device: state null, status no-migration" j '.devices[] | select(.name=="0000:17:00.0" and .side=="src") | .state == null and .status == "no-migration" and .migration == false'
t_check "pairs carry src, dst, phase, verdict" j 'all(.pairs[]; has("src") and has("dst") and has("phase") and has("verdict") and (.failed|type)=="boolean")'
t_check "the migrating pair is in stop-copy" j '.pairs[] | select(.src=="0000:3b:00.2") | .phase == "stop-copy" and (.verdict|startswith("stop-copy"))'
t_check "... its attempt, open, with its fields" j '.pairs[] | select(.src=="0000:3b:00.2") | .attempts | length == 1 and .[0].no == 1 and .[0].decided == false and .[0].outcome == "stop-copy" and .[0].start_seen == false and (.[0].duration|type) == "number"'
t_check "pairs carry counts per outcome and a stranded field" j 'all(.pairs[]; (.counts.completed|type)=="number" and (.counts.failed|type)=="number" and (.counts.uncertain|type)=="number" and has("stranded"))'
t_check "unrelated devices are not paired" j '[.pairs[] | select(.src=="0000:af:00.1")] | length == 0'
t_check "devices say whether a first ERROR is idle" j 'all(.devices[]; (.idle_error|type)=="boolean")'

# Names with control characters and invalid UTF-8 stay valid JSON.
name=$'bad\x1b[31m\x01name'
t_state "$tree/src" "$name" RUNNING
t_raw "$tree/src" "raw" 'RUN\001\033[2J'
t_run 60 "$out" -b --json -n 1 --src "$tree/src"
t_check "hostile names: valid JSON" jqq . "$out"
t_check "hostile name decodes to the same bytes" jqq --arg n "$name" '.devices | map(.name) | index($n) != null' "$out"
t_check "unparsable content is reported, escaped" jqq '.devices[] | select(.name=="raw") | .status == "unparsable" and .state == null and (.content|type)=="string"' "$out"
t_nogrep "no raw ESC byte in the output" $'\x1b' "$out"
t_done
