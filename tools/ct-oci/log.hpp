// Where ct-oci's errors (and, with --debug, its steps) go: stderr, and the --log file in the
// --log-format engines read them in (runc's: text `time="..." level=error msg="..."`, or one
// JSON object a line `{"level":"error","msg":"...","time":"..."}`).
#pragma once

#include <string>

namespace ct::oci {

class Log {
  public:
    Log() = default;
    Log(std::string path, std::string format, bool debug)
        : path_(std::move(path)), format_(std::move(format)), debug_(debug) {}
    // Opens the file once: "" if it can be written (or there is none), else why not.
    std::string check() const;
    void error(const std::string &msg) const;  // also on stderr
    void warning(const std::string &msg) const;
    void debug(const std::string &msg) const;  // only with --debug

  private:
    void write(const char *level, const std::string &msg) const;
    std::string path_, format_ = "text";
    bool debug_ = false;
};

}  // namespace ct::oci
