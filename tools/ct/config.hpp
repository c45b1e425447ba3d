// ct's configuration files: /etc/ct/ct.conf, then ~/.config/ct/ct.conf (or the files of
// $CT_CONFIG). YAML, with a default URI, URI aliases (as virsh's uri_aliases), a default state
// root for linux:// URIs and spec defaults for new containers (docs/ct.1.md, FILES).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ct::cli {

// A value in effect and where it came from: "-c", "CT_CONNECT", "/etc/ct/ct.conf:3", ...
struct Setting {
    std::string value;
    std::string origin;
};

struct ConfigFile {
    std::string path;
    bool read = false;  // false: not there (a file that is there but unreadable is an error)
};

struct Config {
    std::vector<ConfigFile> files;  // looked at, in order; a later one wins
    std::optional<Setting> uri;
    std::optional<Setting> state_root;
    std::map<std::string, Setting> aliases;
    // Spec fields for new containers (run, create), below the spec file and the options.
    nlohmann::json defaults = nlohmann::json::object();
    std::map<std::string, std::string> default_origins;  // field path -> file:line

    // Reads the files; a malformed one is an Error naming its line and key.
    static Config load();
    // The files looked at: $CT_CONFIG (colon separated), else /etc/ct/ct.conf and
    // $XDG_CONFIG_HOME/ct/ct.conf (~/.config/ct/ct.conf).
    static std::vector<std::string> paths();

    // The URI to open for `given` (from -c, CT_CONNECT, or "" for none): the first of them, else
    // the configured one, else linux:///; an alias replaced by its URI, and the default state
    // root added to a linux:// URI that has no root=.
    Setting resolve(const Setting &given) const;
};

// `base` with the defaults' fields it leaves out; process.env is merged by variable name.
nlohmann::json merge_defaults(nlohmann::json base, const nlohmann::json &defaults);

}  // namespace ct::cli
