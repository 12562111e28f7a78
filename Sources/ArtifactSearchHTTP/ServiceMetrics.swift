import Foundation
import Hummingbird
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`, text exposition format 0.0.4):
///
/// - `artifact_search_http_requests_total{route, method, status}` — counter;
/// - `artifact_search_http_request_duration_seconds{route, method}` — histogram, from the
///   request's arrival to its response's head (a streamed body's transfer is not included);
/// - `artifact_search_artifacts`, `artifact_search_index_documents`,
///   `artifact_search_index_segments`, `artifact_search_index_tail_documents` — gauges,
///   read when scraped.
///
/// `route` is the matched route's template (`/v1/artifacts/{id}`), never the raw path, so
/// ids do not multiply the series; unmatched paths count under Hummingbird's `NotFound`.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    func record(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "artifact_search", subsystem: "http", metricName: "requests", unitName: "total",
                helpText: "HTTP requests answered, by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "artifact_search", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from a request's arrival to its response's head."),
            labels: [("route", route), ("method", method)], buckets: Self.buckets
        ).record(duration)
    }

    /// Sets a gauge read at scrape time.
    func set(_ name: String, _ value: Int, help: String) {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "artifact_search", metricName: name, unitName: "", helpText: help))
            .set(Double(value))
    }

    func render() -> String { registry.emitToString() }
}

/// Outermost middleware: turns every thrown error into its JSON answer (``APIError``) and
/// records each request in ``ServiceMetrics``.
struct ObservingMiddleware: RouterMiddleware {
    typealias Context = ArtifactRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status.code >= 500 {
                context.logger.error("\(request.method) \(request.uri.path): \(apiError)\(apiError.detail.map { " — \($0)" } ?? "")")
            }
            response = try apiError.response(from: request, context: context)
        }
        metrics.record(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: Int(response.status.code),
            duration: ContinuousClock.now - start)
        return response
    }
}
