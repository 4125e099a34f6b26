// A small JSON writer helper and reader, enough for the runner's result files
// (records.cpp): strings, numbers, booleans, null, arrays and objects.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weave::model::detail {

/// s as a JSON string literal, quotes included (RFC 8259 escaping; UTF-8 is
/// passed through, control characters become \u00XX).
std::string json_quote(std::string_view s);

/// One parsed JSON value. Numbers keep their text, so 64-bit counts survive.
struct json_value {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  std::string text;  // a number's digits or a string's value
  std::vector<json_value> items;  // an array's elements, or an object's member values
  std::vector<std::string> keys;  // an object's member names, keys[i] naming items[i]
                                  // (a vector of pair<string, json_value> would need json_value complete)

  /// The member named key, or nullptr (also when this is not an object).
  const json_value* find(std::string_view key) const;
};

/// Parses text as one JSON value; on malformed input returns false and says
/// where in error.
bool parse_json(std::string_view text, json_value& out, std::string& error);

}  // namespace weave::model::detail
