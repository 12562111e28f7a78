import Foundation

struct User: Codable, Equatable, Sendable {
    let id: Int
    var name: String
    var email: String
}

enum RepositoryError: Error {
    case notFound(id: Int)
    case decoding(underlying: Error)
}

final class UserRepository: Sendable {
    private let baseURL: URL
    private let session: URLSession

    init(baseURL: URL, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.session = session
    }

    /// Fetches one user; throws `RepositoryError.notFound` on 404.
    func getUserById(_ id: Int) async throws -> User {
        let url = baseURL.appendingPathComponent("users/\(id)")
        let (data, response) = try await session.data(from: url)
        if let http = response as? HTTPURLResponse, http.statusCode == 404 {
            throw RepositoryError.notFound(id: id)
        }
        do { return try JSONDecoder().decode(User.self, from: data) }
        catch { throw RepositoryError.decoding(underlying: error) }
    }
}
