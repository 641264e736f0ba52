#include "infer/plan.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "infer/simple_ops.h"

namespace poda {

InferencePlan::InferencePlan(std::vector<std::unique_ptr<InferOp>> ops,
                             std::vector<std::size_t> slot_numel, int output_slot,
                             Shape input_shape, Shape output_shape, Dispatch dispatch)
    : ops_(std::move(ops)),
      slot_numel_(std::move(slot_numel)),
      output_slot_(output_slot),
      input_shape_(std::move(input_shape)),
      output_shape_(std::move(output_shape)),
      dispatch_(dispatch) {
  for (auto& op : ops_)
    if (auto* linear = dynamic_cast<LinearOp*>(op.get())) linear_.push_back(linear);
  find_batch1_views();
}

// A layout change at batch 1 ((1, n) and (n, 1) are the same memory) can let its output slot
// point at its input when no later step writes either slot (the input may be the caller's),
// and the plan's output does not end up on the caller's input (it must outlive it).
void InferencePlan::find_batch1_views() {
  view_at_batch1_.assign(ops_.size(), 0);
  std::vector<int> root(slot_numel_.size());  // where each slot's values live at batch 1
  for (std::size_t s = 0; s < root.size(); ++s) root[s] = int(s);
  int last = -1;  // the view writing the output slot
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const InferOp& op = *ops_[i];
    if (!dynamic_cast<const TransposeOp*>(&op) || op.rows != 1 || op.in == op.out) continue;
    bool written = false;
    for (std::size_t j = i + 1; j < ops_.size(); ++j)
      written = written || ops_[j]->out == op.in || ops_[j]->out == op.out;
    if (written) continue;
    view_at_batch1_[i] = 1;
    root[std::size_t(op.out)] = root[std::size_t(op.in)];
    if (op.out == output_slot_) last = int(i);
  }
  if (last >= 0 && root[std::size_t(output_slot_)] == 0) view_at_batch1_[std::size_t(last)] = 0;
}

const float* InferencePlan::run(const float* x, std::size_t batch) {
  prepare(batch);
  ws_.slots[0] = const_cast<float*>(x);  // slot 0 is pinned: no step writes it
  if (batch == 1) return run_batch1();
  for (auto& op : ops_) op->run(ws_, batch * op->rows);
  return ws_.slot(output_slot_);
}

// One sample: the layout changes as views (find_batch1_views), undone after the run so that
// every other run (and the timing of the layers) sees each slot on its own buffer.
const float* InferencePlan::run_batch1() {
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    InferOp& op = *ops_[i];
    if (view_at_batch1_[i])
      ws_.slots[std::size_t(op.out)] = ws_.slots[std::size_t(op.in)];
    else
      op.run(ws_, op.rows);
  }
  const float* y = ws_.slot(output_slot_);
  for (std::size_t i = 0; i < ops_.size(); ++i)
    if (view_at_batch1_[i])
      ws_.slots[std::size_t(ops_[i]->out)] = own_slots_[std::size_t(ops_[i]->out)];
  return y;
}

Array InferencePlan::forward(const Array& x) {
  Shape expected = input_shape_;
  expected.insert(expected.begin(), x.dimension() ? x.shape()[0] : 0);
  if (to_shape(x.shape()) != expected)
    throw ShapeError("inference plan expects input (B, " + shape_str(input_shape_).substr(1) +
                     " but gets " + shape_str(to_shape(x.shape())));
  const std::size_t batch = x.shape()[0];
  const Array contiguous = x;  // xarray is row-major and contiguous
  const float* y = run(contiguous.data(), batch);
  Shape out = output_shape_;
  out.insert(out.begin(), batch);
  Array result = empty_array(out);
  std::copy(y, y + result.size(), result.data());
  return result;
}

void InferencePlan::allocate(std::size_t batch) {
  ws_.storage.assign(slot_numel_.size(), {});
  ws_.slots.assign(slot_numel_.size(), nullptr);
  for (std::size_t i = 1; i < slot_numel_.size(); ++i) {
    // 64-byte aligned: the kernels' 64-byte loads then never straddle two cache lines
    // (bench_infer_sparsity measures the gain over malloc's 16-byte alignment).
    ws_.storage[i].assign(slot_numel_[i] * batch + 16, 0.0f);
    const auto address = reinterpret_cast<std::uintptr_t>(ws_.storage[i].data());
    ws_.slots[i] = ws_.storage[i].data() + (64 - address % 64) % 64 / sizeof(float);
  }
  own_slots_ = ws_.slots;
  for (auto& op : ops_) op->reserve(batch * op->rows);
  calibration_input_.assign(numel(input_shape_) * batch, 0.5f);
  capacity_ = batch;
}

void InferencePlan::prepare(std::size_t batch) {
  if (batch == 0) throw std::invalid_argument("inference plan: batch size 0");
  if (batch > capacity_) allocate(batch);
  const std::vector<LayerChoice>& picked = choices(batch);
  if (applied_batch_ != batch) {
    apply(picked);
    applied_batch_ = batch;
  }
}

const std::vector<LayerChoice>& InferencePlan::choices(std::size_t batch) {
  for (const auto& [b, c] : choices_)
    if (b == batch) return c;
  if (batch > capacity_) allocate(batch);
  choices_.emplace_back(batch, choose(batch));
  applied_batch_ = batch;  // choose() leaves every layer on its chosen kernel
  return choices_.back().second;
}

void InferencePlan::apply(const std::vector<LayerChoice>& choices) {
  for (std::size_t i = 0; i < linear_.size(); ++i) {
    linear_[i]->set_path(choices[i].path);
    linear_[i]->set_dense_kernel(choices[i].dense_kernel);
    linear_[i]->set_fp32_fallback(choices[i].fp32);
  }
}

std::vector<LayerChoice> InferencePlan::choose(std::size_t batch) {
  if (dispatch_ == Dispatch::measured || !forced_dense_) {  // fill every slot plausibly
    for (LinearOp* op : linear_) {
      op->set_path(KernelPath::dense);
      op->set_fp32_fallback(false);
    }
    ws_.slots[0] = calibration_input_.data();
    for (auto& op : ops_) op->run(ws_, batch * op->rows);
  }
  std::vector<LayerChoice> result;
  for (LinearOp* op : linear_) {
    result.push_back(choose_layer(*op, batch * op->rows));
    op->set_path(result.back().path);
  }
  return result;
}

namespace {

double call_us(InferOp& op, Workspace& ws, std::size_t batch) {
  const auto t0 = std::chrono::steady_clock::now();
  op.run(ws, batch);
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

// The fastest of alternating calls of two variants of op, each set up by select(0 or 1)
// (the minimum: a shared machine only ever adds time), about 2 ms each, 5 to 40 calls.
template <class Select>
void time_alternating(LinearOp& op, Workspace& ws, std::size_t batch, Select select,
                      double best[2]) {
  best[0] = best[1] = 1e30;
  int reps = 5;
  for (int i = 0; i < reps; ++i)
    for (int v : {0, 1}) {
      select(v);
      const double us = call_us(op, ws, batch);
      if (i > 0) best[v] = std::min(best[v], us);  // call 0 warms the caches
      if (i == 0 && v == 1) reps = std::clamp(int(2000.0 / std::max(us, 1e-3)), 5, 40);
    }
}

void time_both(LinearOp& op, Workspace& ws, std::size_t batch, LayerChoice& c) {
  double best[2];
  time_alternating(
      op, ws, batch, [&op](int v) { op.set_path(KernelPath(v)); }, best);
  c.dense_us = best[int(KernelPath::dense)];
  c.sparse_us = best[int(KernelPath::sparse)];
  c.path = candidate_wins(c.dense_us, c.sparse_us) ? KernelPath::sparse : KernelPath::dense;
  op.set_path(c.path);
  c.reason = "measured";
}

}  // namespace

bool candidate_wins(double default_us, double candidate_us) {
  return candidate_us >= 0.0 && candidate_us < (1.0 - kernel_switch_margin) * default_us;
}

// GEMM or direct for the dense path: forced, or timed where the layer has both.
void InferencePlan::pick_dense_kernel(LinearOp& op, std::size_t batch, LayerChoice& c) {
  c.dense_kernel = DenseKernel::gemm;
  if (op.has_direct(batch) && forced_dense_) {
    c.dense_kernel = *forced_dense_;
  } else if (op.has_direct(batch) &&
             !(dispatch_ == Dispatch::sparse && op.sparse_unsupported().empty())) {
    double best[2];
    op.set_path(KernelPath::dense);
    time_alternating(
        op, ws_, batch, [&op](int v) { op.set_dense_kernel(DenseKernel(v)); }, best);
    c.gemm_us = best[int(DenseKernel::gemm)];
    c.direct_us = best[int(DenseKernel::direct)];
    // The faster one, with no margin for GEMM: where the batched Dense kernel and GEMM both
    // run near the FMA peak (avx2's 784 -> 300 at batch 64 on the Zen 5), a near tie costs
    // nothing either way, while a margin kept GEMM where the batched kernel measured 3-6%
    // faster alone and its plan 5-10% faster whole (GEMM re-packs its inputs every call).
    if (c.direct_us < c.gemm_us) c.dense_kernel = DenseKernel::direct;
  }
  op.set_dense_kernel(c.dense_kernel);
}

// The int8 kernel unless the layer's fp32 one measured faster (a plain comparison: int8 is
// the one asked for, so only a slower int8 kernel is replaced).
void InferencePlan::pick_int8_or_fp32(LinearOp& op, std::size_t batch, LayerChoice& c) {
  double best[2];
  op.set_path(KernelPath::dense);
  time_alternating(
      op, ws_, batch, [&op](int v) { op.set_fp32_fallback(v == 1); }, best);
  c.int8_us = best[0];
  c.fp32_us = best[1];
  c.fp32 = c.fp32_us < c.int8_us;
  op.set_fp32_fallback(c.fp32);
}

LayerChoice InferencePlan::choose_layer(LinearOp& op, std::size_t batch) {
  LayerChoice c;
  c.name = op.name();
  c.kind = op.describe();
  const bool timed_int8 = op.has_fp32_fallback() && !forced_fp32_fallback_;
  // An int8 layer's GEMM / direct choice is its fp32 kernel's.
  op.set_fp32_fallback(op.has_fp32_fallback() && forced_fp32_fallback_.value_or(true));
  pick_dense_kernel(op, batch, c);
  c.fp32 = op.fp32_fallback();
  if (timed_int8) {
    pick_int8_or_fp32(op, batch, c);
    if (c.fp32) {
      c.reason = "fp32 measured faster than int8";
      return c;
    }
  }
  const std::string unsupported = op.sparse_unsupported();
  c.density = unsupported.empty() ? op.sparse().density() : 1.0;
  if (!unsupported.empty()) {
    c.reason = "no sparse kernel: " + unsupported;
  } else if (dispatch_ != Dispatch::measured) {
    c.path = dispatch_ == Dispatch::sparse ? KernelPath::sparse : KernelPath::dense;
    c.reason = "forced";
  } else if (c.density == 0.0) {
    c.path = KernelPath::sparse;
    c.reason = "no weights left";
  } else if (c.density > max_sparse_density) {
    c.reason = "too dense to try";
  } else {
    time_both(op, ws_, batch, c);
  }
  return c;
}

std::string InferencePlan::describe(std::size_t batch) {
  const std::vector<LayerChoice>& picked = choices(batch);
  std::string text;
  char line[256];
  for (const LayerChoice& c : picked) {
    const std::string kernel = c.path == KernelPath::sparse
                                   ? "sparse"
                                   : std::string("dense ") + dense_kernel_name(c.dense_kernel);
    std::snprintf(line, sizeof line, "  %-12s %-41s density %5.3f  %-12s", c.name.c_str(),
                  c.kind.c_str(), c.density, kernel.c_str());
    text += line;
    if (c.direct_us >= 0) {
      std::snprintf(line, sizeof line, "  (gemm %.1f us, direct %.1f us)", c.gemm_us, c.direct_us);
      text += line;
    }
    if (c.int8_us >= 0) {
      std::snprintf(line, sizeof line, "  %s (int8 %.1f us, fp32 %.1f us)",
                    c.fp32 ? "on fp32" : "on int8", c.int8_us, c.fp32_us);
      text += line;
    }
    if (c.dense_us >= 0) {
      std::snprintf(line, sizeof line, "  (dense %.1f us, sparse %.1f us)", c.dense_us,
                    c.sparse_us);
      text += line;
    } else {
      text += "  (" + c.reason + ")";
    }
    text += "\n";
  }
  return text;
}

std::string InferencePlan::profile(std::size_t batch, int calls) {
  prepare(batch);
  ws_.slots[0] = calibration_input_.data();
  std::vector<std::vector<double>> us(ops_.size());
  for (int i = 0; i <= calls; ++i)
    for (std::size_t s = 0; s < ops_.size(); ++s) {
      const double t = call_us(*ops_[s], ws_, batch * ops_[s]->rows);
      if (i > 0) us[s].push_back(t);  // run 0 warms the caches
    }
  std::string text;
  char line[256];
  double total = 0.0;
  for (std::size_t s = 0; s < ops_.size(); ++s) {
    std::nth_element(us[s].begin(), us[s].begin() + us[s].size() / 2, us[s].end());
    const double median = us[s][us[s].size() / 2];
    total += median;
    std::snprintf(line, sizeof line, "  %-52s %9.2f us\n", ops_[s]->describe().c_str(), median);
    text += line;
  }
  std::snprintf(line, sizeof line, "  %-52s %9.2f us\n", "sum of step medians", total);
  return text + line;
}

std::size_t InferencePlan::bytes_dense() const {
  std::size_t n = 0;
  for (const auto& op : ops_) n += op->bytes_dense();
  return n;
}

std::size_t InferencePlan::bytes_sparse() const {
  std::size_t n = 0;
  for (const auto& op : ops_) n += op->bytes_sparse();
  return n;
}

std::size_t InferencePlan::macs() const {
  std::size_t n = 0;
  for (const auto& op : ops_) n += op->macs() * op->rows;
  return n;
}

}  // namespace poda
