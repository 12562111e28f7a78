import Foundation
import Testing

@testable import ArtifactSearchS3

/// The S3 client against moto_server checking signatures (scripts/test-services starts it and
/// exports where it is; `scripts/test` always does, and sets ARTIFACT_SEARCH_REQUIRE_SERVICES).
@Suite("S3 object client against moto_server")
struct S3ObjectClientTests {
    static let environment = ProcessInfo.processInfo.environment
    static let available = environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"] != nil

    static func client(secret: String? = nil, prefix: String = "tests-\(UUID().uuidString.prefix(8))") throws -> S3ObjectClient {
        let location = S3Location(
            bucket: environment["ARTIFACT_SEARCH_TEST_S3_BUCKET"]!, prefix: prefix,
            endpoint: URL(string: environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"]!)!)
        return S3ObjectClient(
            location: location, accessKeyID: environment["ARTIFACT_SEARCH_TEST_S3_ACCESS_KEY"]!,
            secretAccessKey: secret ?? environment["ARTIFACT_SEARCH_TEST_S3_SECRET_KEY"]!)
    }

    @Test("The test servers are there when the test command requires them")
    func servicesPresent() {
        if Self.environment["ARTIFACT_SEARCH_REQUIRE_SERVICES"] == "1" {
            #expect(Self.available, "ARTIFACT_SEARCH_TEST_S3_ENDPOINT is not set: run the tests through scripts/test")
            #expect(Self.environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"] != nil)
        }
    }

    @Test("Put, get, size, delete; keys that need encoding; bytes of every value", .enabled(if: available))
    func roundTrip() async throws {
        let client = try Self.client()
        let bytes = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for key in ["sha256/ab/cd/abcd", "deep/x/y/z", "A-Z_0.9~x"] {
            try await client.put(bytes, key: key)
            #expect(try await client.get(key: key) == bytes, "\(key)")
            #expect(try await client.size(key: key) == bytes.count)
            try await client.delete(key: key)
            #expect(try await client.size(key: key) == nil)
            await #expect(throws: S3Error.notFound(key: key)) { try await client.get(key: key) }
        }
        try await client.put(Data(), key: "empty")
        #expect(try await client.get(key: "empty") == Data())
        // Characters a client may send in another form than it signed: refused before sending.
        for key in ["a b", "a+b", "a$b", "é", "a%2Fb", "", "a?b", "a#b"] {
            await #expect(throws: S3Error.invalidKey(key)) { try await client.put(Data("x".utf8), key: key) }
        }
    }

    @Test("A conditional put (If-None-Match: *) never overwrites: the second writer is told it exists", .enabled(if: available))
    func conditionalPut() async throws {
        let client = try Self.client()
        try await client.put(Data("first".utf8), key: "blob", ifAbsent: true)
        await #expect(throws: S3Error.alreadyExists(key: "blob")) {
            try await client.put(Data("second".utf8), key: "blob", ifAbsent: true)
        }
        #expect(try await client.get(key: "blob") == Data("first".utf8))
    }

    @Test("A wrong secret is refused by the server's signature check (SignatureDoesNotMatch), not retried into a hang", .enabled(if: available))
    func wrongSecret() async throws {
        let client = try Self.client(secret: "not-the-secret")
        do {
            try await client.put(Data("x".utf8), key: "refused")
            Issue.record("a request signed with the wrong secret was accepted")
        } catch .accessDenied(let code, _) {
            #expect(code == "SignatureDoesNotMatch")
        } catch {
            Issue.record("\(error)")
        }
        #expect(try await Self.client().size(key: "refused") == nil)
    }

    @Test("Nothing listening: unreachable after the retries, naming the endpoint")
    func unreachable() async throws {
        // The default attempts and timeout: a refused connection fails each attempt at once (it
        // is not retried until the request's 30 s deadline). How long that takes is measured,
        // not asserted: under the whole suite's load the test's tasks wait minutes for threads.
        let client = S3ObjectClient(
            location: S3Location(bucket: "bucket", endpoint: URL(string: "http://127.0.0.1:9")!), accessKeyID: "k",
            secretAccessKey: "s")
        do {
            _ = try await client.get(key: "k")
            Issue.record("a request to a closed port answered")
        } catch .unreachable(let endpoint, _) {
            #expect(endpoint == "http://127.0.0.1:9")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, and a clear error without them")
    func credentials() {
        let location = S3Location(bucket: "bucket", endpoint: URL(string: "http://127.0.0.1:9")!)
        #expect(throws: S3Error.accessDenied(code: "NoCredentials", message: "AWS_ACCESS_KEY_ID is not set")) {
            try S3ObjectClient(location: location, environment: [:])
        }
        #expect(throws: S3Error.accessDenied(code: "NoCredentials", message: "AWS_SECRET_ACCESS_KEY is not set")) {
            try S3ObjectClient(location: location, environment: ["AWS_ACCESS_KEY_ID": "k"])
        }
        #expect((try? S3ObjectClient(location: location, environment: ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"])) != nil)
    }

    @Test("S3's XML error body: code and message")
    func errorBody() {
        let body = Data("<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Reduce your rate</Message></Error>".utf8)
        #expect(S3ObjectClient.errorDetail(body) == ("SlowDown", "Reduce your rate"))
        #expect(S3ObjectClient.errorDetail(Data("<html>".utf8)) == ("", ""))
    }
}
