// libct._core: the libct C++ API for Python, in plain values and JSON documents (the stable
// forms of ct/json.hpp). The package around it (python/libct/*.py) makes it pythonic: dicts,
// file objects, context managers, one exception class per error code.
//
// Every call into libct runs without the GIL: they all do system calls or wait on processes,
// and none touches a Python object. Arguments are converted before the GIL is released and
// results after it is taken back (pybind11's call_guard).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ct/ct.hpp"
#include "ct/json.hpp"
#include "ct/specfile.hpp"

namespace py = pybind11;

namespace {

using nogil = py::call_guard<py::gil_scoped_release>;
using Timeout = std::optional<int64_t>;  // milliseconds; none: wait for ever

// ct::Error -> libct.errors.<class of its code>(message, code, errno). Runs with the GIL held.
// Building it runs Python code, and so pending signal handlers: the exception one of them raises
// (Ctrl-C's KeyboardInterrupt) is the one the caller gets, as anywhere in Python. Any other
// failure still reaches the caller as an exception, never as a crash.
void set_python_error(const ct::Error &e) {
    try {
        py::object make = py::module_::import("libct.errors").attr("_make");
        py::object err = make(e.what(), ct::errc_name(e.code()), e.sys_errno());
        PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(err.ptr())), err.ptr());
    } catch (py::error_already_set &pe) {
        pe.restore();
    } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
    }
}

std::optional<std::chrono::milliseconds> to_duration(Timeout ms) {
    if (!ms) return std::nullopt;
    return std::chrono::milliseconds(*ms);
}

// (signaled, code): libct.Process turns it into a returncode (-signal when signaled).
std::pair<bool, int> to_pair(const ct::ExitStatus &s) {
    return {s.signaled, s.code};
}

ct::StartOptions start_options(int in, int out, int err, bool detach, int console_socket,
                               std::vector<int> fds) {
    ct::StartOptions o;
    o.stdio = {in, out, err};
    o.detach = detach;
    o.console_socket = console_socket;
    o.fds = std::move(fds);
    return o;
}

// Documents that wrap one part of a spec ({"process": ...}, {"resources": ...}) go through the
// spec decoder, so errors name the field exactly as they do in a whole spec.
ct::Spec decode(const std::string &json) {
    return ct::spec_from_json(json);
}

ct::Container create_from_yaml(ct::Session &s, const std::string &text, const std::string &origin,
                               const std::string &name) {
    ct::Spec spec = ct::parse_spec_yaml(text, origin);
    if (!name.empty()) spec.name = name;
    ct::validate_spec_file(spec, text, origin);
    return s.create(spec);
}

ct::Container create_from_json(ct::Session &s, const std::string &json, const std::string &name) {
    ct::Spec spec = decode(json);
    if (!name.empty()) spec.name = name;
    return s.create(spec);
}

int64_t start(ct::Container &c, const std::string &process_json, int in, int out, int err,
              bool detach, int console_socket, std::vector<int> fds) {
    auto o = start_options(in, out, err, detach, console_socket, std::move(fds));
    if (process_json.empty()) return c.start(o);
    return c.start(decode(process_json).process, o);
}

int64_t exec(ct::Container &c, const std::string &process_json, int in, int out, int err,
             int console_socket, std::vector<int> fds) {
    auto o = start_options(in, out, err, false, console_socket, std::move(fds));
    return c.exec(decode(process_json).process, o);
}

void checkpoint(ct::Container &c, const std::string &dir, bool leave_running, bool tcp_established,
                bool file_locks) {
    ct::CheckpointOptions o;
    o.dir = dir;
    o.leave_running = leave_running;
    o.tcp_established = tcp_established;
    o.file_locks = file_locks;
    c.checkpoint(o);
}

ct::Container migrate(ct::Container &c, const std::string &to, bool leave_running,
                      bool tcp_established) {
    ct::MigrateOptions o;
    o.leave_running = leave_running;
    o.tcp_established = tcp_established;
    return c.migrate(to, o);
}

// `spec_kind`: "" (the images' spec), "json" or "yaml" (Session.restore's spec= argument).
ct::Container restore(ct::Session &s, const std::string &name, const std::string &dir, int in,
                      int out, int err, const std::string &spec_kind, const std::string &spec_text,
                      const std::string &origin) {
    ct::RestoreOptions o;
    o.dir = dir;
    o.stdio = {in, out, err};
    if (spec_kind == "json") o.spec = decode(spec_text);
    if (spec_kind == "yaml") o.spec = ct::parse_spec_yaml(spec_text, origin);
    return s.restore(name, o);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "libct's C++ API in plain values and JSON documents (use the libct package)";
    m.attr("version") = CT_VERSION;

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ct::Error &e) {
            set_python_error(e);
        }
    });

    py::class_<ct::Container>(m, "Container")
        .def_property_readonly("name", &ct::Container::name)
        .def("start", &start, nogil())
        .def(
            "wait", [](ct::Container &c, Timeout ms) { return to_pair(c.wait(to_duration(ms))); },
            nogil())
        .def("kill", &ct::Container::kill, nogil())
        .def("destroy", &ct::Container::destroy, nogil())
        .def(
            "state", [](ct::Container &c) { return std::string(ct::state_name(c.state())); },
            nogil())
        .def(
            "info_json", [](ct::Container &c) { return ct::to_json(c.info()); }, nogil())
        .def("exec", &exec, nogil())
        .def(
            "wait_process",
            [](ct::Container &c, int64_t pid, Timeout ms) {
                return to_pair(c.wait_process(pid, to_duration(ms)));
            },
            nogil())
        .def("kill_process", &ct::Container::kill_process, nogil())
        .def("pause", &ct::Container::pause, nogil())
        .def("resume", &ct::Container::resume, nogil())
        .def(
            "update",
            [](ct::Container &c, const std::string &json) { c.update(decode(json).resources); },
            nogil())
        .def(
            "stats_json", [](ct::Container &c) { return ct::to_json(c.stats()); }, nogil())
        .def(
            "processes_json", [](ct::Container &c) { return ct::to_json(c.processes()); }, nogil())
        .def("checkpoint", &checkpoint, nogil())
        .def("migrate", &migrate, nogil());

    py::class_<ct::Session>(m, "Session")
        .def_static(
            "open", [](const std::string &uri) { return ct::Session::open(uri); }, nogil())
        .def_property_readonly("uri", &ct::Session::uri)
        .def_property_readonly(
            "backend_json",
            [](const ct::Session &s) { return ct::to_json(std::vector{s.backend()}); })
        .def("create_json", &create_from_json, nogil())
        .def("create_yaml", &create_from_yaml, nogil())
        .def("get", &ct::Session::get, nogil())
        .def("restore", &restore, nogil())
        .def(
            "list_json", [](ct::Session &s) { return ct::to_json(s.list()); }, nogil());

    m.def(
        "backends_json", [] { return ct::to_json(ct::list_backends()); }, nogil());
    m.def("backend_search_path", &ct::backend_search_path, nogil());
    m.def("read_spec_file", &ct::read_spec_file, nogil());
}
