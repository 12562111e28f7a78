import Foundation

/// Vectors as BLOBs: `dimension` little-endian IEEE-754 Float32 values, no header.
public enum VectorCoding {
    public static func encode(_ vector: [Float]) -> Data {
        #if _endian(little)
            // The in-memory layout already is the stored one: one copy.
            return vector.withUnsafeBytes { Data($0) }
        #else
            var data = Data(capacity: vector.count * 4)
            for value in vector {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
            return data
        #endif
    }

    public static func decode(_ data: Data) -> [Float] {
        let bytes = [UInt8](data)
        var vector: [Float] = []
        vector.reserveCapacity(bytes.count / 4)
        var i = 0
        while i + 3 < bytes.count {
            let bits =
                UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
                | UInt32(bytes[i + 3]) << 24
            vector.append(Float(bitPattern: bits))
            i += 4
        }
        return vector
    }
}
