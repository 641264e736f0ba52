#!/usr/bin/env bash
# ONNX Runtime against poda on poda's own exported model (issue 21): LeNet-300-100, dense,
# one thread on both sides, batch 1 and 64, `poda bench` and ONNX Runtime run in
# alternation three times, medians printed (ORT in CPU and in wall time, see ort_infer.js). A reference only: nothing in the build or the
# tests needs Node or ONNX Runtime, and this script exits 0 with a message without them.
#
# ONNX Runtime comes from npm (its CPU library ships inside the package); install it once
# outside the repository and point ORT_NODE_PATH at its node_modules:
#   mkdir -p ~/.cache/poda-ort && cd ~/.cache/poda-ort &&
#     ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install onnxruntime-node
# Run from the repository root after `make build` (Debian's nodejs):
#   bench/reference/ort_vs_poda.sh [build/poda]
# The checkpoint is a short training run of LeNet-300-100 on a slice of Fashion-MNIST (a
# minute or so; the weights do not change the timing of a dense model), exported with
# `poda export`.
# PEER_CPU=avx2 runs ONNX Runtime as on an AVX2 CPU without AVX-512 (as_avx2_cpu.sh: CPUID
# masked), for the AVX2 column on an AVX-512 machine; poda itself is forced by
# PODA_KERNEL_ISA=avx2 PODA_BLAS_CORE=Haswell. When the masking cannot work here, the script
# says so and exits 0 without timing, so that no AVX-512 peer lands in an AVX2 column.
set -euo pipefail

poda=${1:-build/poda}
here=$(cd "$(dirname "$0")" && pwd)
export NODE_PATH=${ORT_NODE_PATH:-$HOME/.cache/poda-ort/node_modules}

if ! command -v node >/dev/null 2>&1; then
  echo "ort_vs_poda.sh: node is not installed (Debian: nodejs); skipping"
  exit 0
fi
if ! node -e "require('onnxruntime-node')" >/dev/null 2>&1; then
  echo "ort_vs_poda.sh: onnxruntime-node not found in $NODE_PATH (see this script's header);" \
       "skipping"
  exit 0
fi
if [ ! -x "$poda" ]; then
  echo "ort_vs_poda.sh: $poda is not an executable (run make build first)" >&2
  exit 2
fi

ort_cpu=()
case "${PEER_CPU:-}" in
  "") ;;
  avx2)
    if ! why=$("$here/as_avx2_cpu.sh" --check 2>&1); then
      echo "ort_vs_poda.sh: PEER_CPU=avx2 but ONNX Runtime cannot be held to AVX2 here ($why);" \
           "skipping"
      exit 0
    fi
    ort_cpu=("$here/as_avx2_cpu.sh") ;;
  *) echo "ort_vs_poda.sh: PEER_CPU must be avx2 or unset, not '$PEER_CPU'" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/lenet300_100.yaml" <<'EOF'
name: lenet300_100
seed: 1
threads: 1
dataset: {name: fashion-mnist, val_count: 200, train_limit: 2000, test_limit: 500}
model: {zoo: lenet300_100}
train: {epochs: 1, batch_size: 64, lr: 0.05, momentum: 0.9}
EOF
"$poda" run "$work/lenet300_100.yaml" --results "$work/results" >"$work/run.log" 2>&1 ||
  { cat "$work/run.log" >&2; exit 1; }
ckpt="$work/results/lenet300_100/runs/run/final.ckpt"
"$poda" export "$ckpt" "$work/lenet300_100.onnx" >/dev/null

node_version=$(node --version)
ort_version=$(node -e "console.log(require('onnxruntime-node/package.json').version)")
masked=""
[ -n "${PEER_CPU:-}" ] && masked=" on a CPU masked to AVX2 (as_avx2_cpu.sh, PODA_CPUID_MASK=${PODA_CPUID_MASK:-avx2})"
echo "ONNX Runtime $ort_version (node $node_version)$masked," \
     "1 intra-op and 1 inter-op thread;" \
     "poda: $poda, 1 thread; LeNet-300-100 dense, the same exported weights"
poda_us=() ort_us=() ort_wall=()
for round in 1 2 3; do
  text=$("$poda" bench --zoo lenet300_100 "$ckpt" --batch 1 64)
  ort=$(${ort_cpu[@]+"${ort_cpu[@]}"} node "$here/ort_infer.js" "$work/lenet300_100.onnx" 1,64)
  for b in 1 64; do
    poda_us+=("$b $(awk -v b="$b" '$1 == "batch" && $2 == b { print $3 }' <<<"$text")")
    ort_us+=("$b $(awk -v b="$b" '$1 == "ort" && $3 == b { print $4 }' <<<"$ort")")
    ort_wall+=("$b $(awk -v b="$b" '$1 == "ort" && $3 == b { print $5 }' <<<"$ort")")
  done
done
grep -m1 "^poda bench:" <<<"$text"
printf '%-6s %12s %12s %14s %14s\n' batch "poda dense" "ORT CPU" "poda speed-up" "ORT wall"
for b in 1 64; do
  middle() { printf '%s\n' "$@" | awk -v b="$b" '$1 == b { print $2 }' | sort -g | sed -n 2p; }
  p=$(middle "${poda_us[@]}") o=$(middle "${ort_us[@]}") w=$(middle "${ort_wall[@]}")
  printf '%-6s %12.1f %12.1f %13.2fx %14.1f\n' "$b" "$p" "$o" \
    "$(awk -v p="$p" -v o="$o" 'BEGIN { print o / p }')" "$w"
done
echo "(median us over 3 alternating rounds; poda: poda bench's figure, wall time for calls" \
     "under 1 ms; ORT CPU: process CPU time per call, ORT wall: wall time per call)"
