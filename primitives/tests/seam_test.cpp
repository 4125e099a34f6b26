// The seam rule (DESIGN.md §2): only weave/sync.hpp may name std::atomic,
// std::thread, std::mutex, a futex or a clock. Every other header under
// primitives/weave goes through its policy S.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "weave/sync.hpp"

class seam_test : public CppUnit::TestFixture {
  CPPUNIT_TEST_SUITE(seam_test);
  CPPUNIT_TEST(only_sync_hpp_names_the_hardware);
  CPPUNIT_TEST(the_scan_catches_a_violation);
  CPPUNIT_TEST(handoff_tuner_follows_what_spins_bought);
  CPPUNIT_TEST_SUITE_END();

  // Returns the first forbidden name in text (comments stripped), or "".
  static std::string forbidden_name(std::string text) {
    text = std::regex_replace(text, std::regex(R"(//[^\n]*)"), "");
    static const std::regex bad(
        R"(std::(atomic\b|atomic_thread_fence|atomic_ref|thread\b|jthread|mutex|timed_mutex|recursive_mutex|condition_variable|chrono::(steady_clock|system_clock|high_resolution_clock))|\bSYS_futex\b|\bFUTEX_[A-Z_]+|<atomic>|<thread>|<mutex>|<condition_variable>|this_thread)");
    std::smatch m;
    return std::regex_search(text, m, bad) ? m.str() : std::string();
  }

 public:
  void only_sync_hpp_names_the_hardware() {
    const std::filesystem::path dir = std::filesystem::path(WEAVE_SOURCE_DIR) / "primitives" / "weave";
    int scanned = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.path().extension() != ".hpp" || entry.path().filename() == "sync.hpp") continue;
      std::ifstream in(entry.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string hit = forbidden_name(ss.str());
      CPPUNIT_ASSERT_MESSAGE(entry.path().string() + " names " + hit + " directly; go through the policy S",
                             hit.empty());
      ++scanned;
    }
    CPPUNIT_ASSERT(scanned >= 1);  // at least mutex.hpp
  }

  void the_scan_catches_a_violation() {
    CPPUNIT_ASSERT_EQUAL(std::string("std::atomic"), forbidden_name("std::atomic<int> x;"));
    CPPUNIT_ASSERT_EQUAL(std::string("SYS_futex"), forbidden_name("syscall(SYS_futex, p);"));
    CPPUNIT_ASSERT_EQUAL(std::string("std::chrono::steady_clock"),
                         forbidden_name("auto t = std::chrono::steady_clock::now();"));
    CPPUNIT_ASSERT_EQUAL(std::string(), forbidden_name("// std::atomic in a comment is fine\nint x;"));
    CPPUNIT_ASSERT_EQUAL(std::string(), forbidden_name("typename S::template atomic<int> a;"));
  }

  // The hand-off spin's budget (detail::handoff_tuner, T1..T3 in sync.hpp).
  void handoff_tuner_follows_what_spins_bought() {
    weave::detail::handoff_tuner t(1024);
    CPPUNIT_ASSERT_EQUAL(1024, t.next());
    t.spun(5, true);  // T1: answered quickly: keep spinning in full
    CPPUNIT_ASSERT_EQUAL(1024, t.next());
    int spins = 0;
    for (int b = t.next(); b > 16; b = t.next()) {  // T2: halves down to min
      t.spun(b, false);
      ++spins;
    }
    CPPUNIT_ASSERT_EQUAL(6, spins);  // 1024 -> 512 -> ... -> 16
    CPPUNIT_ASSERT_EQUAL(16, t.next());
    t.spun(16, false);                  // a miss at min
    CPPUNIT_ASSERT_EQUAL(1024, t.next());  // T3: the probe (every 2^0)
    t.spun(1024, false);                // unanswered: probe every 2nd miss now
    CPPUNIT_ASSERT_EQUAL(16, t.next());
    t.spun(16, false);
    CPPUNIT_ASSERT_EQUAL(16, t.next());
    t.spun(16, false);
    CPPUNIT_ASSERT_EQUAL(1024, t.next());
    t.spun(300, true);  // answered probe: budget twice what the answer took
    CPPUNIT_ASSERT_EQUAL(600, t.next());
    t.spun(400, true);  // T1: raised, never above max
    CPPUNIT_ASSERT_EQUAL(800, t.next());
    t.spun(1000, true);
    CPPUNIT_ASSERT_EQUAL(1024, t.next());
    for (int i = 0; i < 2000; ++i) t.spun(t.next(), false);  // a busy machine: the interval grows to 2^8
    int probes = 0;
    for (int i = 0; i < 4 * 257; ++i) {
      const int b = t.next();
      probes += b == 1024;
      t.spun(b, false);
    }
    CPPUNIT_ASSERT_EQUAL(4, probes);  // one full spin per 256 misses at min
  }
};

CPPUNIT_TEST_SUITE_REGISTRATION(seam_test);
