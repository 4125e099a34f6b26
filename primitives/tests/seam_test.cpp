// The seam rule (DESIGN.md §2): only weave/sync.hpp may name std::atomic,
// std::thread, std::mutex, a futex or a clock. Every other header under
// primitives/weave goes through its policy S. Also the seam's deadline
// conversion (to_deadline, deadline_after): exact where a value fits,
// saturating where it does not.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <cmath>
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
  CPPUNIT_TEST(deadlines_are_exact_where_they_fit_and_saturate_elsewhere);
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
  void deadlines_are_exact_where_they_fit_and_saturate_elsewhere() {
    using namespace std::chrono;
    using S = weave::real_sync;
    using weave::deadline_after;
    using weave::to_deadline;
    // Exact where the value fits; a finer tick is rounded up, never down.
    const auto now = steady_clock::now();
    CPPUNIT_ASSERT(to_deadline<S>(now + nanoseconds(12345)) == now + nanoseconds(12345));
    CPPUNIT_ASSERT(to_deadline<S>(time_point<steady_clock, seconds>(seconds(1000))).time_since_epoch() == seconds(1000));
    using pico = duration<long long, std::pico>;
    CPPUNIT_ASSERT(to_deadline<S>(time_point<steady_clock, pico>(pico(1001))).time_since_epoch() == nanoseconds(2));
    // Saturating at both ends, on the policy's clock and on another one.
    CPPUNIT_ASSERT(to_deadline<S>(time_point<steady_clock, seconds>::max()) == S::forever);
    CPPUNIT_ASSERT(to_deadline<S>(time_point<steady_clock, hours>::max()) == S::forever);
    CPPUNIT_ASSERT(to_deadline<S>(time_point<system_clock, hours>::max()) == S::forever);
    CPPUNIT_ASSERT(to_deadline<S>(time_point<steady_clock, seconds>::min()) < now);
    CPPUNIT_ASSERT(to_deadline<S>(time_point<system_clock, hours>::min()) < now);
    CPPUNIT_ASSERT(to_deadline<S>(system_clock::time_point::min()) < now);
    CPPUNIT_ASSERT(to_deadline<S>(time_point<steady_clock, duration<double>>(duration<double>(NAN))) < now);
    // Another clock's deadline lands where its distance from now says (give
    // or take a second: the system clock may be stepped meanwhile).
    const auto hour_deadline = to_deadline<S>(system_clock::now() + hours(1));
    const auto in_an_hour = hour_deadline - steady_clock::now();
    CPPUNIT_ASSERT(in_an_hour > minutes(59) && in_an_hour < hours(1) + seconds(1));
    // Relative timeouts.
    CPPUNIT_ASSERT(deadline_after<S>(hours::max()) == S::forever);
    CPPUNIT_ASSERT(deadline_after<S>(duration<double>(INFINITY)) == S::forever);
    const auto long_ago = deadline_after<S>(hours::min());
    const auto just_now = deadline_after<S>(seconds(0));
    CPPUNIT_ASSERT(long_ago < just_now && just_now <= steady_clock::now());
    const auto minute_deadline = deadline_after<S>(minutes(1));
    const auto in_a_minute = minute_deadline - steady_clock::now();
    CPPUNIT_ASSERT(in_a_minute > seconds(59) && in_a_minute <= minutes(1));
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
    t.spun(300, false);  // T2 and T1 balance: one miss, one answer
    CPPUNIT_ASSERT_EQUAL(300, t.next());
    t.spun(10, true);  // T1: doubled
    CPPUNIT_ASSERT_EQUAL(600, t.next());
    t.spun(10, true);  // never above max
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
