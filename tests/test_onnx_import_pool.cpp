// ONNX import of MaxPool and AveragePool is exact or refuses: strides default to 1, auto_pad
// VALID and SAME_* (where poda's symmetric padding is the same thing), pads and
// count_include_pad are honoured and checked against a plain-loop ONNX reference; dilations,
// ceil_mode, uneven padding and the rest are refused naming the node, the op and the attribute.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>

#include "interop/onnx_import.h"
#include "gradcheck.h"

using namespace poda;

namespace {

struct PoolCase {
  std::size_t kernel, stride, pad;
};

OnnxModel pool_model(const std::string& op, std::vector<OnnxAttribute> attributes) {
  OnnxModel m;
  m.inputs = {{"x", {-1, 2, 7, 7}}};
  m.outputs = {{"y", {-1, 2, -1, -1}}};
  m.nodes = {OnnxNode{"pool", op, {"x"}, {"y"}, std::move(attributes)}};
  return m;
}

OnnxAttribute text_attribute(const std::string& name, const std::string& value) {
  OnnxAttribute a;
  a.name = name;
  a.kind = OnnxAttribute::Kind::s;
  a.s = value;
  return a;
}

// ONNX's pooling with symmetric pads: max ignores padding, average counts it as zeros
// (count_include_pad = 1).
Array reference_pool(const Array& x, bool max, PoolCase c) {
  const std::size_t n = x.shape()[0], ch = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  const std::size_t oh = (h + 2 * c.pad - c.kernel) / c.stride + 1;
  const std::size_t ow = (w + 2 * c.pad - c.kernel) / c.stride + 1;
  Array y = xt::zeros<float>(std::vector<std::size_t>{n, ch, oh, ow});
  for (std::size_t b = 0; b < n * ch; ++b)
    for (std::size_t i = 0; i < oh; ++i)
      for (std::size_t j = 0; j < ow; ++j) {
        float best = -std::numeric_limits<float>::infinity(), sum = 0.0f;
        for (std::size_t di = 0; di < c.kernel; ++di)
          for (std::size_t dj = 0; dj < c.kernel; ++dj) {
            const long r = long(i * c.stride + di) - long(c.pad);
            const long q = long(j * c.stride + dj) - long(c.pad);
            if (r < 0 || q < 0 || r >= long(h) || q >= long(w)) continue;
            const float v = x.data()[(b * h + std::size_t(r)) * w + std::size_t(q)];
            best = std::max(best, v);
            sum += v;
          }
        y.data()[(b * oh + i) * ow + j] = max ? best : sum / float(c.kernel * c.kernel);
      }
  return y;
}

void check_imported(const std::string& op, std::vector<OnnxAttribute> attributes, PoolCase c) {
  const OnnxModel m = pool_model(op, std::move(attributes));
  const ImportedModel imported =
      import_onnx(parse_onnx(serialize_onnx(m), "pool.onnx"), "pool.onnx");
  auto model = build_imported(imported);
  const Array x = poda::testing::random_array({2, 2, 7, 7}, 11);
  const Array got = model->forward(Variable(x)).data();
  const Array want = reference_pool(x, op == "MaxPool", c);
  REQUIRE(got.shape() == want.shape());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(got.data()[i] == doctest::Approx(want.data()[i]).epsilon(1e-6));
  }
}

void check_refused(const std::string& op, std::vector<OnnxAttribute> attributes,
                   const std::string& message) {
  const OnnxModel m = pool_model(op, std::move(attributes));
  const std::string expected = "node 'pool' (" + op + "): " + message;
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "pool.onnx"), "pool.onnx"),
                       doctest::Contains(expected.c_str()), OnnxError);
}

}  // namespace

TEST_CASE("onnx import: pools without strides take stride 1; pads and auto_pad are honoured") {
  const auto k = [](std::int64_t v) { return onnx_ints("kernel_shape", {v, v}); };
  for (const std::string op : {"MaxPool", "AveragePool"}) {
    CAPTURE(op);
    check_imported(op, {k(2)}, {2, 1, 0});
    check_imported(op, {k(3), onnx_ints("strides", {2, 2})}, {3, 2, 0});
    check_imported(op, {k(3), onnx_ints("pads", {1, 1, 1, 1}), onnx_int("count_include_pad", 1)},
                   {3, 1, 1});
    check_imported(op, {k(3), text_attribute("auto_pad", "VALID")}, {3, 1, 0});
    check_imported(
        op, {k(3), text_attribute("auto_pad", "SAME_UPPER"), onnx_int("count_include_pad", 1)},
        {3, 1, 1});
    check_imported(
        op, {k(5), text_attribute("auto_pad", "SAME_LOWER"), onnx_int("count_include_pad", 1)},
        {5, 1, 2});
    check_imported(op, {k(3), onnx_ints("dilations", {1, 1}), onnx_int("ceil_mode", 0)}, {3, 1, 0});
  }
}

TEST_CASE("onnx import: pool attributes poda cannot compute are refused, naming them") {
  const auto k = [](std::int64_t v) { return onnx_ints("kernel_shape", {v, v}); };
  check_refused("MaxPool", {k(3), onnx_ints("dilations", {2, 2})}, "attribute 'dilations'");
  check_refused("MaxPool", {k(3), onnx_int("ceil_mode", 1)}, "attribute 'ceil_mode'");
  check_refused("AveragePool", {k(3), onnx_ints("pads", {1, 1, 1, 1})},
                "attribute 'count_include_pad'");
  check_refused("MaxPool", {k(2), text_attribute("auto_pad", "SAME_UPPER")},
                "attribute 'auto_pad'");
  check_refused("MaxPool",
                {k(3), onnx_ints("strides", {2, 2}), text_attribute("auto_pad", "SAME_LOWER")},
                "attribute 'auto_pad'");
  check_refused("MaxPool", {k(3), onnx_ints("pads", {2, 2, 2, 2})}, "attribute 'pads'");
  check_refused("MaxPool", {k(3), onnx_ints("pads", {0, 0, 1, 1})}, "pads must be the same");
  check_refused("MaxPool", {k(3), onnx_ints("strides", {1, 2})}, "strides must be the same");
  check_refused("MaxPool", {onnx_ints("kernel_shape", {3})}, "attribute 'kernel_shape'");
  check_refused("MaxPool", {k(3), onnx_ints("pads", {})}, "pads is empty");
}

TEST_CASE("onnx import: type codes are named, unnamed nodes by their output, inputs checked") {
  OnnxModel m = pool_model("MaxPool", {onnx_ints("kernel_shape", {2, 2})});
  m.nodes[0].name = "";
  m.nodes[0].attributes.push_back(onnx_int("ceil_mode", 1));
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "p.onnx"), "p.onnx"),
                       doctest::Contains("unnamed node (MaxPool) producing 'y'"), OnnxError);
  CHECK(onnx_type_name(1) == "FLOAT");
  CHECK(onnx_type_name(11) == "DOUBLE");
  CHECK(onnx_type_name(999) == "unknown type code 999");
  OnnxModel no_shape = pool_model("MaxPool", {onnx_ints("kernel_shape", {2, 2})});
  no_shape.inputs[0].dims = {};
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(no_shape), "p.onnx"), "p.onnx"),
                       doctest::Contains("input 'x' has no shape"), OnnxError);
}

TEST_CASE("onnx import: a node that feeds itself (a cycle) is refused, not walked for ever") {
  // Found by fuzz_onnx_import (tests/fuzz/regressions/fuzz_onnx_import/node_feeds_itself).
  OnnxModel m;
  m.inputs = {{"x", {-1, 3}}};
  m.outputs = {{"y", {-1, 3}}};
  m.nodes = {OnnxNode{"loop", "Relu", {"x"}, {"x"}, {}}};
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "c.onnx"), "c.onnx"),
                       doctest::Contains("node 'loop' (Relu) is reached twice: the graph has a cycle"),
                       OnnxError);
}

TEST_CASE("onnx import: a node without an output is refused, naming it") {
  // Found by fuzz_onnx_import (tests/fuzz/regressions/fuzz_onnx_import/node_without_output).
  OnnxModel m = pool_model("MaxPool", {onnx_ints("kernel_shape", {2, 2})});
  m.nodes[0].outputs.clear();
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "o.onnx"), "o.onnx"),
                       doctest::Contains("node 'pool' (MaxPool) has no output"), OnnxError);
}

TEST_CASE("onnx import: an input of a huge sample is refused before any layer is sized") {
  // Found by fuzz_onnx_import (tests/fuzz/regressions/fuzz_onnx_import/huge_sample_dimension).
  OnnxModel m = pool_model("MaxPool", {onnx_ints("kernel_shape", {2, 2})});
  m.inputs[0].dims = {2, 1862236920, 6};
  CHECK_THROWS_WITH_AS(import_onnx(parse_onnx(serialize_onnx(m), "h.onnx"), "h.onnx"),
                       doctest::Contains("input 'x' has more than 67108864 values per sample"),
                       OnnxError);
}
