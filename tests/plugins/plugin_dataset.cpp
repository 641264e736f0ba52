// A plug-in that registers one dataset type: 3 classes of 2x3x3 generated images, bright
// where pixel index % 3 is the class (30 training and 6 test images, no files).
#include "data/dataset_type.h"

namespace {

class PluginStripes : public poda::DatasetType {
 public:
  std::string help() const override { return "test only: generated stripes from a plug-in"; }
  std::vector<std::size_t> sample_shape() const override { return {2, 3, 3}; }
  std::size_t classes() const override { return 3; }
  std::string default_path() const override { return "generated"; }
  poda::DatasetSizes inspect(const std::string&) const override { return {30, 6}; }
  poda::ImageSet load(const std::string&, bool train) const override {
    poda::ImageSet s;
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

const poda::DatasetRegistrar reg("test_plugin_stripes",
                                 [] { return std::make_unique<PluginStripes>(); });

}  // namespace
