#!/usr/bin/env bash
# The module diagram in docs/ARCHITECTURE.md, generated from the code by dependency-cruiser with the
# same configuration `npm run lint:deps` checks, so the picture cannot drift from the imports.
#
#   scripts/architecture-diagram.sh           rewrite the block between <!-- deps:start --> and <!-- deps:end -->
#   scripts/architecture-diagram.sh --check   exit 1 when the committed block differs from what the code gives
#
# npm run docs:deps / npm run lint:docs call it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DOC=docs/ARCHITECTURE.md
START='<!-- deps:start -->'
END='<!-- deps:end -->'

mode=write
case "${1:-}" in
  '') ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

for marker in "$START" "$END"; do
  if [ "$(grep -cxF -- "$marker" "$DOC" || true)" != 1 ]; then
    echo "$DOC: needs exactly one line '$marker'" >&2
    exit 2
  fi
done

# One node per module and kernel folder; the composition-root files stay files. Edges are sorted so the
# block changes only when a dependency between them appears or goes.
mermaid=$(node_modules/.bin/depcruise src --config .dependency-cruiser.cjs \
  --include-only '^src/' \
  --collapse '^src/(modules/[^/]+|shared|database|config)(?=/)' \
  --output-type mermaid)
nodes=$(printf '%s\n' "$mermaid" | grep -v -e '-->' -e '^flowchart ' -e '^[[:space:]]*$' || true)
edges=$(printf '%s\n' "$mermaid" | grep -e '-->' | LC_ALL=C sort -u || true)
fenced=$(printf '```mermaid\nflowchart LR\n%s\n%s\n```' "$nodes" "$edges")
# A blank line either side of the fence, as prettier formats markdown.
block=$'\n'"$fenced"$'\n\n'

# The lines between the markers, trailing newlines kept (the x stops $(...) from stripping them).
current=$(awk -v s="$START" -v e="$END" '$0 == e { inside = 0 } inside { print } $0 == s { inside = 1 }' "$DOC"; echo x)
current=${current%x}

if [ "$mode" = check ]; then
  if [ "$current" != "$block" ]; then
    echo "$DOC: the dependency diagram is out of date with the code; run 'npm run docs:deps' and commit it." >&2
    diff -u --label "$DOC (committed)" --label "$DOC (from the code)" <(printf '%s' "$current") <(printf '%s' "$block") >&2 || true
    exit 1
  fi
  echo "$DOC: dependency diagram is up to date."
  exit 0
fi

tmp=$(mktemp "$DOC.XXXXXX")
trap 'rm -f "$tmp"' EXIT
BLOCK="$block" awk -v s="$START" -v e="$END" '
  $0 == s { print; printf "%s", ENVIRON["BLOCK"]; skipping = 1; next }
  $0 == e { skipping = 0 }
  !skipping { print }
' "$DOC" > "$tmp"
if cmp -s "$tmp" "$DOC"; then
  echo "$DOC: dependency diagram already up to date."
else
  cat "$tmp" > "$DOC"
  echo "$DOC: dependency diagram regenerated."
fi
