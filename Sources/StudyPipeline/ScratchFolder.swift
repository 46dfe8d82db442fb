import Foundation

/// A new empty folder of this process's own in the temporary directory (`folder`, by default
/// `$TMPDIR`), `PREFIX-XXXXXX` made by mkdtemp(3), so that removing it afterwards can never remove a
/// folder someone else made. It holds a marker (`scratchMarkerName`) naming this process
/// (`ProcessStamp`), so that a later command can prove the folder abandoned when this process was
/// killed outright (SIGKILL) and remove it (`removeAbandonedScratchFolders`). Without /proc the
/// process cannot be named, and the folder has no marker (nothing can then prove it abandoned). A
/// kill in the moment between mkdtemp and the marker's one write leaves an unmarked folder, which
/// is never removed.
public func makeScratchFolder(prefix: String, in folder: URL = FileManager.default.temporaryDirectory) throws -> URL {
    var template = Array((folder.path + "/\(prefix)-XXXXXX").utf8CString)
    guard let created = mkdtemp(&template) else {
        throw OutputFolderError(path: folder.path, reason: String(cString: strerror(errno)))
    }
    let scratch = URL(fileURLWithPath: String(cString: created), isDirectory: true)
    if let stamp = ProcessStamp.current {
        do {
            try writeFile(Data(stamp.markerText.utf8), to: scratch.appendingPathComponent(scratchMarkerName))
        } catch {
            rmdir(scratch.path)
            throw OutputFolderError(path: scratch.path, reason: fileErrorReason(error))
        }
    }
    return scratch
}

/// The file in a scratch folder that names the process that made it (`ProcessStamp.markerText`).
let scratchMarkerName = ".make-report-scratch"

/// Removes the scratch folder `folder` that this process made (`makeScratchFolder`), without
/// following a symbolic link: every entry but the marker first, then, when nothing else is left,
/// the marker and the folder. When an entry cannot be removed (or a writer adds one meanwhile) the
/// marker stays, so that a later command still knows the folder for this process's and removes it
/// once this process has ended. Returns whether the folder is gone.
@discardableResult
public func removeScratchFolder(_ folder: URL) -> Bool {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for name in entries where name != scratchMarkerName { removeTree(folder.appendingPathComponent(name).path) }
    guard ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).allSatisfy({ $0 == scratchMarkerName }) else { return false }
    unlink(folder.appendingPathComponent(scratchMarkerName).path)
    return rmdir(folder.path) == 0
}

/// Removes the scratch folders `PREFIX-XXXXXX` in `folder` (by default `$TMPDIR`) that a process
/// killed outright left (`makeScratchFolder`), and nothing else: only a folder itself (never a
/// symbolic link) of this user whose name is exact and whose marker, a regular file of one name and
/// of this user, names a process that has ended (`ProcessStamp.isEnded`); each is removed as
/// `removeScratchFolder` removes it. A folder without a marker (a look-alike, or one of a version
/// before the marker) is left as it is, and so is one whose process is running or cannot be judged.
/// Only for a command whose scratch folder no other process writes (`check`; `bench`'s child
/// processes may outlive it, so its folders are never judged by its own id).
public func removeAbandonedScratchFolders(prefix: String, in folder: URL = FileManager.default.temporaryDirectory) {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    for name in names where name.hasPrefix(prefix + "-") && name.dropFirst(prefix.count + 1).wholeMatch(of: /[A-Za-z0-9]{6}/) != nil {
        let scratch = folder.appendingPathComponent(name, isDirectory: true)
        var status = stat()
        guard lstat(scratch.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid(),
              let text = markerText(scratch.appendingPathComponent(scratchMarkerName).path),
              let stamp = ProcessStamp(markerText: text), stamp.isEnded else { continue }
        removeScratchFolder(scratch)
    }
}

/// The text of the marker at `path` when it is a regular file of one name, of this user, of at most
/// 200 bytes (never through a symbolic link); else nil.
private func markerText(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_nlink == 1, status.st_uid == geteuid(),
          status.st_size <= 200 else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    guard bytes.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else { return nil }
    return String(validating: bytes, as: UTF8.self)
}

/// A process, named so that its id cannot be mistaken for a later process's that reuses it: its
/// id, the moment it started (clock ticks since boot, field 22 of /proc/PID/stat), the kernel's boot
/// id (/proc/sys/kernel/random/boot_id) and its pid namespace (the inode of /proc/self/ns/pid).
public struct ProcessStamp: Equatable, Sendable {
    /// The process id.
    public var processID: Int32
    /// When the process started, in clock ticks since boot.
    public var startTicks: UInt64
    /// The boot id of the kernel it ran on.
    public var bootID: String
    /// The inode of its pid namespace.
    public var namespace: UInt64

    /// The stamp of `processID` started at `startTicks` under boot `bootID` in pid namespace `namespace`.
    public init(processID: Int32, startTicks: UInt64, bootID: String, namespace: UInt64) {
        (self.processID, self.startTicks, self.bootID, self.namespace) = (processID, startTicks, bootID, namespace)
    }

    /// This process's stamp, or nil without /proc.
    public static var current: ProcessStamp? {
        let id = getpid()
        guard let start = startTicks(of: id), let boot = currentBootID, let namespace = currentNamespace else { return nil }
        return ProcessStamp(processID: id, startTicks: start, bootID: boot, namespace: namespace)
    }

    /// The stamp as a marker holds it: `PID START BOOT NAMESPACE` and a newline.
    public var markerText: String { "\(processID) \(startTicks) \(bootID) \(namespace)\n" }

    /// The stamp that `text` (exactly `markerText`'s form) holds, or nil.
    public init?(markerText text: String) {
        guard text.hasSuffix("\n") else { return nil }
        let fields = text.dropLast().split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 4, let id = Int32(fields[0]), id > 0, let start = UInt64(fields[1]),
              fields[2].wholeMatch(of: /[0-9a-f-]{36}/) != nil, let namespace = UInt64(fields[3]) else { return nil }
        self.init(processID: id, startTicks: start, bootID: String(fields[2]), namespace: namespace)
    }

    /// Whether the process is provably gone: it ran on this boot of the kernel and in this pid
    /// namespace (else its id means nothing here: another machine sharing the folder, another
    /// container), and no process has its id now (kill(2) fails with ESRCH), or the one that has
    /// it started at another moment (the id was reused). A process whose start cannot be read
    /// (another user's, with /proc hidden) is not judged gone.
    public var isEnded: Bool {
        guard isOfThisBootAndNamespace else { return false }
        if kill(processID, 0) != 0 { return errno == ESRCH }
        guard let start = Self.startTicks(of: processID) else { return false }
        return start != startTicks
    }

    /// Whether the process ran on this boot of the kernel and in this pid namespace, where its id
    /// names a process of this machine.
    public var isOfThisBootAndNamespace: Bool { bootID == Self.currentBootID && namespace == Self.currentNamespace }

    /// When process `id` started, in clock ticks since boot: field 22 of /proc/ID/stat, counted
    /// after the command name's closing parenthesis (the name may hold spaces and parentheses).
    static func startTicks(of id: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8),
              let nameEnd = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// The kernel's boot id, or nil without /proc.
    private static var currentBootID: String? {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The inode of this process's pid namespace (/proc/self/ns/pid links to `pid:[INODE]`), or nil.
    private static var currentNamespace: UInt64? {
        var status = stat()
        return stat("/proc/self/ns/pid", &status) == 0 ? UInt64(status.st_ino) : nil
    }
}
