// The bad-input corpus: every case of tests/bad_inputs/cases.jsonl runs the
// medvlm binary on a malformed or hostile input and must end with exactly
// the expected exit code and message, or with the expected repaired value
// and telemetry counter. README.md beside this file describes the table.
//
// Each run is bounded in time and, outside sanitizer builds, in address
// space, so a hang or a huge allocation fails the case like a crash does.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/error.hpp"
#include "core/files.hpp"
#include "data/dataset.hpp"
#include "run/manifest.hpp"
#include "support/fault_server.hpp"
#include "support/test_support.hpp"

namespace medvlm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FaultAction;
using testing::FaultServer;
using testing::ReceivedRequest;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// AddressSanitizer reserves terabytes of address space, so `ulimit -v` is
// only set without it; scripts/sanitize.sh caps allocations through
// ASAN_OPTIONS=max_allocation_size_mb and hard_rss_limit_mb instead.
constexpr long kMemoryLimitKib = kAddressSanitizer ? 0 : 4L << 20;
constexpr int kTimeoutSeconds = 120;

fs::path corpus_dir() { return fs::path(MEDVLM_SOURCE_DIR) / "tests" / "bad_inputs"; }

std::string read_corpus_file(const std::string& relative) { return read_file(corpus_dir() / relative); }

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
}

// ---------------------------------------------------------------------------
// Generated inputs

std::string encode(const cv::Mat& image, const std::string& extension) {
    std::vector<unsigned char> bytes;
    if (!cv::imencode(extension, image, bytes)) {
        throw std::runtime_error("OpenCV cannot encode " + extension);
    }
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

cv::Mat gradient(int channels, int depth) {
    cv::Mat image(32, 48, CV_MAKETYPE(depth, channels));
    const double scale = depth == CV_16U ? 257.0 : 1.0;
    for (int y = 0; y < image.rows; ++y) {
        for (int x = 0; x < image.cols; ++x) {
            for (int c = 0; c < channels; ++c) {
                const double value = scale * ((x * 5 + y * 3 + c * 60) % 256);
                if (depth == CV_16U) {
                    image.ptr<uint16_t>(y)[x * channels + c] = static_cast<uint16_t>(value);
                } else {
                    image.ptr<uint8_t>(y)[x * channels + c] = static_cast<uint8_t>(value);
                }
            }
        }
    }
    return image;
}

std::string be32(uint32_t value) {
    return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
            static_cast<char>(value)};
}

// A PNG signature and IHDR chunk declaring width x height, with no data.
std::string png_header(uint32_t width, uint32_t height) {
    return std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + "IHDR" + be32(width) + be32(height) +
           std::string("\x08\x02\x00\x00\x00", 5) + be32(0);
}

// A little-endian TIFF whose first directory declares width x height (LONG)
// and nothing else.
std::string tiff_header(uint32_t width, uint32_t height) {
    const auto le16 = [](uint16_t v) { return std::string{static_cast<char>(v), static_cast<char>(v >> 8)}; };
    const auto le32 = [&](uint32_t v) { return le16(static_cast<uint16_t>(v)) + le16(static_cast<uint16_t>(v >> 16)); };
    std::string tiff = std::string("II*\0", 4) + le32(8) + le16(2);
    tiff += le16(256) + le16(4) + le32(1) + le32(width);
    tiff += le16(257) + le16(4) + le32(1) + le32(height);
    return tiff + le32(0);
}

std::string make_image(const std::string& kind) {
    if (kind == "png_rgb") {
        return encode(gradient(3, CV_8U), ".png");
    }
    if (kind == "png_rgb16") {
        return encode(gradient(3, CV_16U), ".png");
    }
    if (kind == "png_gray") {
        return encode(gradient(1, CV_8U), ".png");
    }
    if (kind == "png_gray16") {
        return encode(gradient(1, CV_16U), ".png");
    }
    if (kind == "png_rgba") {
        return encode(gradient(4, CV_8U), ".png");
    }
    if (kind == "jpeg_gray") {
        return encode(gradient(1, CV_8U), ".jpg");
    }
    if (kind == "tiff_rgb") {
        return encode(gradient(3, CV_8U), ".tiff");
    }
    if (kind == "ppm_rgb") {
        return encode(gradient(3, CV_8U), ".ppm");
    }
    if (kind == "jp2_rgb") {
        return encode(gradient(3, CV_8U), ".jp2");
    }
    if (kind == "webp_rgb") {
        return encode(gradient(3, CV_8U), ".webp");
    }
    if (kind == "png_truncated") {
        cv::Mat noise(64, 64, CV_8UC3);
        cv::randu(noise, 0, 255);
        const std::string png = encode(noise, ".png");
        return png.substr(0, png.size() / 2);
    }
    if (kind == "png_header_40000") {
        return png_header(40000, 40000);
    }
    if (kind == "png_header_max") {
        return png_header(0xFFFFFFFF, 0xFFFFFFFF);
    }
    if (kind == "tiff_header_30000") {
        return tiff_header(30000, 30000);
    }
    if (kind == "gif_1x1") {
        return std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
                           ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00;",
                           43);
    }
    throw std::runtime_error("unknown image kind '" + kind + "'");
}

// {"prefix": P, "unit": U, "count": N, "suffix": S}: P + N copies of U + S.
std::string make_repeat(const json& spec) {
    const std::string unit = spec.at("unit");
    const auto count = spec.at("count").get<size_t>();
    std::string text = spec.at("prefix").get<std::string>();
    text.reserve(text.size() + unit.size() * count + 256);
    for (size_t i = 0; i < count; ++i) {
        text += unit;
    }
    return text + spec.at("suffix").get<std::string>();
}

// A one-record SLAKE file naming `image`.
std::string slake_record_naming(const std::string& image) {
    return json::array({{{"qid", 1},
                         {"img_name", image},
                         {"question", "Is this a CT scan?"},
                         {"answer", "Yes"},
                         {"q_lang", "en"},
                         {"answer_type", "CLOSED"}}})
        .dump();
}

// Creates one entry of a case's "files": {"text"}, {"copy"}, {"image"},
// {"repeat"}, {"link"} or {"directory"}.
void create_file(const fs::path& path, const json& spec) {
    fs::create_directories(path.parent_path());
    if (spec.contains("directory")) {
        fs::create_directories(path);
    } else if (spec.contains("link")) {
        fs::create_symlink(spec.at("link").get<std::string>(), path);
    } else if (spec.contains("text")) {
        testing::write_text(path, spec.at("text").get<std::string>());
    } else if (spec.contains("copy")) {
        testing::write_text(path, read_corpus_file(spec.at("copy")));
    } else if (spec.contains("image")) {
        testing::write_text(path, make_image(spec.at("image")));
    } else if (spec.contains("repeat")) {
        testing::write_text(path, make_repeat(spec.at("repeat")));
    } else {
        throw std::runtime_error("unknown file spec " + spec.dump());
    }
}

// ---------------------------------------------------------------------------
// Servers and run directories

std::string reply_body(const json& reply) {
    return reply.contains("repeat") ? make_repeat(reply.at("repeat")) : read_corpus_file(reply.at("body"));
}

// Starts a mock server that lists the model "tiny" on GET /models and
// returns the case's reply to every chat request.
std::unique_ptr<FaultServer> start_server(const json& reply) {
    const std::string body = reply_body(reply);
    const int status = reply.value("status", 200);
    const bool stall = reply.value("action", "respond") == "stall_mid_body";
    return std::make_unique<FaultServer>([body, status, stall](const ReceivedRequest& request) {
        if (request.method == "GET") {
            return FaultAction::json(200, testing::models_json("tiny"));
        }
        return stall ? FaultAction::stall_mid_body(body) : FaultAction::json(status, body);
    });
}

// The records and images every eval and run-directory case shares, so that
// all of them have the same manifest as the base run.
const fs::path& eval_fixture() {
    static const fs::path dir = [] {
        const fs::path root = testing::make_temp_dir("bad-inputs-fixture");
        // Seeded noise, which PNG cannot compress: the image part of a request
        // is then about 6 kB, far above a text-only request.
        cv::Mat noise(32, 48, CV_8UC3);
        cv::RNG rng(7);
        rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
        testing::write_text(root / "images" / "ok.png", encode(noise, ".png"));
        json slake = json::array();
        for (int qid = 1; qid <= 2; ++qid) {
            slake.push_back({{"qid", qid},
                             {"img_name", "ok.png"},
                             {"question", qid == 1 ? "Is this a CT scan?" : "Which organ is shown?"},
                             {"answer", qid == 1 ? "Yes" : "Lung"},
                             {"q_lang", "en"},
                             {"answer_type", qid == 1 ? "CLOSED" : "OPEN"}});
        }
        testing::write_text(root / "slake.json", slake.dump());
        testing::write_text(root / "medxpertqa-mm.jsonl", read_corpus_file("records/medxpertqa/three_records.jsonl"));
        return root;
    }();
    return dir;
}

std::vector<std::string> eval_arguments(const std::string& dataset, const std::string& out) {
    const fs::path& fixture = eval_fixture();
    const std::string data = (fixture / (dataset == "slake" ? "slake.json" : "medxpertqa-mm.jsonl")).string();
    return {"eval",       "--benchmark", dataset,        "--data",    data,        "--image-root",
            (fixture / "images").string(), "--engine", "openai", "--endpoint", "{server}", "--model-name",
            "tiny",       "--modes",     "text-only",    "--retries", "0",         "--request-timeout",
            "10",         "--out",       out};
}

// A finished two-call SLAKE run, made once and copied for each case.
const fs::path& base_run() {
    static const fs::path dir = [] {
        const fs::path run = testing::make_temp_dir("bad-inputs-base") / "run";
        const auto server = start_server({{"body", "replies/valid.json"}});
        std::vector<std::string> arguments = eval_arguments("slake", run.string());
        for (auto& argument : arguments) {
            replace_all(argument, "{server}", server->base_url());
        }
        const auto result = testing::run_medvlm_bounded(arguments, kTimeoutSeconds, kMemoryLimitKib);
        if (result.exit_code != 0) {
            throw std::runtime_error("the base run failed:\n" + result.output);
        }
        return run;
    }();
    return dir;
}

void execute_sql(const fs::path& database, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open(database.string().c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + database.string());
    }
    char* message = nullptr;
    const int status = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    const std::string reason = message == nullptr ? "" : message;
    sqlite3_free(message);
    sqlite3_close(db);
    if (status != SQLITE_OK) {
        throw std::runtime_error(sql + ": " + reason);
    }
}

std::string query_text(const fs::path& database, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(database.string().c_str(), &db);
    sqlite3_stmt* statement = nullptr;
    std::string text;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
        text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return text;
}

std::string sql_quote(const std::string& text) {
    std::string quoted = text;
    replace_all(quoted, "'", "''");
    return "'" + quoted + "'";
}

// Merges `patch` into the stored manifest and stores it with its new hash,
// as a run written by another medvlm build would have it.
void patch_stored_manifest(const fs::path& database, const json& patch) {
    json manifest = json::parse(query_text(database, "SELECT manifest FROM run"));
    manifest.merge_patch(patch);
    const std::string old_hash = query_text(database, "SELECT manifest_hash FROM run");
    const std::string new_hash = manifest_hash(manifest);
    execute_sql(database, "UPDATE run SET manifest = " + sql_quote(manifest.dump()) +
                              ", manifest_hash = " + sql_quote(new_hash) + "; UPDATE calls SET manifest_hash = " +
                              sql_quote(new_hash) + " WHERE manifest_hash = " + sql_quote(old_hash));
}

// A lock another process holds while the case runs: the run store's flock
// (another medvlm) or an exclusive SQLite lock (another SQLite program).
class HeldLock {
public:
    HeldLock(const fs::path& run, const std::string& kind) {
        if (kind == "flock") {
            fd_ = ::open((run / "run.sqlite.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
            if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
                throw std::runtime_error("cannot take the run store's flock");
            }
        } else if (kind == "sqlite_exclusive") {
            if (sqlite3_open((run / "run.sqlite").c_str(), &db_) != SQLITE_OK ||
                sqlite3_exec(db_, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT COUNT(*) FROM calls;",
                             nullptr, nullptr, nullptr) != SQLITE_OK) {
                throw std::runtime_error("cannot lock run.sqlite: " + std::string(sqlite3_errmsg(db_)));
            }
        } else {
            throw std::runtime_error("unknown lock '" + kind + "'");
        }
    }
    HeldLock(const HeldLock&) = delete;
    HeldLock& operator=(const HeldLock&) = delete;
    ~HeldLock() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        if (db_ != nullptr) {
            sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
            sqlite3_close(db_);
        }
    }

private:
    int fd_ = -1;
    sqlite3* db_ = nullptr;
};

// Applies the case's "mutate" steps to the copied run directory; returns
// the locks to hold while medvlm runs.
std::vector<std::unique_ptr<HeldLock>> mutate_run(const fs::path& run, const json& steps) {
    std::vector<std::unique_ptr<HeldLock>> locks;
    for (const auto& step : steps) {
        if (step.contains("truncate")) {
            fs::resize_file(run / step.at("truncate").get<std::string>(), step.at("bytes").get<uintmax_t>());
        } else if (step.contains("remove")) {
            fs::remove(run / step.at("remove").get<std::string>());
        } else if (step.contains("write")) {
            testing::write_text(run / step.at("write").get<std::string>(), step.at("text").get<std::string>());
        } else if (step.contains("sql")) {
            execute_sql(run / "run.sqlite", step.at("sql"));
        } else if (step.contains("manifest")) {
            patch_stored_manifest(run / "run.sqlite", step.at("manifest"));
        } else if (step.contains("hold")) {
            locks.push_back(std::make_unique<HeldLock>(run, step.at("hold")));
        } else {
            throw std::runtime_error("unknown mutation " + step.dump());
        }
    }
    return locks;
}

// ---------------------------------------------------------------------------
// Checks

// The value of `flag` in the command line, or "" when absent.
std::string flag_value(const std::vector<std::string>& arguments, const std::string& flag) {
    for (size_t i = 0; i + 1 < arguments.size(); ++i) {
        if (arguments[i] == flag) {
            return arguments[i + 1];
        }
    }
    return "";
}

bool has_flag(const std::vector<std::string>& arguments, const std::string& flag) {
    return std::find(arguments.begin(), arguments.end(), flag) != arguments.end();
}

// Loads the case's records in process, as `medvlm validate` did, to compare
// the repaired values themselves.
void check_examples(const std::vector<std::string>& arguments, const json& expected) {
    DatasetOptions options;
    options.benchmark = parse_benchmark(flag_value(arguments, "--benchmark"));
    options.data_file = flag_value(arguments, "--data");
    options.image_root = flag_value(arguments, "--image-root");
    options.split = flag_value(arguments, "--split");
    options.skip_invalid = has_flag(arguments, "--skip-invalid");
    const Dataset dataset = load_dataset(options);
    for (const auto& [id, fields] : expected.items()) {
        const auto it = std::find_if(dataset.examples.begin(), dataset.examples.end(),
                                     [&](const Example& example) { return example.id == id; });
        ASSERT_NE(it, dataset.examples.end()) << "no example with id " << id;
        for (const auto& [key, value] : fields.items()) {
            if (key == "answer") {
                EXPECT_EQ(it->answer, value.get<std::string>()) << "example " << id;
            } else if (key == "images") {
                EXPECT_EQ(it->images.size(), value.get<size_t>()) << "example " << id;
            } else if (key.rfind("choice_", 0) == 0) {
                const std::string letter = key.substr(7);
                const auto choice = std::find_if(it->choices.begin(), it->choices.end(),
                                                 [&](const Choice& c) { return c.letter == letter; });
                ASSERT_NE(choice, it->choices.end()) << "example " << id << " has no option " << letter;
                EXPECT_EQ(choice->text, value.get<std::string>()) << "example " << id;
            } else if (key == "fields") {
                for (const auto& [field, text] : value.items()) {
                    ASSERT_TRUE(it->fields.contains(field)) << "example " << id << " lacks field " << field;
                    EXPECT_EQ(it->fields.at(field), text.get<std::string>()) << "example " << id;
                }
            } else {
                ADD_FAILURE() << "unknown example check '" << key << "'";
            }
        }
    }
}

// The prediction rows of a run directory, in file order.
std::vector<json> predictions_of(const fs::path& run) {
    return testing::read_jsonl(run / "predictions.jsonl");
}

// `expected` maps fields to values. A string value is a fragment of the
// stored text.
void check_prediction(const fs::path& run, const json& expected) {
    const std::string mode = expected.value("mode", "text-only");
    const auto rows = predictions_of(run);
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const json& r) { return r.at("mode") == mode; });
    ASSERT_NE(row, rows.end()) << "no " << mode << " prediction in " << run;
    for (const auto& [key, value] : expected.items()) {
        if (key == "mode") {
            continue;
        }
        ASSERT_TRUE(row->contains(key)) << "prediction lacks " << key;
        if (value.is_string()) {
            EXPECT_NE(row->at(key).get<std::string>().find(value.get<std::string>()), std::string::npos)
                << key << " is " << row->at(key);
        } else {
            EXPECT_EQ(row->at(key), value) << key;
        }
    }
}

struct Case {
    std::string name;
    json spec;
    fs::path dir;
    std::map<std::string, std::string> placeholders;

    [[nodiscard]] std::string expand(std::string text) const {
        for (const auto& [key, value] : placeholders) {
            replace_all(text, key, value);
        }
        return text;
    }

    [[nodiscard]] json expand(const json& value) const {
        if (value.is_string()) {
            return expand(value.get<std::string>());
        }
        if (value.is_structured()) {
            json copy = value;
            for (auto& item : copy) {
                item = expand(item);
            }
            return copy;
        }
        return value;
    }
};

// Writes the case's inputs and returns the medvlm arguments it runs.
std::vector<std::string> prepare(Case& c) {
    const json& spec = c.spec;
    const std::string kind = spec.at("kind");
    c.placeholders["{dir}"] = c.dir.string();
    create_file(c.dir / "images" / "ok.png", {{"image", "png_rgb"}});
    if (spec.contains("input")) {
        const std::string input = spec.at("input");
        const fs::path path = c.dir / "data" / fs::path(input).filename();
        create_file(path, {{"copy", input}});
        c.placeholders["{input}"] = path.string();
    }
    if (spec.contains("slake_image")) {
        const fs::path path = c.dir / "data" / "slake.json";
        create_file(path, {{"text", slake_record_naming(spec.at("slake_image"))}});
        c.placeholders["{input}"] = path.string();
    }
    // items() refers to its json, which must outlive the loop.
    const json files = spec.value("files", json::object());
    for (const auto& [path, file] : files.items()) {
        create_file(c.dir / path, file);
    }
    if (spec.contains("data")) {
        c.placeholders["{input}"] = c.expand(spec.at("data").get<std::string>());
    }

    std::vector<std::string> arguments;
    if (kind == "validate") {
        arguments = {"validate", "--benchmark",  spec.at("benchmark"), "--data",
                     "{input}",  "--image-root", "{dir}/images",       "--json",
                     "{dir}/telemetry.json"};
    } else if (kind == "leakage") {
        create_file(c.dir / "data" / "eval.jsonl", {{"copy", "records/generic/valid.jsonl"}});
        arguments = {"leakage", "--train", "benchmark=generic,data={input},images={dir}/images,name=train",
                     "--eval", "benchmark=generic,data={dir}/data/eval.jsonl,images={dir}/images,name=eval",
                     "--out", "{dir}/leakage"};
    } else if (kind == "eval") {
        arguments = eval_arguments(spec.value("dataset", "slake"), "{dir}/run");
    } else if (kind == "run_dir") {
        fs::copy(base_run(), c.dir / "run", fs::copy_options::recursive);
        c.placeholders["{run}"] = (c.dir / "run").string();
        if (spec.value("command", "eval") == "merge") {
            arguments = {"merge", "{run}", "--out", "{dir}/merged"};
        } else {
            arguments = eval_arguments("slake", spec.value("out", "{run}"));
        }
    } else {
        throw std::runtime_error("unknown kind '" + kind + "'");
    }
    // A flag in the case's args replaces the same flag of the base command
    // (every base flag takes one value), because CLI11 rejects repeats.
    const json case_arguments = spec.value("args", json::array());
    for (const auto& argument : case_arguments) {
        const std::string text = argument.get<std::string>();
        const auto base = std::find(arguments.begin(), arguments.end(), text);
        if (text.rfind("--", 0) == 0 && base != arguments.end()) {
            arguments.erase(base, base + 2);
        }
    }
    for (const auto& argument : case_arguments) {
        arguments.push_back(argument);
    }
    return arguments;
}

void run_case(Case& c) {
    const json& spec = c.spec;
    std::vector<std::string> arguments = prepare(c);

    std::unique_ptr<FaultServer> server;
    if (spec.at("kind") == "eval" || spec.at("kind") == "run_dir") {
        server = start_server(spec.value("reply", json{{"body", "replies/valid.json"}}));
        c.placeholders["{server}"] = server->base_url();
    }
    std::vector<std::unique_ptr<HeldLock>> locks;
    if (spec.contains("mutate")) {
        locks = mutate_run(c.dir / "run", spec.at("mutate"));
    }
    for (auto& argument : arguments) {
        argument = c.expand(argument);
    }

    const auto result = testing::run_medvlm_bounded(arguments, kTimeoutSeconds, kMemoryLimitKib);
    locks.clear();
    const json expect = c.expand(spec.at("expect"));
    ASSERT_EQ(result.exit_code, expect.at("exit").get<int>()) << result.output;
    for (const auto& fragment : expect.value("output", json::array())) {
        EXPECT_NE(result.output.find(fragment.get<std::string>()), std::string::npos)
            << "missing: " << fragment.get<std::string>() << "\noutput:\n" << result.output;
    }
    if (expect.contains("telemetry")) {
        const json telemetry = read_json_file(c.dir / "telemetry.json").at("telemetry");
        for (const auto& [pointer, value] : expect.at("telemetry").items()) {
            const json::json_pointer path(pointer);
            ASSERT_TRUE(telemetry.contains(path)) << "telemetry lacks " << pointer << ": " << telemetry.dump();
            EXPECT_EQ(telemetry.at(path), value) << pointer;
        }
    }
    if (expect.contains("examples")) {
        check_examples(arguments, expect.at("examples"));
    }
    if (expect.contains("prediction")) {
        check_prediction(c.dir / "run", expect.at("prediction"));
    }
    const json line_counts = expect.value("files", json::object());
    for (const auto& [file, lines] : line_counts.items()) {
        EXPECT_EQ(testing::read_jsonl(c.dir / file).size(), lines.get<size_t>()) << file;
    }
}

std::vector<json> load_cases() { return testing::read_jsonl(corpus_dir() / "cases.jsonl"); }

TEST(BadInputs, EveryCaseEndsAsExpected) {
    const auto cases = load_cases();
    ASSERT_GE(cases.size(), 50u);
    std::set<std::string> names;
    for (const auto& spec : cases) {
        const std::string name = spec.at("name");
        ASSERT_TRUE(names.insert(name).second) << "two cases are named " << name;
        ASSERT_TRUE(spec.contains("about")) << name;
        ASSERT_TRUE(spec.contains("expect")) << name;
    }

    // MEDVLM_BAD_INPUT_CASE=NAME runs one case, for debugging.
    const char* only = std::getenv("MEDVLM_BAD_INPUT_CASE");
    for (const auto& spec : cases) {
        Case c{spec.at("name"), spec, {}, {}};
        if (only != nullptr && c.name != only) {
            continue;
        }
        SCOPED_TRACE("case " + c.name + ": " + spec.at("about").get<std::string>());
        c.dir = testing::make_temp_dir("bad-input-" + c.name);
        // A case whose spec cannot be set up fails alone; the table goes on.
        try {
            run_case(c);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "case " << c.name << " could not run: " << e.what();
        }
    }
}

}  // namespace
}  // namespace medvlm
