// policy/value.cc
#include "policy/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

namespace baton::policy {

Value Value::Null() {
  Value v;
  v.kind_ = ValueKind::kNull;
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.is_int_ = true;
  v.int_ = i;
  return v;
}

// 2^63 as a double: every double in [-2^63, 2^63) converts to int64 exactly when integral.
constexpr double kTwo63 = 9223372036854775808.0;

Value Value::Double(double d) {
  if (d >= -kTwo63 && d < kTwo63 && d == std::trunc(d)) return Int(static_cast<int64_t>(d));
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.dbl_ = d;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = ValueKind::kString;
  v.ptr_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::Array(ValueVector items) {
  Value v;
  v.kind_ = ValueKind::kArray;
  v.ptr_ = std::make_shared<const ValueVector>(std::move(items));
  return v;
}

Value Value::Set(ValueVector items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  Value v;
  v.kind_ = ValueKind::kSet;
  v.ptr_ = std::make_shared<const ValueVector>(std::move(items));
  return v;
}

Value Value::Object(ObjectEntries entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                entries.end());
  Value v;
  v.kind_ = ValueKind::kObject;
  v.ptr_ = std::make_shared<const ObjectEntries>(std::move(entries));
  return v;
}

Value Value::FromJson(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Null();
    case nlohmann::json::value_t::boolean:
      return Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Int(static_cast<int64_t>(u));
      }
      return Double(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Double(j.get<double>());
    case nlohmann::json::value_t::string:
      return String(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      ValueVector items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(FromJson(e));
      return Array(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      ObjectEntries entries;
      entries.reserve(j.size());
      // nlohmann's default object is a std::map: keys arrive sorted and unique.
      for (auto it = j.begin(); it != j.end(); ++it) {
        entries.emplace_back(String(it.key()), FromJson(it.value()));
      }
      Value v;
      v.kind_ = ValueKind::kObject;
      v.ptr_ = std::make_shared<const ObjectEntries>(std::move(entries));
      return v;
    }
    default:
      return Null();
  }
}

size_t Value::size() const {
  switch (kind_) {
    case ValueKind::kString: {
      size_t n = 0;  // UTF-8 code points
      for (unsigned char c : str()) n += (c & 0xC0) != 0x80;
      return n;
    }
    case ValueKind::kArray:
    case ValueKind::kSet:
      return items().size();
    case ValueKind::kObject:
      return entries().size();
    default:
      return 0;
  }
}

const Value* Value::Get(const Value& key) const {
  if (kind_ != ValueKind::kObject) return nullptr;
  const auto& e = entries();
  auto it = std::lower_bound(e.begin(), e.end(), key,
                             [](const auto& entry, const Value& k) { return entry.first < k; });
  if (it == e.end() || !(it->first == key)) return nullptr;
  return &it->second;
}

const Value* Value::Get(std::string_view key) const {
  if (kind_ != ValueKind::kObject) return nullptr;
  const auto& e = entries();
  // String keys sort after null/bool/number keys and before composite ones.
  auto it = std::lower_bound(e.begin(), e.end(), key, [](const auto& entry, std::string_view k) {
    if (entry.first.kind() != ValueKind::kString) return entry.first.kind() < ValueKind::kString;
    return std::string_view(entry.first.str()) < k;
  });
  if (it == e.end() || !it->first.is_string() || it->first.str() != key) return nullptr;
  return &it->second;
}

const Value* Value::Index(const Value& key) const {
  switch (kind_) {
    case ValueKind::kArray: {
      if (!key.is_number() || !key.is_int()) return nullptr;
      int64_t i = key.int_value();
      if (i < 0 || static_cast<size_t>(i) >= items().size()) return nullptr;
      return &items()[static_cast<size_t>(i)];
    }
    case ValueKind::kObject:
      return key.is_string() ? Get(std::string_view(key.str())) : Get(key);
    case ValueKind::kSet: {
      const auto& s = items();
      auto it = std::lower_bound(s.begin(), s.end(), key);
      if (it == s.end() || !(*it == key)) return nullptr;
      return &*it;
    }
    default:
      return nullptr;
  }
}

bool Value::SetContains(const Value& v) const { return kind_ == ValueKind::kSet && Index(v); }

nlohmann::json Value::ToJson() const {
  switch (kind_) {
    case ValueKind::kUndefined:
    case ValueKind::kNull:
      return nullptr;
    case ValueKind::kBool:
      return bool_;
    case ValueKind::kNumber:
      if (is_int_) return int_;
      return dbl_;
    case ValueKind::kString:
      return str();
    case ValueKind::kArray:
    case ValueKind::kSet: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : items()) a.push_back(e.ToJson());
      return a;
    }
    case ValueKind::kObject: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& [k, v] : entries()) {
        o[k.is_string() ? k.str() : k.ToJson().dump()] = v.ToJson();
      }
      return o;
    }
  }
  return nullptr;
}

std::string FormatNumber(const Value& v) {
  if (v.is_int()) return std::to_string(v.int_value());
  double d = v.number();
  char buf[64];
  // 15 significant digits hide binary noise (0.1 + 0.2 prints 0.3, as OPA's decimals do).
  std::snprintf(buf, sizeof buf, "%.15g", d);
  std::string s = buf;
  if (s.find('e') != std::string::npos) {
    std::snprintf(buf, sizeof buf, "%.17g", d);
    s = buf;
  }
  return s;
}

std::string QuoteString(std::string_view s) {
  // Invalid UTF-8 (impossible from parsed sources and JSON input, but cheap to guard) is replaced.
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Value::ToRego() const {
  switch (kind_) {
    case ValueKind::kUndefined:
      return "undefined";
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return bool_ ? "true" : "false";
    case ValueKind::kNumber:
      return FormatNumber(*this);
    case ValueKind::kString:
      return QuoteString(str());
    case ValueKind::kArray:
    case ValueKind::kSet: {
      if (kind_ == ValueKind::kSet && items().empty()) return "set()";
      std::string out = kind_ == ValueKind::kArray ? "[" : "{";
      bool first = true;
      for (const auto& e : items()) {
        if (!first) out += ", ";
        first = false;
        out += e.ToRego();
      }
      out += kind_ == ValueKind::kArray ? "]" : "}";
      return out;
    }
    case ValueKind::kObject: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : entries()) {
        if (!first) out += ", ";
        first = false;
        out += k.ToRego() + ": " + v.ToRego();
      }
      return out + "}";
    }
  }
  return "";
}

namespace {

// Exact: converting `i` to double could round it (2^53 + 1 would equal 2^53 + 0.0).
int CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return 1;  // NaN cannot be built from Rego; any fixed answer keeps the order total
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  double whole = std::trunc(d);
  auto t = static_cast<int64_t>(whole);  // exact: whole is integral and in int64 range
  if (i != t) return i < t ? -1 : 1;
  double frac = d - whole;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

}  // namespace

int Compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
  switch (a.kind()) {
    case ValueKind::kUndefined:
    case ValueKind::kNull:
      return 0;
    case ValueKind::kBool:
      return a.boolean() == b.boolean() ? 0 : (a.boolean() ? 1 : -1);
    case ValueKind::kNumber: {
      if (a.is_int() && b.is_int()) {
        return a.int_value() == b.int_value() ? 0 : (a.int_value() < b.int_value() ? -1 : 1);
      }
      if (a.is_int()) return CompareIntDouble(a.int_value(), b.number());
      if (b.is_int()) return -CompareIntDouble(b.int_value(), a.number());
      double x = a.number(), y = b.number();
      return x == y ? 0 : (x < y ? -1 : 1);
    }
    case ValueKind::kString:
      return a.str().compare(b.str()) < 0 ? -1 : (a.str() == b.str() ? 0 : 1);
    case ValueKind::kArray:
    case ValueKind::kSet: {
      const auto& x = a.items();
      const auto& y = b.items();
      if (&x == &y) return 0;
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        int c = Compare(x[i], y[i]);
        if (c != 0) return c;
      }
      return x.size() == y.size() ? 0 : (x.size() < y.size() ? -1 : 1);
    }
    case ValueKind::kObject: {
      const auto& x = a.entries();
      const auto& y = b.entries();
      if (&x == &y) return 0;
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        int c = Compare(x[i].first, y[i].first);
        if (c != 0) return c;
        c = Compare(x[i].second, y[i].second);
        if (c != 0) return c;
      }
      return x.size() == y.size() ? 0 : (x.size() < y.size() ? -1 : 1);
    }
  }
  return 0;
}

std::string_view KindName(ValueKind k) {
  switch (k) {
    case ValueKind::kNull: return "null";
    case ValueKind::kBool: return "boolean";
    case ValueKind::kNumber: return "number";
    case ValueKind::kString: return "string";
    case ValueKind::kArray: return "array";
    case ValueKind::kObject: return "object";
    case ValueKind::kSet: return "set";
    default: return "undefined";
  }
}

}  // namespace baton::policy
