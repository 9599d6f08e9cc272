// policy/evaluator.h
//
// Evaluator runs one query against a CompiledPolicy with one input and one data document. It is a
// backtracking search: every term produces zero or more values and hands each to a continuation,
// so iteration (`xs[i]`, `some x in xs`) and unification fall out naturally. Rule values are cached
// for the lifetime of the Evaluator (flushed inside `with`). Runtime errors (conflicting rule
// values, recursion, unbound variables) stop the search and are reported by status(); built-in
// errors only make their expression undefined, as in OPA. One Evaluator per query; not thread-safe,
// but any number may run on the same CompiledPolicy concurrently.
#pragma once

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "base/status.h"
#include "policy/compiled_policy.h"
#include "policy/function_ref.h"
#include "policy/value.h"

namespace baton::policy {

class Evaluator {
 public:
  // `input` may be Undefined (no input document).
  Evaluator(const CompiledPolicy& policy, Value input, Value data);

  // The value of `data.<path>` (a rule, a package as an object, or base data); Undefined when
  // undefined. Check status() afterwards.
  Value EvalDataPath(const std::vector<std::string>& path);
  // The value of one rule set; Undefined when undefined.
  Value RuleValue(const RuleSet* rs);
  const Status& status() const { return error_; }

 private:
  using K = FunctionRef<bool()>;
  using ValueK = FunctionRef<bool(const Value&)>;
  // Local variable slots of one rule body; small frames live on the stack.
  class Frame {
   public:
    explicit Frame(size_t n = 0) : size_(n) {
      if (n > kInline) {
        heap_ = std::make_unique<Value[]>(n);
        data_ = heap_.get();
      } else {
        data_ = reinterpret_cast<Value*>(inline_);
        for (size_t i = 0; i < n; ++i) new (&data_[i]) Value();
      }
    }
    ~Frame() {
      if (!heap_) {
        for (size_t i = 0; i < size_; ++i) data_[i].~Value();
      }
    }
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;
    Value& operator[](size_t i) { return data_[i]; }
    const Value& operator[](size_t i) const { return data_[i]; }

   private:
    static constexpr size_t kInline = 16;
    alignas(Value) unsigned char inline_[kInline * sizeof(Value)];
    std::unique_ptr<Value[]> heap_;
    Value* data_;
    size_t size_;
  };
  struct MemoEntry {
    const RuleSet* fn;
    ValueVector args;
    Value result;  // Undefined when the call was undefined
  };

  struct CacheEntry {
    enum class State : uint8_t { kEmpty, kBusy, kDone } state = State::kEmpty;
    Value value;
  };
  // Everything a `with` modifier replaces.
  struct State {
    Value input;
    Value data;
    std::vector<std::pair<const RuleSet*, Value>> rule_overrides;
    std::vector<CacheEntry> cache;
    std::vector<MemoEntry> memo;  // function results by arguments
  };

  bool Fail(const std::string& message);

  // eval_rules.cc
  Value ComputeRule(const RuleSet* rs);
  bool CallFunction(const RuleSet* fn, const Value* args, size_t n, ValueK k);
  bool UnifyArgs(const Rule& r, const Value* args, size_t n, size_t i, Frame& f, K k);
  bool EvalBody(const Body& body, size_t i, Frame& f, K k);
  bool EvalExpr(const Expr& e, Frame& f, K k);
  bool EvalExprNoWith(const Expr& e, Frame& f, K k);
  bool Iterate(const Value& coll, FunctionRef<bool(const Value&, const Value&)> k);
  bool ApplyWith(const With& w, const Value& v);
  Value MergedValue(const PackageNode* node, const Value& base);

  // eval_terms.cc
  bool EvalTerm(const Term& t, Frame& f, ValueK k);
  bool EvalItems(const std::vector<Term>& items, size_t i, Frame& f, Value* out, K k);
  bool EvalRef(const Term& t, Frame& f, ValueK k);
  bool WalkPath(const Value& v, const Term& ref, size_t i, Frame& f, ValueK k);
  bool WalkData(const PackageNode* node, const Value& base, const Term& ref, size_t i, Frame& f,
                ValueK k);
  bool EvalCall(const Term& t, Frame& f, ValueK k);
  bool EvalCompr(const Term& t, Frame& f, ValueK k);
  bool IsPattern(const Term& t, const Frame& f) const;
  bool Unify(const Term& a, const Term& b, Frame& f, K k);
  bool UnifyValue(const Term& pattern, const Value& v, Frame& f, K k);
  bool UnifyItems(const Term& pattern, const Value& v, size_t i, Frame& f, K k);

  const CompiledPolicy& policy_;
  State state_;
  Status error_;
  int depth_ = 0;
};

}  // namespace baton::policy
