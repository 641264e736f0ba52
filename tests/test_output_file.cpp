// The output-writing routine of export and import (experiment/io/output_file.h): a folder, a
// device, a FIFO, a socket, an input (by path, symlink or hard link) and, without --force, an
// existing file are refused and left as they were; a new file or a forced one is written
// through a temporary file, and a symlink to a regular file keeps its link.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "cli_process.h"
#include "experiment/io/output_file.h"
#include "skip.h"
#include "temp_dir.h"

using namespace poda;
namespace fs = std::filesystem;

namespace {

std::string problem(const std::string& path, std::vector<std::string> inputs = {},
                    bool force = false) {
  return output_path_problem({path, std::move(inputs), force});
}

// A bound Unix socket at `path`, or false when this system refuses one there.
bool make_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return ::close(fd), false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("output paths: a folder, a FIFO, a socket and a dangling symlink are refused") {
  poda_test::TempDir dir("poda_out");
  CHECK(problem(dir.str()).find("is a directory") != std::string::npos);
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  CHECK(problem(dir.file("fifo")).find("is a FIFO") != std::string::npos);
  fs::create_symlink(dir.file("fifo"), dir.file("to_fifo"));
  CHECK(problem(dir.file("to_fifo")).find("is a FIFO") != std::string::npos);
  fs::create_symlink(dir.file("nothing"), dir.file("dangling"));
  CHECK(problem(dir.file("dangling")).find("symbolic link to a missing file") != std::string::npos);
  if (make_socket(dir.file("sock")))
    CHECK(problem(dir.file("sock")).find("is a socket") != std::string::npos);
  else
    MESSAGE("no Unix socket could be bound in the temp folder; that case is not checked");
  // Even forced, none of them is written.
  CHECK_THROWS_WITH_AS(write_output_file({dir.file("fifo"), {}, true}, "x"),
                       doctest::Contains("is a FIFO"), OutputPathError);
  CHECK(fs::is_fifo(dir.file("fifo")));
  CHECK(fs::is_symlink(dir.file("to_fifo")));
}

TEST_CASE("output paths: a device node is refused and left a device") {
  poda_test::TempDir dir("poda_out");
  const std::string null_copy = dir.file("null");
  // A character device like /dev/null (1, 3), made in the temp folder: the test never
  // points a write at the system's own device.
  if (::mknod(null_copy.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0)
    PODA_SKIP_TEST("mknod of a character device is not permitted here: " +
                   std::string(std::strerror(errno)));
  CHECK(problem(null_copy, {}, true).find("is a device") != std::string::npos);
  CHECK_THROWS_AS(write_output_file({null_copy, {}, true}, "x"), OutputPathError);
  CHECK(fs::is_character_file(null_copy));
}

TEST_CASE("output paths: an input is refused by path, symlink or hard link, even forced") {
  poda_test::TempDir dir("poda_out");
  const std::string input = dir.file("model.ckpt");
  poda_test::write_text(input, "trained");
  fs::create_symlink(input, dir.file("link.ckpt"));
  fs::create_hard_link(input, dir.file("hard.ckpt"));
  CHECK(problem(input, {input}, true).find("is this command's input") != std::string::npos);
  for (const std::string& alias :
       {dir.file("link.ckpt"), dir.file("hard.ckpt"), dir.str() + "/./model.ckpt"}) {
    CAPTURE(alias);
    CHECK(problem(alias, {input}, true).find("the same file as the input '" + input + "'") !=
          std::string::npos);
  }
  CHECK_THROWS_AS(write_output_file({dir.file("link.ckpt"), {input}, true}, "x"), OutputPathError);
  CHECK(poda_test::read_text(input) == "trained");
  CHECK(problem(input, {dir.file("missing")}, true).empty());  // a missing input is no match
}

TEST_CASE("output paths: an existing file needs --force; a symlink to it keeps its link") {
  poda_test::TempDir dir("poda_out");
  const std::string out = dir.file("out.onnx");
  CHECK(problem(out).empty());
  write_output_file({out, {}, false}, "first");
  CHECK(poda_test::read_text(out) == "first");
  CHECK_THROWS_WITH_AS(write_output_file({out, {}, false}, "second"),
                       doctest::Contains("exists; give --force to replace it"), OutputPathError);
  CHECK(poda_test::read_text(out) == "first");
  write_output_file({out, {}, true}, "second");
  CHECK(poda_test::read_text(out) == "second");
  fs::create_symlink(out, dir.file("link.onnx"));
  write_output_file({dir.file("link.onnx"), {}, true}, "third");
  CHECK(fs::is_symlink(dir.file("link.onnx")));
  CHECK(poda_test::read_text(out) == "third");
  std::size_t files = 0;  // no temporary file left beside the target
  for (const auto& entry : fs::directory_iterator(dir.path)) files += entry.exists() ? 1 : 0;
  CHECK(files == 2);
}
