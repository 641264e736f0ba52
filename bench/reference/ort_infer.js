// ONNX Runtime reference for poda's inference latency (issue 21): times one ONNX file, as
// `poda export` wrote it, on ONNX Runtime's CPU provider with one thread, and prints one
// line per batch size: "ort batch <B> <median us>".
// Reference only (poda never depends on it); run by bench/reference/ort_vs_poda.sh.
//   node ort_infer.js MODEL.onnx BATCH[,BATCH...] [SECONDS]
// Needs the npm package onnxruntime-node on NODE_PATH (ort_vs_poda.sh says how to get it).
// Calls are batched to about 10 ms and timed two ways, medians of the batches: process CPU
// time (every thread of the process: what a call costs, robust on a shared machine) and wall
// time (what `poda bench` reports for calls under a millisecond, but on a loaded machine it
// also counts the waits of the binding's hand-off between threads). The promise round trip
// of the Node binding is part of every call. Output: "ort batch <B> <cpu us> <wall us>".
'use strict';

const ort = require('onnxruntime-node');

function wallMicros() {
  return Number(process.hrtime.bigint()) / 1000;
}

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

// [cpu us, wall us] per call.
async function timePerCall(session, feeds) {
  await session.run(feeds);
  let t0 = wallMicros();
  await session.run(feeds);
  const once = Math.max(wallMicros() - t0, 1);
  const perBatch = Math.max(1, Math.floor(10000 / once));
  const cpu = [], wall = [];
  for (let b = 0; b < 7; ++b) {
    const c0 = cpuMicros();
    t0 = wallMicros();
    for (let i = 0; i < perBatch; ++i) await session.run(feeds);
    wall.push((wallMicros() - t0) / perBatch);
    cpu.push((cpuMicros() - c0) / perBatch);
  }
  return [median(cpu), median(wall)];
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
    const cpu = [], wall = [];
    const end = Date.now() + seconds * 1000;
    do {
      const [c, w] = await timePerCall(session, feeds);
      cpu.push(c);
      wall.push(w);
    } while (Date.now() < end);
    console.log(`ort batch ${batch} ${median(cpu).toFixed(1)} ${median(wall).toFixed(1)}`);
  }
}

main().catch((e) => {
  console.error(`ort_infer.js: ${e.message}`);
  process.exit(1);
});
