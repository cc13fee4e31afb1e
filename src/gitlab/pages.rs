//! Offset pagination as GitLab does it: `page` and `per_page` in the query, and the next page in
//! the `X-Next-Page` header (empty on the last page) and in the `Link` header's `rel="next"`.
//! GitLab leaves out `X-Next-Page` (and the totals) on very large collections but keeps `Link`,
//! so both are read.

use super::{Client, Method};
use crate::error::Result;
use crate::protocol::Reporter;
use serde_json::Value;

/// GitLab's largest page.
pub const MAX_PER_PAGE: u32 = 100;

/// One page of a list and where the next one starts.
#[derive(Debug)]
pub struct Page {
    pub items: Value,
    /// `None` on the last page.
    pub next_page: Option<u32>,
}

impl Client {
    /// `GET /api/v4{path}?{query}` for one page of a list, with the next page from the headers.
    pub fn get_page(
        &self,
        path: &str,
        query: &[(&str, &str)],
        reporter: &mut dyn Reporter,
    ) -> Result<Page> {
        let url = self.url(path, query);
        self.checked(
            self.exchange(Method::Get, &url, None, reporter)
                .and_then(|answer| {
                    let next_page = answer.next_page;
                    let items = self.json(Method::Get, &url, answer)?;
                    Ok(Page { items, next_page })
                }),
        )
    }
}

/// The next page number from `X-Next-Page`, else from the `Link` header; `None` when neither
/// names one.
pub fn next_page(x_next_page: Option<&str>, link: Option<&str>) -> Option<u32> {
    if let Some(n) = x_next_page
        .map(str::trim)
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|&n| n > 0)
    {
        return Some(n);
    }
    link.and_then(next_from_link)
}

/// `<https://x/api/v4/personal_access_tokens?page=3&per_page=100>; rel="next", <...>; rel="last"`
/// → 3.
fn next_from_link(link: &str) -> Option<u32> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        if !is_next {
            return None;
        }
        let url = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let query = url.split_once('?')?.1;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse::<u32>().ok())
            .filter(|&n| n > 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_next_page_wins_and_empty_means_last() {
        assert_eq!(next_page(Some("2"), None), Some(2));
        assert_eq!(next_page(Some(""), None), None);
        assert_eq!(next_page(None, None), None);
        assert_eq!(next_page(Some(" 7 "), Some("garbage")), Some(7));
    }

    #[test]
    fn link_header_is_read_when_x_next_page_is_missing() {
        let link = "<https://g.example/api/v4/personal_access_tokens?id=1&page=1&per_page=2>; rel=\"first\", \
                    <https://g.example/api/v4/personal_access_tokens?page=3&per_page=2>; rel=\"next\", \
                    <https://g.example/api/v4/personal_access_tokens?page=9&per_page=2>; rel=\"last\"";
        assert_eq!(next_page(None, Some(link)), Some(3));
        assert_eq!(next_page(Some(""), Some(link)), Some(3));
        let last_only = "<https://g.example/api/v4/x?page=9>; rel=\"last\"";
        assert_eq!(next_page(None, Some(last_only)), None);
        assert_eq!(next_page(None, Some("not a link")), None);
    }
}
