#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "experiment/io/atomic_file.h"
#include "experiment/io/checkpoint.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

poda::Checkpoint sample_checkpoint() {
  poda::Checkpoint ck;
  ck.metadata = {{"model", "lenet_300_100"}, {"seed", "7"}, {"empty", ""}};
  poda::Array w = poda::empty_array({3, 4});
  for (std::size_t i = 0; i < w.size(); ++i) w.data()[i] = 0.25f * static_cast<float>(i) - 1.0f;
  poda::Array m = poda::zeros_array({3, 4});
  for (std::size_t i = 0; i < m.size(); i += 3) m.data()[i] = 1.0f;
  poda::Array b = poda::empty_array({4});
  for (std::size_t i = 0; i < b.size(); ++i) b.data()[i] = -3.5e-7f * static_cast<float>(i + 1);
  poda::Array scalar = poda::empty_array({});
  scalar.data()[0] = 42.0f;
  ck.entries.push_back({"fc1.weight", w, m});
  ck.entries.push_back({"fc1.bias", b, std::nullopt});
  ck.entries.push_back({"step", scalar, std::nullopt});
  ck.entries.push_back({"empty.buffer", poda::zeros_array({0, 5}), std::nullopt});
  return ck;
}

std::string error_of(const std::string& bytes) {
  try {
    poda::deserialize_checkpoint(bytes, "runs/r1/model.ckpt");
  } catch (const poda::CheckpointError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("checkpoint round trip keeps names, shapes, values, masks and metadata") {
  poda_test::TempDir dir("poda_ckpt");
  std::string path = (dir.path / "sub" / "model.ckpt").string();
  poda::Checkpoint ck = sample_checkpoint();
  poda::save_checkpoint(path, ck);
  poda::Checkpoint back = poda::load_checkpoint(path);
  CHECK(back.metadata == ck.metadata);
  REQUIRE(back.entries.size() == ck.entries.size());
  for (std::size_t i = 0; i < ck.entries.size(); ++i) {
    CAPTURE(ck.entries[i].name);
    CHECK(back.entries[i].name == ck.entries[i].name);
    CHECK(poda::to_shape(back.entries[i].value.shape()) ==
          poda::to_shape(ck.entries[i].value.shape()));
    CHECK(back.entries[i].value == ck.entries[i].value);  // bit-exact
    REQUIRE(back.entries[i].mask.has_value() == ck.entries[i].mask.has_value());
    if (ck.entries[i].mask) CHECK(*back.entries[i].mask == *ck.entries[i].mask);
  }
  REQUIRE(poda::find_entry(back, "fc1.bias") != nullptr);
  CHECK(poda::find_entry(back, "fc2.bias") == nullptr);
}

TEST_CASE("checkpoint header is the documented little-endian layout") {
  std::string bytes = poda::serialize_checkpoint(poda::Checkpoint{}, "mem");
  CHECK(bytes.substr(0, 8) == "PODACKPT");
  CHECK(bytes.substr(8, 4) == std::string("\x01\x00\x00\x00", 4));
  // metadata count 0, entry count 0, CRC
  CHECK(bytes.size() == 8 + 4 + 8 + 8 + 4);
  CHECK(poda::deserialize_checkpoint(bytes, "mem").entries.empty());
}

TEST_CASE("a truncated checkpoint is an error naming the file, at every eighth of its length") {
  std::string bytes = poda::serialize_checkpoint(sample_checkpoint(), "mem");
  for (int k = 0; k < 8; ++k) {
    std::size_t size = bytes.size() * k / 8;
    CAPTURE(size);
    std::string msg = error_of(bytes.substr(0, size));
    CAPTURE(msg);
    CHECK(msg.find("runs/r1/model.ckpt") != std::string::npos);
    CHECK((msg.find("truncated") != std::string::npos ||
           msg.find("not a poda checkpoint") != std::string::npos));
  }
  // Every single cut point, not just eighths: never a crash, always an error.
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    CAPTURE(size);
    CHECK_THROWS_AS(poda::deserialize_checkpoint(bytes.substr(0, size), "mem"),
                    poda::CheckpointError);
  }
}

TEST_CASE("a flipped byte anywhere after the magic is detected") {
  std::string bytes = poda::serialize_checkpoint(sample_checkpoint(), "mem");
  std::string data_flip = bytes;
  // name, rank (4), two dims (16), mask flag (1), then the second float of fc1.weight
  std::size_t value_byte = bytes.find("fc1.weight") + 10 + 4 + 16 + 1 + 4;
  data_flip[value_byte] ^= 0x10;
  CHECK(error_of(data_flip).find("CRC-32 mismatch") != std::string::npos);
  for (std::size_t i = 8; i < bytes.size(); ++i) {
    CAPTURE(i);
    std::string bad = bytes;
    bad[i] ^= 0xFF;
    CHECK_THROWS_AS(poda::deserialize_checkpoint(bad, "mem"), poda::CheckpointError);
  }
}

TEST_CASE("a huge count in a corrupted file is rejected without allocating") {
  std::string bytes = poda::serialize_checkpoint(sample_checkpoint(), "mem");
  std::string bad = bytes;
  for (int i = 0; i < 8; ++i) bad[12 + i] = static_cast<char>(0xFF);  // metadata count
  CHECK(error_of(bad).find("metadata count") != std::string::npos);
}

TEST_CASE("wrong magic and a future version give clear errors") {
  std::string bytes = poda::serialize_checkpoint(sample_checkpoint(), "mem");
  std::string magic = bytes;
  magic[0] = 'X';
  CHECK(error_of(magic) ==
        "checkpoint 'runs/r1/model.ckpt': not a poda checkpoint (the file does not start with "
        "\"PODACKPT\")");
  std::string future = bytes;
  future[8] = 2;
  std::string msg = error_of(future);
  CHECK(msg.find("format version 2 was written by a newer poda") != std::string::npos);
  CHECK(msg.find("reads up to version 1") != std::string::npos);
}

TEST_CASE("load_checkpoint names a missing file — save rejects inconsistent entries") {
  poda_test::TempDir dir("poda_ckpt");
  std::string missing = (dir.path / "none.ckpt").string();
  try {
    poda::load_checkpoint(missing);
    FAIL("expected CheckpointError");
  } catch (const poda::CheckpointError& e) {
    CHECK(std::string(e.what()).find("none.ckpt") != std::string::npos);
  }
  poda::Checkpoint bad_mask;
  bad_mask.entries.push_back({"w", poda::zeros_array({2, 2}), poda::zeros_array({4})});
  CHECK_THROWS_AS(poda::save_checkpoint((dir.path / "m.ckpt").string(), bad_mask),
                  poda::CheckpointError);
  poda::Checkpoint dup;
  dup.entries.push_back({"w", poda::zeros_array({1}), std::nullopt});
  dup.entries.push_back({"w", poda::zeros_array({1}), std::nullopt});
  CHECK_THROWS_AS(poda::save_checkpoint((dir.path / "d.ckpt").string(), dup),
                  poda::CheckpointError);
  CHECK(!fs::exists(dir.path / "d.ckpt"));
}
