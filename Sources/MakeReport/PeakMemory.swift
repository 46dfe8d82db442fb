import Foundation

/// The peak resident memory so far of `process` ("self", or a process id), in bytes: its VmHWM in
/// /proc/PROCESS/status, which starts afresh at exec; nil when the process has no memory (it has
/// exited) or is not there.
func peakResidentBytes(of process: String) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return nil }
    return kibibytes * 1024
}

/// Runs `executable` with `arguments` in a child process to its end, its output discarded, and
/// returns its exit status and its peak resident memory in bytes: its VmHWM, read every millisecond
/// until it exits (the peak of a command is never in its last millisecond, which writes files).
/// Not `ru_maxrss`: Linux starts a child's at its parent's peak (the spawning process's memory
/// carries across exec), so it would count the parent's memory too.
func childPeakResidentBytes(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, bytes: Double) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in [1, 2] { posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0) }
    let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let failure = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
    guard failure == 0 else { throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: executable.path]) }
    var peak = 0.0, status: Int32 = 0
    while true {
        // Read before reaping: until waitpid reaps it, the exited child keeps its id.
        if let bytes = peakResidentBytes(of: "\(pid)") { peak = max(peak, bytes) }
        if waitpid(pid, &status, WNOHANG) == pid { break }
        usleep(1000)
    }
    // The exit code of a child that exited, 128 + the signal of one that was killed, as shells report them.
    let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
    return (exitStatus, peak)
}
