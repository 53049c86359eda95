#!/usr/bin/env bash
# Prints an apt source (deb822) for <codename>-backports that uses the same
# archive URI(s) and keyring as this machine's own entry for <codename>, so a
# machine that reaches Debian through another mirror or a proxy keeps doing so.
# Reads <root>/etc/apt/sources.list and <root>/etc/apt/sources.list.d/*.list
# (one-line format) and *.sources (deb822). Exits 1, saying why, when no
# enabled `deb` entry for <codename> is found.
#
# usage: backports-source.sh [codename (default: VERSION_CODENAME of /etc/os-release)] [root (default /)]
set -euo pipefail

codename="${1:-}"
root="${2:-}"
if [ -z "$codename" ]; then
  codename="$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")"
fi
if [ -z "$codename" ]; then
  echo "backports-source: no codename given and none in $root/etc/os-release" >&2
  exit 1
fi

shopt -s nullglob
apt="$root/etc/apt"
found=""

# deb822 stanzas: fields may continue on lines that start with a space (an inline key).
for f in "$apt"/sources.list.d/*.sources; do
  found="$(awk -v want="$codename" '
    function flush() {
      if (uris != "" && enabled && types ~ /(^| )deb( |$)/) {
        n = split(suites, s, " ")
        for (i = 1; i <= n; i++) if (s[i] == want) { printf "URIs: %s\n", uris; if (signed != "") printf "Signed-By:%s\n", signed; done = 1; exit }
      }
      types = ""; uris = ""; suites = ""; signed = ""; enabled = 1; field = ""
    }
    BEGIN { enabled = 1 }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { if (field == "signed-by") signed = signed "\n" $0; next }
    {
      i = index($0, ":"); if (i == 0) next
      field = tolower(substr($0, 1, i - 1)); value = substr($0, i + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", value)
      if (field == "types") types = value
      else if (field == "uris") uris = value
      else if (field == "suites") suites = value
      else if (field == "enabled") enabled = (tolower(value) != "no")
      else if (field == "signed-by") signed = (value == "" ? "" : " " value)
    }
    END { if (!done) flush() }
  ' "$f")"
  [ -n "$found" ] && break
done

# one-line format: deb [opt=value ...] uri suite component...
if [ -z "$found" ]; then
  for f in "$apt"/sources.list "$apt"/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    found="$(awk -v want="$codename" '
      /^[ \t]*deb[ \t]/ {
        line = $0; sub(/#.*/, "", line); signed = ""
        if (match(line, /\[[^]]*\]/)) {
          opts = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
          n = split(opts, o, /[ \t]+/)
          for (i = 1; i <= n; i++) if (tolower(o[i]) ~ /^signed-by=/) signed = substr(o[i], 11)
        }
        n = split(line, w, /[ \t]+/); k = 0
        for (i = 1; i <= n; i++) if (w[i] != "") v[++k] = w[i]
        if (k >= 3 && v[3] == want && v[2] !~ /^cdrom:/) {
          printf "URIs: %s\n", v[2]; if (signed != "") printf "Signed-By: %s\n", signed; exit
        }
      }
    ' "$f")"
    [ -n "$found" ] && break
  done
fi

if [ -z "$found" ]; then
  echo "backports-source: no enabled deb entry for suite \"$codename\" in $apt/sources.list or $apt/sources.list.d/" >&2
  exit 1
fi

uris="$(printf '%s\n' "$found" | sed -n 's/^URIs: //p')"
printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\n' "$uris" "$codename"
printf '%s\n' "$found" | sed -n '/^Signed-By:/,$p'
