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
/// carries across exec), so it would count the parent's memory too. `start` is handed the function
/// that starts the child and `reap` the one that reaps it once it has exited, to call them (`bench`:
/// each as one step with setting the clean-up of an interruption, which ends a running child).
func childPeakResidentBytes(_ executable: URL, _ arguments: [String],
                            starting start: (_ spawn: () throws -> pid_t) throws -> pid_t = { try $0() },
                            reaping reap: (_ reap: () -> Int32) throws -> Int32 = { $0() }) throws -> (status: Int32, bytes: Double) {
    let pid = try start { try spawnChild(executable, arguments, discardingErrors: true) }
    var peak = 0.0
    // Read before reaping: until it is reaped, the exited child keeps its id.
    while !hasExited(pid, waiting: false) {
        if let bytes = peakResidentBytes(of: "\(pid)") { peak = max(peak, bytes) }
        usleep(1000)
    }
    return (try reap { reapChild(pid) }, peak)
}

/// Starts `executable` with `arguments` in a child process, its standard output discarded (and its
/// standard error too when `discardingErrors`), no signal blocked in it (a command that blocks the
/// interruption signals while it runs its children would hand its mask on), and returns its id.
func spawnChild(_ executable: URL, _ arguments: [String], discardingErrors: Bool) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in discardingErrors ? [1, 2] : [1] { posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let failure = posix_spawn(&pid, executable.path, &actions, &attributes, argv, environ)
    guard failure == 0 else { throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: executable.path]) }
    return pid
}

/// Whether the child `pid` has exited, without reaping it (so that its id stays its own until
/// `reapChild`); when `waiting`, waits until it has.
func hasExited(_ pid: pid_t, waiting: Bool) -> Bool {
    var information = siginfo_t()
    while waitid(P_PID, id_t(pid), &information, WEXITED | WNOWAIT | (waiting ? 0 : WNOHANG)) != 0 {
        if errno != EINTR { return true }   // ECHILD: no such child (any more)
    }
    return information._sifields._sigchld.si_pid == pid
}

/// Reaps the exited child `pid` and returns its exit code, or 128 + the signal that killed it, as
/// shells report them.
func reapChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
}
