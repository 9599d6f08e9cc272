// policy/value.h
//
// Value is a Rego value: null, boolean, number, string, array, set or object (or Undefined, used only
// for unbound variables inside the evaluator). A number is an exact int64 or a double (see Double()).
// Composite values share their immutable contents, so a
// copy is a reference-count increment. Sets and objects are kept sorted in Rego's total order, which is
// also the order `sort` uses: null < boolean < number < string < array < object < set.
// Value type; immutable once built, so shared instances may be read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace baton::policy {

enum class ValueKind : uint8_t { kUndefined, kNull, kBool, kNumber, kString, kArray, kObject, kSet };

class Value;
using ValueVector = std::vector<Value>;
using ObjectEntries = std::vector<std::pair<Value, Value>>;

class Value {
 public:
  Value() = default;  // Undefined
  static Value Null();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  // Stored as an exact int64 when integral and in [-2^63, 2^63), so a number is an int64 or a
  // non-integral (or out of int64 range) double, never an integral double that an int could hold.
  static Value Double(double d);
  static Value String(std::string s);
  static Value Array(ValueVector items);
  // Sorts and removes duplicates.
  static Value Set(ValueVector items);
  // Sorts by key; a later duplicate key is dropped (callers check conflicts first).
  static Value Object(ObjectEntries entries);
  static Value FromJson(const nlohmann::json& j);

  ValueKind kind() const { return kind_; }
  bool defined() const { return kind_ != ValueKind::kUndefined; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  bool is_bool() const { return kind_ == ValueKind::kBool; }
  bool is_number() const { return kind_ == ValueKind::kNumber; }
  bool is_string() const { return kind_ == ValueKind::kString; }
  bool is_array() const { return kind_ == ValueKind::kArray; }
  bool is_object() const { return kind_ == ValueKind::kObject; }
  bool is_set() const { return kind_ == ValueKind::kSet; }
  bool is_false() const { return kind_ == ValueKind::kBool && !bool_; }

  bool boolean() const { return bool_; }
  bool is_int() const { return is_int_; }
  int64_t int_value() const { return int_; }
  // The number as a double: rounds an int beyond 2^53; exact code paths test is_int() first.
  double number() const { return is_int_ ? static_cast<double>(int_) : dbl_; }
  const std::string& str() const { return *static_cast<const std::string*>(ptr_.get()); }
  // Array and set elements.
  const ValueVector& items() const { return *static_cast<const ValueVector*>(ptr_.get()); }
  const ObjectEntries& entries() const { return *static_cast<const ObjectEntries*>(ptr_.get()); }
  // Number of elements (array, set, object) or characters (string); 0 otherwise.
  size_t size() const;

  // Object lookup; nullptr when absent.
  const Value* Get(const Value& key) const;
  const Value* Get(std::string_view key) const;
  // Array index / object key / set member lookup (Rego `x[k]`); nullptr when undefined.
  const Value* Index(const Value& key) const;
  bool SetContains(const Value& v) const;

  nlohmann::json ToJson() const;
  // Rego literal syntax, as OPA prints it in sprintf %v: ["a", 1], {"a": 1}, {"x"}.
  std::string ToRego() const;

 private:
  ValueKind kind_ = ValueKind::kUndefined;
  bool bool_ = false;
  bool is_int_ = false;
  int64_t int_ = 0;
  double dbl_ = 0;
  std::shared_ptr<const void> ptr_;
};

// Rego's total order; numbers compare by exact value (1 == 1.0, 2^53 + 1 > 2^53 as a double).
int Compare(const Value& a, const Value& b);
inline bool operator==(const Value& a, const Value& b) { return Compare(a, b) == 0; }
inline bool operator<(const Value& a, const Value& b) { return Compare(a, b) < 0; }
// Number text as OPA prints it: integers without a fraction, others in shortest form.
std::string FormatNumber(const Value& v);
// The JSON string literal of `s` (with quotes), as Go's %q / json.Marshal would print it.
std::string QuoteString(std::string_view s);
std::string_view KindName(ValueKind k);  // OPA type_name: "null", "boolean", "number", ...

}  // namespace baton::policy
