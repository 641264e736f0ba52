// scikit-learn's 8x8 handwritten digits (Alpaydin 1998, the UCI optdigits test set), which
// Debian's python3-sklearn ships as digits.csv.gz: 1,797 rows of 64 pixel counts 0..16 and
// the digit. No split is published, so every fifth row (index % 5 == 4) is the test set:
// 1,438 training and 359 test images. Pixels are scaled to 0..255 like the other sets.
#include <zlib.h>

#include <memory>
#include <string>

#include <fmt/format.h>

#include "data/data_error.h"
#include "data/dataset_type.h"

namespace poda {
namespace {

constexpr std::size_t kDigitPixels = 64;
constexpr int kMaxCount = 16;
constexpr std::size_t kMaxTextBytes = std::size_t(64) << 20;  // the real file: 270 KB

// The whole file, gzipped or plain (gzread reads both).
std::string read_text(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open the file (install python3-sklearn, or give path:)");
  std::string text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxTextBytes) break;
  }
  int err = 0;
  const std::string zerr = n < 0 ? gzerror(f, &err) : "";
  gzclose(f);
  if (n < 0) throw DataError(path + ": corrupt gzip data: " + zerr);
  if (text.size() > kMaxTextBytes) throw DataError(path + ": larger than 64 MB, not a digits file");
  return text;
}

// One field: an integer from 0 to max, else DataError naming the line and field.
int parse_field(const std::string& field, int max, const std::string& where) {
  std::size_t used = 0;
  int v = -1;
  try {
    v = std::stoi(field, &used);
  } catch (const std::exception&) {
  }
  if (used != field.size() || field.empty() || v < 0 || v > max)
    throw DataError(fmt::format("{}: '{}' is not an integer from 0 to {}", where, field, max));
  return v;
}

// Appends one CSV row (64 counts, then the label) to `set`.
void parse_row(const std::string& line, const std::string& where, ImageSet& set) {
  std::size_t start = 0;
  for (std::size_t field = 0; field <= kDigitPixels; ++field) {
    const std::size_t end = field < kDigitPixels ? line.find(',', start) : line.size();
    if (end == std::string::npos ||
        (field == kDigitPixels && line.find(',', start) != std::string::npos))
      throw DataError(
          fmt::format("{}: expected {} comma-separated fields", where, kDigitPixels + 1));
    const std::string text = line.substr(start, end - start);
    const std::string at = fmt::format("{}, field {}", where, field + 1);
    if (field < kDigitPixels)
      set.pixels.push_back(static_cast<std::uint8_t>((parse_field(text, kMaxCount, at) * 255 + 8) / 16));
    else
      set.labels.push_back(static_cast<std::uint8_t>(parse_field(text, 9, at)));
    start = end + 1;
  }
  ++set.count;
}

// Both splits of the file: rows with index % 5 == 4 go to the test set.
std::pair<ImageSet, ImageSet> read_digits(const std::string& path) {
  const std::string text = read_text(path);
  ImageSet split[2];
  for (ImageSet& s : split) s.channels = 1, s.height = 8, s.width = 8;
  std::size_t start = 0, row = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) {
      parse_row(line, fmt::format("{}:{}", path, row + 1), split[row % 5 == 4]);
      ++row;
    }
    start = end + 1;
  }
  if (split[1].count == 0)
    throw DataError(fmt::format("{}: {} rows, too few for a training and a test set", path, row));
  return {std::move(split[0]), std::move(split[1])};
}

class Digits : public DatasetType {
 public:
  std::string help() const override {
    return "scikit-learn's 8x8 digits, 1,438 + 359 grey images (Debian: python3-sklearn)";
  }
  std::vector<std::size_t> sample_shape() const override { return {1, 8, 8}; }
  std::string default_path() const override {
    return "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
  }
  DatasetSizes inspect(const std::string& path) const override {
    const auto [train, test] = read_digits(path);
    return {train.count, test.count};
  }
  ImageSet load(const std::string& path, bool train) const override {
    auto splits = read_digits(path);
    return train ? std::move(splits.first) : std::move(splits.second);
  }
};

const DatasetRegistrar digits_registrar("digits", [] { return std::make_unique<Digits>(); });

}  // namespace
}  // namespace poda
