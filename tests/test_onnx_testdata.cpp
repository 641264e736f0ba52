// ONNX's own test data (Debian's libonnx-testdata): every model is either imported exactly (its
// outputs match every test_data_set_*/output_0.pb within 1e-4) or refused with an OnnxError
// (exit code 2) that names the node and op, or the graph-level reason; no other exception
// (exit code 3) and no crash. Skipped when the package is absent (scripts/setup.sh installs it).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "cli_process.h"
#include "experiment/io/atomic_file.h"
#include "interop/onnx_import.h"
#include "onnx_tensor_arrays.h"
#include "skip.h"

using namespace poda;
namespace fs = std::filesystem;

namespace {

const char* kTestData = "/usr/share/libonnx-testdata/data";

struct Tally {
  std::size_t imported = 0, refused_at_node = 0, refused_graph = 0;
  std::vector<std::string> wrong, internal;
};

// Applies the imported normalisation the way the graph's leading Sub/Div did.
Array normalized(Array x, const Normalization& norm) {
  const std::size_t c = x.shape()[1], per = x.size() / (x.shape()[0] * c);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t ch = (i / per) % c;
    if (ch < norm.mean.size()) x.data()[i] = (x.data()[i] - norm.mean[ch]) / norm.std[ch];
  }
  return x;
}

// The classifier head poda's import leaves out (ImportedModel::dropped_output), applied to
// the (batch, classes) logits, so that the graph's own output is what is compared.
Array with_dropped_head(Array y, const std::string& op) {
  if (op.empty() || y.dimension() != 2) return y;
  const std::size_t n = y.shape()[0], c = y.shape()[1];
  for (std::size_t r = 0; r < n; ++r) {
    float* row = y.data() + r * c;
    const float top = *std::max_element(row, row + c);
    double sum = 0;
    for (std::size_t k = 0; k < c; ++k) sum += std::exp(double(row[k] - top));
    for (std::size_t k = 0; k < c; ++k)
      row[k] = op == "LogSoftmax" ? float(row[k] - top - std::log(sum))
                                  : float(std::exp(double(row[k] - top)) / sum);
  }
  return y;
}

// "" when every data set's output matches (and there is one), else what differs.
std::string compare_outputs(const fs::path& dir, const ImportedModel& imported, Sequential& model) {
  std::size_t compared = 0;
  for (const auto& set : fs::directory_iterator(dir)) {
    if (set.path().filename().string().rfind("test_data_set_", 0) != 0) continue;
    const fs::path in = set.path() / "input_0.pb", out = set.path() / "output_0.pb";
    if (!fs::exists(in) || !fs::exists(out) || fs::exists(set.path() / "input_1.pb")) continue;
    const OnnxTensor x = parse_onnx_tensor(read_file(in.string()), in.string());
    const OnnxTensor y = parse_onnx_tensor(read_file(out.string()), out.string());
    if (x.is_int64 || y.is_int64) return "integer test data for a float model";
    const Array got = with_dropped_head(
        model.forward(Variable(normalized(poda_test::onnx_tensor_array(x), imported.norm))).data(),
        imported.dropped_output);
    const Array want = poda_test::onnx_tensor_array(y);
    if (got.shape() != want.shape())
      return "output shape " + shape_str(to_shape(got.shape())) + ", expected " +
             shape_str(to_shape(want.shape()));
    for (std::size_t i = 0; i < want.size(); ++i)
      if (!(std::fabs(got.data()[i] - want.data()[i]) <=
            1e-4 * std::max(1.0f, std::fabs(want.data()[i]))))
        return "output " + std::to_string(i) + " is " + std::to_string(got.data()[i]) +
               ", expected " + std::to_string(want.data()[i]);
    ++compared;
  }
  return compared > 0 ? "" : "imported, but no test data set of one input to compare with";
}

void check_model(const fs::path& dir, Tally& t) {
  const std::string path = (dir / "model.onnx").string();
  try {
    const ImportedModel imported = import_onnx(parse_onnx(read_file(path), path), path);
    std::shared_ptr<Sequential> model;
    try {
      model = build_imported(imported);
    } catch (const std::invalid_argument&) {  // `poda import` says so with exit code 2
      ++t.refused_graph;
      return;
    }
    model->eval();
    const std::string wrong = compare_outputs(dir, imported, *model);
    if (!wrong.empty()) t.wrong.push_back(path + ": " + wrong);
    ++t.imported;
  } catch (const OnnxError& e) {
    const std::string what = e.what();
    (what.find(" node '") != std::string::npos || what.find("unnamed node (") != std::string::npos
         ? t.refused_at_node
         : t.refused_graph)++;
  } catch (const std::exception& e) {
    t.internal.push_back(path + ": " + e.what());
  }
}

}  // namespace

TEST_CASE("onnx test data: every model imported exactly or refused as an input error") {
  if (!fs::is_directory(kTestData))
    PODA_SKIP_TEST(std::string(kTestData) + " is absent (Debian package libonnx-testdata)");
  Tally t;
  std::vector<fs::path> dirs;
  for (const auto& group : fs::directory_iterator(kTestData))
    for (const auto& dir : fs::directory_iterator(group.path()))
      if (fs::exists(dir.path() / "model.onnx")) dirs.push_back(dir.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) check_model(dir, t);
  MESSAGE(dirs.size() << " models: " << t.imported << " imported and matched, " << t.refused_at_node
                      << " refused naming a node, " << t.refused_graph
                      << " refused for the graph as a whole");
  for (const std::string& w : t.wrong) FAIL_CHECK("wrong import: " << w);
  for (const std::string& w : t.internal) FAIL_CHECK("not an input error (exit code 3): " << w);
  CHECK(dirs.size() > 1000);
  CHECK(t.imported > 0);
}
