// Runs a file of `poda export --format onnx` in ONNX Runtime (the npm package
// onnxruntime-node, CPU provider) on the given input and compares with poda's outputs.
//   node ort_check.js MODEL.onnx INPUT.f32 N,C,H,W EXPECTED.f32 [TOLERANCE]
// Exits 0 within the tolerance, 1 beyond it, 77 (skipped) when onnxruntime-node cannot be
// loaded (see bench/reference/ort_vs_poda.sh for installing it and ORT_NODE_PATH).
'use strict';

const fs = require('fs');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.log('onnxruntime-node is not installed: ' + e.message.split('\n')[0]);
  process.exit(77);
}

function floats(path) {
  const b = fs.readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
}

async function main() {
  const [model, inputPath, dimsText, expectedPath, tol] = process.argv.slice(2);
  const tolerance = tol ? Number(tol) : 1e-4;
  const dims = dimsText.split(',').map(Number);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: 1});
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', floats(inputPath), dims)};
  const y = (await session.run(feeds))[session.outputNames[0]].data;
  const expected = floats(expectedPath);
  if (y.length !== expected.length) {
    console.log(`ONNX Runtime gives ${y.length} outputs, poda ${expected.length}`);
    process.exit(1);
  }
  let diff = 0;
  for (let i = 0; i < y.length; ++i) diff = Math.max(diff, Math.abs(y[i] - expected[i]));
  console.log(`${model}: ONNX Runtime vs poda on ${dims[0]} inputs: max |diff| ` +
              `${diff.toPrecision(3)} (tolerance ${tolerance})`);
  process.exit(diff <= tolerance ? 0 : 1);
}

main().catch((e) => {
  console.log(String(e));
  process.exit(1);
});
