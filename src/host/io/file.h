// OS file access for the io room: sequential reads that name the file and the OS error, and
// atomic replacement of a file (temp file in the same directory + fsync + rename).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace varscope::io {

// Receives the bytes of a file being written, in order; throws to abort the write.
using ByteSink = std::function<void(std::span<const std::byte>)>;
// Wraps the sink that writes to the temp file. Tests use it to fail a write midway.
using SinkFilter = std::function<ByteSink(ByteSink file_sink)>;

// Writes `path` through `produce`, which emits every byte into the sink it is given.
// The bytes go to an anonymous temp file in the same directory (O_TMPFILE; where the file
// system lacks it, a short hidden ".vs-<hex>.tmp"), which is fsync'ed, named and renamed
// over `path`, then the directory is fsync'ed. A symbolic link is followed (the file it
// names is replaced, the link stays); an existing file keeps its permission bits. If
// anything throws (produce, the filter's sink, or the OS: vs::InternalError naming the
// call and errno text), `path` is left as it was, no temp file remains, and the exception
// propagates. A path with a NUL byte is vs::InvalidArgumentError.
void write_file_atomically(const std::string& path,
                           const std::function<void(const ByteSink&)>& produce,
                           const SinkFilter& filter = {});

// A regular file opened for reading. A missing file is vs::NotFoundError; a FIFO, socket or
// device is vs::InvalidArgumentError (refused without blocking); other OS failures are
// vs::InternalError naming the path and the OS error.
class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // Reads exactly `out.size()` bytes at the current position. Returns false if the file
  // ends first (the bytes read so far are left in `out`).
  bool read(std::span<std::byte> out);
  // Reads exactly `out.size()` bytes at `offset` (pread; the position is unchanged). Returns
  // false if the file ends first.
  bool read_at(std::uint64_t offset, std::span<std::byte> out);

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace varscope::io
