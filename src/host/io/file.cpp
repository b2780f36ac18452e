// OS file access for the io room (see file.h).
#include "host/io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <limits>
#include <random>
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

// A C string stops at the first NUL: "dir/ck\0.x" would silently become "dir/ck".
void check_path(const std::string& path) {
  const std::size_t nul = path.find('\0');
  if (nul == std::string::npos) return;
  throw InvalidArgumentError("File path \"" + path.substr(0, nul) +
                             "\\0...\" contains a NUL byte at position " + std::to_string(nul));
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Re-saving through a symbolic link updates the file it names instead of replacing the
// link. Followed link by link (a dangling link names the file to create), at most as many
// links as the kernel follows.
std::string resolve_links(std::string path) {
  constexpr int kMaxLinks = 40;  // the kernel's MAXSYMLINKS
  for (int hops = 0; hops <= kMaxLinks; ++hops) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) throw_os_error("readlink", path, errno);
    target.resize(static_cast<std::size_t>(n));
    path = target.starts_with('/') ? target : directory_of(path) + "/" + target;
  }
  throw_os_error("open", path, ELOOP);
}

// Makes the rename durable. Best effort: the new file is already in place when this runs,
// and some file systems refuse fsync on a directory.
void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// A short hidden name beside the target: its length does not depend on the target's, so a
// legal file name never makes an illegal temp name.
std::string temp_name(const std::string& dir) {
  static std::atomic<std::uint64_t> counter{std::random_device{}()};
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(counter++ * 0x9E3779B97F4A7C15ull));
  return dir + "/.vs-" + hex + ".tmp";
}

// The file the bytes go to before they replace the target. Preferably anonymous
// (O_TMPFILE): a process killed mid-write leaves nothing behind. `name` is empty then,
// until publish() gives it one.
struct TempFile {
  int fd = -1;
  std::string name;

  // Errors name `target`, the file the caller asked for.
  TempFile(const std::string& dir, const std::string& target) {
    // 0666 before the umask: the file gets the permissions a plain create would give it.
    fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd >= 0) return;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      throw_os_error("open", target, errno);
    }
    for (int attempt = 0;; ++attempt) {  // a file system without O_TMPFILE
      name = temp_name(dir);
      fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) return;
      if (errno != EEXIST || attempt >= 100) throw_os_error("open", name, errno);
    }
  }
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!name.empty()) ::unlink(name.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(std::span<const std::byte> bytes) const {
    const std::byte* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_os_error("write", describe(), errno);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  // Synced, closed and named in `dir`, ready to be renamed.
  void publish(const std::string& dir) {
    if (::fsync(fd) != 0) throw_os_error("fsync", describe(), errno);
    if (name.empty()) {
      for (int attempt = 0; name.empty(); ++attempt) {
        const std::string candidate = temp_name(dir);
        const std::string self = "/proc/self/fd/" + std::to_string(fd);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
            ::linkat(fd, "", AT_FDCWD, candidate.c_str(), AT_EMPTY_PATH) == 0) {
          name = candidate;
        } else if (errno != EEXIST || attempt >= 100) {
          throw_os_error("linkat", candidate, errno);
        }
      }
    }
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) throw_os_error("close", name, errno);
  }

  std::string describe() const { return name.empty() ? "temporary file" : name; }
};

}  // namespace

void write_file_atomically(const std::string& requested,
                           const std::function<void(const ByteSink&)>& produce,
                           const SinkFilter& filter) {
  check_path(requested);
  const std::string path = resolve_links(requested);
  const std::string dir = directory_of(path);
  TempFile tmp(dir, path);
  // Replacing a file keeps its permission bits (a 0600 key file stays 0600).
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) &&
      ::fchmod(tmp.fd, existing.st_mode & 07777) != 0) {
    throw_os_error("fchmod", path, errno);
  }
  ByteSink file_sink = [&tmp](std::span<const std::byte> bytes) { tmp.write(bytes); };
  const ByteSink sink = filter ? filter(file_sink) : file_sink;
  produce(sink);
  tmp.publish(dir);
  if (::rename(tmp.name.c_str(), path.c_str()) != 0) {
    throw_os_error("rename", tmp.name + ", " + path, errno);
  }
  tmp.name.clear();  // it is `path` now
  sync_directory(dir);
}

InputFile::InputFile(const std::string& path) : path_(path) {
  check_path(path);
  // Non-blocking, so that opening a FIFO with no writer returns instead of waiting forever;
  // anything but a regular file is refused before a byte is read.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    throw InvalidArgumentError("Cannot read " + path +
                               ": not a regular file (a FIFO, socket or device)");
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

bool InputFile::read_at(std::uint64_t offset, std::span<std::byte> out) {
  std::byte* p = out.data();
  std::size_t left = out.size();
  while (left > 0) {
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) return false;
    const ssize_t n = ::pread(fd_, p, left, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_os_error("pread", path_, errno);
    }
    if (n == 0) return false;
    p += n;
    offset += static_cast<std::uint64_t>(n);
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace varscope::io
