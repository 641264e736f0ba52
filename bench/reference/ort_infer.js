// ONNX Runtime reference for poda's inference latency (issue 21): times one ONNX file, as
// `poda export` wrote it, on ONNX Runtime's CPU provider with one thread, and prints one
// line per batch size: "ort batch <B> <median us>".
// Reference only (poda never depends on it); run by bench/reference/ort_vs_poda.sh.
//   node ort_infer.js MODEL.onnx BATCH[,BATCH...] [SECONDS]
// Needs the npm package onnxruntime-node on NODE_PATH (ort_vs_poda.sh says how to get it).
// Each call is timed in process CPU time (on a shared machine wall time mostly measures
// the scheduler; with one intra-op thread ORT computes in one thread), calls batched to
// about 10 ms, median of the batches. The promise round trip of the Node binding is part of
// every call.
'use strict';

const ort = require('onnxruntime-node');

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function timePerCall(session, feeds) {
  await session.run(feeds);
  let t0 = cpuMicros();
  await session.run(feeds);
  const once = Math.max(cpuMicros() - t0, 1);
  const perBatch = Math.max(1, Math.floor(10000 / once));
  const perCall = [];
  for (let b = 0; b < 7; ++b) {
    t0 = cpuMicros();
    for (let i = 0; i < perBatch; ++i) await session.run(feeds);
    perCall.push((cpuMicros() - t0) / perBatch);
  }
  perCall.sort((x, y) => x - y);
  return perCall[Math.floor(perCall.length / 2)];
}

async function main() {
  const [model, batchList, secondsArg] = process.argv.slice(2);
  if (!model || !batchList) {
    console.error('usage: node ort_infer.js MODEL.onnx BATCH[,BATCH...] [SECONDS]');
    process.exit(2);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0];
  // The sample shape C,H,W, as `poda bench --input` takes it.
  const sample = (process.env.PODA_ORT_INPUT || '1,28,28').split(',').map(Number);
  const seconds = Number(secondsArg || 1);
  for (const batch of batchList.split(',').map(Number)) {
    const n = batch * sample.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; ++i) data[i] = ((i * 7919) % 256) / 255;  // pixels in [0, 1]
    const feeds = {[input]: new ort.Tensor('float32', data, [batch, ...sample])};
    const medians = [];
    const end = Date.now() + seconds * 1000;
    do medians.push(await timePerCall(session, feeds)); while (Date.now() < end);
    medians.sort((x, y) => x - y);
    console.log(`ort batch ${batch} ${medians[Math.floor(medians.length / 2)].toFixed(1)}`);
  }
}

main().catch((e) => {
  console.error(`ort_infer.js: ${e.message}`);
  process.exit(1);
});
