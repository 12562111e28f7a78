import Testing
@testable import HybridSearch

@Suite("Analysis")
struct AnalyzerTests {
    let plain = StandardAnalyzer(stopWords: [], stemming: false)

    @Test("identifiers are indexed whole and in parts", arguments: [
        ("atomic_write_json", ["atomic_write_json", "atomic", "write", "json"]),
        ("getUserById", ["getuserbyid", "get", "user", "by", "id"]),
        ("parseHTTPResponse2", ["parsehttpresponse2", "parse", "http", "response", "2"]),
        ("__init__", ["init"]),
        ("x86_64", ["x86_64", "86", "64"]),
    ])
    func identifiers(input: String, expected: [String]) {
        #expect(plain.terms(in: input) == expected)
    }

    @Test("user text is never query syntax", arguments: [
        ("multi-agent", ["multi", "agent"]),
        ("don't", ["don", "t"]),
        ("TODO: fix", ["todo", "fix"]),
        ("c++", ["c"]),
        ("NOT", ["not"]),
        ("38.101", ["38", "101"]),
        ("title:foo AND (bar OR \"baz\")*", ["title", "foo", "and", "bar", "or", "baz"]),
    ])
    func plainText(input: String, expected: [String]) {
        #expect(plain.terms(in: input) == expected)
    }

    @Test("NFKC and case folding: full-width and ligatures fold to ASCII")
    func normalization() {
        #expect(plain.terms(in: "ＡＢＣ") == ["abc"])
        #expect(plain.terms(in: "ﬁle") == ["file"])
        #expect(plain.terms(in: "ÉCOLE École") == ["école", "école"])
    }

    @Test("CJK runs become overlapping bigrams; a lone character stays")
    func cjk() {
        #expect(plain.terms(in: "東京都") == ["東京", "京都"])
        #expect(plain.terms(in: "猫 and 犬") == ["猫", "and", "犬"])
        #expect(plain.terms(in: "検索エンジン") == ["検索", "索エ", "エン", "ンジ", "ジン"])
        #expect(plain.terms(in: "hello世界") == ["hello", "世界"])
    }

    @Test("stop words and stemming; whole identifiers are never stemmed")
    func stopWordsAndStemming() {
        let analyzer = StandardAnalyzer()
        #expect(analyzer.terms(in: "the running of the tests") == ["run", "test"])
        #expect(analyzer.terms(in: "the of and").isEmpty)
        #expect(analyzer.terms(in: "parse_running_args") == ["parse_running_args", "pars", "run", "arg"])
    }

    @Test("tokens longer than the bound are skipped, never an error")
    func longTokens() {
        let long = String(repeating: "a", count: 65)
        #expect(plain.terms(in: long + " ok") == ["ok"])
        #expect(plain.terms(in: String(repeating: "b", count: 64)).count == 1)
        let analyzer = StandardAnalyzer(tokenizer: StandardTokenizer(maximumTokenBytes: 8), stopWords: [], stemming: false)
        #expect(analyzer.terms(in: "averyverylong_id") == ["averyverylong_id"].filter { $0.utf8.count <= 8 } + ["id"])
    }

    @Test("Porter stemmer matches the published examples", arguments: [
        ("caresses", "caress"), ("ponies", "poni"), ("ties", "ti"), ("caress", "caress"),
        ("cats", "cat"), ("feed", "feed"), ("agreed", "agre"), ("plastered", "plaster"),
        ("bled", "bled"), ("motoring", "motor"), ("sing", "sing"), ("conflated", "conflat"),
        ("troubled", "troubl"), ("sized", "size"), ("hopping", "hop"), ("tanned", "tan"),
        ("falling", "fall"), ("hissing", "hiss"), ("fizzed", "fizz"), ("failing", "fail"),
        ("filing", "file"), ("happy", "happi"), ("sky", "sky"), ("relational", "relat"),
        ("conditional", "condit"), ("rational", "ration"), ("digitizer", "digit"),
        ("radically", "radic"), ("differently", "differ"), ("vietnamization", "vietnam"),
        ("predication", "predic"), ("operator", "oper"), ("feudalism", "feudal"),
        ("decisiveness", "decis"), ("hopefulness", "hope"), ("callousness", "callous"),
        ("formality", "formal"), ("sensitivity", "sensit"), ("sensibility", "sensibl"),
        ("triplicate", "triplic"), ("formative", "form"), ("formalize", "formal"),
        ("electricity", "electr"), ("electrical", "electr"), ("hopeful", "hope"),
        ("goodness", "good"), ("revival", "reviv"), ("allowance", "allow"), ("inference", "infer"),
        ("airliner", "airlin"), ("adjustable", "adjust"), ("defensible", "defens"),
        ("irritant", "irrit"), ("replacement", "replac"), ("adjustment", "adjust"),
        ("dependent", "depend"), ("adoption", "adopt"), ("communism", "commun"),
        ("activate", "activ"), ("homologous", "homolog"), ("effective", "effect"),
        ("bowdlerize", "bowdler"), ("probate", "probat"), ("rate", "rate"), ("cease", "ceas"),
        ("controlling", "control"), ("roll", "roll"), ("generalizations", "gener"),
        ("oscillators", "oscil"), ("a", "a"), ("is", "is"), ("x2y", "x2y"),
    ])
    func porter(word: String, stem: String) {
        #expect(PorterStemmer().stem(word) == stem)
    }
}
