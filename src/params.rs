//! The one mapping from the protocol's parameter names to the cmdlets' parameters, so every
//! message names what the user typed (`-ExpiresAt`), not the wire name (`expires_at`).
//!
//! The error's `parameter` field keeps the protocol name (scripts and the module match on it);
//! only the human message uses the cmdlet's. [`crate::error::Error::invalid`] passes every
//! message through [`in_cmdlet_words`], so a protocol name with an underscore can never reach
//! the user; messages about one-word parameters (`name`, `user`) name them with [`shown`].
//!
//! The names are those of the cmdlets (New-, Get-,
//! Invoke-…Rotation and Revoke-GitlabPersonalAccessToken), as their help pages in docs/help list them.

/// Protocol name → the cmdlet parameter that carries it.
pub const CMDLET_PARAMETERS: [(&str, &str); 34] = [
    ("user", "-UserId"),
    ("name", "-Name"),
    ("scopes", "-Scope"),
    ("expires_at", "-ExpiresAt"),
    ("expire_in_months", "-ExpireInMonths"),
    ("site_url", "-SiteUrl"),
    ("copy_to_clipboard", "-CopyToClipboard"),
    ("token_id", "-TokenId"),
    ("mine", "-Mine"),
    ("created_after", "-CreatedAfter"),
    ("created_before", "-CreatedBefore"),
    ("last_used_after", "-LastUsedAfter"),
    ("last_used_before", "-LastUsedBefore"),
    ("expires_after", "-ExpiresAfter"),
    ("expires_before", "-ExpiresBefore"),
    ("state", "-State"),
    ("revoked", "-Revoked"),
    ("search", "-Search"),
    ("active", "-Active"),
    ("force", "-Force"),
    ("url", "-Url"),
    ("access_token", "-AccessToken"),
    ("proxy_url", "-ProxyUrl"),
    ("is_default", "-IsDefault"),
    ("skip_validation", "-SkipValidation"),
    ("default_only", "-DefaultSite"),
    ("save_to_config", "-SaveToConfig"),
    // Issue 12's group and project token cmdlets (written in C#): the owner is -GroupId or
    // -ProjectId, which messages name themselves.
    ("owner", "the owner (-GroupId, -ProjectId)"),
    ("description", "-Description"),
    ("access_level", "-AccessLevel"),
    ("sort", "-Sort"),
    ("working_directory", "the working directory"),
    // Paging is the module's own (-All, -MaxPages); the engine's page parameters have no cmdlet
    // parameter and keep their names.
    ("page", "page"),
    ("per_page", "page size"),
];

/// How a message names the protocol parameter `name`: its cmdlet parameter, or the name itself
/// when it has none.
pub fn shown(name: &str) -> &str {
    CMDLET_PARAMETERS
        .iter()
        .find(|(protocol, _)| *protocol == name)
        .map_or(name, |(_, cmdlet)| cmdlet)
}

/// `message` with every protocol name that has an underscore (`expires_at`, `site_url`, …),
/// standing as a word of its own, replaced by its cmdlet parameter. Quoted values (`'…'`, what
/// the user typed) are left exactly as they are.
pub fn in_cmdlet_words(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (text, quoted) in quote_spans(message) {
        if quoted {
            out.push_str(text);
            continue;
        }
        let mut part = text.to_string();
        for (protocol, cmdlet) in CMDLET_PARAMETERS {
            if protocol.contains('_') {
                part = replace_word(&part, protocol, cmdlet);
            }
        }
        out.push_str(&part);
    }
    out
}

/// `message` cut into plain and quoted spans. A quote opens at a `'` not preceded by a letter or
/// digit (so the apostrophe of "GitLab's" opens nothing) and closes at the next `'` not followed
/// by one.
fn quote_spans(message: &str) -> Vec<(&str, bool)> {
    let mut spans = Vec::new();
    let mut start = 0;
    let mut open: Option<usize> = None;
    let chars: Vec<(usize, char)> = message.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if c != '\'' {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j].1);
        let after = chars.get(i + 1).map(|&(_, c)| c);
        match open {
            None if !before.is_some_and(char::is_alphanumeric) => {
                spans.push((&message[start..at], false));
                open = Some(at);
                start = at;
            }
            Some(_) if !after.is_some_and(char::is_alphanumeric) => {
                spans.push((&message[start..at + 1], true));
                open = None;
                start = at + 1;
            }
            _ => {}
        }
    }
    spans.push((&message[start..], open.is_some()));
    spans
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before_ok = !rest[..at].chars().next_back().is_some_and(is_word_char);
        let after = &rest[at + word.len()..];
        let after_ok = !after.chars().next().is_some_and(is_word_char);
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { with } else { word });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_become_the_cmdlets_words() {
        assert_eq!(
            in_cmdlet_words("expires_at 2020-01-01 is in the past"),
            "-ExpiresAt 2020-01-01 is in the past"
        );
        assert_eq!(
            in_cmdlet_words("expire_in_months is 0; use expires_at or expire_in_months."),
            "-ExpireInMonths is 0; use -ExpiresAt or -ExpireInMonths."
        );
        // Not inside other words, paths or JSON keys that merely contain them.
        assert_eq!(in_cmdlet_words("my_expires_at_x"), "my_expires_at_x");
        // Never inside what the user typed, quoted.
        assert_eq!(
            in_cmdlet_words("'site_url' is neither a user id; GitLab's site_url"),
            "'site_url' is neither a user id; GitLab's -SiteUrl"
        );
        assert_eq!(
            in_cmdlet_words("expires_at 'expires_at' is not a date"),
            "-ExpiresAt 'expires_at' is not a date"
        );
        assert_eq!(shown("user"), "-UserId");
        assert_eq!(shown("scopes"), "-Scope");
        assert_eq!(shown("unknown"), "unknown");
    }

    /// Every parameter of every protocol command is in the table.
    #[test]
    fn every_protocol_parameter_is_mapped() {
        let schema = crate::protocol::schema();
        let defs = schema["request"]["$defs"]
            .as_object()
            .expect("request $defs");
        let mut seen = 0;
        for (name, def) in defs {
            if !name.ends_with("Params") {
                continue;
            }
            for field in def["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                seen += 1;
                assert!(
                    CMDLET_PARAMETERS.iter().any(|(p, _)| p == field),
                    "{name}.{field} has no cmdlet name in CMDLET_PARAMETERS"
                );
            }
        }
        assert!(seen > 20, "only {seen} parameters found in the schema");
    }

    /// Every cmdlet name is a parameter of a cmdlet: its help page (`docs/help/<Cmdlet>.md`, which
    /// the Pester help tests hold equal to the cmdlets' metadata) has a `### -Name` section.
    #[test]
    fn every_cmdlet_name_is_a_parameter_of_the_module() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/help");
        let mut text = String::new();
        for entry in std::fs::read_dir(&dir).expect("docs/help") {
            text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        for (_, cmdlet) in CMDLET_PARAMETERS {
            let Some(name) = cmdlet.strip_prefix('-') else {
                continue;
            };
            // Issue 12's -Description, -AccessLevel and -Sort are written on the compiled module
            // (not here yet).
            if ["Description", "AccessLevel", "Sort"].contains(&name) {
                continue;
            }
            assert!(
                text.contains(&format!("### -{name}\n")),
                "no cmdlet has -{name}"
            );
        }
    }

    #[test]
    fn every_cmdlet_name_is_distinct_and_every_protocol_name_listed_once() {
        let mut protocols: Vec<&str> = CMDLET_PARAMETERS.iter().map(|(p, _)| *p).collect();
        protocols.sort_unstable();
        protocols.dedup();
        assert_eq!(protocols.len(), CMDLET_PARAMETERS.len());
    }
}
