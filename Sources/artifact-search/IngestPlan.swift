import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `ingest` will save: the regular files below the given paths (walked recursively, in
/// sorted order, symbolic links never followed), or the folders themselves with
/// `--as-directory`, and what was skipped on the way and why.
struct IngestPlan {
    /// Why a path is not ingested.
    enum SkipReason: Hashable, Comparable, CustomStringConvertible {
        case symbolicLink
        case specialFile
        case storeFolder
        case unchanged
        case unreadable(String)

        var description: String {
            switch self {
            case .symbolicLink: return "symbolic link (not followed)"
            case .specialFile: return "not a regular file (socket, FIFO or device)"
            case .storeFolder: return "the store's own folder"
            case .unchanged: return "unchanged since it was last ingested (--skip-unchanged)"
            case .unreadable(let reason): return "unreadable (\(reason))"
            }
        }

        /// The reason without its details, for counting: `symbolic link`, `unreadable`, ….
        var category: String {
            switch self {
            case .symbolicLink: return "symbolic link"
            case .specialFile: return "special file"
            case .storeFolder: return "store folder"
            case .unchanged: return "unchanged"
            case .unreadable: return "unreadable"
            }
        }

        /// ``category`` for `count` paths: `1 symbolic link`, `78 symbolic links`, `2 unreadable`.
        static func counted(_ category: String, _ count: Int) -> String {
            let plural = count == 1 || category == "unreadable" || category == "unchanged" ? category : category + "s"
            return "\(ProgressBar.grouped(count)) \(plural)"
        }
    }

    struct Skip: Hashable {
        var path: String
        var reason: SkipReason
    }

    /// Absolute paths of the files to save, in walk order.
    private(set) var files: [String] = []
    /// Absolute paths of folders to save as one directory artifact each (`--as-directory`).
    private(set) var directories: [String] = []
    private(set) var skipped: [Skip] = []

    /// Walks `paths`.
    /// - Parameters:
    ///   - storeFolder: never ingested (it may lie inside a walked folder).
    ///   - asDirectories: folders become directory artifacts instead of being walked for files;
    ///     their symbolic links are still listed in ``skipped``.
    /// - Throws: ``CommandLineError`` when a path does not exist: nothing is ingested then.
    init(paths: [String], storeFolder: String, asDirectories: Bool) throws {
        let store = storeFolder.hasSuffix("/") ? String(storeFolder.dropLast()) : storeFolder
        for raw in paths {
            let path = URL(fileURLWithPath: (raw as NSString).expandingTildeInPath).standardizedFileURL.path
            var info = stat()
            guard lstat(path, &info) == 0 else {
                let reason = String(cString: strerror(errno))
                throw CommandLineError("cannot ingest \(raw): \(reason); check the path (nothing was ingested)")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if asDirectories {
                    if path == store || store.hasPrefix(path + "/") {
                        throw CommandLineError(
                            "cannot ingest \(raw) as one directory: it contains the store (\(store)); use another --store")
                    }
                    directories.append(path)
                    walk(path, store: store, collectingFiles: false)
                } else {
                    walk(path, store: store, collectingFiles: true)
                }
            case S_IFREG: files.append(path)
            case S_IFLNK: skipped.append(Skip(path: path, reason: .symbolicLink))
            default: skipped.append(Skip(path: path, reason: .specialFile))
            }
        }
    }

    /// Walks `folder`, adding its regular files to ``files`` when `collectingFiles` and what
    /// it skips to ``skipped``.
    private mutating func walk(_ folder: String, store: String, collectingFiles: Bool) {
        if folder == store {
            skipped.append(Skip(path: folder, reason: .storeFolder))
            return
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            let reason = access(folder, R_OK | X_OK) == 0 ? "cannot list the folder" : "permission denied"
            skipped.append(Skip(path: folder, reason: .unreadable(reason)))
            return
        }
        for name in names {
            let path = folder == "/" ? "/" + name : folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else {
                skipped.append(Skip(path: path, reason: .unreadable(String(cString: strerror(errno)))))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(path, store: store, collectingFiles: collectingFiles)
            case S_IFREG: if collectingFiles { files.append(path) }
            case S_IFLNK: skipped.append(Skip(path: path, reason: .symbolicLink))
            default: skipped.append(Skip(path: path, reason: .specialFile))
            }
        }
    }
}
