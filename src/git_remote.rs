//! The project of a git checkout: what `.` means for a project owner, as pwsh-gitlab's
//! `Get-LocalGitContext` reads it, but from any directory inside the checkout.
//!
//! The engine reads git's own files instead of running `git`, so no child process sees the
//! engine's environment (which may hold `GITLAB_ACCESS_TOKEN`): from the directory upward, the
//! first `.git` (a directory, or a file `gitdir: <path>` as in worktrees and submodules, whose
//! `commondir` is followed), and its `config`'s `[remote "origin"] url`.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The project path of `origin` (`group/sub/project`), found from `dir` upward, with the URL read.
pub fn origin_project(dir: &Path, parameter: &str) -> Result<(String, String)> {
    let shown = dir.display().to_string();
    let Some(git_dir) = find_git_dir(dir) else {
        return Err(Error::invalid(
            parameter,
            format!(
                "Could not infer the project from '.': '{shown}' is not inside a git checkout."
            ),
        )
        .with_hint("Run it inside a clone of the project, or give the project's id or full path (group/project)."));
    };
    let config = std::fs::read_to_string(git_dir.join("config")).unwrap_or_default();
    let Some(url) = origin_url(&config) else {
        return Err(Error::invalid(
            parameter,
            format!(
                "Could not infer the project from '.': the git checkout at '{shown}' has no \
                 'origin' remote."
            ),
        )
        .with_hint(
            "Add it (git remote add origin <url>), or give the project's id or full path.",
        ));
    };
    match project_of(&url) {
        Some(path) => Ok((path, url)),
        None => Err(Error::invalid(
            parameter,
            format!(
                "Could not infer the project from '.': the 'origin' remote of '{shown}' is \
                 '{}', which names no GitLab project.",
                crate::text::truncate(&url, 200)
            ),
        )
        .with_hint("Give the project's id or full path (group/project) instead.")),
    }
}

/// The git directory of the checkout that holds `dir`, following `gitdir:` files and `commondir`.
fn find_git_dir(dir: &Path) -> Option<PathBuf> {
    for at in dir.ancestors() {
        let dot_git = at.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let git_dir = at.join(target);
            return Some(match std::fs::read_to_string(git_dir.join("commondir")) {
                Ok(common) => git_dir.join(common.trim()),
                Err(_) => git_dir,
            });
        }
    }
    None
}

/// `url` of `[remote "origin"]` in a git config file's text (the last one wins, as in git).
fn origin_url(config: &str) -> Option<String> {
    let mut in_origin = false;
    let mut url = None;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            in_origin = header.eq_ignore_ascii_case("[remote\"origin\"]");
            continue;
        }
        if !in_origin {
            continue;
        }
        if let Some((key, value)) = line.split_once('=')
            && key.trim().eq_ignore_ascii_case("url")
        {
            let value = value.trim().trim_matches('"').to_string();
            if !value.is_empty() {
                url = Some(value);
            }
        }
    }
    url
}

/// The project path a remote URL names: `https://host/group/sub/project.git`,
/// `ssh://git@host:2222/group/project.git`, `git@host:group/project.git`; without the leading
/// `/`, a trailing `/` and `.git`. `None` for a local path or a URL without a path.
pub fn project_of(url: &str) -> Option<String> {
    let path = if let Some((_, rest)) = url.split_once("://") {
        if url.starts_with("file://") {
            return None;
        }
        // Past the host (and any user and port).
        let (_, path) = rest.split_once('/')?;
        path
    } else {
        // scp-like: [user@]host:path, never a local path (which has a '/' before any ':').
        let (host, path) = url.split_once(':')?;
        if host.is_empty() || host.contains('/') {
            return None;
        }
        path
    };
    let path = path.trim_start_matches('/').trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let ok = !path.is_empty()
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && !segment.chars().all(|c| c == '.')
                && segment
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        });
    ok.then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_ssh_and_scp_forms_name_the_project() {
        for (url, want) in [
            (
                "https://gitlab.example.com/acme/platform/api.git",
                "acme/platform/api",
            ),
            ("https://user@gitlab.example.com:8443/acme/api", "acme/api"),
            ("ssh://git@gitlab.example.com:2222/acme/api.git", "acme/api"),
            ("git@gitlab.example.com:acme/sub/api.git", "acme/sub/api"),
            (
                "gitlab.example.com:group/blah.project.name.git",
                "group/blah.project.name",
            ),
            ("https://gitlab.example.com/acme/api/", "acme/api"),
        ] {
            assert_eq!(project_of(url).as_deref(), Some(want), "{url}");
        }
        for url in [
            "/srv/git/api.git",
            "./api",
            "file:///srv/api.git",
            "https://gitlab.example.com",
            "https://gitlab.example.com/a//b",
            "git@host:",
        ] {
            assert_eq!(project_of(url), None, "{url}");
        }
    }

    #[test]
    fn origin_is_read_from_its_section_only() {
        let config = "[core]\n\turl = no\n[remote \"upstream\"]\n\turl = https://h/up/x.git\n\
                      [remote \"origin\"]\n\turl = git@h:acme/api.git\n\tfetch = +refs/heads/*\n";
        assert_eq!(origin_url(config).as_deref(), Some("git@h:acme/api.git"));
        assert_eq!(origin_url("[remote \"upstream\"]\nurl = x\n"), None);
    }
}
