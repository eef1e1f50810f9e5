//! `/inbox` (what awaits an answer from the member and from the pages he
//! answers for, with filters and paging), `/inbox/{id}` (one item: a
//! contact-form message in full), and the team's acts on an item (assign,
//! dismiss, snooze, reopen, mark answered).

use super::posts::Choice;
use super::{FormData, Layout, PageError, render, safe_next, see_other, urlencode};
use crate::auth::Ctx;
use crate::i18n::Catalog;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entremise_domain::Error;
use entremise_domain::inbox::{InboxCounts, InboxKind, InboxStatus};
use entremise_domain::locale::Locale;
use entremise_domain::page::Role;
use entremise_domain::profile::ProfileKind;
use entremise_domain::service::{ActInput, InboxFilter, InboxItemView};
use serde::Deserialize;
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// Items a page of the list shows.
const PAGE_SIZE: usize = 20;

/// A duration in words, rounded down to its largest unit: "12 min",
/// "3 h" up to two days, then "2 d" / "2 j" (never less than a minute).
pub fn duration(l: &Layout, d: Duration) -> String {
    duration_in(&l.catalog, l.lang, d)
}

fn duration_in(catalog: &Catalog, lang: Locale, d: Duration) -> String {
    let minutes = d.whole_minutes().max(1);
    let (key, n) = if minutes < 60 {
        ("dur_minutes", minutes)
    } else if minutes < 48 * 60 {
        ("dur_hours", minutes / 60)
    } else {
        ("dur_days", minutes / (24 * 60))
    };
    catalog.count(lang, key, u64::try_from(n).unwrap_or(0))
}

/// The label key of a kind of item.
pub fn kind_key(k: InboxKind) -> String {
    format!("inbox_kind_{}", k.as_str())
}

/// The label key of a status.
pub fn status_key(s: InboxStatus) -> String {
    format!("inbox_status_{}", s.as_str())
}

/// The team member an item may be given to: (handle, name).
type Member = (String, String);

/// An item as the list and the item page show it.
pub struct Row {
    pub id: i64,
    pub kind: &'static str,
    pub kind_label: String,
    /// The profile that is to answer; `None` when it is the member himself.
    pub page: Option<Member>,
    /// Who waits: a member's (handle, name), or a contact-form sender's name.
    pub from_handle: Option<String>,
    pub from_name: String,
    pub excerpt: Option<String>,
    /// "waiting 3 h" and "target 24 h", for an open item.
    pub waiting: Option<String>,
    pub target: String,
    pub overdue: bool,
    pub hostile: bool,
    /// The comment is held for review by the page's keyword filters.
    pub held: bool,
    pub assignee: Option<Member>,
    pub assigned_to_me: bool,
    pub status: &'static str,
    pub status_label: String,
    pub status_note: Option<String>,
    pub url: String,
    pub answered_elsewhere: bool,
    pub email: Option<String>,
    pub mailto: Option<String>,
    /// The page's team, when the viewer administers it (else empty: he may
    /// take it himself or give it to nobody).
    pub team: Vec<Member>,
}

impl Row {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    /// A page's item: it may be given to a team member.
    pub fn assignable(&self) -> bool {
        self.page.is_some()
    }
}

fn stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute())
}

/// What the rows of one request share: who is looking, the pages he
/// answers for and his role there, and each administered page's team.
struct Rows<'a> {
    state: &'a AppState,
    ctx: &'a Ctx,
    me: String,
    /// The pages he holds a role on: handle → (name, role).
    roles: HashMap<String, (String, Role)>,
    teams: HashMap<String, Vec<Member>>,
}

impl<'a> Rows<'a> {
    async fn new(state: &'a AppState, ctx: &'a Ctx) -> Result<Self, Error> {
        let me = ctx.viewer.require()?.handle.to_string();
        let roles = state
            .app
            .pages()
            .operated_pages(&ctx.viewer)
            .await?
            .into_iter()
            .map(|(r, role)| (r.handle.to_string(), (r.name, role)))
            .collect();
        Ok(Self {
            state,
            ctx,
            me,
            roles,
            teams: HashMap::new(),
        })
    }

    /// The pages he answers for, by name: (handle, name).
    fn answering_for(&self) -> Vec<Member> {
        let mut pages: Vec<Member> = self
            .roles
            .iter()
            .filter(|(_, (_, r))| r.edits())
            .map(|(h, (name, _))| (h.clone(), name.clone()))
            .collect();
        pages.sort_by(|a, b| a.1.cmp(&b.1));
        pages
    }

    async fn team(&mut self, page: &str) -> Vec<Member> {
        if !self.roles.get(page).is_some_and(|(_, r)| r.administers()) {
            return Vec::new();
        }
        if let Some(t) = self.teams.get(page) {
            return t.clone();
        }
        let team: Vec<Member> = match self
            .state
            .app
            .pages()
            .managers(&self.ctx.viewer, page)
            .await
        {
            Ok(ms) => ms
                .into_iter()
                .filter(|m| m.role.edits())
                .map(|m| (m.member.handle.to_string(), m.member.name))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "the team of a page was not read");
                Vec::new()
            }
        };
        self.teams.insert(page.to_owned(), team.clone());
        team
    }

    async fn row(&mut self, l: &Layout, v: &InboxItemView, now: OffsetDateTime) -> Row {
        let page = (v.profile.kind != ProfileKind::Person)
            .then(|| (v.profile.handle.to_string(), v.profile.name.clone()));
        let team = match &page {
            Some((h, _)) => self.team(h).await,
            None => Vec::new(),
        };
        let open = v.status == InboxStatus::Open;
        let status_note = match v.status {
            InboxStatus::Snoozed => v
                .snoozed_until
                .map(|u| l.t("inbox_snoozed_until").replace("{date}", &stamp(u))),
            InboxStatus::Dismissed => v
                .reason
                .as_ref()
                .map(|r| l.t("inbox_dismissed_because").replace("{reason}", r)),
            _ => None,
        };
        let mailto = v.email.as_ref().map(|e| {
            let subject = l
                .t("inbox_email_subject")
                .replace("{page}", &v.profile.name);
            format!(
                "mailto:{e}?subject={}",
                urlencode(&subject).replace('+', "%20")
            )
        });
        Row {
            id: v.id,
            kind: v.kind.as_str(),
            kind_label: l.t(&kind_key(v.kind)).to_owned(),
            page,
            from_handle: v.from.as_ref().map(ToString::to_string),
            from_name: v
                .from_name
                .clone()
                .unwrap_or_else(|| l.t("inbox_someone").to_owned()),
            excerpt: v.excerpt.clone(),
            waiting: (open || v.status == InboxStatus::Snoozed).then(|| {
                l.t("inbox_waiting")
                    .replace("{d}", &duration(l, now - v.since))
            }),
            target: l
                .t("inbox_target")
                .replace("{t}", &duration(l, Duration::seconds(v.target_seconds))),
            overdue: v.overdue,
            hostile: v.hostile,
            held: v.held,
            assigned_to_me: v
                .assignee
                .as_ref()
                .is_some_and(|a| a.handle.as_str() == self.me),
            assignee: v
                .assignee
                .as_ref()
                .map(|a| (a.handle.to_string(), a.name.clone())),
            status: v.status.as_str(),
            status_label: l.t(&status_key(v.status)).to_owned(),
            status_note,
            url: v.url.clone(),
            answered_elsewhere: v.answered_elsewhere,
            email: v.email.clone(),
            mailto,
            team,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "as")]
    as_: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    assignee: Option<String>,
    hostile: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    /// The filter's query string, without the cursor (for the "more" link
    /// and for coming back after an act).
    fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("as", &self.as_),
            ("kind", &self.kind),
            ("status", &self.status),
            ("assignee", &self.assignee),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        if self.hostile_only() {
            parts.push("hostile=1".to_owned());
        }
        parts.join("&")
    }

    fn hostile_only(&self) -> bool {
        self.hostile.as_deref() == Some("1")
    }

    fn filtered(&self) -> bool {
        !self.query().is_empty()
    }
}

fn choices(current: Option<&str>, all: impl IntoIterator<Item = (String, String)>) -> Vec<Choice> {
    all.into_iter()
        .map(|(value, label)| Choice {
            selected: current.unwrap_or("") == value,
            value,
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    rows: Vec<Row>,
    counts: InboxCounts,
    count_label: String,
    hostile_label: String,
    filtered: bool,
    as_choices: Vec<Choice>,
    kind_choices: Vec<Choice>,
    status_choices: Vec<Choice>,
    assignee_choices: Vec<Choice>,
    hostile_only: bool,
    more: Option<String>,
    /// Where an act comes back to: this list with its filters.
    back: String,
}

/// `GET /inbox`: the items, filtered by `as`, `kind`, `status`,
/// `assignee` (`me`, `none`) and `hostile=1`, a page at a time.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    let bad_kind = || Error::invalid("kind", "invalid", "not a kind of item");
    let bad_status = || Error::invalid("status", "invalid", "not a status");
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(InboxKind::parse(k).ok_or_else(bad_kind)?),
        None => None,
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(InboxStatus::parse(s).ok_or_else(bad_status)?),
        None => None,
    };
    let filter = InboxFilter {
        as_: q.as_.clone().filter(|h| !h.is_empty()),
        kind,
        status,
        assignee: q
            .assignee
            .clone()
            .filter(|a| matches!(a.as_str(), "me" | "none")),
        hostile_only: q.hostile_only(),
        cursor: q.cursor.clone().filter(|c| !c.is_empty()),
        limit: PAGE_SIZE,
    };
    let page = state.app.inbox().list(&ctx.viewer, filter).await?;
    let now = state.app.clock().now();
    let mut l = Layout::new(&state, &ctx, state.catalog.get(ctx.locale, "inbox_title"));
    // The header's count was read before the list waited for the inbox to
    // catch up (an answer just given): read it again.
    l.badges.inbox = state.app.inbox().counts(&ctx.viewer).await?.open;
    let mut rows_of = Rows::new(&state, &ctx).await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for v in &page.items {
        rows.push(rows_of.row(&l, v, now).await);
    }
    let query = q.query();
    let more = page.next.as_ref().map(|c| {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("/inbox?{query}{sep}cursor={}", urlencode(c))
    });
    let back = if query.is_empty() {
        "/inbox".to_owned()
    } else {
        format!("/inbox?{query}")
    };
    let mut as_all = vec![
        (String::new(), l.t("inbox_filter_as_all").to_owned()),
        (
            rows_of.me.clone(),
            format!("{} (@{})", l.t("inbox_you"), rows_of.me),
        ),
    ];
    as_all.extend(rows_of.answering_for().into_iter().map(|(h, name)| {
        let label = format!("{name} (@{h})");
        (h, label)
    }));
    let mut kinds = vec![(String::new(), l.t("inbox_filter_kind_all").to_owned())];
    kinds.extend(
        InboxKind::ALL
            .into_iter()
            .filter(|k| !matches!(k, InboxKind::Report))
            .map(|k| (k.as_str().to_owned(), l.t(&kind_key(k)).to_owned())),
    );
    let statuses = InboxStatus::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), l.t(&status_key(s)).to_owned()));
    let assignees = [
        ("", "inbox_filter_assignee_any"),
        ("me", "inbox_filter_assignee_me"),
        ("none", "inbox_filter_assignee_none"),
    ]
    .map(|(v, k)| (v.to_owned(), l.t(k).to_owned()));
    Ok(render(&InboxPage {
        count_label: l.count("inbox_count", page.counts.open),
        hostile_label: l.count("inbox_hostile_count", page.counts.hostile),
        counts: page.counts,
        rows,
        filtered: q.filtered(),
        as_choices: choices(q.as_.as_deref(), as_all),
        kind_choices: choices(q.kind.as_deref(), kinds),
        status_choices: choices(Some(q.status.as_deref().unwrap_or("open")), statuses),
        assignee_choices: choices(q.assignee.as_deref(), assignees),
        hostile_only: q.hostile_only(),
        more,
        back,
        l,
    }))
}

#[derive(Template)]
#[template(path = "inbox_item.html")]
struct ItemPage {
    l: Layout,
    r: Row,
    errors: Vec<String>,
    back: String,
}

async fn item_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Vec<String>,
) -> Result<ItemPage, Error> {
    let v = state.app.inbox().item(&ctx.viewer, id).await?;
    let now = state.app.clock().now();
    let l = Layout::new(
        state,
        ctx,
        state.catalog.get(ctx.locale, "inbox_item_title"),
    );
    let r = Rows::new(state, ctx).await?.row(&l, &v, now).await;
    Ok(ItemPage {
        l,
        r,
        errors,
        back: "/inbox".to_owned(),
    })
}

/// `GET /inbox/{id}`: one item, a contact-form message with its sender's
/// address.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    ctx.viewer.require()?;
    Ok(render(&item_page(&state, &ctx, &id, Vec::new()).await?))
}

/// 9:00 on `date` in the member's time zone (`tz`: minutes behind UTC,
/// as the browser's `getTimezoneOffset` gives them).
fn nine_on(date: Date, tz: i64) -> OffsetDateTime {
    PrimitiveDateTime::new(date, Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_utc()
        + Duration::minutes(tz)
}

/// When a snooze form asks to wake the item: `until` is `tomorrow`,
/// `next_week` (next Monday) or `date` (the `date` field, `YYYY-MM-DD`),
/// each at 9:00 local time. `None` for a date that cannot be read.
fn snooze_until(form: &FormData, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let tz: i64 = form
        .get("tz")
        .trim()
        .parse()
        .ok()
        .filter(|m: &i64| (-18 * 60..=18 * 60).contains(m))
        .unwrap_or(0);
    let today = (now - Duration::minutes(tz)).date();
    let date = match form.get("until") {
        "tomorrow" => today.next_day()?,
        "next_week" => {
            let mut d = today.next_day()?;
            while d.weekday() != Weekday::Monday {
                d = d.next_day()?;
            }
            d
        }
        _ => {
            let mut parts = form.get("date").trim().splitn(3, '-');
            let year: i32 = parts.next()?.parse().ok()?;
            let month: u8 = parts.next()?.parse().ok()?;
            let day: u8 = parts.next()?.parse().ok()?;
            Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?
        }
    };
    Some(nine_on(date, tz))
}

/// The words for an act the domain refused; `None` for an error page.
fn act_problems(l: &Layout, e: &Error) -> Option<Vec<String>> {
    match e {
        Error::Invalid(fields) => Some(
            fields
                .iter()
                .map(|f| {
                    let key = match (f.field.as_str(), f.reason) {
                        ("reason", _) => "inbox_error_reason",
                        ("until", _) => "inbox_error_until",
                        ("to", _) => "inbox_error_assignee",
                        ("kind", "not_held") => "inbox_error_not_held",
                        ("kind", _) => "inbox_error_answer_in_place",
                        _ => "",
                    };
                    if key.is_empty() {
                        format!("{}: {}", f.field, f.message)
                    } else {
                        l.t(key).to_owned()
                    }
                })
                .collect(),
        ),
        _ => None,
    }
}

/// `POST /inbox/{id}/{action}`: `assign` (`to`: a handle, empty for
/// nobody), `dismiss` (`reason`), `snooze` (`until`, `date`, `tz`),
/// `reopen`, `answered`, `publish` (a held comment). Back to `next` (the list it came from); a refused
/// act shows the item page again with what went wrong.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormData::parse(&body, &ctx)?;
    let now = state.app.clock().now();
    let input = match action.as_str() {
        "assign" => {
            ActInput::Assign(Some(form.get("to").trim().to_owned()).filter(|h| !h.is_empty()))
        }
        "dismiss" => ActInput::Dismiss(form.get("reason").to_owned()),
        "snooze" => match snooze_until(&form, now) {
            Some(at) => ActInput::Snooze(at),
            None => {
                let e = Error::invalid("until", "invalid", "not a date");
                return refused(&state, &ctx, &id, e).await;
            }
        },
        "reopen" => ActInput::Reopen,
        "answered" => ActInput::MarkAnswered,
        "publish" => ActInput::Publish,
        _ => return Err(Error::NotFound.into()),
    };
    match state.app.inbox().act(&ctx.viewer, &id, input).await {
        Ok(_) => {
            let next = form.get("next");
            let next = if next.is_empty() {
                "/inbox".to_owned()
            } else {
                safe_next(next)
            };
            Ok(see_other(&next))
        }
        Err(e) => refused(&state, &ctx, &id, e).await,
    }
}

async fn refused(state: &AppState, ctx: &Ctx, id: &str, e: Error) -> Result<Response, PageError> {
    let l = Layout::new(state, ctx, "");
    let Some(errors) = act_problems(&l, &e) else {
        return Err(e.into());
    };
    let mut page = item_page(state, ctx, id, errors).await?;
    page.l.path = format!("/inbox/{id}");
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_humanised_in_both_languages() {
        let c = Catalog::load();
        let fr = |d| duration_in(&c, Locale::Fr, d);
        let en = |d| duration_in(&c, Locale::En, d);
        assert_eq!(en(Duration::seconds(20)), "1 min");
        assert_eq!(fr(Duration::minutes(59)), "59 min");
        assert_eq!(en(Duration::minutes(185)), "3 h");
        assert_eq!(fr(Duration::hours(47)), "47 h");
        assert_eq!(en(Duration::hours(50)), "2 d");
        assert_eq!(fr(Duration::days(2)), "2 j");
        assert_eq!(fr(Duration::days(30)), "30 j");
    }

    #[test]
    fn counts_of_items_agree_with_their_number() {
        let c = Catalog::load();
        assert_eq!(
            c.count(Locale::Fr, "inbox_count", 1),
            "1 élément à répondre"
        );
        assert_eq!(
            c.count(Locale::Fr, "inbox_count", 3),
            "3 éléments à répondre"
        );
        assert_eq!(c.count(Locale::En, "inbox_count", 1), "1 item to answer");
        assert_eq!(c.count(Locale::En, "inbox_count", 0), "0 items to answer");
        assert_eq!(c.count(Locale::Fr, "inbox_hostile_count", 2), "2 hostiles");
    }

    #[test]
    fn every_kind_and_status_has_its_label_in_both_languages() {
        let c = Catalog::load();
        for lang in [Locale::En, Locale::Fr] {
            let keys = InboxKind::ALL
                .into_iter()
                .map(kind_key)
                .chain(InboxStatus::ALL.into_iter().map(status_key));
            for key in keys {
                assert_ne!(c.get(lang, &key), key, "{key} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn snoozes_wake_at_nine_local_time() {
        let utc = |y: i32, m: u8, d: u8, h: u8, min: u8| {
            let date = Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
            Some(PrimitiveDateTime::new(date, Time::from_hms(h, min, 0).unwrap()).assume_utc())
        };
        let now = utc(2026, 12, 9, 23, 30).unwrap(); // a Wednesday
        let form = |pairs: &[(&str, &str)]| {
            FormData(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            )
        };
        let at = |f: &FormData| snooze_until(f, now);
        assert_eq!(at(&form(&[("until", "tomorrow")])), utc(2026, 12, 10, 9, 0));
        // In Paris (UTC+1, offset -60) it is already Thursday.
        assert_eq!(
            at(&form(&[("until", "tomorrow"), ("tz", "-60")])),
            utc(2026, 12, 11, 8, 0)
        );
        assert_eq!(
            at(&form(&[("until", "next_week")])),
            utc(2026, 12, 14, 9, 0)
        );
        assert_eq!(
            at(&form(&[("until", "date"), ("date", "2027-01-05")])),
            utc(2027, 1, 5, 9, 0)
        );
        assert_eq!(at(&form(&[("until", "date"), ("date", "soon")])), None);
    }
}
