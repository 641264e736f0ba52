// `--plugin`: a missing file, a folder, a FIFO, a file dlopen refuses, a library that registers
// nothing, one whose initialiser throws and one that registers a name that exists are input
// errors (exit code 2) naming the file; the same library given twice loads once. The tiny
// plug-ins are tests/plugins/; examples_against_installed_poda (tests/run_examples.sh) builds
// and runs a real one against the installed package.
#include <doctest/doctest.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <zlib.h>

#include <filesystem>
#include <utility>

#include "cli_process.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

// zlib, which the test binary links: a real shared library with no poda registrars.
std::string zlib_path() {
  Dl_info info{};
  REQUIRE(::dladdr(reinterpret_cast<void*>(&::crc32), &info) != 0);
  return info.dli_fname;
}

}  // namespace

TEST_CASE("poda --plugin: missing, unloadable or empty plug-ins are exit code 2, named") {
  const fs::path dir = fs::temp_directory_path() / ("poda_plugins" + std::to_string(::getpid()));
  fs::create_directories(dir);
  poda_test::write_text(dir / "not_a_library.so", "text, not ELF\n");
  struct Case {
    std::string plugin, message;
  };
  for (const Case& c : {Case{(dir / "missing.so").string(), "no such file"},
                        Case{(dir / "not_a_library.so").string(), "cannot be loaded"},
                        Case{zlib_path(), "registered nothing"}}) {
    CAPTURE(c.plugin);
    const auto r = poda_test::run_poda({"list", "criteria", "--plugin", c.plugin}, dir, "list");
    CHECK(r.code == 2);
    CHECK(r.err.find("plug-in '" + c.plugin + "'") != std::string::npos);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.find("magnitude") == std::string::npos);  // nothing ran
  }
  fs::remove_all(dir);
}

namespace {

std::string test_plugin(const std::string& name) {
  return poda_test::test_plugin_dir() + "/" + name + ".so";
}

}  // namespace

TEST_CASE("poda --plugin: a folder or a FIFO is named as such, not as a missing file") {
  poda_test::TempDir dir("poda_plugins");
  REQUIRE(::mkfifo(dir.file("fifo.so").c_str(), 0644) == 0);
  for (const auto& [plugin, kind] :
       {std::pair{dir.str(), "is a directory"}, std::pair{dir.file("fifo.so"), "is a FIFO"}}) {
    CAPTURE(plugin);
    const auto r = poda_test::run_poda({"list", "criteria", "--plugin", plugin}, dir.path, "list");
    CHECK(r.code == 2);
    CHECK(r.err.find("plug-in '" + plugin + "' " + kind) != std::string::npos);
  }
}

TEST_CASE("poda --plugin: an initialiser that throws is exit code 2 naming the library") {
  poda_test::TempDir dir("poda_plugins");
  const std::string plugin = test_plugin("plugin_throws");
  const auto r = poda_test::run_poda({"list", "criteria", "--plugin", plugin}, dir.path, "list");
  CAPTURE(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("plug-in '" + plugin + "' failed while loading") != std::string::npos);
  CHECK(r.err.find("initialiser failed on purpose") != std::string::npos);
  CHECK(r.err.find("terminate called") == std::string::npos);
}

TEST_CASE("poda --plugin: a name registered twice names both sources; one library loads once") {
  poda_test::TempDir dir("poda_plugins");
  const std::string clash = test_plugin("plugin_clash"), ok = test_plugin("plugin_ok");
  auto r = poda_test::run_poda({"list", "criteria", "--plugin", clash}, dir.path, "clash");
  CAPTURE(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("criterion 'magnitude' is registered twice: by poda and by plug-in '" + clash +
                   "'") != std::string::npos);

  r = poda_test::run_poda({"list", "criteria", "--plugin", ok, "--plugin", ok}, dir.path, "twice");
  CHECK(r.code == 0);
  CHECK(r.err.find("already loaded") != std::string::npos);
  CHECK(r.out.find("test_plugin_ones") != std::string::npos);

  const std::string copy = dir.file("copy_of_plugin_ok.so");
  std::filesystem::copy_file(ok, copy);
  r = poda_test::run_poda({"list", "criteria", "--plugin", ok, "--plugin", copy}, dir.path, "copy");
  CHECK(r.code == 2);
  CHECK(r.err.find("criterion 'test_plugin_ones' is registered twice: by plug-in '" + ok +
                   "' and by plug-in '" + copy + "'") != std::string::npos);
}

TEST_CASE("poda --plugin: a quantization scheme from a plug-in is listed and runs from YAML") {
  poda_test::TempDir dir("poda_plugins");
  const std::string plugin = test_plugin("plugin_quant_scheme");
  auto r = poda_test::run_poda({"list", "quantization", "--plugin", plugin}, dir.path, "list");
  CAPTURE(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("  test_plugin_sign ") != std::string::npos);
  CHECK(r.out.find("  kmeans ") != std::string::npos);
  poda_test::write_text(dir.path / "sign.yaml", R"(name: sign
dataset: {name: fashion-mnist, val_count: 100, train_limit: 600, test_limit: 300}
model:
  layers: [{type: flatten}, {type: dense, out: 32}, {type: relu}, {type: dense, out: 10}]
train: {epochs: 1, batch_size: 32, lr: 0.05}
quantize: {kind: test_plugin_sign}
)");
  r = poda_test::run_poda({"run", dir.file("sign.yaml"), "--results", dir.file("results"),
                           "--plugin", plugin},
                          dir.path, "run", std::chrono::seconds(120));
  REQUIRE(r.code == 0);
  const poda::CsvTable runs = poda_test::read_csv(dir.path / "results" / "sign" / "runs.csv");
  CHECK(poda_test::column_values(runs, "quant_kind") == std::vector<std::string>{"test_plugin_sign"});
  CHECK(poda_test::column_values(runs, "bits") == std::vector<std::string>{"1"});
  CHECK(std::stod(poda_test::column_values(runs, "acc_quant").at(0)) > 0.2);  // 10 classes
}

TEST_CASE("poda --plugin: a dataset from a plug-in is named when it loads, listed, and trains") {
  poda_test::TempDir dir("poda_plugins");
  const std::string plugin = test_plugin("plugin_dataset");
  auto r = poda_test::run_poda({"list", "datasets", "--plugin", plugin}, dir.path, "list");
  CAPTURE(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.find("poda: plug-in " + plugin + ": datasets: test_plugin_stripes") !=
        std::string::npos);
  CHECK(r.out.find("test_plugin_stripes") != std::string::npos);
  poda_test::write_text(dir.path / "stripes.yaml", R"(name: stripes
dataset: {name: test_plugin_stripes, val_count: 6}
model:
  layers: [{type: flatten}, {type: dense, out: 3}]
train: {epochs: 2, batch_size: 8, lr: 0.05}
)");
  r = poda_test::run_poda(
      {"run", dir.file("stripes.yaml"), "--results", dir.file("results"), "--plugin", plugin},
      dir.path, "run", std::chrono::seconds(60));
  CAPTURE(r.err);
  CHECK(r.code == 0);
}
