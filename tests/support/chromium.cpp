#include "support/chromium.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "core/files.hpp"
#include "support/test_support.hpp"

namespace medvlm::testing {
namespace {

// The common flags: headless, no sandbox (tests may run as root), no GPU,
// nothing that phones home, a fresh profile, and the browser log on stderr.
std::string chromium_command(const std::filesystem::path& profile, const std::string& action,
                             const std::filesystem::path& html, int width, int height) {
    std::string command = shell_quote(chromium_binary());
    for (const std::string flag :
         {"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
          "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0"}) {
        command += " " + shell_quote(flag);
    }
    command += " " + shell_quote("--user-data-dir=" + profile.string());
    command += " " + shell_quote("--window-size=" + std::to_string(width) + "," + std::to_string(height));
    command += " " + shell_quote(action);
    command += " " + shell_quote("file://" + std::filesystem::absolute(html).string());
    return command;
}

void collect_console(const std::string& log, std::vector<std::string>& messages) {
    std::istringstream lines(log);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find(":CONSOLE") != std::string::npos) {
            messages.push_back(line);
        }
    }
}

}  // namespace

std::string chromium_binary() {
    if (const char* env = std::getenv("MEDVLM_CHROMIUM")) {
        return env;
    }
    for (const char* name : {"chromium", "chromium-browser"}) {
        const CommandResult found = run_shell(std::string("command -v ") + name + " 2>/dev/null");
        if (found.exit_code == 0 && !found.output.empty()) {
            return found.output.substr(0, found.output.find('\n'));
        }
    }
    ADD_FAILURE() << "Chromium not found; install Debian's chromium package (scripts/setup.sh does) or set "
                     "MEDVLM_CHROMIUM to the browser binary";
    throw std::runtime_error("chromium not found");
}

RenderedPage render_page(const std::filesystem::path& html, const std::filesystem::path& png, int width, int height) {
    RenderedPage page;
    const auto screenshot_log = make_temp_dir("chromium-log") / "screenshot.log";
    const CommandResult screenshot =
        run_shell(chromium_command(make_temp_dir("chromium-profile"), "--screenshot=" + png.string(), html, width, height) +
                  " 2>" + shell_quote(screenshot_log.string()));
    page.screenshot_exit_code = screenshot.exit_code;
    page.log = read_file(screenshot_log);

    const auto dom_log = screenshot_log.parent_path() / "dom.log";
    const CommandResult dom = run_shell(chromium_command(make_temp_dir("chromium-profile"), "--dump-dom", html, width, height) +
                                 " 2>" + shell_quote(dom_log.string()));
    page.dom_exit_code = dom.exit_code;
    page.dom = dom.output;
    const std::string dom_stderr = read_file(dom_log);
    page.log += dom_stderr;

    collect_console(page.log, page.console_messages);
    return page;
}

int64_t count_pixels(const std::filesystem::path& png, uint32_t rgb) {
    const cv::Mat image = cv::imread(png.string(), cv::IMREAD_COLOR);
    if (image.empty()) {
        ADD_FAILURE() << png.string() << " could not be decoded as an image";
        return 0;
    }
    const auto red = static_cast<uint8_t>(rgb >> 16);
    const auto green = static_cast<uint8_t>(rgb >> 8);
    const auto blue = static_cast<uint8_t>(rgb);
    int64_t count = 0;
    for (int y = 0; y < image.rows; ++y) {
        for (int x = 0; x < image.cols; ++x) {
            const auto& pixel = image.at<cv::Vec3b>(y, x);  // OpenCV stores BGR
            count += pixel[0] == blue && pixel[1] == green && pixel[2] == red ? 1 : 0;
        }
    }
    return count;
}

}  // namespace medvlm::testing
