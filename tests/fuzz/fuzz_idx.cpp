// libFuzzer target: the IDX reader (Fashion-MNIST) on any bytes, gzipped or
// not. The bytes go to a memory file that the reader opens by path, so the
// real code path (stat, gzopen, chunked reads) runs. Any outcome but a
// ketl::io_error or a successful read is a finding.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <ketl/detail/idx.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = ::memfd_create("ketl_fuzz_idx", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != ssize_t(size))
    std::abort();
  // The rank is the file's own fourth byte when it has one, so both the
  // images (3) and the labels (1) layouts are reached.
  const std::size_t rank = size >= 4 ? std::size_t(data[3] % 4) : 1;
  try {
    const auto f = ketl::detail::read_idx_u8(path, rank);
    std::size_t n = 1;
    for (auto d : f.dims) n *= d;
    if (n != f.data.size()) std::abort();  // the reader's own promise
  } catch (const ketl::io_error&) {
  }
  return 0;
}
