#!/usr/bin/env bash
# The GPU paths on whatever adapter wgpu finds, in one run and one table:
# the forward pass (`eslt bench forward`), the exact subset-sum solver at
# n = 16, 20, 24 (`eslt bench subset-sum`), a whole `eslt prune` of
# rotmnist-c8, each beside the CPU on the same work (same errors, same mask
# digest), and the GPU parity tests (gpu_forward, gpu_subset_sum) with
# ESLT_REQUIRE_GPU=1. Not part of `./build.sh test`: it is for a machine
# with a real GPU, run by hand.
#
#   tests/gpu/device-check.sh            build (cargo), then check
#   tests/gpu/device-check.sh --stage    build, and copy the binaries and the
#                                        test digits into target/device-check/
#                                        for a machine without Rust
#   tests/gpu/device-check.sh --no-build use target/device-check/ as staged
#                                        (the default where cargo is missing)
#
# Sizes follow the adapter: a real GPU gets the full work (batch 256, 20,000
# problems at n = 16 and 20, 5,000 at n = 24, 1,000 test digits), an
# emulated one (lavapipe, SwiftShader: device type Cpu) a sample, and c8
# pruned at n = 16, so that it ends in minutes there too. Every step runs under what is left of a total
# budget (ESLT_CHECK_SECONDS, default 450 s, build included), so the script
# ends within it; a step it cuts short is marked in the table. Each step's
# output and log go to target/device-check/out/ (or ESLT_CHECK_OUT).
#
# The test binaries know the repository by the absolute path they were built
# in (models, digits, the eslt binary): staged elsewhere, the script links
# that path to this checkout when it is free.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
STAGE_DIR="$ROOT/target/device-check"
OUT="${ESLT_CHECK_OUT:-$STAGE_DIR/out}"
BUDGET="${ESLT_CHECK_SECONDS:-450}"
MODEL=www/models/rotmnist-c8.json
START=$SECONDS

mode=run
case "${1:-}" in
  "") ;;
  --stage) mode=stage ;;
  --no-build) mode=staged ;;
  *)
    sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
if [[ $mode == run ]] && ! command -v cargo >/dev/null; then
  mode=staged
fi

# wgpu/Mesa warn without it; any writable directory will do.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$ROOT/target/xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR" "$OUT" && chmod 700 "$XDG_RUNTIME_DIR"
rm -f "$OUT"/*.out "$OUT"/*.log "$OUT"/steps.tsv

left() { echo $((BUDGET - (SECONDS - START))); }

# step NAME SECONDS_CAP COMMAND...: runs COMMAND (stdout to NAME.out,
# stderr to NAME.log) under min(cap, budget left); records status and time.
step() {
  local name="$1" cap="$2" limit status t0=$SECONDS
  shift 2
  limit=$(left)
  ((limit > cap)) && limit=$cap
  if ((limit < 5)); then
    printf '%s\tskipped (time budget)\t0\n' "$name" >>"$OUT/steps.tsv"
    return 0
  fi
  echo "==> $name (at most ${limit} s)" >&2
  set +e
  timeout --kill-after=5 "$limit" "$@" >"$OUT/$name.out" 2>"$OUT/$name.log"
  status=$?
  set -e
  case $status in
    0) status=ok ;;
    124 | 137) status="cut at ${limit} s" ;;
    *) status="failed (exit $status, see $OUT/$name.log)" ;;
  esac
  printf '%s\t%s\t%s\n' "$name" "$status" $((SECONDS - t0)) >>"$OUT/steps.tsv"
}

# ------------------------------------------------------------ binaries ----

# The test binaries are named tests/NAME.rs-HASH by cargo; ask it which.
test_binary() {
  cargo test --release --no-run --test "$1" --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == sys.argv[1]:
        print(m["executable"])' "$1" | tail -n 1
}

if [[ $mode == run || $mode == stage ]]; then
  t0=$SECONDS
  echo "==> build (cargo test --release --no-run: the binary and the GPU tests)" >&2
  # Through `cargo test`, as build.sh builds it: the same features, no
  # second build of the wgpu stack.
  timeout "$(left)" cargo test --release --no-run --test gpu_forward --test gpu_subset_sum \
    >"$OUT/build.log" 2>&1 || {
    echo "build failed: see $OUT/build.log" >&2
    exit 1
  }
  ESLT=target/release/eslt
  GPU_FORWARD=$(test_binary gpu_forward)
  GPU_SUBSET_SUM=$(test_binary gpu_subset_sum)
  printf 'build\tok\t%s\n' $((SECONDS - t0)) >>"$OUT/steps.tsv"
  DATA=target/data
  if [[ $mode == stage ]]; then
    mkdir -p "$STAGE_DIR/bin" "$STAGE_DIR/data"
    cp "$ESLT" "$STAGE_DIR/bin/eslt"
    cp "$GPU_FORWARD" "$STAGE_DIR/bin/gpu_forward"
    cp "$GPU_SUBSET_SUM" "$STAGE_DIR/bin/gpu_subset_sum"
    cp "$DATA/mnist-t10k.digits" "$STAGE_DIR/data/"
    echo "$ROOT" >"$STAGE_DIR/build-root"
    echo "staged into $STAGE_DIR ($(du -sh "$STAGE_DIR/bin" "$STAGE_DIR/data" | cut -f1 | tr '\n' ' '))"
    echo "elsewhere: carry target/device-check and run tests/gpu/device-check.sh --no-build"
    exit 0
  fi
else
  ESLT="$STAGE_DIR/bin/eslt"
  GPU_FORWARD="$STAGE_DIR/bin/gpu_forward"
  GPU_SUBSET_SUM="$STAGE_DIR/bin/gpu_subset_sum"
  DATA="$STAGE_DIR/data"
  for f in "$ESLT" "$GPU_FORWARD" "$GPU_SUBSET_SUM" "$DATA/mnist-t10k.digits" "$STAGE_DIR/build-root"; do
    [[ -e $f ]] || {
      echo "missing $f: run tests/gpu/device-check.sh --stage where cargo is" >&2
      exit 1
    }
  done
  # Where the test binaries look for the repository and the eslt binary.
  built_in=$(cat "$STAGE_DIR/build-root")
  if [[ "$built_in" != "$ROOT" && ! -e "$built_in" ]]; then
    mkdir -p "$(dirname "$built_in")"
    ln -s "$ROOT" "$built_in"
  fi
  mkdir -p target/release target/data
  [[ -e target/release/eslt ]] || cp "$ESLT" target/release/eslt
  [[ -e target/data/mnist-t10k.digits ]] || cp "$DATA/mnist-t10k.digits" target/data/
fi
[[ -s "$DATA/mnist-t10k.digits" ]] || {
  echo "missing $DATA/mnist-t10k.digits: run ./build.sh build first" >&2
  exit 1
}

# -------------------------------------------------------------- checks ----

# The adapter: one image through the GPU forward.
step adapter 60 "$ESLT" bench forward --model "$MODEL" --backend gpu --batch 1 \
  --repeat 1 --warmup 0 --min-seconds 0 --json
adapter=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("adapter") or "")' \
  "$OUT/adapter.out" 2>/dev/null || true)
if [[ -z "$adapter" ]]; then
  echo "no GPU adapter (see $OUT/adapter.log): nothing to check" >&2
  exit 1
fi
if [[ "$adapter" == *", Cpu)"* ]]; then
  scale=emulated
  # Pruning at n = 16 (not c8's 22 from ε): lavapipe solves ~130
  # problems/s at n = 22, and c8 has 18,680 of them.
  batch=16 digits=16 n16=400 n20=200 n24=40 prune_n=(--n 16)
else
  scale=full
  batch=256 digits=1000 n16=20000 n20=20000 n24=5000 prune_n=()
fi
echo "adapter: $adapter ($scale sizes)" >&2

for backend in gpu cpu; do
  step "forward-$backend" 120 "$ESLT" bench forward --model "$MODEL" --backend "$backend" \
    --batch "$batch" --json
done
for n in 16 20 24; do
  count_var="n$n"
  for backend in gpu cpu; do
    step "subset-sum-n$n-$backend" 90 "$ESLT" bench subset-sum --n "$n" --count "${!count_var}" \
      --seed 7 --backend "$backend" --json
  done
done
for backend in gpu cpu; do
  step "prune-c8-$backend" 240 "$ESLT" prune --model "$MODEL" --backend "$backend" \
    --test-digits "$digits" "${prune_n[@]}" --data "$DATA" --json
done
# The parity tests need the repository (models, instances) but not cargo.
export ESLT_REQUIRE_GPU=1
step test-gpu_forward 240 "$GPU_FORWARD"
step test-gpu_subset_sum 240 "$GPU_SUBSET_SUM"

# --------------------------------------------------------------- table ----

python3 - "$OUT" "$adapter" "$scale" $((SECONDS - START)) <<'PY'
import json, os, re, sys
out, adapter, scale, total = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
steps = {}
for line in open(os.path.join(out, "steps.tsv")):
    name, status, secs = line.rstrip("\n").split("\t")
    steps[name] = (status, secs)

def load(name):
    try:
        return json.load(open(os.path.join(out, name + ".out")))
    except Exception:
        return None

def us(s):
    return f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms"

rows = []
if "build" in steps:
    rows.append(("build (cargo)", steps["build"][0], steps["build"][1], ""))
def row(check, name, figure):
    status, secs = steps.get(name, ("not run", "0"))
    rows.append((check, status, secs, figure if status == "ok" else ""))

for b in ("gpu", "cpu"):
    d = load(f"forward-{b}")
    fig = d and (f"batch {d['batch']}: {d['seconds_per_batch'] * 1e3:.1f} ms a batch, "
                 f"{d['images_per_second']:.0f} images/s, {d['gflops']:.1f} GFLOP/s"
                 + ("" if d.get("backend") == b else f" (ran on {d.get('backend')})"))
    row(f"forward c8, {b}", f"forward-{b}", fig)
for n in (16, 20, 24):
    g, c = load(f"subset-sum-n{n}-gpu"), load(f"subset-sum-n{n}-cpu")
    for b, d in (("gpu", g), ("cpu", c)):
        fig = d and (f"{d['count']} problems: {us(d['seconds_per_problem'])} a problem, "
                     f"{d['problems_per_second']:.0f}/s, mean error {d['mean_error']:.3e}")
        if d and b == "gpu":
            fig += f", {d.get('gpu_fallbacks', 0)} CPU fallbacks"
            if c:
                same = (d["mean_error"], d["max_error"]) == (c["mean_error"], c["max_error"])
                fig += ", errors = CPU's" if same else ", ERRORS DIFFER FROM THE CPU'S"
        row(f"subset sum n = {n}, {b}", f"subset-sum-n{n}-{b}", fig)
pg, pc = load("prune-c8-gpu"), load("prune-c8-cpu")
for b, d in (("gpu", pg), ("cpu", pc)):
    fig = d and (f"{d['test_digits']} digits, n = {d['n']}: {d['seconds']:.1f} s "
                 f"(solve {d['solve_seconds']:.1f} s), mask {d['mask_digest'][:12]}…")
    if d and b == "gpu" and pc:
        fig += ", same mask as CPU" if d["mask_digest"] == pc["mask_digest"] else ", MASK DIFFERS FROM THE CPU'S"
    row(f"prune c8, {b}", f"prune-c8-{b}", fig)
for t in ("gpu_forward", "gpu_subset_sum"):
    name = f"test-{t}"
    fig = ""
    try:
        text = open(os.path.join(out, name + ".out")).read()
        m = re.findall(r"test result: (\w+)\. (\d+) passed; (\d+) failed", text)
        if m:
            fig = f"{m[-1][1]} passed, {m[-1][2]} failed"
    except OSError:
        pass
    status, secs = steps.get(name, ("not run", "0"))
    rows.append((f"test {t}", status, secs, fig))

print(f"\nGPU device check — adapter: {adapter} ({scale} sizes), {total} s in all")
w = [max(len(r[i]) for r in rows + [("check", "status", "s", "figures")]) for i in range(4)]
line = lambda r: "| " + " | ".join(str(v).ljust(w[i]) for i, v in enumerate(r)) + " |"
print(line(("check", "status", "s", "figures")))
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print(line(r))
bad = [r for r in rows if r[1] != "ok"]
mismatch = [r for r in rows if "DIFFER" in r[3]]
print("\nall steps ok" if not bad and not mismatch else f"\n{len(bad)} step(s) not ok, {len(mismatch)} mismatch(es)")
sys.exit(1 if bad or mismatch else 0)
PY
