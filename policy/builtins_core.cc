// policy/builtins_core.cc: operators, aggregates, numbers, types and collections.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "base/json_parse.h"
#include "policy/builtins.h"

namespace baton::policy {
namespace {

using A = BuiltinArgs;

bool Cmp(const A& a, Value* out, bool (*pred)(int)) {
  *out = Value::Bool(pred(Compare(a.args[0], a.args[1])));
  return true;
}
bool Equal(const A& a, Value* o) { return Cmp(a, o, [](int c) { return c == 0; }); }
bool Neq(const A& a, Value* o) { return Cmp(a, o, [](int c) { return c != 0; }); }
bool Lt(const A& a, Value* o) { return Cmp(a, o, [](int c) { return c < 0; }); }
bool Lte(const A& a, Value* o) { return Cmp(a, o, [](int c) { return c <= 0; }); }
bool Gt(const A& a, Value* o) { return Cmp(a, o, [](int c) { return c > 0; }); }
bool Gte(const A& a, Value* o) { return Cmp(a, o, [](int c) { return c >= 0; }); }

bool Nums(const A& a) { return a.args[0].is_number() && a.args[1].is_number(); }

Value SetOp(const Value& x, const Value& y, int op) {  // 0 union, 1 intersection, 2 difference
  ValueVector out;
  if (op == 0) {
    out = x.items();
    out.insert(out.end(), y.items().begin(), y.items().end());
  } else {
    for (const auto& e : x.items()) {
      if (y.SetContains(e) == (op == 1)) out.push_back(e);
    }
  }
  return Value::Set(std::move(out));
}

// Integer arithmetic stays exact in int64; a result beyond it (which OPA keeps as a big number)
// becomes the nearest double, still ordered exactly against every int64.
using ExactOp = bool (*)(int64_t, int64_t, int64_t*);  // true on int64 overflow
using DoubleOp = double (*)(double, double);

// `op` of two numbers, exact when both are ints and the result fits int64.
Value Apply(const Value& x, const Value& y, ExactOp exact, DoubleOp dbl) {
  if (!x.is_int() || !y.is_int()) return Value::Double(dbl(x.number(), y.number()));
  int64_t r;
  if (!exact(x.int_value(), y.int_value(), &r)) return Value::Int(r);
  double d = dbl(x.number(), y.number());
  // An overflow below -2^63 can round onto -2^63 itself: keep it outside the int64 range.
  return Value::Double(d == -9223372036854775808.0 ? std::nextafter(d, -HUGE_VAL) : d);
}
// A non-finite result (1e308 * 10) is an error, as in OPA: NaN would also break the total order.
bool Finite(const Value& v) { return !v.is_number() || v.is_int() || std::isfinite(v.number()); }
bool Arith(const A& a, Value* o, ExactOp exact, DoubleOp dbl) {
  if (!Nums(a)) return false;
  *o = Apply(a.args[0], a.args[1], exact, dbl);
  return Finite(*o);
}
bool AddOverflows(int64_t x, int64_t y, int64_t* r) { return __builtin_add_overflow(x, y, r); }
bool SubOverflows(int64_t x, int64_t y, int64_t* r) { return __builtin_sub_overflow(x, y, r); }
bool MulOverflows(int64_t x, int64_t y, int64_t* r) { return __builtin_mul_overflow(x, y, r); }

bool Plus(const A& a, Value* o) {
  return Arith(a, o, AddOverflows, [](double x, double y) { return x + y; });
}
bool Minus(const A& a, Value* o) {
  if (a.args[0].is_set() && a.args[1].is_set()) {
    *o = SetOp(a.args[0], a.args[1], 2);
    return true;
  }
  return Arith(a, o, SubOverflows, [](double x, double y) { return x - y; });
}
bool Mul(const A& a, Value* o) {
  return Arith(a, o, MulOverflows, [](double x, double y) { return x * y; });
}

// x / y of two ints that do not divide: the nearest double, except that a quotient which rounds
// onto an integer is moved one step back towards its true value, so below 2^53 it still compares (and
// floors) correctly against integers: 1704473999999999999 / 1000000000 < 1704474000, as in OPA.
double IntQuotient(int64_t x, int64_t y) {
  double d = static_cast<double>(static_cast<long double>(x) / static_cast<long double>(y));
  if (d != std::trunc(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return d;
  auto t = static_cast<int64_t>(d);
  // x / y = q + r / y exactly (C++ truncates); r != 0 here.
  int64_t q = x / y, r = x % y;
  bool above = q > t || (q == t && (r > 0) == (y > 0));
  return std::nextafter(d, above ? HUGE_VAL : -HUGE_VAL);
}
bool Div(const A& a, Value* o) {
  if (!Nums(a)) return false;
  const Value &x = a.args[0], &y = a.args[1];
  if (y.is_int() ? y.int_value() == 0 : y.number() == 0) return false;
  if (x.is_int() && y.is_int()) {
    int64_t n = x.int_value(), d = y.int_value();
    if (d == -1 && n == INT64_MIN) {
      *o = Value::Double(-static_cast<double>(n));
    } else if (n % d == 0) {
      *o = Value::Int(n / d);  // 4 / 2 is the integer 2, as in OPA
    } else {
      *o = Value::Double(IntQuotient(n, d));
    }
    return true;
  }
  *o = Value::Double(x.number() / y.number());
  return Finite(*o);
}
bool Rem(const A& a, Value* o) {
  if (!Nums(a) || !a.args[0].is_int() || !a.args[1].is_int() || a.args[1].int_value() == 0) {
    return false;
  }
  int64_t d = a.args[1].int_value();
  *o = Value::Int(d == -1 ? 0 : a.args[0].int_value() % d);  // INT64_MIN % -1 traps in C++
  return true;
}
bool And(const A& a, Value* o) {
  if (!a.args[0].is_set() || !a.args[1].is_set()) return false;
  *o = SetOp(a.args[0], a.args[1], 1);
  return true;
}
bool Or(const A& a, Value* o) {
  if (!a.args[0].is_set() || !a.args[1].is_set()) return false;
  *o = SetOp(a.args[0], a.args[1], 0);
  return true;
}

bool Member(const A& a, Value* o) {
  const Value &x = a.args[0], &c = a.args[1];
  bool found = false;
  if (c.is_set()) {
    found = c.SetContains(x);
  } else if (c.is_array()) {
    for (const auto& e : c.items()) found = found || e == x;
  } else if (c.is_object()) {
    for (const auto& [k, v] : c.entries()) found = found || v == x;
  }
  *o = Value::Bool(found);
  return true;
}

bool Count(const A& a, Value* o) {
  const Value& x = a.args[0];
  if (!x.is_string() && !x.is_array() && !x.is_set() && !x.is_object()) return false;
  *o = Value::Int(static_cast<int64_t>(x.size()));
  return true;
}

bool NumberItems(const Value& x) {
  if (!x.is_array() && !x.is_set()) return false;
  for (const auto& e : x.items()) {
    if (!e.is_number()) return false;
  }
  return true;
}
// Folds with exact int64 steps while every operand and partial result is an int64.
bool Fold(const A& a, Value* o, int64_t unit, ExactOp exact, DoubleOp dbl) {
  if (!NumberItems(a.args[0])) return false;
  Value acc = Value::Int(unit);
  for (const auto& e : a.args[0].items()) acc = Apply(acc, e, exact, dbl);
  *o = acc;
  return Finite(acc);
}
bool Sum(const A& a, Value* o) {
  return Fold(a, o, 0, AddOverflows, [](double x, double y) { return x + y; });
}
bool Product(const A& a, Value* o) {
  return Fold(a, o, 1, MulOverflows, [](double x, double y) { return x * y; });
}
bool MaxMin(const A& a, Value* o, bool max) {
  const Value& x = a.args[0];
  if (!x.is_array() && !x.is_set()) return false;
  if (x.items().empty()) return false;
  const Value* best = &x.items()[0];
  for (const auto& e : x.items()) {
    if (max ? *best < e : e < *best) best = &e;
  }
  *o = *best;
  return true;
}
bool Max(const A& a, Value* o) { return MaxMin(a, o, true); }
bool Min(const A& a, Value* o) { return MaxMin(a, o, false); }
bool Sort(const A& a, Value* o) {
  const Value& x = a.args[0];
  if (!x.is_array() && !x.is_set()) return false;
  ValueVector v = x.items();
  std::stable_sort(v.begin(), v.end());
  *o = Value::Array(std::move(v));
  return true;
}

// An int64 argument is already integral: round/ceil/floor return it unchanged (exact).
bool NumFn(const A& a, Value* o, double (*fn)(double)) {
  const Value& x = a.args[0];
  if (!x.is_number()) return false;
  *o = x.is_int() ? x : Value::Double(fn(x.number()));
  return true;
}
bool Abs(const A& a, Value* o) {
  const Value& x = a.args[0];
  if (!x.is_number()) return false;
  if (!x.is_int()) {
    *o = Value::Double(std::fabs(x.number()));
  } else if (x.int_value() == INT64_MIN) {
    *o = Value::Double(-static_cast<double>(INT64_MIN));
  } else {
    *o = Value::Int(x.int_value() < 0 ? -x.int_value() : x.int_value());
  }
  return true;
}
bool Round(const A& a, Value* o) { return NumFn(a, o, [](double d) { return std::round(d); }); }
bool Ceil(const A& a, Value* o) { return NumFn(a, o, [](double d) { return std::ceil(d); }); }
bool Floor(const A& a, Value* o) { return NumFn(a, o, [](double d) { return std::floor(d); }); }

bool ToNumber(const A& a, Value* o) {
  const Value& x = a.args[0];
  if (x.is_number()) {
    *o = x;
  } else if (x.is_null()) {
    *o = Value::Int(0);
  } else if (x.is_bool()) {
    *o = Value::Int(x.boolean() ? 1 : 0);
  } else if (x.is_string()) {
    nlohmann::json j = ParseJsonOrDiscarded(x.str());
    if (j.is_discarded() || !j.is_number()) return false;
    *o = Value::FromJson(j);
  } else {
    return false;
  }
  return true;
}

template <ValueKind K>
bool IsKind(const A& a, Value* o) {
  *o = Value::Bool(a.args[0].kind() == K);
  return true;
}
bool TypeName(const A& a, Value* o) {
  *o = Value::String(std::string(KindName(a.args[0].kind())));
  return true;
}

bool ObjectGet(const A& a, Value* o) {
  const Value &obj = a.args[0], &key = a.args[1], &def = a.args[2];
  if (!obj.is_object()) return false;
  if (const Value* v = obj.Get(key)) {
    *o = *v;
    return true;
  }
  if (key.is_array()) {
    const Value* cur = &obj;
    for (const auto& k : key.items()) {
      cur = cur->Index(k);
      if (!cur) break;
    }
    *o = cur ? *cur : def;
    return true;
  }
  *o = def;
  return true;
}
bool ObjectKeys(const A& a, Value* o) {
  if (!a.args[0].is_object()) return false;
  ValueVector keys;
  for (const auto& [k, v] : a.args[0].entries()) keys.push_back(k);
  *o = Value::Set(std::move(keys));
  return true;
}
bool ObjectRemove(const A& a, Value* o) {
  const Value &obj = a.args[0], &keys = a.args[1];
  if (!obj.is_object()) return false;
  ValueVector drop;
  if (keys.is_array() || keys.is_set()) {
    drop = keys.items();
  } else if (keys.is_object()) {
    for (const auto& [k, v] : keys.entries()) drop.push_back(k);
  } else {
    return false;
  }
  Value ds = Value::Set(std::move(drop));
  ObjectEntries out;
  for (const auto& e : obj.entries()) {
    if (!ds.SetContains(e.first)) out.push_back(e);
  }
  *o = Value::Object(std::move(out));
  return true;
}
bool ArrayConcat(const A& a, Value* o) {
  if (!a.args[0].is_array() || !a.args[1].is_array()) return false;
  ValueVector v = a.args[0].items();
  v.insert(v.end(), a.args[1].items().begin(), a.args[1].items().end());
  *o = Value::Array(std::move(v));
  return true;
}
bool ArraySlice(const A& a, Value* o) {
  const Value& arr = a.args[0];
  if (!arr.is_array() || !a.args[1].is_int() || !a.args[2].is_int()) return false;
  int64_t n = static_cast<int64_t>(arr.items().size());
  int64_t s = std::clamp<int64_t>(a.args[1].int_value(), 0, n);
  int64_t e = std::clamp<int64_t>(a.args[2].int_value(), s, n);
  *o = Value::Array(ValueVector(arr.items().begin() + s, arr.items().begin() + e));
  return true;
}
bool Union(const A& a, Value* o) {
  if (!a.args[0].is_set()) return false;
  ValueVector out;
  for (const auto& s : a.args[0].items()) {
    if (!s.is_set()) return false;
    out.insert(out.end(), s.items().begin(), s.items().end());
  }
  *o = Value::Set(std::move(out));
  return true;
}
bool Intersection(const A& a, Value* o) {
  if (!a.args[0].is_set()) return false;
  const auto& sets = a.args[0].items();
  if (sets.empty()) {
    *o = Value::Set({});
    return true;
  }
  Value acc = sets[0];
  for (const auto& s : sets) {
    if (!s.is_set()) return false;
    acc = SetOp(acc, s, 1);
  }
  *o = acc;
  return true;
}
bool NumbersRange(const A& a, Value* o) {
  if (!a.args[0].is_int() || !a.args[1].is_int()) return false;
  int64_t x = a.args[0].int_value(), y = a.args[1].int_value();
  int64_t span;
  if (__builtin_sub_overflow(y, x, &span) || span > 1000000 || span < -1000000) return false;
  ValueVector v;
  for (int64_t i = x; x <= y ? i <= y : i >= y; i += x <= y ? 1 : -1) v.push_back(Value::Int(i));
  *o = Value::Array(std::move(v));
  return true;
}
bool JsonMarshal(const A& a, Value* o) {
  *o = Value::String(
      a.args[0].ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return true;
}
// Integers in the text keep their int64 exactness (nlohmann parses them as integers).
bool JsonUnmarshal(const A& a, Value* o) {
  if (!a.args[0].is_string()) return false;
  nlohmann::json j = ParseJsonOrDiscarded(a.args[0].str());
  if (j.is_discarded()) return false;
  *o = Value::FromJson(j);
  return true;
}

const Builtin kCore[] = {
    {"equal", 2, Equal},
    {"neq", 2, Neq},
    {"lt", 2, Lt},
    {"lte", 2, Lte},
    {"gt", 2, Gt},
    {"gte", 2, Gte},
    {"plus", 2, Plus},
    {"minus", 2, Minus},
    {"mul", 2, Mul},
    {"div", 2, Div},
    {"rem", 2, Rem},
    {"and", 2, And},
    {"or", 2, Or},
    {"internal.member_2", 2, Member},
    {"count", 1, Count},
    {"sum", 1, Sum},
    {"product", 1, Product},
    {"max", 1, Max},
    {"min", 1, Min},
    {"sort", 1, Sort},
    {"abs", 1, Abs},
    {"round", 1, Round},
    {"ceil", 1, Ceil},
    {"floor", 1, Floor},
    {"to_number", 1, ToNumber},
    {"is_string", 1, IsKind<ValueKind::kString>},
    {"is_number", 1, IsKind<ValueKind::kNumber>},
    {"is_boolean", 1, IsKind<ValueKind::kBool>},
    {"is_array", 1, IsKind<ValueKind::kArray>},
    {"is_set", 1, IsKind<ValueKind::kSet>},
    {"is_object", 1, IsKind<ValueKind::kObject>},
    {"is_null", 1, IsKind<ValueKind::kNull>},
    {"type_name", 1, TypeName},
    {"object.get", 3, ObjectGet},
    {"object.keys", 1, ObjectKeys},
    {"object.remove", 2, ObjectRemove},
    {"array.concat", 2, ArrayConcat},
    {"array.slice", 3, ArraySlice},
    {"union", 1, Union},
    {"intersection", 1, Intersection},
    {"numbers.range", 2, NumbersRange},
    {"json.marshal", 1, JsonMarshal},
    {"json.unmarshal", 1, JsonUnmarshal},
};

}  // namespace

BuiltinTable CoreBuiltins() { return {kCore, sizeof(kCore) / sizeof(kCore[0])}; }

}  // namespace baton::policy
