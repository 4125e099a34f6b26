// JSON: string quoting for the writers and a recursive-descent reader
// (RFC 8259) for the runner's own result files.
#include "json.hpp"

#include <cstdio>

namespace weave::model::detail {

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

const json_value* json_value::find(std::string_view key) const {
  if (type != kind::object) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == key) return &items[i];
  return nullptr;
}

namespace {

void put_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class reader {
 public:
  explicit reader(std::string_view t) : t_(t) {}

  bool document(json_value& v, std::string& error) {
    bool ok = value(v, 0);
    skip();
    ok = ok && p_ == t_.size();
    if (!ok) error = "malformed JSON near byte " + std::to_string(p_);
    return ok;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void skip() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t')) ++p_;
  }
  bool eat(char c) {
    skip();
    if (p_ < t_.size() && t_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (t_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }

  bool value(json_value& v, int depth) {
    if (depth > kMaxDepth) return false;
    skip();
    if (p_ >= t_.size()) return false;
    const char c = t_[p_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') {
      v.type = json_value::kind::string;
      return string(v.text);
    }
    if (c == 't' || c == 'f') {
      v.type = json_value::kind::boolean;
      v.boolean = c == 't';
      return word(v.boolean ? "true" : "false");
    }
    if (c == 'n') return word("null");
    return number(v);
  }

  bool object(json_value& v, int depth) {
    v.type = json_value::kind::object;
    ++p_;
    if (eat('}')) return true;
    do {
      std::string key;
      json_value member;
      if (!eat('"')) return false;
      --p_;
      if (!string(key) || !eat(':') || !value(member, depth + 1)) return false;
      v.keys.push_back(std::move(key));
      v.items.push_back(std::move(member));
    } while (eat(','));
    return eat('}');
  }

  bool array(json_value& v, int depth) {
    v.type = json_value::kind::array;
    ++p_;
    if (eat(']')) return true;
    do {
      json_value item;
      if (!value(item, depth + 1)) return false;
      v.items.push_back(std::move(item));
    } while (eat(','));
    return eat(']');
  }

  bool number(json_value& v) {
    v.type = json_value::kind::number;
    const std::size_t start = p_;
    if (p_ < t_.size() && t_[p_] == '-') ++p_;
    const std::size_t digits = p_;
    while (p_ < t_.size() && std::string_view("0123456789.eE+-").find(t_[p_]) != std::string_view::npos) ++p_;
    v.text = std::string(t_.substr(start, p_ - start));
    return p_ > digits;
  }

  bool hex4(unsigned& cp) {
    if (p_ + 4 > t_.size()) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = t_[p_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
      else return false;
    }
    return true;
  }

  bool escape(std::string& out) {
    const char e = t_[p_++];
    switch (e) {
      case '"': case '\\': case '/': out += e; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'u': break;
      default: return false;
    }
    unsigned cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
      unsigned low = 0;
      if (!word("\\u") || !hex4(low) || low < 0xDC00 || low >= 0xE000) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(out, cp);
    return true;
  }

  bool string(std::string& out) {
    ++p_;  // the opening quote
    while (p_ < t_.size()) {
      const char c = t_[p_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out += c;
      } else if (p_ >= t_.size() || !escape(out)) {
        return false;
      }
    }
    return false;
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

}  // namespace

bool parse_json(std::string_view text, json_value& out, std::string& error) {
  out = json_value{};
  return reader(text).document(out, error);
}

}  // namespace weave::model::detail
