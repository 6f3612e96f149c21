#pragma once
// Headless Chromium for the HTML report tests: renders a local page to a
// PNG and to its DOM after load, and collects what the page wrote to the
// console.
//
// Console messages are read from Chromium's own log (--enable-logging=stderr
// --v=0), where each one appears as a line with "CONSOLE" and the message,
// whatever its level (Chromium 156 logs console.log and console.error
// alike as INFO:CONSOLE). The reports contain no script, so every console
// line comes from the browser itself, reporting a blocked or failed
// resource, a Content-Security-Policy violation or a parse error, and each
// one counts as an error. This needs no DevTools connection and no port.
//
// Chromium runs with a fresh profile directory and with networking
// features off; the host resolver maps every name to nothing, so a page
// that tried to reach the network would fail and log it.

#include <filesystem>
#include <string>
#include <vector>

namespace medvlm::testing {

struct RenderedPage {
    int screenshot_exit_code = -1;
    int dom_exit_code = -1;
    std::string dom;                            // the serialized DOM after load
    std::vector<std::string> console_messages;  // CONSOLE lines from both runs
    std::string log;                            // Chromium's stderr, for failure messages
};

// The Chromium binary: $MEDVLM_CHROMIUM, else the first of chromium and
// chromium-browser on PATH. Fails the calling test when none is found.
[[nodiscard]] std::string chromium_binary();

// Renders `html` (a file) to `png` in a window `width` x `height` pixels.
[[nodiscard]] RenderedPage render_page(const std::filesystem::path& html, const std::filesystem::path& png,
                                       int width = 1200, int height = 4000);

// How many pixels of the PNG have exactly this colour (0xRRGGBB).
[[nodiscard]] int64_t count_pixels(const std::filesystem::path& png, uint32_t rgb);

}  // namespace medvlm::testing
