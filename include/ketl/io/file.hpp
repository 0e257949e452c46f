// Whole-file reads and durable, atomic whole-file writes (POSIX).
//
// read_file refuses anything but a regular file and reads exactly the size
// the OS reports, so a reader's later size checks are against real bytes.
//
// write_file_atomically gives a save these guarantees:
//   - readers see the old file or the new one, never a mix: the bytes go to
//     a new file in the target's directory, which is renamed over it;
//   - the new file is on disk before the rename (fsync), and the rename is
//     on disk before the call returns (fsync of the directory);
//   - saves to one path from several threads or processes do not collide:
//     each writes its own temporary file (an unnamed O_TMPFILE where the
//     filesystem has it, so a killed process leaves nothing behind;
//     otherwise "<name>.ketl-tmp.<pid>.<n>", removed on every failure);
//   - an existing file keeps its permission bits; a new one gets 0666
//     less the umask, as open() gives;
//   - a symlink stays a symlink: the file it points to is replaced.
// Every failure throws ketl::io_error naming the file that failed and the
// OS's reason, and leaves the old file as it was.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "ketl/error.hpp"

namespace ketl::io {

namespace detail {
inline io_error os_error(std::string_view what, const std::string& file, int err) {
  return io_error("ketl: " + std::string(what) + ": " + file + ": " + ketl::detail::os_reason(err));
}

// Closes a descriptor on scope exit unless released.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
};

// The file a path names once symlinks are followed (the link's target,
// which may not exist yet), so that a save replaces the target, not the link.
inline std::filesystem::path resolve_symlinks(std::filesystem::path p) {
  namespace fs = std::filesystem;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return p;
    fs::path target = fs::read_symlink(p, ec);
    if (ec) return p;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p;  // a loop: let open() report ELOOP
}

inline bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}
}  // namespace detail

// The whole of a regular file. `what` names the operation in messages.
inline std::string read_file(const std::string& path, std::string_view what) {
  detail::fd_guard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) throw detail::os_error(what, path, errno);
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) throw detail::os_error(what, path, errno);
  if (S_ISDIR(st.st_mode)) throw detail::os_error(what, path, EISDIR);
  if (!S_ISREG(st.st_mode))
    throw io_error("ketl: " + std::string(what) + ": " + path + " is not a regular file");
  const auto size = static_cast<std::size_t>(st.st_size);
  std::string out = ketl::detail::as_ketl_error(std::string(what) + ": reading " + path,
                                                [&] { return std::string(size, '\0'); });
  std::size_t got = 0;
  while (got < size) {
    const ssize_t r = ::read(fd.fd, out.data() + got, size - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw detail::os_error(what, path, errno);
    }
    if (r == 0) break;  // the file shrank while we read it
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return out;
}

// Replaces the file at path with bytes, atomically and durably (see above).
inline void write_file_atomically(const std::string& path, std::string_view bytes,
                                  std::string_view what) {
  namespace fs = std::filesystem;
  const fs::path target = detail::resolve_symlinks(fs::path(path));
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  struct stat old {};
  const bool existed = ::stat(target.c_str(), &old) == 0;
  if (existed && S_ISDIR(old.st_mode)) throw detail::os_error(what, target.string(), EISDIR);

  // An unnamed file where the filesystem supports it (and /proc can name
  // it later): nothing is left behind if the process dies mid-save.
  static std::atomic<unsigned long> counter{0};
  auto next_name = [&] {
    return target.string() + ".ketl-tmp." + std::to_string(::getpid()) + "." +
           std::to_string(counter.fetch_add(1));
  };
  std::string tmp_name;
  detail::fd_guard fd;
#ifdef O_TMPFILE
  if (::access("/proc/self/fd", X_OK) == 0)
    fd.fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#endif
  const bool unnamed = fd.fd >= 0;
  for (int attempt = 0; !unnamed && fd.fd < 0 && attempt < 100; ++attempt) {
    tmp_name = next_name();
    fd.fd = ::open(tmp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd.fd < 0 && errno != EEXIST) break;
  }
  if (fd.fd < 0) throw detail::os_error(what, tmp_name, errno);
  auto fail = [&](int err) {
    if (!tmp_name.empty()) ::unlink(tmp_name.c_str());
    const std::string file = tmp_name.empty() ? "a temporary file in " + dir.string() : tmp_name;
    return detail::os_error(what, file + " (for " + target.string() + ")", err);
  };
  if (!detail::write_all(fd.fd, bytes.data(), bytes.size())) throw fail(errno);
  if (existed && ::fchmod(fd.fd, old.st_mode & 07777) != 0) throw fail(errno);
  if (::fsync(fd.fd) != 0) throw fail(errno);
  if (unnamed) {
    // Give the unnamed file a name beside the target; the rename moves it over.
    const std::string proc = "/proc/self/fd/" + std::to_string(fd.fd);
    int err = EEXIST;
    for (int attempt = 0; attempt < 100 && err == EEXIST; ++attempt) {
      const std::string name = next_name();
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0)
        tmp_name = name, err = 0;
      else
        err = errno;
    }
    if (err != 0) throw fail(err);
  }
  if (::close(fd.release()) != 0) throw fail(errno);
  if (::rename(tmp_name.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp_name.c_str());
    throw detail::os_error(what, target.string(), err);
  }
  // The rename itself reaches the disk only with the directory.
  detail::fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || ::fsync(d.fd) != 0) throw detail::os_error(what, dir.string(), errno);
}

}  // namespace ketl::io
