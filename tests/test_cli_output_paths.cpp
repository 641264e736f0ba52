// `poda import` and `poda export` refuse (exit 2, naming the output) to write onto their own
// input, a FIFO or an existing file without --force, and leave those files as they were.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "cli_process.h"
#include "interop/onnx_model.h"
#include "temp_dir.h"

using namespace poda;

namespace {

// A Dense layer 3 -> 2 as MatMul + Add: a model `poda import` takes.
std::string small_onnx() {
  OnnxModel m;
  m.inputs = {{"x", {-1, 3}}};
  m.outputs = {{"y", {-1, 2}}};
  m.initializers = {{"w", {3, 2}, {1, 2, 3, 4, 5, 6}, {}, false},
                    {"b", {2}, {0.5f, -1}, {}, false}};
  m.nodes = {OnnxNode{"mm", "MatMul", {"x", "w"}, {"h"}, {}},
             OnnxNode{"bias", "Add", {"h", "b"}, {"y"}, {}}};
  return serialize_onnx(m);
}

void check_refused(const poda_test::Finished& r, const std::string& out, const std::string& why) {
  CAPTURE(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("output '" + out + "' " + why) != std::string::npos);
}

}  // namespace

TEST_CASE("poda import: never onto its model, a FIFO, or an existing file without --force") {
  poda_test::TempDir dir("poda_cli_out");
  const std::string model = dir.file("m.onnx"), ckpt = dir.file("m.ckpt");
  const std::string bytes = small_onnx();
  poda_test::write_text(model, bytes);
  check_refused(poda_test::run_poda({"import", model, model, "--force"}, dir.path, "self"), model,
                "is this command's input");
  CHECK(poda_test::read_text(model) == bytes);

  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  check_refused(poda_test::run_poda({"import", model, dir.file("fifo")}, dir.path, "fifo"),
                dir.file("fifo"), "is a FIFO");

  REQUIRE(poda_test::run_poda({"import", model, ckpt}, dir.path, "first").code == 0);
  check_refused(poda_test::run_poda({"import", model, ckpt}, dir.path, "again"), ckpt,
                "exists; give --force to replace it");
  const auto forced = poda_test::run_poda({"import", model, ckpt, "--force"}, dir.path, "forced");
  CAPTURE(forced.err);
  CHECK(forced.code == 0);
}

TEST_CASE("poda export: never onto the checkpoint or the config it reads, even with --force") {
  poda_test::TempDir dir("poda_cli_out");
  const std::string model = dir.file("m.onnx"), ckpt = dir.file("final.ckpt");
  poda_test::write_text(model, small_onnx());
  REQUIRE(poda_test::run_poda({"import", model, ckpt}, dir.path, "import").code == 0);
  const std::string trained = poda_test::read_text(ckpt);
  poda_test::write_text(dir.file("config.yaml"), "model: {layers: [{type: dense, out: 2}]}\n");
  for (const std::string& out : {ckpt, dir.file("config.yaml")}) {
    CAPTURE(out);
    check_refused(poda_test::run_poda({"export", ckpt, out, "--force"}, dir.path, "export"), out,
                  "is this command's input");
  }
  CHECK(poda_test::read_text(ckpt) == trained);
}
