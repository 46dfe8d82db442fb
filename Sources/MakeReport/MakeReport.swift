import ArgumentParser
import Dispatch
import Foundation
import PoisoningReport
import PoisoningEngine
import PoisoningAnalysis
import RunStore
import StudyPipeline

/// `make-report`: runs the data-poisoning sensitivity study and writes its results.
@main
struct MakeReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-report",
        abstract: "Run a data-poisoning sensitivity study (default: the reference study) and write its results, figures and report.",
        discussion: """
            With no subcommand, `run` runs the reference study (81 runs) into ./output.
            See `make-report run --help` for every study parameter.

            Exit codes: 0 success; 2 refused input (an option, a study file, a template, a part or \
            results file, a run store), before any work and with nothing created; 1 a failure during the work (a full \
            disk, an output folder in use, a failed validate or check). Errors are one line naming the \
            file or option.

            Open files: every command needs \(requiredFreeDescriptors) free file descriptors when it starts (the run \
            store's files and lock, the output folder's lock, the file being written, Dispatch's event loop). Under an \
            open-file limit that leaves fewer (`ulimit -n`), it stops at once, before reading or creating anything, \
            with exit code 1 and one line saying so: raise the limit (`ulimit -n 1024`). Threads: a command needs \
            one per processor and three more; when it cannot start them (a low `ulimit -v` or `ulimit -u`), it stops \
            at once the same way. --help and --version answer under any limit.
            """,
        version: toolVersion,
        subcommands: [RunCommand.self, StudyCommand.self, CompareCommand.self, MergeCommand.self, ValidateCommand.self, CheckCommand.self, TemplateCommand.self,
                      StoreCommand.self,
                      BenchCommand.self],
        defaultSubcommand: RunCommand.self)

    /// Parses and runs a command. Usage errors (a bad option value, an unknown option) print one line
    /// naming the option and exit with code 2; other failures print one line and exit with code 1.
    static func main() {
        // A closed pipe (`make-report ... | head`) or a file-size limit (`ulimit -f`) must end in a
        // failed write, which the command reports and cleans up after, not in a silent kill that
        // leaves its staging folder and lock behind: both signals are ignored.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        let arguments = attachingNegativeNumbers(Array(CommandLine.arguments.dropFirst()))
        // --help and --version need neither free descriptors nor threads, so they answer first.
        answerHelpOrVersion(arguments)
        if let shortage = descriptorShortage() ?? threadShortage() {
            writeToStandardError("make-report: error: \(shortage)\n")
            Foundation.exit(1)
        }
        startDispatchEventLoop()
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            try checkStandardOutput()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }   // --help, --version
            let message = MakeReport.message(for: error)
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            writeToStandardError("make-report: error: \(printableErrorLine(message))\n")
            Foundation.exit(code == .validationFailure || isBadInput(error) ? 2 : 1)
        }
    }
}

/// The file descriptors a command needs free when it starts: Dispatch's event loop (3), the run
/// store's connections with their -wal and -shm files and its lock (about 8), the output folder's
/// lock, a file being written and the data file, and 2 to spare (the thread that takes an
/// interruption's signals, with sigwaitinfo(2), holds none: `InterruptionCleanup`).
let requiredFreeDescriptors = 16

/// Why the open-file limit (`ulimit -n`) leaves too few descriptors free for a command
/// (`requiredFreeDescriptors`), in one sentence, or nil. Counted by opening /dev/null that many
/// times (all closed again), which works whatever descriptors the process inherited.
func descriptorShortage() -> String? {
    var opened = [Int32]()
    defer { for descriptor in opened { close(descriptor) } }
    while opened.count < requiredFreeDescriptors {
        let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { break }
        opened.append(descriptor)
    }
    guard opened.count < requiredFreeDescriptors else { return nil }
    var limit = rlimit()
    let shown = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max ? " (ulimit -n \(limit.rlim_cur))" : ""
    return "the open-file limit\(shown) leaves \(opened.count) file descriptor\(opened.count == 1 ? "" : "s") free, and make-report needs "
        + "\(requiredFreeDescriptors); raise it (ulimit -n 1024)"
}

/// Prints the help or the version that `arguments` ask for (`--help`, `-h`, `help`, `--version`)
/// and exits with code 0, as `main` does; returns when they ask for neither. Called before the
/// checks of free file descriptors (`descriptorShortage`) and threads (`threadShortage`) and before
/// Dispatch's event loop starts: the help and the version need none of them, so they answer under
/// any limit make-report starts at. No command of make-report's is run: a help request is parsed as
/// ArgumentParser's own help command, whose `run()` only throws the help to print.
func answerHelpOrVersion(_ arguments: [String]) {
    guard arguments.contains(where: { ["--help", "-h", "help", "--version"].contains($0) }) else { return }
    do {
        var command = try MakeReport.parseAsRoot(arguments)
        if String(reflecting: type(of: command)).hasPrefix("ArgumentParser.") { try command.run() }
    } catch {
        if MakeReport.exitCode(for: error) == .success { MakeReport.exit(withError: error) }
    }
}

/// The threads a command may need at once beside the main thread: Dispatch's workers for the runs
/// (one per processor, `DispatchQueue.concurrentPerform`'s width), its event loop's thread, the one
/// that waits for an interruption's signal, and one more as headroom for the address space the
/// threads' own allocations take: with exactly the first three, a run under `ulimit -v 125000` (2
/// processors) started them here, then hung in Dispatch's retry loop for an allocation that failed.
func requiredThreads() -> Int { ProcessInfo.processInfo.activeProcessorCount + 3 }

/// Why this process cannot start the threads a command needs (`requiredThreads`), all at once, in
/// one sentence, or nil. Dispatch, when it cannot start a thread, waits and tries again without end
/// (every command, `--version` once included, hung under `ulimit -v 100000` or `ulimit -u 3`), so the
/// threads are started here first, with pthread_create(3) and the same default attributes (a stack
/// of the size `ulimit -s` gives), each waiting until all are started, then ended and joined.
func threadShortage() -> String? {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { return nil }   // descriptorShortage has counted the descriptors
    var threads = [pthread_t](), failure: Int32 = 0
    while threads.count < requiredThreads() {
        var thread = pthread_t()
        // Each thread waits on the pipe's reading end until its writing end is closed.
        failure = pthread_create(&thread, nil, { reading in
            var byte: UInt8 = 0
            _ = read(Int32(Int(bitPattern: reading) - 1), &byte, 1)
            return nil
        }, UnsafeMutableRawPointer(bitPattern: Int(ends[0]) + 1))
        guard failure == 0 else { break }
        threads.append(thread)
    }
    close(ends[1])
    for thread in threads { pthread_join(thread, nil) }
    close(ends[0])
    guard failure != 0 else { return nil }
    let limits = [("ulimit -v", RLIMIT_AS, 1024), ("ulimit -u", __RLIMIT_NPROC, 1)].compactMap { name, resource, unit -> String? in
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return "\(name) \(limit.rlim_cur / rlim_t(unit))"
    }
    return "this process cannot start the \(requiredThreads()) threads make-report needs (it started \(threads.count): "
        + "\(String(cString: strerror(failure))))" + (limits.isEmpty ? "" : "; its limits \(limits.joined(separator: ", ")) may be too low: raise them")
}

/// Starts Dispatch's event loop, which opens its descriptors (an epoll instance, an eventfd) the
/// first time a worker thread starts, and stops the process (SIGILL) when it cannot: done here, while
/// descriptors are free (`descriptorShortage`), it never happens later, when the run store's
/// connections may have taken the last of them (`store prune` under `ulimit -n 7` used to die so).
func startDispatchEventLoop() {
    let started = DispatchGroup()
    DispatchQueue.global().async(group: started) {}
    started.wait()
}

/// Whether `error` is the user's input being refused (exit code 2), not a failure during the work
/// (exit code 1): a template, a part file, a comparison input, a run store or another file the user
/// named that cannot be used.
func isBadInput(_ error: Error) -> Bool {
    error is TemplateError || error is ReportTemplateError || error is MergeError || error is ComparisonInputError
        || error is SpecificationError || error is UserFileError || error is RunStoreRefusal
}

/// The arguments with every negative number that follows a long option attached to it
/// (`--lr -1` becomes `--lr=-1`), so that it is parsed as the option's value, and then refused or
/// accepted by the option's own check, instead of being read as an unknown short option.
func attachingNegativeNumbers(_ arguments: [String]) -> [String] {
    var result = [String]()
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        // The cheap test first: Swift builds the regex anew at every call.
        if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="), index + 1 < arguments.count,
           arguments[index + 1].hasPrefix("-"), arguments[index + 1].wholeMatch(of: /-(\.?[0-9][0-9.,eE+-]*|inf|infinity|nan)/.ignoresCase()) != nil {
            result.append(argument + "=" + arguments[index + 1])
            index += 2
        } else {
            result.append(argument)
            index += 1
        }
    }
    return result
}

/// `message` as one short line that shows every character it quotes: each quoted value ('...' or
/// "...") cut and escaped by `shownQuote` (the tool's own messages quote user text so already;
/// this catches the text a library quotes, such as an option's value), every other scalar
/// that `isEscapedInErrorLine` (a NUL, a carriage return, a terminal escape, a bidirectional
/// override) written as `\u{1B}` too, and the line cut at 400 scalars.
func printableErrorLine(_ message: String) -> String {
    var result = ""
    var quoted = [Unicode.Scalar](), quote: Unicode.Scalar?
    var previous: Unicode.Scalar?   // the scalar before this one outside quotes, nil at the line's start
    for scalar in message.unicodeScalars {
        defer { if quote == nil { previous = scalar } }
        if let open = quote {
            if scalar == open {
                result += shownQuote(quoted) + String(scalar)
                quote = nil
                quoted.removeAll()
            } else {
                quoted.append(scalar)
            }
        } else {
            result += isEscapedInErrorLine(scalar) ? shortenedUserText(String(scalar)) : String(scalar)
            // A quote opens where a word starts (after a space, a bracket or the line's start), so
            // that the apostrophe in "can't" opens nothing.
            if scalar == "'" || scalar == "\"", previous.map({ [" ", "(", "["].contains($0) }) ?? true {
                quote = scalar
            }
        }
    }
    result += shownQuote(quoted)
    return result.unicodeScalars.count > 400 ? String(String.UnicodeScalarView(result.unicodeScalars.prefix(400))) + "…" : result
}

/// A quoted value of an error line as `printableErrorLine` shows it: escaped, and whole when it is
/// no longer than a path the tool quotes whole or cut to its end (`shortenedUserText(keepingEnd:)`:
/// at most `maximumQuotedPathCharacters` + 1 characters, so that a path the tool quoted keeps its
/// file name), else cut to its first `maximumQuotedCharacters`.
private func shownQuote(_ scalars: [Unicode.Scalar]) -> String {
    let text = String(String.UnicodeScalarView(scalars))
    let whole = shortenedUserText(text, keepingEnd: true)
    return whole.hasPrefix("…") && !text.hasPrefix("…") ? shortenedUserText(text) : whole
}
