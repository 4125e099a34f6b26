// libFuzzer target: the pipe's reader over arbitrary shared-region contents.
// The input is the region as a hostile peer process could leave it (header,
// indices, state words, length fields and ring bytes). attach() must either
// reject it with weave::pipe_error or give ends whose non-blocking receives
// and polls return a status or throw pipe_error, never touching memory outside
// the region (AddressSanitizer, which -fsanitize=fuzzer,address adds, checks).
//
// Build (clang):  clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined \
//                   -I primitives fuzz/pipe_reader_fuzz.cpp -o pipe_reader_fuzz
// Short run:      ./pipe_reader_fuzz -max_total_time=20 fuzz/corpus
// (fuzz/CMakeLists.txt wires both: see there.)
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "weave/pipe.hpp"

namespace {

using weave::pipe_end;

// The region is a copy of the input in fresh aligned memory exactly as large
// as the input (so ASan flags any access past it), with one twist: when the
// input starts with a byte below 128 it is laid over a valid pipe header, so
// the fuzzer also reaches the deep paths (records, wrap-around, lengths).
void one_region(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const bool overlay = data[0] < 128;
  const weave::pipe_options o{.duplex = (data[0] & 1) != 0, .capacity = 64, .max_message = 40};
  const std::size_t valid = pipe_end::region_size(o);
  std::size_t region = overlay ? std::max(valid, size - 1) : size - 1;
  if (region == 0) return;
  region = (region + 63) / 64 * 64;  // aligned_alloc wants a multiple of the alignment
  auto* base = static_cast<unsigned char*>(std::aligned_alloc(64, region));
  std::memset(base, 0, region);
  if (overlay) {
    auto ends = pipe_end::create_in(base, region, o, nullptr);
    (void)ends;  // handles dropped: close() marks the words, which the input then overwrites
    // Keep magic/version/geometry (first 20 bytes) unless the input is long
    // enough to reach past them: then the fuzzer controls the rest.
    const std::size_t skip = std::min<std::size_t>(20, region);
    std::memcpy(base + skip, data + 1, std::min(size - 1, region - skip));
  } else {
    std::memcpy(base, data + 1, size - 1);
  }
  for (int end = 0; end < 2; ++end) {
    try {
      pipe_end e = pipe_end::attach(base, region, end);
      std::byte buf[48];
      std::vector<std::byte> out;
      for (int i = 0; i < 8 && e.readable(); ++i) {
        (void)e.poll();
        const auto r = (i % 2 == 0) ? e.recv_into_for(std::span<std::byte>(buf), std::chrono::seconds(0))
                                    : e.recv_for(out, std::chrono::seconds(0));
        if (r.status != weave::pipe_status::ok && r.status != weave::pipe_status::too_small) break;
      }
      if (e.writable()) (void)e.send_for(std::span<const std::byte>(buf, 8), std::chrono::seconds(0));
      // e's destructor closes only if this process used it; either way, in bounds.
    } catch (const weave::pipe_error&) {
      // rejected: the contract for a corrupted region
    } catch (const weave::usage_error&) {
      // e.g. a send refused because the (hostile) geometry makes 8 bytes too large
    }
  }
  std::free(base);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  one_region(data, size);
  return 0;
}
