#pragma once
// Typed reads from a parsed config document that remember which keys were used, so that every
// key left over can be reported (unknown or unsupported) instead of silently ignored. Errors
// name the full key path and the offending value.

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sockudo::config {

// What one pass over a document consumed, the names each section looked for (for "did you
// mean" hints) and findings worth a warning that are not about unread keys.
class KeyTracker {
public:
    void mark(const std::string& path) { used_.insert(path); }
    bool used(const std::string& path) const { return used_.count(path) > 0; }
    // A value read as a whole (header maps): its children are data, not keys.
    void mark_whole(const std::string& path) { whole_.insert(path); }
    bool whole(const std::string& path) const { return whole_.count(path) > 0; }
    void asked(const std::string& section, const std::string& name) {
        asked_[section].insert(name);
    }
    const std::set<std::string>& asked_in(const std::string& section) const;
    void warn(std::string message) { warnings_.push_back(std::move(message)); }
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    std::set<std::string> used_;
    std::set<std::string> whole_;
    std::map<std::string, std::set<std::string>> asked_;
    std::vector<std::string> warnings_;
};

class Section {
public:
    Section(const boost::json::object& object, std::string path, KeyTracker& tracker)
        : object_(&object), path_(std::move(path)), tracker_(&tracker) {}

    const std::string& path() const { return path_; }
    std::string key(const std::string& name) const {
        return path_.empty() ? name : path_ + "." + name;
    }
    bool has(const char* name) const;
    KeyTracker& tracker() const { return *tracker_; }

    // Each read leaves `out` untouched when the key is absent. An explicit null leaves plain
    // values untouched and resets optional ones (Sockudo's Option<...> fields read null as None).
    void read(const char* name, int64_t& out);
    void read(const char* name, std::optional<int64_t>& out);
    void read(const char* name, bool& out);
    void read(const char* name, std::string& out);
    void read(const char* name, std::optional<std::string>& out);
    // A TCP port; `allow_zero` for listeners, where 0 asks the kernel for a free port.
    void read_port(const char* name, uint16_t& out, bool allow_zero);
    // A list of strings, also accepted as one comma-separated string.
    void read_list(const char* name, std::vector<std::string>& out);
    // Per-app limits: a number or numeric string up to 2^32-1 (Sockudo's u32); a negative value
    // means unlimited (AppLimits::kUnlimited).
    void read_limit(const char* name, std::optional<int64_t>& out);

    std::optional<Section> section(const char* name);
    // The raw value, consumed whole (its children are not keys); nullptr when absent or null.
    const boost::json::value* value(const char* name);
    // Marks a present key as handled without reading it; true when it was present.
    bool skip(const char* name);
    // Elements of an array of objects, each a Section named path[i].
    std::vector<Section> objects(const char* name);

    [[noreturn]] void bad(const std::string& name, const boost::json::value& v,
                          const std::string& want) const;

private:
    const boost::json::value* find(const char* name, bool* was_null = nullptr);

    const boost::json::object* object_;
    std::string path_;
    KeyTracker* tracker_;
};

// A JSON number or numeric string as an integer; throws ConfigError naming `key` otherwise.
int64_t json_integer(const boost::json::value& v, const std::string& key);
// A value shortened for error messages.
std::string describe(const boost::json::value& v);

// Keys present in `root` that no read used, as human-readable warnings.
std::vector<std::string> unused_key_warnings(const boost::json::object& root,
                                             const KeyTracker& tracker);

}  // namespace sockudo::config
