//! The frame of every page: language, texts, form token, who is signed in;
//! and rendering a template into a response.

use crate::auth::Ctx;
use crate::i18n::Catalog;
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use entremise_domain::locale::Locale;
use std::sync::Arc;

/// The signed-in member, as the navigation bar shows him.
#[derive(Clone)]
pub struct Nav {
    pub handle: String,
    pub name: String,
    /// He works a moderation queue: the instance's, or a page's he
    /// answers for (a group's is reached from the group).
    pub moderates: bool,
    /// He administers the instance.
    pub admin: bool,
}

/// The counts the header shows as badges beside its links, for the
/// signed-in member; 0 shows no badge. Read once per page request by the
/// [`Ctx`] extractor, before the handler runs (a handler that changes one,
/// such as a thread marking its messages read, sets it again).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Badges {
    /// Unread messages over the member's conversations.
    pub messages: u64,
    /// Unread notifications (0 until notifications are counted).
    pub notifications: u64,
    /// Follow-up inbox items awaiting an answer, over every profile the
    /// member answers for.
    pub inbox: u64,
}

/// One badge of the header, as its template draws it.
pub struct Badge {
    /// The stable name a script finds it by: `data-badge="{kind}"`.
    pub kind: &'static str,
    pub count: u64,
    /// The count as shown: past 99, "99+".
    pub shown: String,
    /// The count in words, for assistive technologies ("3 unread messages").
    pub label: String,
}

/// What every page's frame needs: language, texts, form token, who is signed in.
#[derive(Clone)]
pub struct Layout {
    pub lang: Locale,
    pub catalog: Arc<Catalog>,
    pub csrf: String,
    pub me: Option<Nav>,
    /// The header's badges (all 0 for a visitor).
    pub badges: Badges,
    /// Where the language switcher comes back to.
    pub path: String,
    pub title: String,
}

impl Layout {
    pub fn new(state: &AppState, ctx: &Ctx, title: impl Into<String>) -> Self {
        Self {
            lang: ctx.locale,
            catalog: state.catalog.clone(),
            csrf: ctx.csrf.clone(),
            me: ctx.viewer.signed_in.as_ref().map(|s| Nav {
                handle: s.handle.to_string(),
                name: s.name.clone(),
                moderates: s.identity.moderator
                    || s.identity.operated.iter().any(|(_, role)| role.edits()),
                admin: s.admin,
            }),
            path: ctx.path.clone(),
            title: title.into(),
            badges: ctx.badges,
        }
    }

    /// The header's badge of `kind` (`messages`, `notifications`, `inbox`),
    /// or none when its count is 0.
    pub fn badge(&self, kind: &str) -> Option<Badge> {
        let (kind, count) = match kind {
            "messages" => ("messages", self.badges.messages),
            "notifications" => ("notifications", self.badges.notifications),
            "inbox" => ("inbox", self.badges.inbox),
            _ => return None,
        };
        (count > 0).then(|| Badge {
            kind,
            count,
            shown: if count > 99 {
                "99+".to_owned()
            } else {
                count.to_string()
            },
            label: self.count(&format!("badge_{kind}"), count),
        })
    }

    /// The text for `key` in the page's language.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.catalog.get(self.lang, key)
    }

    /// A count in words, by the language's plural rules (`key_one`,
    /// `key_other` in the catalog, `{n}` the number).
    pub fn count(&self, key: &str, n: impl Into<u64>) -> String {
        self.catalog.count(self.lang, key, n.into())
    }

    /// The other language, for the switcher.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Locale::En => "fr",
            Locale::Fr => "en",
        }
    }
}

/// Renders a template to an HTML response; a template error is a 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response()
        }
    }
}
