// --junit: the checks as JUnit XML, the format CI systems read test results
// in. One <testcase> per check; a verdict other than the declared one is a
// <failure> whose text is the counterexample (or why none was found).
#include <cstdio>
#include <fstream>

#include "results.hpp"

namespace weave::model::detail {
namespace {

// Text as XML 1.0 character data or attribute value: markup characters
// escaped, control characters XML cannot carry replaced by U+FFFD.
std::string xml_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': case '\n': case '\r': out += c; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += "\xEF\xBF\xBD";
        else out += c;
    }
  }
  return out;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string failure_text(const record& c) {
  if (c.r.found == verdict::pass)
    return "expected " + std::string(to_string(c.expected)) + " but every explored execution passed (" +
           (c.r.exhaustive ? "exhaustively" : "bounded") + ", " + std::to_string(c.r.executions) + " executions)\n";
  return c.r.report + "replay: weave_models --replay " + c.name + ":" + c.r.replay + "\n";
}

std::string testcase(const record& c) {
  std::string s = "    <testcase classname=\"weave_models\" name=\"" + xml_escape(c.name) + "\" time=\"" +
                  seconds(c.r.seconds) + "\">\n";
  if (!c.as_declared()) {
    s += "      <failure type=\"" + xml_escape(to_string(c.r.found)) + "\" message=\"expected " +
         xml_escape(to_string(c.expected)) + ", found " + xml_escape(to_string(c.r.found)) + "\">" +
         xml_escape(failure_text(c)) + "</failure>\n";
  } else if (c.r.found != verdict::pass) {
    s += "      <system-out>" + xml_escape(failure_text(c)) + "</system-out>\n";
  }
  if (c.r.saw_nothing)
    s += "      <system-err>this check made no visible step: nothing was checked</system-err>\n";
  return s + "    </testcase>\n";
}

}  // namespace

bool write_junit(const std::string& path, const std::vector<record>& checks) {
  int failures = 0;
  double total = 0;
  for (const record& c : checks) {
    failures += c.as_declared() ? 0 : 1;
    total += c.r.seconds;
  }
  const std::string counts = "tests=\"" + std::to_string(checks.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\" time=\"" + seconds(total) + "\"";
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites " + counts + ">\n";
  s += "  <testsuite name=\"weave_models\" " + counts + ">\n";
  for (const record& c : checks) s += testcase(c);
  s += "  </testsuite>\n</testsuites>\n";
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << s;
  f.close();
  return static_cast<bool>(f);
}

}  // namespace weave::model::detail
