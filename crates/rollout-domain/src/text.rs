//! The one rule for free text: every string a person or a file gives the system passes through
//! [`clean`] before it is checked further or stored, and every search compares
//! [`fold_for_search`] forms.
//!
//! [`clean`] normalises to Unicode NFC (so `か` + U+3099 and `が` are one stored value), refuses
//! NUL and other characters that are never text (see [`is_refused`]), allows newline and tab only
//! in multi-line kinds, and counts the length in characters after normalisation, against the
//! kind's limit. It does not trim and does not judge the shape of a value (a procedure code's
//! pattern, an e-mail's `@`): the validating constructors do that after this rule has run.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// Codes typed by people: bureau and procedure codes.
pub const MAX_CODE_CHARS: usize = 32;
/// Short names and titles: procedure and bureau names, display names.
pub const MAX_NAME_CHARS: usize = 200;
/// An e-mail address (RFC 5321's limit on a forward path).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Multi-line text: transition comments, approval comments and reasons, notes, descriptions.
pub const MAX_COMMENT_CHARS: usize = 4_000;
/// A search term. Short enough that no database's pattern matcher meets its limits.
pub const MAX_SEARCH_CHARS: usize = 200;
/// A client-chosen idempotency key.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;
/// What an API token is for.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// Keys and identifiers: workflow state keys (a workflow file allows 40 characters), audit
/// actions, target types and target ids (uuids or codes).
pub const MAX_IDENTIFIER_CHARS: usize = 100;

/// What a string is for, which decides its length limit and whether it may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Code,
    Name,
    Email,
    /// Multi-line: newline and tab are allowed, a CR LF pair is stored as LF.
    Comment,
    Search,
    IdempotencyKey,
    TokenName,
    Identifier,
}

impl TextKind {
    /// Every kind, for documentation and tests.
    pub const ALL: [Self; 8] = [
        Self::Code,
        Self::Name,
        Self::Email,
        Self::Comment,
        Self::Search,
        Self::IdempotencyKey,
        Self::TokenName,
        Self::Identifier,
    ];

    /// The most characters (Unicode scalar values, after NFC) a value of this kind may have.
    pub const fn max_chars(self) -> usize {
        match self {
            Self::Code => MAX_CODE_CHARS,
            Self::Name => MAX_NAME_CHARS,
            Self::Email => MAX_EMAIL_CHARS,
            Self::Comment => MAX_COMMENT_CHARS,
            Self::Search => MAX_SEARCH_CHARS,
            Self::IdempotencyKey => MAX_IDEMPOTENCY_KEY_CHARS,
            Self::TokenName => MAX_TOKEN_NAME_CHARS,
            Self::Identifier => MAX_IDENTIFIER_CHARS,
        }
    }

    pub const fn multi_line(self) -> bool {
        matches!(self, Self::Comment)
    }
}

/// Why a string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    Nul,
    /// A control or invisible formatting character, at this 1-based character position.
    Forbidden {
        ch: char,
        position: usize,
    },
    TooLong {
        max: usize,
        got: usize,
    },
}

/// A refused string: which field, and why. The message ("name must not contain the NUL
/// character") is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct TextError {
    pub field: String,
    pub problem: TextProblem,
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nul => f.write_str("must not contain the NUL character"),
            Self::Forbidden { ch, position } => write!(
                f,
                "must not contain the control character U+{:04X} (character {position})",
                u32::from(*ch)
            ),
            Self::TooLong { max, got } => {
                write!(f, "must be at most {max} characters (got {got})")
            }
        }
    }
}

/// Whether `c` is refused in a value of `kind`.
///
/// Refused: the C0 and C1 controls and DEL (general category Cc), except `\n` and `\t` in
/// multi-line kinds; U+2028/U+2029 (line breaks that JavaScript and log readers treat as such
/// although they are not `\n`); the bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069), which make a name display as something other than what it is ("Trojan
/// source"); and the Unicode noncharacters. The left-to-right and right-to-left marks, zero-width
/// joiners and private-use characters (Japanese 外字) stay allowed: they occur in real text.
pub fn is_refused(c: char, kind: TextKind) -> bool {
    match c {
        '\n' | '\t' => !kind.multi_line(),
        '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        '\u{FDD0}'..='\u{FDEF}' => true,
        c if (u32::from(c) & 0xFFFE) == 0xFFFE => true,
        c => c.is_control(),
    }
}

/// `raw` in NFC if it is acceptable text of `kind`; otherwise which rule it broke, reported for
/// `field`. Length is checked first on the raw input, so an enormous value is refused without
/// normalising it (NFC never makes a string longer than its raw form has scalar values).
pub fn clean(field: &str, kind: TextKind, raw: &str) -> Result<String, TextError> {
    let refuse = |problem| TextError {
        field: field.to_owned(),
        problem,
    };
    let max = kind.max_chars();
    // NFC can shrink a string (combining marks compose) but a value over 4× the limit in raw
    // scalar values cannot come back under it in practice; refusing it early bounds the work.
    let raw_chars = raw.chars().count();
    if raw_chars > max.saturating_mul(4) {
        return Err(refuse(TextProblem::TooLong {
            max,
            got: raw_chars,
        }));
    }
    let unified;
    let raw = if kind.multi_line() && raw.contains("\r\n") {
        unified = raw.replace("\r\n", "\n");
        unified.as_str()
    } else {
        raw
    };
    if raw.contains('\0') {
        return Err(refuse(TextProblem::Nul));
    }
    if let Some((i, ch)) = raw.chars().enumerate().find(|&(_, c)| is_refused(c, kind)) {
        return Err(refuse(TextProblem::Forbidden {
            ch,
            position: i + 1,
        }));
    }
    // Most values (codes, e-mail addresses, most Japanese names) are already NFC: the quick
    // check says so without building a second string, which every decoded code used to pay.
    let normal: String = match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => raw.to_owned(),
        _ => raw.nfc().collect(),
    };
    let got = normal.chars().count();
    if got > max {
        return Err(refuse(TextProblem::TooLong { max, got }));
    }
    Ok(normal)
}

/// The form in which searches compare text: NFKC (full-width `ＫＡＮＫＹＯ` is `KANKYO`,
/// half-width `ｼﾝｾｲ` is `シンセイ`) and then lower case, so that what Japanese users type in either
/// width, in either case, finds the same things. Stores keep this form of each searchable value
/// beside it and compare the folded term with it.
pub fn fold_for_search(s: &str) -> String {
    s.nfkc().collect::<String>().to_lowercase()
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
