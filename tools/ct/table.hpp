// Text output of the query commands: aligned tables, and command lines quoted as a shell would
// need them, so that a cell never holds a newline or a byte that moves the cursor.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ct::cli {

// A table whose columns are as wide as their widest cell.
class Table {
  public:
    explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream &os) const;

  private:
    std::vector<std::vector<std::string>> rows_;
};

// One argument as sh reads it back: as it is when plain, in '...' when it holds spaces or
// quotes, as $'...' with \n, \t and \xHH escapes when it holds control bytes or is not UTF-8.
std::string shell_quote(const std::string &arg);
// Arguments joined by spaces, each quoted by shell_quote().
std::string command_line(const std::vector<std::string> &args);

}  // namespace ct::cli
