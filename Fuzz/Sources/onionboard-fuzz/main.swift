// onionboard-fuzz TARGET [libFuzzer flags] [corpus directories or input files]
//
// One binary for the seven fuzz targets of issue 17 (`onionboard-fuzz list` names them).
// Each target checks invariants beyond "no crash"; a broken invariant prints
// "INVARIANT BROKEN" and aborts, which libFuzzer reports like a crash (with the input).
// Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
import CFuzzEntry
import Foundation

/// The input handler of the chosen target; read by the C callback (which cannot capture).
nonisolated(unsafe) var selectedTarget: FuzzTarget?

let arguments = CommandLine.arguments
if arguments.count == 2 && arguments[1] == "list" {
    for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
    exit(0)
}
guard arguments.count >= 2, let target = FuzzTarget.all.first(where: { $0.name == arguments[1] }) else {
    FileHandle.standardError.write(Data(("usage: onionboard-fuzz TARGET [libFuzzer options] [CORPUS_DIR...]\n"
        + "targets: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n").utf8))
    exit(64)
}
selectedTarget = target
target.warmUp()

// libFuzzer sees the program name and everything after the target name.
var driverArguments: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[0]]
for index in 2..<Int(CommandLine.argc) { driverArguments.append(CommandLine.unsafeArgv[index]) }
driverArguments.append(nil)
var driverCount = Int32(driverArguments.count - 1)
let status = driverArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return onionboard_fuzz_run(&driverCount, &pointer) { data, size in
        let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        selectedTarget!.run(bytes)
        return 0
    }
}
exit(status)
