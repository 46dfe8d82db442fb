import Foundation

/// A file the user named that cannot be read, in one clause naming it: "'x' is not a regular file".
public struct UserFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file and what is wrong with it.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// The file URL of `path`, a path the user gave, as the file system reads it: a leading `~` names a
/// file or folder called `~` in the working directory, never the home folder, in which Foundation's
/// `URL(fileURLWithPath:)` would otherwise put it (only a shell expands an unquoted `~`, before the
/// tool sees it; a quoted one is the user's literal name, as open(2) and stat(2) read it).
public func literalFileURL(_ path: String) -> URL {
    URL(fileURLWithPath: path.hasPrefix("~") ? "./" + path : path)
}

/// `literalFileURL(_:)` of a path known to be a folder or a file (`isDirectory`).
public func literalFileURL(_ path: String, isDirectory: Bool) -> URL {
    URL(fileURLWithPath: path.hasPrefix("~") ? "./" + path : path, isDirectory: isDirectory)
}

/// `literalFileURL(_:isDirectory:)` of `path`, absolute, with every symbolic link resolved, even in
/// the part that does not exist yet, and "." and ".." read as the kernel reads them: realpath(3) of
/// its longest existing leading part as written (so `link/..` is the parent of the link's target,
/// never the folder holding `link`), the components below it appended, their "." and ".." resolved
/// as text (those folders do not exist yet, so none is a link). So a check that one path lies inside
/// another (an output folder inside the work folder, a store inside the output folder) sees where
/// the files will really be written.
public func resolvedFileURL(_ path: String, isDirectory: Bool) -> URL {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    let components = absolute.split(separator: "/").map(String.init)
    // The longest leading part that exists, resolved; "/" (no folders) when none below it does.
    var folders = [String](), existingCount = components.count
    while existingCount > 0 {
        if let resolved = realpath("/" + components[..<existingCount].joined(separator: "/"), nil) {
            folders = String(cString: resolved).split(separator: "/").map(String.init)
            free(resolved)
            break
        }
        existingCount -= 1
    }
    for component in components[existingCount...] {
        switch component {
        case ".": continue
        case "..": _ = folders.popLast()
        default: folders.append(component)
        }
    }
    return URL(fileURLWithPath: "/" + folders.joined(separator: "/"), isDirectory: isDirectory)
}

/// Why the file at `path` cannot be read whole, or nil: it must exist, be a regular file (never a
/// folder, a device such as /dev/zero that never ends, or a FIFO whose open(2) would block) and hold
/// at most `maximumBytes`. Looks at the file's type with stat(2) and never opens it.
public func userFileProblem(_ path: String, maximumBytes: Int) -> UserFileError? {
    var status = stat()
    guard stat(path, &status) == 0 else { return UserFileError("cannot read \(quotedUserText(path, keepingEnd: true)): \(String(cString: strerror(errno)))") }
    return regularFileProblem(status, path: path, maximumBytes: maximumBytes)
}

/// The bytes of a file the user named (a results or part file, a template, a study file, a CSV data
/// set): checked by `userFileProblem` before it is opened, and again after (it may have been
/// replaced in between), refused before any of it is held when its bytes beside the process's own
/// and the `held` bytes of files read before it would need more memory than `budget` allows (the
/// tightest of `MemoryLimits`, or half the machine's), then read to its end, refusing it should it
/// grow past `maximumBytes`.
public func readUserFile(_ path: String, maximumBytes: Int, held: Double = 0, budget: MemoryBudget = MemoryBudget()) throws -> Data {
    if let problem = userFileProblem(path, maximumBytes: maximumBytes) { throw problem }
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { throw UserFileError("cannot read \(quotedUserText(path, keepingEnd: true)): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw UserFileError("cannot read \(quotedUserText(path, keepingEnd: true)): \(String(cString: strerror(errno)))") }
    if let problem = regularFileProblem(status, path: path, maximumBytes: maximumBytes) { throw problem }
    let needed = processOverheadBytes + held + Double(status.st_size)
    if needed > budget.bytes(threads: 1) {
        throw UserFileError("reading \(quotedUserText(path, keepingEnd: true)) (\(status.st_size) bytes) needs about " + memoryText(needed)
            + (held > 0 ? " with the files read before it" : "") + ", more than " + budget.description(threads: 1)
            + "; use a machine with more memory")
    }
    var data = Data(capacity: Int(status.st_size))
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw UserFileError("cannot read \(quotedUserText(path, keepingEnd: true)): \(String(cString: strerror(errno)))") }
        if count == 0 { return data }
        data.append(contentsOf: chunk[..<count])
        guard data.count <= maximumBytes else { throw tooLarge(path, size: nil, maximumBytes) }
    }
}

/// Why a file with the stat(2) result `status` cannot be read whole, or nil.
private func regularFileProblem(_ status: stat, path: String, maximumBytes: Int) -> UserFileError? {
    guard status.st_mode & S_IFMT == S_IFREG else { return UserFileError("\(quotedUserText(path, keepingEnd: true)) is not a regular file") }
    return Int(status.st_size) <= maximumBytes ? nil : tooLarge(path, size: Int(status.st_size), maximumBytes)
}

/// "'x' is 9437184 bytes, larger than 1 MiB", or "'x' is larger than 1 MiB" when its size is not
/// known (a file that grew while it was read).
private func tooLarge(_ path: String, size: Int?, _ maximumBytes: Int) -> UserFileError {
    let limit = maximumBytes >= 1 << 30 ? "\(maximumBytes >> 30) GiB" : "\(maximumBytes >> 20) MiB"
    return UserFileError(quotedUserText(path, keepingEnd: true) + " is " + (size.map { "\($0) bytes, larger" } ?? "larger") + " than \(limit)")
}

/// Why nothing can be created at `url`, or nil: the nearest existing folder above it must be a
/// folder (not a file, nor a symbolic link to nothing) where something can be created, proved by
/// creating and removing an empty folder (access(2) says yes to root even on /proc). Leaves nothing
/// behind.
public func creationProblem(at url: URL) -> String? {
    var ancestor = url.deletingLastPathComponent()
    var isFolder: ObjCBool = false
    var status = stat()
    while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder) && ancestor.path != "/" {
        // Something is there that stat(2) cannot follow: a symbolic link to nothing (or to a loop).
        if lstat(ancestor.path, &status) == 0 {
            return "\(quotedUserText(ancestor.path, keepingEnd: true)) is a symbolic link to nothing, not a folder"
        }
        ancestor = ancestor.deletingLastPathComponent()
    }
    guard isFolder.boolValue else { return "\(quotedUserText(ancestor.path, keepingEnd: true)) is a file, not a folder" }
    var probe = Array((ancestor.path + "/.make-report-probe-XXXXXX").utf8CString)
    guard let created = mkdtemp(&probe) else { return "cannot create anything in \(quotedUserText(ancestor.path, keepingEnd: true)): \(String(cString: strerror(errno)))" }
    rmdir(created)
    return nil
}

/// Whether `pid`, the decimal process id in the name of a file make-report makes under a temporary
/// name (a store built as `NAME.new-PID`, a staging folder `NAME.staging-PID`, a displaced set
/// `NAME.previous-PID-N`), names a process that can no longer be writing it: no process has that id
/// (kill(2) with no signal fails with ESRCH), or it is this process's own id, which makes its file
/// only after it has looked for leftovers. A process of another user (EPERM) is running, and an id
/// out of range is no id make-report writes: neither is stale, so their files are left alone.
public func isStaleProcessID(_ pid: Substring) -> Bool {
    guard let id = Int32(pid), id > 0 else { return false }
    return id == getpid() || (kill(id, 0) != 0 && errno == ESRCH)
}

/// Whether `path` is a folder itself, not a symbolic link to one (lstat(2)): the test before a
/// leftover folder is entered, so that no file is removed through a link.
public func isRealFolder(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
}

/// The errno of `error` when it is a POSIX error (a `POSIXError`, or an `NSError` of that domain)
/// or a Foundation error wrapping one (`NSUnderlyingErrorKey`, as FileManager's are); nil otherwise.
public func posixErrno(of error: Error) -> Int32? {
    let nsError = error as NSError
    let posix = nsError.domain == NSPOSIXErrorDomain ? nsError : nsError.userInfo[NSUnderlyingErrorKey] as? NSError
    guard let posix, posix.domain == NSPOSIXErrorDomain else { return nil }
    return Int32(posix.code)
}
