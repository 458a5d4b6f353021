//! Table-driven tests of the free-text rule and the search folding.

use super::*;

#[test]
fn refused_characters_by_kind() {
    // (input, kind, refused character or None when accepted)
    let cases: &[(&str, TextKind, Option<char>)] = &[
        ("旅券の申請", TextKind::Name, None),
        ("a\u{1}b", TextKind::Name, Some('\u{1}')),
        ("a\u{1b}[31mred", TextKind::Comment, Some('\u{1b}')),
        ("a\u{7f}", TextKind::Name, Some('\u{7f}')),
        ("a\u{85}", TextKind::Comment, Some('\u{85}')),
        ("a\u{9f}", TextKind::Name, Some('\u{9f}')),
        ("a\rb", TextKind::Comment, Some('\r')),
        ("a\rb", TextKind::Name, Some('\r')),
        ("line 1\nline 2", TextKind::Name, Some('\n')),
        ("col\tcol", TextKind::Search, Some('\t')),
        ("line 1\nline 2\tindented", TextKind::Comment, None),
        ("a\u{2028}b", TextKind::Comment, Some('\u{2028}')),
        ("a\u{2029}b", TextKind::Name, Some('\u{2029}')),
        ("abc\u{202E}gpj.exe", TextKind::Name, Some('\u{202E}')),
        ("a\u{2066}b", TextKind::Name, Some('\u{2066}')),
        ("a\u{FFFF}", TextKind::Name, Some('\u{FFFF}')),
        ("a\u{FDD0}", TextKind::Name, Some('\u{FDD0}')),
        ("a\u{1FFFE}", TextKind::Name, Some('\u{1FFFE}')),
        // Marks, joiners and private-use 外字 occur in real text and stay allowed.
        ("a\u{200E}b\u{200D}c\u{E000}", TextKind::Name, None),
    ];
    for &(input, kind, refused) in cases {
        let got = clean("f", kind, input);
        match refused {
            None => assert!(got.is_ok(), "{input:?} as {kind:?} refused: {got:?}"),
            Some(ch) => assert!(
                matches!(got, Err(TextError { problem: TextProblem::Forbidden { ch: c, .. }, .. }) if c == ch),
                "{input:?} as {kind:?}: {got:?}"
            ),
        }
    }
}

#[test]
fn nul_is_refused_in_every_kind_with_the_field_named() {
    for kind in TextKind::ALL {
        let err = clean("name", kind, "ab\0c").unwrap_err();
        assert_eq!(err.problem, TextProblem::Nul, "{kind:?}");
        assert_eq!(err.field, "name");
        assert_eq!(err.to_string(), "name must not contain the NUL character");
    }
}

#[test]
fn control_character_position_is_reported() {
    let err = clean("comment", TextKind::Name, "ab\u{7}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "comment must not contain the control character U+0007 (character 3)"
    );
}

#[test]
fn crlf_becomes_lf_in_multi_line_kinds_only() {
    assert_eq!(clean("c", TextKind::Comment, "a\r\nb").unwrap(), "a\nb");
    assert!(clean("c", TextKind::Name, "a\r\nb").is_err());
}

#[test]
fn text_is_stored_composed() {
    let decomposed = "か\u{3099}いこく"; // か + combining voiced mark
    let stored = clean("name", TextKind::Name, decomposed).unwrap();
    assert_eq!(stored, "がいこく");
    assert_eq!(clean("name", TextKind::Name, "e\u{301}").unwrap(), "é");
    // NFC keeps compatibility forms: only searches fold widths.
    assert_eq!(clean("name", TextKind::Name, "ｼﾝｾｲ").unwrap(), "ｼﾝｾｲ");
}

#[test]
fn limits_count_characters_after_nfc() {
    for kind in TextKind::ALL {
        let max = kind.max_chars();
        assert!(
            clean("f", kind, &"あ".repeat(max)).is_ok(),
            "{kind:?} at limit"
        );
        let err = clean("f", kind, &"あ".repeat(max + 1)).unwrap_err();
        assert_eq!(
            err.problem,
            TextProblem::TooLong { max, got: max + 1 },
            "{kind:?}"
        );
    }
    // 200 decomposed が are 400 scalar values but 200 characters once composed.
    let decomposed = "か\u{3099}".repeat(MAX_NAME_CHARS);
    assert_eq!(
        clean("name", TextKind::Name, &decomposed)
            .unwrap()
            .chars()
            .count(),
        MAX_NAME_CHARS
    );
    // An enormous value is refused by length before it is scanned or normalised.
    let huge = "x".repeat(60_000);
    assert!(matches!(
        clean("search", TextKind::Search, &huge)
            .unwrap_err()
            .problem,
        TextProblem::TooLong { got: 60_000, .. }
    ));
}

#[test]
fn search_folds_widths_and_case() {
    let cases = [
        ("ＫＡＮＫＹＯ-００１２", "kankyo-0012"),
        ("KANKYO-0012", "kankyo-0012"),
        ("ｼﾝｾｲ", "シンセイ"),
        ("ｶﾞｲｺｸ", "ガイコク"),
        ("シンセイ", "シンセイ"),
        ("Passport 旅券", "passport 旅券"),
        ("か\u{3099}", "が"),
    ];
    for (input, folded) in cases {
        assert_eq!(fold_for_search(input), folded, "{input}");
    }
}

#[test]
fn every_workflow_key_passes_as_an_identifier() {
    let longest = "a".repeat(crate::workflow::validate::MAX_KEY_LEN);
    assert_eq!(
        clean("to", TextKind::Identifier, &longest).unwrap(),
        longest
    );
}
