#pragma once
// Error types shared by every part of medvlm.
//
// Exceptions stop the current job; each message names the file, the record
// and the fix. The command-line front end maps each type to an exit code:
//
//   InputError  -> 2  (a data file, image, flag or run directory is invalid)
//   EngineError -> 3  (the model could not be loaded or a call failed)
//   Error       -> 1  (anything else medvlm detected)

#include <stdexcept>
#include <string>

namespace medvlm {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    [[nodiscard]] virtual int exit_code() const noexcept { return 1; }
};

// Invalid user input: records, images, command-line values, run directories.
class InputError : public Error {
public:
    using Error::Error;
    [[nodiscard]] int exit_code() const noexcept override { return 2; }
};

// A failure inside an inference engine (model load, tokenization, decode).
class EngineError : public Error {
public:
    using Error::Error;
    [[nodiscard]] int exit_code() const noexcept override { return 3; }
};

}  // namespace medvlm
