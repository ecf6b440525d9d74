#pragma once
// Real brokers for the service tests: redis-server and nats-server started on free loopback
// ports, each in its own process group, killed by the owning object, by the test environment's
// TearDown, and by the kernel if this process dies (PR_SET_PDEATHSIG).

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sockudo::testing {

using namespace std::chrono_literals;

// Every live child's process group, for the environment's last-resort cleanup.
inline std::mutex& children_mutex() {
    static std::mutex m;
    return m;
}
inline std::set<pid_t>& children() {
    static std::set<pid_t> s;
    return s;
}

// Absolute path of `name` on PATH or in the sbin directories Debian installs servers to; empty
// when missing.
inline std::string find_binary(const std::string& name) {
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/sbin:/usr/local/sbin:/sbin";
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(start, end - start);
        if (!dir.empty()) {
            std::string candidate = dir + "/" + name;
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        start = end + 1;
    }
    return {};
}

// A loopback port nobody listens on right now.
inline uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

inline bool port_open(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// Polls `done` every 5 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

class ServiceProcess {
public:
    ServiceProcess() = default;
    ServiceProcess(const ServiceProcess&) = delete;
    ServiceProcess& operator=(const ServiceProcess&) = delete;
    ~ServiceProcess() { kill(); }

    // Starts argv (argv[0] an absolute path) and waits until `port` accepts connections.
    bool start(const std::vector<std::string>& argv, uint16_t port) {
        kill();
        // Built before fork(): the child of a threaded process must not allocate.
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        pid_t pid = ::fork();
        if (pid < 0) return false;
        if (pid == 0) {
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::setpgid(pid, pid);  // also here, so kill(-pid) works whichever side runs first
        pid_ = pid;
        {
            std::lock_guard lock(children_mutex());
            children().insert(pid);
        }
        return eventually([port] { return port_open(port); }, 5000ms);
    }

    void signal(int sig) const {
        if (pid_ > 0) ::kill(-pid_, sig);
    }

    void kill() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGCONT);
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        std::lock_guard lock(children_mutex());
        children().erase(pid_);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
};

// Kills whatever a failed or aborted test left running.
class ServiceEnvironment : public ::testing::Environment {
public:
    void TearDown() override {
        std::lock_guard lock(children_mutex());
        for (pid_t pid : children()) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        children().clear();
    }
};

inline const bool kEnvironmentRegistered =
    (::testing::AddGlobalTestEnvironment(new ServiceEnvironment), true);

// redis-server on a free port, no persistence. `extra` adds command-line options.
inline bool start_redis(ServiceProcess& p, uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{find_binary("redis-server"),
                                  "--port",
                                  std::to_string(port),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return p.start(argv, port);
}

inline bool start_nats(ServiceProcess& p, uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{find_binary("nats-server"), "-a", "127.0.0.1", "-p",
                                  std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return p.start(argv, port);
}

}  // namespace sockudo::testing
