import Foundation
import FuzzTargets

// Built for libFuzzer (`make fuzz`: `swift build --sanitize=fuzzer -Xswiftc -DFUZZING`), libFuzzer
// supplies `main` and calls `LLVMFuzzerTestOneInput` with every input it makes, for the target named
// by $FUZZ_TARGET. Built normally, `make-report-fuzz TARGET FILE...` replays files through a target,
// so that a crash file a fuzzing run wrote can be reproduced in a debugger.

#if FUZZING
/// The target named by the FUZZ_TARGET environment variable.
let fuzzTarget: FuzzTarget = {
    guard let target = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "") else {
        fatalError("set FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzTarget.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}
#else
/// `make-report-fuzz TARGET FILE...`: replays files through a target.
@main
struct FuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: make-report-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("make-report-fuzz: cannot read '\(path)'\n".utf8))
                exit(2)
            }
            target.run(data)
        }
        print("\(arguments.count - 1) input\(arguments.count == 2 ? "" : "s") through \(target.rawValue): no crash")
    }
}
#endif
