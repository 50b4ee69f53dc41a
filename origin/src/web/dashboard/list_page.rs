//! What the searchable, paged lists (links, transactions) share: the search form as typed
//! and its errors, and the "← Newer" / "Older →" links. A page starts after
//! (`starting_after`) or before (`ending_before`) a row named by its id, as in the API.

use super::format::currency_codes;
use super::pages::PageError;
use super::search::Search;
use crate::base::listing::{Cursor, Page};
use std::collections::HashMap;

/// The search form and pager of a list page, as `search_form.html` and `pager.html` show
/// them.
pub struct Listing {
    pub search: Search,
    /// The search as a query string, repeated by the pager's links.
    pub query: String,
    pub errors: Vec<(&'static str, String)>,
    pub older: Option<String>,
    pub newer: Option<String>,
    pub statuses: &'static [&'static str],
    pub currencies: Vec<&'static str>,
}

impl Listing {
    /// The search as hidden fields (of the CSV download form).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// Which parameter a hand-made address with both of them is paged by. The pager never
/// writes both; the two lists have answered such an address differently from the start,
/// and still do.
pub enum BothGiven {
    /// Only `starting_after` is looked up.
    StartingAfterWins,
    /// Both are looked up (either may be not found); `ending_before` pages.
    EndingBeforeWins,
}

/// How this page was asked for, as far as its pager cares.
pub struct Paging {
    forward: bool,
    paged: bool,
}

impl Paging {
    /// Reads the cursor from the query. `created_at` answers the creation time of the row
    /// an id names, or the page's not-found error.
    pub async fn read<Known>(
        q: &HashMap<String, String>,
        both: BothGiven,
        created_at: impl Fn(String) -> Known,
    ) -> Result<(Option<Cursor>, Paging), PageError>
    where
        Known: Future<Output = Result<i64, PageError>>,
    {
        let mut cursor = None;
        for param in ["starting_after", "ending_before"] {
            if let Some(id) = q.get(param) {
                let created = created_at(id.clone()).await?;
                cursor = Some(crate::web::api::links::cursor(param, created, id.clone()));
                if matches!(both, BothGiven::StartingAfterWins) {
                    break;
                }
            }
        }
        let paging = Paging {
            forward: !matches!(cursor, Some(Cursor::EndingBefore { .. })),
            paged: q.contains_key("starting_after") || q.contains_key("ending_before"),
        };
        Ok((cursor, paging))
    }

    /// The list page's frame around `page`, whose rows have ids `id`.
    pub fn listing<T>(
        &self,
        search: Search,
        errors: Vec<(&'static str, String)>,
        statuses: &'static [&'static str],
        page: &Page<T>,
        id: impl Fn(&T) -> &String,
    ) -> Listing {
        let (older, newer) = self.pager(&page.items, id, page.has_more);
        Listing {
            query: search.query_string(),
            search,
            errors,
            older,
            newer,
            statuses,
            currencies: currency_codes(),
        }
    }

    /// Which ids the "older" and "newer" page links start from. A page read backwards
    /// (`ending_before`) has more newer pages when `has_more`, and older ones for sure.
    fn pager<T>(
        &self,
        items: &[T],
        id: impl Fn(&T) -> &String,
        has_more: bool,
    ) -> (Option<String>, Option<String>) {
        let (forward, paged) = (self.forward, self.paged);
        let (first, last) = (items.first().map(&id), items.last().map(&id));
        let older = if has_more || !forward {
            last.cloned()
        } else {
            None
        };
        let newer = if forward && paged || !forward && has_more {
            first.cloned()
        } else {
            None
        };
        (older, newer)
    }
}
