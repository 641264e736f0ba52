#pragma once
// The protobuf wire format, the few encodings ONNX files use: varints (int32, int64, enums),
// length-delimited fields (strings, bytes, nested messages, packed numbers) and 32-bit
// floats. Enough to write and read onnx.proto messages without libprotobuf.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace poda {

// Appends fields to a message; a nested message is written into its own ProtoWriter and
// added with message().
class ProtoWriter {
 public:
  void varint(int field, std::uint64_t value);
  void int64(int field, std::int64_t value) { varint(field, static_cast<std::uint64_t>(value)); }
  void fixed32_float(int field, float value);
  void bytes(int field, std::string_view value);
  void message(int field, const ProtoWriter& nested) { bytes(field, nested.out_); }
  void packed_int64(int field, const std::vector<std::int64_t>& values);
  void packed_float(int field, const float* values, std::size_t count);
  const std::string& str() const { return out_; }

 private:
  void raw_varint(std::uint64_t value);
  void tag(int field, int wire_type);
  std::string out_;
};

// One field of a message as read: its number, wire type, and either a varint (also a
// fixed32's bits) or the bytes of a length-delimited field.
struct ProtoField {
  int number = 0;
  int wire_type = 0;  // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  std::uint64_t value = 0;
  std::string_view bytes;
  float as_float() const;
};

// Reads the fields of one message in order. Throws std::runtime_error on truncated or
// malformed input (a length past the end, an unknown wire type), naming `what`.
class ProtoReader {
 public:
  ProtoReader(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  bool next(ProtoField& field);
  // The numbers of a repeated varint field, packed (one bytes field) or not (one value).
  static void append_int64s(const ProtoField& field, std::vector<std::int64_t>& out);
  static void append_floats(const ProtoField& field, std::vector<float>& out);

 private:
  std::uint64_t read_varint();
  std::string_view data_;
  std::size_t pos_ = 0;
  std::string what_;
};

}  // namespace poda
