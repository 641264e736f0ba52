// Dataset types as registered plug-ins (data/dataset_type.h): the built-in ones, the 8x8
// digits CSV reader on files written here, and a type defined in this file that runs from
// YAML through the same lookup the experiment parser and the runner use.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "data/data_error.h"
#include "data/dataset_type.h"
#include "data_files.h"
#include "experiment/config/config.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/pipeline.h"
#include "skip.h"
#include "temp_dir.h"

using namespace poda;
namespace t = poda::testing;

namespace {

// 3 classes of 2x3x3 images, bright where pixel index % 3 is the class: 30 training and
// 6 test images.
class Stripes : public DatasetType {
 public:
  std::string help() const override { return "test only: generated stripes"; }
  std::vector<std::size_t> sample_shape() const override { return {2, 3, 3}; }
  std::size_t classes() const override { return 3; }
  std::string default_path() const override { return "generated"; }
  DatasetSizes inspect(const std::string&) const override { return {30, 6}; }
  ImageSet load(const std::string&, bool train) const override {
    ImageSet s;
    s.count = train ? 30 : 6;
    s.channels = 2, s.height = 3, s.width = 3, s.num_classes = 3;
    for (std::size_t i = 0; i < s.count; ++i) {
      s.labels.push_back(static_cast<std::uint8_t>(i % 3));
      for (std::size_t p = 0; p < s.sample_size(); ++p)
        s.pixels.push_back(p % 3 == i % 3 ? 200 : static_cast<std::uint8_t>(i % 7));
    }
    return s;
  }
};

const DatasetRegistrar reg("test_stripes", [] { return std::make_unique<Stripes>(); });

// `rows` digits rows: pixel k of row r is (r + k) % 17, the label r % 10.
std::string digits_csv(std::size_t rows) {
  std::string text;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t k = 0; k < 64; ++k) text += std::to_string((r + k) % 17) + ",";
    text += std::to_string(r % 10) + "\n";
  }
  return text;
}

void write_text_gz(const std::string& path, const std::string& text) {
  t::write_gz(path, t::Bytes(text.begin(), text.end()));
}

}  // namespace

TEST_CASE("datasets: every built-in type is registered, an unknown name lists them") {
  const std::vector<std::string> names = dataset_names();
  for (const char* name : {"fashion-mnist", "mnist", "cifar10", "digits", "test_stripes"}) {
    CAPTURE(name);
    CHECK(std::count(names.begin(), names.end(), name) == 1);
  }
  CHECK(dataset_type("cifar10").sample_shape() == std::vector<std::size_t>{3, 32, 32});
  CHECK(dataset_type("digits").sample_shape() == std::vector<std::size_t>{1, 8, 8});
  CHECK_FALSE(dataset_type("mnist").path_required().empty());
  CHECK_THROWS_WITH_AS(dataset_type("imagenet"), doctest::Contains("known: cifar10, digits"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(
      parse_experiment_config(YAML::Load("dataset: {name: imagenet}\nmodel: {zoo: lenet5}\n"),
                              "d.yaml"),
      doctest::Contains("d.yaml:1:17: 'dataset.name'"), ConfigError);
}

TEST_CASE("datasets: the digits CSV gives every fifth row to the test set, pixels to 0..255") {
  poda_test::TempDir dir("poda_digits");
  const std::string path = dir.file("digits.csv.gz");
  write_text_gz(path, digits_csv(12));
  const DatasetType& digits = dataset_type("digits");
  const DatasetSizes sizes = digits.inspect(path);
  CHECK(sizes.train == 10);
  CHECK(sizes.test == 2);
  const ImageSet test = digits.load(path, false);
  REQUIRE(test.count == 2);
  CHECK(test.labels == std::vector<std::uint8_t>{4, 9});  // rows 4 and 9
  CHECK(test.pixels.size() == 2 * 64);
  CHECK(test.pixels[0] == (4 * 255 + 8) / 16);  // row 4, pixel 0: count 4
  CHECK(test.pixels[12] == 255);                // row 4, pixel 12: count 16
  const ImageSet train = digits.load(path, true);
  CHECK(train.count == 10);
  CHECK(train.labels[4] == 5);  // rows 0-3, then 5
  t::write_file(dir.file("plain.csv"), t::Bytes{});
  CHECK_THROWS_AS(digits.inspect(dir.file("plain.csv")), DataError);  // no rows
}

TEST_CASE("datasets: a damaged digits file names the file, the line and the field") {
  poda_test::TempDir dir("poda_digits");
  const std::string path = dir.file("digits.csv");
  const DatasetType& digits = dataset_type("digits");
  auto error = [&](const std::string& text) {
    write_text_gz(path, text);
    return t::error_of([&] { digits.inspect(path); });
  };
  const std::string good = digits_csv(6);
  std::string bad_count = good;
  bad_count.replace(bad_count.find('\n') + 1, 1, "17");  // line 2, field 1
  CHECK(error(bad_count) == path + ":2, field 1: '17' is not an integer from 0 to 16");
  CHECK(t::contains(error(good + "1,2,3\n"), path + ":7: expected 65 comma-separated fields"));
  std::string bad_label = good;
  bad_label.replace(bad_label.find('\n') - 1, 1, "x");
  CHECK(error(bad_label) == path + ":1, field 65: 'x' is not an integer from 0 to 9");
  CHECK(t::contains(t::error_of([&] { digits.inspect(dir.file("absent.csv.gz")); }),
                    "absent.csv.gz: cannot open the file"));
}

TEST_CASE("datasets: scikit-learn's digits file as Debian ships it") {
  const std::string path = dataset_type("digits").default_path();
  if (!std::filesystem::exists(path)) PODA_SKIP_TEST(path + " is absent (install python3-sklearn)");
  const DatasetSizes sizes = dataset_type("digits").inspect(path);
  CHECK(sizes.train == 1438);
  CHECK(sizes.test == 359);
}

TEST_CASE("datasets: a type defined in a test file runs from YAML through the runner") {
  poda_test::TempDir dir("poda_dataset_plugin");
  const YAML::Node doc = YAML::Load(R"(
dataset: {name: test_stripes, val_count: 6}
model:
  layers:
    - {type: flatten}
    - {type: dense, out: 3}
train: {epochs: 30, batch_size: 8, lr: 0.1, momentum: 0.9}
)");
  const ExperimentConfig c = parse_experiment_config(doc, "stripes.yaml");
  check_run_inputs(c, doc);
  const LoadedData data = load_data(c.dataset, 1);
  CHECK(data.input_shape == Shape{2, 3, 3});
  CHECK(data.splits.train.count == 24);
  CHECK(data.splits.val.count == 6);
  Progress quiet(Progress::Mode::quiet);
  const RunRow row = run_point(c, (dir.path / "run").string(), "", quiet);
  auto cell = [&](const std::string& column) {
    for (const auto& [name, value] : row)
      if (name == column) return value;
    return std::string("(absent)");
  };
  CHECK(cell("status") == "ok");
  CHECK(std::stod(cell("acc")) > 0.9);  // linearly separable
}
