#include "config/redis_url.hpp"

#include <boost/url.hpp>
#include <charconv>

namespace sockudo::config {

namespace urls = boost::urls;

std::string redis_url(const Options& options) {
    const DatabaseOptions& d = options.database;
    if (d.redis_url_override && !d.redis_url_override->empty()) return *d.redis_url_override;
    std::string host = d.redis_host;
    bool tls = false;
    // Sockudo accepts "rediss://host" in database.redis.host to ask for TLS.
    if (host.rfind("rediss://", 0) == 0) {
        tls = true;
        host = host.substr(9);
    }
    urls::url u;
    u.set_scheme(tls ? "rediss" : "redis");
    if (d.redis_username || d.redis_password) {
        u.set_user(d.redis_username.value_or(""));
        if (d.redis_password) u.set_password(*d.redis_password);
    }
    // An IPv6 literal is bracketed in a URL.
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    u.set_host(host);
    u.set_port_number(d.redis_port);
    u.set_path("/" + std::to_string(d.redis_db));
    return std::string(u.buffer());
}

std::optional<RedisTarget> parse_redis_url(std::string_view url, std::string& error) {
    auto parsed = urls::parse_uri(url);
    if (!parsed) {
        error = "not a URL";
        return std::nullopt;
    }
    const urls::url_view& u = *parsed;
    RedisTarget t;
    if (u.scheme() == "rediss") {
        t.tls = true;
    } else if (u.scheme() != "redis") {
        error = "expected a redis:// or rediss:// URL";
        return std::nullopt;
    }
    t.host = u.host_address();
    if (t.host.empty()) {
        error = "the URL names no host";
        return std::nullopt;
    }
    if (u.has_port()) {
        if (u.port_number() == 0) {
            error = "invalid port";
            return std::nullopt;
        }
        t.port = u.port_number();
    }
    if (u.has_userinfo()) {
        std::string user = u.user();
        if (!user.empty()) t.username = std::move(user);
        if (u.has_password()) t.password = u.password();
    }
    std::string path = u.path();
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    if (!path.empty()) {
        int64_t db = -1;
        auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
        if (ec != std::errc() || end != path.data() + path.size() || db < 0) {
            error = "the path must be a database number";
            return std::nullopt;
        }
        t.db = db;
    }
    return t;
}

}  // namespace sockudo::config
