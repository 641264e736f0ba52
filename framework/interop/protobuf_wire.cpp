#include "interop/protobuf_wire.h"

#include <cstring>
#include <stdexcept>

namespace poda {

void ProtoWriter::raw_varint(std::uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void ProtoWriter::tag(int field, int wire_type) {
  raw_varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire_type));
}

void ProtoWriter::varint(int field, std::uint64_t value) {
  tag(field, 0);
  raw_varint(value);
}

void ProtoWriter::fixed32_float(int field, float value) {
  tag(field, 5);
  char b[4];
  std::memcpy(b, &value, 4);  // protobuf is little-endian, as is every machine poda runs on
  out_.append(b, 4);
}

void ProtoWriter::bytes(int field, std::string_view value) {
  tag(field, 2);
  raw_varint(value.size());
  out_.append(value.data(), value.size());
}

void ProtoWriter::packed_int64(int field, const std::vector<std::int64_t>& values) {
  ProtoWriter body;
  for (std::int64_t v : values) body.raw_varint(static_cast<std::uint64_t>(v));
  bytes(field, body.out_);
}

void ProtoWriter::packed_float(int field, const float* values, std::size_t count) {
  bytes(field, std::string_view(reinterpret_cast<const char*>(values), count * sizeof(float)));
}

float ProtoField::as_float() const {
  const auto bits = static_cast<std::uint32_t>(value);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::uint64_t ProtoReader::read_varint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) throw std::runtime_error(what_ + ": truncated varint");
    const auto byte = static_cast<std::uint8_t>(data_[pos_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return value;
  }
  throw std::runtime_error(what_ + ": varint longer than 10 bytes");
}

bool ProtoReader::next(ProtoField& f) {
  if (pos_ >= data_.size()) return false;
  const std::uint64_t key = read_varint();
  f.number = static_cast<int>(key >> 3);
  f.wire_type = static_cast<int>(key & 7);
  f.bytes = {};
  const std::size_t left = data_.size() - pos_;
  switch (f.wire_type) {
    case 0: f.value = read_varint(); return true;
    case 1:
    case 5: {
      const std::size_t n = f.wire_type == 1 ? 8 : 4;
      if (left < n) throw std::runtime_error(what_ + ": truncated fixed-size field");
      f.value = 0;
      std::memcpy(&f.value, data_.data() + pos_, n);
      pos_ += n;
      return true;
    }
    case 2: {
      const std::uint64_t n = read_varint();
      if (n > data_.size() - pos_)
        throw std::runtime_error(what_ + ": field " + std::to_string(f.number) +
                                 " runs past the end of its message");
      f.bytes = data_.substr(pos_, n);
      pos_ += n;
      return true;
    }
    default:
      throw std::runtime_error(what_ + ": unsupported wire type " + std::to_string(f.wire_type));
  }
}

void ProtoReader::append_int64s(const ProtoField& f, std::vector<std::int64_t>& out) {
  if (f.wire_type == 0) {
    out.push_back(static_cast<std::int64_t>(f.value));
    return;
  }
  ProtoReader packed(f.bytes, "packed integers");
  while (packed.pos_ < packed.data_.size())
    out.push_back(static_cast<std::int64_t>(packed.read_varint()));
}

void ProtoReader::append_floats(const ProtoField& f, std::vector<float>& out) {
  if (f.wire_type == 5) {
    out.push_back(f.as_float());
    return;
  }
  if (f.bytes.size() % 4) throw std::runtime_error("packed floats: a length not divisible by 4");
  const std::size_t n = f.bytes.size() / 4;
  const std::size_t at = out.size();
  out.resize(at + n);
  std::memcpy(out.data() + at, f.bytes.data(), f.bytes.size());
}

}  // namespace poda
