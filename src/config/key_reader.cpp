#include "config/key_reader.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "config/app.hpp"
#include "config/load.hpp"
#include "config/sockudo_keys.hpp"

namespace sockudo::config {

namespace json = boost::json;

namespace {

constexpr int64_t kMaxU32 = 4294967295LL;

// Levenshtein distance where swapping two neighbouring letters also costs 1 ("prot" -> "port").
size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                                d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// The closest key this server or Sockudo knows in the same section, for a likely typo.
std::optional<std::string> suggestion(const std::string& section, const std::string& name,
                                      const KeyTracker& tracker) {
    std::vector<std::string> candidates(tracker.asked_in(section).begin(),
                                        tracker.asked_in(section).end());
    const auto& sockudo_only = sockudo_only_keys_under(normalize_key_path(section));
    candidates.insert(candidates.end(), sockudo_only.begin(), sockudo_only.end());
    std::optional<std::string> best;
    size_t best_distance = 3;
    for (const auto& candidate : candidates) {
        // The distance is at least the difference in length; skip hopeless (and huge) names.
        const size_t gap = name.size() > candidate.size() ? name.size() - candidate.size()
                                                          : candidate.size() - name.size();
        if (gap >= best_distance) continue;
        const size_t d = edit_distance(name, candidate);
        if (d < best_distance && d * 3 <= candidate.size()) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

void collect_unused(const json::object& object, const std::string& path, const KeyTracker& tracker,
                    std::vector<std::string>& out) {
    for (const auto& [k, v] : object) {
        const std::string name(k);
        const std::string key = path.empty() ? name : path + "." + name;
        if (!tracker.used(key)) {
            if (sockudo_only_key(normalize_key_path(key))) {
                out.push_back("configuration key " + key +
                              " is not supported by this server (ignored)");
            } else if (auto hint = suggestion(path, name, tracker)) {
                out.push_back("unknown configuration key " + key + " (ignored; did you mean " +
                              (path.empty() ? *hint : path + "." + *hint) + "?)");
            } else {
                out.push_back("unknown configuration key " + key + " (ignored)");
            }
            continue;
        }
        if (tracker.whole(key)) continue;
        if (v.is_object()) collect_unused(v.get_object(), key, tracker, out);
        if (v.is_array()) {
            size_t i = 0;
            for (const auto& item : v.get_array()) {
                const std::string item_key = key + "[" + std::to_string(i++) + "]";
                if (item.is_object() && tracker.used(item_key))
                    collect_unused(item.get_object(), item_key, tracker, out);
            }
        }
    }
}

std::optional<int64_t> parse_integer_text(const std::string& s) {
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || errno != 0 ||
        std::isspace(static_cast<unsigned char>(s[0]))) {
        return std::nullopt;
    }
    return n;
}

}  // namespace

const std::set<std::string>& KeyTracker::asked_in(const std::string& section) const {
    static const std::set<std::string> none;
    auto it = asked_.find(section);
    return it == asked_.end() ? none : it->second;
}

std::string describe(const json::value& v) {
    std::string s = json::serialize(v);
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

int64_t json_integer(const json::value& v, const std::string& key) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
        return static_cast<int64_t>(v.get_uint64());
    if (v.is_double()) {
        const double d = v.get_double();
        // Range first: converting an out-of-range double to an integer is undefined.
        if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
            return static_cast<int64_t>(d);
        }
    }
    if (v.is_string()) {
        if (auto n = parse_integer_text(std::string(v.get_string()))) return *n;
    }
    throw ConfigError("invalid value for " + key + ": " + describe(v) + " (expected an integer)");
}

void Section::bad(const std::string& name, const json::value& v, const std::string& want) const {
    throw ConfigError("invalid value for " + key(name) + ": " + describe(v) + " (expected " + want +
                      ")");
}

bool Section::has(const char* name) const {
    auto it = object_->find(name);
    return it != object_->end() && !it->value().is_null();
}

const json::value* Section::find(const char* name, bool* was_null) {
    tracker_->asked(path_, name);
    auto it = object_->find(name);
    if (it == object_->end()) return nullptr;
    tracker_->mark(key(name));
    if (it->value().is_null()) {
        if (was_null != nullptr) *was_null = true;
        return nullptr;
    }
    return &it->value();
}

const json::value* Section::value(const char* name) {
    tracker_->mark_whole(key(name));
    return find(name);
}

bool Section::skip(const char* name) {
    auto it = object_->find(name);
    if (it == object_->end()) return false;
    tracker_->mark(key(name));
    return true;
}

void Section::read(const char* name, int64_t& out) {
    if (const json::value* v = find(name)) out = json_integer(*v, key(name));
}

void Section::read(const char* name, std::optional<int64_t>& out) {
    bool was_null = false;
    if (const json::value* v = find(name, &was_null)) out = json_integer(*v, key(name));
    if (was_null) out.reset();
}

void Section::read(const char* name, bool& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (v->is_bool()) {
        out = v->get_bool();
        return;
    }
    if (v->is_string()) {
        const std::string s(v->get_string());
        if (s == "true") {
            out = true;
            return;
        }
        if (s == "false") {
            out = false;
            return;
        }
    }
    bad(name, *v, "true or false");
}

void Section::read(const char* name, std::string& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    if (!v->is_string()) bad(name, *v, "a string");
    out = std::string(v->get_string());
}

void Section::read(const char* name, std::optional<std::string>& out) {
    bool was_null = false;
    const json::value* v = find(name, &was_null);
    if (was_null) out.reset();
    if (v == nullptr) return;
    if (!v->is_string()) bad(name, *v, "a string");
    out = std::string(v->get_string());
}

void Section::read_port(const char* name, uint16_t& out, bool allow_zero) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    const int64_t n = json_integer(*v, key(name));
    if (n < (allow_zero ? 0 : 1) || n > 65535)
        bad(name, *v, allow_zero ? "a port 0..65535" : "a port 1..65535");
    out = static_cast<uint16_t>(n);
}

void Section::read_list(const char* name, std::vector<std::string>& out) {
    const json::value* v = find(name);
    if (v == nullptr) return;
    out.clear();
    if (v->is_string()) {
        const std::string s(v->get_string());
        size_t start = 0;
        while (start <= s.size()) {
            size_t comma = s.find(',', start);
            if (comma == std::string::npos) comma = s.size();
            std::string item = s.substr(start, comma - start);
            const size_t b = item.find_first_not_of(" \t");
            const size_t e = item.find_last_not_of(" \t");
            if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
            start = comma + 1;
        }
        return;
    }
    if (!v->is_array()) bad(name, *v, "a list of strings");
    for (const auto& item : v->get_array()) {
        if (!item.is_string()) bad(name, *v, "a list of strings");
        out.emplace_back(item.get_string());
    }
}

void Section::read_limit(const char* name, std::optional<int64_t>& out) {
    bool was_null = false;
    const json::value* v = find(name, &was_null);
    if (was_null) out.reset();
    if (v == nullptr) return;
    const int64_t n = json_integer(*v, key(name));
    if (n > kMaxU32)
        bad(name, *v, "an integer up to 4294967295, or a negative number for unlimited");
    out = n < 0 ? AppLimits::kUnlimited : n;
}

std::optional<Section> Section::section(const char* name) {
    const json::value* v = find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_object()) bad(name, *v, "a table/object");
    return Section(v->get_object(), key(name), *tracker_);
}

std::vector<Section> Section::objects(const char* name) {
    std::vector<Section> out;
    const json::value* v = find(name);
    if (v == nullptr) return out;
    if (!v->is_array()) bad(name, *v, "a list");
    size_t i = 0;
    for (const auto& item : v->get_array()) {
        const std::string item_key = key(name) + "[" + std::to_string(i++) + "]";
        if (!item.is_object())
            throw ConfigError("invalid value for " + item_key + ": " + describe(item) +
                              " (expected an object)");
        tracker_->mark(item_key);
        out.emplace_back(item.get_object(), item_key, *tracker_);
    }
    return out;
}

std::vector<std::string> unused_key_warnings(const json::object& root, const KeyTracker& tracker) {
    std::vector<std::string> out;
    collect_unused(root, "", tracker, out);
    return out;
}

}  // namespace sockudo::config
