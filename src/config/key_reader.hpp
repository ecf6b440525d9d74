#pragma once
// Typed reads from a parsed config document that remember which keys were used, so that every
// key left over can be reported (unknown or unsupported) instead of silently ignored. Errors
// name the full key path and the offending value.

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sockudo::config {

class KeyTracker {
public:
    void mark(const std::string& path) { used_.insert(path); }
    bool used(const std::string& path) const { return used_.count(path) > 0; }

private:
    std::set<std::string> used_;
};

class Section {
public:
    Section(const boost::json::object& object, std::string path, KeyTracker& tracker)
        : object_(&object), path_(std::move(path)), tracker_(&tracker) {}

    const std::string& path() const { return path_; }
    std::string key(const std::string& name) const { return path_.empty() ? name : path_ + "." + name; }
    bool has(const char* name) const;

    // Each read leaves `out` untouched when the key is absent or null.
    void read(const char* name, int64_t& out);
    void read(const char* name, std::optional<int64_t>& out);
    void read(const char* name, bool& out);
    void read(const char* name, std::string& out);
    void read(const char* name, std::optional<std::string>& out);
    void read_port(const char* name, uint16_t& out);
    // A list of strings, also accepted as one comma-separated string.
    void read_list(const char* name, std::vector<std::string>& out);
    // Per-app limits: a negative value means unlimited (AppLimits::kUnlimited).
    void read_limit(const char* name, std::optional<int64_t>& out);

    std::optional<Section> section(const char* name);
    // The raw value (marked as used); nullptr when absent or null.
    const boost::json::value* value(const char* name);
    // Elements of an array of objects, each a Section named path[i].
    std::vector<Section> objects(const char* name);

    [[noreturn]] void bad(const std::string& name, const boost::json::value& v, const std::string& want) const;

private:
    const boost::json::value* find(const char* name);

    const boost::json::object* object_;
    std::string path_;
    KeyTracker* tracker_;
};

int64_t json_integer(const boost::json::value& v, const std::string& key);

// Keys present in `root` that no read used, as human-readable warnings.
std::vector<std::string> unused_key_warnings(const boost::json::object& root, const KeyTracker& tracker);

}  // namespace sockudo::config
