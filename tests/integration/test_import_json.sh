# Integration: docket import refuses bad JSON, whole, with nothing written: malformed JSON,
# deep nesting, duplicate keys, invalid UTF-8, a NUL in a string; in a checklist (from a file,
# from stdin) and in a line of an export. Among them our own JSONTestSuite-style cases: a raw
# NUL byte after a number (Jansson 2.14 reads "[1\0]" as [1]), in a string, at the end; lone
# surrogates written as escapes; duplicate keys deep inside a value; 100,000 nested arrays.
. "$(dirname "$0")/lib.sh"

good="$IT_DIR/data/checklist.json"

# bad NAME: a copy of the good checklist edited by the sed expression $2.
bad() {
    sed "$2" "$good" >"$tmp/$1.json"
    cmp -s "$good" "$tmp/$1.json" && fail "the edit for $1 changed nothing"
    pass
}

printf '{"format": "docket-checklist", "version": 1,' >"$tmp/cut.json"
printf '{"format": "docket-checklist", "version": 1}}\n' >"$tmp/extra.json"
printf '' >"$tmp/empty.json"
python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000 + "\n")' >"$tmp/deep.json"
python3 -c 'import sys; sys.stdout.write("{\"a\":" * 100000 + "1" + "}" * 100000 + "\n")' >"$tmp/deepobj.json"
# Deep nesting inside an otherwise good checklist, in a field the loader does not expect.
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
s = json.dumps(d)
sys.stdout.write(s[:-1] + ", \"deep\": " + "[" * 100000 + "]" * 100000 + "}\n")' "$good" >"$tmp/deepfield.json"
bad dupkey 's/"version": 1,/"version": 1, "version": 1,/'
bad dupitem 's/"key": "t.one", "title": "First", "kind": "task",/&  "kind": "task",/'
bad nul 's/"title": "First"/"title": "Fi\\u0000rst"/'
bad utf8 's/"title": "First"/"title": "Fi\xff\xferst"/'
# An overlong encoding and a lone surrogate (as raw bytes) are not UTF-8 either.
bad overlong 's/"title": "First"/"title": "Fi\xc0\xafrst"/'
bad surrogate 's/"title": "First"/"title": "Fi\xed\xa0\x80rst"/'
bad kind 's/"kind": "task", "ref": "1", "due"/"kind": "tsk", "ref": "1", "due"/'
# Escaped lone surrogates: JSON's grammar lets them through, but they are no Unicode text.
bad lonehigh 's/"title": "First"/"title": "Fi\\ud800rst"/'
bad lonelow 's/"title": "First"/"title": "Fi\\udc00rst"/'
bad highthen 's/"title": "First"/"title": "Fi\\ud800\\u0041rst"/'
# nulbytes NAME PYTHON: the good checklist with raw NUL bytes where the Python expression on s
# (its bytes) puts them.
nulbytes() {
    python3 -c 'import sys
s = open(sys.argv[1], "rb").read()
out = eval(sys.argv[2])
assert out != s and b"\0" in out
open(sys.argv[3], "wb").write(out)' "$good" "$2" "$tmp/$1.json" || fail "could not make $1.json"
}
nulbytes nulnum 's.replace(b"\"version\": 1,", b"\"version\": 1\0,", 1)'
nulbytes nulnum2 's.replace(b"\"version\": 1,", b"\"version\": 1\0\0\0,", 1)'
nulbytes nulstr 's.replace(b"\"First\"", b"\"Fi\0rst\"", 1)'
nulbytes nulend 's + b"\0"'

init_store
n0=$(events)
# Each refused with exit 3, one line, nothing written (run_fails compares the fingerprint).
run_fails 3 "docket: import: line 1, column [0-9]*: .*end of file" import "$tmp/cut.json"
run_fails 3 "docket: import: line 1" import "$tmp/extra.json"
run_fails 3 "docket: import: " import "$tmp/empty.json"
run_fails 3 "docket: import: line 1, column [0-9]*: maximum parsing depth" import "$tmp/deep.json"
run_fails 3 "docket: import: line 1, column [0-9]*: maximum parsing depth" import "$tmp/deepobj.json"
run_fails 3 "docket: import: .*maximum parsing depth" import "$tmp/deepfield.json"
run_fails 3 "docket: import: line 2, column [0-9]*: duplicate object key near '\"version\"'" import "$tmp/dupkey.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: duplicate object key near '\"kind\"'" import "$tmp/dupitem.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: .*\\\\u0000" import "$tmp/nul.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: .*byte 0xff" import "$tmp/utf8.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: .*byte 0xc0" import "$tmp/overlong.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: .*byte 0xed" import "$tmp/surrogate.json"
run_fails 3 "docket: import: items\[2\]: unknown kind 'tsk'" import "$tmp/kind.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: invalid Unicode '\\\\uD800'" import "$tmp/lonehigh.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: invalid Unicode '\\\\uDC00'" import "$tmp/lonelow.json"
run_fails 3 "docket: import: line [0-9]*, column [0-9]*: invalid Unicode '\\\\uD800\\\\u0041'" import "$tmp/highthen.json"
# A raw NUL is named where it stands, wherever it stands: after a number, where Jansson would
# drop it, in a string, after the end.
run_fails 3 "docket: import: line 2, column 45: a NUL byte, which JSON text never holds$" import "$tmp/nulnum.json"
run_fails 3 "docket: import: line 2, column 45: a NUL byte" import "$tmp/nulnum2.json"
run_fails 3 "docket: import: line 11, column [0-9]*: a NUL byte" import "$tmp/nulstr.json"
run_fails 3 "docket: import: line [0-9]*, column 1: a NUL byte" import "$tmp/nulend.json"
# The message escapes what it quotes: no raw invalid byte reaches the terminal.
run import "$tmp/utf8.json"
if LC_ALL=C grep -q "$(printf '[\200-\377]')" "$tmp/err"; then fail "stderr carries a raw non-ASCII byte"; fi
pass
# The same from stdin.
last_cmd="import - <dupkey.json"
fp0=$(fingerprint)
timeout 60 "$DOCKET" import - <"$tmp/dupkey.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 3
expect_one_err_line
expect_err "duplicate object key"
expect_no_out
timeout 60 "$DOCKET" import - <"$tmp/deep.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 3
expect_one_err_line
expect_err "maximum parsing depth"
expect_eq "store after bad stdin" "$(fingerprint)" "$fp0"
expect_eq "events after every refusal" "$(events)" "$n0"

# The good one loads (the edits above were what was wrong).
run_ok import "$good"
expect_out "3 items added"

# An export with one bad line: refused whole, naming the line.
run_ok set ceb approached -m "letter to the secretary" --on 2016-03
run_ok note iasc -m "a note"
run_ok note iasc -m "a later note"
run_ok export -o "$tmp/good.jsonl"
# The line of the note's event.
mid=$(grep -n '"reason":"a note"' "$tmp/good.jsonl" | cut -d: -f1)
[ -n "$mid" ] || fail "no note event in the export"
expect_eq "the note's line is followed by another" "$(($(wc -l <"$tmp/good.jsonl") - mid))" 1
# edit_line NAME PYTHON: the export with the note's line replaced by what the Python
# expression makes of s, the line's text.
edit_line() {
    python3 -c 'import sys
name, mid, code = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = open(sys.argv[4], "rb").read().split(b"\n")
s = lines[mid - 1].decode("utf-8")
assert "\"type\":\"event\"" in s, s
new = eval(code)
lines[mid - 1] = new if isinstance(new, bytes) else new.encode("utf-8")
open(sys.argv[5], "wb").write(b"\n".join(lines))' "$1" "$mid" "$2" "$tmp/good.jsonl" "$tmp/$1.jsonl" ||
        fail "could not make $1.jsonl"
}
edit_line cut 's[:-5]'
edit_line dupkey 's[:-1] + ",\"reason\":\"x\"}"'
edit_line nul 's.replace("\"reason\":\"a note\"", "\"reason\":\"a\\u0000note\"")'
edit_line utf8 's.encode().replace(b"a note", b"a \xff\xfe note")'
edit_line deep '"[" * 100000 + "]" * 100000'
edit_line notobj '"[1, 2, 3]"'
# Our JSONTestSuite-style cases in an event line. A NUL after the sequence number: Jansson
# alone would drop it and restore the line as it was.
edit_line nulnum '__import__("re").sub(r"(\"seq\":[0-9]+)", "\\1\0", s, count=1)'
edit_line nulstr 's.replace("\"reason\":\"a note\"", "\"reason\":\"a\0note\"")'
edit_line nulend 's + "\0"'
edit_line lone 's.replace("\"reason\":\"a note\"", "\"reason\":\"a \\ud800 note\"")'
edit_line dupdeep 's[:-1] + ",\"x\":{\"y\":[{\"a\":1,\"a\":2}]}}"'
edit_line deepfield 's[:-1] + ",\"x\":" + "[" * 100000 + "]" * 100000 + "}"'
for f in nul utf8 nulnum nulstr nulend lone; do
    cmp -s "$tmp/good.jsonl" "$tmp/$f.jsonl" && fail "the edit for $f changed nothing"
done
# And a NUL in the header's line: no export header then, and as a checklist it is refused at
# the NUL.
python3 -c 'import sys
b = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b.replace(b"\"version\":1,", b"\"version\":1\0,", 1))' \
    "$tmp/good.jsonl" "$tmp/nulhead.jsonl"
cmp -s "$tmp/good.jsonl" "$tmp/nulhead.jsonl" && fail "the edit for nulhead changed nothing"
init_store --empty
run_fails 3 "docket: import: line $mid, column [0-9]*: " import "$tmp/cut.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: duplicate object key" import "$tmp/dupkey.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: .*u0000" import "$tmp/nul.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: .*byte 0xff" import "$tmp/utf8.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: .*maximum parsing depth" import "$tmp/deep.jsonl"
run_fails 3 "docket: import: line $mid: unknown line type" import "$tmp/notobj.jsonl"
col=$(sed -n "${mid}p" "$tmp/good.jsonl" | python3 -c 'import re, sys
print(re.search(r"\"seq\":[0-9]+", sys.stdin.read()).end() + 1)')
run_fails 3 "docket: import: line $mid, column $col: a NUL byte, which JSON text never holds$" import "$tmp/nulnum.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: a NUL byte" import "$tmp/nulstr.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: a NUL byte" import "$tmp/nulend.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: invalid Unicode '\\\\uD800'" import "$tmp/lone.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: duplicate object key near '\"a\"'" import "$tmp/dupdeep.jsonl"
run_fails 3 "docket: import: line $mid, column [0-9]*: maximum parsing depth" import "$tmp/deepfield.jsonl"
run_fails 3 "docket: import: line 1, column [0-9]*: a NUL byte" import "$tmp/nulhead.jsonl"
expect_eq "events in the empty store" "$(events)" 0
run_ok import "$tmp/good.jsonl"
expect_out "^restored $(grep -c '"type":"event"' "$tmp/good.jsonl") events"
run_ok verify

# A file that cannot be read is an I/O failure (exit 6), as the README's table says.
run_fails 6 "docket: import: cannot read '$tmp/none.json': No such file or directory$" import "$tmp/none.json"
run_fails 6 "docket: import: cannot read '$tmp': Is a directory$" import "$tmp"
# The 64 MiB cap holds at the byte: 64 MiB reach the parser, one byte more is too large.
truncate -s 64M "$tmp/cap.json"
run_fails 3 "docket: import: line 1" import "$tmp/cap.json"
truncate -s 67108865 "$tmp/cap.json"
run_fails 3 "docket: import: $tmp/cap.json: larger than 64 MiB$" import "$tmp/cap.json"
printf '\n' >"$tmp/cap.json"
truncate -s 67108865 "$tmp/cap.json"
run_fails 3 "docket: import: $tmp/cap.json: larger than 64 MiB$" import "$tmp/cap.json"
rm -f "$tmp/cap.json"
done_ok
