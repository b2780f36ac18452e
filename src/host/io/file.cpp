// OS file access for the io room (see file.h).
#include "host/io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

#include "varscope/errors.h"

namespace varscope::io {
namespace {

[[noreturn]] void throw_os_error(const char* call, const std::string& path, int err) {
  std::string message =
      std::string(call) + "(" + path + ") failed: " + std::system_category().message(err);
  if (err == ENOENT) throw NotFoundError(message);
  throw InternalError(message);
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Makes the rename durable. Best effort: the new file is already in place when this runs,
// and some file systems refuse fsync on a directory.
void sync_directory(const std::string& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& path,
                           const std::function<void(const ByteSink&)>& produce,
                           const SinkFilter& filter) {
  static std::atomic<unsigned> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0;; ++attempt) {
    tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    // 0666 before the umask: the file gets the permissions a plain create would give it.
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) break;
    if (errno != EEXIST || attempt >= 100) throw_os_error("open", tmp, errno);
  }
  try {
    ByteSink file_sink = [&](std::span<const std::byte> bytes) {
      const std::byte* p = bytes.data();
      std::size_t left = bytes.size();
      while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw_os_error("write", tmp, errno);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
      }
    };
    const ByteSink sink = filter ? filter(file_sink) : file_sink;
    produce(sink);
    if (::fsync(fd) != 0) throw_os_error("fsync", tmp, errno);
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) throw_os_error("close", tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw_os_error("rename", tmp + ", " + path, errno);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  sync_directory(path);
}

InputFile::InputFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw_os_error("open", path, errno);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    throw_os_error("fstat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw_os_error("open", path, EISDIR);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool InputFile::read(std::span<std::byte> out) {
  std::byte* p = out.data();
  std::size_t left = out.size();
  while (left > 0) {
    const ssize_t n = ::read(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_os_error("read", path_, errno);
    }
    if (n == 0) return false;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace varscope::io
