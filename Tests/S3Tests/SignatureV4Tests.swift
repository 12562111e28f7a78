import Foundation
import Testing

@testable import ArtifactSearchS3

/// Signature V4 against the examples AWS publishes (Amazon S3 API reference, "Examples:
/// Signature calculations in AWS Signature Version 4", and the SigV4 test suite).
@Suite("Signature V4")
struct SignatureV4Tests {
    /// 2013-05-24T00:00:00Z, the S3 examples' time.
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)
    static let s3Example = SignatureV4(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")

    static func authorization(_ signer: SignatureV4, _ request: SignatureV4.Request, date: Date) -> String {
        signer.sign(request, date: date).first { $0.name == "Authorization" }!.value
    }

    @Test("GET an object's first 10 bytes (S3 example): the canonical request, string to sign and signature")
    func getObject() {
        let request = SignatureV4.Request(
            method: "GET", path: "/test.txt",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", SignatureV4.emptyPayloadSHA256),
            ],
            payloadSHA256: SignatureV4.emptyPayloadSHA256)
        var dated = request
        dated.headers.append(("x-amz-date", "20130524T000000Z"))
        let canonical = SignatureV4.canonicalRequest(dated).text
        #expect(canonical == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(
            SignatureV4.stringToSign(canonical: canonical, dateTime: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request")
                .hasSuffix("\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"))
        #expect(
            Self.authorization(Self.s3Example, request, date: Self.exampleDate)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("PUT an object whose key needs encoding ($), with a Date and a storage class (S3 example)")
    func putObject() {
        let payload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"  // "Welcome to Amazon S3."
        let request = SignatureV4.Request(
            method: "PUT", path: "/test$file.text",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", payload),
            ],
            payloadSHA256: payload)
        #expect(Self.authorization(Self.s3Example, request, date: Self.exampleDate).hasSuffix(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test("GET a bucket's lifecycle (a query item without a value) and a listing (query items sorted) (S3 examples)")
    func bucketRequests() {
        let headers = [("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-content-sha256", SignatureV4.emptyPayloadSHA256)]
        let lifecycle = SignatureV4.Request(
            method: "GET", path: "/", query: [("lifecycle", "")], headers: headers, payloadSHA256: SignatureV4.emptyPayloadSHA256)
        #expect(Self.authorization(Self.s3Example, lifecycle, date: Self.exampleDate).hasSuffix(
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
        let listing = SignatureV4.Request(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: headers,
            payloadSHA256: SignatureV4.emptyPayloadSHA256)
        #expect(Self.authorization(Self.s3Example, listing, date: Self.exampleDate).hasSuffix(
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test("The SigV4 test suite's get-vanilla-query-order-key-case (another service, no payload header)")
    func testSuiteQueryOrder() {
        let signer = SignatureV4(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1",
            service: "service")
        let request = SignatureV4.Request(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com")], payloadSHA256: SignatureV4.emptyPayloadSHA256)
        // 2015-08-30T12:36:00Z
        #expect(
            Self.authorization(signer, request, date: Date(timeIntervalSince1970: 1_440_938_160))
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                + "SignedHeaders=host;x-amz-date,Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test("Encoding: unreserved bytes kept, '/' only in paths, everything else %XX upper-case (UTF-8 bytes)")
    func encoding() {
        #expect(SignatureV4.encode("a-b_c.d~e/f g+h$é", keepingSlash: true) == "a-b_c.d~e/f%20g%2Bh%24%C3%A9")
        #expect(SignatureV4.encode("x/y=z&", keepingSlash: false) == "x%2Fy%3Dz%26")
    }

    @Test("s3:// locations: bucket, prefix, endpoint and region, and what is refused")
    func locations() throws {
        let location = try S3Location(parsing: "s3://my-bucket/team/a?endpoint=http://127.0.0.1:9000&region=eu-west-1")
        #expect(location.bucket == "my-bucket" && location.prefix == "team/a" && location.region == "eu-west-1")
        #expect(location.endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(try S3Location(parsing: "s3://bucket.one").endpoint.absoluteString == "https://s3.us-east-1.amazonaws.com")
        for bad in ["http://bucket", "s3://", "s3://UPPER", "s3://ab", "s3://b_c", "s3://bucket?color=red", "s3://bucket?endpoint=ftp://x",
            "s3://bucket?region=", "s3://bucket/a+b"]
        {
            #expect(throws: S3Error.self, "\(bad)") { try S3Location(parsing: bad) }
        }
    }
}
