# Sourced by the bench scripts.
# Runs a command under GNU time; prints "label  wall_s  peak_MB".
measure() {
  local label="$1"; shift
  local log
  log=$(mktemp)
  if ! /usr/bin/time -v "$@" >/dev/null 2>"$log"; then
    echo "FAILED: $label" >&2; tail -20 "$log" >&2; rm -f "$log"; return 1
  fi
  local wall peak
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  peak=$(grep 'Maximum resident set size' "$log" | awk '{printf "%.0f", $NF/1024}')
  printf '%-34s %9.2f s %8s MB\n' "$label" "$wall" "$peak"
  rm -f "$log"
}


# generated DATA SCALE FORMAT: generates the dataset into DATA with
# "$BIN" generate (seed 42), timed, unless a complete one is there already
# (marked by DATA/.complete, written last, so an interrupted run starts over).
generated() {
  local data="$1" scale="$2" fmt="$3"
  if ! [ -f "$data/.complete" ]; then
    rm -rf "$data"
    measure "generate scale $scale $fmt" "$BIN" generate --out "$data" --scale "$scale" --seed 42 --format "$fmt" \
      || return 1
    touch "$data/.complete"
  fi
}
