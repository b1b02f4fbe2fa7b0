import Foundation
import FoundationXML
import Testing
@testable import FadeModel

/// Collects element names and class attributes while parsing.
final class ElementCollector: NSObject, XMLParserDelegate {
    var names: [String] = []
    var classes: [String] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        names.append(elementName)
        if let name = attributes["class"] { classes.append(name) }
    }
}

@Suite("SVG chart")
struct FadeChartTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func parse(_ svg: String) -> (ok: Bool, collector: ElementCollector) {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        return (parser.parse(), collector)
    }

    @Test("parses as XML and draws the band, curve, threshold, crossing and every observation")
    func drawsEverything() throws {
        let start = now.addingTimeInterval(-2 * FadeTimeline.secondsPerYear)
        let observations = [0.5, 1.0, 1.5].map {
            FadeObservation(date: start.addingTimeInterval($0 * FadeTimeline.secondsPerYear), density: 1 - 0.1 * $0)
        }
        let subject = FadeSubject(
            id: "c", sessions: [start], covariates: Covariates(uvExposure: .high), observations: observations)
        let prediction = try FadePredictor().predict(subject: subject, parameters: .prior, now: now)
        let svg = FadeChart.svg(prediction: prediction, observations: observations)
        // The due-date label lies on the side of its line with room for it: never cut off at the right edge.
        let label = try #require(svg.components(separatedBy: "\n").first { $0.contains(">touch-up due ") })
        let crossing = try #require(prediction.crossingDate)
        let dates = prediction.curve.map(\.date) + observations.map(\.date)
        let middle = try #require(dates.min()).addingTimeInterval(
            try #require(dates.max()).timeIntervalSince(try #require(dates.min())) / 2)
        #expect(label.contains(crossing > middle ? "text-anchor=\"end\"" : "text-anchor=\"start\""), "\(label)")
        let (ok, collector) = parse(svg)
        #expect(ok)
        #expect(collector.names.first == "svg")
        #expect(collector.classes.filter { $0 == "observation" }.count == 3)
        for part in ["band", "curve", "threshold", "crossing", "interval"] {
            #expect(collector.classes.contains(part), "missing \(part)")
        }
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test("renders a valid placeholder when there is not enough data")
    func placeholderIsValid() {
        let prediction = FadePrediction.notEnoughData(.noSessions, threshold: 0.6, form: .exponential)
        let svg = FadeChart.svg(prediction: prediction, observations: [])
        let (ok, collector) = parse(svg)
        #expect(ok)
        #expect(collector.names.contains("text"))
        #expect(!collector.classes.contains("curve"))
    }

    @Test("escapes XML special characters in text")
    func escapes() {
        #expect(FadeChart.escape("a<b & \"c\">'d'") == "a&lt;b &amp; &quot;c&quot;&gt;&apos;d&apos;")
    }
}
