# Libraries from the system package manager (scripts/setup.sh installs the
# Debian packages).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenCV REQUIRED COMPONENTS core imgcodecs imgproc img_hash)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(Boost 1.74 REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n)
