# Everything comes from Debian 12 packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json url system)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 CONFIG QUIET)
find_package(tomlplusplus REQUIRED)

add_library(sockudo_boost INTERFACE)
target_link_libraries(sockudo_boost INTERFACE Boost::json Boost::url Boost::system Threads::Threads)
target_compile_definitions(sockudo_boost INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  BOOST_ASIO_DISABLE_BOOST_COROUTINE
  BOOST_BEAST_USE_STD_STRING_VIEW)

# App stores (src/apps): SQLite, PostgreSQL (libpq) and MariaDB/MySQL (Connector/C).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
# Cluster transports (Redis pub/sub, NATS) and the Redis webhook queue. hiredis only parses and
# encodes RESP for the Redis transport; its sockets are Boost.Asio's.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# Debian's cnats CMake package names a static library the package does not ship; pkg-config
# describes the shared one correctly.
pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)
# Batched socket writes for fanout (src/transport/send_batch); used when the kernel allows it.
pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing)
