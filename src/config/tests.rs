//! Loading and resolving sites, end to end from a home directory.

use super::*;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::{SiteInfo, SiteSource};
use crate::secret::Secret;
use std::fs;
use std::time::Duration;
use tempfile::TempDir;

const ENV_TOKEN: &str = "glpat-ENVTOKEN0000000000";
const TOKEN_A: &str = "glpat-AAAAAAAAAAAAAAAAAAAA";
const TOKEN_B: &str = "glpat-BBBBBBBBBBBBBBBBBBBB";

/// A home directory, with a config file when `yaml` is given.
fn make_home(yaml: Option<&str>) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(yaml) = yaml {
        let path = dir.path().join(CONFIG_RELATIVE_PATH);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, yaml).unwrap();
    }
    dir
}

fn env(home: &TempDir, url: Option<&str>, token: Option<&str>) -> Environment {
    Environment {
        gitlab_url: url.map(str::to_string),
        gitlab_access_token: token.map(Secret::new),
        home: Some(home.path().to_path_buf()),
        ..Environment::default()
    }
}

fn config_path(home: &TempDir) -> String {
    home.path().join(CONFIG_RELATIVE_PATH).display().to_string()
}

fn two_sites() -> String {
    format!(
        "Sites:\n\
         - Url: https://gitlab.example.com\n  AccessToken: {TOKEN_A}\n  IsDefault: 'false'\n\
         - Url: gitlab.other.org/\n  AccessToken: {TOKEN_B}\n  \
           ProxyUrl: http://proxy.example.com:3128\n  IsDefault: true\n"
    )
}

/// Every text an error shows, for secrecy checks.
fn all_text(err: &Error) -> String {
    format!("{err} {err:?} {}", serde_json::to_string(err).unwrap())
}

fn assert_no_tokens(text: &str) {
    for token in [ENV_TOKEN, TOKEN_A, TOKEN_B, "glpat-"] {
        assert!(!text.contains(token), "token leaked in: {text}");
    }
}

/// The warnings about ambiguities among `warnings`.
fn ambiguities(warnings: Vec<String>) -> Vec<String> {
    warnings
        .into_iter()
        .filter(|w| w.contains("both") || w.contains(" all "))
        .collect()
}

fn config_err(result: Result<impl std::fmt::Debug>) -> Error {
    let err = result.expect_err("a config error");
    assert_eq!(err.kind, ErrorKind::Config, "{err:?}");
    assert!(err.hint.is_some(), "{err:?}");
    assert_no_tokens(&all_text(&err));
    err
}

#[test]
fn environment_only() {
    let home = make_home(None);
    let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
    let (site, token) = sites.resolve(None).unwrap();
    assert_eq!(site.url, "https://gitlab.com");
    assert_eq!(site.source, SiteSource::Environment);
    assert_eq!(token.expose(), ENV_TOKEN);
    assert_eq!(
        sites.config_path,
        Some(home.path().join(CONFIG_RELATIVE_PATH))
    );

    let sites = Sites::load(&env(
        &home,
        Some(" GitLab.Example.com/gitlab/ "),
        Some(ENV_TOKEN),
    ))
    .unwrap();
    let (site, _) = sites
        .resolve(Some("https://gitlab.example.com/gitlab"))
        .unwrap();
    assert_eq!(site.url, "https://gitlab.example.com/gitlab");
    assert_eq!(
        sites.list(),
        vec![SiteInfo {
            url: "https://gitlab.example.com/gitlab".into(),
            is_default: true,
            source: SiteSource::Environment,
            has_token: true,
            // 18 characters after the prefix: too short to show any of them.
            token_prefix: Some("glpat-…".into()),
            proxy_url: None,
        }]
    );
}

#[test]
fn blank_environment_token_is_not_set() {
    let home = make_home(None);
    for token in ["", "   "] {
        let sites =
            Sites::load(&env(&home, Some("https://gitlab.example.com"), Some(token))).unwrap();
        assert!(sites.sites.is_empty());
    }
    // GITLAB_URL alone defines nothing, and a blank GITLAB_URL means gitlab.com.
    let sites = Sites::load(&env(&home, Some("https://x.example"), None)).unwrap();
    assert!(sites.sites.is_empty());
    let sites = Sites::load(&env(&home, Some("  "), Some(ENV_TOKEN))).unwrap();
    assert_eq!(sites.sites[0].url, "https://gitlab.com");
}

#[test]
fn unusable_gitlab_url_is_a_config_error() {
    let home = make_home(None);
    let err = config_err(Sites::load(&env(
        &home,
        Some("ftp://x.example"),
        Some(ENV_TOKEN),
    )));
    assert_eq!(
        err.message,
        "GITLAB_URL 'ftp://x.example' is not a usable site URL: only http and https are \
         supported, not ftp."
    );
}

#[test]
fn config_file_only() {
    let home = make_home(Some(&two_sites()));
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    assert_eq!(sites.sites.len(), 2);
    let (site, token) = sites.resolve(None).unwrap();
    assert_eq!(site.url, "https://gitlab.other.org");
    assert_eq!(site.source, SiteSource::ConfigFile);
    assert_eq!(
        site.proxy_url.as_deref(),
        Some("http://proxy.example.com:3128")
    );
    assert_eq!(token.expose(), TOKEN_B);

    let (site, token) = sites.resolve(Some("gitlab.example.com")).unwrap();
    assert_eq!(site.url, "https://gitlab.example.com");
    assert_eq!(site.proxy_url, None);
    assert_eq!(token.expose(), TOKEN_A);

    assert_eq!(
        sites.list(),
        vec![
            SiteInfo {
                url: "https://gitlab.example.com".into(),
                is_default: false,
                source: SiteSource::ConfigFile,
                has_token: true,
                token_prefix: Some("glpat-AAA…".into()),
                proxy_url: None,
            },
            SiteInfo {
                url: "https://gitlab.other.org".into(),
                is_default: true,
                source: SiteSource::ConfigFile,
                has_token: true,
                token_prefix: Some("glpat-BBB…".into()),
                proxy_url: Some("http://proxy.example.com:3128".into()),
            },
        ]
    );
}

#[test]
fn environment_and_config_file() {
    let home = make_home(Some(&two_sites()));
    let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
    assert_eq!(sites.sites.len(), 3);
    // Without a URL the environment wins over the config file's default.
    let (site, token) = sites.resolve(None).unwrap();
    assert_eq!(site.url, "https://gitlab.com");
    assert_eq!(token.expose(), ENV_TOKEN);
    // With a URL, the config site it names.
    let (site, token) = sites.resolve(Some("https://gitlab.other.org")).unwrap();
    assert_eq!(site.source, SiteSource::ConfigFile);
    assert_eq!(token.expose(), TOKEN_B);
    // Exactly one default in the listing: the environment's site.
    let defaults: Vec<_> = sites
        .list()
        .into_iter()
        .filter(|s| s.is_default)
        .map(|s| s.url)
        .collect();
    assert_eq!(defaults, vec!["https://gitlab.com".to_string()]);
    assert_eq!(sites.list()[0].source, SiteSource::Environment);
}

#[test]
fn environment_wins_over_the_same_site_in_the_config_file() {
    let home = make_home(Some(&two_sites()));
    let sites = Sites::load(&env(
        &home,
        Some("https://gitlab.example.com"),
        Some(ENV_TOKEN),
    ))
    .unwrap();
    let (site, token) = sites.resolve(Some("gitlab.example.com")).unwrap();
    assert_eq!(site.source, SiteSource::Environment);
    assert_eq!(token.expose(), ENV_TOKEN);
}

#[test]
fn matching_ignores_scheme_trailing_slashes_and_host_case() {
    let home = make_home(Some(&format!(
        "Sites:\n\
         - Url: https://gitlab.example.com\n  AccessToken: {TOKEN_A}\n\
         - Url: https://gitlab.example.com:8443/gitlab\n  AccessToken: {TOKEN_B}\n"
    )));
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    for given in [
        "gitlab.example.com",
        "https://gitlab.example.com/",
        "HTTPS://Gitlab.Example.Com//",
        "  gitlab.example.com/  ",
    ] {
        let (site, token) = sites.resolve(Some(given)).unwrap();
        assert_eq!(site.url, "https://gitlab.example.com", "{given}");
        assert_eq!(token.expose(), TOKEN_A);
    }
    for given in [
        "gitlab.example.com:8443/gitlab",
        "https://GitLab.Example.com:8443/gitlab/",
        "gitlab.example.com:8443/gitlab/api/v4",
    ] {
        let (site, _) = sites.resolve(Some(given)).unwrap();
        assert_eq!(
            site.url, "https://gitlab.example.com:8443/gitlab",
            "{given}"
        );
    }
    // Port and path count.
    for given in [
        "gitlab.example.com:8443",
        "gitlab.example.com/gitlab",
        "gitlab.example.com:8443/GitLab",
        "gitlab.example.org",
    ] {
        let err = config_err(sites.resolve(Some(given)));
        assert!(err.message.starts_with("No site '"), "{given}");
    }
    // An explicit scheme selects only sites of that scheme.
    let err = config_err(sites.resolve(Some("http://GITLAB.example.com")));
    assert_eq!(
        err.message,
        "No http site 'http://GITLAB.example.com' is configured: https://gitlab.example.com is \
         configured for https://, and an http:// URL selects only http:// sites."
    );
}

#[test]
fn an_explicit_https_url_never_selects_an_http_site() {
    let home = make_home(Some(&format!(
        "Sites:\n- Url: http://gitlab.example.com\n  AccessToken: {TOKEN_A}\n"
    )));
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    let err = config_err(sites.resolve(Some("https://gitlab.example.com")));
    assert!(
        err.message.starts_with(
            "No https site 'https://gitlab.example.com' is configured: http://gitlab.example.com \
             is configured for plain http://; an https:// URL never selects it"
        ),
        "{}",
        err.message
    );
    assert!(
        err.hint
            .clone()
            .unwrap()
            .starts_with("Pass -SiteUrl http://gitlab.example.com")
    );
    assert_eq!(
        sites
            .resolve(Some("gitlab.example.com"))
            .unwrap()
            .1
            .expose(),
        TOKEN_A
    );
    assert_eq!(
        sites
            .resolve(Some("http://gitlab.example.com"))
            .unwrap()
            .1
            .expose(),
        TOKEN_A
    );
}

#[test]
fn unknown_site_lists_the_configured_ones() {
    let home = make_home(Some(&two_sites()));
    let path = config_path(&home);
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    let err = config_err(sites.resolve(Some("gitlab.nowhere.test")));
    assert_eq!(
        err.message,
        format!(
            "No site 'gitlab.nowhere.test' is configured. Configured sites: \
             https://gitlab.example.com, https://gitlab.other.org (default)."
        )
    );
    assert_eq!(
        err.hint.as_deref(),
        Some(
            format!(
                "Add a site with Url and AccessToken to {path}, or set GITLAB_URL and \
                 GITLAB_ACCESS_TOKEN."
            )
            .as_str()
        )
    );

    let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
    let err = config_err(sites.resolve(Some("gitlab.nowhere.test")));
    assert!(
        err.message.contains(
            "Configured sites: https://gitlab.com (from the environment, default), \
             https://gitlab.example.com, https://gitlab.other.org."
        ),
        "{}",
        err.message
    );

    let empty = make_home(None);
    let sites = Sites::load(&env(&empty, None, None)).unwrap();
    let err = config_err(sites.resolve(Some("https://gitlab.nowhere.test/")));
    assert!(
        err.message.contains("Configured sites: none."),
        "{}",
        err.message
    );
    assert!(
        err.hint.as_deref().unwrap().contains(&config_path(&empty)),
        "{err:?}"
    );
}

#[test]
fn bad_site_url_argument_is_invalid_argument() {
    let sites = Sites::default();
    for (given, why) in [
        ("", "-SiteUrl is empty."),
        ("  ", "-SiteUrl is empty."),
        (
            "ftp://gitlab.example.com",
            "only http and https are supported, not ftp",
        ),
        ("https://", "is not usable"),
        ("https://gitlab.example.com?x=1", "must not have a query"),
        (
            "http://user:pw@gitlab.example.com",
            "must not contain a user name or password",
        ),
    ] {
        let err = sites.resolve(Some(given)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{given}");
        assert_eq!(err.parameter.as_deref(), Some("site_url"), "{given}");
        assert!(err.message.contains(why), "{given}: {}", err.message);
        assert!(!err.message.contains("pw@"), "{}", err.message);
        assert!(!err.message.contains("x=1"), "{}", err.message);
    }
}

#[test]
fn no_default_lists_the_sites_and_says_how_to_pick_one() {
    let home = make_home(Some(&format!(
        "Sites:\n\
         - Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: false\n\
         - Url: https://b.example\n  AccessToken: {TOKEN_B}\n"
    )));
    let path = config_path(&home);
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    let err = config_err(sites.resolve(None));
    assert_eq!(
        err.message,
        format!(
            "No site URL was given and no default site is configured. Configured sites: \
             https://a.example, https://b.example."
        )
    );
    assert_eq!(
        err.hint.clone().unwrap(),
        format!("Pass a site URL (-SiteUrl), or mark one site IsDefault: true in {path}.")
    );
    assert!(sites.list().iter().all(|s| !s.is_default));
    // A URL still works.
    assert_eq!(
        sites.resolve(Some("b.example")).unwrap().1.expose(),
        TOKEN_B
    );
}

#[test]
fn no_sites_at_all_says_how_to_configure_one() {
    let home = make_home(None);
    let path = config_path(&home);
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    assert!(sites.list().is_empty());
    let err = config_err(sites.resolve(None));
    assert_eq!(
        err.message,
        format!(
            "No GitLab site is configured: GITLAB_ACCESS_TOKEN is not set and {path} defines no \
             site."
        )
    );
    assert_eq!(
        err.hint.clone().unwrap(),
        format!(
            "Set GITLAB_ACCESS_TOKEN to a personal access token with the api scope (and \
             GITLAB_URL for a self-managed instance), or add a site with Url and AccessToken to \
             {path}."
        )
    );
    // GITLAB_URL alone defines nothing, and says which variable is missing.
    let err = config_err(
        Sites::load(&env(&home, Some("https://x.example/"), None))
            .unwrap()
            .resolve(None),
    );
    assert!(
        err.message.starts_with(
            "No GitLab site is configured: GITLAB_URL is set (https://x.example/) but \
             GITLAB_ACCESS_TOKEN is not"
        ),
        "{}",
        err.message
    );
    // ... and with config sites it is a warning.
    let home = make_home(Some(&two_sites()));
    let sites = Sites::load(&env(&home, Some("https://x.example"), None)).unwrap();
    assert!(
        sites
            .warnings
            .iter()
            .any(|w| w.starts_with("GITLAB_URL is set (https://x.example) but")),
        "{:?}",
        sites.warnings
    );
    // Without a home directory the conventional path is shown.
    let sites = Sites::load(&Environment::default()).unwrap();
    assert_eq!(sites.config_path, None);
    let err = config_err(sites.resolve(None));
    assert!(
        err.message
            .contains("~/.config/powershell/gitlabcli/config.yml"),
        "{}",
        err.message
    );
}

#[test]
fn missing_or_blank_token_is_a_config_error() {
    let home = make_home(Some(
        "Sites:\n\
         - Url: https://a.example\n  IsDefault: true\n\
         - Url: https://b.example\n  AccessToken: '   '\n\
         - Url: https://c.example\n  AccessToken:\n",
    ));
    let path = config_path(&home);
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    let err = config_err(sites.resolve(None));
    assert_eq!(
        err.message,
        format!(
            "Site https://a.example has no access token. Add AccessToken to its entry in \
             {path}, or set GITLAB_ACCESS_TOKEN."
        )
    );
    assert!(
        err.hint
            .clone()
            .unwrap()
            .contains("GITLAB_URL=https://a.example")
    );
    for given in ["b.example", "c.example"] {
        let err = config_err(sites.resolve(Some(given)));
        assert!(err.message.contains("has no access token"), "{given}");
    }
    assert!(sites.list().iter().all(|s| !s.has_token));
    assert_eq!(
        sites
            .list()
            .iter()
            .map(|s| s.is_default)
            .collect::<Vec<_>>(),
        vec![true, false, false]
    );
}

#[test]
fn is_default_as_bool_or_string() {
    for (value, expected) in [
        ("true", true),
        ("True", true),
        ("false", false),
        ("'true'", true),
        ("'TRUE'", true),
        ("\"True\"", true),
        ("'false'", false),
        ("'FALSE'", false),
        ("' true '", true),
        ("", false),
        ("~", false),
    ] {
        let home = make_home(Some(&format!(
            "Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: {value}\n"
        )));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert_eq!(sites.sites[0].is_default, expected, "IsDefault: {value}");
        assert_eq!(sites.list()[0].is_default, expected, "IsDefault: {value}");
    }
    let home = make_home(Some(&format!(
        "Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: 'yes please'\n"
    )));
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert_eq!(
        err.message,
        format!(
            "Site 1 (https://a.example) in {} (line 4) has IsDefault 'yes please'; it must be \
             true or false.",
            config_path(&home)
        )
    );
}

#[test]
fn several_defaults_are_ambiguous_for_the_default_only() {
    let home = make_home(Some(&format!(
        "Sites:\n\
         - Url: https://a.example\n  AccessToken: {TOKEN_A}\n\
         - Url: https://b.example\n  AccessToken: {TOKEN_B}\n  IsDefault: true\n\
         - Url: https://c.example\n  AccessToken: {TOKEN_A}\n  IsDefault: true\n"
    )));
    let path = config_path(&home);
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    let err = config_err(sites.resolve(None));
    assert_eq!(
        err.message,
        format!(
            "No site URL was given, and sites 2 (https://b.example, line 4) and 3 \
             (https://c.example, line 7) in {path} are both IsDefault: true, so the default site \
             is ambiguous."
        )
    );
    assert!(
        err.hint
            .clone()
            .unwrap()
            .starts_with("Keep IsDefault: true on one site only")
    );
    assert!(sites.list().iter().all(|s| !s.is_default));
    // The default request gets the error, not also a warning; a named site gets the warning.
    assert!(ambiguities(sites.warnings_for(None)).is_empty());
    assert_eq!(
        sites.resolve(Some("c.example")).unwrap().1.expose(),
        TOKEN_A
    );
    let warnings = ambiguities(sites.warnings_for(Some("c.example")));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("Sites 2 (https://b.example, line 4) and 3"));
    assert_eq!(ambiguities(sites.all_warnings()), warnings);
    // The environment's site is the default: no ambiguity to fail on.
    let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
    assert_eq!(sites.resolve(None).unwrap().1.expose(), ENV_TOKEN);
    assert_eq!(ambiguities(sites.warnings_for(None)).len(), 1);
}

#[test]
fn one_url_twice_is_ambiguous_for_that_url_only() {
    let home = make_home(Some(&format!(
        "Sites:\n\
         - Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: true\n\
         - Url: b.example\n  AccessToken: {TOKEN_B}\n\
         - Url: HTTPS://A.example/\n  AccessToken: {TOKEN_B}\n\
         - Url: http://b.example\n  AccessToken: {TOKEN_B}\n"
    )));
    let path = config_path(&home);
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    for given in [None, Some("a.example"), Some("https://a.example")] {
        let err = config_err(sites.resolve(given));
        assert_eq!(
            err.message,
            format!(
                "Sites 1 (line 2) and 3 (line 7) in {path} both have the Url https://a.example, \
                 so it is not clear which entry (and access token) to use for it."
            ),
            "{given:?}"
        );
        assert!(ambiguities(sites.warnings_for(given)).is_empty());
    }
    // http://b.example and https://b.example are two sites; no scheme prefers https.
    assert_eq!(
        sites.resolve(Some("b.example")).unwrap().0.url,
        "https://b.example"
    );
    assert_eq!(
        sites.resolve(Some("http://b.example")).unwrap().0.url,
        "http://b.example"
    );
    assert_eq!(ambiguities(sites.warnings_for(Some("b.example"))).len(), 1);
}

#[test]
fn urls_without_scheme_and_other_spellings() {
    let home = make_home(Some(&format!(
        "sites:\n\
         - url: gitlab.other.org\n  accessToken: {TOKEN_A}\n  isDefault: true\n\
         - URL: 'HTTP://Gitlab.Example.com/gitlab///'\n  access_token: {TOKEN_B}\n  \
           proxy_url: ' '\n  Unknown: whatever\n  Nested: {{a: [1, 2]}}\n"
    )));
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    let urls: Vec<_> = sites.sites.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![
            "https://gitlab.other.org",
            "http://gitlab.example.com/gitlab"
        ]
    );
    assert_eq!(sites.sites[1].token.as_ref().unwrap().expose(), TOKEN_B);
    assert_eq!(sites.sites[1].proxy_url, None);
    assert!(sites.sites[0].is_default);
}

#[test]
fn missing_file_empty_file_and_empty_sites_mean_no_sites() {
    for yaml in [
        None,
        Some(""),
        Some("# nothing yet\n"),
        Some("Sites:\n"),
        Some("Sites: []\n"),
        Some("Other: 1\n"),
    ] {
        let home = make_home(yaml);
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert!(sites.sites.is_empty(), "{yaml:?}");
    }
}

#[test]
fn a_single_site_mapping_counts_as_a_list() {
    let home = make_home(Some(&format!(
        "Sites:\n  Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: 'True'\n"
    )));
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    assert_eq!(sites.resolve(None).unwrap().1.expose(), TOKEN_A);
}

#[test]
fn site_without_url_names_the_file_and_position() {
    let home = make_home(Some(&format!(
        "Sites:\n\
         - Url: https://a.example\n  AccessToken: {TOKEN_A}\n\
         - AccessToken: {TOKEN_B}\n  IsDefault: true\n"
    )));
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert_eq!(
        err.message,
        format!("Site 2 in {} (line 4) has no Url.", config_path(&home))
    );
    let home2 = make_home(Some("Sites:\n- Url: '  '\n"));
    let err = config_err(Sites::load(&env(&home2, None, None)));
    assert!(err.message.starts_with("Site 1 in "), "{}", err.message);
    assert!(err.message.ends_with("has no Url."), "{}", err.message);
}

#[test]
fn wrong_shapes_are_config_errors() {
    for (yaml, says) in [
        (
            "- a\n- b\n".to_string(),
            "does not have the expected layout",
        ),
        (
            "just text\n".to_string(),
            "does not have the expected layout",
        ),
        (
            "Sites: 3\n".to_string(),
            "does not have the expected layout",
        ),
        ("Sites:\n- just text\n".to_string(), "Site 1 in "),
        (
            "Sites:\n- Url: [a, b]\n".to_string(),
            "has a Url that is not text",
        ),
        (
            "Sites:\n- Url: https://a.example\n  AccessToken: 123456789012\n".to_string(),
            "has an AccessToken that is not text",
        ),
        (
            "Sites:\n- Url: https://a.example\n  ProxyUrl: [x]\n".to_string(),
            "has a ProxyUrl that is not text",
        ),
        (
            format!("Sites:\n- Url: ftp://a.example\n  AccessToken: {TOKEN_A}\n"),
            "has Url 'ftp://a.example', which is not usable: only http and https",
        ),
    ] {
        let home = make_home(Some(&yaml));
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert!(err.message.contains(says), "{yaml}: {}", err.message);
        assert!(err.message.contains(&config_path(&home)), "{}", err.message);
        assert!(!err.message.contains("123456789012"), "{}", err.message);
    }
}

#[test]
fn malformed_yaml_names_the_file_line_and_problem() {
    for (yaml, line) in [
        (
            format!("Sites:\n- Url: https://a.example\n  AccessToken: \"{TOKEN_A}\n"),
            3,
        ),
        (
            format!("Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n   bad: [\n"),
            4,
        ),
        (
            format!("Sites:\n- {{Url: https://a.example, AccessToken: {TOKEN_A}\n"),
            2,
        ),
        (
            format!("Sites:\n\t- Url: x\n  AccessToken: '{TOKEN_B}'\n  : :\n"),
            2,
        ),
        (format!("Sites: *nowhere\nAccessToken: {TOKEN_A}\n"), 1),
        (
            format!("Sites:\n- Url: a\n  AccessToken: {TOKEN_A}\n  AccessToken: {TOKEN_B}\n"),
            4,
        ),
        (
            format!("Sites:\n- Url: a\n  {TOKEN_A}: 1\n  {TOKEN_A}: 2\n"),
            4,
        ),
    ] {
        let home = make_home(Some(&yaml));
        let err = config_err(Sites::load(&env(&home, None, None)));
        let prefix = format!(
            "The config file {} is not valid YAML (line ",
            config_path(&home)
        );
        assert!(err.message.starts_with(&prefix), "{yaml}: {}", err.message);
        assert!(
            err.message[prefix.len()..].starts_with(&format!("{line}, column ")),
            "{yaml}: {}",
            err.message
        );
        assert!(!err.caused_by.is_empty(), "{yaml}");
        assert!(err.hint.as_deref().unwrap().contains("remove the file"));
    }
}

#[test]
fn unreadable_file_is_a_config_error() {
    // A directory where the file should be cannot be read as text.
    let home = make_home(None);
    fs::create_dir_all(home.path().join(CONFIG_RELATIVE_PATH)).unwrap();
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert_eq!(
        err.message,
        format!(
            "The config file {} is a directory, not a regular file.",
            config_path(&home)
        )
    );

    let home = make_home(None);
    let path = home.path().join(CONFIG_RELATIVE_PATH);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, b"Sites:\n- Url: \xff\xfe\n").unwrap();
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert!(
        err.message
            .ends_with("is not UTF-8 text: byte 0xFF at line 2, column 8."),
        "{}",
        err.message
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::write(&path, b"Sites:\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        // root reads it anyway; anyone else gets the error.
        if let Err(err) = Sites::load(&env(&home, None, None)) {
            assert!(err.message.starts_with("Cannot read the config file"));
            assert!(!err.caused_by.is_empty());
        }
    }
}

#[test]
fn tokens_never_show_in_debug_output() {
    let home = make_home(Some(&two_sites()));
    let environment = env(&home, None, Some(ENV_TOKEN));
    let sites = Sites::load(&environment).unwrap();
    for text in [
        format!("{environment:?}"),
        format!("{sites:?}"),
        format!("{:?}", sites.resolve(None).unwrap()),
        format!("{:?}", sites.resolve(Some("gitlab.example.com")).unwrap()),
    ] {
        assert_no_tokens(&text);
        assert!(!text.contains("AAAAAAAA") && !text.contains("ENVTOKEN"));
    }
    // The list shows a prefix (`glpat-AAA…`) and nothing more of a token.
    for text in [
        format!("{:?}", sites.list()),
        serde_json::to_string(&sites.list()).unwrap(),
    ] {
        for token in [ENV_TOKEN, TOKEN_A, TOKEN_B] {
            assert!(!text.contains(token), "{text}");
        }
        assert!(!text.contains("AAAA") && !text.contains("BBBB") && !text.contains("ENVT"));
        assert!(text.contains("glpat-AAA…"), "{text}");
    }
}

#[test]
fn wrongly_typed_values_name_their_line() {
    let yaml = format!(
        "# sites\nSites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n\
         - Url: https://b.example\n\n  AccessToken: 123456789012\n"
    );
    let home = make_home(Some(&yaml));
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert_eq!(
        err.message,
        format!(
            "Site 2 (https://b.example) in {} (line 7) has an AccessToken that is not text.",
            config_path(&home)
        )
    );
    let home = make_home(Some("Sites:\n  url: [x]\n"));
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert!(
        err.message.contains("(line 2) has a Url"),
        "{}",
        err.message
    );
}

#[test]
fn timeouts_come_from_the_file_and_the_environment() {
    let home = make_home(Some(&format!(
        "Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n  TimeoutSeconds: 2.5\n\
         - Url: https://b.example\n  AccessToken: {TOKEN_B}\n  connect_timeout_seconds: '3'\n"
    )));
    let sites = Sites::load(&env(&home, None, None)).unwrap();
    assert_eq!(sites.sites[0].timeouts.read, Duration::from_millis(2500));
    assert_eq!(sites.sites[0].timeouts.connect, Timeouts::DEFAULT_CONNECT);
    assert_eq!(sites.sites[1].timeouts.connect, Duration::from_secs(3));
    assert_eq!(sites.sites[1].timeouts.read, Timeouts::DEFAULT_READ);

    let mut environment = env(&home, Some("https://c.example"), Some(ENV_TOKEN));
    environment.timeout = Some("7".into());
    let sites = Sites::load(&environment).unwrap();
    assert!(
        sites
            .sites
            .iter()
            .all(|s| s.timeouts.read == Duration::from_secs(7))
    );
    assert_eq!(sites.sites[0].timeouts.connect, Timeouts::DEFAULT_CONNECT);
    assert_eq!(sites.sites[2].timeouts.connect, Duration::from_secs(3));

    for bad in ["0", "-1", "abc", "99999", "NaN"] {
        let mut environment = env(&home, None, None);
        environment.connect_timeout = Some(bad.into());
        let err = config_err(Sites::load(&environment));
        assert!(
            err.message
                .starts_with(&format!("{CONNECT_TIMEOUT_VAR} is '{bad}', which is not")),
            "{}",
            err.message
        );
    }
    let home = make_home(Some(
        "Sites:\n- Url: https://a.example\n  TimeoutSeconds: soon\n",
    ));
    let err = config_err(Sites::load(&env(&home, None, None)));
    assert!(
        err.message
            .contains("(line 3) has a TimeoutSeconds that is not a number of seconds"),
        "{}",
        err.message
    );
}

#[cfg(unix)]
#[test]
fn a_config_file_others_can_read_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let home = make_home(Some(&two_sites()));
    let path = home.path().join(CONFIG_RELATIVE_PATH);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(
        Sites::load(&env(&home, None, None))
            .unwrap()
            .warnings
            .is_empty()
    );
    for mode in [0o640, 0o604, 0o644] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let warnings = Sites::load(&env(&home, None, None)).unwrap().warnings;
        assert_eq!(warnings.len(), 1, "{mode:o}");
        assert!(
            warnings[0].contains(&format!("mode {mode:03o}")),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("chmod 600"), "{}", warnings[0]);
        assert_no_tokens(&warnings[0]);
    }
}

#[test]
fn the_cache_loads_once_until_the_file_changes() {
    let home = make_home(Some(&two_sites()));
    let cache = SitesCache::new(&env(&home, None, None));
    // A create's plan and run, and a second record's: one read and one parse.
    for _ in 0..4 {
        assert_eq!(cache.get().unwrap().sites.len(), 2);
    }
    assert_eq!(cache.loads.load(std::sync::atomic::Ordering::Relaxed), 1);
    // A changed file is read again; an error is kept like sites are.
    fs::write(home.path().join(CONFIG_RELATIVE_PATH), "Sites: [\n").unwrap();
    assert!(cache.get().is_err());
    assert!(cache.get().is_err());
    assert_eq!(cache.loads.load(std::sync::atomic::Ordering::Relaxed), 2);
    fs::remove_file(home.path().join(CONFIG_RELATIVE_PATH)).unwrap();
    assert!(cache.get().unwrap().sites.is_empty());
    assert_eq!(cache.loads.load(std::sync::atomic::Ordering::Relaxed), 3);
}
