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

    /// Absolute paths of the files to save, in walk order, each file once.
    private(set) var files: [String] = []
    /// Absolute paths of folders to save as one directory artifact each (`--as-directory`).
    private(set) var directories: [String] = []
    private(set) var skipped: [Skip] = []

    /// The store, recognised however it is named.
    private let store: StoreFolder
    /// Resolved paths (``resolvedPath(_:)``) already planned, walked or skipped: a file or
    /// folder named several times, or reached through several given paths, counts once.
    private var seenFiles: Set<String> = []
    private var seenDirectories: Set<String> = []
    private var walkedFolders: Set<String> = []
    private var seenSkips: Set<String> = []

    /// Walks `paths`.
    /// - Parameters:
    ///   - storeFolder: never ingested (it may lie inside a walked folder), whether it is named
    ///     through a symbolic link or not.
    ///   - asDirectories: folders become directory artifacts instead of being walked for files;
    ///     their symbolic links are still listed in ``skipped``.
    /// - Throws: ``CommandLineError`` when a path does not exist: nothing is ingested then.
    init(paths: [String], storeFolder: String, asDirectories: Bool) throws {
        store = StoreFolder(path: storeFolder)
        for raw in paths {
            let path = URL(fileURLWithPath: (raw as NSString).expandingTildeInPath).standardizedFileURL.path
            var info = stat()
            guard lstat(path, &info) == 0 else {
                let reason = errno == ENOENT && raw.contains("\u{FFFD}") ? Self.undecodableName : String(cString: strerror(errno))
                throw CommandLineError("cannot ingest \(raw): \(reason); check the path (nothing was ingested)")
            }
            // Given paths may pass through linked folders (`link/file`); only their last
            // component is never followed.
            let resolved = Self.resolvedPath(path)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if asDirectories {
                    if store.liesInside(folder: resolved, info: info) {
                        throw CommandLineError(
                            "cannot ingest \(raw) as one directory: it contains the store (\(store.path)); use another --store")
                    }
                    if seenDirectories.insert(resolved).inserted { directories.append(path) }
                    walk(path, resolved: resolved, info: info, collectingFiles: false)
                } else {
                    walk(path, resolved: resolved, info: info, collectingFiles: true)
                }
            case S_IFREG: addFile(path, resolved: resolved)
            case S_IFLNK: skip(path, resolved: resolved, reason: .symbolicLink)
            default: skip(path, resolved: resolved, reason: .specialFile)
            }
        }
    }

    private mutating func addFile(_ path: String, resolved: String) {
        if seenFiles.insert(resolved).inserted { files.append(path) }
    }

    private mutating func skip(_ path: String, resolved: String, reason: SkipReason) {
        if seenSkips.insert(resolved).inserted { skipped.append(Skip(path: path, reason: reason)) }
    }

    /// Why a file whose name is not valid UTF-8 cannot be ingested: artifacts record names and
    /// paths as text (JSON), which cannot hold those bytes.
    static let undecodableName = "its name is not valid UTF-8, which artifacts cannot record; rename it to ingest it"

    /// Walks `folder` (`resolved` is its path without symbolic links, `info` its `lstat`),
    /// adding its regular files to ``files`` when `collectingFiles` and what it skips to
    /// ``skipped``. A folder already walked is not walked again.
    private mutating func walk(_ folder: String, resolved: String, info: stat, collectingFiles: Bool) {
        if store.isStore(folder: resolved, info: info) {
            skip(folder, resolved: resolved, reason: .storeFolder)
            return
        }
        guard walkedFolders.insert(resolved).inserted else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            let reason = access(folder, R_OK | X_OK) == 0 ? "cannot list the folder" : "permission denied"
            skip(folder, resolved: resolved, reason: .unreadable(reason))
            return
        }
        for name in names {
            let path = folder == "/" ? "/" + name : folder + "/" + name
            // Nothing below is followed, so the resolved path extends the folder's.
            let childResolved = resolved == "/" ? "/" + name : resolved + "/" + name
            var childInfo = stat()
            guard lstat(path, &childInfo) == 0 else {
                // A name that is not UTF-8 reaches us with U+FFFD in place of its bytes, so the
                // path no longer exists: say so instead of "No such file".
                let reason = errno == ENOENT && name.contains("\u{FFFD}") ? Self.undecodableName : String(cString: strerror(errno))
                skip(path, resolved: childResolved, reason: .unreadable(reason))
                continue
            }
            switch childInfo.st_mode & S_IFMT {
            case S_IFDIR: walk(path, resolved: childResolved, info: childInfo, collectingFiles: collectingFiles)
            case S_IFREG: if collectingFiles { addFile(path, resolved: childResolved) }
            case S_IFLNK: skip(path, resolved: childResolved, reason: .symbolicLink)
            default: skip(path, resolved: childResolved, reason: .specialFile)
            }
        }
    }

    /// `path` (absolute) with every symbolic link resolved (`realpath`); when it does not
    /// exist (yet), its longest existing ancestor resolved and the rest appended.
    static func resolvedPath(_ path: String) -> String {
        if let real = realpath(path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty, parent != path else { return path }
        let base = resolvedPath(parent)
        return (base == "/" ? "" : base) + "/" + (path as NSString).lastPathComponent
    }

    /// The store's folder, recognised by its resolved path and by device and inode (which
    /// also catch bind mounts and other second names), and the same for each folder that
    /// contains it (for `--as-directory`).
    struct StoreFolder {
        /// The path as given (for messages).
        let path: String
        /// ``IngestPlan/resolvedPath(_:)`` of it.
        let resolved: String
        /// Device and inode of the store folder, when it exists.
        private let identity: FileIdentity?
        /// Device and inode of every existing folder from the store up to `/`.
        private let enclosing: Set<FileIdentity>

        struct FileIdentity: Hashable {
            var device: UInt64
            var inode: UInt64

            init(_ info: stat) {
                device = UInt64(truncatingIfNeeded: info.st_dev)
                inode = UInt64(truncatingIfNeeded: info.st_ino)
            }
        }

        init(path: String) {
            self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            resolved = IngestPlan.resolvedPath(self.path)
            var info = stat()
            identity = stat(resolved, &info) == 0 ? FileIdentity(info) : nil
            var enclosing = Set<FileIdentity>()
            var folder = resolved
            while true {
                if stat(folder, &info) == 0 { enclosing.insert(FileIdentity(info)) }
                let parent = (folder as NSString).deletingLastPathComponent
                if parent == folder || parent.isEmpty { break }
                folder = parent
            }
            self.enclosing = enclosing
        }

        /// Whether the folder at `resolved` (with `info` from `lstat`) is the store.
        func isStore(folder resolved: String, info: stat) -> Bool {
            resolved == self.resolved || identity == FileIdentity(info)
        }

        /// Whether the folder at `resolved` is the store or contains it.
        func liesInside(folder resolved: String, info: stat) -> Bool {
            resolved == self.resolved || self.resolved.hasPrefix(resolved == "/" ? "/" : resolved + "/")
                || enclosing.contains(FileIdentity(info))
        }
    }
}
