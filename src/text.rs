//! Text as the engine quotes it: cutting long values short, and naming the characters a reader
//! cannot see (controls, bidirectional overrides, zero-width characters).
//!
//! Every place that quotes a value in a message cuts it with [`truncate`]; every check that
//! refuses an invisible character names it with [`describe_char`]; a value that is not one of a
//! known list gets its likely meaning from [`closest`].

/// `text` cut to at most `max` characters, with `…` after a cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// The candidate a mistyped `word` most likely meant: the nearest by edit distance (case folded,
/// `-` read as `_`), when it is near enough to be a typo (at most one edit in three characters,
/// and at least one) and no other candidate is as near. For "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .map(|c| {
                if c == '-' {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let word = fold(word);
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for candidate in candidates {
        let d = edit_distance(&word, &fold(candidate));
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, candidate));
                tied = false;
            }
        }
    }
    let (d, candidate) = best?;
    let allowed = (word.len().min(candidate.chars().count()) / 3).max(1);
    (d <= allowed && !tied).then_some(candidate)
}

/// Levenshtein distance, one row at a time.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A C0 or C1 control character, or DEL: anything that can move a terminal's cursor, ring its
/// bell or start an escape sequence.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// A character that changes the direction of the text around it (Unicode's bidirectional
/// formatting characters, the marks included): it can make a text read differently from what it
/// contains.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that takes no visible room: zero-width characters, joiners, fillers, soft hyphen.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// `U+001B ESCAPE`: the code point and, where known, its Unicode name.
pub fn describe_char(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    match char_name(c) {
        Some(name) => format!("{code} {name}"),
        None if is_control(c) => format!("{code} (a control character)"),
        None => code,
    }
}

const C0_NAMES: [&str; 32] = [
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "BELL",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
];

fn char_name(c: char) -> Option<&'static str> {
    let code = u32::from(c);
    if code < 0x20 {
        return Some(C0_NAMES[code as usize]);
    }
    Some(match c {
        '\u{7F}' => "DELETE",
        '\u{85}' => "NEXT LINE",
        '\u{9B}' => "CONTROL SEQUENCE INTRODUCER",
        '\u{9D}' => "OPERATING SYSTEM COMMAND",
        '\u{A0}' => "NO-BREAK SPACE",
        '\u{AD}' => "SOFT HYPHEN",
        '\u{34F}' => "COMBINING GRAPHEME JOINER",
        '\u{61C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{2000}'..='\u{200A}' => "a space of fixed width",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}'..='\u{2064}' => "an invisible mathematical operator",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FE00}'..='\u{FE0F}' => "a variation selector",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        '\u{FFFD}' => "REPLACEMENT CHARACTER",
        _ => return None,
    })
}

/// `text` with every control and bidirectional character written out visibly (`\x1B`,
/// `\u{202E}`), so a text from elsewhere can neither drive a terminal nor reorder what a reader
/// sees. Line breaks and tabs become a space.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_control(c) => out.push_str(&format!("\\x{:02X}", u32::from(c))),
            c if is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_a_near_typo_and_nothing_for_a_far_or_ambiguous_word() {
        let scopes = ["api", "read_api", "read_user", "write_repository", "sudo"];
        assert_eq!(closest("apii", scopes), Some("api"));
        assert_eq!(closest("READ-API", scopes), Some("read_api"));
        assert_eq!(closest("raed_api", scopes), Some("read_api"));
        assert_eq!(closest("writerepository", scopes), Some("write_repository"));
        assert_eq!(closest("admin", scopes), None);
        assert_eq!(closest("xyz", scopes), None);
        // read_apu is one edit from read_api and two from read_user: not a tie.
        assert_eq!(closest("read_apu", scopes), Some("read_api"));
        assert_eq!(closest("ab", ["ac", "ad"]), None, "a tie suggests nothing");
    }

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "abc…");
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn invisible_characters_are_named() {
        assert_eq!(describe_char('\u{1B}'), "U+001B ESCAPE");
        assert_eq!(describe_char('\0'), "U+0000 NULL");
        assert_eq!(describe_char('\u{202E}'), "U+202E RIGHT-TO-LEFT OVERRIDE");
        assert_eq!(describe_char('\u{9F}'), "U+009F (a control character)");
        assert_eq!(describe_char('x'), "U+0078");
    }

    #[test]
    fn escapes_leave_nothing_a_terminal_acts_on() {
        let hostile = "\u{1b}[2J\u{1b}[HToken created\u{7}\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}x";
        let shown = escape_controls(hostile);
        assert!(
            !shown.chars().any(|c| is_control(c) || is_bidi_control(c)),
            "{shown}"
        );
        assert_eq!(
            shown,
            "\\x1B[2J\\x1B[HToken created\\x07\\x1B]0;pwned\\x07\\x9B31m\\u{202E}x"
        );
        assert_eq!(escape_controls("a\nb\tc"), "a b c");
    }
}
